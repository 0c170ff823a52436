# The rehearsal's state backend: the state bucket `aicc-ops deploy bootstrap --env local` makes in
# the local stack's S3 (moto), as for dev.
key          = "aicc-ops/local/terraform.tfstate"
region       = "ap-northeast-2"
use_lockfile = true
