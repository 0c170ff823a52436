"""Scoring the NLU on an evaluation file, in the "how can I help" context.

A file is JSON lines {"text", "intent", "slots"}; "slots" maps slot names to normalised values
({} or absent when none). Out-of-scope lines have intent FallbackIntent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..labelled_data import figures, read_json_lines
from .bot import LocalNlu, Prediction
from .examples import FALLBACK


class EvalFileError(ValueError):
    """An evaluation file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str
    slots: dict[str, str]


def read_eval_file(path: Path) -> list[Labelled]:
    out: list[Labelled] = []
    for n, row in read_json_lines(path, EvalFileError):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("intent"), str):
            raise EvalFileError(f'{path} line {n}: expected an object with string "text" and "intent"')
        slots = row.get("slots") or {}
        if not isinstance(slots, dict) or not all(isinstance(v, str) for v in slots.values()):
            raise EvalFileError(f'{path} line {n}: "slots" must map slot names to strings')
        out.append(Labelled(row["text"], row["intent"], dict(slots)))
    return out


@dataclass
class Scores:
    count: int
    accuracy: float
    macro_f1: float
    slot_exact_match: float
    oos_precision: float
    oos_recall: float
    labels: list[str]
    confusion: list[list[int]]  # rows: expected, columns: predicted, in `labels` order
    errors: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "slot_exact_match": round(self.slot_exact_match, 4),
            "oos_precision": round(self.oos_precision, 4),
            "oos_recall": round(self.oos_recall, 4),
            "labels": self.labels,
            "confusion": self.confusion,
            "errors": self.errors,
        }


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def score(rows: Sequence[Labelled], predictions: Sequence[Prediction]) -> Scores:
    expected = [r.intent for r in rows]
    predicted = [p.intent for p in predictions]
    labels = sorted(set(expected) | set(predicted), key=lambda x: (x == FALLBACK, x))
    scored = figures(expected, predicted, labels)  # macro-F1 over the intents the file holds
    correct = [e == p for e, p in zip(expected, predicted, strict=True)]
    # Slots count where the intent was right: a wrong intent has no right slots to compare.
    slot_rows = [i for i, ok in enumerate(correct) if ok and rows[i].intent != FALLBACK]
    slot_ok = sum(predictions[i].slots == rows[i].slots for i in slot_rows)
    oos = scored.per_label.get(FALLBACK, {})
    errors = [
        {"text": r.text, "expected": r.intent, "predicted": p.intent, "confidence": round(p.confidence, 3)}
        for r, p, ok in zip(rows, predictions, correct, strict=True)
        if not ok
    ]
    return Scores(
        count=len(rows),
        accuracy=scored.accuracy,
        macro_f1=scored.macro_f1,
        slot_exact_match=_ratio(slot_ok, len(slot_rows)),
        oos_precision=oos.get("precision", 0.0),
        oos_recall=oos.get("recall", 0.0),
        labels=labels,
        confusion=scored.confusion,
        errors=errors,
    )


def evaluate(nlu: LocalNlu, rows: Sequence[Labelled], locale: str = "ko_KR") -> Scores:
    """Every line predicted in the "how can I help" context (no capture question pending)."""
    return score(rows, [nlu.predict(r.text, locale) for r in rows])
