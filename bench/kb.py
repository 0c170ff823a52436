"""The local knowledge search at scale: index build time, search latency and memory over a
synthetic corpus of 10,000 chunks.

The corpus: the real chunks of shared/data/kb, copied until 10,000, each copy made distinct: its
document id gets a copy number (so per-document aggregation sees 10,000 / chunks-per-document
documents), its text gets two sentences of the real corpus from other documents and a random number
appended (so BM25 sees other term frequencies and lengths), and its vector is the real e5 vector
plus Gaussian noise (sigma 0.02 per dimension, normalised again): embedding 10,000 texts with e5
would take minutes and measure the encoder, not the index. Searched: the 80 spoken dev questions of
tests/data/kb_questions_dev.jsonl, ROUNDS times, each timed whole (expansion, kiwipiepy tokens, e5
query embedding, BM25, hnswlib, rerank) and, apart, without the query embedding (memoised). CPU
time (time.process_time) beside wall time: on a shared, loaded machine the wall time also counts
the waits for a core, the CPU time only the work.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "kb_questions_dev.jsonl"
SIZE = 10_000
ROUNDS = 3


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_kb(size: int = SIZE, rounds: int = ROUNDS) -> list[str]:
    from aicc_ops.engine import embeddings
    from aicc_ops.knowledge.chunking import chunk_document
    from aicc_ops.knowledge.documents import read_folder
    from aicc_ops.knowledge.search import HybridIndex, chunk_vectors

    shared = Path(os.environ.get("AICC_SHARED_DIR") or ROOT.parent / "shared")
    docs = read_folder(shared / "data" / "kb")[0]
    real = [c for d in docs for c in chunk_document(d)]
    real_vectors = chunk_vectors(real)
    rng = random.Random(7)
    noise = np.random.default_rng(7)
    sentences = [(c.doc_id, s) for c in real for s in re.split(r"(?<=[.다])\s+", c.text) if s]
    chunks, rows = [], []
    for i in range(size):
        c = real[i % len(real)]
        copy = i // len(real)
        extra = [s for d, s in rng.sample(sentences, 6) if d != c.doc_id][:2]
        text = " ".join([c.text, *extra, f"({rng.randrange(10**6)})"])
        chunks.append(replace(c, chunk_id=f"{c.chunk_id}~{copy}", doc_id=f"{c.doc_id}~{copy}", text=text))
        rows.append(i % len(real))
    vectors = real_vectors[rows] + noise.normal(0, 0.02, (size, real_vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    HybridIndex(real, real_vectors).search(questions[0])  # loads kiwipiepy and e5 outside the measure
    before = _rss_mb()
    started = time.perf_counter()
    index = HybridIndex(chunks, vectors)
    build = time.perf_counter() - started
    memory = _rss_mb() - before
    whole: list[float] = []
    warm: list[float] = []
    whole_cpu: list[float] = []
    warm_cpu: list[float] = []
    for _ in range(rounds):
        for q in questions:
            embeddings.forget()
            t, c = time.perf_counter(), time.process_time()
            index.search(q, 5)
            whole.append((time.perf_counter() - t) * 1000)
            whole_cpu.append((time.process_time() - c) * 1000)
            t, c = time.perf_counter(), time.process_time()
            index.search(q, 5)  # the query's embedding is memoised now: the index's own work
            warm.append((time.perf_counter() - t) * 1000)
            warm_cpu.append((time.process_time() - c) * 1000)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())  # at the end of the searches
    return [
        f"kb search ({len(chunks):,} synthetic chunks from {len(real)} real ones, {len(questions)} "
        f"spoken questions x {rounds}; copies made distinct by id, 2 foreign sentences, a number "
        "and vector noise sigma 0.02; one e5 thread)",
        f"  index build {build:.1f} s (kiwipiepy tokens, 2 BM25 indexes, hnswlib M=16), "
        f"memory +{memory:.0f} MB RSS (vectors {vectors.nbytes / 1e6:.1f} MB)",
        f"  search p50 {statistics.median(whole):.1f} ms, p95 {_pct(whole, 0.95):.1f} ms (with the e5 query "
        f"embedding); without it p50 {statistics.median(warm):.1f} ms, p95 {_pct(warm, 0.95):.1f} ms",
        f"  CPU time: search p50 {statistics.median(whole_cpu):.1f} ms, p95 {_pct(whole_cpu, 0.95):.1f} ms; "
        f"without the embedding p50 {statistics.median(warm_cpu):.1f} ms, p95 {_pct(warm_cpu, 0.95):.1f} ms; "
        f"load average {load}",
    ]


if __name__ == "__main__":
    print("\n".join(bench_kb()))
