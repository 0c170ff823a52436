output "function_arns" {
  description = "Handler -> unqualified function ARN (what aws_connect_lambda_function_association and IAM take)."
  value       = { for k, f in aws_lambda_function.this : k => f.arn }
}

output "invoke_arns" {
  description = "Handler -> the ARN flows and the Lex bot should invoke: the \"live\" alias ARN when the handler has provisioned concurrency, otherwise the unqualified function ARN."
  value       = { for k, f in aws_lambda_function.this : k => contains(keys(local.provisioned), k) ? aws_lambda_alias.live[k].arn : f.arn }
}

output "function_names" {
  description = "Handler -> function name (the FunctionName dimension of the AWS/Lambda metrics)."
  value       = { for k, f in aws_lambda_function.this : k => f.function_name }
}

output "function_kinds" {
  description = "Handler -> what invokes it (functions.yaml `invoked_by`: connect, lex, kinesis or schedule); the same keys as function_names."
  value       = { for k, f in var.functions : k => f.invoked_by }
}

output "alias_arns" {
  description = "Handler -> \"live\" alias ARN, for the handlers with provisioned concurrency only."
  value       = { for k, a in aws_lambda_alias.live : k => a.arn }
}

output "role_arns" {
  description = "Handler -> execution role ARN."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "log_group_names" {
  description = "Handler -> CloudWatch Logs log group name."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "artifact_sha256" {
  description = "Base64 SHA-256 of the deployed zip (the same for every function)."
  value       = filebase64sha256(var.source_zip)
}

output "slack_token_secret_arn" {
  description = "ARN of the Slack bot token's secret (its value is put by hand); null without a `posts_to_slack` function."
  value       = local.slack ? aws_secretsmanager_secret.slack_token[0].arn : null
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the handlers' embedded metrics (POWERTOOLS_METRICS_NAMESPACE of every function)."
  value       = local.metrics_namespace
}
