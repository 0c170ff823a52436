"""Benchmarks: simulated calls per second through the engine, and the cold-start import cost.

Prints its method with its numbers. Run with `make bench`; `--update-readme` also writes the
results into README.md's performance section.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_calls(rounds: int) -> list[str]:
    from aicc_ops.cli.demo import DEMO_CALLS, run_call
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


def _import_seconds(module: str, runs: int) -> float:
    """Median cumulative import time of `module` in fresh interpreters (`python -X importtime`)."""

    def once() -> float:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        for line in reversed(done.stderr.splitlines()):
            fields = [f.strip() for f in line.split("|")]
            if len(fields) == 3 and fields[2] == module:
                return int(fields[1]) / 1e6
        raise RuntimeError(f"no import time reported for {module}")

    return statistics.median(once() for _ in range(runs))


def bench_imports(runs: int) -> list[str]:
    from aicc_ops.engine.flows import handler_names

    lines = [
        f"Cold-start import cost: median over {runs} fresh interpreters of the cumulative import time "
        "reported by `python -X importtime -c 'import X'`.",
    ]
    boto = _import_seconds("boto3", runs)
    lines.append(f"  import boto3 alone: {boto * 1000:.0f} ms")
    for name in handler_names():
        cost = _import_seconds(f"aicc.handlers.{name}", runs)
        lines.append(
            f"  import aicc.handlers.{name}: {cost * 1000:.0f} ms ({(cost - boto) * 1000:+.0f} ms vs boto3)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the demo mix (default 5)")
    parser.add_argument(
        "--import-runs", type=int, default=7, help="fresh interpreters per import (default 7)"
    )
    parser.add_argument("--update-readme", action="store_true", help="write the results into README.md")
    args = parser.parse_args()
    header = [
        f"{datetime.now():%Y-%m-%d}, Python {platform.python_version()}, {platform.machine()}, "
        f"{__import__('os').cpu_count()} CPUs"
    ]
    lines = header + bench_calls(args.rounds) + bench_imports(args.import_runs)
    print("\n".join(lines))
    if args.update_readme:
        readme = ROOT / "README.md"
        block = "<!-- bench:start -->\n```\n" + "\n".join(lines) + "\n```\n<!-- bench:end -->"
        text = re.sub(
            r"<!-- bench:start -->.*<!-- bench:end -->", block, readme.read_text(encoding="utf-8"), flags=re.S
        )
        readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
