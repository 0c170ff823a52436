"""`aicc-ops queues status|rebalance` over HTTP against the local stack server (`serve()`).

The server runs once for the module with a configuration whose MSP General SLA is 4 seconds, so a
simulated call waiting in that queue becomes AT RISK within a second or two (real time).
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from helpers import StackCliRunner, wait_for

from aicc.settings import DEFAULT_CONFIG_DIR, config, load_config
from aicc_ops.admin import queues as q
from aicc_ops.admin.context import OpsContext
from aicc_ops.cli import queues as queues_cli
from aicc_ops.local.runtime import ServerInfo
from aicc_ops.local.server import serve

SLA = 4
MSP_GENERAL_CALL = {
    "caller": "+821012345678",
    "inputs": ["say:솔트웨어", "say:김민준", "1234#", "2"],
    "at": "2026-11-25T10:00:00+09:00",  # a Wednesday, business hours
    "talk_seconds": 60,
}


@dataclass
class Stack:
    state_dir: Path
    info: ServerInfo
    connect: Any

    def run(self, *args: str) -> tuple[int, str]:
        """Exit code and output of `aicc-ops queues ARGS --local`. The server's Lambdas run in this
        process and print their metrics (EMF JSON lines) to the same stdout: those are dropped."""
        result = StackCliRunner().invoke(
            queues_cli.queues, [*args, "--local", "--state-dir", str(self.state_dir)]
        )
        lines = result.output.splitlines(keepends=True)
        return result.exit_code, "".join(line for line in lines if not line.startswith('{"_aws"'))

    def calls(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.info.calls_endpoint}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def user(self, login: str) -> dict[str, Any]:
        found = self.connect.search_users(
            InstanceId=self.info.instance_id,
            SearchCriteria={
                "StringCondition": {"FieldName": "Username", "Value": login, "ComparisonType": "EXACT"}
            },
        )["Users"]
        return dict(found[0])

    def set_status(self, login: str, status: str) -> None:
        self.connect.put_user_status(
            InstanceId=self.info.instance_id, UserId=self.user(login)["Id"], AgentStatusId=status
        )

    def agent_item(self, login: str) -> dict[str, Any]:
        table = boto3.resource(
            "dynamodb", endpoint_url=self.info.aws_endpoint, region_name=self.info.region
        ).Table(self.info.tables["agents"])
        return dict(table.get_item(Key={"login": login})["Item"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config_dir = tmp_path_factory.mktemp("config")
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir, dirs_exist_ok=True)
    queues_yaml = config_dir / "queues.yaml"
    text = queues_yaml.read_text(encoding="utf-8")
    queues_yaml.write_text(text.replace("sla_seconds: 1800", f"sla_seconds: {SLA}"), encoding="utf-8")
    state_dir = tmp_path_factory.mktemp("state")
    shared = botocore.session.get_session()

    def session(ops: OpsContext) -> boto3.Session:
        # Each CLI run builds a new boto3 session, loading botocore's JSON models again (~0.7 s
        # here); the tests share one botocore session instead, and its model cache.
        assert ops.server is not None
        return boto3.Session("testing", "testing", region_name=ops.server.region, botocore_session=shared)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AICC_CONFIG_DIR", str(config_dir))  # what the CLI's OpsContext loads
        mp.setattr(OpsContext, "session", property(session))
        config.cache_clear()
        with serve(state_dir, config=load_config(config_dir), acw_seconds=0.2) as info:
            connect = info.client("connect")
            yield Stack(state_dir, info, connect)
    config.cache_clear()


# ---- the CLI layer alone (before the server starts: the shipped configuration) ----
def test_failed_moves_are_reported_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI layer alone: a snapshot with one move, whose UpdateUserRoutingProfile fails."""
    ref = q.QueueRef("q-1", "", "MSP General", "msp_general")
    status = q.queue_status(ref, {"CONTACTS_IN_QUEUE": 1, "OLDEST_CONTACT_AGE": 1700}, config())
    profiles = {
        "rp-ts": q.Profile(
            "rp-ts", "MSP TS Engineer", "msp_ts_engineer", "TS", {"msp_general": q.Slot(1, 0)}
        ),
        "rp-ga": q.Profile("rp-ga", "General Agent", "general_agent", "GENERAL"),
    }
    agent = q.AgentState("ts.lent", "u-1", "rp-ga", q.Activity.AVAILABLE, "TS")
    monkeypatch.setattr(q, "snapshot", lambda ops: q.Snapshot([status], [agent], profiles, []))

    def fail(ops: OpsContext, moves: list[q.Move]) -> list[q.Outcome]:
        return [
            q.Outcome(m, False, "UpdateUserRoutingProfile: ThrottlingException: Rate exceeded") for m in moves
        ]

    monkeypatch.setattr(q, "apply_moves", fail)
    args = ["rebalance", "--apply", "--instance-id", "i-1", "--region", "ap-northeast-2"]
    result = StackCliRunner().invoke(queues_cli.queues, args)
    assert result.exit_code == 1
    assert "ts.lent  msp_ts_engineer  failed: UpdateUserRoutingProfile: ThrottlingException" in result.output
    assert "applied 0, failed 1" in result.output
    assert "Error: 1 move(s) failed (ts.lent); run the command again once the cause is fixed" in result.output
    result = StackCliRunner().invoke(queues_cli.queues, [*args, "--output", "json"])
    data = json.loads(result.output[: result.output.index("Error:")])
    assert data["summary"] == {"applied": 0, "failed": 1} and data["results"][0]["result"] == "failed"


def test_restore_dry_run_claims_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI layer alone: one agent to move home, one already home whose record is left as is."""
    profiles = {
        "rp-ts": q.Profile("rp-ts", "MSP TS Engineer", "msp_ts_engineer", "TS"),
        "rp-ga": q.Profile("rp-ga", "General Agent", "general_agent", "GENERAL"),
    }
    agents = [
        q.AgentState("ts.lent", "u-1", "rp-ga", q.Activity.AVAILABLE, "TS", home_profile="msp_ts_engineer"),
        q.AgentState("ga.home", "u-2", "rp-ga", q.Activity.OFFLINE, "GENERAL", home_profile="general_agent"),
    ]
    monkeypatch.setattr(q, "restore_snapshot", lambda ops: q.RestoreSnapshot(agents, profiles, []))
    applied: list[q.RestorePlan] = []

    def apply(ops: OpsContext, plan: q.RestorePlan) -> tuple[list[q.Outcome], list[str]]:
        applied.append(plan)
        return [q.Outcome(m, True) for m in plan.moves], []

    monkeypatch.setattr(q, "apply_restore", apply)
    args = ["rebalance", "--restore", "--instance-id", "i-1", "--region", "ap-northeast-2"]

    dry = StackCliRunner().invoke(queues_cli.queues, [*args, "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "already on the home profile (its home_routing_profile would be cleared): ga.home" in dry.output
    assert "record cleared" not in dry.output and "dry run: nothing changed" in dry.output
    assert "ts.lent" in dry.output and applied == []
    data = json.loads(
        StackCliRunner().invoke(queues_cli.queues, [*args, "--dry-run", "--output", "json"]).output
    )
    assert (data["applied"], data["already_home"]) == (False, ["ga.home"]) and applied == []

    done = StackCliRunner().invoke(queues_cli.queues, args)

    assert done.exit_code == 0, done.output
    assert "already on the home profile (clearing its home_routing_profile): ga.home" in done.output
    assert "applied 1, failed 0" in done.output and len(applied) == 1


def test_bad_options_say_what_to_fix(tmp_path: Path) -> None:
    result = StackCliRunner().invoke(queues_cli.queues, ["rebalance", "--max-moves", "0"])
    assert result.exit_code == 2 and "--max-moves" in result.output
    result = StackCliRunner().invoke(queues_cli.queues, ["status", "--local", "--state-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"no local stack runs from {tmp_path}: start it with `aicc-ops local up`" in result.output


# ---- against the local stack server ----
def test_status_table_and_json(stack: Stack) -> None:
    code, out = stack.run("status")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == [
        "queue",
        "waiting",
        "oldest",
        "SLA",
        "state",
        "online",
        "available",
        "on",
        "contact",
    ]
    assert [line.split("  ")[0] for line in lines[2:]] == [
        "MSP Emergency",
        "MSP General",
        "General Customer",
        "After Hours",
    ]
    assert "next business day" in lines[5]
    code, out = stack.run("status", "--output", "json")
    rows = json.loads(out)
    emergency = rows[0]
    assert emergency["queue"] == "MSP Emergency" and emergency["sla_seconds"] == 900
    assert emergency["sla_state"] == "OK" and emergency["agents_online"] >= 1
    assert rows[3]["sla_state"] is None and rows[3]["sla_next_business_day"] is True


def test_watch_refreshes_until_ctrl_c(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(queues_cli, "sleep", nap)
    code, out = stack.run("status", "--watch", "1.5")
    assert code == 0, out
    assert out.count("every 1.5s, Ctrl-C to stop") == 2 and naps == [1.5, 1.5]
    naps.clear()
    code, out = stack.run("status", "--watch", "2", "--output", "json")
    assert code == 0
    refreshes = [json.loads(line) for line in out.splitlines()]
    assert len(refreshes) == 2 and len(refreshes[0]["queues"]) == 4
    assert stack.run("status", "--watch", "0.1")[0] == 2  # faster than the quota allows


def test_nothing_at_risk(stack: Stack) -> None:
    code, out = stack.run("rebalance")
    assert (code, out) == (0, "no queue at risk; nothing to do\n")
    code, out = stack.run("rebalance", "--output", "json")
    assert json.loads(out)["moves"] == []
    code, out = stack.run("rebalance", "--restore")
    assert "nothing to restore" in out


def test_rebalance_moves_an_available_agent_to_the_queue_at_risk_and_restore_moves_it_back(
    stack: Stack,
) -> None:
    # Only ts.park could answer MSP General, and he is lent to the general agents; the other TS
    # engineers and the manager are signed out, so a call to MSP General waits.
    for login in ("ts.choi", "ts.yoon", "mgr.kim"):
        stack.set_status(login, "offline")
    park = stack.user("ts.park")
    stack.connect.update_user_routing_profile(
        InstanceId=stack.info.instance_id, UserId=park["Id"], RoutingProfileId="general_agent"
    )
    call = stack.calls("POST", "/calls", MSP_GENERAL_CALL)

    def msp_general() -> dict[str, Any]:
        rows = json.loads(stack.run("status", "--output", "json")[1])
        return dict(next(r for r in rows if r["key"] == "msp_general"))

    at_risk = wait_for(lambda: (row := msp_general())["sla_state"] != "OK" and row, "MSP General at risk")
    assert at_risk["contacts_in_queue"] == 1 and at_risk["agents_available"] == 0

    code, out = stack.run("rebalance")
    assert code == 0, out
    assert "Queues at risk:" in out and "run with --apply to apply this plan" in out
    plan_row = next(line for line in out.splitlines() if line.startswith("ts.park"))
    assert plan_row.split()[:3] == ["ts.park", "general_agent", "msp_ts_engineer"]
    assert "MSP General" in plan_row and "of SLA 00:04" in plan_row

    code, out = stack.run("rebalance", "--apply", "--dry-run")
    assert "dry run: nothing changed" in out
    assert stack.user("ts.park")["RoutingProfileId"] == "general_agent"

    code, out = stack.run("rebalance", "--apply", "--output", "json")
    assert code == 0, out
    applied = json.loads(out)
    assert applied["summary"] == {"applied": 1, "failed": 0}
    assert (
        applied["results"][0]["agent"] == "ts.park"
        and applied["results"][0]["to_profile"] == "msp_ts_engineer"
    )
    assert stack.user("ts.park")["RoutingProfileId"] == "msp_ts_engineer"
    item = stack.agent_item("ts.park")
    assert (item["home_routing_profile"], item["routing_profile"]) == ("general_agent", "msp_ts_engineer")

    # The dispatcher now offers him the waiting caller; planning again moves nobody.
    wait_for(
        lambda: stack.calls("GET", f"/calls/{call['contact_id']}")["agent"] == "ts.park", "ts.park answers"
    )
    again = json.loads(stack.run("rebalance", "--output", "json")[1])
    assert again["moves"] == []

    code, out = stack.run("rebalance", "--restore")
    assert code == 0, out
    assert "on a contact, left for the next --restore: ts.park" in out
    assert stack.user("ts.park")["RoutingProfileId"] == "msp_ts_engineer"

    stack.calls("DELETE", f"/calls/{call['contact_id']}")
    wait_for(lambda: "on a contact" not in stack.run("rebalance", "--restore", "--dry-run")[1], "call ends")
    code, out = stack.run("rebalance", "--restore")
    assert code == 0, out
    assert "applied 1, failed 0" in out
    assert stack.user("ts.park")["RoutingProfileId"] == "general_agent"
    assert "home_routing_profile" not in stack.agent_item("ts.park")
    assert "nothing to restore" in stack.run("rebalance", "--restore")[1]
