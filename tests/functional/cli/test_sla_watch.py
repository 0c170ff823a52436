"""`aicc-ops sla watch --local` against a local stack server (ports 0, a private state dir) whose
MSP General SLA is a few seconds: a caller nobody can take breaches it, the monitor posts one alert
to the local Slack receiver and pages the manager; once an agent answers, one resolve message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from helpers import StackCliRunner, config_with_sla

from aicc.domain.sla import HEADLINES, Message
from aicc.settings import config, load_config
from aicc_ops.cli import sla as sla_cli
from aicc_ops.local.server import serve
from functional.cli.test_queues import MSP_GENERAL_CALL, Stack, wait_for

SLA = 4
QUEUE = "msp_general"
# Who serves MSP General on the local stack (routing_profiles.yaml: the TS engineers; the manager).
SERVERS = ("ts.choi", "ts.yoon", "ts.park", "mgr.kim")

pytestmark = pytest.mark.slow  # an SLA of seconds, waited in real time


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config_dir = config_with_sla(tmp_path_factory.mktemp("config"), QUEUE, SLA)
    state_dir = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AICC_CONFIG_DIR", str(config_dir))
        mp.setenv(config().tables["sla_alerts"].env, "")  # restored after the module: the CLI sets it
        mp.delenv("AICC_SLACK_BASE_URL", raising=False)
        config.cache_clear()
        with serve(state_dir, config=load_config(config_dir), acw_seconds=0.2) as info:
            yield Stack(state_dir, info, info.client("connect"))
    config.cache_clear()


def watch(stack: Stack) -> dict[str, Any]:
    """One run (`--once --output json`): its line, the server's metric lines dropped."""
    args = ["watch", "--local", "--once", "--output", "json", "--state-dir", str(stack.state_dir)]
    result = StackCliRunner().invoke(sla_cli.sla, args)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith('{"at"'))
    return dict(json.loads(line))


def test_help_and_a_quiet_run(stack: Stack) -> None:
    assert StackCliRunner().invoke(sla_cli.sla, ["watch", "--help"]).exit_code == 0
    run = watch(stack)
    rows = {r["queue"]: r for r in run["queues"]}
    assert set(rows) == {k for k, q in config().queues.items() if q.sla_seconds is not None}
    assert all(r["state"] == "OK" and r["sent"] is None for r in rows.values()) and run["slack"] == []
    table = (
        StackCliRunner()
        .invoke(sla_cli.sla, ["watch", "--local", "--once", "--state-dir", str(stack.state_dir)])
        .output
    )
    assert config().queues[QUEUE].name in table and "episode" in table


def test_a_breach_alerts_once_pages_the_manager_and_resolves_once(stack: Stack) -> None:
    for login in SERVERS:
        stack.set_status(login, "offline")
    call = stack.calls("POST", "/calls", MSP_GENERAL_CALL)
    runs: list[dict[str, Any]] = []

    def breached() -> bool:
        runs.append(watch(stack))
        return any(r["queue"] == QUEUE and r["state"] == "BREACHED" for r in runs[-1]["queues"])

    wait_for(breached, "MSP General breached")
    watch(stack)  # still breached: nothing more
    stack.set_status("ts.park", "available")
    wait_for(lambda: stack.calls("GET", f"/calls/{call['contact_id']}")["agent"] == "ts.park", "answered")

    def resolved() -> bool:
        runs.append(watch(stack))
        return any(r["queue"] == QUEUE and r["sent"] == "resolved" for r in runs[-1]["queues"])

    wait_for(resolved, "MSP General resolved")
    runs.append(watch(stack))
    sent = [r["sent"] for run in runs for r in run["queues"] if r["queue"] == QUEUE and r["sent"]]
    assert sent.count("breach") == 1 and sent.count("resolved") == 1, sent
    posted = [m["text"] for run in runs for m in run["slack"]]
    assert sum(t.startswith(HEADLINES[Message.BREACH]) for t in posted) == 1
    assert sum(t.startswith(HEADLINES[Message.RESOLVED]) for t in posted) == 1
    assert sum(r["paged"] for run in runs for r in run["queues"] if r["queue"] == QUEUE) == 1
    table = boto3.resource("dynamodb", endpoint_url=stack.info.aws_endpoint, region_name=stack.info.region)
    item = table.Table(stack.info.tables["sla_alerts"]).get_item(Key={"queue": QUEUE})["Item"]
    assert item["level"] == 0 and "paged" not in item
