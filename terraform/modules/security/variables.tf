variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-prod\". At most 20 characters so that bucket names (prefix, purpose, account ID and region) stay within S3's 63."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,19}$", var.name_prefix))
    error_message = "name_prefix must be 1-20 characters of a-z, 0-9 and -, starting with a letter or digit (it is part of S3 bucket names)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Protect stored data from `terraform destroy`: when true, buckets are not force-destroyed (a non-empty bucket blocks the destroy) and KMS keys get the longest deletion window (30 days instead of 7)."
  type        = bool
  default     = true
}

variable "data_event_table_arns" {
  description = <<-EOT
    DynamoDB table ARNs whose data events (GetItem, Query, PutItem, UpdateItem...) the trail records.
    null (default): every table whose name starts with "<name_prefix>-" in this account and Region,
    i.e. exactly the tables of the data module (named "<name_prefix>-<table key>"), without making
    this module depend on the data module. Pass module.data's table_arns values to name them instead
    (no cycle: the data module needs only the `data` key ARN from here).
  EOT
  type        = list(string)
  default     = null

  validation {
    condition     = var.data_event_table_arns == null ? true : length(var.data_event_table_arns) > 0
    error_message = "data_event_table_arns must be null (all tables of this deployment) or a non-empty list of table ARNs."
  }
}

variable "recordings_transition_days" {
  description = "Days after which call recordings and transcripts move to `recordings_transition_storage_class`."
  type        = number
  default     = 30
}

variable "recordings_transition_storage_class" {
  description = "Storage class recordings move to after `recordings_transition_days` (GLACIER_IR keeps millisecond retrieval for complaint reviews)."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.recordings_transition_storage_class)
    error_message = "recordings_transition_storage_class must be an S3 lifecycle storage class (STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE)."
  }
}

variable "recordings_expiration_days" {
  description = "Days after which recordings and transcripts are deleted (retention policy; confirm with compliance). null: 5 years, the record-keeping period of Korean electronic financial transactions (as for contact records)."
  type        = number
  default     = null

  validation {
    condition     = var.recordings_expiration_days == null ? true : var.recordings_expiration_days > 0
    error_message = "recordings_expiration_days must be positive."
  }
}

variable "trail_transition_days" {
  description = "Days after which CloudTrail log files move to GLACIER_IR."
  type        = number
  default     = 90
}

variable "trail_expiration_days" {
  description = "Days after which CloudTrail log files are deleted."
  type        = number
  default     = 1825

  validation {
    condition     = var.trail_expiration_days > 0
    error_message = "trail_expiration_days must be positive."
  }
}

variable "access_logs_expiration_days" {
  description = "Days after which S3 server access logs (of the recordings and trail buckets) are deleted."
  type        = number
  default     = 365
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept in every bucket (versioning is on) before it is removed."
  type        = number
  default     = 30
}

variable "trail_log_retention_days" {
  description = "Retention of the trail's CloudWatch Logs copy, in days (the S3 copy follows trail_expiration_days)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.trail_log_retention_days)
    error_message = "trail_log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "contact_records_transition_days" {
  description = "Days after which contact records move to Glacier Instant Retrieval (Athena still reads them)."
  type        = number
  default     = 90
}

variable "contact_records_expiration_days" {
  description = "Days contact records are kept. null: 5 years, the record-keeping period of Korean electronic financial transactions (as for recordings)."
  type        = number
  default     = null

  validation {
    condition     = var.contact_records_expiration_days == null ? true : var.contact_records_expiration_days > 0
    error_message = "contact_records_expiration_days must be positive."
  }
}

variable "access_logged_bucket_arns" {
  description = "ARNs of buckets of other modules (the knowledge documents) that deliver server access logs to this module's access-log bucket."
  type        = list(string)
  default     = []
}
