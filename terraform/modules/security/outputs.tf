output "kms_key_arns" {
  description = "KMS key ARNs by purpose: `data` (DynamoDB, Lambda environment), `logs` (CloudWatch Logs), `connect` (recordings, transcripts), `trail` (CloudTrail)."
  value       = { for k, key in aws_kms_key.this : k => key.arn }
}

output "kms_key_ids" {
  description = "KMS key IDs by purpose (same keys as kms_key_arns)."
  value       = { for k, key in aws_kms_key.this : k => key.key_id }
}

output "kms_alias_names" {
  description = "KMS alias names by purpose, e.g. alias/<name_prefix>-data."
  value       = { for k, a in aws_kms_alias.this : k => a.name }
}

output "recordings_bucket" {
  description = "Name of the bucket for call recordings and transcripts (SSE-KMS with the `connect` key)."
  value       = aws_s3_bucket.this["recordings"].id
}

output "recordings_bucket_arn" {
  description = "ARN of the recordings and transcripts bucket."
  value       = aws_s3_bucket.this["recordings"].arn
}

output "contact_records" {
  description = "The contact-records bucket (Firehose from the CTR stream, partitioned contact-records/year=/month=/day=): name, arn, and kms_key_arn, the key its objects are encrypted with."
  value = {
    name        = aws_s3_bucket.this["contact_records"].id
    arn         = aws_s3_bucket.this["contact_records"].arn
    kms_key_arn = aws_kms_key.this[local.buckets.contact_records.kms_key].arn
  }
}

output "reports" {
  description = "The reports bucket (the report function writes reports/<kind>/<first day>.md and .html): name, arn, and kms_key_arn, the key its objects are encrypted with."
  value = {
    name        = aws_s3_bucket.this["reports"].id
    arn         = aws_s3_bucket.this["reports"].arn
    kms_key_arn = aws_kms_key.this[local.buckets.reports.kms_key].arn
  }
}

output "trail_arn" {
  description = "ARN of the multi-Region CloudTrail trail."
  value       = aws_cloudtrail.this.arn
}

output "trail_bucket" {
  description = "Name of the bucket that receives the CloudTrail log files."
  value       = aws_s3_bucket.this["trail"].id
}

output "access_logs_bucket" {
  description = "Name of the bucket that receives the S3 server access logs, once its policy lets the logging service write."
  # Read from the policy, not the bucket: S3 checks the target's policy when logging is turned on,
  # so a module that logs here (knowledge) waits for it (the deploy rehearsal found the race).
  value = aws_s3_bucket_policy.this["access_logs"].bucket
}

output "trail_log_group_name" {
  description = "Name of the CloudWatch Logs log group the trail also delivers to."
  value       = aws_cloudwatch_log_group.trail.name
}

output "protected" {
  description = "Name => ARN of what a protected environment must not lose (every KMS key and bucket): the root module guards each."
  value = merge(
    { for k, key in aws_kms_key.this : "key.${k}" => key.arn },
    { for k, bucket in aws_s3_bucket.this : "bucket.${k}" => bucket.arn },
  )
}
