"""The versioned store on a few real documents: ingestion (idempotent, change detection that
re-embeds only what changed, refused files), versions, rollback, usage and feedback counts."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from aicc_ops.knowledge.chunking import passage_text
from aicc_ops.knowledge.documents import read_folder
from aicc_ops.knowledge.store import KbStore, StoreError, e5_passages
from unit.knowledge.store_fixtures import FEW, CountingEmbedder, copy_docs


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, CountingEmbedder]:
    """A store with one version of FEW, embedded once with the real e5 (about 3 s)."""
    root = tmp_path_factory.mktemp("kb")
    docs = copy_docs(root / "docs")
    embedder = CountingEmbedder(e5_passages)
    KbStore(root / "store", embedder).ingest(docs, by="kim")
    return docs, root / "store", embedder


@pytest.fixture
def work(base: tuple[Path, Path, CountingEmbedder], tmp_path: Path) -> tuple[Path, KbStore, CountingEmbedder]:
    """A private copy of the base store and its documents, with a fresh embed counter."""
    docs, store, _ = base
    shutil.copytree(docs, tmp_path / "docs")
    shutil.copytree(store, tmp_path / "store")
    embedder = CountingEmbedder(e5_passages)
    return tmp_path / "docs", KbStore(tmp_path / "store", embedder), embedder


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()}


def test_first_ingest_makes_a_draft_with_row_aligned_vectors(
    base: tuple[Path, Path, CountingEmbedder],
) -> None:
    docs, root, embedder = base
    store = KbStore(root)
    (m,) = store.versions()
    assert (m.version, m.state, m.created_by) == (1, "draft", "kim")
    assert sorted(m.documents) == sorted(FEW)
    chunks, vectors = store.chunks(1)
    assert vectors.dtype == np.float32 and vectors.shape == (len(chunks), 384)
    assert [c.chunk_id for c in chunks] == [c for d in sorted(m.documents) for c in m.documents[d].chunk_ids]
    assert embedder.texts[: len(chunks)] == [passage_text(c) for c in chunks]
    # each row is the e5 passage vector of its own chunk
    again = e5_passages([passage_text(chunks[-1])])[0]
    assert float(vectors[-1] @ again) == pytest.approx(1.0, abs=1e-5)
    assert m.documents["ec2-instance-unreachable"].digest == read_folder(docs)[0][0].digest


def test_reingesting_the_same_files_changes_nothing(work: tuple[Path, KbStore, CountingEmbedder]) -> None:
    docs, store, embedder = work
    before = snapshot(store.root)
    report = store.ingest(docs)
    assert report.version is None and len(report.unchanged) == len(FEW)
    assert embedder.texts == []
    assert snapshot(store.root) == before


def test_a_changed_document_alone_is_embedded_again(work: tuple[Path, KbStore, CountingEmbedder]) -> None:
    docs, store, embedder = work
    path = docs / "iam-mfa-reset.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## 추가 안내\n\n분실 신고는 고객센터로 해 주세요.\n"
    )
    (docs / "root-account-locked.md").unlink()
    report = store.ingest(docs)
    assert report.version == 2
    assert (report.changed, report.removed, report.new) == (["iam-mfa-reset"], ["root-account-locked"], [])
    assert (
        report.embedded == len(embedder.texts) == len(store.manifest(2).documents["iam-mfa-reset"].chunk_ids)
    )
    assert all(text.startswith(store.manifest(2).documents["iam-mfa-reset"].title) for text in embedder.texts)
    old_chunks, old_vectors = store.chunks(1)
    new_chunks, new_vectors = store.chunks(2)
    old = {c.chunk_id: v for c, v in zip(old_chunks, old_vectors, strict=True)}
    for c, v in zip(new_chunks, new_vectors, strict=True):
        if c.doc_id != "iam-mfa-reset":
            assert np.array_equal(old[c.chunk_id], v)  # reused, not recomputed
    assert "root-account-locked" not in {c.doc_id for c in new_chunks}
    assert report.summary().startswith("0 new, 1 changed, 1 removed, 4 unchanged")


def test_approve_publish_rollback_and_refusals(work: tuple[Path, KbStore, CountingEmbedder]) -> None:
    docs, store, _ = work
    with pytest.raises(StoreError, match="no approved version"):
        store.publish()
    with pytest.raises(StoreError, match="draft: approve it first"):
        store.publish(1)
    with pytest.raises(StoreError, match="no published version"):
        store.published_index()
    assert store.approve(by="lee").approved_by == "lee"
    with pytest.raises(StoreError, match="only a draft can be approved"):
        store.approve(1)
    assert store.publish(by="park").state == "published"
    with pytest.raises(StoreError, match="already published"):
        store.publish(1)
    (docs / "payment-method-change.md").unlink()
    assert store.ingest(docs).version == 2
    with pytest.raises(StoreError, match="draft and was never published"):
        store.rollback(2)
    store.approve(2)
    store.publish(2)
    assert [m.state for m in store.versions()] == ["retired", "published"]
    assert "payment-method-change" not in {c.doc_id for c in store.published_index()[0]}
    with pytest.raises(StoreError, match="kb rollback 1"):
        store.publish(1)
    assert store.rollback(1).state == "published"
    assert [m.state for m in store.versions()] == ["published", "retired"]
    chunks, vectors = store.published_index()
    assert "payment-method-change" in {c.doc_id for c in chunks} and len(chunks) == len(vectors)
    with pytest.raises(StoreError, match="no version 9"):
        store.rollback(9)


def test_automatic_categories_agree_on_clear_documents(base: tuple[Path, Path, CountingEmbedder]) -> None:
    m = KbStore(base[1]).manifest(1)
    assert {d: e.auto_category for d, e in m.documents.items()} == {
        d: e.category for d, e in m.documents.items()
    }
    assert "EC2" in m.documents["ec2-instance-unreachable"].auto_tags


def test_usage_counts_from_many_threads(work: tuple[Path, KbStore, CountingEmbedder]) -> None:
    _, store, _ = work
    store.approve()
    store.publish()

    def use() -> None:
        for _ in range(10):
            store.record_usage(["iam-mfa-reset", "ec2-instance-unreachable"], "retrieved")
            store.record_usage(["iam-mfa-reset"], "answered")

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.record_feedback("c-1", "iam-mfa-reset", True, "agent1")
    store.record_feedback("c-2", "iam-mfa-reset", False, None)
    store.record_feedback("c-3", "iam-mfa-reset", True, None)
    stats = store.stats()
    row = next(r for r in stats["usage"] if r["doc_id"] == "iam-mfa-reset")
    assert (row["retrieved"], row["answered"], row["useful"], row["not_useful"]) == (80, 80, 2, 1)
    assert stats["most_used"] == ["iam-mfa-reset", "ec2-instance-unreachable"]
    assert stats["least_used"][0] == "ec2-status-check-failure"  # unused; ties by id
    assert stats["least_used"][-1] == "ec2-instance-unreachable"
    assert stats["per_category"] == {"account": 2, "billing": 2, "incident": 2}
    with pytest.raises(StoreError, match="not in the published version 1"):
        store.record_feedback("c-1", "no-such-doc", True, None)
    with pytest.raises(StoreError, match="usage kind"):
        store.record_usage(["iam-mfa-reset"], "shown")  # type: ignore[arg-type]


def test_each_version_keeps_its_documents_as_ingested(work: tuple[Path, KbStore, CountingEmbedder]) -> None:
    # What a publish uploads to Bedrock's data source, and a rollback uploads again.
    docs, store, _ = work
    first = {p.stem: p.read_text(encoding="utf-8") for p in docs.glob("*.md")}
    assert store.sources(1) == first
    path = docs / "iam-mfa-reset.md"
    path.write_text(first["iam-mfa-reset"] + "\n## 추가 안내\n\n분실 신고는 고객센터로 해 주세요.\n")
    (docs / "root-account-locked.md").write_text("---\nid: root-account-locked\n---\n")  # refused: kept
    report = store.ingest(docs)
    assert report.kept == ["root-account-locked"]
    second = store.sources(2)
    assert second["iam-mfa-reset"].endswith("분실 신고는 고객센터로 해 주세요.\n")
    assert second["root-account-locked"] == first["root-account-locked"]  # the previous text
    assert store.sources(1) == first  # an earlier version is never rewritten


def test_the_local_stack_serves_the_published_version_and_counts_its_use(
    work: tuple[Path, KbStore, CountingEmbedder], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aicc_ops.knowledge import local

    _, store, _ = work
    store.approve()
    store.publish()
    monkeypatch.setenv("AICC_KB_DIR", str(store.root))
    local.local_knowledge.cache_clear()
    try:
        retriever, answerer = local.local_knowledge()
        passages = retriever.retrieve("세금계산서 메일로 언제 와요", 3)
        assert passages[0].doc_id == "monthly-invoice-tax-invoice"
        answered = answerer.answer("세금계산서 메일로 언제 와요", passages)
        assert answered is not None and answered.doc_id == "monthly-invoice-tax-invoice"
    finally:
        local.local_knowledge.cache_clear()
    usage = {row["doc_id"]: row for row in store.stats()["usage"]}
    assert usage["monthly-invoice-tax-invoice"]["retrieved"] == 1
    assert usage["monthly-invoice-tax-invoice"]["answered"] == 1
    assert sum(row["answered"] for row in usage.values()) == 1
