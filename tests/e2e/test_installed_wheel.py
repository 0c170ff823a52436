"""The operators' CLI as a package: `make dist` builds the sdist and a wheel from it, `pipx install`
of the wheel gives an aicc-ops that runs the local stack and calls from a directory far from the
checkout, with the configuration and flow templates it carries, and the commands that need the
repository say so.

Slow (about 30 s): the build and pipx's virtualenv install the pinned dependencies from the
package index, as an operator's machine would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aicc.settings import DEFAULT_CONFIG_DIR, config
from aicc_ops.core.repository import REPO_ROOT, TERRAFORM_DIR
from aicc_ops.core.revision import CONFIG_PATTERNS, FLOW_PATTERNS, revision

pytestmark = pytest.mark.slow

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
FLOWS_DIR = TERRAFORM_DIR / "flows"
# Settings of this test run that would point the installed CLI back into the checkout.
LEAKS = ("PYTHONPATH", "AICC_FLOWS_DIR", "AICC_CONFIG_DIR", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")


def _source_modules(root: Path, top: str) -> set[str]:
    return {
        f"{top}/{p.relative_to(root / top).as_posix()}"
        for p in (root / top).rglob("*.py")
        if "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make dist` into a temporary folder, with this interpreter's build (no install step)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            "dist",
            f"DIST={out}",
            f"BIN={Path(sys.executable).parent}",
            "STAMP=",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`pipx install` of the wheel into a private PIPX_HOME; the CLI is run from an empty folder."""
    home = tmp_path_factory.mktemp("pipx")
    env = {k: v for k, v in os.environ.items() if k not in LEAKS}
    env |= {
        "PIPX_HOME": str(home / "home"),
        "PIPX_BIN_DIR": str(home / "bin"),
        "PIPX_MAN_DIR": str(home / "man"),
        "AICC_LOCAL_DIR": str(home / "state"),
    }
    (wheel,) = dist.glob("*.whl")
    pipx = Path(sys.executable).parent / "pipx"
    done = subprocess.run(
        [str(pipx), "install", str(wheel)], check=False, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workdir = tmp_path_factory.mktemp("operator")
    yield {"bin": home / "bin" / "aicc-ops", "env": env, "cwd": workdir, "home": home}
    subprocess.run([str(home / "bin" / "aicc-ops"), "local", "down"], env=env, cwd=workdir, check=False)
    shutil.rmtree(home, ignore_errors=True)  # pipx's virtualenv: some 360 MB per run


def aicc_ops(installed: dict[str, Any], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(installed["bin"]), *args],
        check=False,
        env=installed["env"],
        cwd=installed["cwd"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "This is a bug" not in done.stderr, done.stderr
    if ok:
        assert done.returncode == 0, f"aicc-ops {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done


def test_the_sdist_is_complete_and_the_wheel_carries_code_config_and_flow_templates(dist: Path) -> None:
    (sdist,) = dist.glob(f"aicc_ops-{VERSION}.tar.gz")
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "setup.py", "MANIFEST.in"):
        assert name in in_sdist, name
    assert {f"terraform/flows/{p.name}" for p in FLOWS_DIR.iterdir()} <= in_sdist

    (wheel,) = dist.glob(f"aicc_ops-{VERSION}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
        metadata = archive.read(f"aicc_ops-{VERSION}.dist-info/METADATA").decode()
    # every module of both packages: a new subpackage cannot be left behind
    assert (
        _source_modules(REPO_ROOT / "lambdas", "aicc") | _source_modules(REPO_ROOT / "ops", "aicc_ops")
        <= in_wheel
    )
    templates = {p.name for pattern in FLOW_PATTERNS for p in FLOWS_DIR.glob(pattern)}
    assert {f"aicc_ops/flow_templates/{name}" for name in templates} <= in_wheel
    configs = {p.name for pattern in CONFIG_PATTERNS for p in DEFAULT_CONFIG_DIR.glob(pattern)}
    assert {f"aicc/config/{name}" for name in configs} <= in_wheel
    assert f"aicc_ops-{VERSION}.dist-info/licenses/LICENSE" in in_wheel
    assert "License-Expression: Apache-2.0" in metadata
    assert not [n for n in in_wheel if "__pycache__" in n or n.startswith(("tests/", "terraform/"))]


def test_version_names_the_flows_and_config_the_package_carries(installed: dict[str, Any]) -> None:
    lines = aicc_ops(installed, "--version").stdout.splitlines()
    assert lines[0] == f"aicc-ops {VERSION}"
    site = str(installed["home"])
    flows = revision(FLOWS_DIR, FLOW_PATTERNS)
    cfg = revision(DEFAULT_CONFIG_DIR, CONFIG_PATTERNS)
    assert flows and cfg
    # the same content as the checkout's, read from the installed package
    assert lines[1].split()[1] == flows.digest and site in lines[1] and "flow_templates" in lines[1]
    assert lines[2].split()[1] == cfg.digest and site in lines[2]


def test_the_local_stack_runs_and_answers_calls_from_the_installed_cli(installed: dict[str, Any]) -> None:
    ports = ("--aws-port", "0", "--connect-port", "0", "--calls-port", "0")
    up = json.loads(aicc_ops(installed, "local", "up", *ports, "--output", "json").stdout)
    assert up["instance_id"] == "aicc-local"

    queues = {q.name for q in config().queues.values()}
    offline = json.loads(
        aicc_ops(
            installed,
            "call",
            "simulate",
            "--at",
            "2026-11-25T10:00:00+09:00",
            *("--input", "say:솔트웨어", "--input", "say:김민준", "--input", "1234#", "--input", "2"),
            "--json",
        ).stdout
    )
    assert offline["in_queue"] and offline["queue"] in queues and not offline["dropped_silently"]

    agents = json.loads(aicc_ops(installed, "agents", "list", "--local", "--output", "json").stdout)
    assert agents, "the local stack seeds the bundled sample agents"
    status = json.loads(aicc_ops(installed, "queues", "status", "--local", "--output", "json").stdout)
    assert status and {row["queue"] for row in status} <= queues

    down = aicc_ops(installed, "local", "down")
    assert "stopped" in down.stdout


def _error(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert done.returncode == 1
    error: dict[str, str] = json.loads(done.stderr)["error"]
    return error


def test_commands_that_need_the_repository_say_so(installed: dict[str, Any]) -> None:
    plan = _error(aicc_ops(installed, "deploy", "plan", "--env", "dev", "--output", "json", ok=False))
    assert plan["code"] == "repository" and "make install" in plan["message"]

    lint = _error(aicc_ops(installed, "flows", "lint", "--output", "json", ok=False))
    assert lint["code"] == "repository" and "PATH" in lint["message"]

    where = _error(aicc_ops(installed, "agents", "list", "--env", "dev", "--output", "json", ok=False))
    assert where["code"] == "repository" and "--instance-id" in where["message"]
