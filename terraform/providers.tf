provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# The Cloud Control provider has no default_tags: the modules tag its resources from var.tags.
provider "awscc" {
  region = var.region
}
