# The prod state backend. `aicc-ops deploy` adds the bucket and its KMS key, both made by
# `aicc-ops deploy bootstrap --env prod`: bucket = "aicc-ops-tfstate-<account_id>-prod",
# kms_key_id = the ARN of alias/aicc-ops-tfstate-prod (docs/deploy.md, "State backend").
key          = "aicc-ops/prod/terraform.tfstate"
region       = "ap-northeast-2"
encrypt      = true
use_lockfile = true # Terraform's S3 lock file: no DynamoDB lock table
