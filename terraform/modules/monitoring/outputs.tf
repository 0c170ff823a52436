output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies (alarm and OK)."
  value       = aws_sns_topic.this["alarms"].arn
}

output "notify_topic_arn" {
  description = "ARN of the SNS topic the handlers publish pages and manager notices to (NOTIFY_TOPIC_ARN)."
  value       = aws_sns_topic.this["notify"].arn
}

output "sns_kms_key_arn" {
  description = "ARN of the KMS key that encrypts both topics."
  value       = aws_kms_key.sns.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_names" {
  description = "Names of every alarm of the module, sorted."
  value       = sort(keys(local.alarm_runbooks))
}

output "alarm_runbooks" {
  description = "Alarm name -> runbook file name in runbooks/ (e.g. lambda-errors.md); the same link ends each alarm's description."
  value       = local.alarm_runbooks
}

output "protected" {
  description = "Name => ARN of what a protected environment must not lose (the topics' KMS key): the root module guards it."
  value       = { "key.sns" = aws_kms_key.sns.arn }
}
