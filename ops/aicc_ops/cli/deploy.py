"""`aicc-ops deploy`: Terraform plan, apply and destroy per environment (python-terraform).

`make plan ENV=dev` and `make deploy ENV=dev` call these. Every run re-initialises the backend
of the environment (`envs/<env>/backend.hcl`), plans to a file with `envs/<env>/terraform.tfvars`,
prints a summary of the changes, and changes nothing without a confirmation (or `--yes`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ..admin.context import environments, outputs_file
from ..engine.flows import REPO_ROOT

MIN_TERRAFORM = (1, 6)
# Third-party packages the Lambda code imports (boto3 is in the runtime); versions from pyproject.toml.
LAYER_PACKAGES = ("aws-lambda-powertools", "holidays", "pyyaml", "rapidfuzz")
LAYER_ZIP = REPO_ROOT / "build" / "lambda-layer.zip"
ACTIONS = ("create", "update", "replace", "delete")


@dataclass(frozen=True)
class Change:
    address: str
    action: str  # create | update | replace | delete


def classify(actions: list[str]) -> str | None:
    """Terraform's action list for one resource, as one word (None: no change)."""
    if actions in (["create", "delete"], ["delete", "create"]):
        return "replace"
    for action in ("create", "update", "delete"):
        if actions == [action]:
            return action
    return None


def changes(plan: dict[str, Any]) -> list[Change]:
    """The resource changes of `terraform show -json PLANFILE`."""
    out: list[Change] = []
    for rc in plan.get("resource_changes") or []:
        action = classify(list((rc.get("change") or {}).get("actions") or []))
        if action:
            out.append(Change(str(rc.get("address")), action))
    return out


def summary(found: list[Change]) -> str:
    counts = Counter(c.action for c in found)
    rows = [[a, counts.get(a, 0)] for a in ACTIONS]
    table = tabulate(rows, headers=["action", "resources"], tablefmt="simple")
    risky = [c for c in found if c.action in ("replace", "delete")]
    if risky:
        table += "\n\nreplaced or deleted:\n" + "\n".join(f"  {c.action:<8} {c.address}" for c in risky)
    return table


class Deployer:
    """Runs Terraform in terraform/ for one environment."""

    def __init__(self, env: str, terraform_dir: Path, binary: str) -> None:
        from python_terraform import Terraform

        self.env = env
        self.dir = terraform_dir
        self.env_dir = terraform_dir / "envs" / env
        self.plan_file = self.env_dir / f"{env}.tfplan"
        self.tf = Terraform(working_dir=str(terraform_dir), terraform_bin_path=binary)

    def run(self, *args: str, capture: bool = False) -> str:
        stream = not capture and _has_terminal_stdout()  # else capture, then echo
        code, out, err = self.tf.cmd(*args, capture_output=not stream)
        if not stream and not capture and out:
            click.echo(str(out).rstrip())
        if code != 0:
            detail = (err or out or "").strip().splitlines()[-15:] if not stream else []
            raise click.ClickException(
                f"terraform {args[0]} failed (exit {code})" + ("\n" + "\n".join(detail) if detail else "")
            )
        return str(out or "")

    def init(self) -> None:
        self.run("init", "-input=false", "-reconfigure", f"-backend-config={self.env_dir / 'backend.hcl'}")

    def plan(self, destroy: bool = False) -> list[Change]:
        args = [
            "plan",
            "-input=false",
            f"-var-file={self.env_dir / 'terraform.tfvars'}",
            f"-out={self.plan_file}",
        ]
        if destroy:
            args.append("-destroy")
        self.run(*args)
        shown = self.run("show", "-json", str(self.plan_file), capture=True)
        try:
            return changes(json.loads(shown))
        except json.JSONDecodeError:
            raise click.ClickException(
                "terraform show -json did not print JSON; is the plan file intact?"
            ) from None

    def apply(self) -> None:
        self.run("apply", "-input=false", str(self.plan_file))

    def save_outputs(self) -> Path | None:
        """Keep `terraform output -json` in envs/ENV/outputs.json: operator commands with --env read
        the instance ID and table names there without initialising the backend each time."""
        target = outputs_file(self.env, self.dir)
        try:
            outputs = json.loads(self.run("output", "-json", capture=True) or "{}")
        except json.JSONDecodeError:
            outputs = {}
        if not outputs:
            target.unlink(missing_ok=True)
            return None
        target.write_text(json.dumps(outputs, indent=2, sort_keys=True), encoding="utf-8")
        return target


def layer_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The pinned requirements of LAYER_PACKAGES, read from pyproject.toml (the one place of pins)."""
    import tomllib

    pins = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    wanted = {}
    for pin in pins:
        name = re.split(r"[\[=<>~! ]", pin, maxsplit=1)[0].lower()
        if name in LAYER_PACKAGES:
            wanted[name] = pin
    missing = sorted(set(LAYER_PACKAGES) - set(wanted))
    if missing:
        raise click.ClickException(
            f"pyproject.toml pins none of {', '.join(missing)}; the Lambda layer needs them"
        )
    return [wanted[n] for n in LAYER_PACKAGES]


def build_layer(target: Path = LAYER_ZIP) -> Path:
    """Zip the Lambda dependencies for python3.12 on arm64 (manylinux wheels from PyPI) as a layer.

    A zip built from the same pins is reused (its requirements are stored beside it)."""
    import subprocess
    import tempfile
    import zipfile

    stamp = target.with_suffix(".requirements")
    wanted = "\n".join(layer_requirements())
    if target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return target
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "python"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site),
            "--platform",
            "manylinux2014_aarch64",
            "--implementation",
            "cp",
            "--python-version",
            "3.12",
            "--only-binary=:all:",
            *layer_requirements(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise click.ClickException(f"building the Lambda layer failed:\n{done.stderr.strip()[-2000:]}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(site.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    # A fixed timestamp keeps the zip, and so Terraform's source hash, reproducible.
                    info = zipfile.ZipInfo(str(path.relative_to(tmp)), date_time=(2020, 1, 1, 0, 0, 0))
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    stamp.write_text(wanted, encoding="utf-8")
    return target


def _has_terminal_stdout() -> bool:
    try:
        sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


def find_terraform() -> str:
    binary = os.environ.get("TERRAFORM_BIN") or shutil.which("terraform")
    if not binary:
        raise click.ClickException(
            f"terraform not found: install Terraform {'.'.join(map(str, MIN_TERRAFORM))} or newer "
            "(https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BIN to its path"
        )
    from python_terraform import Terraform

    code, out, _ = Terraform(terraform_bin_path=binary).cmd("version", capture_output=True)
    found = re.search(r"Terraform v(\d+)\.(\d+)\.(\d+)", str(out or ""))
    if code != 0 or not found:
        raise click.ClickException(
            f"{binary} does not answer `terraform version`; set TERRAFORM_BIN to Terraform"
        )
    version = tuple(int(x) for x in found.groups())
    if version[:2] < MIN_TERRAFORM:
        raise click.ClickException(
            f"{binary} is Terraform {'.'.join(map(str, version))}; this project needs "
            f"{'.'.join(map(str, MIN_TERRAFORM))} or newer (the one pip installs into .venv serves "
            "`terraform fmt` only): install Terraform and put it first on PATH, or set TERRAFORM_BIN"
        )
    return binary


def check_credentials(profile: str | None) -> str:
    """The AWS account the deploy will touch; a clear error when there are no usable credentials."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        session = boto3.Session(profile_name=profile)
        if session.get_credentials() is None:
            raise click.ClickException(
                "no AWS credentials: set AWS_PROFILE (or --profile), run `aws sso login`, "
                "or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        identity = session.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise click.ClickException(f"AWS credentials do not work: {exc}") from None
    return str(identity["Account"])


def _deployer(env: str, terraform_dir: Path, profile: str | None) -> tuple[Deployer, str]:
    known = environments(terraform_dir)
    if env not in known:
        raise click.BadParameter(
            f"{env!r} is not an environment; one of {', '.join(known)}", param_hint="--env"
        )
    binary = find_terraform()
    if profile:
        os.environ["AWS_PROFILE"] = profile
    account = check_credentials(profile)
    tfvars = (terraform_dir / "envs" / env / "terraform.tfvars").read_text(encoding="utf-8")
    expected = re.search(r'^\s*account_id\s*=\s*"(\d{12})"', tfvars, flags=re.M)
    if expected and expected.group(1) != account:
        raise click.ClickException(
            f"the credentials are for account {account}, but envs/{env} deploys to {expected.group(1)}: "
            f"switch profile (--profile) or fix account_id in envs/{env}/terraform.tfvars"
        )
    click.echo(f"Lambda layer: {build_layer()}")
    return Deployer(env, terraform_dir, binary), account


ENV_OPTION = click.option(
    "--env", "env", required=True, metavar="ENV", help="Environment: a folder of terraform/envs."
)
DIR_OPTION = click.option(
    "--terraform-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=REPO_ROOT / "terraform",
    show_default="terraform/",
    help="Root module directory.",
)
PROFILE_OPTION = click.option("--profile", help="AWS profile (default: the environment's credentials).")
YES_OPTION = click.option("--yes", is_flag=True, help="Apply without asking.")


@click.group()
def deploy() -> None:
    """Deploy the contact center to AWS with Terraform."""


@deploy.command()
def layer() -> None:
    """Build build/lambda-layer.zip: the Lambdas' third-party packages for python3.12 on arm64."""
    click.echo(str(build_layer()))


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def plan(env: str, terraform_dir: Path, profile: str | None, output: str) -> None:
    """Init and plan to envs/ENV/ENV.tfplan; print what would change."""
    deployer, account = _deployer(env, terraform_dir, profile)
    deployer.init()
    found = deployer.plan()
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "env": env,
                    "account": account,
                    "plan": str(deployer.plan_file),
                    "changes": [c.__dict__ for c in found],
                }
            )
        )
    else:
        click.echo(f"\n{env} (account {account}): plan saved to {deployer.plan_file}\n{summary(found)}")


def _apply_plan(
    deployer: Deployer, env: str, account: str, found: list[Change], yes: bool, verb: str
) -> None:
    done = {"apply": "applied", "destroy": "destroyed"}[verb]
    click.echo(f"\n{env} (account {account}):\n{summary(found)}")
    if not found:
        click.echo("Nothing to change.")
        return
    if not yes:
        if env == "prod":
            typed = click.prompt(f"Type the environment name to {verb} prod", default="", show_default=False)
            if typed != env:
                raise click.ClickException(f"not confirmed; nothing was {done}")
        elif not click.confirm(f"{verb.capitalize()} these changes to {env}?", default=False):
            raise click.ClickException(f"not confirmed; nothing was {done}")
    deployer.apply()
    saved = deployer.save_outputs()
    click.echo(f"{env}: {verb} complete." + (f" Outputs saved to {saved}." if saved else ""))


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@YES_OPTION
def apply(env: str, terraform_dir: Path, profile: str | None, yes: bool) -> None:
    """Plan, show the summary, and apply after confirmation (or --yes)."""
    deployer, account = _deployer(env, terraform_dir, profile)
    deployer.init()
    _apply_plan(deployer, env, account, deployer.plan(), yes, "apply")


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@YES_OPTION
def destroy(env: str, terraform_dir: Path, profile: str | None, yes: bool) -> None:
    """Plan a destroy and run it after confirmation. See docs/deploy.md for what Connect keeps."""
    # The layer is built for destroy too: Terraform hashes the zip while planning.
    deployer, account = _deployer(env, terraform_dir, profile)
    deployer.init()
    _apply_plan(deployer, env, account, deployer.plan(destroy=True), yes, "destroy")
