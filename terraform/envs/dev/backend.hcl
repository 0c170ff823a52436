# The dev state backend. `aicc-ops deploy` adds the bucket made by
# `aicc-ops deploy bootstrap --env dev`: bucket = "aicc-ops-tfstate-<account_id>-dev"
# (docs/deploy.md, "State backend"). State and lock objects take the bucket's default encryption,
# SSE-KMS with alias/aicc-ops-tfstate-dev; no `encrypt` here: with it and no key, the backend would
# ask for SSE-S3 instead (and the bucket refuses that).
key          = "aicc-ops/dev/terraform.tfstate"
region       = "ap-northeast-2"
use_lockfile = true # Terraform's S3 lock file: no DynamoDB lock table
