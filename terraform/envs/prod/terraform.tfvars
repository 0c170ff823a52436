# Production. No secrets here: credentials come from the caller's AWS profile, and nothing
# below is sensitive.
env = "prod"
# Replace with the prod account ID: plans with credentials of any other account are refused.
account_id     = "222222222222"
region         = "ap-northeast-2"
name_prefix    = "aicc-prod"
instance_alias = "aicc-ops-prod"

# The on-call distribution list for production alarms.
alarm_emails      = ["aicc-oncall@example.com"]
runbooks_base_url = "https://github.com/example-org/aicc-ops/blob/main/runbooks"

# The Korean support-line number is issued through AWS Support and claimed to the instance by AWS,
# so it exists only after the first apply (docs/deploy.md, "Phone number"). Then put its phone
# number ID here and apply again: it answers the entry flow and is every queue's caller ID.
phone_number = {
  # existing_id = "<phone number ID from `aws connect list-phone-numbers-v2`>"
}

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

# Knowledge answers: a standby replica in a second Availability Zone.
knowledge = {
  standby_replicas = true
}
