"""The knowledge search clears the issue's bars on questions nobody on the team wrote:
tests/data/kb_eval_outside.jsonl, written by two outside writers who saw only the documents (set A
short and blunt, set B long and rambling; docs/ai-quality.md). Each set on its own: recall@1 >=
0.75, recall@5 >= 0.95, MRR >= 0.85, and above the character n-gram TF-IDF baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicc_ops.knowledge.documents import Document
from aicc_ops.knowledge.evaluate import Question, TfidfBaseline, evaluate
from aicc_ops.knowledge.search import HybridIndex

OUTSIDE = Path(__file__).resolve().parents[2] / "data" / "kb_eval_outside.jsonl"
BARS = {"recall_at_1": 0.75, "recall_at_5": 0.95, "mrr": 0.85}

pytestmark = pytest.mark.slow  # 320 questions through e5 and the index


@pytest.mark.parametrize("writer", ["A", "B"])
def test_the_outside_questions_clear_the_bars(index: HybridIndex, docs: list[Document], writer: str) -> None:
    rows = [json.loads(line) for line in OUTSIDE.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [Question(r["q"], r["doc"]) for r in rows if r["set"] == writer]
    assert len(questions) == 160 and {q.doc for q in questions} <= {d.doc_id for d in docs}
    scores = evaluate(lambda q: [h.doc_id for h in index.search(q, 10)], questions)
    baseline = evaluate(TfidfBaseline(docs).ranked, questions)
    for metric, bar in BARS.items():
        assert getattr(scores, metric) >= bar, (metric, scores)
    assert scores.mrr > baseline.mrr, (scores, baseline)


@pytest.mark.parametrize("writer", ["A", "B"])
def test_the_bot_answers_most_outside_questions_and_from_the_right_document(writer: str) -> None:
    # A wrong answer is worse than none: what the bot says must come from the labelled document
    # (measured 0.946 / 0.930 of the answered, 69 % / 80 % answered), the rest go to a person.
    from kb_answers import backends

    from aicc.settings import config

    retriever, answerer = backends()
    rows = [json.loads(line) for line in OUTSIDE.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = [r for r in rows if r["set"] == writer]
    answered = [(r, answerer.answer(r["q"], retriever.retrieve(r["q"], 5))) for r in asked]
    said = [
        (r, a) for r, a in answered if a is not None and a.confidence >= config().knowledge.min_confidence
    ]
    right = sum(a.doc_id == r["doc"] for r, a in said)
    assert len(said) >= 0.5 * len(asked) and right >= 0.9 * len(said), (len(said), right)
