variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"aicc-prod\" (the collection is \"<name_prefix>-kb\": at most 29 characters of prefix)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}$", var.name_prefix))
    error_message = "name_prefix must be 3-29 lowercase letters, digits or hyphens: OpenSearch Serverless collection names are 3-32 characters."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "bucket_name" {
  description = "Name of the documents bucket (the root module derives it, so that the security module can let it log to the access-log bucket)."
  type        = string
}

variable "documents_prefix" {
  description = "Key prefix of the published documents and their .metadata.json files in the bucket; the data source ingests only these."
  type        = string
  default     = "published/"
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for the documents bucket, the collection, the data source's transient data and the guardrail (the security module's `data` key)."
  type        = string
}

variable "access_logs_bucket" {
  description = "Name of the bucket that receives the documents bucket's server access logs (security module `access_logs_bucket`)."
  type        = string
}

variable "deletion_protection" {
  description = "true in production: the bucket is not force-destroyed with its objects."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days a superseded document version stays in the bucket (rollback to an earlier published version re-uploads from the store; this is the safety net)."
  type        = number
  default     = 365
}

variable "standby_replicas" {
  description = "OpenSearch Serverless standby replicas in another Availability Zone (production: true)."
  type        = bool
  default     = true
}

variable "embedding_model_id" {
  description = "Bedrock embedding model of the knowledge base: multilingual, for Korean documents and questions (docs/knowledge.md, In AWS)."
  type        = string
  default     = "amazon.titan-embed-text-v2:0"
}

variable "embedding_dimensions" {
  description = "Vector dimensions the embedding model writes and the index stores (Titan Text Embeddings V2: 256, 512 or 1024)."
  type        = number
  default     = 1024
}

variable "chunk_max_tokens" {
  description = "Fixed-size chunking: tokens per chunk."
  type        = number
  default     = 300
}

variable "chunk_overlap_percentage" {
  description = "Fixed-size chunking: overlap between neighbouring chunks, in percent (1-99)."
  type        = number
  default     = 20
}

variable "answer_model_id" {
  description = "Model or inference profile ID the answers are generated with (Converse modelId), e.g. apac.anthropic.claude-3-haiku-20240307-v1:0; a geographic profile (apac., us., ...) is granted with the model in its Regions."
  type        = string
  default     = "apac.anthropic.claude-3-haiku-20240307-v1:0"
}

variable "guardrail_profile_id" {
  description = "Guardrail profile for cross-Region guardrail inference, which the STANDARD tier (Korean) requires (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-cross-region-support.html)."
  type        = string
  default     = "apac.guardrail.v1:0"
}

variable "grounding_threshold" {
  description = "Contextual grounding: answers scored under this (0-0.99) against the passages are blocked; the adapter also drops them when the guardrail only detects."
  type        = number
  default     = 0.75

  validation {
    condition     = var.grounding_threshold >= 0 && var.grounding_threshold < 1
    error_message = "grounding_threshold must be at least 0 and under 1."
  }
}

variable "relevance_threshold" {
  description = "Contextual grounding: answers scored under this (0-0.99) for relevance to the question are blocked."
  type        = number
  default     = 0.5

  validation {
    condition     = var.relevance_threshold >= 0 && var.relevance_threshold < 1
    error_message = "relevance_threshold must be at least 0 and under 1."
  }
}

variable "blocked_messages" {
  description = "What the guardrail answers instead (Korean; the adapter hands over on an intervention, so a caller does not hear these in the flows)."
  type = object({
    input  = string
    output = string
  })
  default = {
    input  = "죄송합니다. 그 질문에는 답변드릴 수 없습니다. 상담원을 연결해 드리겠습니다."
    output = "죄송합니다. 정확한 답변을 드리기 어렵습니다. 상담원을 연결해 드리겠습니다."
  }
}
