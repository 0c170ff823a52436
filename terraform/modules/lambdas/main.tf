# One artifact (lambdas/ zipped), one function per handler in functions.yaml, each with its own
# role whose DynamoDB and SNS permissions are generated from functions.yaml and nothing else.
#
# No dead-letter queue: Connect flows and Lex invoke these functions synchronously
# (RequestResponse), and a DLQ (dead_letter_config) only receives failed asynchronous events. A
# failure reaches the caller's flow as its error branch, and the Errors alarm (monitoring module).
# A stream's function (agent_events) is polled by its event source mapping: failed records are
# retried there, and records that still fail are dropped once 10 minutes old, since each agent's
# next event (a heartbeat every 120 s) restates the whole snapshot; the iterator-age alarm says
# when the function falls behind.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # The functions' Python; `aicc-ops deploy` builds the layer for it and compiles the artifact's
  # bytecode with it (aicc_ops.deploy.artifacts reads this line).
  runtime = "python3.12"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Table key -> environment variable, from the same tables.yaml the code reads (its `env`).
  table_env = {
    for k, t in yamldecode(file("${var.source_dir}/aicc/config/tables.yaml")).tables : k => t.env
  }

  function_names = { for k in keys(var.functions) : k => "${var.name_prefix}-${replace(k, "_", "-")}" }

  # The CloudWatch namespace of every handler's embedded metrics (POWERTOOLS_METRICS_NAMESPACE);
  # the dashboard reads it from the module's output.
  metrics_namespace = "AICC"

  provisioned = { for k, v in var.provisioned_concurrency : k => v if contains(keys(var.functions), k) }

  # Functions run on an EventBridge schedule: handler -> schedule expression.
  scheduled_functions = { for k, f in var.functions : k => f.schedule if f.invoked_by == "schedule" }

  instance_id = var.connect_instance_arn != null ? element(split("/", var.connect_instance_arn), 1) : ""
  slack       = anytrue([for f in values(var.functions) : f.posts_to_slack])

  # Functions fed by a stream (event source mapping): handler -> stream key.
  stream_functions = { for k, f in var.functions : k => f.stream if f.invoked_by == "kinesis" }

  # Handler -> IAM statements on its stream (AWSLambdaKinesisExecutionRole, scoped): the Lambda
  # service polls the stream with the function's role and decrypts the records with the stream's
  # key. The event source mapping checks ListStreams when it is created, which cannot be scoped.
  # (var.streams' validation names a stream the root module does not pass.)
  stream_statements = {
    for fn, stream in local.stream_functions : fn => [
      {
        sid       = "ReadStream"
        actions   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"]
        resources = [var.streams[stream].arn]
      },
      {
        sid       = "ListStreams"
        actions   = ["kinesis:ListStreams"]
        resources = ["*"]
      },
      {
        sid       = "DecryptStream"
        actions   = ["kms:Decrypt"]
        resources = [var.streams[stream].kms_key_arn]
      },
    ]
  }

  dependencies_layer = var.dependencies_layer_zip != null ? aws_lambda_layer_version.dependencies[0].arn : var.dependencies_layer_arn
  layers             = [for arn in [var.powertools_layer_arn, local.dependencies_layer] : arn if arn != null]

  # Handler -> IAM statements on its tables (an unknown table key is reported by the function's
  # precondition, hence the lookups). The adapter only ever Queries a GSI, so Query is
  # granted on the index ARNs named in `indexes` (on the table itself when none are named); every
  # other action on the table ARN.
  dynamodb_statements = {
    for fn, f in var.functions : fn => flatten([
      for t, actions in f.tables : [
        for s in [
          {
            sid       = "DynamoDB${replace(title(replace(t, "_", " ")), " ", "")}"
            actions   = sort([for a in actions : a if a != "dynamodb:Query" || length(lookup(f.indexes, t, [])) == 0])
            resources = [lookup(var.table_arns, t, "")]
          },
          {
            sid       = "DynamoDB${replace(title(replace(t, "_", " ")), " ", "")}Indexes"
            actions   = contains(actions, "dynamodb:Query") && length(lookup(f.indexes, t, [])) > 0 ? ["dynamodb:Query"] : []
            resources = [for i in lookup(f.indexes, t, []) : "${lookup(var.table_arns, t, "")}/index/${i}"]
          },
        ] : s if length(s.actions) > 0
      ]
    ])
  }
}

################################################################################
# IAM: one role per function
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

  name               = "${local.function_names[each.key]}-lambda"
  description        = "Execution role of ${local.function_names[each.key]} (${each.value.handler})"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = merge(var.tags, { "aicc:handler" = each.key })
}

data "aws_iam_policy_document" "function" {
  for_each = var.functions

  # AWSLambdaBasicExecutionRole, scoped to the function's own log group (created below, so no
  # logs:CreateLogGroup).
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  # Active tracing: the Lambda service records the segments (the handlers do not load the X-Ray SDK).
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # Its tables and, for a stream's function, its stream (see the locals).
  dynamic "statement" {
    for_each = concat(local.dynamodb_statements[each.key], lookup(local.stream_statements, each.key, []))
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # The topic's own KMS key lets account principals use it through SNS (monitoring module).
  dynamic "statement" {
    for_each = each.value.publishes && var.notify_topic_arn != null ? [var.notify_topic_arn] : []
    content {
      sid       = "NotifyTopic"
      actions   = ["sns:Publish"]
      resources = [statement.value]
    }
  }

  # On-call pages (functions.yaml `pages`). An SMS is published to a phone number, not to a
  # topic: SNS has no resource ARN or condition key for that, so it is authorized on "*".
  dynamic "statement" {
    for_each = each.value.pages ? ["sms"] : []
    content {
      sid       = "PageSms"
      actions   = ["sns:Publish"]
      resources = ["*"]
    }
  }

  # The caller's sentiment per Lex turn (functions.yaml `detects_sentiment`). DetectSentiment has no
  # resource type, so "*" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncomprehend.html).
  dynamic "statement" {
    for_each = each.value.detects_sentiment ? ["sentiment"] : []
    content {
      sid       = "DetectSentiment"
      actions   = ["comprehend:DetectSentiment"]
      resources = ["*"]
    }
  }

  # Knowledge answers (functions.yaml `knowledge`, adapters/knowledge.py): Retrieve on the knowledge
  # base; Converse is authorized as bedrock:InvokeModel on the model (and its inference profile), and
  # with a guardrailConfig also needs bedrock:ApplyGuardrail on the guardrail and its cross-Region
  # profile (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html,
  # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html).
  dynamic "statement" {
    for_each = each.value.knowledge && var.knowledge != null ? [
      { sid = "KnowledgeRetrieve", actions = ["bedrock:Retrieve"], resources = [var.knowledge.knowledge_base_arn] },
      { sid = "KnowledgeAnswerModel", actions = ["bedrock:InvokeModel"], resources = var.knowledge.answer_model_arns },
      { sid = "KnowledgeGuardrail", actions = ["bedrock:ApplyGuardrail"], resources = [var.knowledge.guardrail_arn, var.knowledge.guardrail_profile_arn] },
    ] : []
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # Queue real-time metrics (functions.yaml `reads_queue_metrics`, adapters/sla_monitor.py):
  # ListQueues is authorized on the instance, GetCurrentMetricData on the instance and the queues
  # of its filter (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonconnect.html).
  dynamic "statement" {
    for_each = each.value.reads_queue_metrics && var.connect_instance_arn != null ? [
      { sid = "ListQueues", actions = ["connect:ListQueues"], resources = [var.connect_instance_arn] },
      { sid = "QueueMetrics", actions = ["connect:GetCurrentMetricData"], resources = [var.connect_instance_arn, "${var.connect_instance_arn}/queue/*"] },
    ] : []
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # Agents' real-time data (functions.yaml `reads_agent_data`, adapters/sla_monitor.py): GetCurrentUserData
  # filtered by the queues (the instance and the queues of its filter), as the service authorization
  # reference lists them. No ListUsers: agents are published by user ID, not login (domain/workload.py).
  dynamic "statement" {
    for_each = each.value.reads_agent_data && var.connect_instance_arn != null ? [
      { sid = "AgentData", actions = ["connect:GetCurrentUserData"], resources = [var.connect_instance_arn, "${var.connect_instance_arn}/queue/*"] },
    ] : []
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # The Slack bot token (functions.yaml `posts_to_slack`); the secret is encrypted with the data
  # key, which every function may already Decrypt.
  dynamic "statement" {
    for_each = each.value.posts_to_slack ? [aws_secretsmanager_secret.slack_token[0].arn] : []
    content {
      sid       = "SlackToken"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  # Operating reports (functions.yaml `reports`, adapters/reports.py): list and read the contact
  # records (ListObjectsV2 is authorized as s3:ListBucket on the bucket), write reports/ objects
  # (PutObject), decrypt the records' key and encrypt with the reports' key (SSE-KMS needs
  # kms:GenerateDataKey to write, kms:Decrypt to read:
  # https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
  dynamic "statement" {
    for_each = each.value.reports && var.reports != null ? [
      { sid = "ListContactRecords", actions = ["s3:ListBucket"], resources = [var.reports.records_bucket_arn] },
      { sid = "ReadContactRecords", actions = ["s3:GetObject"], resources = ["${var.reports.records_bucket_arn}/contact-records/*"] },
      { sid = "DecryptContactRecords", actions = ["kms:Decrypt"], resources = [var.reports.records_kms_key_arn] },
      { sid = "WriteReports", actions = ["s3:PutObject"], resources = ["${var.reports.reports_bucket_arn}/reports/*"] },
      { sid = "EncryptReports", actions = ["kms:GenerateDataKey"], resources = [var.reports.reports_kms_key_arn] },
    ] : []
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # The page call: StartOutboundVoiceContact on this instance's contacts, into its flows and
  # queues. The Emergency Page flow's own ARN cannot be named here: the flows invoke these
  # functions, so they are created after them.
  dynamic "statement" {
    for_each = each.value.pages && var.connect_instance_arn != null ? [var.connect_instance_arn] : []
    content {
      sid     = "PageCall"
      actions = ["connect:StartOutboundVoiceContact"]
      resources = [
        "${statement.value}/contact/*",
        "${statement.value}/contact-flow/*",
        "${statement.value}/queue/*",
      ]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = var.functions

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}

################################################################################
# Log groups
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = merge(var.tags, { "aicc:handler" = each.key })
}

################################################################################
# Functions
################################################################################

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116: no asynchronous invocations: Connect and Lex invoke synchronously, the stream's mapping retries its own records (see the header)
  # checkov:skip=CKV_AWS_117: the functions reach only AWS public endpoints (DynamoDB, SNS); a VPC adds ENI and NAT or endpoint cost, no protection
  # checkov:skip=CKV_AWS_272: the artifact is zipped from the reviewed repository by this module; code signing needs an S3 signer pipeline (not yet)
  for_each = var.functions

  function_name    = local.function_names[each.key]
  description      = "AICC ${each.key} (${each.value.invoked_by})"
  role             = aws_iam_role.this[each.key].arn
  handler          = each.value.handler
  runtime          = local.runtime
  architectures    = ["arm64"]
  filename         = var.source_zip
  source_code_hash = filebase64sha256(var.source_zip)
  timeout          = each.value.timeout
  memory_size      = each.value.memory
  layers           = local.layers
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = lookup(var.reserved_concurrency, each.key, -1)
  # A version is published only for the alias that carries provisioned concurrency.
  publish = contains(keys(local.provisioned), each.key)

  environment {
    variables = merge(
      var.environment,
      {
        POWERTOOLS_SERVICE_NAME      = each.key
        POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
      },
      { for t in keys(each.value.tables) : lookup(local.table_env, t, "UNKNOWN_TABLE_${t}") => lookup(var.table_names, t, "") },
      each.value.publishes && var.notify_topic_arn != null ? { NOTIFY_TOPIC_ARN = var.notify_topic_arn } : {},
      each.value.reads_queue_metrics || each.value.reads_agent_data ? { CONNECT_INSTANCE_ID = local.instance_id } : {},
      each.value.posts_to_slack ? { SLACK_TOKEN_SECRET_ID = aws_secretsmanager_secret.slack_token[0].arn } : {},
      each.value.reports && var.reports != null ? {
        CONTACT_RECORDS_BUCKET = var.reports.records_bucket
        REPORTS_BUCKET         = var.reports.reports_bucket
      } : {},
      each.value.knowledge && var.knowledge != null ? {
        KNOWLEDGE_BASE_ID = var.knowledge.knowledge_base_id
        ANSWER_MODEL_ID   = var.knowledge.answer_model_id
        GUARDRAIL_ID      = var.knowledge.guardrail_id
        GUARDRAIL_VERSION = var.knowledge.guardrail_version
      } : {},
    )
  }

  tracing_config {
    mode = "Active"
  }

  tags = merge(var.tags, { "aicc:handler" = each.key })

  lifecycle {
    precondition {
      condition     = alltrue([for t in keys(each.value.tables) : contains(keys(var.table_names), t) && contains(keys(var.table_arns), t) && contains(keys(local.table_env), t)])
      error_message = "functions.yaml: ${each.key} uses a table that tables.yaml / the data module does not define."
    }
    precondition {
      condition     = !(each.value.reads_queue_metrics || each.value.reads_agent_data) || var.connect_instance_arn != null
      error_message = "functions.yaml: ${each.key} has `reads_queue_metrics` or `reads_agent_data`, but the root module passes no connect_instance_arn."
    }
    precondition {
      condition     = !each.value.reports || var.reports != null
      error_message = "functions.yaml: ${each.key} has `reports: true`, but the root module passes no `reports` buckets."
    }
    precondition {
      condition     = !each.value.knowledge || var.knowledge != null
      error_message = "functions.yaml: ${each.key} has `knowledge: true`, but the root module passes no knowledge base (`knowledge`)."
    }
  }

  # The log group and the policy exist before the first invocation can log or fail on access.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

resource "aws_lambda_alias" "live" {
  for_each = local.provisioned

  name             = "live"
  description      = "Latest published version, with provisioned concurrency"
  function_name    = aws_lambda_function.this[each.key].function_name
  function_version = aws_lambda_function.this[each.key].version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  for_each = local.provisioned

  function_name                     = aws_lambda_alias.live[each.key].function_name
  qualifier                         = aws_lambda_alias.live[each.key].name
  provisioned_concurrent_executions = each.value
}

# A resource-based permission on the unqualified function does not cover its aliases: whoever
# calls the "live" alias needs a permission of its own. Lex's comes from the lex module, scoped to
# the bot alias; this one covers Connect, scoped to the instance.
resource "aws_lambda_permission" "live" {
  for_each = { for k, v in local.provisioned : k => v if var.functions[k].invoked_by == "connect" }

  statement_id   = "AllowLiveAliasFromConnect"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this[each.key].function_name
  qualifier      = aws_lambda_alias.live[each.key].name
  principal      = "connect.amazonaws.com"
  source_account = local.account_id
  source_arn     = var.connect_instance_arn
}

# The third-party packages, built by `aicc-ops deploy layer` (run by plan and apply) for
# python3.12 on arm64, with the versions pinned in pyproject.toml.
resource "aws_lambda_layer_version" "dependencies" {
  count = var.dependencies_layer_zip != null ? 1 : 0

  layer_name               = "${var.name_prefix}-dependencies"
  description              = "aws-lambda-powertools, holidays, PyYAML, rapidfuzz, slack-sdk, Jinja2, pygal (pinned in pyproject.toml)"
  filename                 = var.dependencies_layer_zip
  source_code_hash         = filebase64sha256(var.dependencies_layer_zip)
  compatible_runtimes      = [local.runtime]
  compatible_architectures = ["arm64"]
}

# Stream-fed functions: batches of up to 100 records, one at a time per shard (agent events stay
# in order), failed records reported one by one (ReportBatchItemFailures) and retried, a poison
# batch split in halves. Presence older than 10 minutes is dropped: the next heartbeat (every
# 120 s) restates it.
resource "aws_lambda_event_source_mapping" "stream" {
  for_each = local.stream_functions

  event_source_arn                   = var.streams[each.value].arn
  function_name                      = aws_lambda_function.this[each.key].arn
  starting_position                  = "LATEST"
  batch_size                         = 100
  maximum_batching_window_in_seconds = 1
  maximum_record_age_in_seconds      = 600
  maximum_retry_attempts             = 5
  bisect_batch_on_function_error     = true
  function_response_types            = ["ReportBatchItemFailures"]

  depends_on = [aws_iam_role_policy.this]
}

################################################################################
# Scheduled functions (functions.yaml `invoked_by: schedule`)
################################################################################

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = local.scheduled_functions

  name                = local.function_names[each.key]
  description         = "Runs ${local.function_names[each.key]} (${each.value})"
  schedule_expression = each.value

  tags = merge(var.tags, { "aicc:handler" = each.key })
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.scheduled_functions

  rule = aws_cloudwatch_event_rule.schedule[each.key].name
  arn  = aws_lambda_function.this[each.key].arn

  # EventBridge's own retries of a failed delivery (the invocation request): none.
  retry_policy {
    maximum_retry_attempts       = 0
    maximum_event_age_in_seconds = 60
  }
}

# EventBridge invokes asynchronously: Lambda queues the event, retries a throttled start until
# event_age, and a function error `retries` times (functions.yaml). The SLA monitor's next run comes
# within a minute and reads afresh (a retry would judge stale metrics): 0. The daily report runs
# once a day: a retry overwrites its own reports and the S3 claim keeps its Slack summary to one post.
resource "aws_lambda_function_event_invoke_config" "schedule" {
  for_each = local.scheduled_functions

  function_name                = aws_lambda_function.this[each.key].function_name
  maximum_retry_attempts       = var.functions[each.key].retries
  maximum_event_age_in_seconds = var.functions[each.key].event_age
}

resource "aws_lambda_permission" "schedule" {
  for_each = local.scheduled_functions

  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn
}

################################################################################
# The Slack bot token (functions with `posts_to_slack`)
################################################################################

# The value is put by hand, never by Terraform (no secret in code or state):
#   aws secretsmanager put-secret-value --secret-id <name> --secret-string xoxb-...
resource "aws_secretsmanager_secret" "slack_token" {
  # checkov:skip=CKV2_AWS_57: a Slack bot token is rotated in Slack's app settings, not by a Lambda rotator
  count = local.slack ? 1 : 0

  name        = "${var.name_prefix}/slack-bot-token"
  description = "Slack bot token (xoxb-) the SLA monitor and the reports post with; value put by hand"
  kms_key_id  = var.kms_key_arn

  tags = var.tags
}
