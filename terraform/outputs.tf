# Read by the operators' CLI with `terraform output -json`: keep names and shapes stable.

output "env" {
  description = "Environment name."
  value       = var.env
}

output "region" {
  description = "AWS Region of the deployment."
  value       = var.region
}

output "instance_id" {
  description = "Amazon Connect instance ID."
  value       = module.connect.instance_id
}

output "instance_arn" {
  description = "Amazon Connect instance ARN."
  value       = module.connect.instance_arn
}

output "queue_ids" {
  description = "Connect queue IDs keyed by queue key (queues.yaml)."
  value       = module.connect.queue_ids
}

output "queue_arns" {
  description = "Connect queue ARNs keyed by queue key (queues.yaml)."
  value       = module.connect.queue_arns
}

output "queue_names" {
  description = "Connect queue names keyed by queue key (queues.yaml)."
  value       = local.queue_names
}

output "flow_ids" {
  description = "Contact flow IDs keyed by flow key (flows.yaml)."
  value       = module.connect.flow_ids
}

output "hours_ids" {
  description = "Hours of operation IDs keyed by hours key (hours.yaml)."
  value       = module.connect.hours_ids
}

output "routing_profile_ids" {
  description = "Routing profile IDs keyed by routing profile key (routing_profiles.yaml)."
  value       = module.connect.routing_profile_ids
}

output "security_profile_ids" {
  description = "Security profile IDs keyed by role (agent, supervisor, admin)."
  value       = module.connect.security_profile_ids
}

output "phone_number" {
  description = "The claimed support-line number (E.164), or null (none, or an existing number known by its ID)."
  value       = module.connect.phone_number
}

output "phone_number_id" {
  description = "ID of the support line's number, or null when the instance has none yet."
  value       = module.connect.phone_number_id
}

output "contact_records_bucket" {
  description = "S3 bucket of the contact records (contact-records/year=/month=/day=/, GZIP JSON lines)."
  value       = module.security.contact_records.name
}

output "function_names" {
  description = "Lambda function names keyed by handler."
  value       = module.lambdas.function_names
}

output "function_arns" {
  description = "Lambda function ARNs keyed by handler."
  value       = module.lambdas.function_arns
}

output "table_names" {
  description = "DynamoDB table names keyed by table key (tables.yaml)."
  value       = module.data.table_names
}

output "bot_id" {
  description = "Lex V2 bot ID."
  value       = module.lex.bot_id
}

output "bot_alias_arn" {
  description = "ARN of the Lex V2 bot alias the flows use."
  value       = module.lex.bot_alias_arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key for data at rest (security module `data` key: DynamoDB, Lambda environment); aicc-ops agents onboard encrypts the initial-password secrets with it."
  value       = module.security.kms_key_arns["data"]
}

output "recordings_bucket" {
  description = "S3 bucket of call recordings and chat transcripts."
  value       = module.security.recordings_bucket
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the contact center."
  value       = module.monitoring.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to."
  value       = module.monitoring.alarm_topic_arn
}

output "knowledge" {
  description = "Where `aicc-ops kb sync` puts the published documents (bucket, key prefix) and the knowledge base and data source it then re-ingests."
  value = {
    knowledge_base_id = module.knowledge.knowledge_base_id
    data_source_id    = module.knowledge.data_source_id
    bucket            = module.knowledge.documents.bucket
    prefix            = module.knowledge.documents.prefix
  }
}

output "reports_bucket" {
  description = "The reports bucket: the report function writes reports/<kind>/<first day>.md and .html (docs/reports.md)."
  value       = module.security.reports.name
}

output "slack_token_secret_arn" {
  description = "The Slack bot token's secret (`aicc-ops report ... --slack --env ENV` reads it); null without a Slack-posting function."
  value       = module.lambdas.slack_token_secret_arn
}
