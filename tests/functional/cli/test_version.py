"""`aicc-ops --version`: the one version (pyproject's) with the flows' and configuration's revision."""

from __future__ import annotations

import re
import shutil
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc.settings import DEFAULT_CONFIG_DIR
from aicc_ops.cli import cli
from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.core.revision import CONFIG_PATTERNS, revision

ROOT = Path(__file__).resolve().parents[3]
PROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def version_lines() -> list[str]:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_version_names_the_package_and_the_revisions_of_flows_and_config() -> None:
    lines = version_lines()
    assert lines[0] == f"aicc-ops {PROJECT_VERSION}"
    flows = (
        len([*REPO_FLOWS_DIR.glob("*.json.tftpl"), *REPO_FLOWS_DIR.glob("*.blocks.tftpl")]) + 1
    )  # flows.yaml
    assert re.fullmatch(
        rf"flows:  [0-9a-f]{{12}} \({flows} files in {re.escape(str(REPO_FLOWS_DIR))}\)", lines[1]
    )
    files = len(list(DEFAULT_CONFIG_DIR.glob("*.yaml")))
    assert re.fullmatch(
        rf"config: [0-9a-f]{{12}} \({files} files in {re.escape(str(DEFAULT_CONFIG_DIR))}\)", lines[2]
    )
    assert len(lines) == 3


def test_the_installed_version_is_pyprojects() -> None:
    assert metadata.version("aicc-ops") == PROJECT_VERSION


def test_flows_not_found_is_said_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_FLOWS_DIR", str(tmp_path / "absent"))
    monkeypatch.setenv("AICC_CONFIG_DIR", str(tmp_path))  # a directory with no data file
    lines = version_lines()
    assert lines[1] == f"flows:  not available (none in {tmp_path / 'absent'})"
    assert lines[2] == f"config: not available (none in {tmp_path})"


def test_the_config_revision_follows_content_not_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, copy)
    original = revision(DEFAULT_CONFIG_DIR, CONFIG_PATTERNS)
    copied = revision(copy, CONFIG_PATTERNS)
    assert original is not None and copied is not None and copied.digest == original.digest

    hours = copy / "hours.yaml"
    hours.write_text(hours.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setenv("AICC_CONFIG_DIR", str(copy))
    edited = version_lines()[2]
    assert edited.startswith("config: ") and original.digest not in edited

    (copy / "notes.txt").write_text("not configuration", encoding="utf-8")  # only *.yaml counts
    assert version_lines()[2] == edited


def test_changelogs_newest_release_is_pyprojects_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert released, "CHANGELOG.md names no released version"
    assert released[0] == PROJECT_VERSION
