"""`aicc-ops nlu`: JSON shapes of predict and eval, and an operator's bad input as a clear error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from unit.nlu.conftest import TINY

from aicc_ops.cli import cli
from aicc_ops.cli import nlu as nlu_cli
from aicc_ops.engine.nlu import LocalNlu


@pytest.fixture(autouse=True)
def tiny_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The commands run on a small fast model: their shape is under test here, not the quality."""
    model = LocalNlu.train(TINY, "chars")
    monkeypatch.setattr(nlu_cli, "_nlu", lambda encoder, locale: model)
    yield


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["nlu", *args], standalone_mode=True)
    return result.exit_code, result.output


def test_predict_json_is_intent_confidence_slots() -> None:
    code, out = run("predict", "이씨투 장애예요", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"intent", "confidence", "slots"}
    assert data["intent"] == "ReportOutage" and data["slots"] == {"ServiceName": "EC2"}
    assert 0.0 < data["confidence"] <= 1.0


def test_eval_json_has_the_figures(tmp_path: Path) -> None:
    f = tmp_path / "eval.jsonl"
    rows = [
        {"text": "다이나모 디비 장애예요", "intent": "ReportOutage", "slots": {"ServiceName": "DynamoDB"}},
        {"text": "요금이 이상해요", "intent": "BillingInquiry", "slots": {}},
        {"text": "상담원 연결", "intent": "TalkToAgent"},
        {"text": "오늘 날씨 어때요", "intent": "FallbackIntent", "slots": {}},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    code, out = run("eval", str(f), "--json")
    assert code == 0
    data = json.loads(out)
    assert {"accuracy", "macro_f1", "slot_exact_match", "oos_precision", "oos_recall"} <= set(data)
    assert data["count"] == 4 and 0.0 <= data["accuracy"] <= 1.0
    assert sum(map(sum, data["confusion"])) == 4
    code, table = run("eval", str(f))
    assert code == 0 and "accuracy" in table and "confusion" in table


def test_a_missing_file_is_a_clear_error() -> None:
    code, out = run("eval", "/nonexistent/eval.jsonl")
    assert code == 1
    assert "no such file" in out and "Traceback" not in out


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    f = tmp_path / "eval.jsonl"
    f.write_text('{"text": "요금 문의", "intent": "BillingInquiry"}\n{"text": oops}\n', encoding="utf-8")
    code, out = run("eval", str(f))
    assert code == 1
    assert "line 2: not JSON" in out and "Traceback" not in out
    f.write_text('{"text": "요금 문의"}\n', encoding="utf-8")
    code, out = run("eval", str(f), "--json")  # --json: the error is one JSON object too
    assert code == 1
    assert json.loads(out)["error"]["message"].endswith(
        'line 1: expected an object with string "text" and "intent"'
    )
