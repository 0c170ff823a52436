# KMS keys (one per kind of data, rotated yearly), the recordings/transcripts bucket, the CloudTrail
# bucket, the access-log bucket both of them log to, and a multi-Region trail with log file
# validation that also records DynamoDB data events on the contact-center tables and delivers a
# copy to CloudWatch Logs.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # key -> what it protects (also the key's description)
  keys = {
    data    = "DynamoDB tables and Lambda environment variables"
    logs    = "CloudWatch Logs log groups"
    connect = "Amazon Connect call recordings, chat and analysis transcripts"
    trail   = "CloudTrail log files"
  }

  trail_name = "${var.name_prefix}-trail"
  # Built from its parts (not aws_cloudtrail.this.arn): the trail key policy and the trail bucket
  # policy must exist before the trail.
  trail_arn = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"

  # 5 years, leap days included: the record-keeping period of Korean electronic financial
  # transactions, for recordings and contact records alike (unless their variables say otherwise).
  record_keeping_days = 1827

  bucket_suffix = "${local.account_id}-${local.region}"
  buckets = {
    recordings = {
      name            = "${var.name_prefix}-recordings-${local.bucket_suffix}"
      kms_key         = "connect"
      transition_days = var.recordings_transition_days
      storage_class   = var.recordings_transition_storage_class
      expiration_days = coalesce(var.recordings_expiration_days, local.record_keeping_days)
      access_logged   = true
    }
    trail = {
      name            = "${var.name_prefix}-trail-${local.bucket_suffix}"
      kms_key         = "trail"
      transition_days = var.trail_transition_days
      storage_class   = "GLACIER_IR"
      expiration_days = var.trail_expiration_days
      access_logged   = true
    }
    # Contact records (Firehose from the CTR stream): reports and audits read them with Athena.
    contact_records = {
      name            = "${var.name_prefix}-contact-records-${local.bucket_suffix}"
      kms_key         = "connect"
      transition_days = var.contact_records_transition_days
      storage_class   = "GLACIER_IR" # Athena still reads it, at archive prices
      expiration_days = coalesce(var.contact_records_expiration_days, local.record_keeping_days)
      access_logged   = true
    }
    # Operating reports (the report function, reports/<kind>/<first day>.md and .html): aggregates, no
    # personal data beyond agents' logins; kept as long as the records they summarise.
    reports = {
      name            = "${var.name_prefix}-reports-${local.bucket_suffix}"
      kms_key         = "data"
      transition_days = null
      storage_class   = null
      expiration_days = local.record_keeping_days
      access_logged   = true
    }
    # Server access logs can only be delivered to a bucket encrypted with SSE-S3 (S3 rejects
    # SSE-KMS targets), and a log bucket does not log to itself (a loop of log objects).
    access_logs = {
      name            = "${var.name_prefix}-access-logs-${local.bucket_suffix}"
      kms_key         = null
      transition_days = null
      storage_class   = null
      expiration_days = var.access_logs_expiration_days
      access_logged   = false
    }
  }

  table_arn_prefix = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.name_prefix}-"
}

################################################################################
# KMS keys
################################################################################

data "aws_iam_policy_document" "key_admin" {
  # checkov:skip=CKV_AWS_111: a key policy's Resource "*" means this key only; the account statement is what lets IAM policies grant access (AWS default key policy)
  # checkov:skip=CKV_AWS_356: a key policy's Resource "*" means this key only
  # checkov:skip=CKV_AWS_109: the account statement of the AWS default key policy; without it IAM could not manage the key
  statement {
    sid       = "EnableIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

data "aws_iam_policy_document" "logs_key" {
  source_policy_documents = [data.aws_iam_policy_document.key_admin.json]

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}

data "aws_iam_policy_document" "trail_key" {
  source_policy_documents = [data.aws_iam_policy_document.key_admin.json]

  statement {
    sid       = "CloudTrailEncryptLogs"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
    }
  }

  statement {
    sid       = "CloudTrailDescribeKey"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

# Amazon Connect writes recordings (S3) and contact-record / agent-event streams (Kinesis) as its
# service-linked role, whose name ends in a generated suffix: matched by ARN pattern, and only
# through those two services.
data "aws_iam_policy_document" "connect_key" {
  source_policy_documents = [data.aws_iam_policy_document.key_admin.json]

  statement {
    sid       = "ConnectServiceLinkedRole"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/connect.amazonaws.com/*"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "kinesis.${local.region}.amazonaws.com"]
    }
  }
}

locals {
  # The data key is used by DynamoDB and Lambda through grants made on behalf of the deploying IAM
  # principal, which the account statement (IAM policies) enables.
  key_policies = {
    data    = data.aws_iam_policy_document.key_admin.json
    logs    = data.aws_iam_policy_document.logs_key.json
    connect = data.aws_iam_policy_document.connect_key.json
    trail   = data.aws_iam_policy_document.trail_key.json
  }
}

resource "aws_kms_key" "this" {
  for_each = local.keys

  description             = "${var.name_prefix}: ${each.value}"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_protection ? 30 : 7
  policy                  = local.key_policies[each.key]

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}" })
}

resource "aws_kms_alias" "this" {
  for_each = local.keys

  name          = "alias/${var.name_prefix}-${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}

################################################################################
# S3 buckets
################################################################################

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_144: recordings hold Korean customers' personal data and stay in the Region (no overseas transfer); versioning and lifecycle cover recovery
  # checkov:skip=CKV2_AWS_62: nothing consumes object-created events of these buckets
  for_each = local.buckets

  bucket        = each.value.name
  force_destroy = !var.deletion_protection

  tags = merge(var.tags, { Name = each.value.name })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.value.kms_key == null ? "AES256" : "aws:kms"
      kms_master_key_id = each.value.kms_key == null ? null : aws_kms_key.this[each.value.kms_key].arn
    }
    bucket_key_enabled = each.value.kms_key != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    id     = "retention"
    status = "Enabled"

    filter {}

    dynamic "transition" {
      for_each = each.value.transition_days == null ? [] : [each.value.transition_days]
      content {
        days          = transition.value
        storage_class = each.value.storage_class
      }
    }

    expiration {
      days = each.value.expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]

  lifecycle {
    # S3 refuses a rule that expires objects before they transition. The message is rendered for
    # every bucket, hence jsonencode: a null transition cannot be interpolated.
    precondition {
      condition     = each.value.transition_days == null ? true : each.value.expiration_days > each.value.transition_days
      error_message = "Bucket ${each.key}: its expiration days (${each.value.expiration_days}) must exceed its transition days (${jsonencode(each.value.transition_days)}): S3 refuses a rule that expires objects before they transition."
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  for_each = { for k, b in local.buckets : k => b if b.access_logged }

  bucket        = aws_s3_bucket.this[each.key].id
  target_bucket = aws_s3_bucket.this["access_logs"].id
  target_prefix = "${each.key}/"

  # S3 checks, when logging is turned on, that the target's policy lets the logging service write.
  depends_on = [aws_s3_bucket_policy.this]
}

# Bucket policies: TLS only everywhere, plus the service principals that write to the trail and
# access-log buckets. Amazon Connect writes recordings through its service-linked role (IAM), so
# the recordings bucket needs no grant here.

data "aws_iam_policy_document" "tls_only" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"]

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

data "aws_iam_policy_document" "trail_bucket" {
  source_policy_documents = [data.aws_iam_policy_document.tls_only["trail"].json]

  statement {
    sid       = "CloudTrailAclCheck"
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.this["trail"].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "CloudTrailWrite"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this["trail"].arn}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

data "aws_iam_policy_document" "access_logs_bucket" {
  source_policy_documents = [data.aws_iam_policy_document.tls_only["access_logs"].json]

  # Object ownership is BucketOwnerEnforced (ACLs off), so the logging service is granted here.
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this["access_logs"].arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = concat([for k, b in local.buckets : aws_s3_bucket.this[k].arn if b.access_logged], var.access_logged_bucket_arns)
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

locals {
  bucket_policies = {
    recordings      = data.aws_iam_policy_document.tls_only["recordings"].json
    contact_records = data.aws_iam_policy_document.tls_only["contact_records"].json
    reports         = data.aws_iam_policy_document.tls_only["reports"].json
    trail           = data.aws_iam_policy_document.trail_bucket.json
    access_logs     = data.aws_iam_policy_document.access_logs_bucket.json
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = local.bucket_policies[each.key]

  # A policy put before the public access block can race with it.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# CloudTrail
################################################################################

# The trail also delivers to CloudWatch Logs (encrypted with the `logs` key), so that security
# monitoring can search recent API activity and put metric filters on it; S3 keeps the long,
# validated record.
resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/${local.trail_name}"
  retention_in_days = var.trail_log_retention_days
  kms_key_id        = aws_kms_key.this["logs"].arn

  tags = merge(var.tags, { Name = local.trail_name })
}

data "aws_iam_policy_document" "trail_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

data "aws_iam_policy_document" "trail_logs" {
  statement {
    sid       = "DeliverToTrailLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.trail.arn}:log-stream:*"]
  }
}

resource "aws_iam_role" "trail" {
  name               = "${local.trail_name}-logs"
  description        = "CloudTrail ${local.trail_name} delivering to its CloudWatch Logs log group"
  assume_role_policy = data.aws_iam_policy_document.trail_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "trail" {
  name   = "cloudwatch-logs"
  role   = aws_iam_role.trail.id
  policy = data.aws_iam_policy_document.trail_logs.json
}

resource "aws_cloudtrail" "this" {
  # checkov:skip=CKV_AWS_252: no consumer for per-file delivery notifications; delivery problems show in CloudTrail's own status and the CloudWatch Logs stream
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.this["trail"].id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.this["trail"].arn
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*" # CloudTrail wants the stream wildcard
  cloud_watch_logs_role_arn     = aws_iam_role.trail.arn

  # Every management event, read and write.
  advanced_event_selector {
    name = "Management events"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }

  # Item-level access to customer and call data (who read or changed which record).
  advanced_event_selector {
    name = "DynamoDB data events on the contact-center tables"

    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }

    field_selector {
      field  = "resources.type"
      equals = ["AWS::DynamoDB::Table"]
    }

    field_selector {
      field       = "resources.ARN"
      equals      = var.data_event_table_arns
      starts_with = var.data_event_table_arns == null ? [local.table_arn_prefix] : null
    }
  }

  tags = merge(var.tags, { Name = local.trail_name })

  depends_on = [aws_s3_bucket_policy.this, aws_iam_role_policy.trail]
}
