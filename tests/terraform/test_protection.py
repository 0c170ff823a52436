"""Prod safety: the stateful resources of a protected environment cannot be destroyed or replaced.

prevent_destroy must be a literal in Terraform, so the root module puts it on guards (terraform_data)
that exist only when deletion_protection is on: one per resource the modules list in their
`protected` output (name => ARN). A new ARN would replace the guard, which Terraform refuses. The
mechanism is shown with real Terraform on a small configuration (no provider needed), and every
protected resource of the modules is checked to be listed and guarded.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from plan_gate import TERRAFORM, modern_terraform

# (module, resource type) of everything prod must not lose: the instance, queues, tables, keys, buckets.
PROTECTED = {
    ("connect", "aws_connect_instance"),
    ("connect", "aws_connect_queue"),
    ("data", "aws_dynamodb_table"),
    ("security", "aws_kms_key"),
    ("security", "aws_s3_bucket"),
    ("monitoring", "aws_kms_key"),
}

GUARDED = """
variable "generation" { type = number }
variable "setting" { type = string }
variable "deletion_protection" { type = bool }

# The protected resource: `setting` changes it in place, `generation` replaces it (a new ID, as a
# replaced resource has a new ARN).
resource "terraform_data" "thing" {
  input            = var.setting
  triggers_replace = var.generation
}

# What the modules' `protected` outputs give the root module: name => ARN (here the stand-in's ID).
locals {
  protected = { instance = terraform_data.thing.id }
}
"""


def _blocks(path: Path, kind: str) -> dict[str, Any]:
    """name -> body of the blocks of one kind in a .tf file ("type.name" for resources)."""
    with path.open(encoding="utf-8") as handle:
        doc = hcl2.load(handle)
    found = {}
    for block in doc.get(kind, []):
        for name, body in block.items():
            if kind == "resource":
                found |= {f"{name}.{inner}".replace('"', ""): b for inner, b in body.items()}
            else:
                found[name.strip('"')] = body
    return found


def test_every_protected_resource_is_listed_and_guarded() -> None:
    root = TERRAFORM / "main.tf"
    guard = _blocks(root, "resource")["terraform_data.protect"]
    (lifecycle,) = guard["lifecycle"]
    assert lifecycle["prevent_destroy"] is True
    assert guard["triggers_replace"] == "${each.value}", "a guard must follow its resource's ARN"
    assert "var.deletion_protection" in guard["for_each"], "the guards ignore deletion_protection"
    assert "local.protected" in guard["for_each"]
    protected = _blocks(root, "locals")["protected"]
    for module, rtype in sorted(PROTECTED):
        assert f"module.{module}.protected" in protected, f"the guards leave out module {module}"
        listed = _blocks(TERRAFORM / "modules" / module / "outputs.tf", "output")["protected"]["value"]
        assert f"{rtype}." in str(listed), f"modules/{module}: output `protected` leaves out {rtype}"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = modern_terraform()
    if binary is None:
        pytest.skip("no Terraform >= 1.10 on this machine")
    work = tmp_path_factory.mktemp("guard")
    # The guard exactly as the root module writes it, around a stand-in resource.
    root = (TERRAFORM / "main.tf").read_text(encoding="utf-8")
    guard = re.search(r'^resource "terraform_data" "protect" \{.*?\n\}\n', root, flags=re.S | re.M)
    assert guard
    (work / "main.tf").write_text(GUARDED + guard.group(0), encoding="utf-8")
    _tf(work, "init", "-input=false")
    applied = _tf(work, "apply", "-auto-approve", "-input=false", *_vars(1, "a", True))
    assert applied.returncode == 0, applied.stderr
    return work


def _vars(generation: int, setting: str, protected: bool) -> list[str]:
    return [
        "-var",
        f"generation={generation}",
        "-var",
        f"setting={setting}",
        "-var",
        f"deletion_protection={str(protected).lower()}",
    ]


def _tf(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = modern_terraform()
    assert binary
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_DATA_DIR": str(work / ".terraform")}
    return subprocess.run(
        [binary, *args, "-no-color"], cwd=work, env=env, capture_output=True, text=True, check=False
    )


def test_an_update_in_place_passes(guarded: Path) -> None:
    done = _tf(guarded, "plan", "-input=false", *_vars(1, "b", True))
    assert done.returncode == 0, done.stderr
    assert "1 to change, 0 to destroy" in done.stdout


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (_vars(2, "a", True), "replacing the protected resource"),
        (["-destroy", *_vars(1, "a", True)], "destroying everything"),
        (_vars(1, "a", False), "switching the protection off in the same apply"),
    ],
)
def test_terraform_refuses(args: list[str], what: str, guarded: Path) -> None:
    done = _tf(guarded, "plan", "-input=false", *args)
    assert done.returncode == 1, f"{what} was planned:\n{done.stdout}"
    assert "Instance cannot be destroyed" in done.stderr, done.stderr
