terraform {
  # 1.10+: the S3 backend's own lock file (use_lockfile); no DynamoDB lock table.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: `aicc-ops deploy` passes envs/<env>/backend.hcl and the state bucket
  # made by `aicc-ops deploy bootstrap` (docs/deploy.md).
  backend "s3" {}
}
