"""aicc-ops installed as a package (no clone around its code): the day-to-day commands read the
flow templates and configuration the package carries; those that need the repository (deploy, the
environments' Terraform outputs, `flows lint` of the repository's templates) say so, and how to
go on, instead of failing on a missing file. tests/e2e/test_installed_wheel.py proves the same
with a real wheel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from aicc.settings import config
from aicc_ops.admin import drift
from aicc_ops.cli import cli
from aicc_ops.core import repository
from aicc_ops.core.repository import REPO_FLOWS_DIR, default_flows_dir, in_repository
from aicc_ops.engine.flows import flows_dir


@pytest.fixture
def packaged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The code's surroundings as in a site-packages: no terraform/ or lambdas/ beside it."""
    monkeypatch.setattr(repository, "REPO_ROOT", tmp_path)
    monkeypatch.delenv("AICC_FLOWS_DIR", raising=False)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def error_of(result: Result) -> dict[str, Any]:
    assert result.exit_code == 1, result.output
    error: dict[str, Any] = json.loads(result.stderr)["error"]
    return error


def test_the_checkout_is_recognised_and_its_templates_are_used() -> None:
    assert in_repository()
    assert default_flows_dir() == REPO_FLOWS_DIR  # no packaged copy inside a clone


def test_an_installed_package_reads_the_templates_it_carries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(repository, "PACKAGED_FLOWS_DIR", tmp_path)
    monkeypatch.delenv("AICC_FLOWS_DIR", raising=False)
    assert flows_dir() == tmp_path
    monkeypatch.setenv("AICC_FLOWS_DIR", str(tmp_path / "mine"))
    assert flows_dir() == tmp_path / "mine"


def test_deploy_needs_the_repository(packaged: Path) -> None:
    error = error_of(run("deploy", "plan", "--env", "dev", "--output", "json"))
    assert error["code"] == "repository"
    assert "installed package" in error["message"] and "make install" in error["message"]
    for args in (["apply", "--env", "dev", "--yes"], ["destroy", "--env", "dev"], ["layer"]):
        result = run("deploy", *args)
        assert (
            result.exit_code == 1 and "Error: aicc-ops deploy needs the aicc-ops repository" in result.stderr
        )


def test_deploy_help_still_works_outside(packaged: Path) -> None:
    result = run("deploy", "plan", "--help")
    assert result.exit_code == 0 and "--env" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["agents", "list"],
        ["queues", "status"],
        ["roster", "show"],
        ["connect", "export", "--instance-id", "i-1", "--region", "ap-northeast-2"],
        ["flows", "lint", str(REPO_FLOWS_DIR)],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_env_needs_the_repository_and_the_message_names_the_alternative(
    packaged: Path, args: list[str]
) -> None:
    error = error_of(run(*args, "--env", "dev", "--output", "json"))
    assert error["code"] == "repository"
    assert "--env dev" in error["message"] and "--instance-id and --region" in error["message"]


def test_drift_of_an_environment_needs_the_repository(packaged: Path) -> None:
    error = error_of(run("connect", "diff", "--env", "prod", "--instance-id", "i-1", "--output", "json"))
    assert error["code"] == "repository" and "terraform/envs/prod" in error["message"]


def test_an_export_taken_from_an_environment_is_never_diffed_without_its_settings(
    packaged: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = drift.repository_view(config())
    snapshot = drift.Snapshot(repo, "iid-1", "ap-northeast-2", "prod", "2026-11-25T09:00:00Z", set(repo))
    export = tmp_path_factory.mktemp("export") / "prod"
    drift.write_export(snapshot, export, managed=repo)

    error = error_of(run("connect", "diff", "--from-export", str(export), "--output", "json"))
    assert error["code"] == "repository" and "taken from 'prod'" in error["message"]


def test_flows_lint_of_the_repository_templates_needs_it_files_do_not(packaged: Path) -> None:
    error = error_of(run("flows", "lint", "--output", "json"))
    assert error["code"] == "repository" and "PATH" in error["message"]

    for given in (["--flows-dir", str(REPO_FLOWS_DIR)], [str(REPO_FLOWS_DIR)]):
        result = run("flows", "lint", *given, "--output", "json")
        assert result.exit_code == 0, result.output
