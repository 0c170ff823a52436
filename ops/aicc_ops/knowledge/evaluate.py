"""Retrieval quality on labelled questions (lines {"q": question, "doc": document id}): recall@1,
recall@5, MRR and latency per question, for the hybrid index and for the baseline it must beat, a
character n-gram TF-IDF over whole documents (scikit-learn)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .documents import Document


class QuestionsError(ValueError):
    """A questions file the evaluation refuses: the message names the file and line."""


@dataclass(frozen=True)
class Question:
    q: str
    doc: str


@dataclass(frozen=True)
class Scores:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    p50_ms: float
    p95_ms: float

    def as_json(self) -> dict[str, float | int]:
        """The keys `aicc-ops kb eval --json` prints (recall@1, recall@5, mrr, p50_ms, p95_ms)."""
        d = asdict(self)
        return {
            "questions": d["questions"],
            "recall@1": round(self.recall_at_1, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr": round(self.mrr, 4),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
        }


def read_questions(path: Path, known: Sequence[str] | None = None) -> list[Question]:
    """The file's questions; QuestionsError names the first bad line (not JSON, no "q" text, no
    "doc" id, or a doc outside `known` when given)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionsError(f"{path}: cannot be read ({exc})") from None
    out: list[Question] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionsError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise QuestionsError(f'{where}: expected an object {{"q": ..., "doc": ...}}')
        q, doc = row.get("q"), row.get("doc")
        if not isinstance(q, str) or not q.strip():
            raise QuestionsError(f'{where}: "q" must be a non-empty question')
        if not isinstance(doc, str) or not doc.strip():
            raise QuestionsError(f'{where}: "doc" must be a document id')
        if known is not None and doc not in known:
            raise QuestionsError(f"{where}: no document {doc!r} in the knowledge base")
        out.append(Question(q, doc))
    if not out:
        raise QuestionsError(f"{path}: no questions")
    return out


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def evaluate(ranked: Callable[[str], Sequence[str]], questions: Sequence[Question]) -> Scores:
    """Scores of `ranked` (question -> document ids, best first, at least 5 asked) on `questions`."""
    hits1 = hits5 = 0
    reciprocal = 0.0
    times: list[float] = []
    for question in questions:
        started = time.perf_counter()
        ids = list(ranked(question.q))
        times.append((time.perf_counter() - started) * 1000)
        if question.doc in ids:
            rank = ids.index(question.doc) + 1
            reciprocal += 1 / rank
            hits1 += rank == 1
            hits5 += rank <= 5
    n = len(questions)
    return Scores(n, hits1 / n, hits5 / n, reciprocal / n, statistics.median(times), _percentile(times, 0.95))


class TfidfBaseline:
    """Character 2-4-gram TF-IDF (within word boundaries) over whole documents, cosine ranked."""

    def __init__(self, docs: Sequence[Document]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = [d.doc_id for d in docs]
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform([f"{d.title}\n{d.body}" for d in docs])

    def ranked(self, query: str, top: int = 10) -> list[str]:
        scores = (self.matrix @ self.vectorizer.transform([query]).T).toarray().ravel()
        return [self.ids[i] for i in scores.argsort()[::-1][:top]]


@dataclass(frozen=True)
class GroundingCase:
    """One answered question's answer and its passages (title and text), with the variants the
    grounding check must let through (grounded, spoken) or catch (invented number, other document,
    negated)."""

    grounded: str
    spoken: str  # the same sentences with spoken endings, as a model rephrases them
    invented_number: str
    other_document: str
    negated: str | None  # one predicate's polarity turned around; None: no rule applies
    passages: tuple[str, ...]


# Formal endings as a model says them on the phone; a paraphrase the check must not punish.
SPOKEN_ENDINGS = (
    ("하십시오", "하세요"),
    ("합니다", "해요"),
    ("됩니다", "돼요"),
    ("입니다", "이에요"),
    ("습니다", "어요"),
)


# One predicate's polarity turned around, as a model misreading the passage would say it: a
# negation taken out, else one put in; the first rule that applies, at its first place.
NEGATION_FLIPS = (
    ("되지 않습니다", "됩니다"),
    ("하지 않습니다", "합니다"),
    ("지 않습니다", "습니다"),
    ("지 않으며", "며"),
    ("지 않으면", "면"),
    ("지 않고", "고"),
    ("지 않는", "는"),
    ("지 않은", "은"),
    ("수 없", "수 있"),
    ("없습니다", "있습니다"),
    ("아닙니다", "입니다"),
    ("불가", "가능"),
    ("지 말고", "고"),
    ("지 마십시오", "십시오"),
    ("수 있", "수 없"),
    ("있습니다", "없습니다"),
    ("입니다", "이 아닙니다"),
    ("하십시오", "하지 마십시오"),
    ("십시오", "지 마십시오"),
    ("습니다", "지 않습니다"),  # 받습니다 → 받지 않습니다
)
_FINAL_B = 17  # ㅂ's index among a Hangul syllable's 28 finals: 합니다, 됩니다, 드립니다


def negated(text: str) -> str | None:
    """`text` with one predicate's polarity turned around (NEGATION_FLIPS, then -ㅂ니다 →
    -지 않습니다); None when no rule applies."""
    for said, turned in NEGATION_FLIPS:
        if said in text:
            return text.replace(said, turned, 1)
    for at in (i for i in range(len(text) - 2) if text[i + 1 : i + 3] == "니다"):
        syllable = ord(text[at]) - 0xAC00
        if 0 <= syllable < 11172 and syllable % 28 == _FINAL_B:
            return f"{text[:at]}{chr(ord(text[at]) - _FINAL_B)}지 않습니다{text[at + 3 :]}"
    return None


def grounding_cases(
    answers: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    other_sentences: Callable[[Sequence[str]], Sequence[str]],
    seed: int = 12,
) -> list[GroundingCase]:
    """The cases of `answers` ((answer body, [(doc_id, title + text) of each passage])):
    `other_sentences(doc_ids)` gives sentences of the documents not among those."""
    import random

    from aicc.domain.grounding import NUMBER, numbers, sentences, unlisted

    rng = random.Random(seed)
    cases: list[GroundingCase] = []
    for body, passages in answers:
        texts = tuple(t for _, t in passages)
        spoken = body
        for formal, said in SPOKEN_ENDINGS:
            spoken = spoken.replace(formal, said)
        held = set().union(*(numbers(t) for t in texts))
        new = str(next(n for n in (rng.randint(2, 99) for _ in range(1000)) if str(n) not in held))
        plain = unlisted(body)  # a list item's number is no claim: change one that is
        found = NUMBER.search(plain)
        if found:
            invented = f"{plain[: found.start()]}{new}{plain[found.end() :]}"
        else:
            first, *rest = sentences(body)
            invented = " ".join([f"{new}일 안에 {first}", *rest])
        pool = [s for s in other_sentences([d for d, _ in passages]) if len(s) >= 20 and s not in body]
        other = f"{body} {rng.choice(pool)}"
        cases.append(GroundingCase(body, spoken, invented, other, negated(body), texts))
    return cases
