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
  #   queue   CUSTOMER_QUEUE flows               reference no flow
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
    queue  = ["msp_emergency_queue", "msp_general_queue", "general_customer_queue", "after_hours_queue"]
    shared = ["callback_request", "emergency"]
    branch = ["msp_customer", "general_customer", "after_hours"]
    entry  = ["customer_authentication"]
  }
  flow_group_order = ["queue", "shared", "branch", "entry"]

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

  flow_queue  = { for key in local.flow_groups.queue : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_shared = { for key in local.flow_groups.shared : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_branch = { for key in local.flow_groups.branch : key => var.flows[key] if contains(keys(var.flows), key) }
  flow_entry  = { for key in local.flow_groups.entry : key => var.flows[key] if contains(keys(var.flows), key) }

  # Template variables (same names as the local engine binds, ops/aicc_ops/engine/flows.py).
  queue_arns  = { for key, queue in aws_connect_queue.this : key => queue.arn }
  queue_names = { for key, queue in var.queues : key => queue.name }
  hours_arns  = { for key, hours in aws_connect_hours_of_operation.this : key => hours.arn }

  flow_queue_arns  = { for key, flow in aws_connect_contact_flow.queue : key => flow.arn }
  flow_shared_arns = { for key, flow in aws_connect_contact_flow.shared : key => flow.arn }
  flow_branch_arns = { for key, flow in aws_connect_contact_flow.branch : key => flow.arn }
  flow_entry_arns  = { for key, flow in aws_connect_contact_flow.entry : key => flow.arn }

  flow_arns = merge(local.flow_queue_arns, local.flow_shared_arns, local.flow_branch_arns, local.flow_entry_arns)
  flow_ids = merge(
    { for key, flow in aws_connect_contact_flow.queue : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.shared : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.branch : key => flow.contact_flow_id },
    { for key, flow in aws_connect_contact_flow.entry : key => flow.contact_flow_id },
  )

  # Security profiles: least privilege per role. Flows, queues, hours, routing profiles and quick
  # connects are owned by Terraform, so nobody edits them in the console; the admin profile
  # manages people (users, hierarchy, agent states), not the call design.
  agent_permissions = [
    "BasicAgentAccess",          # Contact Control Panel
    "OutboundCallAccess",        # outbound calls (callbacks to customers)
    "TransferDestinations.View", # quick connects in the CCP transfer list
  ]
  supervisor_permissions = concat(local.agent_permissions, [
    "RealTimeMetrics.Access",
    "HistoricalMetrics.Access",
    "ContactSearch.View",
    "ContactAttributes.View",
    "RealtimeContactLens.View",
    "GraphTrends.View",
    "RedactedData.View", # redacted recordings and transcripts only
    "ManagerListenIn",
    "AgentStates.View",
    "AgentTimeCard.View",
    "Queues.View",
    "RoutingPolicies.View",
    "Users.View",
  ])
  admin_permissions = concat(local.supervisor_permissions, [
    "Users.Create",
    "Users.Edit",
    "Users.Delete",
    "SecurityProfiles.View",
    "AgentGrouping.Create",
    "AgentGrouping.Edit",
    "AgentGrouping.View",
    "AgentStates.Create",
    "AgentStates.Edit",
    "AgentStates.EnableAndDisable",
    "HoursOfOperation.View",
    "ContactFlows.View",
    "Prompts.View",
    "PhoneNumbers.View",
  ])
  security_profiles = {
    agent = {
      name        = "AICC Agent"
      description = "Agents: Contact Control Panel, outbound calls, quick connects."
      permissions = local.agent_permissions
    }
    supervisor = {
      name        = "AICC Supervisor"
      description = "Supervisors: agent access plus real-time and historical metrics, contact search, redacted recordings, monitoring."
      permissions = local.supervisor_permissions
    }
    admin = {
      name        = "AICC Admin"
      description = "Administrators: supervisor access plus users, hierarchy and agent states. Call design (flows, queues, hours, routing) is Terraform-managed and view-only."
      permissions = local.admin_permissions
    }
  }

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

  tags = var.tags

  lifecycle {
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

  media_concurrencies {
    channel     = "VOICE"
    concurrency = 1
  }

  dynamic "queue_configs" {
    for_each = each.value.queues

    content {
      channel  = "VOICE"
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
  for_each = local.security_profiles

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

# aws_connect_bot_association is Lex V1 only; Lex V2 aliases are associated through Cloud Control.
resource "awscc_connect_integration_association" "lex" {
  instance_id      = aws_connect_instance.this.arn
  integration_arn  = var.lex_bot_alias_arn
  integration_type = "LEX_BOT"
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
    lex_bot_alias_arn = var.lex_bot_alias_arn
  }
}

resource "aws_connect_contact_flow" "queue" {
  for_each = local.flow_queue

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = {}
  }))

  tags = var.tags

  # Connect validates the content on create: the Lambdas and the bot must already be associated.
  depends_on = [aws_connect_lambda_function_association.this, awscc_connect_integration_association.lex]

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
    flows = local.flow_queue_arns
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, awscc_connect_integration_association.lex]
}

resource "aws_connect_contact_flow" "branch" {
  for_each = local.flow_branch

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = merge(local.flow_queue_arns, local.flow_shared_arns)
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, awscc_connect_integration_association.lex]
}

resource "aws_connect_contact_flow" "entry" {
  for_each = local.flow_entry

  instance_id = aws_connect_instance.this.id
  name        = each.value.name
  type        = each.value.type
  description = each.value.description
  # Each group binds only the ARNs of flows created before it (flows.<key>).
  content = templatefile("${var.flows_dir}/${each.key}.json.tftpl", merge(local.flow_template_vars, {
    flows = merge(local.flow_queue_arns, local.flow_shared_arns, local.flow_branch_arns)
  }))

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, awscc_connect_integration_association.lex]
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
# Phone number (optional): a Korean DID answered by the entry flow
# -----------------------------------------------------------------------------

resource "aws_connect_phone_number" "this" {
  count = var.claim_phone_number ? 1 : 0

  target_arn   = aws_connect_instance.this.arn
  country_code = "KR"
  type         = "DID"
  description  = "${var.name_prefix} support line, answered by the ${var.flows[var.entry_flow].name} flow"

  tags = var.tags

  lifecycle {
    precondition {
      condition     = contains(keys(var.flows), var.entry_flow)
      error_message = "entry_flow \"${var.entry_flow}\" is not a key of flows.yaml."
    }
  }
}

# aws_connect_phone_number_contact_flow_association only exists in AWS provider 6.x (added in
# July 2025); this configuration is pinned to 5.x, so the association is made with the AWS CLI
# (AssociatePhoneNumberContactFlow), undone on destroy. See README.md.
resource "terraform_data" "phone_number_flow" {
  count = var.claim_phone_number ? 1 : 0

  triggers_replace = {
    region          = data.aws_region.current.name
    instance_id     = aws_connect_instance.this.id
    phone_number_id = aws_connect_phone_number.this[0].id
    contact_flow_id = local.flow_ids[var.entry_flow]
  }

  provisioner "local-exec" {
    command = join(" ", [
      "aws connect associate-phone-number-contact-flow",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "--phone-number-id ${self.triggers_replace.phone_number_id}",
      "--contact-flow-id ${self.triggers_replace.contact_flow_id}",
    ])
  }

  provisioner "local-exec" {
    when       = destroy
    on_failure = continue
    command = join(" ", [
      "aws connect disassociate-phone-number-contact-flow",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "--phone-number-id ${self.triggers_replace.phone_number_id}",
    ])
  }
}

# Every queue offers the quick connects of the other queues, so an agent can move a call (for
# example a general call that turns out to be an MSP outage) with one click. Provider 5.x has no
# association resource, and quick_connect_ids on the queue would be a dependency cycle.
resource "terraform_data" "queue_quick_connects" {
  for_each = var.queues

  triggers_replace = {
    region      = data.aws_region.current.name
    instance_id = aws_connect_instance.this.id
    queue_id    = aws_connect_queue.this[each.key].queue_id
    quick_connect_ids = join(" ", sort([
      for key, qc in aws_connect_quick_connect.queue : qc.quick_connect_id if key != each.key
    ]))
  }

  provisioner "local-exec" {
    command = join(" ", [
      "aws connect associate-queue-quick-connects",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "--queue-id ${self.triggers_replace.queue_id}",
      "--quick-connect-ids ${self.triggers_replace.quick_connect_ids}",
    ])
  }

  provisioner "local-exec" {
    when       = destroy
    on_failure = continue
    command = join(" ", [
      "aws connect disassociate-queue-quick-connects",
      "--region ${self.triggers_replace.region}",
      "--instance-id ${self.triggers_replace.instance_id}",
      "--queue-id ${self.triggers_replace.queue_id}",
      "--quick-connect-ids ${self.triggers_replace.quick_connect_ids}",
    ])
  }
}
