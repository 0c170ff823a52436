output "table_names" {
  description = "Table key (tables.yaml) -> DynamoDB table name."
  value       = { for k, t in aws_dynamodb_table.this : k => t.name }
}

output "table_arns" {
  description = "Table key (tables.yaml) -> DynamoDB table ARN (index ARNs are \"<table ARN>/index/<name>\")."
  value       = { for k, t in aws_dynamodb_table.this : k => t.arn }
}

output "table_env" {
  description = "Table key -> the environment variable through which the Lambdas read the table name (tables.yaml `env`)."
  value       = { for k, t in var.tables : k => t.env }
}

output "protected" {
  description = "Name => ARN of what a protected environment must not lose (every table): the root module guards each."
  value       = { for k, t in aws_dynamodb_table.this : "table.${k}" => t.arn }
}
