"""The Terraform state backend of an environment: an S3 bucket and its KMS key, made once per
environment by `aicc-ops deploy bootstrap`, checked before every plan.

The bucket is versioned (every state ever written can be restored), encrypted with a
customer-managed key (rotation on, bucket keys), TLS-only, owner-enforced and closed to the public.
Locking uses Terraform's S3 lock file (`use_lockfile`), so there is no DynamoDB table. Re-running
the bootstrap changes nothing that is already right and re-applies any setting someone removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..admin.context import error_text
from .environment import Environment
from .errors import DeployError

NONCURRENT_STATE_DAYS = 365  # old state versions kept this long, for restores and audits


@dataclass
class BootstrapReport:
    bucket: str
    key_arn: str
    created: list[str] = field(default_factory=list)  # what did not exist before
    ensured: list[str] = field(default_factory=list)  # settings (re)applied


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def state_key_arn(env: Environment, kms: Any) -> str | None:
    """The ARN of the environment's state key, or None when the bootstrap has not made it."""
    try:
        return str(kms.describe_key(KeyId=env.state_key_alias)["KeyMetadata"]["Arn"])
    except ClientError as exc:
        if _code(exc) == "NotFoundException":
            return None
        raise


def bucket_exists(env: Environment, s3: Any) -> bool:
    try:
        s3.head_bucket(Bucket=env.state_bucket, ExpectedBucketOwner=env.account_id)
    except ClientError as exc:
        if _code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return False
        if _code(exc) in ("403", "AccessDenied"):
            raise DeployError(
                f"the state bucket {env.state_bucket} exists but not in account {env.account_id} "
                "(or these credentials may not read it): check account_id in "
                f"envs/{env.name}/terraform.tfvars and the credentials"
            ) from None
        raise
    return True


def check(env: Environment, session: Any) -> str:
    """The state key ARN, after making sure the bucket and key exist; else what to run."""
    try:
        key = state_key_arn(env, session.client("kms", region_name=env.region))
        exists = bucket_exists(env, session.client("s3", region_name=env.region))
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"cannot check the state backend: {error_text(exc)}") from None
    if key is None or not exists:
        missing = [what for what, ok in (("bucket", exists), ("KMS key", key is not None)) if not ok]
        raise DeployError(
            f"the Terraform state backend of {env.name} is missing its {' and '.join(missing)} "
            f"(s3://{env.state_bucket}, {env.state_key_alias}): run "
            f"`aicc-ops deploy bootstrap --env {env.name}` once, then plan again"
        )
    return key


def _tags(env: Environment) -> list[dict[str, str]]:
    return [
        {"Key": "Project", "Value": "aicc-ops"},
        {"Key": "Environment", "Value": env.name},
        {"Key": "Purpose", "Value": "terraform-state"},
    ]


def _ensure_key(env: Environment, kms: Any, report: BootstrapReport) -> str:
    arn = state_key_arn(env, kms)
    if arn is None:
        key = kms.create_key(
            Description=f"aicc-ops Terraform state of {env.name}",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in _tags(env)],
        )["KeyMetadata"]
        arn = str(key["Arn"])
        kms.create_alias(AliasName=env.state_key_alias, TargetKeyId=key["KeyId"])
        report.created.append(f"KMS key {env.state_key_alias}")
    kms.enable_key_rotation(KeyId=arn)
    report.ensured.append("key rotation")
    return arn


def _tls_only_policy(bucket: str) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def _ensure_bucket(env: Environment, s3: Any, key_arn: str, report: BootstrapReport) -> None:
    bucket = env.state_bucket
    if not bucket_exists(env, s3):
        params: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if env.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": env.region}
        try:
            s3.create_bucket(**params)
        except ClientError as exc:
            if _code(exc) == "BucketAlreadyExists":
                raise DeployError(
                    f"the bucket name {bucket} is taken by another account: check account_id in "
                    f"envs/{env.name}/terraform.tfvars"
                ) from None
            raise
        report.created.append(f"bucket s3://{bucket}")
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=_tls_only_policy(bucket))
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "old-state-versions",
                    "Status": "Enabled",
                    "Filter": {},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_STATE_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                }
            ]
        },
    )
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tags(env)})
    report.ensured += [
        "public access blocked",
        "owner-enforced",
        "versioning",
        "SSE-KMS with bucket keys",
        "TLS-only policy",
        f"old versions kept {NONCURRENT_STATE_DAYS} days",
        "tags",
    ]


def bootstrap(env: Environment, session: Any) -> BootstrapReport:
    """Create (or repair) the environment's state key and bucket. Idempotent."""
    kms = session.client("kms", region_name=env.region)
    s3 = session.client("s3", region_name=env.region)
    report = BootstrapReport(env.state_bucket, "")
    try:
        report.key_arn = _ensure_key(env, kms, report)
        _ensure_bucket(env, s3, report.key_arn, report)
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"bootstrap of {env.name} stopped: {error_text(exc)}") from None
    return report
