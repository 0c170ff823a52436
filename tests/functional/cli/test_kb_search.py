"""`kb search` and `kb eval` through click (the kb group is the lead's: a stand-in group here)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from aicc_ops.cli.kb_search import eval_, search

DEV = Path(__file__).resolve().parents[2] / "data" / "kb_questions_dev.jsonl"


@click.group()
def kb() -> None:
    """Stand-in for the kb group the commands attach to."""


kb.add_command(search)
kb.add_command(eval_)


@pytest.fixture(autouse=True)
def vectors_cache(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    # The unit tests' cache: the documents are embedded once, whichever module runs first.
    monkeypatch.setenv("AICC_KB_CACHE", str(request.config.cache.mkdir("kb-vectors")))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(kb, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_search_json_shape() -> None:
    code, out, _ = run("search", "루트 계정 비밀번호를 잊어버렸어요", "--top", "3", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3 and rows[0]["doc_id"] == "root-account-locked"
    for row in rows:
        assert set(row) == {"doc_id", "title", "score", "text"}
        assert isinstance(row["score"], float) and row["text"] and row["title"]


def test_search_table_and_empty_query() -> None:
    code, out, _ = run("search", "브이피엔 터널이 다운됐어요")
    assert code == 0 and "vpn-tunnel-down" in out.splitlines()[2]
    code, _, err = run("search", "  ")
    assert code == 2 and "QUERY is empty" in err


@pytest.mark.slow  # two evaluations of 80 questions
def test_eval_prints_the_figures_beside_the_baseline() -> None:
    code, out, _ = run("eval", str(DEV), "--json")
    assert code == 0
    figures = json.loads(out)
    keys = {"recall@1", "recall@5", "mrr", "p50_ms", "p95_ms"}
    assert keys <= set(figures) and keys <= set(figures["baseline"])
    assert figures["questions"] == 80 and figures["mrr"] > figures["baseline"]["mrr"]
    code, out, _ = run("eval", str(DEV))
    assert code == 0 and "baseline" in out and "recall@1" in out


def test_eval_names_a_bad_line_without_a_trace(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "요금이 많이 나왔어요", "doc": "cost-anomaly-unexpected-bill"}\n{"q": "질문"\n')
    code, _, err = run("eval", str(bad))
    assert code == 1 and "bad.jsonl:2: not JSON" in err and "Traceback" not in err


def test_a_missing_docs_folder_is_named(tmp_path: Path) -> None:
    code, _, err = run("search", "질문", "--docs", str(tmp_path / "nowhere"))
    assert code == 1 and "nowhere: no such folder" in err
