"""The Connect emulator's request latency, and onboarding agents through it with the calls counted."""

from __future__ import annotations

import statistics
import time
from pathlib import Path


def bench_operators(requests: int) -> list[str]:
    """The Connect emulator's request latency, and onboarding 200 agents with the API calls counted."""
    import json
    import tempfile
    from collections import Counter

    from click.testing import CliRunner

    from aicc_ops.cli import cli
    from aicc_ops.local.seed import SAMPLE_DIR
    from aicc_ops.local.server import running, serve

    with tempfile.TemporaryDirectory() as state_dir, serve(Path(state_dir)) as info:
        client = info.client("connect")
        client.describe_queue(InstanceId=info.instance_id, QueueId="msp_general")  # warm-up
        latencies = []
        for _ in range(requests):
            t0 = time.perf_counter()
            client.describe_queue(InstanceId=info.instance_id, QueueId="msp_general")
            latencies.append(time.perf_counter() - t0)
        emulator = running(info).emulator
        calls: Counter[str] = Counter()
        real_call = emulator.call

        def counted(operation: str, params: dict[str, object]) -> dict[str, object]:
            calls[operation] += 1
            return real_call(operation, params)

        emulator.call = counted  # type: ignore[method-assign]
        args = ["agents", "onboard", str(SAMPLE_DIR / "agents_200.csv"), "--local", "--state-dir", state_dir]
        t0 = time.perf_counter()
        first = CliRunner().invoke(cli, [*args, "--output", "json"])
        onboard_s = time.perf_counter() - t0
        first_calls = sum(calls.values())
        first_mix = ", ".join(f"{k} {v}" for k, v in calls.most_common())
        calls.clear()
        t0 = time.perf_counter()
        again = CliRunner().invoke(cli, [*args, "--output", "json"])
        rerun_s = time.perf_counter() - t0
        if first.exit_code != 0:
            raise SystemExit(f"onboarding failed: {first.output}")
        summary = json.loads(first.stdout)["summary"]
        unchanged = json.loads(again.stdout)["summary"]["unchanged"]
    q = statistics.quantiles(latencies, n=20)
    at_quota = max(0, first_calls - 5) / 2.0  # Connect: 2 requests/s after a burst of 5
    return [
        f"Connect emulator: {requests} DescribeQueue requests from boto3 over loopback HTTP (no rate limit):",
        f"  median {statistics.median(latencies) * 1000:.1f} ms, p95 {q[18] * 1000:.1f} ms per request",
        "Onboarding agents_200.csv with `aicc-ops agents onboard --local` (emulator without rate limit;",
        "Connect API calls counted at the emulator):",
        f"  first run: {summary} in {onboard_s:.1f} s, {first_calls} Connect calls ({first_mix})",
        f"  at Connect's quota (2/s, burst 5) those calls need at least {at_quota:.0f} s",
        f"  re-run: {unchanged} unchanged in {rerun_s:.1f} s, {sum(calls.values())} Connect calls "
        f"({', '.join(f'{k} {v}' for k, v in calls.most_common())})",
    ]
