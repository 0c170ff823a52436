data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  # ---------------------------------------------------------------------------
  # Contact flow creation order.
  #
  # Connect validates a flow when it is created (flows are always published), so every flow a
  # template references through ${flows.<key>} must exist first, and a single for_each resource
  # whose instances reference each other is a dependency cycle. The flows are created in groups,
  # each its own resource below; a flow may reference only flows of earlier groups:
  #
  #   outbound  the OUTBOUND_WHISPER flow (local.outbound_flow) references nothing: every queue
  #             names it as its outbound flow, so it exists before the queues and binds no variable
  #   page    emergency_page (CONTACT_FLOW run by the escalation's page calls) references no flow
  #   queue   CUSTOMER_QUEUE flows               reference no flow
  #           msp_emergency_queue                -> emergency_page (page calls it places)
  #   shared  callback_request                   references no flow
  #           emergency                          -> msp_emergency_queue, msp_general_queue
  #   branch  msp_customer                       -> emergency, msp_emergency_queue, msp_general_queue
  #           general_customer                   -> callback_request, general_customer_queue
  #           after_hours                        -> emergency, callback_request, after_hours_queue
  #   entry   customer_authentication            -> msp_customer, general_customer, after_hours,
  #                                                 general_customer_queue
  #
  # The references are read back from the templates and checked at plan time (precondition on
  # the queue group), so a template change that breaks the order fails the plan, naming the flow.
  # ---------------------------------------------------------------------------
  flow_groups = {
    outbound = [local.outbound_flow]
    page     = ["emergency_page"]
    queue    = ["msp_emergency_queue", "msp_general_queue", "general_customer_queue", "after_hours_queue"]
    shared   = ["callback_request", "emergency"]
    branch   = ["msp_customer", "general_customer", "after_hours"]
    entry    = ["customer_authentication"]
  }
  flow_group_order = ["outbound", "page", "queue", "shared", "branch", "entry"]

  # The flow every queue runs for the customer of a callback or outbound call: the catalog's one
  # OUTBOUND_WHISPER flow (var.flows checks there is exactly one).
  outbound_flow = one([for key, flow in var.flows : key if flow.type == "OUTBOUND_WHISPER"])

  # flow key => position of its group in flow_group_order
  flow_rank = merge([
    for i, group in local.flow_group_order : { for key in local.flow_groups[group] : key => i }
  ]...)

  # flow key => flow keys its template references (${flows.x} or ${jsonencode(flows.x)})
  flow_refs = {
    for key in keys(var.flows) : key => distinct(flatten(regexall(
      "(?:^|[^$])[$][{]\\s*(?:jsonencode[(]\\s*)?flows[.]([A-Za-z_][A-Za-z0-9_-]*)",
      file("${var.flows_dir}/${key}.json.tftpl"),
    )))
  }

  flows_ungrouped    = setsubtract(keys(var.flows), keys(local.flow_rank))
  flows_uncatalogued = setsubtract(keys(local.flow_rank), keys(var.flows))
  flows_out_of_order = [
    for key, refs in local.flow_refs : "${key} -> ${join(", ", refs)}"
    if contains(keys(local.flow_rank), key) && !alltrue([
      for ref in refs : contains(keys(local.flow_rank), ref) && try(local.flow_rank[ref] < local.flow_rank[key], false)
    ])
  ]

  flow_outbound = { for key in local.flow_groups.outbound : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_page     = { for key in local.flow_groups.page : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_queue    = { for key in local.flow_groups.queue : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_shared   = { for key in local.flow_groups.shared : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_branch   = { for key in local.flow_groups.branch : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_entry    = { for key in local.flow_groups.entry : key => var.flows[key] if contains(keys(var.flows), key) }

  # Template variables (same names as the local engine binds, ops/aicc_ops/engine/flows.py).
  queue_arns  = { for key, queue in aws_connect_queue.this : key => queue.arn }
  queue_names = { for key, queue in var.queues : key => queue.name }
  hours_arns  = { for key, hours in aws_connect_hours_of_operation.this : key => hours.arn }

  flow_page_arns   = { for key, flow in aws_connect_contact_flow.page : key => flow.arn }
  flow_queue_arns  = { for key, flow in aws_connect_contact_flow.queue : key => flow.arn }
  flow_shared_arns = { for key, flow in aws_connect_contact_flow.shared : key => flow.arn }
  flow_branch_arns = { for key, flow in aws_connect_contact_flow.branch : key => flow.arn }
  flow_entry_arns  = { for key, flow in aws_connect_contact_flow.entry : key => flow.arn }

  flow_arns = merge(
    { for key, flow in aws_connect_contact_flow.outbound : key => flow.arn },
    local.flow_page_arns, local.flow_queue_arns, local.flow_shared_arns, local.flow_branch_arns, local.flow_entry_arns,
  )
  flow_ids = merge(
    { for key, flow in aws_connect_contact_flow.outbound : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.page : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.queue : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.shared : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.branch : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.entry : key => flow.contact_flow_id },
  )

  s3_storage = {
    CALL_RECORDINGS  = "recordings"
    CHAT_TRANSCRIPTS = "chat-transcripts"
  }
  stream_storage = {
    CONTACT_TRACE_RECORDS = "ctr"
    AGENT_EVENTS          = "agent-events"
  }
}

# -----------------------------------------------------------------------------
# Instance
# -----------------------------------------------------------------------------

resource "aws_connect_instance" "this" {
  identity_management_type  = "CONNECT_MANAGED"
  instance_alias            = var.instance_alias
  inbound_calls_enabled     = true
  outbound_calls_enabled    = true
  contact_flow_logs_enabled = true
  contact_lens_enabled      = true

  tags = var.tags
}

# -----------------------------------------------------------------------------
# Hours, queues, routing and security profiles, quick connects
# -----------------------------------------------------------------------------

resource "aws_connect_hours_of_operation" "this" {
  for_each = var.hours

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  description = each.value.description
  time_zone   = each.value.time_zone

  dynamic "config" {
    for_each = each.value.schedule

    content {
      day = config.key

      start_time {
        hours   = tonumber(split(":", config.value.start)[0])
        minutes = tonumber(split(":", config.value.start)[1])
      }

      # "00:00" as an end is midnight at the end of the day: Connect takes 0:00 the same way.
      end_time {
        hours   = tonumber(split(":", config.value.end)[0])
        minutes = tonumber(split(":", config.value.end)[1])
      }
    }
  }

  tags = var.tags
}

resource "aws_connect_queue" "this" {
  for_each = var.queues

  instance_id           = aws_connect_instance.this.id
  name                  = each.value.name
  description           = each.value.description
  hours_of_operation_id = aws_connect_hours_of_operation.this[each.value.hours].hours_of_operation_id
  max_contacts          = each.value.max_contacts

  # Callbacks and agents' outbound calls dial out with the support line's number and the queue's
  # caller name (queues.yaml outbound_caller_name), and run the outbound whisper flow for the
  # customer (recording, Korean Contact Lens). Without a number the queue cannot dial out.
  outbound_caller_config {
    outbound_caller_id_name      = each.value.outbound_caller_name
    outbound_caller_id_number_id = local.phone_number_id
    outbound_flow_id             = aws_connect_contact_flow.outbound[local.outbound_flow].contact_flow_id
  }

  tags = var.tags

  lifecycle {
    # The queue's quick connects are set by terraform_data.queue_quick_connects (see there).
    ignore_changes = [quick_connect_ids]

    precondition {
      condition     = contains(keys(var.hours), each.value.hours)
      error_message = "Queue ${each.key}: hours \"${each.value.hours}\" is not a key of hours.yaml."
    }
  }
}

resource "aws_connect_routing_profile" "this" {
  for_each = var.routing_profiles

  instance_id               = aws_connect_instance.this.id
  name                      = each.value.name
  description               = each.value.description
  default_outbound_queue_id = aws_connect_queue.this[each.value.default_outbound_queue].queue_id

  # One block per channel the profile's agents take (routing_profiles.yaml media).
  dynamic "media_concurrencies" {
    for_each = each.value.media

    content {
      channel     = media_concurrencies.key
      concurrency = media_concurrencies.value
    }
  }

  # Queue configs are per queue and channel: every queue of the profile on every channel it takes.
  dynamic "queue_configs" {
    for_each = flatten([for channel in keys(each.value.media) : [for q in each.value.queues : merge(q, { channel = channel })]])

    content {
      channel  = queue_configs.value.channel
      delay    = queue_configs.value.delay
      priority = queue_configs.value.priority
      queue_id = aws_connect_queue.this[queue_configs.value.queue].queue_id
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition = alltrue(concat(
        [contains(keys(var.queues), each.value.default_outbound_queue)],
        [for q in each.value.queues : contains(keys(var.queues), q.queue)],
      ))
      error_message = "Routing profile ${each.key}: every queue (and default_outbound_queue) must be a key of queues.yaml."
    }
  }
}

resource "aws_connect_security_profile" "this" {
  for_each = var.security_profiles

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  description = each.value.description
  permissions = each.value.permissions

  tags = var.tags
}

# Every instance comes with the "Default queue transfer" flow (type QUEUE_TRANSFER), which a
# QUEUE quick connect requires.
data "aws_connect_contact_flow" "queue_transfer" {
  instance_id = aws_connect_instance.this.id
  name        = "Default queue transfer"
}

resource "aws_connect_quick_connect" "queue" {
  for_each = var.queues

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  description = "Transfer to the ${each.value.name} queue (escalation and agent transfers)."

  quick_connect_config {
    quick_connect_type = "QUEUE"

    queue_config {
      contact_flow_id = data.aws_connect_contact_flow.queue_transfer.contact_flow_id
      queue_id        = aws_connect_queue.this[each.key].queue_id
    }
  }

  tags = var.tags
}

# -----------------------------------------------------------------------------
# Integrations: every Lambda the flows call, and the Lex V2 bot alias
# -----------------------------------------------------------------------------

resource "aws_connect_lambda_function_association" "this" {
  for_each = var.lambda_arns

  instance_id  = aws_connect_instance.this.id
  function_arn = each.value
}

# aws_connect_bot_association is Lex V1 only: the Lex V2 alias is associated through
# CloudFormation's AWS::Connect::IntegrationAssociation, which also lets Connect call the alias.
resource "aws_cloudformation_stack" "lex_association" {
  #checkov:skip=CKV_AWS_124: Terraform reads the stack events during the apply and prints the failures; SNS notices of every resource event would flood the on-call topic
  name = "${var.name_prefix}-connect-lex-bot"
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Associates the support-line Lex V2 bot alias with the Amazon Connect instance (terraform/modules/connect)"
    Parameters = {
      InstanceArn = { Type = "String", Description = "Amazon Connect instance ARN" }
      BotAliasArn = { Type = "String", Description = "Lex V2 bot alias ARN" }
    }
    Resources = {
      LexBot = {
        Type = "AWS::Connect::IntegrationAssociation"
        Properties = {
          InstanceId      = { Ref = "InstanceArn" }
          IntegrationType = "LEX_BOT"
          IntegrationArn  = { Ref = "BotAliasArn" }
        }
      }
    }
    Outputs = {
      IntegrationAssociationId = { Value = { "Fn::GetAtt" = ["LexBot", "IntegrationAssociationId"] } }
    }
  })
  parameters = {
    InstanceArn = aws_connect_instance.this.arn
    BotAliasArn = var.lex_bot_alias_arn
  }
  on_failure = "DELETE"

  tags = var.tags
}

# -----------------------------------------------------------------------------
# Contact flows, in dependency groups (see local.flow_groups above and README.md)
# -----------------------------------------------------------------------------

# The templatefile() variables every flow group shares (the local engine binds the same names:
# ops/aicc_ops/engine/flows.py Resources.variables); each group adds the flow ARNs it may use.
locals {
  flow_template_vars = {
    queues            = local.queue_arns
    queue_names       = local.queue_names
    lambdas           = var.lambda_arns
    hours             = local.hours_arns
    prompts           = var.template_vars.prompts
    escalation        = var.template_vars.escalation
    sentiment         = var.template_vars.sentiment
    lex_bot_alias_arn = var.lex_bot_alias_arn
  }

  # flow key => its knowledge answer blocks: one home (knowledge.blocks.tftpl) rendered with the
  # flow's flows.yaml `knowledge` as kb, bound as ${knowledge} (the engine's flows.render does the same)
  flow_knowledge = {
    for key, flow in var.flows : key => templatefile("${var.flows_dir}/knowledge.blocks.tftpl", merge(local.flow_template_vars, {
      kb = flow.knowledge
    })) if flow.knowledge != null
  }
}

# Before the queues (they name it as their outbound flow), so it can bind no queue, flow or Lambda
# ARN; its template uses no variable, so it binds none (the gate checks every group's bindings).
resource "aws_connect_contact_flow" "outbound" {
  for_each = local.flow_outbound

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  content     = templatefile("${var.flows_dir}/${each.key}.json.tftpl", {})

  tags = var.tags
}

resource "aws_connect_contact_flow" "page" {
  for_each = local.flow_page

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = {}
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_cloudformation_stack.lex_association, terraform_data.predefined_attribute]
}

resource "aws_connect_contact_flow" "queue" {
  for_each = local.flow_queue

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = local.flow_page_arns
  }))

  tags = var.tags

  # Connect validates the content on create: the Lambdas and the bot must already be associated.
  depends_on = [aws_connect_lambda_function_association.this, aws_cloudformation_stack.lex_association, terraform_data.predefined_attribute]

  lifecycle {
    precondition {
      condition     = length(local.flows_ungrouped) == 0 && length(local.flows_uncatalogued) == 0
      error_message = "Every flow of flows.yaml must be in exactly one group of local.flow_groups (modules/connect/main.tf). Not grouped: [${join(", ", sort(local.flows_ungrouped))}]; grouped but not in flows.yaml: [${join(", ", sort(local.flows_uncatalogued))}]."
    }
    precondition {
      condition     = length(local.flows_out_of_order) == 0
      error_message = "A flow references a flow of its own or a later group (or one not in flows.yaml): ${join("; ", local.flows_out_of_order)}. Move it to a later group in local.flow_groups (modules/connect/main.tf)."
    }
  }
}

resource "aws_connect_contact_flow" "shared" {
  for_each = local.flow_shared

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = merge(local.flow_page_arns, local.flow_queue_arns)
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_cloudformation_stack.lex_association, terraform_data.predefined_attribute]
}

resource "aws_connect_contact_flow" "branch" {
  for_each = local.flow_branch

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows     = merge(local.flow_page_arns, local.flow_queue_arns, local.flow_shared_arns)
    knowledge = lookup(local.flow_knowledge, each.key, "")
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_cloudformation_stack.lex_association, terraform_data.predefined_attribute]
}

resource "aws_connect_contact_flow" "entry" {
  for_each = local.flow_entry

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = merge(local.flow_page_arns, local.flow_queue_arns, local.flow_shared_arns, local.flow_branch_arns)
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_cloudformation_stack.lex_association, terraform_data.predefined_attribute]
}

# -----------------------------------------------------------------------------
# Storage: recordings and chat transcripts to S3 (KMS), CTRs and agent events to Kinesis (KMS)
# -----------------------------------------------------------------------------

resource "aws_connect_instance_storage_config" "s3" {
  #checkov:skip=CKV_AWS_269: S3 storage; the Kinesis Video Streams CMK check does not apply (S3 uses key_id below)
  for_each = local.s3_storage

  instance_id   = aws_connect_instance.this.id
  resource_type = each.key

  storage_config {
    storage_type = "S3"

    s3_config {
      bucket_name   = var.recordings_bucket
      bucket_prefix = each.value

      encryption_config {
        encryption_type = "KMS"
        key_id          = var.kms_key_arn
      }
    }
  }
}

resource "aws_kinesis_stream" "this" {
  for_each = local.stream_storage

  name             = "${var.name_prefix}-${each.value}"
  retention_period = var.stream_retention_hours
  encryption_type  = "KMS"
  kms_key_id       = var.kms_key_arn

  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }

  tags = var.tags
}

resource "aws_connect_instance_storage_config" "kinesis" {
  #checkov:skip=CKV_AWS_269: Kinesis Data Streams storage (not Video Streams); the stream itself is KMS-encrypted with the CMK
  #checkov:skip=CKV_AWS_270: Kinesis Data Streams storage (not S3); the stream itself is KMS-encrypted with the CMK
  for_each = local.stream_storage

  instance_id   = aws_connect_instance.this.id
  resource_type = each.key

  storage_config {
    storage_type = "KINESIS_STREAM"

    kinesis_stream_config {
      stream_arn = aws_kinesis_stream.this[each.key].arn
    }
  }
}

# -----------------------------------------------------------------------------
# Contact records to S3: Firehose reads the CTR stream and writes newline-delimited JSON, GZIP,
# partitioned by delivery date (year=/month=/day=, as Athena and the reports read them), encrypted
# with the records bucket's key. The stream keeps 24 h for real-time consumers.
# -----------------------------------------------------------------------------

data "aws_iam_policy_document" "firehose_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "firehose" {
  name               = "${var.name_prefix}-contact-records-firehose"
  description        = "Firehose ${var.name_prefix}-contact-records: reads the CTR stream, writes the records bucket"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "firehose" {
  statement {
    sid       = "ReadContactRecordStream"
    actions   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"]
    resources = [aws_kinesis_stream.this["CONTACT_TRACE_RECORDS"].arn]
  }

  statement {
    sid       = "DecryptContactRecordStream"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["kinesis.${data.aws_region.current.name}.amazonaws.com"]
    }
  }

  statement {
    sid       = "WriteContactRecords"
    actions   = ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"]
    resources = [var.contact_records.arn, "${var.contact_records.arn}/*"]
  }

  statement {
    sid       = "EncryptContactRecords"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.contact_records.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.name}.amazonaws.com"]
    }

    # With S3 Bucket Keys (the security module turns them on) the context is the bucket's ARN.
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = [var.contact_records.arn, "${var.contact_records.arn}/*"]
    }
  }

  statement {
    sid       = "DeliveryErrors"
    actions   = ["logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.firehose.arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "firehose" {
  name   = "contact-records"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

resource "aws_cloudwatch_log_group" "firehose" {
  name              = "/aws/kinesisfirehose/${var.name_prefix}-contact-records"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = var.tags
}

resource "aws_cloudwatch_log_stream" "firehose" {
  name           = "S3Delivery"
  log_group_name = aws_cloudwatch_log_group.firehose.name
}

resource "aws_kinesis_firehose_delivery_stream" "contact_records" {
  name        = "${var.name_prefix}-contact-records"
  destination = "extended_s3"

  # With a stream as source, the data at rest is the stream's (KMS): Firehose takes no SSE of its own.
  kinesis_source_configuration {
    kinesis_stream_arn = aws_kinesis_stream.this["CONTACT_TRACE_RECORDS"].arn
    role_arn           = aws_iam_role.firehose.arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose.arn
    bucket_arn          = var.contact_records.arn
    prefix              = "contact-records/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
    error_output_prefix = "contact-records-errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
    buffering_size      = 5
    buffering_interval  = 300
    compression_format  = "GZIP"
    kms_key_arn         = var.contact_records.kms_key_arn
    # Days as the support line counts them: a call at 08:00 KST belongs to that day, not to UTC's
    # previous one.
    custom_time_zone = "Asia/Seoul"

    # One contact record per line (records arrive as bare JSON objects).
    processing_configuration {
      enabled = true

      processors {
        type = "AppendDelimiterToRecord"
      }
    }

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose.name
      log_stream_name = aws_cloudwatch_log_stream.firehose.name
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.firehose]
}

# -----------------------------------------------------------------------------
# Phone number: the support line, answered by the entry flow and the queues' outbound caller ID
#
# Korean numbers are issued through AWS Support and claimed to the instance by AWS: such a number
# is given by its ID (phone_number.existing_id). Where the country allows it, a number is claimed
# by search (phone_number.claim).
# -----------------------------------------------------------------------------

resource "aws_connect_phone_number" "claimed" {
  count = var.phone_number.claim == null ? 0 : 1

  target_arn   = aws_connect_instance.this.arn
  country_code = var.phone_number.claim.country_code
  type         = var.phone_number.claim.type
  prefix       = var.phone_number.claim.prefix
  description  = "${var.name_prefix} support line, answered by the ${var.flows[var.entry_flow].name} flow"

  tags = var.tags

  lifecycle {
    precondition {
      condition     = contains(keys(var.flows), var.entry_flow)
      error_message = "entry_flow \"${var.entry_flow}\" is not a key of flows.yaml."
    }
  }
}

locals {
  has_phone_number = var.phone_number.existing_id != null || var.phone_number.claim != null
  phone_number_id  = var.phone_number.claim == null ? var.phone_number.existing_id : aws_connect_phone_number.claimed[0].id
}

# aws_connect_phone_number_contact_flow_association came with provider 6.x; on 5.x the number is
# pointed at the flow by `aicc-ops deploy step` (AssociatePhoneNumberContactFlow), which first
# checks that the number is claimed to this instance. Undone on destroy.
resource "terraform_data" "phone_number_flow" {
  count = local.has_phone_number ? 1 : 0

  triggers_replace = {
    region          = data.aws_region.current.name
    instance_id     = aws_connect_instance.this.id
    phone_number_id = local.phone_number_id
    contact_flow_id = local.flow_ids[var.entry_flow]
  }

  provisioner "local-exec" {
    command = join(" ", [
      "aicc-ops deploy step",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "associate-phone-number",
      "--phone-number-id ${self.triggers_replace.phone_number_id}",
      "--contact-flow-id ${self.triggers_replace.contact_flow_id}",
    ])
  }

  provisioner "local-exec" {
    when       = destroy
    on_failure = continue
    command = join(" ", [
      "aicc-ops deploy step",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "associate-phone-number --undo",
      "--phone-number-id ${self.triggers_replace.phone_number_id}",
    ])
  }
}

# The predefined attribute the flows' routing criteria name (sentiment.yaml prefer_proficiency),
# which agents' proficiencies must use too: AWS::Connect::PredefinedAttribute is not in provider
# 5.x, so `aicc-ops deploy step` creates it (CreatePredefinedAttribute); it goes with the instance.
resource "terraform_data" "predefined_attribute" {
  triggers_replace = {
    region      = data.aws_region.current.name
    instance_id = aws_connect_instance.this.id
    name        = var.template_vars.sentiment.attribute
    values      = var.template_vars.sentiment.value
  }

  # The names come from sentiment.yaml: passed through the environment and quoted, never spliced
  # into the command line the shell parses.
  provisioner "local-exec" {
    command = "aicc-ops deploy step --region \"$AICC_REGION\" --instance-id \"$AICC_INSTANCE_ID\" predefined-attribute --name \"$AICC_ATTRIBUTE\" --values \"$AICC_VALUES\""
    environment = {
      AICC_REGION      = self.triggers_replace.region
      AICC_INSTANCE_ID = self.triggers_replace.instance_id
      AICC_ATTRIBUTE   = self.triggers_replace.name
      AICC_VALUES      = self.triggers_replace.values
    }
  }
}

# Every queue offers the quick connects of the other queues, so an agent can move a call (for
# example a general call that turns out to be an MSP outage) with one click. Provider 5.x has no
# association resource, and quick_connect_ids on the queue would be a dependency cycle (the queue
# quick connects reference the queues); the queues ignore quick_connect_ids so that the next apply
# does not empty what this step set.
resource "terraform_data" "queue_quick_connects" {
  for_each = var.queues

  triggers_replace = {
    region      = data.aws_region.current.name
    instance_id = aws_connect_instance.this.id
    queue_id    = aws_connect_queue.this[each.key].queue_id
    quick_connect_ids = join(",", sort([
      for key, qc in aws_connect_quick_connect.queue : qc.quick_connect_id if key != each.key
    ]))
  }

  provisioner "local-exec" {
    command = join(" ", [
      "aicc-ops deploy step",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "queue-quick-connects",
      "--queue-id ${self.triggers_replace.queue_id}",
      "--quick-connect-ids ${self.triggers_replace.quick_connect_ids}",
    ])
  }

  provisioner "local-exec" {
    when       = destroy
    on_failure = continue
    command = join(" ", [
      "aicc-ops deploy step",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "queue-quick-connects --undo",
      "--queue-id ${self.triggers_replace.queue_id}",
      "--quick-connect-ids ${self.triggers_replace.quick_connect_ids}",
    ])
  }
}
