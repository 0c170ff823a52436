"""Scenario tests: whole calls through the real flows and handlers on one local stack.

The stack (moto on loopback, tables, sample data) starts once per session. Every call's
transitions are collected, and the session ends with the flow coverage report: the share of each
flow's transitions that the scenarios exercised (also written to reports/flow-coverage.json).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import flow_of

from aicc_ops.engine.interpreter import CallResult, Engine
from aicc_ops.engine.presence import SimulatedQueues
from aicc_ops.local.stack import LocalStack, local_stack

# Every agent of the sample data who is AVAILABLE, made BUSY: no one can take a call.
ALL_BUSY = {"ts.park": "BUSY", "ts.yoon": "BUSY", "ga.han": "BUSY", "mgr.kim": "BUSY"}
REPORT = Path(__file__).resolve().parents[2] / "reports" / "flow-coverage.json"


class _Coverage:
    """Transitions taken by every call of the session, and the stack whose flows they belong to."""

    def __init__(self) -> None:
        self.exercised: set[tuple[str, str, str, str]] = set()
        self.stack: LocalStack | None = None


COVERAGE = _Coverage()


class Caller:
    """Places calls on the shared stack, with optional faults and agent statuses for one call."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    def __call__(
        self,
        inputs: Sequence[str] = (),
        *,
        at: str = "2026-11-25T10:00:00+09:00",
        number: str = "+821012345678",
        faults: Mapping[str, str] | None = None,
        action_faults: Mapping[tuple[str, str], str] | None = None,
        responses: Mapping[str, Mapping[str, str]] | None = None,
        agents: Mapping[str, str] | None = None,
        hold: int = 300,
        may_end_silently: bool = False,
        without_arn: Sequence[str] = (),
        backlog: Mapping[str, tuple[int, int]] | None = None,
        channel: str = "VOICE",
    ) -> CallResult:
        table = boto3.resource("dynamodb").Table(self.stack.tables["AGENTS_TABLE"])
        arns = {login: table.get_item(Key={"login": login})["Item"]["user_arn"] for login in without_arn}
        for login in arns:
            table.update_item(Key={"login": login}, UpdateExpression="REMOVE user_arn")
        try:
            result = self.stack.call(
                number,
                datetime.fromisoformat(at),
                inputs,
                hold_seconds=hold,
                faults=faults,
                action_faults=action_faults,
                responses=responses,
                agents=agents,
                waiting=backlog,
                channel=channel,
            )
        finally:
            for login, arn in arns.items():
                table.update_item(
                    Key={"login": login},
                    UpdateExpression="SET user_arn = :a",
                    ExpressionAttributeValues={":a": arn},
                )
        COVERAGE.exercised.update(result.transitions)
        if not may_end_silently:
            assert not result.dropped_silently, f"caller dropped without a message: {result.transcript}"
        return result


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    with local_stack() as COVERAGE.stack:
        yield COVERAGE.stack


@pytest.fixture
def call(stack: LocalStack) -> Caller:
    return Caller(stack)


def coverage() -> dict[str, dict[str, Any]]:
    stack = COVERAGE.stack
    if stack is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for flow in stack.flows.values():
        every = stack.engine.all_transitions(flow)
        done = {(a, b, t) for f, a, b, t in COVERAGE.exercised if f == flow.name}
        missed = sorted(every - done)
        out[flow.name] = {
            "transitions": len(every),
            "exercised": len(every & done),
            "percent": round(100 * len(every & done) / len(every), 1) if every else 100.0,
            "missed": [f"{a} --{b}--> {t}" for a, b, t in missed],
        }
    return out


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report = coverage()
    if not report:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    total = sum(r["transitions"] for r in report.values())
    done = sum(r["exercised"] for r in report.values())
    terminalreporter.section("flow coverage (transitions exercised by scenario tests)")
    for name, r in report.items():
        terminalreporter.write_line(
            f"  {name:<26} {r['exercised']:>3}/{r['transitions']:<3} {r['percent']:5.1f}%"
        )
    terminalreporter.write_line(
        f"  {'all flows':<26} {done:>3}/{total:<3} {100 * done / total:5.1f}%  ({REPORT.name})"
    )


def engine_for(
    stack: LocalStack, actions: list[dict[str, Any]] | None = None, *, entry: str = "test"
) -> Engine:
    """An engine on the stack's Lambdas, Lex and agents running these actions as its one flow, or
    without actions the stack's flows, from `entry`."""
    flows = stack.flows if actions is None else {"test": flow_of(actions)}
    return stack.new_engine(SimulatedQueues(stack.config), flows=flows, entry_flow=entry)
