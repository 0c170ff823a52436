"""The Connect emulator's request latency, and onboarding agents through it at Connect's API rate."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

ONBOARD_ROUNDS = 1  # each round runs every pacing once (about 100 s each: the quota's clock, not the CPU's)


def bench_operators(requests: int, onboard_rounds: int = ONBOARD_ROUNDS) -> list[str]:
    return _emulator_latency(requests) + _onboarding_at_connects_rate(onboard_rounds)


def _emulator_latency(requests: int) -> list[str]:
    from aicc_ops.local.server import serve

    with tempfile.TemporaryDirectory() as state_dir, serve(Path(state_dir)) as info:
        client = info.client("connect")
        client.describe_queue(InstanceId=info.instance_id, QueueId="msp_general")  # warm-up
        latencies = []
        for _ in range(requests):
            t0 = time.perf_counter()
            client.describe_queue(InstanceId=info.instance_id, QueueId="msp_general")
            latencies.append(time.perf_counter() - t0)
    q = statistics.quantiles(latencies, n=20)
    return [
        f"Connect emulator: {requests} DescribeQueue requests from boto3 over loopback HTTP (no rate limit):",
        f"  median {statistics.median(latencies) * 1000:.1f} ms, p95 {q[18] * 1000:.1f} ms per request",
    ]


# ---- onboarding at Connect's rate -------------------------------------------------------------


@dataclass(frozen=True)
class Pacing:
    label: str
    limiter: Callable[[float, int], Any]  # (the server's rate, burst) -> the client's ConnectLimiter


def _pacings() -> list[Pacing]:
    from aicc_ops.core.ratelimit import ConnectLimiter

    return [
        Pacing("aicc-ops: at the quota, one token of the burst left", ConnectLimiter),
        Pacing("before: at 90 % of the quota", lambda r, b: ConnectLimiter(r * 0.9, b, reserve=0)),
        Pacing("no client pacing, adaptive retries only", lambda r, b: ConnectLimiter(0, b)),
    ]


@dataclass
class Onboarding:
    seconds: float
    summary: dict[str, int]
    calls: Counter[str]  # answered, per operation
    throttled: int  # attempts the emulator refused (ThrottlingException)
    failed_by_throttling: int  # agents that failed because the retries ran out
    waited: float  # seconds the client's own buckets slept

    @property
    def retried(self) -> int:
        return self.throttled - self.failed_by_throttling


@contextmanager
def _counting(emulator: Any) -> Iterator[tuple[Counter[str], Counter[str]]]:
    """Count the requests the emulator answers and refuses, per operation."""
    from aicc_ops.local.connect_protocol import ConnectError

    answered: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    real_call = emulator.call

    def counted(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            result: dict[str, Any] = real_call(operation, params)
        except ConnectError as exc:
            if exc.code == "ThrottlingException":
                refused[operation] += 1
            raise
        answered[operation] += 1
        return result

    emulator.call = counted
    try:
        yield answered, refused
    finally:
        emulator.call = real_call


def _onboard(pacing: Pacing, rate: float, burst: int) -> tuple[Onboarding, Onboarding]:
    """`aicc-ops agents onboard agents_200.csv --local` against a fresh local stack whose Connect
    emulator throttles at `rate`/`burst`, the client paced by `pacing`; then the same command again
    (every agent unchanged)."""
    from click.testing import CliRunner

    from aicc_ops.cli import cli
    from aicc_ops.local.seed import SAMPLE_DIR
    from aicc_ops.local.server import running, serve

    runs = []
    with tempfile.TemporaryDirectory() as state_dir:
        args = ["agents", "onboard", str(SAMPLE_DIR / "agents_200.csv"), "--local", "--state-dir", state_dir]
        with (
            serve(Path(state_dir), connect_rate=rate, connect_burst=burst) as info,
            mock.patch("aicc_ops.admin.context.ConnectLimiter", pacing.limiter),
        ):
            for _ in range(2):
                with _counting(running(info).emulator) as (answered, refused):
                    t0 = time.perf_counter()
                    result = CliRunner().invoke(cli, [*args, "--output", "json"])
                    seconds = time.perf_counter() - t0
                if result.exit_code not in (0, 1):  # 1: some agents failed, reported below
                    raise SystemExit(f"onboarding failed ({pacing.label}): {result.output}")
                data = json.loads(result.stdout)
                throttle_failures = sum(
                    "Throttling" in str(r.get("error", ""))
                    for r in data["results"]
                    if r["outcome"] == "failed"
                )
                runs.append(
                    Onboarding(
                        seconds,
                        data["summary"],
                        Counter(answered),
                        sum(refused.values()),
                        throttle_failures,
                        float(data.get("rate_limit_wait_seconds", 0.0)),
                    )
                )
    return runs[0], runs[1]


def _onboarding_at_connects_rate(rounds: int) -> list[str]:
    from aicc_ops.core.ratelimit import DEFAULT_QUOTA, ConnectLimiter

    rate, burst = DEFAULT_QUOTA
    pacings = _pacings()
    firsts: dict[str, list[Onboarding]] = {p.label: [] for p in pacings}
    rerun: Onboarding | None = None
    for r in range(rounds):
        for pacing in pacings[r % len(pacings) :] + pacings[: r % len(pacings)]:  # interleaved
            first, again = _onboard(pacing, rate, burst)
            firsts[pacing.label].append(first)
            rerun = rerun or again
    some = next(iter(firsts.values()))[0]
    # The service's own buckets (no reserve): each operation's calls beyond its burst at its rate.
    bound = ConnectLimiter(rate, burst, reserve=0).seconds_for_calls(some.calls)
    mix = ", ".join(f"{k} {v}" for k, v in some.calls.most_common())
    lines = [
        "Onboarding agents_200.csv with `aicc-ops agents onboard --local`, the Connect emulator throttling",
        f"at Connect's quota ({rate:g}/s, burst {burst}, a token bucket per operation), a fresh local",
        f"stack per run, {rounds} round(s), pacings interleaved; calls answered and throttled counted at the",
        "emulator:",
        f"  first run: {some.summary}, {sum(some.calls.values())} Connect calls ({mix})",
        f"  quota-bound minimum: {bound:.1f} s (each operation's calls beyond its burst at its rate)",
    ]
    for label, runs in firsts.items():
        seconds = statistics.median(r.seconds for r in runs)
        failed = sum(r.summary.get("failed", 0) for r in runs)
        lines.append(
            f"  {label}: median {seconds:.1f} s = {seconds / bound:.2f} x the minimum; throttled "
            f"{sum(r.throttled for r in runs)}, retried {sum(r.retried for r in runs)}, "
            f"agents failed {failed}"
        )
    if rerun is not None:
        lines.append(
            f"  re-run: {rerun.summary['unchanged']} unchanged in {rerun.seconds:.1f} s, "
            f"{sum(rerun.calls.values())} Connect calls "
            f"({', '.join(f'{k} {v}' for k, v in rerun.calls.most_common())})"
        )
    return lines
