# The prod state backend. `aicc-ops deploy` adds the bucket made by
# `aicc-ops deploy bootstrap --env prod`: bucket = "aicc-ops-tfstate-<account_id>-prod"
# (docs/deploy.md, "State backend"). State and lock objects take the bucket's default encryption,
# SSE-KMS with alias/aicc-ops-tfstate-prod; no `encrypt` here: with it and no key, the backend would
# ask for SSE-S3 instead (and the bucket refuses that).
key          = "aicc-ops/prod/terraform.tfstate"
region       = "ap-northeast-2"
use_lockfile = true # Terraform's S3 lock file: no DynamoDB lock table
