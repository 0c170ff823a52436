# Development. No secrets here: credentials come from the caller's AWS profile, and nothing
# below is sensitive.
env = "dev"
# Replace with the dev account ID: plans with credentials of any other account are refused.
account_id     = "111111111111"
region         = "ap-northeast-2"
name_prefix    = "aicc-dev"
instance_alias = "aicc-ops-dev"

# The on-call distribution list for dev alarms.
alarm_emails      = ["aicc-oncall-dev@example.com"]
runbooks_base_url = "https://github.com/example-org/aicc-ops/blob/main/runbooks"

# A US number for test calls: Korean numbers cannot be claimed by search (AWS Support issues
# them, see prod). Callbacks dial out with it.
phone_number = {
  claim = { country_code = "US", type = "DID" }
}

log_retention_days  = 30
deletion_protection = false

# A new instance starts at 10 concurrent calls; keep in step with Service Quotas.
concurrent_calls_quota = 10

reserved_concurrency    = {}
provisioned_concurrency = {}

tags = {
  CostCenter = "aicc-dev"
}

# Knowledge answers: one collection replica is enough for development (half the OCUs).
knowledge = {
  standby_replicas = false
}
