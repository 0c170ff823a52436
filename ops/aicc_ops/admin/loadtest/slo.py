"""Service level objectives of a load run, and the verdict against them.

The SLO file (loadtest/slo.yaml by default) holds `slo:` with every objective and, under
`scenarios:`, what a scenario changes:

    slo:
      max_failure_ratio: 0.0      # failed calls / finished calls
      max_step_p95_ms: 100        # step latency percentiles
      max_step_p99_ms: 300
      min_calls_completed: 1      # calls finished without a failure
      max_ring_p95_s: 60          # ringing before the flows answer, 95th percentile (optional)
    scenarios:
      lambdas: {max_step_p95_ms: 1000, max_ring_p95_s: null}

The verdict reads the run's summary (summary.json, from Locust's statistics: see
loadtest/aicc_load/report.py) and passes when every objective holds. A figure the run could not
measure (no call finished, no step recorded) fails its objective: a run that proves nothing passes
nothing. `max_ring_p95_s` is the one optional objective: absent or null, ringing is not judged
(the lambdas scenario's invocations never ring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import SloFileError


@dataclass(frozen=True)
class Slo:
    max_failure_ratio: float
    max_step_p95_ms: float
    max_step_p99_ms: float
    min_calls_completed: int
    max_ring_p95_s: float | None = None  # None: ringing is not judged


FIELDS = tuple(f.name for f in fields(Slo))
# What each field must be, as the error message says it.
EXPECTED = {
    "max_failure_ratio": "a ratio between 0 and 1 (0.01 = 1 % of the calls)",
    "max_step_p95_ms": "milliseconds, a number > 0",
    "max_step_p99_ms": "milliseconds, a number > 0",
    "min_calls_completed": "a whole number of calls >= 0",
    "max_ring_p95_s": "seconds, a number > 0, or null (ringing not judged)",
}
OPTIONAL = frozenset({"max_ring_p95_s"})


def load_slo(path: Path, scenario: str) -> Slo:
    """The objectives of `scenario` in the file, or SloFileError naming the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SloFileError(f"{path}: cannot read the SLO file ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise SloFileError(f"{path}: not valid YAML ({exc})") from None
    return parse_slo(data, str(path), scenario)


def parse_slo(data: Any, source: str, scenario: str) -> Slo:
    if not isinstance(data, dict):
        raise SloFileError(f"{source}: the file must be a mapping with `slo:` (and optional `scenarios:`)")
    unknown = sorted(set(data) - {"slo", "scenarios"})
    if unknown:
        raise SloFileError(
            f"{source}: unknown key(s) {', '.join(unknown)}; the file has `slo:` and `scenarios:`"
        )
    base = data.get("slo")
    if not isinstance(base, dict):
        raise SloFileError(f"{source}: slo: a mapping of {', '.join(FIELDS)}")
    values = _fields(base, source, "slo", required=True)
    overrides = data.get("scenarios") or {}
    if not isinstance(overrides, dict):
        raise SloFileError(f"{source}: scenarios: a mapping of scenario name to objectives")
    for name, changes in overrides.items():
        if not isinstance(changes, dict):
            raise SloFileError(f"{source}: scenarios.{name}: a mapping of objectives ({', '.join(FIELDS)})")
        found = _fields(changes, source, f"scenarios.{name}", required=False)
        if name == scenario:
            values.update(found)

    def number(name: str) -> float:
        value = values[name]  # required ones: never None (only OPTIONAL fields may be null)
        assert value is not None
        return float(value)

    ring = values.get("max_ring_p95_s")
    return Slo(
        max_failure_ratio=number("max_failure_ratio"),
        max_step_p95_ms=number("max_step_p95_ms"),
        max_step_p99_ms=number("max_step_p99_ms"),
        min_calls_completed=int(number("min_calls_completed")),
        max_ring_p95_s=None if ring is None else float(ring),
    )


def _fields(
    given: dict[Any, Any], source: str, where: str, *, required: bool
) -> dict[str, float | int | None]:
    unknown = sorted(str(k) for k in set(given) - set(FIELDS))
    if unknown:
        raise SloFileError(f"{source}: {where}.{unknown[0]}: unknown objective; known: {', '.join(FIELDS)}")
    missing = [f for f in FIELDS if f not in given and f not in OPTIONAL] if required else []
    if missing:
        raise SloFileError(f"{source}: {where}.{missing[0]}: missing ({EXPECTED[missing[0]]})")
    out: dict[str, float | int | None] = {}
    for name, value in given.items():
        if value is None and name in OPTIONAL:
            out[name] = None
            continue
        if not _valid(name, value):
            raise SloFileError(f"{source}: {where}.{name}: {EXPECTED[name]}, got {value!r}")
        out[name] = int(value) if name == "min_calls_completed" else float(value)
    return out


def _valid(name: str, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if name == "max_failure_ratio":
        return 0 <= value <= 1
    if name == "min_calls_completed":
        return isinstance(value, int) and value >= 0
    return bool(value > 0)


# ---- the verdict ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    objective: str  # the SLO field
    label: str
    limit: float
    actual: float | None  # None: the run did not measure it
    passed: bool
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    passed: bool
    checks: tuple[Check, ...]

    @property
    def word(self) -> str:
        return "pass" if self.passed else "fail"

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(c) for c in self.checks]


def failure_ratio(completed: int, failed: int) -> float | None:
    finished = completed + failed
    return failed / finished if finished else None


def judge(summary: Mapping[str, Any], slo: Slo) -> Verdict:
    """Every objective against the run's figures."""
    calls = summary.get("calls") or {}
    steps = summary.get("steps") or {}
    completed, failed = int(calls.get("completed") or 0), int(calls.get("failed") or 0)
    ratio = failure_ratio(completed, failed)
    checks: tuple[Check, ...] = (
        _at_most("max_failure_ratio", "failure ratio", slo.max_failure_ratio, ratio, "no call finished"),
        _at_most("max_step_p95_ms", "step p95 (ms)", slo.max_step_p95_ms, steps.get("p95_ms"), "no step"),
        _at_most("max_step_p99_ms", "step p99 (ms)", slo.max_step_p99_ms, steps.get("p99_ms"), "no step"),
        Check(
            "min_calls_completed",
            "calls completed",
            slo.min_calls_completed,
            completed,
            completed >= slo.min_calls_completed,
        ),
    )
    if slo.max_ring_p95_s is not None:
        ring_ms = (summary.get("ringing") or {}).get("p95_ms")
        ring_s = None if ring_ms is None else float(ring_ms) / 1000
        checks += (_at_most("max_ring_p95_s", "ring p95 (s)", slo.max_ring_p95_s, ring_s, "no call rang"),)
    return Verdict(all(c.passed for c in checks), checks)


def _at_most(objective: str, label: str, limit: float, actual: float | None, unmeasured: str) -> Check:
    if actual is None:
        return Check(objective, label, limit, None, False, f"not measured: {unmeasured}")
    return Check(objective, label, limit, actual, actual <= limit)
