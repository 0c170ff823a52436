output "knowledge_base_id" {
  description = "ID of the knowledge base (Retrieve's knowledgeBaseId; StartIngestionJob's knowledgeBaseId)."
  value       = aws_bedrockagent_knowledge_base.this.id
}

output "knowledge_base_arn" {
  description = "ARN of the knowledge base (bedrock:Retrieve is granted on it)."
  value       = aws_bedrockagent_knowledge_base.this.arn
}

output "data_source_id" {
  description = "ID of the S3 data source (StartIngestionJob's dataSourceId)."
  value       = aws_bedrockagent_data_source.documents.data_source_id
}

output "documents" {
  description = "Where `aicc-ops` uploads the published documents: bucket name and key prefix."
  value = {
    bucket = aws_s3_bucket.documents.id
    prefix = var.documents_prefix
  }
}

output "function_access" {
  description = "What a `knowledge: true` function is given (lambdas module `knowledge`): its four environment variables and the ARNs its Retrieve, Converse and guardrail calls need."
  value = {
    knowledge_base_id  = aws_bedrockagent_knowledge_base.this.id
    knowledge_base_arn = aws_bedrockagent_knowledge_base.this.arn
    answer_model_id    = var.answer_model_id
    answer_model_arns  = local.answer_model_arns
    guardrail_id       = aws_cloudformation_stack.this.outputs["GuardrailId"]
    guardrail_arn      = aws_cloudformation_stack.this.outputs["GuardrailArn"]
    guardrail_version  = aws_cloudformation_stack.this.outputs["GuardrailVersion"]
    # Cross-Region guardrail inference: the profile in this and the destination Regions
    # (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrail-profiles-permissions.html).
    guardrail_profile_arn = "arn:${local.partition}:bedrock:*:${local.account_id}:guardrail-profile/${var.guardrail_profile_id}"
  }
}

output "protected" {
  description = "Name => ARN of what a protected environment must not lose: the documents bucket (the collection is rebuilt by ingestion)."
  value       = { "bucket.knowledge" = aws_s3_bucket.documents.arn }
}
