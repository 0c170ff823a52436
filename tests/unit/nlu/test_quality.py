"""The quality gate: the default model on the evaluation set nobody trained on (a floor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.settings import load_config
from aicc_ops.engine.nlu import LocalNlu
from aicc_ops.engine.nlu.evaluate import evaluate, read_eval_file

EVAL = Path(__file__).resolve().parents[2] / "data" / "nlu_eval.jsonl"


@pytest.mark.slow  # trains the e5 model (tens of seconds) when the user's cache does not hold it
def test_the_default_model_clears_the_bar_on_the_evaluation_set() -> None:
    rows = read_eval_file(EVAL)
    assert len(rows) >= 200
    scores = evaluate(LocalNlu.load_or_train(load_config().intents)[0], rows)
    assert scores.accuracy >= 0.92
    assert scores.macro_f1 >= 0.92
    assert scores.oos_recall >= 0.8
    assert scores.slot_exact_match >= 0.95
