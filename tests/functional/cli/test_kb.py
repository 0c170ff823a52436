"""`aicc-ops kb`: the store's commands end to end (JSON shapes, exit codes, clear refusals). The
vectors' meaning is not under test here: a deterministic stand-in embeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from unit.knowledge.store_fixtures import FEW, CountingEmbedder, copy_docs

from aicc_ops.cli import cli
from aicc_ops.knowledge import store as store_module


@pytest.fixture(autouse=True)
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(store_module, "e5_passages", CountingEmbedder())
    monkeypatch.setenv("AICC_KB_DIR", str(tmp_path / "store"))
    return tmp_path / "store"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["kb", *args], standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> Any:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_ingest_approve_publish_rollback_json(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs")
    first = run_json("ingest", str(docs))
    assert first["version"] == 1 and sorted(first["new"]) == sorted(FEW) and first["errors"] == []
    assert set(first) == {
        "version",
        "new",
        "changed",
        "removed",
        "unchanged",
        "kept",
        "embedded",
        "reads_like",
        "errors",
    }
    again = run_json("ingest", str(docs))
    assert again["version"] is None and again["embedded"] == 0
    assert run_json("approve", "--by", "kim")["approved_by"] == "kim"
    assert run_json("publish")["state"] == "published"
    (docs / "root-account-locked.md").unlink()
    assert run_json("ingest", str(docs))["removed"] == ["root-account-locked"]
    run_json("approve", "2")
    run_json("publish", "2")
    assert run_json("rollback", "1")["version"] == 1
    listed = run_json("versions")
    assert [(v["version"], v["state"], v["documents"]) for v in listed] == [
        (1, "published", 6),
        (2, "retired", 5),
    ]
    shown = run_json("versions", "--show", "1")
    assert set(shown["documents"]["iam-mfa-reset"]) >= {
        "digest",
        "title",
        "category",
        "tags",
        "auto_tags",
        "chunk_ids",
    }


def test_refusals_are_clear_errors(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs", FEW[:4])
    assert run("stats")[0] == 1
    run_json("ingest", str(docs))
    code, _, err = run("rollback", "1")
    assert code == 1 and "draft and was never published" in err and "Traceback" not in err
    code, _, err = run("publish", "1", "--json")
    assert code == 1 and json.loads(err)["error"]["message"].startswith("version 1 is a draft")
    code, _, err = run("ingest", str(tmp_path / "nowhere"))
    assert code == 1 and "no such folder" in err


def test_ingest_lists_refused_files_and_exits_non_zero(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs", FEW[:3])
    bad = docs / "ec2-status-check-failure.md"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("category: incident", "category: outage"), encoding="utf-8"
    )
    code, out, err = run("ingest", str(docs))
    assert code == 1
    assert "version 1 (draft): 2 new, 0 changed, 0 removed, 0 unchanged" in out
    assert f"{bad}: category:" in err
    code, out, _ = run("ingest", str(docs), "--json")
    assert code == 1 and json.loads(out)["errors"][0] == {
        "file": str(bad), "field": "category", "problem": json.loads(out)["errors"][0]["problem"]
    }  # fmt: skip


def test_feedback_and_stats(tmp_path: Path, kb_dir: Path) -> None:
    run_json("ingest", str(copy_docs(tmp_path / "docs")))
    code, _, err = run("feedback", "--contact", "c-1", "--doc", "iam-mfa-reset", "--useful")
    assert code == 1 and "no published version" in err
    run_json("approve")
    run_json("publish")
    store_module.KbStore(kb_dir).record_usage(["iam-mfa-reset"], "answered")
    assert (
        run_json("feedback", "--contact", "c-1", "--doc", "iam-mfa-reset", "--not-useful")["useful"] is False
    )
    code, _, err = run("feedback", "--contact", "c-1", "--doc", "no-such-doc", "--useful")
    assert code == 1 and "'no-such-doc' is not in the published version 1" in err
    code, _, err = run("feedback", "--contact", "c-1", "--doc", "iam-mfa-reset")
    assert code == 2 and "--useful or --not-useful" in err
    stats = run_json("stats")
    assert set(stats) == {
        "version",
        "state",
        "documents",
        "chunks",
        "per_category",
        "usage",
        "most_used",
        "least_used",
    }
    row = next(r for r in stats["usage"] if r["doc_id"] == "iam-mfa-reset")
    assert (row["answered"], row["useful"], row["not_useful"]) == (1, 0, 1)
    assert stats["most_used"] == ["iam-mfa-reset"]
    code, out, _ = run("stats")
    assert code == 0 and "iam-mfa-reset" in out and "most used:  iam-mfa-reset" in out
