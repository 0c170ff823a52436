"""`aicc-ops call place` against the local stack server in this process (`serve()`), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import StackCliRunner

from aicc_ops.cli.call import call
from aicc_ops.cli.local import local
from aicc_ops.local.call_client import CallClient
from aicc_ops.local.runtime import ServerInfo
from aicc_ops.local.scenarios import DEMO_CALLS
from aicc_ops.local.server import running, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ServerInfo]]:
    state_dir = tmp_path_factory.mktemp("place")
    with serve(state_dir, talk_seconds=0.2, acw_seconds=0.1) as info:
        yield state_dir, info


def test_mix_injects_what_each_scenario_is_named_after(
    server: tuple[Path, ServerInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Lambda fault and every agent taken away that a mix row names is in force while its call
    runs through the flows, and only then."""
    state_dir, info = server
    app = running(info)
    seen: list[tuple[dict[str, str], dict[str, str]]] = []
    original = CallClient.place

    def place(self: CallClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        states = {a["login"]: a["state"] for a in app.agents()}
        seen.append((dict(app.stack.lambdas.faults), states))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CallClient, "place", place)
    CallClient(info.calls_endpoint).set_faults({"lambdas": {"call_log": "error"}})  # the operator's own
    try:
        result = StackCliRunner().invoke(
            call, ["place", "--mix", "--count", str(len(DEMO_CALLS)), "--state-dir", str(state_dir)]
        )
    finally:
        CallClient(info.calls_endpoint).clear_faults()

    assert result.exit_code == 0, result.output
    assert len(seen) == len(DEMO_CALLS)
    for scenario, (faults, states) in zip(DEMO_CALLS, seen, strict=True):
        assert faults == {"call_log": "error", **scenario.faults}, scenario.name
        for login, status in scenario.agent_status.items():
            assert states[login] != "AVAILABLE" or status == "AVAILABLE", (scenario.name, login)
    assert {"customer_lookup", "business_hours"} <= {k for s in DEMO_CALLS for k in s.faults}
    assert any(s.agent_status for s in DEMO_CALLS)
    assert app.stack.lambdas.faults == {}  # cleared by the test; the command restored the operator's


def test_the_server_start_time_is_shown_in_seoul(server: tuple[Path, ServerInfo]) -> None:
    state_dir, info = server
    result = StackCliRunner().invoke(local, ["status", "--state-dir", str(state_dir)])
    assert result.exit_code == 0, result.output
    assert info.started_at.endswith("+09:00") and f"up since {info.started_at}" in result.stdout


def test_mix_refuses_the_options_it_would_ignore(server: tuple[Path, ServerInfo]) -> None:
    state_dir, _ = server
    result = StackCliRunner().invoke(
        call, ["place", "--mix", "--number", "01012345678", "--input", "1", "--state-dir", str(state_dir)]
    )
    assert result.exit_code == 2
    assert "--mix places the demo scenarios with their own numbers and inputs; drop --number and --input" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("0001-01-01T00:30:00+09:00", "outside the years the holiday calendar covers"),
        ("9999-12-31T23:00:00-05:00", "outside the years the holiday calendar covers"),
        (
            "99999-01-01T00:00:00+09:00",
            "is not a valid ISO-8601 date and time; e.g. 2026-11-25T10:00:00+09:00",
        ),
        ("2026-13-01T10:00:00+09:00", "is not a valid ISO-8601 date and time"),
        ("2026-11-25", "has no UTC offset; e.g. 2026-11-25T00:00:00+09:00 (Seoul)"),
    ],
)
def test_absurd_call_times_are_clear_errors(server: tuple[Path, ServerInfo], at: str, message: str) -> None:
    state_dir, _ = server
    for command in (["simulate", "--input", "1"], ["place", "--state-dir", str(state_dir)]):
        result = StackCliRunner().invoke(call, [*command, "--at", at])
        assert result.exit_code == 2, (command, result.output)
        assert message in result.stderr and "Traceback" not in result.output
