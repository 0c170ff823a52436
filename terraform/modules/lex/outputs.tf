output "bot_id" {
  description = "Lex V2 bot ID."
  value       = aws_lexv2models_bot.this.id
}

output "bot_arn" {
  description = "Lex V2 bot ARN."
  value       = aws_lexv2models_bot.this.arn
}

output "bot_version" {
  description = "The numbered bot version the alias points at."
  value       = aws_lexv2models_bot_version.this.bot_version
}

output "bot_alias_id" {
  description = "ID of the alias Connect uses."
  value       = awscc_lex_bot_alias.this.bot_alias_id
}

output "bot_alias_arn" {
  description = "ARN of the alias Connect uses (bound as lex_bot_alias_arn in the flow templates)."
  value       = awscc_lex_bot_alias.this.arn
}

output "excluded_utterances" {
  description = "Utterances of intents.yaml left out of the Lex intents because they name an AMAZON.FreeFormInput slot, keyed \"<locale>.<intent>\" (the code hook covers them)."
  value = {
    for key, intent in local.intent_instances : key => [
      for u in lookup(var.intents.intents[intent.name].utterances, intent.locale, []) : u
      if !contains(intent.utterances, u)
    ]
  }
}
