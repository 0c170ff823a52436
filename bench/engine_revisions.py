"""What each change to the call path saved: the demo's mix run on several git revisions, interleaved.

    .venv/bin/python bench/engine_revisions.py REV[+server] REV[+server] ... [--rounds 3] [--passes 4]

Each revision is checked out in a temporary git worktree and run in a fresh interpreter of this
virtualenv, pinned to one CPU: `local_stack()` as that revision has it (moto over loopback HTTP
before the in-process endpoint; `+server` asks a revision that has both for
`local_stack(moto_server=True)`), one warm-up pass of the demo's calls, then measured passes.
Rounds alternate the revisions, so machine drift hits them alike; the figures are medians over all
passes. Requests are counted with botocore's
before-send on boto3's default session, registered before the stack creates a client: those of the
calls, and apart those the demo makes to set a scenario's agents (main-thread requests to the
agents table other than the engine's Scan). The own cost of a call is its wall time less the
endpoint's (botocore's before-send to before-parse) and less the set-up's API calls; botocore's
part of it is its API calls (each client's `_make_api_call`, timed whole through a first base class
given at botocore's creating-client-class) less the endpoint's time, as `bench/engine_calls.py`
splits it. Not part of `make bench`: it needs the repository.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ops"))
from aicc_ops.knowledge.documents import default_folder  # noqa: E402

# Runs inside the revision's worktree: prints one JSON line of per-pass measurements.
_PROBE = r"""
import json, os, sys, threading, time
from collections import Counter
if hasattr(os, "sched_setaffinity"):  # one CPU, as bench/engine_calls.py measures (on_one_core)
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
import boto3
counts, setup, on = Counter(), Counter(), [False]
seconds = Counter()  # "endpoint", "api" (botocore's API calls, endpoint included), "setup" (set-up calls)
local = threading.local()
class Timed:
    def _make_api_call(self, operation_name, api_params):
        local.call, local.setup = time.perf_counter(), False
        try:
            return super()._make_api_call(operation_name, api_params)
        finally:
            if on[0]:
                seconds["setup" if local.setup else "api"] += time.perf_counter() - local.call
def timed(base_classes, **_):
    base_classes.insert(0, Timed)
def sent(event_name, request=None, **_):
    local.sent = time.perf_counter()
    if not on[0]:
        return
    operation = event_name.split(".", 1)[1]
    body = getattr(request, "body", b"") or b""
    text = body.decode() if isinstance(body, bytes) else str(body)
    main = threading.current_thread() is threading.main_thread()
    if main and "-agents" in text and not operation.endswith(".Scan"):
        setup[operation] += 1
        local.setup = True
    else:
        counts[operation] += 1
def answered(**_):
    if on[0] and not local.setup:
        seconds["endpoint"] += time.perf_counter() - local.sent
boto3.setup_default_session()
events = boto3._get_default_session().events
events.register("creating-client-class", timed)
events.register("before-send", sent)
events.register_last("before-parse", answered)
from aicc_ops.local.scenarios import DEMO_CALLS, run_call
from aicc_ops.local.stack import local_stack
kwargs = {"moto_server": True} if os.environ.get("BENCH_MOTO_SERVER") else {}
passes = int(sys.argv[1])
with local_stack(**kwargs) as stack:
    for call in DEMO_CALLS:
        run_call(stack, call)
    on[0] = True
    walls, cpus = [], []
    for _ in range(passes):
        wall, cpu = time.perf_counter(), time.process_time()
        for call in DEMO_CALLS:
            run_call(stack, call)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
print(json.dumps({"calls": len(DEMO_CALLS), "passes": passes, "walls": walls, "cpus": cpus,
                  "requests": counts, "setup": setup, "seconds": seconds}))
"""


def _worktree(revision: str, into: Path) -> Path:
    path = into / revision.replace("/", "_")
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), revision], check=True
    )
    return path


def _run(tree: Path, server: bool, passes: int) -> dict[str, Any]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{tree}/lambdas:{tree}/ops:{tree}/tests",
        "HOME": str(Path.home()),
        # This checkout's shared data: a temporary worktree has none beside it, and without the
        # knowledge base its knowledge questions would go to an agent, a cheaper call than the bench's.
        "AICC_SHARED_DIR": str(default_folder().resolve().parents[1]),
        **({"BENCH_MOTO_SERVER": "1"} if server else {}),
    }
    probe = [sys.executable, "-c", _PROBE, str(passes)]
    done = subprocess.run(probe, check=False, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{tree.name}: the probe failed\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("revisions", nargs="+", help="git revisions, each optionally +server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=4)
    args = parser.parse_args()
    if not default_folder().is_dir():
        raise SystemExit(f"no knowledge documents at {default_folder()}: set AICC_SHARED_DIR")
    with tempfile.TemporaryDirectory(prefix="aicc-revisions-") as tmp:
        trees: dict[str, Path] = {}
        runs: dict[str, list[dict[str, Any]]] = {}
        try:
            for spec in args.revisions:
                revision = spec.removesuffix("+server")
                if revision not in trees:
                    trees[revision] = _worktree(revision, Path(tmp))
            for _ in range(args.rounds):
                for spec in args.revisions:  # interleaved
                    tree = trees[spec.removesuffix("+server")]
                    runs.setdefault(spec, []).append(_run(tree, spec.endswith("+server"), args.passes))
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
                )
    print(
        f"The demo's mix on each revision: {args.rounds} rounds alternating the revisions, each a fresh "
        f"process with one warm-up pass and {args.passes} measured passes; medians over the passes."
    )
    for spec, results in runs.items():
        calls = int(results[0]["calls"])
        walls: list[float] = [w for r in results for w in r["walls"]]
        cpus: list[float] = [c for r in results for c in r["cpus"]]
        passes = sum(int(r["passes"]) for r in results)
        requests = sum(sum(r["requests"].values()) for r in results) / passes / calls
        setup = sum(sum(r["setup"].values()) for r in results) / passes
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        seconds: dict[str, float] = {}
        for r in results:
            for kind, spent in r["seconds"].items():
                seconds[kind] = seconds.get(kind, 0.0) + spent
        per_call = 1000 / (passes * calls)  # ms per call from seconds over all passes
        endpoint = seconds.get("endpoint", 0.0)
        own = (sum(walls) - seconds.get("setup", 0.0) - endpoint) * per_call
        client = (seconds.get("api", 0.0) - endpoint) * per_call
        print(
            f"  {spec}: {calls / wall:.1f} calls/s (a pass {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms "
            f"CPU); {requests:.2f} requests per call, {setup:.0f} per pass setting agents; own cost "
            f"per call (mean) {own:.1f} ms = botocore {client:.1f} + engine and handlers {own - client:.1f}"
        )


if __name__ == "__main__":
    main()
