"""`aicc-ops flows lint` and `aicc-ops demo`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc_ops.cli import cli
from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.engine.flows import load_catalog
from aicc_ops.local.scenarios import DEMO_CALLS


def test_flows_lint_passes_on_the_shipped_flows() -> None:
    result = CliRunner().invoke(cli, ["flows", "lint"])
    assert result.exit_code == 0, result.output
    assert f"{len(load_catalog())} flows" in result.output and "0 error(s), 0 warning(s)" in result.output


@pytest.fixture
def broken_flows(tmp_path: Path) -> Path:
    shutil.copytree(REPO_FLOWS_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "msp_customer.json.tftpl"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '"NextAction": "promise", "Errors": [{"NextAction": "promise"',
        '"NextAction": "nowhere", "Errors": [{"NextAction": "promise"',
    )
    text = text.replace(
        '"Type": "UpdateContactTargetQueue", "Parameters": {"QueueId": "${queues.msp_general}"}',
        '"Type": "UpdateContactTargetQueue", "Parameters": {"QueueId": "${queues.msp_general}", "Priority": "1"}',
    )
    path.write_text(text, encoding="utf-8")
    return tmp_path


def test_flows_lint_reports_flow_and_action_and_exits_1(broken_flows: Path) -> None:
    result = CliRunner().invoke(cli, ["flows", "lint", "--flows-dir", str(broken_flows), "--output", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    messages = {(f["flow"], f["action"], f["message"]) for f in data["findings"]}
    assert (
        "MSP Customer",
        "assign-save",
        "NextAction goes to 'nowhere', which does not exist (dangling transition)",
    ) in messages
    assert (
        "MSP Customer",
        "msp-general-queue",
        "unknown parameter 'Priority' for UpdateContactTargetQueue",
    ) in messages


def test_flows_lint_unbound_placeholder_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(REPO_FLOWS_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "emergency.json.tftpl"
    path.write_text(
        path.read_text(encoding="utf-8").replace("${queues.msp_emergency}", "${queues.vip}"), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["flows", "lint", "--flows-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "emergency.json.tftpl: unbound template variable 'queues.vip'" in result.output
    assert "Traceback" not in result.output


def test_demo_runs_every_scenario_without_dropping_anyone() -> None:
    result = CliRunner().invoke(cli, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == len(DEMO_CALLS)
    assert not any(r["dropped"] for r in rows)
    flows = " ".join(r["flows"] for r in rows)
    for name in (
        "MSP Customer",
        "General Customer",
        "After Hours",
        "Emergency",
        "Callback Request",
        "MSP Emergency Queue",
        "General Customer Queue",
    ):
        assert name in flows
    assert {r["queue"] for r in rows} >= {"MSP Emergency", "MSP General", "General Customer"}
