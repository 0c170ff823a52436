"""The plan gate: the whole root module planned for each environment, for real.

A copy of terraform/ is planned by the operators' own commands (`aicc-ops deploy bootstrap`, then
`aicc-ops deploy plan`) against moto on loopback as the AWS endpoint, with the aws provider from
this machine's mirror and the committed lock file, under credentials of the environment's own
account (moto's STS hands them out by AssumeRole). Nothing is stood in for but the AWS endpoint and
the Lambda layer's content (only its hash reaches the plan).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
MIRROR = Path(os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins"))


def modern_terraform() -> str | None:
    """A Terraform >= 1.10 on this machine (the pip one is 1.0.3 and serves fmt only)."""
    for candidate in (os.environ.get("TERRAFORM_BIN"), shutil.which("terraform"), "/usr/local/bin/terraform"):
        if candidate and Path(candidate).exists():
            out = subprocess.run([candidate, "version"], capture_output=True, text=True, check=False).stdout
            found = re.search(r"Terraform v(\d+)\.(\d+)", out)
            if found and (int(found[1]), int(found[2])) >= (1, 10):
                return candidate
    return None


def gate_skip_reason() -> str | None:
    """Why the plan gate cannot run here, or None. CI on these machines has both."""
    if modern_terraform() is None:
        return "no Terraform >= 1.10 on this machine"
    if not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        return f"no hashicorp/aws provider mirror at {MIRROR}"
    return None


@dataclass
class Plan:
    env: str
    output: str  # what `aicc-ops deploy plan` printed
    json: dict[str, Any]
    changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # resource type -> changes

    def __post_init__(self) -> None:
        for rc in self.json.get("resource_changes") or []:
            self.changes.setdefault(rc["type"], []).append(rc)

    def after(self, rtype: str) -> dict[str, dict[str, Any]]:
        """address -> planned values of every resource of a type."""
        return {rc["address"]: rc["change"]["after"] or {} for rc in self.changes.get(rtype, [])}

    def one(self, rtype: str, name_part: str = "") -> dict[str, Any]:
        found = [v for a, v in self.after(rtype).items() if name_part in a]
        assert len(found) == 1, f"{len(found)} {rtype} matching {name_part!r} in the {self.env} plan"
        return found[0]


class PlanGate:
    """Plans the root module of a copy of terraform/ per environment (and variant), once each."""

    def __init__(self, workdir: Path, endpoint: str) -> None:
        self.workdir, self.endpoint = workdir, endpoint
        self.binary = modern_terraform()
        self.plans: dict[tuple[str, str], Plan] = {}
        self.terraform_dir = workdir / "terraform"
        shutil.copytree(
            TERRAFORM,
            self.terraform_dir,
            ignore=shutil.ignore_patterns(".terraform*", "*.tfplan", "outputs.json"),
        )
        (self.terraform_dir / ".terraform.lock.hcl").write_text(
            (TERRAFORM / ".terraform.lock.hcl").read_text(encoding="utf-8"), encoding="utf-8"
        )
        (workdir / "lambdas").symlink_to(ROOT / "lambdas")
        # Artifacts of its own: the gate never touches build/ of a deploy that may be running.
        self.build = workdir / "build"
        self.build.mkdir()
        self.rc = workdir / "terraformrc"
        self.rc.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
        )

    def source_zip(self) -> Path:
        from aicc_ops.deploy.artifacts import build_source

        return build_source(target=self.build / "lambda-source.zip")

    def layer_stand_in(self) -> Path:
        """The layer's content reaches the plan only as a hash: an empty zip stands in for it."""
        layer = self.build / "lambda-layer.zip"
        layer.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        return layer

    def credentials(self, account: str) -> dict[str, str]:
        """Credentials of `account` from moto's STS (moto keeps each account's resources apart)."""
        import boto3

        sts = boto3.client(
            "sts",
            endpoint_url=self.endpoint,
            region_name="ap-northeast-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/deployer", RoleSessionName="plan-gate")
        c = c["Credentials"]
        return {
            "AWS_ACCESS_KEY_ID": c["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"],
        }

    @contextmanager
    def environment(self, account: str) -> Iterator[None]:
        values = {
            **self.credentials(account),
            "AWS_DEFAULT_REGION": "ap-northeast-2",
            "AWS_REGION": "ap-northeast-2",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": str(self.rc),
            "TERRAFORM_BIN": str(self.binary),
        }
        dropped = [k for k in os.environ if k.startswith("AWS_") and k not in values]
        with mock.patch.dict(os.environ, values):
            for key in dropped:
                os.environ.pop(key, None)
            yield

    def cli(self, *args: str) -> tuple[int, str]:
        from aicc_ops.cli import cli

        result = CliRunner().invoke(cli, [*args, "--terraform-dir", str(self.terraform_dir)])
        return result.exit_code, result.output

    def plan(self, env: str, variant: str = "", edit: Callable[[str], str] | None = None) -> Plan:
        """`aicc-ops deploy bootstrap` and `plan` for env; a variant edits the env's tfvars first."""
        if (env, variant) in self.plans:
            return self.plans[env, variant]
        from aicc_ops.deploy.environment import Environment
        from aicc_ops.deploy.terraform import Deployer

        env_dir = self.terraform_dir / "envs" / env
        tfvars = (TERRAFORM / "envs" / env / "terraform.tfvars").read_text(encoding="utf-8")
        edited = edit(tfvars) if edit else tfvars
        assert not edit or edited != tfvars, (
            f"the {variant!r} variant changed nothing in envs/{env}/terraform.tfvars"
        )
        (env_dir / "terraform.tfvars").write_text(edited, encoding="utf-8")
        environment = Environment.load(env, self.terraform_dir)
        with (
            self.environment(environment.account_id),
            mock.patch("aicc_ops.deploy.run.build_layer", self.layer_stand_in),
            mock.patch("aicc_ops.deploy.run.build_source", self.source_zip),
        ):
            code, out = self.cli("deploy", "bootstrap", "--env", env)
            assert code == 0, out
            # moto applies a bucket policy's Deny without reading its condition, so the TLS-only
            # policy would refuse moto's plain-HTTP requests: the gate's state bucket goes without it
            # (the bootstrap's own tests check the policy).
            import boto3

            boto3.client("s3").delete_bucket_policy(Bucket=environment.state_bucket)
            code, out = self.cli("deploy", "plan", "--env", env)
            assert code == 0, f"`aicc-ops deploy plan --env {env}` {variant} failed:\n{out}"
            shown = Deployer(environment, str(self.binary)).show()
        plan = Plan(env, out, shown)
        self.plans[env, variant] = plan
        return plan


# The number AWS Support would have claimed to prod's instance (the variant planned after the case).
PROD_NUMBER_ID = "3f6a2b1c-9d8e-4f70-a1b2-c3d4e5f60718"


def template_bodies(plan: Plan) -> dict[str, dict[str, Any]]:
    """address -> the CloudFormation template of every stack in the plan (known at plan time)."""
    out = {}
    for address, after in plan.after("aws_cloudformation_stack").items():
        body = after.get("template_body")
        assert body, f"{address}: template_body is unknown at plan time (pass ARNs as stack parameters)"
        out[address] = json.loads(body)
    return out
