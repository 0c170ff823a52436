# The contact center: one module per concern, wired as terraform/README.md ("Module interfaces")
# describes. Every queue, hours, prompt, intent, table and flow comes from the data files.

locals {
  config_dir       = "${path.module}/../lambdas/aicc/config"
  queues           = yamldecode(file("${local.config_dir}/queues.yaml")).queues
  hours            = yamldecode(file("${local.config_dir}/hours.yaml")).hours
  holidays         = yamldecode(file("${local.config_dir}/holidays.yaml"))
  routing_profiles = yamldecode(file("${local.config_dir}/routing_profiles.yaml")).routing_profiles
  prompts          = { for k, v in yamldecode(file("${local.config_dir}/prompts.yaml")).prompts : k => v["ko-KR"] }
  escalation       = yamldecode(file("${local.config_dir}/escalation.yaml")).escalation
  sentiment        = yamldecode(file("${local.config_dir}/sentiment.yaml")).sentiment
  intents          = yamldecode(file("${local.config_dir}/intents.yaml"))
  tables           = yamldecode(file("${local.config_dir}/tables.yaml")).tables
  functions        = yamldecode(file("${local.config_dir}/functions.yaml")).functions
  sla_monitor      = yamldecode(file("${local.config_dir}/monitoring.yaml")).sla_monitor
  security_yaml    = yamldecode(file("${local.config_dir}/security_profiles.yaml")).security_profiles
  flows            = yamldecode(file("${path.module}/flows/flows.yaml")).flows
}

locals {
  # role => security profile, with the permissions of the roles it includes (as aicc.settings reads it).
  security_profiles = {
    for role, sp in local.security_yaml : role => {
      name        = sp.name
      description = sp.description
      permissions = distinct(concat(flatten([for r in try(sp.includes, []) : local.security_yaml[r].permissions]), sp.permissions))
    }
  }

  # queue key => Connect queue name (queue_names.<key> in the flow templates).
  queue_names = { for k, q in local.queues : k => q.name }

  tags = merge(var.tags, {
    Project     = "aicc-ops"
    Environment = var.env
    ManagedBy   = "terraform"
  })

  # Prompt texts per bot locale (prompts.yaml writes ko-KR/en-US, Lex ko_KR/en_US).
  lex_prompts = {
    for locale in local.intents.locales : locale => {
      for k, v in yamldecode(file("${local.config_dir}/prompts.yaml")).prompts :
      k => lookup(v, replace(locale, "_", "-"), v["ko-KR"])
    }
  }

  # What flows and Lex invoke, per handler: the "live" alias where the environment provisions
  # concurrency (an unqualified ARN never reaches provisioned instances), else the function.
  invoke_arns = module.lambdas.invoke_arns

  # Only the functions the flows call are associated with the instance (lex_hook is Lex's).
  connect_lambda_arns = { for k, arn in local.invoke_arns : k => arn if local.functions[k].invoked_by == "connect" }

  # Powertools settings of every function (tables and the topic are wired by the lambdas module).
  lambda_environment = {
    POWERTOOLS_SERVICE_NAME      = "aicc"
    POWERTOOLS_METRICS_NAMESPACE = "AICC"
    POWERTOOLS_LOG_LEVEL         = var.env == "prod" ? "INFO" : "DEBUG"
    AICC_ENV                     = var.env
    AICC_RUNBOOKS_URL            = var.runbooks_base_url # the SLA monitor's Slack link
  }
}

module "security" {
  source = "./modules/security"

  name_prefix               = var.name_prefix
  deletion_protection       = var.deletion_protection
  access_logged_bucket_arns = ["arn:aws:s3:::${local.knowledge_bucket}"]
  tags                      = local.tags
}

module "data" {
  source = "./modules/data"

  name_prefix         = var.name_prefix
  tables              = local.tables
  kms_key_arn         = module.security.kms_key_arns["data"]
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "lambdas" {
  source = "./modules/lambdas"

  name_prefix             = var.name_prefix
  functions               = local.functions
  source_dir              = "${path.module}/../lambdas"
  table_names             = module.data.table_names
  table_arns              = module.data.table_arns
  kms_key_arn             = module.security.kms_key_arns["data"]
  logs_kms_key_arn        = module.security.kms_key_arns["logs"]
  log_retention_days      = var.log_retention_days
  reserved_concurrency    = var.reserved_concurrency
  provisioned_concurrency = var.provisioned_concurrency
  notify_topic_arn        = module.monitoring.notify_topic_arn
  environment             = local.lambda_environment
  connect_instance_arn    = module.connect.instance_arn
  knowledge               = module.knowledge.function_access
  reports = {
    records_bucket      = module.security.contact_records.name
    records_bucket_arn  = module.security.contact_records.arn
    records_kms_key_arn = module.security.contact_records.kms_key_arn
    reports_bucket      = module.security.reports.name
    reports_bucket_arn  = module.security.reports.arn
    reports_kms_key_arn = module.security.reports.kms_key_arn
  }
  streams = {
    agent_events = module.connect.agent_events_stream
  }
  source_zip             = "${path.module}/../build/lambda-source.zip"
  dependencies_layer_zip = "${path.module}/../build/lambda-layer.zip"
  tags                   = local.tags
}

# Knowledge answers in AWS (docs/knowledge.md "In AWS"). The bucket name is derived here: the
# security module's access-log bucket must name it before the bucket exists.
locals {
  knowledge_bucket = "${var.name_prefix}-knowledge-${var.account_id}-${var.region}"
}

module "knowledge" {
  source = "./modules/knowledge"

  name_prefix          = var.name_prefix
  bucket_name          = local.knowledge_bucket
  kms_key_arn          = module.security.kms_key_arns["data"]
  access_logs_bucket   = module.security.access_logs_bucket
  deletion_protection  = var.deletion_protection
  standby_replicas     = var.knowledge.standby_replicas
  embedding_model_id   = var.knowledge.embedding_model_id
  answer_model_id      = var.knowledge.answer_model_id
  guardrail_profile_id = var.knowledge.guardrail_profile_id
  grounding_threshold  = var.knowledge.grounding_threshold
  tags                 = local.tags
}

module "lex" {
  source = "./modules/lex"

  name_prefix          = var.name_prefix
  intents              = local.intents
  prompts              = local.lex_prompts
  code_hook_lambda_arn = local.invoke_arns["lex_hook"]
  kms_key_arn          = module.security.kms_key_arns["logs"]
  log_retention_days   = var.log_retention_days
  tags                 = local.tags
}

module "connect" {
  source = "./modules/connect"

  name_prefix       = var.name_prefix
  instance_alias    = var.instance_alias
  queues            = local.queues
  hours             = local.hours
  routing_profiles  = local.routing_profiles
  security_profiles = local.security_profiles
  flows             = local.flows
  flows_dir         = "${path.module}/flows"
  template_vars = {
    prompts = local.prompts
    escalation = {
      wait_seconds = tostring(local.escalation.wait_seconds)
    }
    # A negative caller's routing criteria (sentiment.yaml prefer_proficiency), bound as the local
    # engine binds them (ops/aicc_ops/engine/flows.py Resources.variables).
    sentiment = {
      proficiency    = join(":", [local.sentiment.prefer_proficiency.name, local.sentiment.prefer_proficiency.value, tostring(local.sentiment.prefer_proficiency.level)])
      attribute      = local.sentiment.prefer_proficiency.name
      value          = local.sentiment.prefer_proficiency.value
      level          = format("%.1f", local.sentiment.prefer_proficiency.level)
      expiry_seconds = tostring(local.sentiment.prefer_proficiency.expiry_seconds)
    }
  }
  lambda_arns        = local.connect_lambda_arns
  lex_bot_alias_arn  = module.lex.bot_alias_arn
  recordings_bucket  = module.security.recordings_bucket
  kms_key_arn        = module.security.kms_key_arns["connect"]
  contact_records    = module.security.contact_records
  logs_kms_key_arn   = module.security.kms_key_arns["logs"]
  log_retention_days = var.log_retention_days
  phone_number       = var.phone_number
  tags               = local.tags
}

module "speech" {
  source = "./modules/speech"

  name_prefix = var.name_prefix
  instance_id = module.connect.instance_id
  content     = file("${path.module}/modules/speech/vocabulary.ko-KR.tsv")
  tags        = local.tags
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix    = var.name_prefix
  instance_id    = module.connect.instance_id
  queues         = local.queues
  function_names = module.lambdas.function_names
  table_names    = module.data.table_names
  flow_names     = { for k, f in local.flows : k => f.name }
  function_kinds = module.lambdas.function_kinds

  contact_records_delivery_stream = module.connect.contact_records_delivery_stream
  alarm_emails                    = var.alarm_emails
  runbooks_base_url               = var.runbooks_base_url
  concurrent_calls_quota          = var.concurrent_calls_quota
  queue_sla_risk_ratio            = local.sla_monitor.risk_share
  metrics_namespace               = module.lambdas.metrics_namespace
  sla_monitor_service             = one([for k, f in local.functions : k if try(f.reads_agent_data, false)]) # publishes the agent and SLA metrics
  tags                            = local.tags
}

# Protection (deletion_protection, prod): prevent_destroy must be a literal, so it sits on guards
# that exist only in a protected environment, one per resource the modules list as `protected`
# (name => ARN). Destroying or replacing such a resource (a new ARN) replaces its guard, and
# switching the protection off in the same apply destroys the guards: Terraform refuses both
# ("Instance cannot be destroyed"). In-place updates leave the guards alone. Taking a protected
# environment down on purpose: docs/deploy.md, "Destroying".
locals {
  protected = merge(module.security.protected, module.data.protected, module.connect.protected, module.monitoring.protected, module.knowledge.protected)
}

resource "terraform_data" "protect" {
  for_each = var.deletion_protection ? local.protected : {}

  triggers_replace = each.value

  lifecycle {
    prevent_destroy = true
  }
}
