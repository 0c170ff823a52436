output "instance_id" {
  description = "Amazon Connect instance ID."
  value       = aws_connect_instance.this.id
}

output "instance_arn" {
  description = "Amazon Connect instance ARN."
  value       = aws_connect_instance.this.arn
}

output "queue_ids" {
  description = "Queue IDs keyed by queue key (queues.yaml)."
  value       = { for key, queue in aws_connect_queue.this : key => queue.queue_id }
}

output "queue_arns" {
  description = "Queue ARNs keyed by queue key (queues.yaml)."
  value       = { for key, queue in aws_connect_queue.this : key => queue.arn }
}

output "flow_ids" {
  description = "Contact flow IDs keyed by flow key (flows.yaml)."
  value       = local.flow_ids
}

output "flow_arns" {
  description = "Contact flow ARNs keyed by flow key (flows.yaml)."
  value       = local.flow_arns
}

output "flow_groups" {
  description = "Creation group of each flow key (outbound, page, queue, shared, branch, entry): a flow references only flows of earlier groups."
  value       = { for key, rank in local.flow_rank : key => local.flow_group_order[rank] if contains(keys(var.flows), key) }
}

output "hours_ids" {
  description = "Hours of operation IDs keyed by hours key (hours.yaml)."
  value       = { for key, hours in aws_connect_hours_of_operation.this : key => hours.hours_of_operation_id }
}

output "routing_profile_ids" {
  description = "Routing profile IDs keyed by routing profile key (routing_profiles.yaml)."
  value       = { for key, profile in aws_connect_routing_profile.this : key => profile.routing_profile_id }
}

output "security_profile_ids" {
  description = "Security profile IDs keyed by role (agent, supervisor, admin)."
  value       = { for key, profile in aws_connect_security_profile.this : key => profile.security_profile_id }
}

output "quick_connect_ids" {
  description = "Queue quick connect IDs keyed by queue key."
  value       = { for key, qc in aws_connect_quick_connect.queue : key => qc.quick_connect_id }
}

output "phone_number" {
  description = "The claimed phone number in E.164 (phone_number.claim), else null (an existing number is known by its ID)."
  value       = try(aws_connect_phone_number.claimed[0].phone_number, null)
}

output "phone_number_id" {
  description = "ID of the support line's number (claimed or existing), or null when there is none."
  value       = local.phone_number_id
}

output "contact_records_delivery_stream" {
  description = "Name of the Firehose delivery stream that writes the contact records to S3."
  value       = aws_kinesis_firehose_delivery_stream.contact_records.name
}

output "ctr_stream_arn" {
  description = "ARN of the Kinesis stream receiving contact trace records."
  value       = aws_kinesis_stream.this["CONTACT_TRACE_RECORDS"].arn
}

output "agent_events_stream" {
  description = "The Kinesis stream receiving agent events: arn, and kms_key_arn, the key its records are encrypted with (a reader decrypts with it)."
  value = {
    arn         = aws_kinesis_stream.this["AGENT_EVENTS"].arn
    kms_key_arn = aws_kinesis_stream.this["AGENT_EVENTS"].kms_key_id
  }
}

output "protected" {
  description = "Name => ARN of what a protected environment must not lose (the instance and every queue): the root module guards each."
  value = merge(
    { instance = aws_connect_instance.this.arn },
    { for key, queue in aws_connect_queue.this : "queue.${key}" => queue.arn },
  )
}
