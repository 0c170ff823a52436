"""`aicc-ops deploy bootstrap`: the state bucket and key of an environment, on moto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from click.testing import CliRunner

from aicc_ops.cli import cli
from aicc_ops.deploy import backend
from aicc_ops.deploy.environment import Environment
from aicc_ops.deploy.errors import DeployError

ACCOUNT = "123456789012"  # moto's


@pytest.fixture
def terraform_dir(tmp_path: Path) -> Path:
    env_dir = tmp_path / "terraform" / "envs" / "dev"
    env_dir.mkdir(parents=True)
    (env_dir / "terraform.tfvars").write_text(f'env = "dev"\naccount_id = "{ACCOUNT}"\n', encoding="utf-8")
    (env_dir / "backend.hcl").write_text('region = "ap-northeast-2"\nuse_lockfile = true\n', encoding="utf-8")
    return tmp_path / "terraform"


@pytest.fixture
def aws(moto_account: None) -> None:
    """moto's account, nothing created (tests/conftest.py)."""


def test_the_names_follow_from_the_account_and_the_environment(terraform_dir: Path) -> None:
    env = Environment.load("dev", terraform_dir)
    assert env.state_bucket == f"aicc-ops-tfstate-{ACCOUNT}-dev"
    assert env.state_key_alias == "alias/aicc-ops-tfstate-dev"
    assert env.data_dir == terraform_dir / ".terraform-dev"
    assert env.backend_args()[1:] == [f"-backend-config=bucket=aicc-ops-tfstate-{ACCOUNT}-dev"]
    assert env.outputs_data_dir != env.data_dir  # reading outputs never re-inits a running deploy


def test_bootstrap_makes_a_versioned_kms_tls_only_private_bucket(terraform_dir: Path, aws: None) -> None:
    env = Environment.load("dev", terraform_dir)
    with pytest.raises(DeployError, match="run `aicc-ops deploy bootstrap --env dev` once"):
        backend.check(env, boto3.Session())
    report = backend.bootstrap(env, boto3.Session())
    assert report.created == ["KMS key alias/aicc-ops-tfstate-dev", f"bucket s3://{env.state_bucket}"]
    s3, kms = boto3.client("s3"), boto3.client("kms")
    bucket = env.state_bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": report.key_arn,
    }
    assert rule["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    tls, sse_s3 = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # State written with SSE-S3 (a backend with `encrypt` and no key) is refused, not downgraded.
    assert sse_s3["Action"] == "s3:PutObject"
    assert sse_s3["Condition"] == {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}
    assert kms.get_key_rotation_status(KeyId=report.key_arn)["KeyRotationEnabled"] is True
    assert backend.check(env, boto3.Session()) == report.key_arn


def test_bootstrap_again_creates_nothing_and_repairs_what_was_removed(terraform_dir: Path, aws: None) -> None:
    env = Environment.load("dev", terraform_dir)
    first = backend.bootstrap(env, boto3.Session())
    boto3.client("s3").delete_public_access_block(Bucket=env.state_bucket)
    again = backend.bootstrap(env, boto3.Session())
    assert again.created == [] and again.key_arn == first.key_arn
    block = boto3.client("s3").get_public_access_block(Bucket=env.state_bucket)[
        "PublicAccessBlockConfiguration"
    ]
    assert all(block.values())


def test_a_bucket_of_another_account_is_named_not_overwritten(terraform_dir: Path) -> None:
    env = Environment.load("dev", terraform_dir)
    s3 = boto3.client("s3", region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_client_error(
            "head_bucket",
            "403",
            "Forbidden",
            403,
            {"Bucket": env.state_bucket, "ExpectedBucketOwner": ACCOUNT},
        )
        with pytest.raises(DeployError, match=f"exists but not in account {ACCOUNT}"):
            backend.bucket_exists(env, s3)


def _cli(terraform_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["deploy", *args, "--terraform-dir", str(terraform_dir)])
    return result.exit_code, result.output


def test_bootstrap_command(terraform_dir: Path, aws: None) -> None:
    code, out = _cli(terraform_dir, "bootstrap", "--env", "dev")
    assert code == 0, out
    assert f"state in s3://aicc-ops-tfstate-{ACCOUNT}-dev" in out
    assert "Next: aicc-ops deploy plan --env dev" in out
    code, out = _cli(terraform_dir, "bootstrap", "--env", "dev")
    assert "created: nothing (already there)" in out


def test_bootstrap_with_credentials_of_another_account_is_refused(terraform_dir: Path, aws: None) -> None:
    tfvars = terraform_dir / "envs" / "dev" / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text(encoding="utf-8").replace(ACCOUNT, "222222222222"), encoding="utf-8")
    code, out = _cli(terraform_dir, "bootstrap", "--env", "dev")
    assert (
        code == 1
        and "the credentials are for account 123456789012, but envs/dev deploys to 222222222222" in out
    )
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_an_unreadable_tfvars_is_named(terraform_dir: Path) -> None:
    (terraform_dir / "envs" / "dev" / "terraform.tfvars").write_text('account_id = "12\n', encoding="utf-8")
    code, out = _cli(terraform_dir, "bootstrap", "--env", "dev")
    assert code == 1 and "terraform.tfvars is not valid HCL" in out


def test_a_disabled_state_key_is_named_with_the_fix(terraform_dir: Path, aws: None) -> None:
    env = Environment.load("dev", terraform_dir)
    report = backend.bootstrap(env, boto3.Session())
    boto3.client("kms").schedule_key_deletion(KeyId=report.key_arn.split("/")[-1], PendingWindowInDays=7)
    with pytest.raises(DeployError, match="is PendingDeletion: nobody can read or write the dev state"):
        backend.check(env, boto3.Session())


def test_a_key_whose_alias_cannot_be_made_is_not_left_behind(terraform_dir: Path) -> None:
    env = Environment.load("dev", terraform_dir)
    kms = boto3.client("kms", region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x")
    metadata = {
        "KeyId": "k-1",
        "Arn": "arn:aws:kms:ap-northeast-2:123456789012:key/k-1",
        "KeyState": "Enabled",
    }
    with Stubber(kms) as stub:
        stub.add_client_error(
            "describe_key", "NotFoundException", "no alias", 400, {"KeyId": env.state_key_alias}
        )
        stub.add_response("create_key", {"KeyMetadata": metadata})
        stub.add_client_error("create_alias", "AccessDeniedException", "not allowed", 400)
        stub.add_response(
            "schedule_key_deletion", {"KeyId": "k-1"}, {"KeyId": "k-1", "PendingWindowInDays": 7}
        )

        class _Session:
            def client(self, service: str, region_name: str | None = None) -> Any:
                return kms if service == "kms" else None

        with pytest.raises(DeployError, match="CreateAlias: AccessDeniedException"):
            backend.bootstrap(env, _Session())
        stub.assert_no_pending_responses()


def _local(terraform_dir: Path) -> Environment:
    env_dir = terraform_dir / "envs" / "local"
    env_dir.mkdir(parents=True)
    (env_dir / "terraform.tfvars").write_text(f'env = "local"\naccount_id = "{ACCOUNT}"\n', encoding="utf-8")
    (env_dir / "backend.hcl").write_text('region = "ap-northeast-2"\nuse_lockfile = true\n', encoding="utf-8")
    return Environment.load("local", terraform_dir)


def test_the_local_state_bucket_has_no_policy_moto_would_misread(terraform_dir: Path, aws: None) -> None:
    """moto applies the TLS-only Deny without its condition: the rehearsal's backend would be refused."""
    env = _local(terraform_dir)
    assert env.on_local_stack and not Environment.load("dev", terraform_dir).on_local_stack
    report = backend.bootstrap(env, boto3.Session())
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        boto3.client("s3").get_bucket_policy(Bucket=env.state_bucket)
    assert "no bucket policy (the local stack's moto would refuse plain HTTP)" in report.ensured


def test_the_local_environment_needs_a_running_local_stack(
    terraform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICC_LOCAL_DIR", str(tmp_path / "no-stack"))
    result = CliRunner().invoke(
        cli,
        [
            "deploy",
            "bootstrap",
            "--env",
            "local",
            "--terraform-dir",
            str(_local(terraform_dir).terraform_dir),
        ],
    )
    assert result.exit_code != 0
    assert "envs/local deploys to the local stack: no local stack runs from" in result.output
