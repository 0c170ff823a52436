"""Could the knowledge search skip the e5 query embedding when its lexical side is clearly decided
(the NLU's cascade, docs/ai-quality.md)? The trade-off between the share of questions that reach
e5 and the retrieval quality, on the 40 real documents:

- fast path: the search's own rerank without its dense feature (chunk BM25, document BM25, heading
  overlap; search.WEIGHTS) over the BM25 candidates, a document scoring as its best chunk;
  or that score plus TFIDF_WEIGHT x the min-max scaled cosine of the character 2-4-gram TF-IDF over
  whole documents (evaluate.TfidfBaseline, a second cheap signal; `fused`);
- gate: the fast path answers when its first document beats the second by a margin (`lexical`,
  `fused`), or also only when the TF-IDF ranks the same document first (`lexical+tfidf`);
  otherwise the full hybrid.
- the margin is chosen on the dev set (tests/data/kb_questions_dev.jsonl) as the largest that sends
  at most BUDGET of the dev questions to e5, for several budgets, then reported on the outside sets
  A and B (tests/data/kb_eval_outside.jsonl; never tuned on), against the bars recall@1 >= 0.75,
  recall@5 >= 0.95, MRR >= 0.85 on each.

    python bench/kb_cascade.py
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aicc_ops.knowledge.documents import default_folder, read_folder
from aicc_ops.knowledge.evaluate import Question, TfidfBaseline, evaluate
from aicc_ops.knowledge.search import CANDIDATES, WEIGHTS, HybridIndex, tokens

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "kb_questions_dev.jsonl"
OUTSIDE = ROOT / "tests" / "data" / "kb_eval_outside.jsonl"
BUDGETS = (0.05, 0.10, 0.20, 0.30)  # largest share of the dev questions allowed to reach e5
MARGINS = [m / 400 for m in range(0, 201)]  # 0 to 0.5
TFIDF_WEIGHT = 0.25


@dataclass(frozen=True)
class Seen:
    """One question as both paths see it."""

    question: Question
    full: list[str]  # the hybrid's documents, best first
    lexical: list[str]  # the lexical fast path's
    margin: float  # its first document's score less its second's
    tfidf_agrees: bool
    fused: list[str]  # the fused fast path's
    fused_margin: float


def lexical_ranking(index: HybridIndex, query: str) -> tuple[list[str], list[float]]:
    """The fast path: search.HybridIndex's rerank with its dense weight 0, over the BM25 candidates."""
    query_tokens = tokens(index.expanded(query))
    lexical = index._bm25_scores(index._bm25, query_tokens)
    rows = np.argsort(-lexical, kind="stable")[:CANDIDATES]
    rows = rows[lexical[rows] > 0]
    if not len(rows):
        return [], []
    doc_lexical = index._bm25_scores(index._doc_bm25, query_tokens)
    no_vector = np.zeros(index.vectors.shape[1], dtype=np.float32)
    scores = index._rerank(rows, no_vector, set(query_tokens), lexical, doc_lexical, (0.0, *WEIGHTS[1:]))
    best: dict[str, float] = {}
    for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
        doc = index.chunks[row].doc_id
        best[doc] = max(score, best.get(doc, score))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    return [d for d, _ in ranked], [s for _, s in ranked]


def _margin(scores: Sequence[float]) -> float:
    return scores[0] - scores[1] if len(scores) > 1 else (scores[0] if scores else 0.0)


def seen(index: HybridIndex, tfidf: TfidfBaseline, questions: Sequence[Question]) -> list[Seen]:
    out = []
    for q in questions:
        docs, scores = lexical_ranking(index, q.q)
        cosine = (tfidf.matrix @ tfidf.vectorizer.transform([q.q]).T).toarray().ravel()
        span = float(cosine.max() - cosine.min()) or 1.0
        lexical = dict(zip(docs, scores, strict=True))
        fused = {
            d: lexical.get(d, 0.0) + TFIDF_WEIGHT * (c - cosine.min()) / span
            for d, c in zip(tfidf.ids, cosine.tolist(), strict=True)
        }
        fused_docs = sorted(fused, key=lambda d: -fused[d])
        full = [h.doc_id for h in index.search(q.q, 10)]
        agrees = bool(docs) and tfidf.ids[int(np.argmax(cosine))] == docs[0]
        out.append(
            Seen(q, full, docs, _margin(scores), agrees, fused_docs, _margin([fused[d] for d in fused_docs]))
        )
    return out


# A fast path's documents for a question, and its margin (-inf where the gate never lets it answer).
Gate = Callable[[Seen], tuple[list[str], float]]
GATES: dict[str, Gate] = {
    "lexical": lambda r: (r.lexical, r.margin),
    "lexical+tfidf": lambda r: (r.lexical, r.margin if r.tfidf_agrees else -math.inf),
    "fused": lambda r: (r.fused, r.fused_margin),
}


def cascade(rows: Sequence[Seen], gate: Gate, threshold: float) -> tuple[float, str]:
    """(share sent to e5, "recall@1 / recall@5 / MRR") of the cascade answering from the fast path
    when its margin reaches `threshold`."""
    answer: dict[str, list[str]] = {}
    slow = 0
    for r in rows:
        fast, margin = gate(r)
        answer[r.question.q] = fast if margin >= threshold else r.full
        slow += margin < threshold
    s = evaluate(lambda q: answer[q], [r.question for r in rows])
    return slow / len(rows), f"{s.recall_at_1:.3f} / {s.recall_at_5:.3f} / {s.mrr:.3f}"


def main() -> None:
    docs, _ = read_folder(default_folder())
    index = HybridIndex.from_documents(docs)
    tfidf = TfidfBaseline(docs)
    load = [json.loads(line) for line in OUTSIDE.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev_rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    sets = {
        "dev": seen(index, tfidf, [Question(r["q"], r["doc"]) for r in dev_rows]),
        **{
            f"outside {w}": seen(index, tfidf, [Question(r["q"], r["doc"]) for r in load if r["set"] == w])
            for w in ("A", "B")
        },
    }
    print("share of questions reaching e5, recall@1 / recall@5 / MRR (bars 0.75 / 0.95 / 0.85)")
    for name, rows in sets.items():
        alone = "; ".join(f"{g} alone {cascade(rows, gate, -math.inf)[1]}" for g, gate in GATES.items())
        print(f"  {name:10} full hybrid {cascade(rows, GATES['lexical'], math.inf)[1]}; {alone}")
    for gate_name, gate in GATES.items():
        for budget in BUDGETS:
            fits = [m for m in MARGINS if cascade(sets["dev"], gate, m)[0] <= budget]
            if not fits:
                print(f"  {gate_name}, e5 budget {budget:.0%}: no margin fits on dev")
                continue
            parts = [
                f"{name} {'{:.1%} {}'.format(*cascade(rows, gate, max(fits)))}" for name, rows in sets.items()
            ]
            print(
                f"  {gate_name} margin >= {max(fits):.4f} (e5 budget {budget:.0%} on dev): "
                + "; ".join(parts)
            )


if __name__ == "__main__":
    main()
