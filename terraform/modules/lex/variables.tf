variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-dev\"; the bot is \"<name_prefix>-support-bot\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9]|-[a-z0-9])*$", var.name_prefix)) && length(var.name_prefix) <= 32
    error_message = "name_prefix must be lowercase letters and digits with single hyphens between them, at most 32 characters, starting with a letter (Lex bot names allow no double hyphen)."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}

variable "intents" {
  description = "The decoded intents.yaml: locales (Lex locale IDs such as ko_KR), slot_types (built-in via `builtin`, or custom with `values` and `synonyms` per value) and intents (description, slots of {type, prompt, required}, utterances per locale; {Slot} marks a slot, as Lex writes it)."
  type = object({
    locales = list(string)
    slot_types = optional(map(object({
      description = optional(string, "")
      builtin     = optional(string)
      values      = optional(list(string), [])
      synonyms    = optional(map(list(string)), {})
      resolution  = optional(string, "OriginalValue")
    })), {})
    intents = map(object({
      description = optional(string, "")
      slots = optional(map(object({
        type     = string
        prompt   = optional(string)
        required = optional(bool, true)
      })), {})
      utterances = map(list(string))
    }))
  })

  validation {
    condition     = alltrue([for st in values(var.intents.slot_types) : contains(["OriginalValue", "TopResolution", "Concatenation"], st.resolution)])
    error_message = "intents.slot_types: resolution must be OriginalValue, TopResolution or Concatenation."
  }

  validation {
    condition = alltrue([
      for st in values(var.intents.slot_types) : alltrue([for v in keys(st.synonyms) : contains(st.values, v)])
    ])
    error_message = "intents.slot_types: `synonyms` may only name values of the same slot type."
  }

  validation {
    condition = alltrue([
      for st in values(var.intents.slot_types) : st.builtin != null || length(st.values) > 0
    ])
    error_message = "intents.slot_types: a slot type needs either `builtin` (e.g. AMAZON.FreeFormInput) or a non-empty `values` list."
  }

  validation {
    condition     = length(var.intents.locales) > 0 && alltrue([for l in var.intents.locales : can(regex("^[a-z]{2}_[A-Z]{2}$", l))])
    error_message = "intents.locales must be a non-empty list of Lex locale IDs such as ko_KR and en_US."
  }

  validation {
    condition     = alltrue([for name in keys(var.intents.intents) : can(regex("^([0-9a-zA-Z][_-]?){1,100}$", name))])
    error_message = "intents.intents: intent names must be letters and digits with single _ or - between them (Lex V2 naming)."
  }
}

variable "code_hook_lambda_arn" {
  description = "ARN of the dialog code hook Lambda (handler lex_hook) that the bot alias invokes in every locale: unqualified, or qualified with the alias that carries provisioned concurrency."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$", var.code_hook_lambda_arn))
    error_message = "code_hook_lambda_arn must be a Lambda function ARN, optionally qualified with an alias or version."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key (security module, `logs`) for the conversation-log group; Lex V2 bot definitions themselves take no customer key."
  type        = string
}

variable "prompts" {
  description = "Prompt texts per Lex locale (locale ID => prompt key => text); slot elicitation prompts are looked up here by the slot's `prompt` key. A text starting with <speak> is sent as SSML."
  type        = map(map(string))
  default     = {}
}

variable "voices" {
  description = "Amazon Polly voice per locale for the bot's own speech (Connect speaks the flow prompts itself)."
  type = map(object({
    voice_id = string
    engine   = optional(string, "neural")
  }))
  default = {
    ko_KR = { voice_id = "Seoyeon" }
    en_US = { voice_id = "Joanna" }
  }
}

variable "idle_session_ttl_in_seconds" {
  description = "How long Lex keeps a conversation's session (60-86400 s)."
  type        = number
  default     = 300

  validation {
    condition     = var.idle_session_ttl_in_seconds >= 60 && var.idle_session_ttl_in_seconds <= 86400
    error_message = "idle_session_ttl_in_seconds must be between 60 and 86400."
  }
}

variable "nlu_confidence_threshold" {
  description = "NLU intent confidence below which Lex returns FallbackIntent (0-1)."
  type        = number
  default     = 0.4

  validation {
    condition     = var.nlu_confidence_threshold >= 0 && var.nlu_confidence_threshold <= 1
    error_message = "nlu_confidence_threshold must be between 0 and 1."
  }
}

variable "alias_name" {
  description = "Name of the bot alias that Connect uses."
  type        = string
  default     = "live"
}

variable "conversation_logs_enabled" {
  description = "Send text conversation logs to a KMS-encrypted CloudWatch log group. Off by default: transcripts of fallback turns hold callers' names unmasked (slot values are obfuscated)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the conversation-log group, in days (used when conversation_logs_enabled)."
  type        = number
  default     = 30
}
