variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-prod\". Table names are \"<name_prefix>-<table key with - for _>\"."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "tables" {
  description = <<-EOT
    The `tables` map of lambdas/aicc/config/tables.yaml (yamldecode), keyed by table key: `env`
    (the Lambdas' environment variable, not used here), `hash_key`, optional `range_key`,
    `attributes` (key attribute -> S|N|B), optional `global_secondary_indexes` (index name ->
    `hash_key`, optional `range_key`) and optional `ttl_attribute`.
  EOT
  type = map(object({
    env        = string
    hash_key   = string
    range_key  = optional(string)
    attributes = map(string)
    global_secondary_indexes = optional(map(object({
      hash_key  = string
      range_key = optional(string)
    })), {})
    ttl_attribute = optional(string)
  }))

  validation {
    condition = alltrue(flatten([
      for t in values(var.tables) : [
        for a in concat(
          [t.hash_key],
          t.range_key == null ? [] : [t.range_key],
          [for i in values(t.global_secondary_indexes) : i.hash_key],
          [for i in values(t.global_secondary_indexes) : i.range_key if i.range_key != null],
        ) : contains(keys(t.attributes), a)
      ]
    ]))
    error_message = "tables.yaml: every table and index key must be declared in the table's attributes."
  }

  validation {
    # DynamoDB rejects attribute definitions that no table or index key uses.
    condition = alltrue(flatten([
      for t in values(var.tables) : [
        for a in keys(t.attributes) : contains(concat(
          [t.hash_key],
          t.range_key == null ? [] : [t.range_key],
          [for i in values(t.global_secondary_indexes) : i.hash_key],
          [for i in values(t.global_secondary_indexes) : i.range_key if i.range_key != null],
        ), a)
      ]
    ]))
    error_message = "tables.yaml: declare only key attributes (table or index keys) under attributes."
  }

  validation {
    condition     = alltrue([for t in values(var.tables) : alltrue([for v in values(t.attributes) : contains(["S", "N", "B"], v)])])
    error_message = "tables.yaml: attribute types must be S, N or B."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key (security module, `data`) that encrypts every table."
  type        = string
}

variable "deletion_protection" {
  description = "Turn on DynamoDB deletion protection on every table (true in prod)."
  type        = bool
  default     = true
}
