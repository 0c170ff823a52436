# terraform init -reconfigure -backend-config=envs/dev/backend.hcl
bucket         = "aicc-ops-terraform-state-dev"
key            = "aicc-ops/dev/terraform.tfstate"
region         = "ap-northeast-2"
dynamodb_table = "aicc-ops-terraform-locks-dev"
encrypt        = true
