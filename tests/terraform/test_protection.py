"""Prod safety: the stateful resources of a protected environment cannot be destroyed or replaced.

prevent_destroy must be a literal in Terraform, so the modules put it on guards (terraform_data)
that exist only when deletion_protection is on and follow the protected resource through
replace_triggered_by. The mechanism is shown with real Terraform on a small configuration (no
provider needed), and every protected resource of the modules is checked to have its guard.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

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
variable "protected" { type = bool }

# The protected resource: `setting` changes it in place, `generation` replaces it.
resource "terraform_data" "thing" {
  input            = var.setting
  triggers_replace = var.generation
}
"""


def _guard_of(module: str) -> str:
    return (TERRAFORM / "modules" / module / "main.tf").read_text(encoding="utf-8")


def test_every_protected_resource_has_a_guard_that_follows_it() -> None:
    for module, rtype in sorted(PROTECTED):
        with (TERRAFORM / "modules" / module / "main.tf").open(encoding="utf-8") as handle:
            doc = hcl2.load(handle)
        guards = [
            body
            for block in doc.get("resource", [])
            for kind, named in block.items()
            if kind.strip('"') == "terraform_data"
            for name, body in named.items()
            if name.strip('"').startswith("protect_")
        ]
        following = [
            g
            for g in guards
            if any(
                rtype in str(t) for lc in g.get("lifecycle", []) for t in lc.get("replace_triggered_by", [])
            )
        ]
        assert following, f"modules/{module}: no protect_* guard follows {rtype}"
        for guard in following:
            (lifecycle,) = guard["lifecycle"]
            assert lifecycle["prevent_destroy"] is True
            switch = str(guard.get("count", "")) + str(guard.get("for_each", ""))
            assert "var.deletion_protection" in switch, (
                f"modules/{module}: the guard of {rtype} ignores deletion_protection"
            )


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = modern_terraform()
    if binary is None:
        pytest.skip("no Terraform >= 1.10 on this machine")
    work = tmp_path_factory.mktemp("guard")
    # The guard exactly as modules/connect writes it for the instance, around a stand-in resource.
    connect = _guard_of("connect")
    guard = re.search(r'resource "terraform_data" "protect_instance" \{.*?\n\}\n', connect, flags=re.S)
    assert guard
    text = guard.group(0)
    text = text.replace("var.deletion_protection", "var.protected").replace(
        "aws_connect_instance.this", "terraform_data.thing"
    )
    text = text.replace("terraform_data.thing.arn", "terraform_data.thing.id")
    (work / "main.tf").write_text(GUARDED + text, encoding="utf-8")
    _tf(work, "init", "-input=false")
    _tf(work, "apply", "-auto-approve", "-input=false", *_vars(1, "a", True))
    return work


def _vars(generation: int, setting: str, protected: bool) -> list[str]:
    return [
        "-var",
        f"generation={generation}",
        "-var",
        f"setting={setting}",
        "-var",
        f"protected={str(protected).lower()}",
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
