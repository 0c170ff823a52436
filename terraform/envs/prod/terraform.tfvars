# Production. No secrets here: credentials come from the caller's AWS profile, and nothing
# below is sensitive.
env = "prod"
# Replace with the prod account ID: plans with credentials of any other account are refused.
account_id     = "222222222222"
region         = "ap-northeast-2"
name_prefix    = "aicc-prod"
instance_alias = "aicc-ops-prod"

# The on-call distribution list for production alarms.
alarm_email       = "aicc-oncall@example.com"
runbooks_base_url = "https://github.com/example-org/aicc-ops/blob/main/runbooks"

# The Korean DID needs the regulatory documents filed with AWS Support before the claim.
claim_phone_number = true

log_retention_days  = 365
deletion_protection = true

# Raise together with the Service Quotas increase of "Concurrent active calls per instance".
concurrent_calls_quota = 10

# Callers wait in silence on these two at the start of every call: keep them warm.
provisioned_concurrency = {
  customer_lookup = 2
  business_hours  = 2
}

# Headroom for the in-call handlers so that a burst elsewhere in the account cannot starve them.
reserved_concurrency = {
  customer_lookup  = 20
  business_hours   = 20
  call_log         = 20
  lex_hook         = 20
  callback         = 10
  escalation       = 10
  agent_assignment = 10
}

tags = {
  CostCenter = "aicc-prod"
}
