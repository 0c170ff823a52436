"""What a run reports besides Locust's CSV and HTML: a progress file while it runs, and a summary
the verdict is computed from when it ends. Both are written by the master, or by the only process,
into --aicc-out (the report directory), from Locust's own statistics (with workers, the master's
statistics are the merged reports of every worker).

progress.json, rewritten every second:
    {"elapsed_s", "phase", "users", "calls_completed", "calls_failed", "in_flight", "step_p95_ms"}

summary.json, once, when Locust quits:
    {"scenario", "target", "shape", "started_at", "duration_s", "users_peak", "max_concurrent",
     "calls":   {"completed", "failed", "abandoned", "by_flow": {FLOW: STATS}},
     "steps":   {STATS..., "by_name": {NAME: STATS}},
     "lambdas": {HANDLER: {STATS..., "limit_s"}},
     "queues":  {NAME: STATS},
     "ringing": STATS (how long calls rang before the flows took them; stacks that say so),
     "failures": [{"type", "name", "error", "occurrences"}]}
    STATS = {"count", "failures", "p50_ms", "p95_ms", "p99_ms", "max_ms"} (None without requests)

max_concurrent is counted by the callers: the most calls in progress at once. With workers it is
the sum of each worker's peak over one report interval (3 s), an upper bound of the true peak.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import RequestStats, StatsEntry, StatsError

from .callers import current_plan
from .recorder import CALL, IN_FLIGHT, LAMBDA, QUEUE, RING, STEP

PROGRESS_SECONDS = 1.0
TOP_FAILURES = 20


def register(events: Any) -> None:
    """The run's reporting, on every process of it (call once, from the locustfile)."""
    events.init_command_line_parser.add_listener(_arguments)
    events.init.add_listener(_init)


def _arguments(parser: Any, **_: Any) -> None:
    parser.add_argument(
        "--aicc-plan",
        default="",
        env_var="AICC_LOAD_PLAN",
        include_in_web_ui=False,
        help="The run's plan (plan.json written by `aicc-ops loadtest run`).",
    )
    parser.add_argument(
        "--aicc-out",
        default="",
        env_var="AICC_LOAD_OUT",
        include_in_web_ui=False,
        help="Where progress.json and summary.json go (default: next to the plan).",
    )


class RunReport:
    def __init__(self, environment: Any) -> None:
        self.environment = environment
        options = environment.parsed_options
        self.out = Path(options.aicc_out or Path(options.aicc_plan).parent)
        self.started: float | None = None
        self.started_at = ""
        self.users_peak = 0
        self.workers: dict[str, tuple[int, int]] = {}  # worker -> (in flight, peak of its last window)
        self.max_concurrent = 0

    # ---- the calls in progress --------------------------------------------------------------
    def in_flight(self) -> int:
        if isinstance(self.environment.runner, MasterRunner):
            return sum(current for current, _ in self.workers.values())
        return IN_FLIGHT.current

    def peak(self) -> int:
        if isinstance(self.environment.runner, MasterRunner):
            return self.max_concurrent
        return IN_FLIGHT.peak

    def on_worker_report(self, client_id: str, data: dict[str, Any], **_: Any) -> None:
        if "aicc_in_flight" in data:
            self.workers[client_id] = (int(data["aicc_in_flight"]), int(data["aicc_peak"]))
            self.max_concurrent = max(self.max_concurrent, sum(peak for _, peak in self.workers.values()))

    # ---- files ------------------------------------------------------------------------------
    def on_test_start(self, **_: Any) -> None:
        if self.started is None:
            self.started = time.monotonic()
            self.started_at = datetime.now(UTC).isoformat(timespec="seconds")

    def elapsed(self) -> float:
        return time.monotonic() - self.started if self.started is not None else 0.0

    def progress_loop(self) -> None:
        while True:
            gevent.sleep(PROGRESS_SECONDS)
            self.write_progress()

    def write_progress(self) -> None:
        runner = self.environment.runner
        self.users_peak = max(self.users_peak, runner.user_count)
        calls = runner.stats.entries
        ok = sum(e.num_requests - e.num_failures for (_, m), e in calls.items() if m == CALL)
        failed = sum(e.num_failures for (_, m), e in calls.items() if m == CALL)
        steps = merged(runner.stats, STEP)
        shape = self.environment.shape_class
        _write(
            self.out / "progress.json",
            {
                "elapsed_s": round(self.elapsed(), 1),
                "phase": getattr(shape, "phase", "") if shape is not None else "",
                "users": runner.user_count,
                "calls_completed": ok,
                "calls_failed": failed,
                "in_flight": self.in_flight(),
                "step_p95_ms": steps.get_response_time_percentile(0.95) if steps.num_requests else None,
            },
        )

    def write_summary(self, **_: Any) -> None:
        stats: RequestStats = self.environment.runner.stats
        plan = current_plan(self.environment)
        limits = plan.limits()
        by_type: dict[str, dict[str, StatsEntry]] = {}
        for (name, method), entry in stats.entries.items():
            by_type.setdefault(method, {})[name] = entry
        calls = by_type.get(CALL, {})
        queues = by_type.get(QUEUE, {})
        # The lambdas scenario's steps are its invocations, named after the handler.
        handlers = by_type.get(STEP, {}) if plan.scenario == "lambdas" else by_type.get(LAMBDA, {})
        summary = {
            "scenario": plan.scenario,
            "target": plan.target.name,
            "shape": plan.shape,
            "started_at": self.started_at,
            "duration_s": round(self.elapsed(), 1),
            "users_peak": self.users_peak,
            "max_concurrent": self.peak(),
            "calls": {
                "completed": sum(e.num_requests - e.num_failures for e in calls.values()),
                "failed": sum(e.num_failures for e in calls.values()),
                "abandoned": sum(e.num_requests for n, e in queues.items() if n.endswith("(abandoned)")),
                "by_flow": {n: figures(e) for n, e in sorted(calls.items())},
            },
            "steps": {
                **figures(merged(stats, STEP)),
                "by_name": {n: figures(e) for n, e in sorted(by_type.get(STEP, {}).items())},
            },
            "lambdas": {n: {**figures(e), "limit_s": limits.get(n)} for n, e in sorted(handlers.items())},
            "queues": {n: figures(e) for n, e in sorted(queues.items())},
            "ringing": figures(merged(stats, RING)),
            "failures": [
                {
                    "type": e.method,
                    "name": e.name,
                    "error": StatsError.parse_error(e.error),
                    "occurrences": e.occurrences,
                }
                for e in sorted(stats.errors.values(), key=lambda e: -e.occurrences)[:TOP_FAILURES]
            ],
        }
        _write(self.out / "summary.json", summary)


def merged(stats: RequestStats, method: str) -> StatsEntry:
    """Every entry of one request type as one, for percentiles over all of them."""
    total = StatsEntry(stats, method, method)
    for (_, m), entry in stats.entries.items():
        if m == method:
            total.extend(entry)
    return total


def figures(entry: StatsEntry) -> dict[str, int | None]:
    count = entry.num_requests
    return {
        "count": count,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.5) if count else None,
        "p95_ms": entry.get_response_time_percentile(0.95) if count else None,
        "p99_ms": entry.get_response_time_percentile(0.99) if count else None,
        "max_ms": round(entry.max_response_time) if count else None,
    }


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def _init(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        # Each report to the master carries the calls in progress and their peak since the last one.
        def report(client_id: str, data: dict[str, Any], **_: Any) -> None:
            data["aicc_in_flight"] = IN_FLIGHT.current
            data["aicc_peak"] = IN_FLIGHT.take_window()

        environment.events.report_to_master.add_listener(report)
        return
    run = RunReport(environment)
    environment.events.test_start.add_listener(run.on_test_start)
    environment.events.worker_report.add_listener(run.on_worker_report)
    environment.events.quitting.add_listener(run.write_summary)
    gevent.spawn(run.progress_loop)
