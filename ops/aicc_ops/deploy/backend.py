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

from ..core.aws import error_code, error_text
from .environment import Environment
from .errors import DeployError

NONCURRENT_STATE_DAYS = 365  # old state versions kept this long, for restores and audits


@dataclass
class BootstrapReport:
    bucket: str
    key_arn: str
    created: list[str] = field(default_factory=list)  # what did not exist before
    ensured: list[str] = field(default_factory=list)  # settings (re)applied


def state_key(env: Environment, kms: Any) -> dict[str, Any] | None:
    """The environment's state key (KeyMetadata), or None when the bootstrap has not made it."""
    try:
        return dict(kms.describe_key(KeyId=env.state_key_alias)["KeyMetadata"])
    except ClientError as exc:
        if error_code(exc) == "NotFoundException":
            return None
        raise


def _usable(env: Environment, key: dict[str, Any]) -> str:
    state = str(key.get("KeyState", "Enabled"))
    if state != "Enabled":
        fix = (
            "aws kms cancel-key-deletion and enable-key"
            if state == "PendingDeletion"
            else "aws kms enable-key"
        )
        raise DeployError(
            f"the state key {env.state_key_alias} is {state}: nobody can read or write the {env.name} "
            f"state until it is enabled again ({fix} --key-id {key.get('KeyId')})"
        )
    return str(key["Arn"])


def bucket_exists(env: Environment, s3: Any) -> bool:
    try:
        s3.head_bucket(Bucket=env.state_bucket, ExpectedBucketOwner=env.account_id)
    except ClientError as exc:
        if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return False
        if error_code(exc) in ("403", "AccessDenied"):
            raise DeployError(
                f"the state bucket {env.state_bucket} exists but not in account {env.account_id} "
                "(or these credentials may not read it): check account_id in "
                f"envs/{env.name}/terraform.tfvars and the credentials"
            ) from None
        raise
    return True


def check(env: Environment, session: Any) -> str:
    """The state key ARN, after making sure the bucket and an enabled key exist; else what to do."""
    try:
        key = state_key(env, session.client("kms", region_name=env.region))
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
    return _usable(env, key)


def _tags(env: Environment) -> list[dict[str, str]]:
    return [
        {"Key": "Project", "Value": "aicc-ops"},
        {"Key": "Environment", "Value": env.name},
        {"Key": "Purpose", "Value": "terraform-state"},
    ]


def _ensure_key(env: Environment, kms: Any, report: BootstrapReport) -> str:
    found = state_key(env, kms)
    if found is None:
        key = kms.create_key(
            Description=f"aicc-ops Terraform state of {env.name}",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in _tags(env)],
        )["KeyMetadata"]
        try:
            kms.create_alias(AliasName=env.state_key_alias, TargetKeyId=key["KeyId"])
        except (BotoCoreError, ClientError):
            # Without its alias the key is lost to us: do not leave it behind for the next run.
            kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
            raise
        report.created.append(f"KMS key {env.state_key_alias}")
        found = dict(key)
    arn = _usable(env, found)
    kms.enable_key_rotation(KeyId=arn)
    report.ensured.append("key rotation")
    return arn


def _bucket_policy(bucket: str) -> str:
    """TLS only, and no object written with SSE-S3: the state stays under the state key."""
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
                },
                {
                    "Sid": "DenyStateWithoutTheStateKey",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:PutObject",
                    "Resource": f"{arn}/*",
                    "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}},
                },
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
            if error_code(exc) == "BucketAlreadyExists":
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
    if env.on_local_stack:
        # moto applies a policy's Deny without reading its condition: the TLS-only statement would
        # refuse the backend's plain-HTTP requests on loopback.
        s3.delete_bucket_policy(Bucket=bucket)
    else:
        s3.put_bucket_policy(Bucket=bucket, Policy=_bucket_policy(bucket))
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
        "no bucket policy (the local stack's moto would refuse plain HTTP)"
        if env.on_local_stack
        else "TLS-only policy (and no SSE-S3 objects)",
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
