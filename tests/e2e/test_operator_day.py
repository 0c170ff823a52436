"""The issue's "done when", end to end over HTTP against a background local stack:
onboard 200 agents from a CSV, watch the queues while simulated calls run, set a roster, check
drift, and offboard, each command a separate `aicc-ops` process as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aicc_ops.local.seed import SAMPLE_DIR

from .conftest import run

AGENTS_200 = SAMPLE_DIR / "agents_200.csv"


def onboard(stack: dict[str, Any], *extra: str) -> dict[str, Any]:
    done = run("agents", "onboard", str(AGENTS_200), "--local", "--output", "json", *extra, env=stack["env"])
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_an_operators_day_on_the_local_stack(stack: dict[str, Any], tmp_path: Path) -> None:
    env = stack["env"]
    # 1. Onboard 200 agents; a re-run changes nothing.
    first = onboard(stack)
    assert first["summary"]["failed"] == 0, first
    assert first["summary"]["created"] + first["summary"]["updated"] + first["summary"]["unchanged"] == 200
    assert first["summary"]["created"] >= 189  # the 11 sample agents already exist
    again = onboard(stack)
    assert again["summary"]["unchanged"] == 200, again["summary"]
    listed = json.loads(run("agents", "list", "--local", "--part", "TS3", "--output", "json", env=env).stdout)
    assert sum(a["team"] == "TS" for a in listed) == 35  # and the part's managers

    # 2. Simulated calls wait in queues; queue status shows them against the SLA.
    run("local", "agents", "--offline", "--all", env=env)
    run("call", "place", "--mix", "--count", "4", env=env)
    queues = json.loads(run("queues", "status", "--local", "--output", "json", env=env).stdout)
    assert sum(q["contacts_in_queue"] for q in queues) >= 2, queues
    assert {q["queue"] for q in queues} >= {"MSP Emergency", "MSP General", "General Customer", "After Hours"}
    # Every agent is signed out: a queue with callers is AT RISK at once, whatever its SLA; an empty
    # one is OK; the next-business-day queue has no state.
    states = {q["key"]: q["sla_state"] for q in queues}
    assert states.pop("after_hours") is None
    assert states == {
        q["key"]: "AT RISK" if q["contacts_in_queue"] else "OK" for q in queues if q["key"] in states
    }
    assert "AT RISK" in states.values()
    run("local", "agents", "--available", "--all", env=env)

    # 3. Set a roster from onboarded agents; history keeps the change.
    members = [a["login"] for a in listed if a["team"] == "TS"][:3]
    run(
        "roster",
        "set",
        "TS3",
        "--name",
        "기술지원 3파트",
        "--members",
        ",".join(members),
        "--manager",
        "mgr.kim",
        "--local",
        env=env,
    )
    shown = json.loads(run("roster", "show", "TS3", "--local", "--output", "json", env=env).stdout)
    assert json.dumps(shown, ensure_ascii=False).count(members[0]) >= 1
    run("roster", "rotate", "TS3", "--local", env=env)
    history = json.loads(run("roster", "history", "TS3", "--local", "--output", "json", env=env).stdout)
    assert len(history) >= 2

    # 4. A failover drill on the running stack: faults injected through the call API, every caller
    #    still served, faults removed; then a Global Resiliency shift to the replica and back.
    report = tmp_path / "drill.json"
    drill = run(
        "failover",
        "drill",
        "--local",
        "--fault",
        "lambda-error:customer_lookup",
        "--fault",
        "no-agents",
        "--scenario",
        "1",
        "--scenario",
        "2",
        "--report",
        str(report),
        env=env,
    )
    assert json.loads(report.read_text(encoding="utf-8"))["verdict"] == "PASS", drill.stdout
    assert run("local", "status", "--output", "json", env=env).stdout.count('"faults": {}') == 1
    run(
        "failover",
        "shift",
        "--local",
        "--to-region",
        "ap-northeast-1",
        "--steps",
        "2",
        "--apply-timeout",
        "5",
        "--poll",
        "0",
        "--dwell",
        "0",
        "--yes",
        env=env,
    )

    # 5. The instance matches the repository (onboarding touches users only).
    diff = run("connect", "diff", "--local", env=env, check=False)
    assert diff.returncode == 0, diff.stdout + diff.stderr

    # 6. Offboarding refuses a rostered agent, then removes an unrostered one.
    refused = run("agents", "offboard", members[0], "--local", "--yes", env=env, check=False)
    assert refused.returncode == 1 and "roster" in refused.stderr.lower()
    loner = next(a["login"] for a in listed if a["team"] == "TS" and a["login"] not in members)
    run("agents", "offboard", loner, "--local", "--yes", env=env)
    after = json.loads(run("agents", "list", "--local", "--part", "TS3", "--output", "json", env=env).stdout)
    assert loner not in {a["login"] for a in after}
