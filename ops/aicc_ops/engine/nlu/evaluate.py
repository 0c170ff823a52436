"""Scoring the NLU on an evaluation file, in the "how can I help" context.

A file is JSON lines {"text", "intent", "slots"}; "slots" maps slot names to normalised values
({} or absent when none). Out-of-scope lines have intent FallbackIntent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvalFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read it ({exc})") from None
    out: list[Labelled] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path} line {n}: not JSON ({exc.msg})") from None
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("text"), str)
            or not isinstance(row.get("intent"), str)
        ):
            raise EvalFileError(f'{path} line {n}: expected an object with string "text" and "intent"')
        slots = row.get("slots") or {}
        if not isinstance(slots, dict) or not all(isinstance(v, str) for v in slots.values()):
            raise EvalFileError(f'{path} line {n}: "slots" must map slot names to strings')
        out.append(Labelled(row["text"], row["intent"], dict(slots)))
    if not out:
        raise EvalFileError(f"{path}: no evaluation lines")
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
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for e, p in zip(expected, predicted, strict=True):
        confusion[index[e]][index[p]] += 1
    f1s = []
    for label in sorted(set(expected)):  # macro over the intents the file holds
        tp = confusion[index[label]][index[label]]
        fp = sum(confusion[index[o]][index[label]] for o in labels) - tp
        fn = sum(confusion[index[label]]) - tp
        f1s.append(_ratio(2 * tp, 2 * tp + fp + fn))
    correct = [e == p for e, p in zip(expected, predicted, strict=True)]
    # Slots count where the intent was right: a wrong intent has no right slots to compare.
    slot_rows = [i for i, ok in enumerate(correct) if ok and rows[i].intent != FALLBACK]
    slot_ok = sum(predictions[i].slots == rows[i].slots for i in slot_rows)
    oos_tp = sum(e == p == FALLBACK for e, p in zip(expected, predicted, strict=True))
    errors = [
        {"text": r.text, "expected": r.intent, "predicted": p.intent, "confidence": round(p.confidence, 3)}
        for r, p, ok in zip(rows, predictions, correct, strict=True)
        if not ok
    ]
    return Scores(
        count=len(rows),
        accuracy=_ratio(sum(correct), len(rows)),
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        slot_exact_match=_ratio(slot_ok, len(slot_rows)),
        oos_precision=_ratio(oos_tp, predicted.count(FALLBACK)),
        oos_recall=_ratio(oos_tp, expected.count(FALLBACK)),
        labels=labels,
        confusion=confusion,
        errors=errors,
    )


def evaluate(nlu: LocalNlu, rows: Sequence[Labelled], locale: str = "ko_KR") -> Scores:
    """Every line predicted in the "how can I help" context (no capture question pending)."""
    return score(rows, [nlu.predict(r.text, locale) for r in rows])
