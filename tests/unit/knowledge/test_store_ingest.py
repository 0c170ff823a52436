"""Ingestion's edge cases: refused files (each names file and field, the rest is ingested), empty
and huge documents, a crash mid-ingest, two ingests at once. The store's logic is under test, not
the vectors: a deterministic stand-in embeds (tests/unit/knowledge/store_fixtures.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from aicc_ops.knowledge.store import KbStore, StoreError
from unit.knowledge.store_fixtures import FEW, KB, CountingEmbedder, copy_docs

GOOD = KB / "iam-mfa-reset.md"


def front(text: str, old: str, new: str) -> str:
    head, sep, body = text.partition("\n---\n")
    assert old in head
    return head.replace(old, new) + sep + body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: front(t, "id: iam-mfa-reset\n", ""), "id"),
        (lambda t: front(t, "category: account", "category: accounts"), "category"),
        (lambda t: front(t, "updated: 20", "updated: 09/02/20"), "updated"),
        (lambda t: front(t, "updated: 20", "updated: 2026-13-40 #"), "front matter"),
        (lambda t: front(t, "tags: [", "tags: [[["), "front matter"),
    ],
    ids=["missing id", "bad category", "bad date", "impossible date", "broken YAML"],
)
def test_a_malformed_file_is_named_and_the_rest_ingested(tmp_path: Path, change: object, field: str) -> None:
    docs = copy_docs(tmp_path / "docs")
    path = docs / "iam-mfa-reset.md"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    store = KbStore(tmp_path / "store", CountingEmbedder())
    report = store.ingest(docs)
    (error,) = report.errors
    assert (error.path, error.field) == (path, field)
    assert str(path) in str(error)
    assert report.version == 1 and sorted(store.manifest(1).documents) == sorted(set(FEW) - {"iam-mfa-reset"})
    assert "iam-mfa-reset" not in {c.doc_id for c in store.chunks(1)[0]}


def test_a_refused_file_keeps_its_previous_version(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs")
    store = KbStore(tmp_path / "store", CountingEmbedder())
    store.ingest(docs)
    path = docs / "iam-mfa-reset.md"
    path.write_text(
        front(path.read_text(encoding="utf-8"), "category: account", "category: x"), encoding="utf-8"
    )
    report = store.ingest(docs)
    assert report.version is None and report.kept == ["iam-mfa-reset"] and report.removed == []
    assert [e.field for e in report.errors] == ["category"]


def test_empty_documents_are_refused(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs", FEW[:2])
    head = GOOD.read_text(encoding="utf-8").partition("\n---\n")[0] + "\n---\n"
    (docs / "iam-mfa-reset.md").write_text(head, encoding="utf-8")
    (docs / "root-account-locked.md").write_text(
        head.replace("iam-mfa-reset", "root-account-locked") + "## 제목만\n\n## 있는 문서\n", encoding="utf-8"
    )
    store = KbStore(tmp_path / "store", CountingEmbedder())
    report = store.ingest(docs)
    assert sorted((e.path.name, e.field) for e in report.errors) == [
        ("iam-mfa-reset.md", "body"),
        ("root-account-locked.md", "body"),
    ]
    assert sorted(store.manifest(1).documents) == sorted(FEW[:2])
    with pytest.raises(StoreError, match="no valid document") as refused:
        KbStore(tmp_path / "other", CountingEmbedder()).ingest(_only(docs))
    # the operator is told which file and field to fix, even when nothing could be ingested
    assert "iam-mfa-reset.md: body" in str(refused.value) and "root-account-locked.md: body" in str(
        refused.value
    )


def _only(docs: Path) -> Path:
    for name in FEW[:2]:
        (docs / f"{name}.md").unlink()
    return docs


def test_a_huge_document_becomes_one_chunk_per_section(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    head = GOOD.read_text(encoding="utf-8").partition("\n---\n")[0] + "\n---\n"
    body = "".join(f"## 단계 {n}\n\n{n}번째 절차입니다. 콘솔에서 설정을 확인합니다.\n\n" for n in range(200))
    (docs / "iam-mfa-reset.md").write_text(head + body, encoding="utf-8")
    embedder = CountingEmbedder()
    store = KbStore(tmp_path / "store", embedder)
    assert store.ingest(docs).embedded == 200 == len(embedder.texts)
    chunks, vectors = store.chunks(1)
    assert vectors.shape == (200, 384)
    assert [c.section for c in chunks[:2]] == ["단계 0", "단계 1"]
    assert store.manifest(1).documents["iam-mfa-reset"].chunk_ids[-1] == "iam-mfa-reset#199"


def test_a_crash_while_embedding_leaves_no_version(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs")

    def broken(texts: object) -> object:
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        KbStore(tmp_path / "store", broken).ingest(docs)  # type: ignore[arg-type]
    store = KbStore(tmp_path / "store", CountingEmbedder())
    assert store.versions() == []
    assert store.ingest(docs).version == 1
    assert not list((tmp_path / "store").glob(".tmp-*"))


def test_two_ingests_at_once_make_one_version(tmp_path: Path) -> None:
    docs = copy_docs(tmp_path / "docs")
    reports = []

    def ingest() -> None:
        reports.append(KbStore(tmp_path / "store", CountingEmbedder()).ingest(docs))

    threads = [threading.Thread(target=ingest) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((r.version is None) for r in reports) == [False, True, True]
    assert [m.version for m in KbStore(tmp_path / "store").versions()] == [1]
