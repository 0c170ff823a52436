data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  bot_name   = "${var.name_prefix}-support-bot"
  locales    = var.intents.locales

  # arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]
  code_hook_arn_parts = split(":", var.code_hook_lambda_arn)
  code_hook_function  = join(":", slice(local.code_hook_arn_parts, 0, 7))
  code_hook_qualifier = length(local.code_hook_arn_parts) > 7 ? local.code_hook_arn_parts[7] : null

  slot_types = var.intents.slot_types
  # intents.yaml writes the Lex API's names; CloudFormation spells them in capitals.
  resolution_strategies = {
    OriginalValue = "ORIGINAL_VALUE"
    TopResolution = "TOP_RESOLUTION"
    Concatenation = "CONCATENATION"
  }

  # Built-in slot types that Lex V2 refuses in intent sample utterances (the locale build fails):
  # "AMAZON.FreeFormInput cannot be used in intent sample utterances" and "is only recognized
  # when elicited for". Utterances naming such a slot are left out of the Lex intent; the dialog
  # code hook (lex_hook) puts a bare answer into the expected intent instead (README.md).
  utterance_excluded_builtins = ["AMAZON.FreeFormInput"]

  # Slots whose type resolves to an excluded built-in, per intent.
  excluded_slots = {
    for intent, spec in var.intents.intents : intent => [
      for slot, slot_spec in spec.slots : slot
      if contains(local.utterance_excluded_builtins, coalesce(try(local.slot_types[slot_spec.type].builtin, null), slot_spec.type))
    ]
  }

  # "<locale>.<intent>" => the utterances Lex is given.
  utterances = merge([
    for locale in local.locales : {
      for intent, spec in var.intents.intents : "${locale}.${intent}" => distinct([
        for u in lookup(spec.utterances, locale, []) : u
        if !anytrue([for slot in local.excluded_slots[intent] : strcontains(u, "{${slot}}")])
      ])
    }
  ]...)

  # Slot prompts: Connect asks the caller itself, but Lex re-prompts a required slot it could not
  # fill, in the locale's words. "#" ends keypad input, as in the flows.
  prompt_attempts = ["Initial", "Retry1", "Retry2"]
  prompt_attempt = {
    AllowInterrupt    = true
    AllowedInputTypes = { AllowAudioInput = true, AllowDTMFInput = true }
    AudioAndDTMFInputSpecification = {
      StartTimeoutMs     = 4000
      AudioSpecification = { EndTimeoutMs = 640, MaxLengthMs = 15000 }
      DTMFSpecification  = { DeletionCharacter = "*", EndCharacter = "#", EndTimeoutMs = 5000, MaxLength = 513 }
    }
    TextInputSpecification = { StartTimeoutMs = 30000 }
  }

  # The bot's locales in CloudFormation's AWS::Lex::Bot shape. Intents and slot types carry no
  # Description: intents.yaml keeps them, and the template must stay under CloudFormation's 51,200
  # bytes of template_body (the precondition below; past it the template goes to S3). Slots are named, not referenced by
  # ID, so every intent lists its slot priorities in the same definition (without them the
  # locale build fails: "Slot ids [...] don't define a slot priority").
  bot_locales = [
    for locale in local.locales : merge(
      {
        LocaleId               = locale
        NluConfidenceThreshold = var.nlu_confidence_threshold
        SlotTypes = [
          for name, spec in local.slot_types : {
            Name                  = name
            ValueSelectionSetting = { ResolutionStrategy = local.resolution_strategies[spec.resolution] }
            # Synonyms resolve to their value under TopResolution ("이씨투" -> EC2).
            SlotTypeValues = [
              for v in spec.values : merge(
                { SampleValue = { Value = v } },
                jsondecode(length(lookup(spec.synonyms, v, [])) == 0 ? "{}" : jsonencode({
                  Synonyms = [for s in spec.synonyms[v] : { Value = s }]
                })),
              )
            ]
          } if spec.builtin == null
        ]
        Intents = concat(
          [
            for intent, spec in var.intents.intents : merge(
              {
                Name             = intent
                SampleUtterances = [for u in local.utterances["${locale}.${intent}"] : { Utterance = u }]
                # Every turn goes through lex_hook, which resolves bare answers to the expected intent.
                DialogCodeHook = { Enabled = true }
              },
              # (Conditional objects of different shapes go through JSON: Terraform's ?: wants one type.)
              jsondecode(length(spec.slots) == 0 ? "{}" : jsonencode({
                SlotPriorities = [for i, slot in keys(spec.slots) : { Priority = i + 1, SlotName = slot }]
                Slots = [
                  for slot, slot_spec in spec.slots : {
                    Name         = slot
                    SlotTypeName = coalesce(try(local.slot_types[slot_spec.type].builtin, null), slot_spec.type)
                    # An optional slot ("장애예요" names no service) is never elicited: no prompt.
                    ValueElicitationSetting = merge(
                      { SlotConstraint = slot_spec.required ? "Required" : "Optional" },
                      jsondecode(!slot_spec.required ? "{}" : jsonencode({
                        PromptSpecification = {
                          MaxRetries               = length(local.prompt_attempts) - 1
                          AllowInterrupt           = true
                          MessageSelectionStrategy = "Ordered"
                          MessageGroupsList = [{
                            Message = jsondecode(
                              startswith(try(var.prompts[locale][slot_spec.prompt], spec.description), "<speak>")
                              ? jsonencode({ SSMLMessage = { Value = var.prompts[locale][slot_spec.prompt] } })
                              : jsonencode({ PlainTextMessage = { Value = try(var.prompts[locale][slot_spec.prompt], spec.description) } })
                            )
                          }]
                          PromptAttemptsSpecification = { for attempt in local.prompt_attempts : attempt => local.prompt_attempt }
                        }
                      })),
                    )
                    # Names and incident descriptions are PII: masked in conversation logs.
                    ObfuscationSetting = { ObfuscationSettingType = "DefaultObfuscation" }
                  }
                ]
              })),
            )
          ],
          # Lex's own FallbackIntent, with the code hooks on: a bare answer Lex cannot classify
          # reaches lex_hook, which closes the intent the flow expects (domain/dialog.py).
          [{
            Name                  = "FallbackIntent"
            ParentIntentSignature = "AMAZON.FallbackIntent"
            DialogCodeHook        = { Enabled = true }
            FulfillmentCodeHook   = { Enabled = true }
          }],
        )
      },
      jsondecode(contains(keys(var.voices), locale) ? jsonencode({
        VoiceSettings = { VoiceId = var.voices[locale].voice_id, Engine = var.voices[locale].engine }
      }) : "{}"),
    )
  ]

  # A new numbered version whenever the locales change: the version's logical ID carries the
  # definition's hash, so CloudFormation creates it after the bot is rebuilt, moves the alias and
  # deletes the old version (AWS::Lex::BotVersion cannot be updated in place).
  definition_hash    = substr(sha256(jsonencode(local.bot_locales)), 0, 16)
  version_logical_id = "BotVersion${local.definition_hash}"

  alias_locale_settings = [
    for locale in local.locales : {
      LocaleId = locale
      BotAliasLocaleSetting = {
        Enabled = true
        CodeHookSpecification = {
          LambdaCodeHook = { CodeHookInterfaceVersion = "1.0", LambdaArn = { Ref = "CodeHookLambdaArn" } }
        }
      }
    }
  ]

  cfn_tags = [for key, value in var.tags : { Key = key, Value = value }]

  template = {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "${local.bot_name}: the Lex V2 bot of the support line, built from intents.yaml (terraform/modules/lex)"
    Parameters = merge(
      {
        BotRoleArn        = { Type = "String", Description = "Runtime role of the bot" }
        CodeHookLambdaArn = { Type = "String", Description = "The lex_hook function (or its live alias)" }
      },
      jsondecode(var.conversation_logs_enabled ? jsonencode({
        ConversationLogGroupArn = { Type = "String", Description = "Log group of the text conversation logs" }
      }) : "{}"),
    )
    Resources = {
      Bot = {
        Type = "AWS::Lex::Bot"
        Properties = {
          Name                    = local.bot_name
          Description             = "AICC support line: identification answers (company, contact name, incident) and agent requests, ko_KR first."
          RoleArn                 = { Ref = "BotRoleArn" }
          DataPrivacy             = { ChildDirected = false }
          IdleSessionTTLInSeconds = var.idle_session_ttl_in_seconds
          # CloudFormation builds every locale; a failed build fails the stack (and the apply).
          AutoBuildBotLocales = true
          BotLocales          = local.bot_locales
          TestBotAliasSettings = {
            BotAliasLocaleSettings    = local.alias_locale_settings
            SentimentAnalysisSettings = { DetectSentiment = false }
          }
          BotTags = local.cfn_tags
        }
      }
      (local.version_logical_id) = {
        Type = "AWS::Lex::BotVersion"
        Properties = {
          BotId       = { Ref = "Bot" }
          Description = "Built from intents.yaml, definition ${local.definition_hash}"
          BotVersionLocaleSpecification = [
            for locale in local.locales : { LocaleId = locale, BotVersionLocaleDetails = { SourceBotVersion = "DRAFT" } }
          ]
        }
      }
      BotAlias = {
        Type = "AWS::Lex::BotAlias"
        Properties = merge(
          {
            BotId                     = { Ref = "Bot" }
            BotAliasName              = var.alias_name
            BotVersion                = { "Fn::GetAtt" = [local.version_logical_id, "BotVersion"] }
            Description               = "Alias used by Amazon Connect, dialog code hook on every locale."
            BotAliasLocaleSettings    = local.alias_locale_settings
            SentimentAnalysisSettings = { DetectSentiment = false } # Contact Lens analyses the whole call
            BotAliasTags              = local.cfn_tags
          },
          jsondecode(var.conversation_logs_enabled ? jsonencode({
            ConversationLogSettings = {
              TextLogSettings = [{
                Enabled = true
                Destination = {
                  CloudWatch = { CloudWatchLogGroupArn = { Ref = "ConversationLogGroupArn" }, LogPrefix = "${var.alias_name}/" }
                }
              }]
            }
          }) : "{}"),
        )
      }
    }
    Outputs = {
      BotId       = { Value = { Ref = "Bot" } }
      BotArn      = { Value = { "Fn::GetAtt" = ["Bot", "Arn"] } }
      BotVersion  = { Value = { "Fn::GetAtt" = [local.version_logical_id, "BotVersion"] } }
      BotAliasId  = { Value = { "Fn::GetAtt" = ["BotAlias", "BotAliasId"] } }
      BotAliasArn = { Value = { "Fn::GetAtt" = ["BotAlias", "Arn"] } }
    }
  }
  template_body = jsonencode(local.template)
}

# -----------------------------------------------------------------------------
# IAM: the bot's runtime role (Polly for the bot's own speech, conversation logs when enabled)
# -----------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lexv2.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = [
        "arn:${local.partition}:lex:${local.region}:${local.account_id}:bot/*",
        "arn:${local.partition}:lex:${local.region}:${local.account_id}:bot-alias/*",
      ]
    }
  }
}

resource "aws_iam_role" "bot" {
  name               = "${local.bot_name}-runtime"
  description        = "Runtime role of the ${local.bot_name} Lex V2 bot."
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "bot" {
  #checkov:skip=CKV_AWS_356: polly:SynthesizeSpeech is restrictable only to lexicons; the bot uses none, so IAM authorizes it on "*" (as AWS's own AmazonLexV2BotPolicy does)
  statement {
    sid       = "Speech"
    actions   = ["polly:SynthesizeSpeech"]
    resources = ["*"] # SynthesizeSpeech is scoped to lexicons only; the bot uses none
  }

  dynamic "statement" {
    for_each = var.conversation_logs_enabled ? [1] : []

    content {
      sid       = "ConversationLogs"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["${aws_cloudwatch_log_group.conversation[0].arn}:*"]
    }
  }
}

resource "aws_iam_role_policy" "bot" {
  name   = "runtime"
  role   = aws_iam_role.bot.id
  policy = data.aws_iam_policy_document.bot.json
}

resource "aws_cloudwatch_log_group" "conversation" {
  count = var.conversation_logs_enabled ? 1 : 0

  name              = "/aws/lex/${local.bot_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

# -----------------------------------------------------------------------------
# Bot, locales, intents, slots, version and alias: one CloudFormation stack
#
# The AWS provider's aws_lexv2models_* resources cannot set slot priorities (the intent needs the
# slots' IDs, the slots the intent's ID: provider issues 36863/39948), build no locale, cannot
# manage FallbackIntent and have no alias resource. CloudFormation's AWS::Lex::Bot takes the whole
# bot by name, builds it (AutoBuildBotLocales) and fails the stack when a build fails, and the
# provider prints the stack events' reasons; the version and alias come in the same stack.
# -----------------------------------------------------------------------------

resource "aws_cloudformation_stack" "bot" {
  #checkov:skip=CKV_AWS_124: Terraform reads the stack events during the apply and prints the failures; SNS notices of every resource event would flood the on-call topic
  name          = local.bot_name
  template_body = local.template_body
  parameters = merge(
    {
      BotRoleArn        = aws_iam_role.bot.arn
      CodeHookLambdaArn = var.code_hook_lambda_arn
    },
    var.conversation_logs_enabled ? { ConversationLogGroupArn = aws_cloudwatch_log_group.conversation[0].arn } : {},
  )
  # A failed first create keeps the stack and the bot, so that the build's failure reasons stay
  # readable (docs/deploy.md); the next apply replaces the failed stack. A failed update rolls
  # back to the working bot. CloudFormation's own timeout ends a hung build before Terraform's.
  on_failure         = "DO_NOTHING"
  timeout_in_minutes = 25

  tags = var.tags

  timeouts {
    create = "30m"
    update = "30m"
    delete = "30m"
  }

  lifecycle {
    precondition {
      condition     = length(local.template_body) <= 51200
      error_message = "The Lex template is ${length(local.template_body)} bytes; CloudFormation takes at most 51,200 in template_body. Upload it to S3 and use template_url."
    }
  }

  depends_on = [aws_iam_role_policy.bot]
}

# Lex may call the code hook from the alias Connect uses, and from the bot's test alias (the Lex
# console's test window), nothing else.
resource "aws_lambda_permission" "lex" {
  statement_id   = "AllowLexV2Alias-${var.alias_name}"
  action         = "lambda:InvokeFunction"
  function_name  = local.code_hook_function
  qualifier      = local.code_hook_qualifier
  principal      = "lexv2.amazonaws.com"
  source_arn     = aws_cloudformation_stack.bot.outputs["BotAliasArn"]
  source_account = local.account_id
}

resource "aws_lambda_permission" "lex_test_alias" {
  statement_id   = "AllowLexV2TestAlias"
  action         = "lambda:InvokeFunction"
  function_name  = local.code_hook_function
  qualifier      = local.code_hook_qualifier
  principal      = "lexv2.amazonaws.com"
  source_arn     = "arn:${local.partition}:lex:${local.region}:${local.account_id}:bot-alias/${aws_cloudformation_stack.bot.outputs["BotId"]}/TSTALIASID"
  source_account = local.account_id
}
