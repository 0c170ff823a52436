variable "name_prefix" {
  description = "Prefix of every resource name this module creates outside Connect (Kinesis streams), e.g. \"aicc-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}

variable "instance_alias" {
  description = "Amazon Connect instance alias (the <alias>.my.connect.aws access URL); unique across AWS."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,43}[A-Za-z0-9]$", var.instance_alias)) && !startswith(var.instance_alias, "d-")
    error_message = "instance_alias must be 2-45 letters, digits or hyphens, must not start or end with a hyphen, and must not start with \"d-\"."
  }
}

variable "queues" {
  description = "Queues keyed by stable key (queues.yaml `queues`): name, description, the hours key, optional max_contacts, outbound_caller_name (the caller name of callbacks and outbound calls). Other keys of the data file (priority, SLA, customer_queue_flow) are accepted and not used here."
  type = map(object({
    name                  = string
    description           = optional(string, "")
    hours                 = string
    max_contacts          = optional(number)
    priority              = optional(number)
    sla_seconds           = optional(number)
    sla_next_business_day = optional(bool, false)
    customer_queue_flow   = optional(string)
    outbound_caller_name  = string
  }))

  validation {
    condition     = alltrue([for q in values(var.queues) : q.max_contacts == null ? true : q.max_contacts >= 0])
    error_message = "queues.*.max_contacts must be 0 or more when set."
  }
}

variable "hours" {
  description = "Hours of operation keyed by stable key (hours.yaml `hours`): name, description, IANA time_zone, schedule of Connect day names to {start, end} as HH:MM; an end of \"00:00\" is midnight at the end of the day."
  type = map(object({
    name        = string
    description = optional(string, "")
    time_zone   = string
    holidays    = optional(bool, false)
    schedule = map(object({
      start = string
      end   = string
    }))
  }))

  validation {
    condition = alltrue(flatten([
      for h in values(var.hours) : [
        for day, t in h.schedule :
        contains(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"], day) &&
        can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", t.start)) &&
        can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", t.end))
      ]
    ]))
    error_message = "hours.*.schedule keys must be Connect day names (MONDAY..SUNDAY) and start/end must be HH:MM (00:00-23:59)."
  }
}

variable "routing_profiles" {
  description = "Routing profiles keyed by stable key (routing_profiles.yaml): name, description, default_outbound_queue (queue key), media (channel => contacts per agent at once) and the queues served, on every channel of media, with priority (1 = first) and delay in seconds."
  type = map(object({
    name                   = string
    description            = string
    team                   = optional(string)
    default_outbound_queue = string
    media                  = map(number)
    queues = list(object({
      queue    = string
      priority = number
      delay    = number
    }))
  }))

  validation {
    condition = alltrue(flatten([
      for p in values(var.routing_profiles) : [
        for q in p.queues : q.priority >= 1 && q.priority <= 99 && q.delay >= 0 && q.delay <= 9999
      ]
    ]))
    error_message = "routing_profiles.*.queues: priority must be 1-99 and delay 0-9999 seconds."
  }

  # MediaConcurrency: VOICE 1, CHAT 1-10 (https://docs.aws.amazon.com/connect/latest/APIReference/API_MediaConcurrency.html).
  validation {
    condition = alltrue(flatten([
      for p in values(var.routing_profiles) : [
        for channel, n in p.media : (channel == "VOICE" && n == 1) || (channel == "CHAT" && n >= 1 && n <= 10)
      ]
    ]))
    error_message = "routing_profiles.*.media: VOICE takes 1, CHAT 1-10 contacts per agent."
  }
}

variable "security_profiles" {
  description = "Security profiles keyed by role (security_profiles.yaml, includes expanded): name, description and Connect permission names as the admin guide lists them (security-profile-list.html)."
  type = map(object({
    name        = string
    description = string
    permissions = list(string)
  }))

  validation {
    condition     = alltrue([for sp in values(var.security_profiles) : length(sp.permissions) > 0 && length(sp.permissions) <= 500])
    error_message = "security_profiles: each profile needs 1-500 permissions."
  }
}

variable "flows" {
  description = "Contact flow catalog keyed by flow key (flows.yaml `flows`): name, type, description, and for a flow with the knowledge answer blocks the kb.<key> values <flows_dir>/knowledge.blocks.tftpl is rendered with (bound as knowledge). Each key has a template <flows_dir>/<key>.json.tftpl."
  type = map(object({
    name        = string
    type        = string
    description = optional(string, "")
    knowledge = optional(object({
      prefix  = string
      done    = string
      person  = string
      outage  = string
      account = string
    }))
  }))

  validation {
    condition = alltrue([
      for f in values(var.flows) : contains([
        "CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD",
        "AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER",
      ], f.type)
    ])
    error_message = "flows.*.type must be a Connect flow type (CONTACT_FLOW, CUSTOMER_QUEUE, CUSTOMER_HOLD, CUSTOMER_WHISPER, AGENT_HOLD, AGENT_WHISPER, OUTBOUND_WHISPER, AGENT_TRANSFER, QUEUE_TRANSFER)."
  }

  validation {
    condition     = length([for f in values(var.flows) : f if f.type == "OUTBOUND_WHISPER"]) == 1
    error_message = "flows.yaml must have exactly one OUTBOUND_WHISPER flow (every queue runs it for the customer of a callback or outbound call); found [${join(", ", [for k, f in var.flows : k if f.type == "OUTBOUND_WHISPER"])}]."
  }
}

variable "flows_dir" {
  description = "Directory holding the flow templates (<key>.json.tftpl), normally \"<root>/flows\"."
  type        = string
}

variable "template_vars" {
  description = "Template variables that are not Connect resources: prompts (prompt key to ko-KR text), escalation.wait_seconds and sentiment (a negative caller's routing criteria: the contact attribute value `proficiency`, the predefined `attribute` and `value`, the `level` 1.0-5.0 and the step's `expiry_seconds`), all strings as the local engine binds them."
  type = object({
    prompts = map(string)
    escalation = object({
      wait_seconds = string
    })
    sentiment = object({
      proficiency    = string
      attribute      = string
      value          = string
      level          = string
      expiry_seconds = string
    })
  })

  validation {
    condition     = can(regex("^[0-9]+$", var.template_vars.escalation.wait_seconds))
    error_message = "template_vars.escalation.wait_seconds must be a whole number of seconds, as a string."
  }
}

variable "lambda_arns" {
  description = "The ARNs the flows invoke, keyed by handler name (the lambdas module's invoke_arns: the function, or its \"live\" alias where concurrency is provisioned); each is associated with the instance and bound as lambdas.<handler> in the templates."
  type        = map(string)
}

variable "lex_bot_alias_arn" {
  description = "ARN of the Lex V2 bot alias the flows use (lex_bot_alias_arn in the templates); associated with the instance as a LEX_BOT integration."
  type        = string
}

variable "recordings_bucket" {
  description = "Name of the S3 bucket (security module) for call recordings and chat transcripts."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key (security module, `connect`) that encrypts recordings, transcripts and the CTR and agent-event streams."
  type        = string
}

variable "phone_number" {
  description = "The support line's number (root variable phone_number): existing_id of a number claimed to the instance (Korean numbers: through AWS Support), or claim { country_code, type, prefix } to claim one by search; neither: no number."
  type = object({
    existing_id = optional(string)
    claim = optional(object({
      country_code = string
      type         = optional(string, "DID")
      prefix       = optional(string)
    }))
  })
  default = {}
}

variable "contact_records" {
  description = "The S3 bucket Firehose fills with the contact records (security module output `contact_records`): its arn, and kms_key_arn, the bucket's key, which Firehose encrypts the objects with."
  type = object({
    arn         = string
    kms_key_arn = string
  })
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key (security module, `logs`) of the Firehose delivery-error log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the Firehose delivery-error log group, in days."
  type        = number
  default     = 30
}

variable "entry_flow" {
  description = "Key of the flow (in var.flows) that answers the claimed phone number."
  type        = string
  default     = "customer_authentication"
}

variable "stream_retention_hours" {
  description = "Retention of the CTR and agent-event Kinesis streams, in hours (24-8760)."
  type        = number
  default     = 24

  validation {
    condition     = var.stream_retention_hours >= 24 && var.stream_retention_hours <= 8760
    error_message = "stream_retention_hours must be between 24 and 8760."
  }
}
