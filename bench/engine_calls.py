"""Engine throughput: the demo's mix of scripted calls through the embedded local stack."""

from __future__ import annotations

import statistics
import time


def bench_calls(rounds: int) -> list[str]:
    from aicc_ops.local.scenarios import DEMO_CALLS, run_call
    from aicc_ops.local.stack import local_stack

    with local_stack() as stack:
        for demo_call in DEMO_CALLS:  # warm-up: imports, first boto3 clients, moto tables
            run_call(stack, demo_call)
        latencies: list[float] = []
        started = time.perf_counter()
        for _ in range(rounds):
            for demo_call in DEMO_CALLS:
                t0 = time.perf_counter()
                run_call(stack, demo_call)
                latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
    calls = len(latencies)
    q = statistics.quantiles(latencies, n=20)
    return [
        f"Engine throughput: the demo's mix of {len(DEMO_CALLS)} scripted calls, {rounds} rounds "
        "after one warm-up round,",
        "one process, handlers in-process, DynamoDB/SNS on moto over loopback HTTP.",
        f"  calls: {calls}, wall time: {elapsed:.2f} s, throughput: {calls / elapsed:.1f} calls/s",
        f"  per call: median {statistics.median(latencies) * 1000:.1f} ms, p95 {q[18] * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms",
    ]
