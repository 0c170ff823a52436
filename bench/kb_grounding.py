"""The grounding check (aicc.domain.grounding) on the local extractive answers of labelled
questions: how many grounded answers (and their spoken rephrasings) it would hand over, and how
many it catches with an invented number, a sentence of another document or a predicate's polarity
turned around (docs/ai-quality.md).

    python bench/kb_grounding.py tests/data/kb_questions_dev.jsonl tests/data/kb_eval_outside.jsonl
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from aicc.domain.grounding import sentences, support
from aicc.domain.knowledge import body_of
from aicc.settings import config
from aicc_ops.knowledge.answer import ExtractiveAnswerer
from aicc_ops.knowledge.documents import default_folder, read_folder
from aicc_ops.knowledge.evaluate import grounding_cases, read_questions
from aicc_ops.knowledge.search import HybridIndex

VARIANTS = ("grounded", "spoken", "invented_number", "other_document", "negated")


def main(files: Sequence[str]) -> None:
    rules = config().knowledge
    docs, _ = read_folder(default_folder())
    index = HybridIndex.from_documents(docs)  # as the local stack serves the documents folder
    answerer = ExtractiveAnswerer(rules.spoken_max_chars, expand=index.expanded)
    said = {d.doc_id: [s for line in d.body.splitlines() for s in sentences(line)] for d in docs}

    def others(ids: Sequence[str]) -> list[str]:
        return [s for doc_id, ss in said.items() if doc_id not in ids for s in ss]

    for name in files:
        answers = []
        for q in read_questions(Path(name)):
            passages = index.retrieve(q.q, rules.top_k)
            answer = answerer.answer(q.q, passages) if passages else None
            if answer is not None:
                answers.append((body_of(answer), [(p.doc_id, f"{p.title}\n{p.text}") for p in passages]))
        cases = grounding_cases(answers, others)
        print(f"{name}: {len(cases)} answers, min_support {rules.min_support}")
        for variant in VARIANTS:
            kept = [(text, c.passages) for c in cases if (text := getattr(c, variant)) is not None]
            scores = [support(text, passages) for text, passages in kept]
            under = sum(s < rules.min_support for s in scores)
            span = f"{min(scores):.3f}-{max(scores):.3f}"
            print(f"  {variant:16} handed over {under:4} / {len(kept)}  support {span}")


if __name__ == "__main__":
    main(sys.argv[1:])
