# The deploy rehearsal on the local stack (`aicc-ops deploy apply --env local`, `make rehearse`;
# docs/deploy.md, "Rehearsal on the local stack"): shaped like dev, applied to moto and the Connect
# emulator. The account is the one moto's STS answers for the local stack's credentials.
env            = "local"
account_id     = "123456789012"
region         = "ap-northeast-2"
name_prefix    = "aicc-rehearsal"
instance_alias = "aicc-ops-rehearsal"

alarm_emails      = ["aicc-oncall-local@example.com"]
runbooks_base_url = "https://github.com/example-org/aicc-ops/blob/main/runbooks"

# Claimed from the emulator's pool, as dev claims a US number.
phone_number = {
  claim = { country_code = "US", type = "DID" }
}

log_retention_days  = 30
deletion_protection = false

concurrent_calls_quota = 10

reserved_concurrency    = {}
provisioned_concurrency = {}

tags = {
  CostCenter = "aicc-local"
}

knowledge = {
  standby_replicas = false
}
