# A root that creates one resource of each kind terraform/modules/connect uses (and a flow module,
# a Lex V1 bot association) against the local Connect emulator: test_connect_admin_terraform.py.

variable "endpoint" { type = string }

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}

provider "aws" {
  region                      = "ap-northeast-2"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    connect = var.endpoint
  }
}

locals {
  tags = { project = "aicc", env = "rehearsal" }
  flow = jsonencode({
    Version     = "2019-10-30"
    StartAction = "bye"
    Actions = [
      { Identifier = "hello", Type = "MessageParticipant", Parameters = { Text = "안녕하세요" }, Transitions = { NextAction = "bye", Errors = [{ ErrorType = "NoMatchingError", NextAction = "bye" }] } },
      { Identifier = "bye", Type = "DisconnectParticipant", Parameters = {}, Transitions = {} },
    ]
  })
}

resource "aws_connect_instance" "this" {
  identity_management_type  = "CONNECT_MANAGED"
  instance_alias            = "aicc-rehearsal"
  inbound_calls_enabled     = true
  outbound_calls_enabled    = true
  contact_flow_logs_enabled = true
  contact_lens_enabled      = true
  tags                      = local.tags
}

resource "aws_connect_instance_storage_config" "s3" {
  instance_id   = aws_connect_instance.this.id
  resource_type = "CALL_RECORDINGS"
  storage_config {
    storage_type = "S3"
    s3_config {
      bucket_name   = "aicc-recordings"
      bucket_prefix = "recordings"
      encryption_config {
        encryption_type = "KMS"
        key_id          = "arn:aws:kms:ap-northeast-2:123456789012:key/00000000-0000-0000-0000-000000000000"
      }
    }
  }
}

resource "aws_connect_instance_storage_config" "kinesis" {
  instance_id   = aws_connect_instance.this.id
  resource_type = "CONTACT_TRACE_RECORDS"
  storage_config {
    storage_type = "KINESIS_STREAM"
    kinesis_stream_config {
      stream_arn = "arn:aws:kinesis:ap-northeast-2:123456789012:stream/aicc-ctr"
    }
  }
}

resource "aws_connect_hours_of_operation" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "Business Hours"
  description = "Weekdays 9-18"
  time_zone   = "Asia/Seoul"
  dynamic "config" {
    for_each = ["MONDAY", "TUESDAY"]
    content {
      day = config.value
      start_time {
        hours   = 9
        minutes = 0
      }
      end_time {
        hours   = 18
        minutes = 0
      }
    }
  }
  tags = local.tags
}

resource "aws_connect_contact_flow" "outbound" {
  instance_id = aws_connect_instance.this.id
  name        = "Outbound whisper"
  type        = "OUTBOUND_WHISPER"
  description = "Whisper"
  content     = local.flow
  tags        = local.tags
}

resource "aws_connect_contact_flow" "entry" {
  instance_id = aws_connect_instance.this.id
  name        = "Entry"
  type        = "CONTACT_FLOW"
  description = "Entry flow"
  content     = local.flow
  tags        = local.tags
}

resource "aws_connect_contact_flow_module" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "Module"
  description = "A module"
  content     = local.flow
  tags        = local.tags
}

resource "aws_connect_phone_number" "this" {
  target_arn   = aws_connect_instance.this.arn
  country_code = "US"
  type         = "DID"
  description  = "support line"
  tags         = local.tags
}

resource "aws_connect_queue" "this" {
  instance_id           = aws_connect_instance.this.id
  name                  = "General"
  description           = "General customers"
  hours_of_operation_id = aws_connect_hours_of_operation.this.hours_of_operation_id
  max_contacts          = 50
  outbound_caller_config {
    outbound_caller_id_name      = "Support"
    outbound_caller_id_number_id = aws_connect_phone_number.this.id
    outbound_flow_id             = aws_connect_contact_flow.outbound.contact_flow_id
  }
  tags = local.tags
  lifecycle {
    ignore_changes = [quick_connect_ids]
  }
}

resource "aws_connect_routing_profile" "this" {
  instance_id               = aws_connect_instance.this.id
  name                      = "Agents"
  description               = "General agents"
  default_outbound_queue_id = aws_connect_queue.this.queue_id
  media_concurrencies {
    channel     = "VOICE"
    concurrency = 1
  }
  media_concurrencies {
    channel     = "CHAT"
    concurrency = 2
  }
  queue_configs {
    channel  = "VOICE"
    delay    = 0
    priority = 1
    queue_id = aws_connect_queue.this.queue_id
  }
  tags = local.tags
}

resource "aws_connect_security_profile" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "Engineer"
  description = "TS engineers"
  permissions = ["BasicAgentAccess", "OutboundCallAccess"]
  tags        = local.tags
}

data "aws_connect_contact_flow" "queue_transfer" {
  instance_id = aws_connect_instance.this.id
  name        = "Default queue transfer"
}

resource "aws_connect_quick_connect" "this" {
  instance_id = aws_connect_instance.this.id
  name        = "General"
  description = "Transfer to General"
  quick_connect_config {
    quick_connect_type = "QUEUE"
    queue_config {
      contact_flow_id = data.aws_connect_contact_flow.queue_transfer.contact_flow_id
      queue_id        = aws_connect_queue.this.queue_id
    }
  }
  tags = local.tags
}

resource "aws_connect_lambda_function_association" "this" {
  instance_id  = aws_connect_instance.this.id
  function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:aicc-dev-customer-lookup"
}

resource "aws_connect_bot_association" "this" {
  instance_id = aws_connect_instance.this.id
  lex_bot {
    lex_region = "ap-northeast-2"
    name       = "AiccBot"
  }
}
