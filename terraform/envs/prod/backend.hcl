# terraform init -reconfigure -backend-config=envs/prod/backend.hcl
bucket         = "aicc-ops-terraform-state-prod"
key            = "aicc-ops/prod/terraform.tfstate"
region         = "ap-northeast-2"
dynamodb_table = "aicc-ops-terraform-locks-prod"
encrypt        = true
