output "bot_id" {
  description = "Lex V2 bot ID."
  value       = aws_cloudformation_stack.bot.outputs["BotId"]
}

output "bot_arn" {
  description = "Lex V2 bot ARN."
  value       = aws_cloudformation_stack.bot.outputs["BotArn"]
}

output "bot_version" {
  description = "The numbered bot version the alias points at."
  value       = aws_cloudformation_stack.bot.outputs["BotVersion"]
}

output "bot_alias_id" {
  description = "ID of the alias Connect uses."
  value       = aws_cloudformation_stack.bot.outputs["BotAliasId"]
}

output "bot_alias_arn" {
  description = "ARN of the alias Connect uses (bound as lex_bot_alias_arn in the flow templates)."
  value       = aws_cloudformation_stack.bot.outputs["BotAliasArn"]
}

output "stack_name" {
  description = "The CloudFormation stack holding the bot, its version and alias (its events say why a build failed)."
  value       = aws_cloudformation_stack.bot.name
}

output "excluded_utterances" {
  description = "Utterances of intents.yaml left out of the Lex intents because they name an AMAZON.FreeFormInput slot, keyed \"<locale>.<intent>\" (the code hook covers them)."
  value = {
    for key, utterances in local.utterances : key => [
      for u in lookup(var.intents.intents[split(".", key)[1]].utterances, split(".", key)[0], []) : u
      if !contains(utterances, u)
    ]
  }
}
