"""Labelled JSON-lines files (the NLU's, the sentiment model's and the speech round trip's training
and evaluation sets) and the classification figures computed on them: one reader, whose errors
name the file and line, and one set of metrics, scikit-learn's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple


class LabelledFileError(ValueError):
    """A file that cannot be read as labelled lines: the message names the file and the line."""


def read_json_lines(
    path: Path, error: type[ValueError] = LabelledFileError
) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) of every non-blank line; `error` (a ValueError) when the file cannot be
    read, a line is not a JSON object, or there is no line at all."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path} line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise error(f"{path} line {number}: expected a JSON object")
        rows.append((number, row))
    if not rows:
        raise error(f"{path}: no lines")
    return rows


class Figures(NamedTuple):
    accuracy: float
    macro_f1: float  # over the labels the truth holds (a label nobody said is not averaged in)
    per_label: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    confusion: list[list[int]]  # rows: truth, columns: predicted, in the order of `labels`


def figures(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Figures:
    """Accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix (scikit-learn)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if not truth:
        return Figures(0.0, 0.0, {}, [[0] * len(labels) for _ in labels])
    said = [label for label in labels if label in set(truth)]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(labels), zero_division=0
    )
    per_label = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    macro = sum(per_label[label]["f1"] for label in said) / len(said) if said else 0.0
    matrix = confusion_matrix(truth, predicted, labels=list(labels)).tolist()
    return Figures(float(accuracy_score(truth, predicted)), macro, per_label, matrix)
