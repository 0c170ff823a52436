# Knowledge answers in AWS: the published documents on S3, a Bedrock Knowledge Base that embeds them
# into an OpenSearch Serverless vector collection, and the guardrail Converse answers under.
#
# Provider 5.x has no resource for an index inside a collection, and its aws_bedrock_guardrail has
# no safeguard tiers or cross-Region profile, without which the guardrail's filters and denied
# topics work in English, French and Spanish only
# (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-tiers.html). Both are therefore
# one CloudFormation stack (AWS::OpenSearchServerless::Index, AWS::Bedrock::Guardrail with
# CrossRegionConfig and STANDARD tiers, AWS::Bedrock::GuardrailVersion), as the lex module does for
# the bot: CloudFormation signs the index request itself, under its own role that the collection's
# data-access policy names, and the plan gate runs cfn-lint on the template.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  name       = "${var.name_prefix}-knowledge"
  collection = "${var.name_prefix}-kb" # 3-32 lowercase characters
  index_name = "aicc-knowledge"

  # The field names Bedrock writes and reads (storage_configuration.field_mapping).
  fields = {
    vector   = "embedding"
    text     = "AMAZON_BEDROCK_TEXT_CHUNK"
    metadata = "AMAZON_BEDROCK_METADATA"
  }

  bucket_arn          = "arn:${local.partition}:s3:::${var.bucket_name}"
  embedding_model_arn = "arn:${local.partition}:bedrock:${local.region}::foundation-model/${var.embedding_model_id}"
  guardrail_profile   = "arn:${local.partition}:bedrock:${local.region}:${local.account_id}:guardrail-profile/${var.guardrail_profile_id}"

  # An inference profile ID (apac.<model>) is invoked through the profile in this Region and runs
  # the model in any Region of its geography: both are authorized
  # (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html).
  answer_profile = regex("^(?:(us|eu|apac|jp|au|global)\\.)?(.+)$", var.answer_model_id)
  answer_model_arns = local.answer_profile[0] == null ? [
    "arn:${local.partition}:bedrock:${local.region}::foundation-model/${var.answer_model_id}",
    ] : [
    "arn:${local.partition}:bedrock:${local.region}:${local.account_id}:inference-profile/${var.answer_model_id}",
    "arn:${local.partition}:bedrock:*::foundation-model/${local.answer_profile[1]}",
  ]
}

################################################################################
# Documents bucket: the published version and one <file>.metadata.json per document
################################################################################

resource "aws_s3_bucket" "documents" {
  # checkov:skip=CKV_AWS_144: the documents are rebuilt from the repository's published version; no second Region holds the knowledge base
  # checkov:skip=CKV2_AWS_62: ingestion is started by `aicc-ops` after an upload (StartIngestionJob), not by object events
  bucket        = var.bucket_name
  force_destroy = !var.deletion_protection

  tags = merge(var.tags, { Name = var.bucket_name })
}

resource "aws_s3_bucket_ownership_controls" "documents" {
  bucket = aws_s3_bucket.documents.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "documents" {
  bucket                  = aws_s3_bucket.documents.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "documents" {
  bucket = aws_s3_bucket.documents.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id

  rule {
    id     = "superseded-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.documents]
}

resource "aws_s3_bucket_logging" "documents" {
  bucket        = aws_s3_bucket.documents.id
  target_bucket = var.access_logs_bucket
  target_prefix = "knowledge/"
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.documents.arn, "${aws_s3_bucket.documents.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "documents" {
  bucket = aws_s3_bucket.documents.id
  policy = data.aws_iam_policy_document.tls_only.json

  depends_on = [aws_s3_bucket_public_access_block.documents]
}

################################################################################
# OpenSearch Serverless vector collection
################################################################################

resource "aws_opensearchserverless_security_policy" "encryption" {
  name        = local.collection
  type        = "encryption"
  description = "${local.collection}: the knowledge vectors encrypted with the data key"
  policy = jsonencode({
    Rules       = [{ ResourceType = "collection", Resource = ["collection/${local.collection}"] }]
    AWSOwnedKey = false
    KmsARN      = var.kms_key_arn
  })
}

# Public endpoint, IAM-signed requests only: Bedrock Knowledge Bases reaches the collection from
# its own service network, and every request must still pass the data-access policy below.
resource "aws_opensearchserverless_security_policy" "network" {
  name        = local.collection
  type        = "network"
  description = "${local.collection}: collection endpoint reachable by Bedrock; no dashboards"
  policy = jsonencode([{
    Rules           = [{ ResourceType = "collection", Resource = ["collection/${local.collection}"] }]
    AllowFromPublic = true
  }])
}

resource "aws_opensearchserverless_collection" "this" {
  name             = local.collection
  type             = "VECTORSEARCH"
  description      = "Knowledge base vectors of ${var.name_prefix}"
  standby_replicas = var.standby_replicas ? "ENABLED" : "DISABLED"

  tags = var.tags

  depends_on = [
    aws_opensearchserverless_security_policy.encryption,
    aws_opensearchserverless_security_policy.network,
  ]
}

# Who may read and write the index: the knowledge base's role, and CloudFormation's role that
# creates the index.
resource "aws_opensearchserverless_access_policy" "data" {
  name        = local.collection
  type        = "data"
  description = "${local.collection}: the knowledge base and the index's CloudFormation role"
  policy = jsonencode([{
    Rules = [
      {
        ResourceType = "collection"
        Resource     = ["collection/${local.collection}"]
        Permission   = ["aoss:DescribeCollectionItems", "aoss:CreateCollectionItems", "aoss:UpdateCollectionItems"]
      },
      {
        ResourceType = "index"
        Resource     = ["index/${local.collection}/*"]
        Permission   = ["aoss:DescribeIndex", "aoss:CreateIndex", "aoss:UpdateIndex", "aoss:DeleteIndex", "aoss:ReadDocument", "aoss:WriteDocument"]
      },
    ]
    Principal = [aws_iam_role.knowledge_base.arn, aws_iam_role.stack.arn]
  }])
}

################################################################################
# The index and the guardrail (CloudFormation, see the header)
################################################################################

data "aws_iam_policy_document" "stack_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cloudformation.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "stack" {
  name               = "${local.name}-stack"
  description        = "CloudFormation creating the vector index and the guardrail of ${local.name}"
  assume_role_policy = data.aws_iam_policy_document.stack_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "stack" {
  statement {
    sid       = "VectorIndex"
    actions   = ["aoss:APIAccessAll"]
    resources = [aws_opensearchserverless_collection.this.arn]
  }

  statement {
    sid       = "Guardrail"
    actions   = ["bedrock:CreateGuardrail", "bedrock:UpdateGuardrail", "bedrock:DeleteGuardrail", "bedrock:GetGuardrail", "bedrock:ListGuardrails", "bedrock:CreateGuardrailVersion", "bedrock:TagResource", "bedrock:UntagResource", "bedrock:ListTagsForResource"]
    resources = ["arn:${local.partition}:bedrock:${local.region}:${local.account_id}:guardrail/*", local.guardrail_profile]
  }

  statement {
    sid       = "GuardrailKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "stack" {
  name   = "index-and-guardrail"
  role   = aws_iam_role.stack.id
  policy = data.aws_iam_policy_document.stack.json
}

resource "aws_cloudformation_stack" "this" {
  # checkov:skip=CKV_AWS_124: Terraform reads the stack events during the apply and prints the failures; SNS notices of every resource event would flood the on-call topic
  name         = local.name
  iam_role_arn = aws_iam_role.stack.arn
  template_body = templatefile("${path.module}/knowledge.cfn.json.tftpl", {
    name_prefix                   = var.name_prefix
    index_name                    = local.index_name
    vector_field                  = local.fields.vector
    text_field                    = local.fields.text
    metadata_field                = local.fields.metadata
    dimensions                    = var.embedding_dimensions
    guardrail_profile_arn         = local.guardrail_profile
    blocked_input                 = var.blocked_messages.input
    blocked_output                = var.blocked_messages.output
    grounding_threshold           = var.grounding_threshold
    relevance_threshold           = var.relevance_threshold
    guardrail_version_description = "grounding ${var.grounding_threshold}, relevance ${var.relevance_threshold}"
    tags                          = jsonencode([for k, v in var.tags : { Key = k, Value = v }])
  })
  # Values known only at apply are parameters: the template stays readable at plan (cfn-lint).
  parameters = {
    CollectionEndpoint = aws_opensearchserverless_collection.this.collection_endpoint
    KmsKeyArn          = var.kms_key_arn
  }
  timeout_in_minutes = 15

  tags = var.tags

  depends_on = [aws_iam_role_policy.stack, aws_opensearchserverless_access_policy.data]
}

################################################################################
# Knowledge base and its S3 data source
################################################################################

data "aws_iam_policy_document" "knowledge_base_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock:${local.region}:${local.account_id}:knowledge-base/*"]
    }
  }
}

resource "aws_iam_role" "knowledge_base" {
  name               = "${local.name}-kb"
  description        = "Bedrock Knowledge Base ${local.name}: reads the documents, embeds them, writes the vectors"
  assume_role_policy = data.aws_iam_policy_document.knowledge_base_assume.json

  tags = var.tags
}

# https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html
data "aws_iam_policy_document" "knowledge_base" {
  statement {
    sid       = "ListDocuments"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.documents.arn]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "ReadDocuments"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.documents.arn}/${var.documents_prefix}*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DocumentsKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "Embed"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.embedding_model_arn]
  }

  statement {
    sid       = "VectorStore"
    actions   = ["aoss:APIAccessAll"]
    resources = [aws_opensearchserverless_collection.this.arn]
  }
}

resource "aws_iam_role_policy" "knowledge_base" {
  name   = "documents-embeddings-vectors"
  role   = aws_iam_role.knowledge_base.id
  policy = data.aws_iam_policy_document.knowledge_base.json
}

resource "aws_bedrockagent_knowledge_base" "this" {
  name        = local.name
  description = "Support line documents of ${var.name_prefix} (published version), HYBRID search"
  role_arn    = aws_iam_role.knowledge_base.arn

  knowledge_base_configuration {
    type = "VECTOR"

    vector_knowledge_base_configuration {
      embedding_model_arn = local.embedding_model_arn

      embedding_model_configuration {
        bedrock_embedding_model_configuration {
          dimensions          = var.embedding_dimensions
          embedding_data_type = "FLOAT32"
        }
      }
    }
  }

  storage_configuration {
    type = "OPENSEARCH_SERVERLESS"

    opensearch_serverless_configuration {
      collection_arn    = aws_opensearchserverless_collection.this.arn
      vector_index_name = local.index_name

      field_mapping {
        vector_field   = local.fields.vector
        text_field     = local.fields.text
        metadata_field = local.fields.metadata
      }
    }
  }

  tags = var.tags

  # The index must exist, and the role be allowed, before Bedrock checks the store.
  depends_on = [aws_cloudformation_stack.this, aws_iam_role_policy.knowledge_base]
}

resource "aws_bedrockagent_data_source" "documents" {
  name              = "${local.name}-published"
  description       = "The published documents and their .metadata.json files (doc_id, title, category)"
  knowledge_base_id = aws_bedrockagent_knowledge_base.this.id

  data_source_configuration {
    type = "S3"

    s3_configuration {
      bucket_arn         = aws_s3_bucket.documents.arn
      inclusion_prefixes = [var.documents_prefix]
    }
  }

  server_side_encryption_configuration {
    kms_key_arn = var.kms_key_arn
  }

  # The documents are short and sectioned (## headings); fixed windows with overlap keep a
  # section's sentences together without a parsing model.
  vector_ingestion_configuration {
    chunking_configuration {
      chunking_strategy = "FIXED_SIZE"

      fixed_size_chunking_configuration {
        max_tokens         = var.chunk_max_tokens
        overlap_percentage = var.chunk_overlap_percentage
      }
    }
  }
}
