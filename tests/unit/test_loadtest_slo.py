"""The load tests' SLO file (validation names the field) and the verdict arithmetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aicc_ops.admin.loadtest.errors import SloFileError
from aicc_ops.admin.loadtest.slo import FIELDS, Slo, failure_ratio, judge, load_slo, parse_slo

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "loadtest" / "slo.yaml"
GOOD = {
    "slo": {
        "max_failure_ratio": 0.01,
        "max_step_p95_ms": 100,
        "max_step_p99_ms": 300,
        "min_calls_completed": 10,
        "max_ring_p95_s": 60,
    },
    "scenarios": {"lambdas": {"max_step_p95_ms": 1000, "max_ring_p95_s": None}},
}


def summary(
    completed: int = 100,
    failed: int = 0,
    p95: int | None = 50,
    p99: int | None = 200,
    ring_p95: int | None = 47_000,
) -> dict[str, Any]:
    return {
        "calls": {"completed": completed, "failed": failed},
        "steps": {"p95_ms": p95, "p99_ms": p99},
        "ringing": {"p95_ms": ring_p95} if ring_p95 is not None else {},
    }


def slo(**changes: float | None) -> Slo:
    values: dict[str, Any] = {**GOOD["slo"], **changes}
    return Slo(**values)


def test_the_repository_file_loads_with_the_scenarios_overrides() -> None:
    calls, lambdas = load_slo(DEFAULT_FILE, "calls"), load_slo(DEFAULT_FILE, "lambdas")
    raw = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert calls.max_step_p95_ms == raw["slo"]["max_step_p95_ms"]
    assert lambdas.max_step_p95_ms == raw["scenarios"]["lambdas"]["max_step_p95_ms"]
    assert lambdas.max_failure_ratio == calls.max_failure_ratio  # not overridden: the base value


def test_overrides_apply_to_their_scenario_only() -> None:
    assert parse_slo(GOOD, "f.yaml", "lambdas").max_step_p95_ms == 1000
    assert parse_slo(GOOD, "f.yaml", "calls").max_step_p95_ms == 100


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"slo": {**GOOD["slo"], "max_step_p95_ms": "fast"}}, "slo.max_step_p95_ms: milliseconds"),
        ({"slo": {**GOOD["slo"], "max_step_p95_ms": 0}}, "slo.max_step_p95_ms"),
        (
            {"slo": {**GOOD["slo"], "max_failure_ratio": 1.5}},
            "slo.max_failure_ratio: a ratio between 0 and 1",
        ),
        ({"slo": {**GOOD["slo"], "max_failure_ratio": True}}, "slo.max_failure_ratio"),
        ({"slo": {**GOOD["slo"], "min_calls_completed": 2.5}}, "slo.min_calls_completed: a whole number"),
        ({"slo": {**GOOD["slo"], "min_calls_completed": -1}}, "slo.min_calls_completed"),
        (
            {"slo": {k: v for k, v in GOOD["slo"].items() if k != "max_step_p99_ms"}},
            "slo.max_step_p99_ms: missing",
        ),
        ({"slo": {**GOOD["slo"], "max_p95": 1}}, "slo.max_p95: unknown objective"),
        (
            {"slo": {**GOOD["slo"], "max_ring_p95_s": "1m"}},
            "slo.max_ring_p95_s: seconds, a number > 0, or null",
        ),
        ({"slo": {**GOOD["slo"], "max_ring_p95_s": 0}}, "slo.max_ring_p95_s"),
        ({"slo": {**GOOD["slo"], "max_step_p95_ms": None}}, "slo.max_step_p95_ms: milliseconds"),
        (
            {"slo": GOOD["slo"], "scenarios": {"calls": {"max_step_p99_ms": -3}}},
            "scenarios.calls.max_step_p99_ms",
        ),
        ({"slo": GOOD["slo"], "scenarios": {"calls": 5}}, "scenarios.calls: a mapping"),
        ({"slo": GOOD["slo"], "thresholds": {}}, "unknown key(s) thresholds"),
        ({"objectives": {}}, "unknown key(s) objectives"),
        ({"scenarios": {}}, "slo: a mapping"),
        (["slo"], "must be a mapping"),
    ],
)
def test_a_bad_file_names_the_field(data: Any, named: str) -> None:
    with pytest.raises(SloFileError) as raised:
        parse_slo(data, "my-slo.yaml", "calls")
    assert str(raised.value).startswith("my-slo.yaml: ")
    assert named in str(raised.value)


def test_an_unreadable_or_invalid_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(SloFileError, match="cannot read"):
        load_slo(tmp_path / "missing.yaml", "calls")
    broken = tmp_path / "broken.yaml"
    broken.write_text("slo: [unclosed", encoding="utf-8")
    with pytest.raises(SloFileError, match=r"broken\.yaml: not valid YAML"):
        load_slo(broken, "calls")


def test_every_objective_has_its_expectation_said() -> None:
    from aicc_ops.admin.loadtest.slo import EXPECTED

    assert set(EXPECTED) == set(FIELDS)


# ---- the verdict ----------------------------------------------------------------------------------
def test_a_run_within_every_objective_passes() -> None:
    verdict = judge(summary(), slo())
    assert verdict.passed and verdict.word == "pass"
    assert [c.objective for c in verdict.checks] == list(FIELDS)
    assert all(c.passed for c in verdict.checks)


def test_limits_are_inclusive() -> None:
    verdict = judge(
        summary(completed=99, failed=1, p95=100, p99=300, ring_p95=60_000), slo(min_calls_completed=99)
    )
    assert verdict.passed, verdict.checks


@pytest.mark.parametrize(
    ("run", "failing"),
    [
        (summary(completed=98, failed=2), "max_failure_ratio"),  # 2 % > 1 %
        (summary(p95=101), "max_step_p95_ms"),
        (summary(p99=301), "max_step_p99_ms"),
        (summary(completed=9), "min_calls_completed"),
        (summary(ring_p95=60_001), "max_ring_p95_s"),
    ],
)
def test_one_objective_missed_fails_the_run(run: dict[str, Any], failing: str) -> None:
    verdict = judge(run, slo())
    assert not verdict.passed and verdict.word == "fail"
    assert [c.objective for c in verdict.checks if not c.passed] == [failing]


def test_the_failure_ratio_is_over_finished_calls() -> None:
    assert failure_ratio(3, 1) == 0.25
    assert failure_ratio(0, 0) is None
    check = judge(summary(completed=3, failed=1), slo(max_failure_ratio=0.25)).checks[0]
    assert check.actual == 0.25 and check.passed


def test_what_the_run_did_not_measure_fails() -> None:
    verdict = judge(
        summary(completed=0, failed=0, p95=None, p99=None, ring_p95=None), slo(min_calls_completed=0)
    )
    failed = {c.objective: c for c in verdict.checks if not c.passed}
    assert set(failed) == {"max_failure_ratio", "max_step_p95_ms", "max_step_p99_ms", "max_ring_p95_s"}
    assert all(c.actual is None and c.note.startswith("not measured") for c in failed.values())
    assert not judge({}, slo(min_calls_completed=0)).passed  # an empty summary proves nothing


def test_ringing_is_judged_in_seconds_at_the_95th_percentile() -> None:
    check = next(c for c in judge(summary(ring_p95=47_500), slo()).checks if c.objective == "max_ring_p95_s")
    assert (check.limit, check.actual, check.passed) == (60, 47.5, True)


def test_ringing_is_not_judged_when_the_objective_is_null_or_absent() -> None:
    lambdas = parse_slo(GOOD, "f.yaml", "lambdas")  # the scenario sets it to null
    assert lambdas.max_ring_p95_s is None
    verdict = judge(summary(ring_p95=None), lambdas)
    assert verdict.passed and "max_ring_p95_s" not in [c.objective for c in verdict.checks]
    without = {"slo": {k: v for k, v in GOOD["slo"].items() if k != "max_ring_p95_s"}}
    assert parse_slo(without, "f.yaml", "calls").max_ring_p95_s is None  # optional: not "missing"


def test_the_repository_file_judges_the_calls_ringing_but_not_the_lambdas() -> None:
    assert load_slo(DEFAULT_FILE, "calls").max_ring_p95_s == 60
    assert load_slo(DEFAULT_FILE, "lambdas").max_ring_p95_s is None
