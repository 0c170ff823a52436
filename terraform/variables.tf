variable "env" {
  description = "Environment name; part of every tag set and of the state key."
  type        = string

  validation {
    condition     = contains(["local", "dev", "stg", "prod"], var.env)
    error_message = "env must be one of local, dev, stg, prod."
  }
}

variable "region" {
  description = "AWS Region of every resource (Amazon Connect, Lex V2 ko_KR and the rest live in Seoul)."
  type        = string
  default     = "ap-northeast-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS Region code such as ap-northeast-2."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-dev\": lowercase letters and digits, single hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9]|-[a-z0-9])*$", var.name_prefix)) && length(var.name_prefix) >= 3 && length(var.name_prefix) <= 24
    error_message = "name_prefix must be 3-24 lowercase letters and digits with single hyphens between them, starting with a letter."
  }
}

variable "instance_alias" {
  description = "Amazon Connect instance alias: the access URL is https://<alias>.my.connect.aws; unique across AWS."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,43}[A-Za-z0-9]$", var.instance_alias)) && !startswith(var.instance_alias, "d-")
    error_message = "instance_alias must be 2-45 letters, digits or hyphens, must not start or end with a hyphen, and must not start with \"d-\"."
  }
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (the on-call distribution lists); each confirms the subscription e-mail once."
  type        = list(string)

  validation {
    condition     = length(var.alarm_emails) > 0 && alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must list at least one e-mail address: an alarm that reaches nobody is no alarm."
  }
}

variable "phone_number" {
  description = <<-EOT
    The support line's number, answered by the entry flow and used as the queues' outbound caller ID.
    existing_id: the phone number ID of a number already claimed to the instance. Korean numbers are
    issued through AWS Support and claimed to the instance by AWS (docs/deploy.md, "Phone number").
    claim: claim a new number by search, where the country allows it (not KR), e.g.
    { country_code = "US", type = "DID" }. Neither: no number yet (console test calls only; callbacks
    cannot dial out without an outbound caller ID).
  EOT
  type = object({
    existing_id = optional(string)
    claim = optional(object({
      country_code = string
      type         = optional(string, "DID")
      prefix       = optional(string)
    }))
  })
  default = {}

  validation {
    condition     = var.phone_number.existing_id == null || var.phone_number.claim == null
    error_message = "phone_number: give existing_id or claim, not both."
  }

  validation {
    condition     = var.phone_number.existing_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.phone_number.existing_id))
    error_message = "phone_number.existing_id must be the number's phone number ID (a UUID, from `aws connect list-phone-numbers-v2`), not the number itself."
  }

  validation {
    condition     = try(var.phone_number.claim.country_code, "") != "KR"
    error_message = "phone_number.claim: Korean numbers cannot be claimed by search; AWS Support issues them. Open the case (docs/deploy.md, \"Phone number\"), then set phone_number.existing_id."
  }

  validation {
    condition     = try(contains(["DID", "TOLL_FREE"], var.phone_number.claim.type), true)
    error_message = "phone_number.claim.type must be DID or TOLL_FREE."
  }
}

variable "log_retention_days" {
  description = "Retention of the Lambda (and other) CloudWatch log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions per handler (handler name => count); handlers not listed use the unreserved pool."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.reserved_concurrency) : n >= 0 && floor(n) == n])
    error_message = "reserved_concurrency values must be whole numbers, 0 or more."
  }
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency per handler (handler name => count) for the handlers callers wait on; handlers not listed get none."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.provisioned_concurrency) : n >= 1 && floor(n) == n])
    error_message = "provisioned_concurrency values must be whole numbers, 1 or more (leave a handler out for none)."
  }
}

variable "deletion_protection" {
  description = "Protect stateful resources (DynamoDB tables, buckets, keys) from deletion."
  type        = bool
  default     = true
}

variable "runbooks_base_url" {
  description = "Base URL of the runbooks folder; each alarm's description links <base>/<alarm-name>.md."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s]+[^/]$", var.runbooks_base_url))
    error_message = "runbooks_base_url must be an https:// URL without a trailing slash."
  }
}

variable "concurrent_calls_quota" {
  description = "The instance's concurrent active calls quota (Service Quotas; 10 for a new instance); alarms fire on a share of it."
  type        = number
  default     = 10

  validation {
    condition     = var.concurrent_calls_quota >= 1 && floor(var.concurrent_calls_quota) == var.concurrent_calls_quota
    error_message = "concurrent_calls_quota must be a whole number, 1 or more."
  }
}

variable "tags" {
  description = "Extra tags for every resource, on top of Project, Environment and ManagedBy."
  type        = map(string)
  default     = {}
}

variable "account_id" {
  description = "The AWS account this environment lives in. The aws provider refuses other accounts' credentials, and `aicc-ops deploy` checks it before running Terraform."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID."
  }
}

variable "knowledge" {
  description = "Knowledge answers in AWS (modules/knowledge, docs/knowledge.md \"In AWS\"): OpenSearch Serverless standby replicas (production), the embedding and answer models, the guardrail's cross-Region profile and its grounding threshold."
  type = object({
    standby_replicas     = optional(bool, true)
    embedding_model_id   = optional(string, "amazon.titan-embed-text-v2:0")
    answer_model_id      = optional(string, "apac.anthropic.claude-3-haiku-20240307-v1:0")
    guardrail_profile_id = optional(string, "apac.guardrail.v1:0")
    grounding_threshold  = optional(number, 0.75)
  })
  default = {}
}
