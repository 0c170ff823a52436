data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  bot_name   = "${var.name_prefix}-support-bot"

  # arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]
  code_hook_arn_parts = split(":", var.code_hook_lambda_arn)
  code_hook_function  = join(":", slice(local.code_hook_arn_parts, 0, 7))
  code_hook_qualifier = length(local.code_hook_arn_parts) > 7 ? local.code_hook_arn_parts[7] : null

  slot_types = var.intents.slot_types

  # Built-in slot types that Lex V2 refuses in intent sample utterances (the locale build fails):
  # "AMAZON.FreeFormInput cannot be used in intent sample utterances" and "is only recognized
  # when elicited for". Utterances naming such a slot are left out of the Lex intent; the dialog
  # code hook (lex_hook) puts a bare answer into the expected intent instead (README.md).
  utterance_excluded_builtins = ["AMAZON.FreeFormInput"]

  # Custom slot types (no `builtin`), one per locale.
  custom_slot_types = merge([
    for locale in var.locales : {
      for name, spec in local.slot_types : "${locale}.${name}" => {
        locale = locale
        name   = name
        spec   = spec
      } if spec.builtin == null
    }
  ]...)

  # "<locale>.<slot type name>" => slot_type_id (built-in name or the custom type's ID).
  slot_type_ids = merge(
    merge([
      for locale in var.locales : {
        for name, spec in local.slot_types : "${locale}.${name}" => spec.builtin if spec.builtin != null
      }
    ]...),
    { for key, st in aws_lexv2models_slot_type.this : key => st.slot_type_id },
  )

  # Slots whose type resolves to an excluded built-in, per intent.
  excluded_slots = {
    for intent, spec in var.intents.intents : intent => [
      for slot, slot_spec in spec.slots : slot
      if contains(local.utterance_excluded_builtins, coalesce(try(local.slot_types[slot_spec.type].builtin, null), slot_spec.type))
    ]
  }

  intent_instances = merge([
    for locale in var.locales : {
      for intent, spec in var.intents.intents : "${locale}.${intent}" => {
        locale      = locale
        name        = intent
        description = spec.description
        utterances = distinct([
          for u in lookup(spec.utterances, locale, []) : u
          if !anytrue([for slot in local.excluded_slots[intent] : strcontains(u, "{${slot}}")])
        ])
      }
    }
  ]...)

  slot_instances = merge([
    for key, intent in local.intent_instances : {
      for slot, slot_spec in var.intents.intents[intent.name].slots : "${key}.${slot}" => {
        locale     = intent.locale
        intent_key = key
        name       = slot
        type       = slot_spec.type
        prompt     = try(var.prompts[intent.locale][slot_spec.prompt], var.intents.intents[intent.name].description)
      }
    }
  ]...)

  # Default prompt attempt settings, as Lex stores them when none are given (declared here so
  # that Terraform shows no perpetual difference); "#" ends keypad input, as in the flows.
  prompt_attempts = ["Initial", "Retry1", "Retry2"]

  # Everything the DRAFT locales are built from; a change builds them again and cuts a new version.
  definition_hash = sha256(jsonencode({
    intents     = var.intents
    prompts     = var.prompts
    locales     = var.locales
    voices      = var.voices
    threshold   = var.nlu_confidence_threshold
    utterances  = { for key, intent in local.intent_instances : key => intent.utterances }
    code_hooked = "dialog+fallback"
  }))
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
# Bot, locales, slot types, intents, slots (all on the DRAFT version)
# -----------------------------------------------------------------------------

resource "aws_lexv2models_bot" "this" {
  name                        = local.bot_name
  description                 = "AICC support line: identification answers (company, contact name, incident) and agent requests, ko_KR first."
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = var.idle_session_ttl_in_seconds

  data_privacy {
    child_directed = false
  }

  tags = var.tags
}

resource "aws_lexv2models_bot_locale" "this" {
  for_each = toset(var.locales)

  bot_id                           = aws_lexv2models_bot.this.id
  bot_version                      = "DRAFT"
  locale_id                        = each.key
  n_lu_intent_confidence_threshold = var.nlu_confidence_threshold

  dynamic "voice_settings" {
    for_each = contains(keys(var.voices), each.key) ? [var.voices[each.key]] : []

    content {
      voice_id = voice_settings.value.voice_id
      engine   = voice_settings.value.engine
    }
  }
}

resource "aws_lexv2models_slot_type" "this" {
  for_each = local.custom_slot_types

  bot_id      = aws_lexv2models_bot.this.id
  bot_version = aws_lexv2models_bot_locale.this[each.value.locale].bot_version
  locale_id   = aws_lexv2models_bot_locale.this[each.value.locale].locale_id
  name        = each.value.name
  description = each.value.spec.description

  value_selection_setting {
    resolution_strategy = each.value.spec.resolution
  }

  dynamic "slot_type_values" {
    for_each = each.value.spec.values

    content {
      sample_value {
        value = slot_type_values.value
      }
    }
  }
}

resource "aws_lexv2models_intent" "this" {
  for_each = local.intent_instances

  bot_id      = aws_lexv2models_bot.this.id
  bot_version = aws_lexv2models_bot_locale.this[each.value.locale].bot_version
  locale_id   = aws_lexv2models_bot_locale.this[each.value.locale].locale_id
  name        = each.value.name
  description = each.value.description

  dynamic "sample_utterance" {
    for_each = each.value.utterances

    content {
      utterance = sample_utterance.value
    }
  }

  # Every turn goes through lex_hook, which resolves bare answers to the expected intent.
  dialog_code_hook {
    enabled = true
  }

  lifecycle {
    # Slots are created after the intent (they need its ID) and Lex adds them to the priorities
    # itself; the provider ignores slot_priority on create, so it is not managed here.
    ignore_changes = [slot_priority]
  }
}

resource "aws_lexv2models_slot" "this" {
  for_each = local.slot_instances

  bot_id       = aws_lexv2models_bot.this.id
  bot_version  = aws_lexv2models_bot_locale.this[each.value.locale].bot_version
  locale_id    = aws_lexv2models_bot_locale.this[each.value.locale].locale_id
  intent_id    = aws_lexv2models_intent.this[each.value.intent_key].intent_id
  name         = each.value.name
  slot_type_id = lookup(local.slot_type_ids, "${each.value.locale}.${each.value.type}", each.value.type)

  value_elicitation_setting {
    slot_constraint = "Required"

    prompt_specification {
      max_retries                = length(local.prompt_attempts) - 1
      allow_interrupt            = true
      message_selection_strategy = "Ordered"

      message_group {
        message {
          dynamic "plain_text_message" {
            for_each = startswith(each.value.prompt, "<speak>") ? [] : [each.value.prompt]

            content {
              value = plain_text_message.value
            }
          }

          dynamic "ssml_message" {
            for_each = startswith(each.value.prompt, "<speak>") ? [each.value.prompt] : []

            content {
              value = ssml_message.value
            }
          }
        }
      }

      dynamic "prompt_attempts_specification" {
        for_each = toset(local.prompt_attempts)

        content {
          map_block_key   = prompt_attempts_specification.value
          allow_interrupt = true

          allowed_input_types {
            allow_audio_input = true
            allow_dtmf_input  = true
          }

          audio_and_dtmf_input_specification {
            start_timeout_ms = 4000

            audio_specification {
              end_timeout_ms = 640
              max_length_ms  = 15000
            }

            dtmf_specification {
              deletion_character = "*"
              end_character      = "#"
              end_timeout_ms     = 5000
              max_length         = 513
            }
          }

          text_input_specification {
            start_timeout_ms = 30000
          }
        }
      }
    }
  }

  # Names and incident descriptions are PII: masked in conversation logs and stored utterances.
  obfuscation_setting {
    obfuscation_setting_type = "DefaultObfuscation"
  }
}

# -----------------------------------------------------------------------------
# Build and version
#
# The AWS provider neither builds a locale nor exposes the FallbackIntent that Lex creates in
# every locale, and CreateBotVersion needs built locales. This step (AWS CLI v2, same
# credentials as Terraform) turns on the code hooks of FallbackIntent, builds every DRAFT
# locale and waits for the build; it runs again whenever the definition changes, and the
# version below is then replaced (created before the old one is deleted, so the alias moves).
# -----------------------------------------------------------------------------

resource "terraform_data" "build" {
  triggers_replace = {
    bot_id     = aws_lexv2models_bot.this.id
    region     = local.region
    locales    = join(" ", var.locales)
    definition = local.definition_hash
  }

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      BOT=${self.triggers_replace.bot_id}
      REGION=${self.triggers_replace.region}
      for LOCALE in ${self.triggers_replace.locales}; do
        FALLBACK_ID=$(aws lexv2-models list-intents --region "$REGION" --bot-id "$BOT" --bot-version DRAFT \
          --locale-id "$LOCALE" --filters name=IntentName,values=FallbackIntent,operator=EQ \
          --query 'intentSummaries[0].intentId' --output text)
        aws lexv2-models update-intent --region "$REGION" --bot-id "$BOT" --bot-version DRAFT \
          --locale-id "$LOCALE" --intent-id "$FALLBACK_ID" --intent-name FallbackIntent \
          --parent-intent-signature AMAZON.FallbackIntent \
          --dialog-code-hook enabled=true --fulfillment-code-hook enabled=true > /dev/null
        aws lexv2-models build-bot-locale --region "$REGION" --bot-id "$BOT" --bot-version DRAFT \
          --locale-id "$LOCALE" > /dev/null
      done
      for LOCALE in ${self.triggers_replace.locales}; do
        aws lexv2-models wait bot-locale-built --region "$REGION" --bot-id "$BOT" --bot-version DRAFT \
          --locale-id "$LOCALE"
      done
    EOT
  }

  depends_on = [
    aws_lexv2models_bot_locale.this,
    aws_lexv2models_slot_type.this,
    aws_lexv2models_intent.this,
    aws_lexv2models_slot.this,
  ]
}

resource "aws_lexv2models_bot_version" "this" {
  bot_id      = aws_lexv2models_bot.this.id
  description = "Built from intents.yaml, definition ${substr(local.definition_hash, 0, 16)}"

  locale_specification = {
    for locale in var.locales : locale => {
      source_bot_version = "DRAFT"
    }
  }

  depends_on = [terraform_data.build]

  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.build]
  }
}

# -----------------------------------------------------------------------------
# Alias (Cloud Control: aws_lexv2models_bot_alias does not exist in the AWS provider)
# -----------------------------------------------------------------------------

resource "awscc_lex_bot_alias" "this" {
  bot_id         = aws_lexv2models_bot.this.id
  bot_alias_name = var.alias_name
  bot_version    = aws_lexv2models_bot_version.this.bot_version
  description    = "Alias used by Amazon Connect, dialog code hook on every locale."

  bot_alias_locale_settings = [
    for locale in var.locales : {
      locale_id = locale
      bot_alias_locale_setting = {
        enabled = true
        code_hook_specification = {
          lambda_code_hook = {
            code_hook_interface_version = "1.0"
            lambda_arn                  = var.code_hook_lambda_arn
          }
        }
      }
    }
  ]

  conversation_log_settings = var.conversation_logs_enabled ? {
    text_log_settings = [{
      enabled = true
      destination = {
        cloudwatch = {
          cloudwatch_log_group_arn = aws_cloudwatch_log_group.conversation[0].arn
          log_prefix               = "${var.alias_name}/"
        }
      }
    }]
  } : null

  sentiment_analysis_settings = {
    detect_sentiment = false # Contact Lens analyses sentiment for the whole call
  }

  bot_alias_tags = [for key, value in var.tags : { key = key, value = value }]
}

resource "aws_lambda_permission" "lex" {
  statement_id   = "AllowLexV2Alias-${var.alias_name}"
  action         = "lambda:InvokeFunction"
  function_name  = local.code_hook_function
  qualifier      = local.code_hook_qualifier
  principal      = "lexv2.amazonaws.com"
  source_arn     = awscc_lex_bot_alias.this.arn
  source_account = local.account_id
}
