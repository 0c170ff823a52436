# SNS topics (alarms for on-call, notify for the handlers' pages), the operations dashboard, and
# the alarms. Every alarm's description ends with the link to its runbook in runbooks/, and the
# file names are stable: local.runbooks is the one place that maps alarm kinds to files.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  region       = data.aws_region.current.name
  runbooks_url = trimsuffix(var.runbooks_base_url, "/")

  # alarm kind -> runbook file in runbooks/ (names are stable: links in alarms point at them)
  runbooks = {
    lambda_errors        = "lambda-errors.md"
    lambda_throttles     = "lambda-throttles.md"
    lambda_duration_p95  = "lambda-duration-p95.md"
    dynamodb_throttles   = "dynamodb-throttles.md"
    queue_sla_risk       = "queue-sla-risk.md"
    concurrent_calls_max = "concurrent-calls-near-quota.md"
    contact_flow_errors  = "contact-flow-errors.md"
    throttled_calls      = "throttled-calls.md"
    calls_over_quota     = "calls-breaching-concurrency-quota.md"
    recording_upload     = "call-recording-upload-errors.md"
    records_delivery     = "contact-records-delivery.md"
    stream_iterator_age  = "agent-events-iterator-age.md"
  }

  # Queues with a first-response target in seconds; next-business-day queues have none.
  sla_queues = {
    for k, q in var.queues : k => merge(q, {
      threshold = floor(q.sla_seconds * var.queue_sla_risk_ratio)
    }) if q.sla_seconds != null && !q.sla_next_business_day
  }

  alarm_actions = [aws_sns_topic.this["alarms"].arn]
}

################################################################################
# SNS topics (KMS)
################################################################################

# A key of its own: CloudWatch alarms can publish to an encrypted topic only if the key policy
# lets cloudwatch.amazonaws.com use the key (the AWS managed alias/aws/sns key does not), and the
# Lambdas that publish to `notify` use it through SNS without a grant in their own policies.
data "aws_iam_policy_document" "sns_key" {
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

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "AccountPrincipalsThroughSns"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
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
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "sns" {
  description         = "${var.name_prefix}: SNS topics (alarms, notify)"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.sns_key.json

  tags = merge(var.tags, { Name = "${var.name_prefix}-sns" })
}

resource "aws_kms_alias" "sns" {
  name          = "alias/${var.name_prefix}-sns"
  target_key_id = aws_kms_key.sns.key_id
}

resource "aws_sns_topic" "this" {
  for_each = {
    alarms = "CloudWatch alarms for on-call"
    notify = "Escalation pages and manager notices sent by the call handlers"
  }

  name              = "${var.name_prefix}-${each.key}"
  display_name      = "AICC ${each.key}"
  kms_master_key_id = aws_kms_key.sns.arn

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}", Purpose = each.value })
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.this["alarms"].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "notify_email" {
  for_each = toset(var.notify_emails)

  topic_arn = aws_sns_topic.this["notify"].arn
  protocol  = "email"
  endpoint  = each.value
}

################################################################################
# Alarms
################################################################################

# Errors and throttles: any in 5 minutes means a flow took its error branch. One alarm per
# function and metric, built from one table instead of two near-identical resources.
locals {
  lambda_failure_kinds = {
    errors    = { metric = "Errors", runbook = "lambda_errors", what = "raised an error in the last 5 minutes: the calling flow took its error branch" }
    throttles = { metric = "Throttles", runbook = "lambda_throttles", what = "was throttled in the last 5 minutes: Connect got no answer and the flow took its error branch" }
  }
  lambda_failure_alarms = merge([
    for kind, k in local.lambda_failure_kinds : {
      for fn, name in var.function_names : "${kind}-${fn}" => merge(k, { kind = kind, fn = fn, name = name })
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "lambda_failures" {
  for_each = local.lambda_failure_alarms

  alarm_name          = "${var.name_prefix}-lambda-${each.value.kind}-${each.value.fn}"
  alarm_description   = "Lambda ${each.value.name} (${each.value.fn}) ${each.value.what}. Runbook: ${local.runbooks_url}/${local.runbooks[each.value.runbook]}"
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = each.value.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Runbook = local.runbooks[each.value.runbook] })
}

resource "aws_cloudwatch_metric_alarm" "lambda_duration_p95" {
  # Only the functions a caller waits on (a stream's consumer works in batches, in the background).
  for_each = { for k, n in var.function_names : k => n if var.function_kinds[k] != "kinesis" }

  alarm_name          = "${var.name_prefix}-lambda-duration-p95-${each.key}"
  alarm_description   = "Lambda ${each.value} (${each.key}) p95 duration above ${var.lambda_duration_p95_threshold_ms} ms in 2 of the last 3 5-minute periods; flows give it 3 s before the error branch. Runbook: ${local.runbooks_url}/${local.runbooks.lambda_duration_p95}"
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = each.value }
  extended_statistic  = "p95"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.lambda_duration_p95_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Runbook = local.runbooks.lambda_duration_p95 })
}

# ThrottledRequests is reported per TableName and Operation: the alarm sums the operations.
resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = var.table_names

  alarm_name          = "${var.name_prefix}-dynamodb-throttles-${each.key}"
  alarm_description   = "DynamoDB table ${each.value} (${each.key}) throttled requests in the last 5 minutes (sum over operations). Runbook: ${local.runbooks_url}/${local.runbooks.dynamodb_throttles}"
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "throttled"
    label       = "ThrottledRequests (all operations)"
    expression  = "SUM(METRICS())"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = var.dynamodb_operations
    content {
      id = "m${metric_query.key}"

      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = "ThrottledRequests"
        dimensions  = { TableName = each.value, Operation = metric_query.value }
        stat        = "Sum"
        period      = 300
      }
    }
  }

  tags = merge(var.tags, { Runbook = local.runbooks.dynamodb_throttles })
}

resource "aws_cloudwatch_metric_alarm" "queue_sla_risk" {
  for_each = local.sla_queues

  alarm_name          = "${var.name_prefix}-queue-sla-risk-${each.key}"
  alarm_description   = "Queue ${each.value.name}: a caller waited more than ${each.value.threshold} s (${floor(var.queue_sla_risk_ratio * 100)} % of the ${each.value.sla_seconds} s SLA). Runbook: ${local.runbooks_url}/${local.runbooks.queue_sla_risk}"
  namespace           = "AWS/Connect"
  metric_name         = "LongestQueueWaitTime"
  dimensions          = { InstanceId = var.instance_id, MetricGroup = "Queue", QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Runbook = local.runbooks.queue_sla_risk })
}

# On the count of calls against the quota we keep in var.concurrent_calls_quota: the unit of
# ConcurrentCallsPercentage (fraction or percent) is not stated clearly enough to alarm on it.
resource "aws_cloudwatch_metric_alarm" "concurrent_calls_near_quota" {
  alarm_name          = "${var.name_prefix}-concurrent-calls-near-quota"
  alarm_description   = "Concurrent voice calls above ${var.concurrent_calls_alarm_percent} % of the instance quota (${var.concurrent_calls_quota} calls) in 2 of the last 3 minutes; calls beyond the quota are rejected. Runbook: ${local.runbooks_url}/${local.runbooks.concurrent_calls_max}"
  namespace           = "AWS/Connect"
  metric_name         = "ConcurrentCalls"
  dimensions          = { InstanceId = var.instance_id, MetricGroup = "VoiceCalls" }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = floor(var.concurrent_calls_quota * var.concurrent_calls_alarm_percent / 100)
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Runbook = local.runbooks.concurrent_calls_max })
}

# The alarms on one metric each, from one table: Connect's own (counted over 5 minutes; Connect
# publishes a metric only when it has data, so no data is no trouble), each flow's error branches
# (callers' invalid input takes them too) and fatal errors (the caller was cut off), a stream
# consumer falling behind (its iterator age grows; a mapping that cannot read at all publishes
# nothing, see the runbook), and the contact records' delivery (they wait in a stream that keeps
# them 24 hours: stalled delivery must be seen long before that).
locals {
  instance = { InstanceId = var.instance_id }
  metric_alarms = merge(
    {
      connect-throttled-calls = {
        namespace = "AWS/Connect", metric = "ThrottledCalls", dimensions = merge(local.instance, { MetricGroup = "VoiceCalls" })
        what      = "Connect instance ${var.instance_id}: calls were rejected because the instance's call rate quota was exceeded in the last 5 minutes"
        statistic = "Sum", periods = 1, breaching = 1, threshold = 0, runbook = "throttled_calls"
      }
      connect-calls-over-quota = {
        namespace = "AWS/Connect", metric = "CallsBreachingConcurrencyQuota", dimensions = merge(local.instance, { MetricGroup = "VoiceCalls" })
        what      = "Connect instance ${var.instance_id}: calls exceeded the concurrent active calls quota and were rejected in the last 5 minutes"
        statistic = "Sum", periods = 1, breaching = 1, threshold = 0, runbook = "calls_over_quota"
      }
      connect-recording-upload = {
        namespace = "AWS/Connect", metric = "CallRecordingUploadError", dimensions = merge(local.instance, { MetricGroup = "CallRecordings" })
        what      = "Connect instance ${var.instance_id}: call recordings failed to upload to S3 in the last 5 minutes (recordings and Contact Lens analysis are missing)"
        statistic = "Sum", periods = 1, breaching = 1, threshold = 0, runbook = "recording_upload"
      }
    },
    merge([
      for key, name in var.flow_names : {
        "flow-${replace(key, "_", "-")}-errors" = {
          namespace = "AWS/Connect", metric = "ContactFlowErrors", dimensions = merge(local.instance, { MetricGroup = "ContactFlow", ContactFlowName = name })
          what      = "Contact flow \"${name}\" took error branches more than ${var.contact_flow_errors_threshold} times in the last 5 minutes"
          statistic = "Sum", periods = 1, breaching = 1, threshold = var.contact_flow_errors_threshold, runbook = "contact_flow_errors"
        }
        "flow-${replace(key, "_", "-")}-fatal" = {
          namespace = "AWS/Connect", metric = "ContactFlowFatalErrors", dimensions = merge(local.instance, { MetricGroup = "ContactFlow", ContactFlowName = name })
          what      = "Contact flow \"${name}\" failed on a system error (callers were cut off) in the last 5 minutes"
          statistic = "Sum", periods = 1, breaching = 1, threshold = 0, runbook = "contact_flow_errors"
        }
      }
    ]...),
    {
      for key, name in var.function_names : "${replace(key, "_", "-")}-iterator-age" => {
        namespace = "AWS/Lambda", metric = "IteratorAge", dimensions = { FunctionName = name }
        what      = "Lambda ${name} (${key}) is more than 5 minutes behind its stream in 2 of the last 3 5-minute periods: what it keeps (agent status and live load) is going stale"
        statistic = "Maximum", periods = 3, breaching = 2, threshold = 300000, runbook = "stream_iterator_age" # ms
      } if var.function_kinds[key] == "kinesis"
    },
    var.contact_records_delivery_stream == null ? {} : {
      contact-records-delivery = {
        namespace = "AWS/Firehose", metric = "DeliveryToS3.DataFreshness", dimensions = { DeliveryStreamName = var.contact_records_delivery_stream }
        what      = "Firehose ${var.contact_records_delivery_stream}: the oldest contact record waiting has been older than 15 minutes for 15 minutes; delivery to S3 is failing or stalled (the stream keeps records 24 hours)"
        statistic = "Maximum", periods = 3, breaching = 3, threshold = 900, runbook = "records_delivery" # s
      }
    },
  )
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = local.metric_alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = "${each.value.what}. Runbook: ${local.runbooks_url}/${local.runbooks[each.value.runbook]}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = each.value.periods
  datapoints_to_alarm = each.value.breaching
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Runbook = local.runbooks[each.value.runbook] })
}

locals {
  # alarm name -> runbook file, for every alarm of the module
  alarm_runbooks = merge(
    { for k, a in aws_cloudwatch_metric_alarm.lambda_failures : a.alarm_name => local.runbooks[local.lambda_failure_alarms[k].runbook] },
    { for a in aws_cloudwatch_metric_alarm.lambda_duration_p95 : a.alarm_name => local.runbooks.lambda_duration_p95 },
    { for a in aws_cloudwatch_metric_alarm.dynamodb_throttles : a.alarm_name => local.runbooks.dynamodb_throttles },
    { for a in aws_cloudwatch_metric_alarm.queue_sla_risk : a.alarm_name => local.runbooks.queue_sla_risk },
    { (aws_cloudwatch_metric_alarm.concurrent_calls_near_quota.alarm_name) = local.runbooks.concurrent_calls_max },
    { for k, a in aws_cloudwatch_metric_alarm.metric : a.alarm_name => local.runbooks[local.metric_alarms[k].runbook] },
  )
}

################################################################################
# Dashboard
################################################################################

locals {
  connect_voice = ["InstanceId", var.instance_id, "MetricGroup", "VoiceCalls"]
  connect_queue = { for k, q in var.queues : k => ["InstanceId", var.instance_id, "MetricGroup", "Queue", "QueueName", q.name] }

  # The SLA monitor's own metrics (lambdas/aicc/domain/sla.py and workload.py name them): Connect
  # publishes no SLA measure and nothing per agent. Agents are found by SEARCH: who is signed in
  # changes, and only signed-in agents are published, by Connect user ID (no staff names in metrics).
  sla_monitor_dims = ["service", var.sla_monitor_service]
  agent_search = {
    for metric, stat in { AgentContacts = "Maximum", AgentOccupancy = "Average" } : metric =>
    "SEARCH('{${var.metrics_namespace},Agent,service} MetricName=\"${metric}\" service=\"${var.sla_monitor_service}\"', '${stat}', 60)"
  }

  dashboard_widgets = [
    {
      type   = "text"
      width  = 24
      height = 2
      properties = {
        markdown = "# AICC ${var.name_prefix}\nConnect instance `${var.instance_id}`. Every alarm links its runbook: [runbooks](${local.runbooks_url}). Flows give a Lambda 3 s; the concurrent-call quota is ${var.concurrent_calls_quota}."
      }
    },
    {
      type   = "metric"
      width  = 24
      height = 4
      properties = {
        title  = "Now: calls in progress and queue status (waiting, longest wait in s)"
        region = local.region
        view   = "singleValue"
        period = 60
        stat   = "Maximum"
        metrics = concat(
          [concat(["AWS/Connect", "ConcurrentCalls"], local.connect_voice, [{ label = "Calls in progress" }])],
          [for k, q in var.queues : concat(["AWS/Connect", "QueueSize"], local.connect_queue[k], [{ label = "${q.name} waiting" }])],
          [for k, q in var.queues : concat(["AWS/Connect", "LongestQueueWaitTime"], local.connect_queue[k], [{ label = "${q.name} longest wait" }])],
        )
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "SLA compliance: oldest caller's wait, % of the queue's SLA"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Maximum"
        metrics = [
          for k, q in local.sla_queues :
          concat([var.metrics_namespace, "SlaWaitShare", "queue", q.name], local.sla_monitor_dims, [{ label = q.name }])
        ]
        yAxis = { left = { min = 0 } }
        annotations = {
          horizontal = [
            { label = "At risk (${floor(var.queue_sla_risk_ratio * 100)} %)", value = var.queue_sla_risk_ratio * 100 },
            { label = "Breached", value = 100 },
          ]
        }
      }
    },
    {
      type   = "metric"
      width  = 6
      height = 6
      properties = {
        title   = "Agent workload: contacts now, per agent (Connect user ID)"
        region  = local.region
        view    = "timeSeries"
        period  = 60
        metrics = [[{ id = "contacts", expression = local.agent_search.AgentContacts, label = "$${PROP('Dim.Agent')}" }]]
      }
    },
    {
      type   = "metric"
      width  = 6
      height = 6
      properties = {
        title   = "Agent workload: occupancy %, per agent (Connect user ID)"
        region  = local.region
        view    = "timeSeries"
        period  = 60
        metrics = [[{ id = "occupancy", expression = local.agent_search.AgentOccupancy, label = "$${PROP('Dim.Agent')}" }]]
        yAxis   = { left = { min = 0, max = 100 } }
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Connect: calls per interval, missed calls"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Sum"
        metrics = [
          concat(["AWS/Connect", "CallsPerInterval"], local.connect_voice, [{ label = "Calls" }]),
          concat(["AWS/Connect", "MissedCalls"], local.connect_voice, [{ label = "Missed (agent did not answer in 20 s)" }]),
        ]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Connect: concurrent calls"
        region  = local.region
        view    = "timeSeries"
        period  = 60
        stat    = "Maximum"
        metrics = [concat(["AWS/Connect", "ConcurrentCalls"], local.connect_voice, [{ label = "Concurrent calls" }])]
        annotations = {
          horizontal = [
            { label = "Quota", value = var.concurrent_calls_quota },
            { label = "${var.concurrent_calls_alarm_percent} % of quota", value = var.concurrent_calls_quota * var.concurrent_calls_alarm_percent / 100 },
          ]
        }
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Connect: concurrent calls, fraction of quota"
        region  = local.region
        view    = "timeSeries"
        period  = 60
        stat    = "Maximum"
        metrics = [concat(["AWS/Connect", "ConcurrentCallsPercentage"], local.connect_voice, [{ label = "ConcurrentCallsPercentage" }])]
        yAxis   = { left = { min = 0, max = 1 } }
        annotations = {
          horizontal = [{ label = "Alarm", value = var.concurrent_calls_alarm_percent / 100 }]
        }
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "Connect: queue size"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Maximum"
        metrics = [
          for k, q in var.queues : concat(["AWS/Connect", "QueueSize"], local.connect_queue[k], [{ label = q.name }])
        ]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "Connect: longest queue wait (s)"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Maximum"
        metrics = [
          for k, q in var.queues : concat(["AWS/Connect", "LongestQueueWaitTime"], local.connect_queue[k], [{ label = q.name }])
        ]
        annotations = {
          horizontal = [for k, q in local.sla_queues : { label = "${q.name} SLA risk", value = q.threshold }]
        }
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Lambda: duration p95 (ms)"
        region  = local.region
        view    = "timeSeries"
        period  = 300
        stat    = "p95"
        metrics = [for k, n in var.function_names : ["AWS/Lambda", "Duration", "FunctionName", n, { label = k }]]
        annotations = {
          horizontal = [
            { label = "Alarm", value = var.lambda_duration_p95_threshold_ms },
            { label = "Flow time limit (3 s)", value = 3000 },
          ]
        }
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Lambda: errors"
        region  = local.region
        view    = "timeSeries"
        period  = 300
        stat    = "Sum"
        metrics = [for k, n in var.function_names : ["AWS/Lambda", "Errors", "FunctionName", n, { label = k }]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Lambda: throttles"
        region  = local.region
        view    = "timeSeries"
        period  = 300
        stat    = "Sum"
        metrics = [for k, n in var.function_names : ["AWS/Lambda", "Throttles", "FunctionName", n, { label = k }]]
      }
    },
    # DynamoDB reports these per TableName and Operation: one SEARCH per table shows every operation.
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "DynamoDB: successful request latency (ms, average)"
        region = local.region
        view   = "timeSeries"
        period = 300
        metrics = [
          for k, n in var.table_names : [{
            id         = "lat_${k}"
            expression = "SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName=\"SuccessfulRequestLatency\" TableName=\"${n}\"', 'Average', 300)"
            label      = "${k} $${PROP('Dim.Operation')}"
          }]
        ]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "DynamoDB: throttled requests"
        region = local.region
        view   = "timeSeries"
        period = 300
        metrics = [
          for k, n in var.table_names : [{
            id         = "thr_${k}"
            expression = "SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName=\"ThrottledRequests\" TableName=\"${n}\"', 'Sum', 300)"
            label      = "${k} $${PROP('Dim.Operation')}"
          }]
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = "${var.name_prefix}-operations"
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
