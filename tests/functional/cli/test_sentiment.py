"""`aicc-ops sentiment`: JSON shapes, operator errors, and the offline model's quality floor on the
evaluation set (caller utterances written apart from the training data, never trained on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc_ops.cli import cli
from aicc_ops.engine.sentiment import TRAIN_FILE, read_examples

EVAL = Path(__file__).resolve().parents[2] / "data" / "sentiment_eval.jsonl"
# Written by two writers who never saw this repository (docs/ai-quality.md).
OUTSIDE = EVAL.with_name("sentiment_eval_outside.jsonl")
BAR = 0.85  # issue 11: accuracy on caller utterances nobody here wrote


@pytest.fixture(autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_MODEL_CACHE", str(tmp_path_factory.getbasetemp() / "model-cache"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr


def test_the_eval_set_is_balanced_and_apart_from_the_training_set() -> None:
    examples = read_examples(EVAL)
    assert len(examples) >= 150
    counts = {label: sum(e.label == label for e in examples) for label in ("NEGATIVE", "NEUTRAL", "POSITIVE")}
    assert len(set(counts.values())) == 1, counts
    trained = {e.text for e in read_examples(TRAIN_FILE)}
    assert not trained & {e.text for e in examples}


def test_predict_json_shape() -> None:
    code, out, _ = run("sentiment", "predict", "진짜 화나네요 또 끊겼어요", "--json", "--method", "ngram")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"label", "score"} and data["label"] == "NEGATIVE" and -1 <= data["score"] < 0


@pytest.mark.parametrize("path", [EVAL, OUTSIDE], ids=["in-house", "outside"])
def test_the_default_model_meets_the_bar(path: Path) -> None:
    code, out, _ = run("sentiment", "eval", str(path), "--json")
    assert code == 0
    data = json.loads(out)
    assert {"accuracy", "macro_f1"} <= set(data) and data["count"] == len(read_examples(path))
    assert data["accuracy"] >= BAR and data["macro_f1"] >= BAR


def test_predict_refuses_empty_text() -> None:
    code, _, err = run("sentiment", "predict", "  ", "--json")
    assert code == 2 and json.loads(err)["error"]["code"] == "usage"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"text": "안녕하세요", "label": "HAPPY"}\n', "line 1: label must be one of"),
        ("not json\n", "line 1: not JSON"),
        ('{"text": "", "label": "NEUTRAL"}\n', "line 1: text must be a non-empty string"),
        ("", "no lines"),
    ],
)
def test_eval_names_the_bad_line(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run("sentiment", "eval", str(bad), "--json", "--method", "ngram")
    assert code == 1
    message = json.loads(err)["error"]["message"]
    assert problem in message and "Traceback" not in err


def test_eval_of_a_missing_file() -> None:
    code, _, err = run("sentiment", "eval", "/nonexistent/eval.jsonl")
    assert code == 1 and "no such file" in err
