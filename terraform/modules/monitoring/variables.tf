variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-prod\"."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "instance_id" {
  description = "Amazon Connect instance ID (not the ARN): the InstanceId dimension of the AWS/Connect metrics."
  type        = string
}

variable "queues" {
  description = "The `queues` map of lambdas/aicc/config/queues.yaml (yamldecode), keyed by queue key. Only `name` (the QueueName dimension), `sla_seconds` and `sla_next_business_day` are read; other fields are ignored."
  type = map(object({
    name                  = string
    sla_seconds           = optional(number)
    sla_next_business_day = optional(bool, false)
  }))
}

variable "function_names" {
  description = "Handler key -> Lambda function name (lambdas module output `function_names`)."
  type        = map(string)
}

variable "table_names" {
  description = "Table key -> DynamoDB table name (data module output `table_names`)."
  type        = map(string)
}

variable "alarm_emails" {
  description = "Email addresses subscribed to the alarms topic (each subscription must be confirmed from its mailbox). The Slack path subscribes separately."
  type        = list(string)
  default     = []
}

variable "function_kinds" {
  description = "Handler key -> what invokes it (lambdas module `function_kinds`: connect, lex or kinesis), for every key of function_names. Callers wait on connect and lex functions (latency alarms); kinesis functions read a stream (iterator-age alarm)."
  type        = map(string)
}

variable "contact_records_delivery_stream" {
  description = "Name of the Firehose delivery stream of the contact records (connect module); null: no delivery alarm."
  type        = string
  default     = null
}

variable "flow_names" {
  description = "Contact flow key -> flow name (flows.yaml): the ContactFlowName dimension of ContactFlowErrors / ContactFlowFatalErrors. ASCII names only: Connect does not publish metrics of non-ASCII names."
  type        = map(string)

  validation {
    condition     = alltrue([for n in values(var.flow_names) : can(regex("^[ -~]+$", n))])
    error_message = "flow_names: Connect publishes no CloudWatch metrics for flows with non-ASCII names; name flows in ASCII."
  }
}

variable "contact_flow_errors_threshold" {
  description = "Error branches taken per flow in 5 minutes above which the flow alarms. Error branches include callers' invalid input, so the default allows some."
  type        = number
  default     = 20
}

variable "notify_emails" {
  description = "Email addresses subscribed to the notify topic, which carries the handlers' escalation pages and manager notices. Empty: subscriptions are managed elsewhere (e.g. a chat integration)."
  type        = list(string)
  default     = []
}

variable "runbooks_base_url" {
  description = "Base URL of the runbooks/ directory (e.g. the repository's web view of runbooks/ on the main branch). Every alarm description ends with \"Runbook: <runbooks_base_url>/<alarm-file>.md\"."
  type        = string

  validation {
    condition     = can(regex("^https?://", var.runbooks_base_url))
    error_message = "runbooks_base_url must be an http(s) URL."
  }
}

variable "concurrent_calls_quota" {
  description = "The instance's \"concurrent active calls per instance\" service quota (new instances start at 10). Drawn on the dashboard; the alarm itself reads ConcurrentCallsPercentage, which Connect computes against the configured quota."
  type        = number
  default     = 10
}

variable "concurrent_calls_alarm_percent" {
  description = "Alarm when ConcurrentCallsPercentage exceeds this share of the quota, in percent (80 = 80 %). Connect reports the metric as a fraction (0.8), so the threshold is this value / 100."
  type        = number
  default     = 80

  validation {
    condition     = var.concurrent_calls_alarm_percent > 0 && var.concurrent_calls_alarm_percent <= 100
    error_message = "concurrent_calls_alarm_percent must be in (0, 100]."
  }
}

variable "lambda_duration_p95_threshold_ms" {
  description = "Alarm when a function's p95 duration exceeds this many milliseconds. Flows give a Lambda 3 s before taking the error branch, so 2000 leaves a margin."
  type        = number
  default     = 2000
}

variable "queue_sla_risk_ratio" {
  description = "A queue is at risk once its oldest caller has waited this fraction of its sla_seconds (queues.yaml): monitoring.yaml's sla_monitor.risk_share, the one place it is set (the root module reads it with yamldecode). The queue-sla-risk alarms and the dashboard's SLA lines use it; next-business-day queues have no alarm."
  type        = number

  validation {
    condition     = var.queue_sla_risk_ratio > 0 && var.queue_sla_risk_ratio < 1
    error_message = "queue_sla_risk_ratio (monitoring.yaml sla_monitor.risk_share) must be in (0, 1)."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the handlers' embedded metrics (lambdas module output metrics_namespace)."
  type        = string
}

variable "sla_monitor_service" {
  description = "The `service` dimension of the SLA monitor's metrics (its functions.yaml key, which is POWERTOOLS_SERVICE_NAME): per queue SlaWaitShare, per agent AgentContacts and AgentOccupancy."
  type        = string
}

variable "dynamodb_operations" {
  description = "DynamoDB operations summed by the per-table throttle alarm (ThrottledRequests is reported per TableName and Operation). At most 10: an alarm reads at most 10 metrics."
  type        = list(string)
  default     = ["GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "Scan"]

  validation {
    condition     = length(var.dynamodb_operations) > 0 && length(var.dynamodb_operations) <= 10
    error_message = "dynamodb_operations must list 1 to 10 operations."
  }
}
