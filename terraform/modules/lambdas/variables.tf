variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-prod\". Functions are named \"<name_prefix>-<handler with - for _>\"."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "functions" {
  description = <<-EOT
    The `functions` map of lambdas/aicc/config/functions.yaml (yamldecode), keyed by handler name:
    `handler`, `timeout` (s), `memory` (MB), `tables` (table key -> DynamoDB actions), optional
    `indexes` (table key -> GSI names it Queries), `publishes` (sns:Publish on the notify topic),
    `pages` (SMS and connect:StartOutboundVoiceContact on the instance, for on-call pages),
    `detects_sentiment` (comprehend:DetectSentiment, for the Lex code hook's per-turn sentiment),
    `knowledge` (bedrock:Retrieve on the knowledge base, bedrock:InvokeModel on the answer model,
    bedrock:ApplyGuardrail on the guardrail, and their four environment variables),
    `reads_queue_metrics` (connect:ListQueues and connect:GetCurrentMetricData on the instance, with
    CONNECT_INSTANCE_ID), `reads_agent_data` (connect:GetCurrentUserData on the instance's queues,
    with CONNECT_INSTANCE_ID), `posts_to_slack` (secretsmanager:GetSecretValue
    on the Slack token's secret, with SLACK_TOKEN_SECRET_ID), `reports` (reads the contact-records
    bucket, writes the reports bucket's reports/ prefix: var.reports), `invoked_by` (connect | lex |
    kinesis | schedule), for kinesis
    `stream` (a key of var.streams) and for schedule `schedule` (an EventBridge schedule expression),
    optional `retries` (Lambda's retries of a failed run, 0-2) and `event_age` (s, 60-21600).
  EOT
  type = map(object({
    handler             = string
    timeout             = number
    memory              = number
    tables              = optional(map(list(string)), {})
    indexes             = optional(map(list(string)), {})
    publishes           = optional(bool, false)
    pages               = optional(bool, false)
    detects_sentiment   = optional(bool, false)
    knowledge           = optional(bool, false)
    reads_queue_metrics = optional(bool, false)
    reads_agent_data    = optional(bool, false)
    posts_to_slack      = optional(bool, false)
    reports             = optional(bool, false)
    invoked_by          = string
    stream              = optional(string)
    schedule            = optional(string)
    retries             = optional(number, 0)
    event_age           = optional(number, 60)
  }))

  # PutFunctionEventInvokeConfig's ranges (MaximumRetryAttempts, MaximumEventAgeInSeconds).
  validation {
    condition     = alltrue([for f in values(var.functions) : f.retries >= 0 && f.retries <= 2 && f.event_age >= 60 && f.event_age <= 21600])
    error_message = "functions.yaml: retries is 0 to 2 and event_age 60 to 21600 (seconds)."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["connect", "lex", "kinesis", "schedule"], f.invoked_by)])
    error_message = "functions.yaml: invoked_by must be connect, lex, kinesis or schedule."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : (f.invoked_by == "schedule") == (f.schedule != null) && (f.schedule == null || can(regex("^(rate|cron)\\(.+\\)$", f.schedule)))])
    error_message = "functions.yaml: a schedule function names its `schedule` (an EventBridge rate(...) or cron(...) expression), and only a schedule function does."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : (f.invoked_by == "kinesis") == (f.stream != null)])
    error_message = "functions.yaml: a kinesis function names its `stream`, and only a kinesis function does."
  }

  validation {
    # A flow waits at most 8 s for a Lambda (InvocationTimeLimitSeconds); our flows use 3.
    condition     = alltrue([for f in values(var.functions) : f.timeout >= 1 && (f.invoked_by != "connect" || f.timeout <= 8)])
    error_message = "functions.yaml: timeout must be at least 1 s, and at most 8 s for a function a flow invokes."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : f.memory >= 128 && f.memory <= 10240])
    error_message = "functions.yaml: memory must be between 128 and 10240 MB."
  }

  validation {
    condition = alltrue(flatten([
      for f in values(var.functions) : [for actions in values(f.tables) : [for a in actions : can(regex("^dynamodb:[A-Za-z]+$", a))]]
    ]))
    error_message = "functions.yaml: table actions must be DynamoDB actions written dynamodb:<Action>."
  }

  validation {
    condition = alltrue(flatten([
      for f in values(var.functions) : [for t in keys(f.indexes) : contains(lookup(f.tables, t, []), "dynamodb:Query")]
    ]))
    error_message = "functions.yaml: `indexes` may name only tables the function Queries (dynamodb:Query in `tables`)."
  }
}

variable "source_dir" {
  description = "Path of the lambdas/ directory (the `aicc` package with its config/*.yaml); its aicc/config/tables.yaml gives each table's environment variable (`env`)."
  type        = string
}

variable "source_zip" {
  description = "Path of the one artifact of every function: lambdas/ zipped by `aicc-ops deploy` (build/lambda-source.zip, reproducible, __pycache__ left out)."
  type        = string
}

variable "table_names" {
  description = "Table key -> DynamoDB table name (data module output `table_names`)."
  type        = map(string)
}

variable "table_arns" {
  description = "Table key -> DynamoDB table ARN (data module output `table_arns`)."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "ARN of the `data` KMS key: encrypts the functions' environment variables; the roles may Decrypt/GenerateDataKey with it (the tables are encrypted with it too)."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "ARN of the `logs` KMS key (security module) for the functions' log groups. The key policy must let CloudWatch Logs use it, which the `data` key's does not. null: log groups use CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of each function's log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "reserved_concurrency" {
  description = "Handler -> reserved concurrent executions (a cap and a guarantee). Handlers not listed get -1 (unreserved). The account must keep 100 executions unreserved."
  type        = map(number)
  default     = {}
}

variable "provisioned_concurrency" {
  description = "Handler -> provisioned concurrent executions (no cold start for callers). A listed handler is published and gets an alias \"live\" carrying the provisioned concurrency; its invoke_arns entry is the alias ARN."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for v in values(var.provisioned_concurrency) : v >= 1])
    error_message = "provisioned_concurrency values must be at least 1 (leave a handler out instead of 0)."
  }
}

variable "notify_topic_arn" {
  description = "ARN of the SNS topic for pages and manager notices (monitoring module `notify_topic_arn`). Given to and publishable by the functions with `publishes: true` only. null: notices are only logged."
  type        = string
  default     = null
}

variable "environment" {
  description = "Extra environment variables for every function (e.g. POWERTOOLS_LOG_LEVEL). The module's own variables (table names, NOTIFY_TOPIC_ARN, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE) take precedence."
  type        = map(string)
  default     = {}
}

variable "dependencies_layer_zip" {
  description = "Path of the dependencies layer zip built by `aicc-ops deploy layer` (build/lambda-layer.zip); the module publishes it as a layer version. null: use dependencies_layer_arn."
  type        = string
  default     = null
}

variable "dependencies_layer_arn" {
  description = "ARN (with version) of an existing layer holding the third-party dependencies (aws-lambda-powertools, holidays, rapidfuzz, PyYAML as pinned in pyproject.toml) for python3.12 on arm64, used when dependencies_layer_zip is null. Both null: the functions fail at import."
  type        = string
  default     = null
}

variable "powertools_layer_arn" {
  description = "ARN of the AWS-managed Powertools for AWS Lambda (Python) layer, arn:aws:lambda:<region>:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:<version>, with the version that ships the Powertools release pinned in pyproject.toml. Attached before the dependencies layer. null: Powertools comes from the dependencies layer."
  type        = string
  default     = null
}

variable "connect_instance_arn" {
  description = "ARN of the Amazon Connect instance: the source ARN of the permission that lets Connect invoke a \"live\" alias (provisioned concurrency; null: limited to this account instead; unqualified functions are authorized by the connect module's Lambda association), and the instance a `pages` function places page calls on (null: no page calls)."
  type        = string
  default     = null
}

variable "streams" {
  description = "Kinesis streams the `kinesis` functions read, keyed as functions.yaml `stream` names them: { arn, kms_key_arn }."
  type = map(object({
    arn         = string
    kms_key_arn = string
  }))
  default = {}

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(keys(var.streams), f.stream) if f.stream != null])
    error_message = "functions.yaml: ${join(", ", [for k, f in var.functions : "${k} reads stream \"${f.stream}\"" if f.stream != null])}; the root module passes [${join(", ", keys(var.streams))}] in `streams`."
  }
}

variable "knowledge" {
  description = "The knowledge module's `function_access`, for the functions with `knowledge: true`. null: no knowledge base in this environment (a `knowledge` function is then refused at plan)."
  type = object({
    knowledge_base_id     = string
    knowledge_base_arn    = string
    answer_model_id       = string
    answer_model_arns     = list(string)
    guardrail_id          = string
    guardrail_arn         = string
    guardrail_version     = string
    guardrail_profile_arn = string
  })
  default = null
}

variable "reports" {
  description = "Buckets of the report function (functions.yaml `reports`): the contact-records bucket it reads and the reports bucket it writes reports/ into, each with the KMS key its objects are encrypted with. Null when no function has `reports`."
  type = object({
    records_bucket      = string
    records_bucket_arn  = string
    records_kms_key_arn = string
    reports_bucket      = string
    reports_bucket_arn  = string
    reports_kms_key_arn = string
  })
  default = null
}
