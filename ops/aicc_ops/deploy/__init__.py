"""Deploying to AWS: environments, artifacts, the state backend, Terraform runs, the pre-flight
checks, and the steps Terraform runs for what the AWS provider cannot do (`aicc-ops deploy step`).

The click layer (cli/deploy.py) only declares options; everything here is testable without it.
"""
