"""Benchmarks: simulated calls per second through the engine, and the cold-start import cost.

Prints its method with its numbers. Run with `make bench`; `--update-readme` also writes the
results into README.md's performance section.
"""

from __future__ import annotations

import argparse
import os
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


# Times the import alone, in a fresh interpreter: not its start-up, not `-X importtime`'s overhead.
_TIMED_IMPORT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
IMPORT_BUDGET = 1.3  # a handler may cost at most this many times `import boto3` (issue 9, item 13)


def _import_seconds(module: str) -> float:
    """One cold import of `module` in a fresh interpreter, with bytecode as the artifact ships it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "lambdas"), str(ROOT / "ops"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", _TIMED_IMPORT.format(module=module)],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return float(done.stdout)


def bench_imports(runs: int) -> list[str]:
    from aicc_ops.engine.flows import handler_names

    modules = [f"aicc.handlers.{name}" for name in handler_names()]
    for module in ["boto3", *modules]:  # warm-up: writes the bytecode, fills the page cache
        _import_seconds(module)
    alone: list[float] = []
    costs: dict[str, list[float]] = {m: [] for m in modules}
    ratios: dict[str, list[float]] = {m: [] for m in modules}
    for _ in range(runs):
        for module in modules:  # handler A, boto3, handler B, boto3, ...: drift hits both alike
            cost, boto = _import_seconds(module), _import_seconds("boto3")
            costs[module].append(cost)
            alone.append(boto)
            ratios[module].append(cost / boto)
    lines = [
        f"Cold-start import cost: {runs} rounds; each round imports every handler in a fresh interpreter,",
        "each followed by `import boto3` alone in another (interleaved, so machine drift hits both).",
        "Time of the import statement only (time.perf_counter around it), bytecode present as in the",
        "artifact. Ratio: median over the rounds of handler / the boto3 run after it;",
        f"budget {IMPORT_BUDGET} x.",
        f"  import boto3 alone: median {statistics.median(alone) * 1000:.0f} ms",
    ]
    for module in modules:
        ratio = statistics.median(ratios[module])
        verdict = "ok" if ratio <= IMPORT_BUDGET else f"OVER {IMPORT_BUDGET} x"
        lines.append(
            f"  import {module}: median {statistics.median(costs[module]) * 1000:.0f} ms, "
            f"{ratio:.2f} x boto3 ({verdict})"
        )
    return lines


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the demo mix (default 5)")
    parser.add_argument(
        "--import-runs", type=int, default=15, help="rounds of the interleaved import runs (default 15)"
    )
    parser.add_argument("--imports-only", action="store_true", help="only the cold-start import cost")
    parser.add_argument("--requests", type=int, default=500, help="Connect emulator requests (default 500)")
    parser.add_argument("--update-readme", action="store_true", help="write the results into README.md")
    args = parser.parse_args()
    header = [
        f"{datetime.now():%Y-%m-%d}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    ]
    if args.imports_only:
        lines = header + bench_imports(args.import_runs)
    else:
        lines = (
            header
            + bench_calls(args.rounds)
            + bench_imports(args.import_runs)
            + bench_operators(args.requests)
        )
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
