"""The operator's day on the local stack, end to end over HTTP: up, status, calls, down."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from .conftest import run


def call_api(stack: dict[str, Any], method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{stack['calls_endpoint']}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_status_shows_what_runs_where(stack: dict[str, Any]) -> None:
    shown = run("local", "status", env=stack["env"]).stdout
    for endpoint in (stack["aws_endpoint"], stack["connect_endpoint"], stack["calls_endpoint"]):
        assert endpoint in shown
    assert "agents: available" in shown
    data = json.loads(run("local", "status", "--output", "json", env=stack["env"]).stdout)
    assert data["instance_id"] == "aicc-local" and data["live"]["agents"]


def test_up_again_is_a_no_op(stack: dict[str, Any]) -> None:
    again = run("local", "up", "--output", "json", env=stack["env"])
    assert json.loads(again.stdout)["pid"] == stack["pid"]
    assert "already runs" in again.stderr


def test_env_exports_point_boto3_at_the_stack(stack: dict[str, Any]) -> None:
    exports = run("local", "env", env=stack["env"]).stdout
    assert f"export AWS_ENDPOINT_URL_CONNECT={stack['connect_endpoint']}" in exports
    assert "export AICC_INSTANCE_ID=aicc-local" in exports


def test_calls_queue_and_are_answered_over_http(stack: dict[str, Any]) -> None:
    placed = [
        call_api(
            stack,
            "POST",
            "/calls",
            {
                "caller": "+821012345678",
                "inputs": ["say:솔트웨어", "say:김민준", "1234#", "2"],
                "at": "2026-11-25T10:00:00+09:00",
                "wait": True,
            },
        )
        for _ in range(3)
    ]
    assert all(c["state"] in ("queued", "connected") for c in placed), placed
    deadline = time.monotonic() + 20
    while True:
        states = {call_api(stack, "GET", f"/calls/{c['contact_id']}")["state"] for c in placed}
        if states == {"ended"}:
            break
        assert time.monotonic() < deadline, states
        time.sleep(0.2)
    answered = [call_api(stack, "GET", f"/calls/{c['contact_id']}") for c in placed]
    assert all(a["agent"] and a["end_reason"] == "completed" for a in answered)


def test_status_on_a_stopped_stack_says_how_to_start(tmp_path: Any) -> None:
    done = run("local", "status", env={"AICC_LOCAL_DIR": str(tmp_path)}, check=False)
    assert done.returncode == 1
    assert "aicc-ops local up" in done.stderr and "Traceback" not in done.stderr


def test_operator_signs_agents_in_and_places_a_mix_of_calls(stack: dict[str, Any]) -> None:
    listed = json.loads(run("local", "agents", "--output", "json", env=stack["env"]).stdout)
    assert {a["state"] for a in listed} <= {"AVAILABLE", "OFFLINE", "BUSY", "AFTER_CONTACT_WORK"}
    run("local", "agents", "--available", "--all", env=stack["env"])
    assert {
        a["state"] for a in json.loads(run("local", "agents", "--output", "json", env=stack["env"]).stdout)
    } <= {
        "AVAILABLE",
        "BUSY",
        "AFTER_CONTACT_WORK",
    }
    placed = run(
        "call",
        "place",
        "--mix",
        "--count",
        "6",
        "--talk-seconds",
        "1",
        "--follow",
        "--output",
        "json",
        env=stack["env"],
    )
    calls = json.loads(placed.stdout)
    assert len(calls) == 6 and all(c["state"] == "ended" for c in calls)
    assert any(c.get("agent") for c in calls)  # queued calls were answered by simulated agents
    bad = run("local", "agents", "--available", "nobody", env=stack["env"], check=False)
    assert bad.returncode == 1 and "no such agent" in bad.stderr


def test_commands_follow_aws_endpoint_url_like_any_boto3_tool(stack: dict[str, Any]) -> None:
    """Without --local, the AWS code path: endpoints, region, instance and tables from the environment
    (what `eval "$(aicc-ops local env)"` exports), exactly as an operator points a tool at AWS."""
    exports = dict(
        line.removeprefix("export ").split("=", 1)
        for line in run("local", "env", env=stack["env"]).stdout.splitlines()
    )
    env = {**exports, "AICC_LOCAL_DIR": "/nonexistent"}  # no way to find the server but the exports
    queues = json.loads(run("queues", "status", "--output", "json", env=env).stdout)
    assert {q["key"] for q in queues} >= {"msp_emergency", "msp_general", "general_customer", "after_hours"}
    agents = json.loads(run("agents", "list", "--output", "json", env=env).stdout)
    assert "ts.park" in {a["login"] for a in agents}
