"""Cold-start import cost of every handler against `import boto3` alone, interleaved."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
