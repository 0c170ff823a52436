"""A simulator bug during a drill stops the drill: it is not recorded as the flow dropping the call."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from aicc_ops.admin import drill as dr
from aicc_ops.engine.interpreter import FlowRunError, SimulatorBugError


class _Lambdas:
    def __init__(self) -> None:
        self.service_fault_hits: Counter[str] = Counter()


class _Stack:
    def __init__(self, error: Exception) -> None:
        self.error, self.lambdas = error, _Lambdas()

    def call(self, *_: Any, **__: Any) -> Any:
        raise self.error


SCENARIO = dr.Scenario("s", "s", "+821012345678", "2026-11-25T10:00:00+09:00", ("1",))


def runner(error: Exception) -> dr.InProcessRunner:
    r = dr.InProcessRunner()
    r.stack = _Stack(error)
    return r


def test_a_flow_fault_is_the_calls_result() -> None:
    placed = runner(FlowRunError("MSP Customer / x: error:NoMatchingError has no branch")).place(SCENARIO, 0)
    assert placed.result["end_reason"].startswith("flow error: MSP Customer / x")


def test_a_simulator_bug_stops_the_drill_instead() -> None:
    bug = SimulatorBugError("Test / act (TagContact): a bug in aicc-ops, not in the flow (KeyError: 'x')")
    assert not isinstance(bug, FlowRunError)
    with pytest.raises(dr.RunnerError, match="a bug in aicc-ops"):
        runner(bug).place(SCENARIO, 0)
