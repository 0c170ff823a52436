provider "aws" {
  region = var.region
  # A plan with the credentials of another account (dev keys on prod) fails before it reads anything.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = local.tags
  }
}
