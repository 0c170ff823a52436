"""The knowledge documents' format (shared/data/kb/README.md): every real document reads, and a
broken one is refused with the file and the field named, the folder's other documents kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SHARED_DIR

from aicc_ops.knowledge.chunking import MAX_CHARS, chunk_document, sections
from aicc_ops.knowledge.documents import CATEGORIES, DocumentError, read_document, read_folder

KB = SHARED_DIR / "data" / "kb"
GOOD = """---
id: {id}
title: 테스트 문서
category: technical
tags: [EC2, SSH, 보안그룹]
updated: 2026-02-09
---

## 점검
보안 그룹의 22번 포트를 확인합니다.
"""


def test_every_real_document_reads_and_the_readme_is_no_document() -> None:
    docs, errors = read_folder(KB)
    assert not errors
    assert len(docs) == len(list(KB.glob("*.md"))) - 1  # README.md describes the format
    assert all(d.doc_id == d.path.stem and d.category in CATEGORIES for d in docs)
    assert len({d.digest for d in docs}) == len(docs)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: t.replace("id: {id}\n", ""), "id"),
        (lambda t: t.replace("id: {id}", "id: Other_Name"), "id"),
        (lambda t: t.replace("category: technical", "category: gossip"), "category"),
        (lambda t: t.replace("tags: [EC2, SSH, 보안그룹]", "tags: [EC2]"), "tags"),
        (lambda t: t.replace("updated: 2026-02-09", "updated: 어제"), "updated"),
        (lambda t: t.replace("title: 테스트 문서", "title: [열림"), "front matter"),
        (lambda t: t.replace("---\nid", "id", 1), "front matter"),
        (lambda t: t.split("## 점검")[0], "body"),
    ],
)
def test_a_broken_document_names_its_file_and_field(
    tmp_path: Path, change: Callable[[str], str], field: str
) -> None:
    broken = tmp_path / "broken-doc.md"
    broken.write_text(change(GOOD).format(id="broken-doc"), encoding="utf-8")
    (tmp_path / "fine-doc.md").write_text(GOOD.format(id="fine-doc"), encoding="utf-8")
    with pytest.raises(DocumentError) as raised:
        read_document(broken)
    assert raised.value.field == field and str(broken) in str(raised.value)
    docs, errors = read_folder(tmp_path)
    assert [d.doc_id for d in docs] == ["fine-doc"] and [e.path for e in errors] == [broken]


def test_a_document_whose_id_is_not_its_file_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "renamed.md"
    path.write_text(GOOD.format(id="original"), encoding="utf-8")
    with pytest.raises(DocumentError, match="differs from the file name"):
        read_document(path)


def test_chunks_follow_sections_and_never_cut_a_sentence(tmp_path: Path) -> None:
    docs, _ = read_folder(KB)
    for doc in docs:
        chunks = chunk_document(doc)
        assert [c.chunk_id for c in chunks] == [f"{doc.doc_id}#{n}" for n in range(len(chunks))]
        assert {c.section for c in chunks} == {h for h, _ in sections(doc.body)}
    # A huge section is packed sentence by sentence, each chunk within the limit, overlapping.
    sentence = "보안 그룹에서 22번 포트가 열려 있는지 확인합니다."
    path = tmp_path / "huge-doc.md"
    path.write_text(
        GOOD.format(id="huge-doc").replace("보안 그룹의 22번 포트를 확인합니다.", " ".join([sentence] * 60))
    )
    chunks = chunk_document(read_document(path))
    assert len(chunks) > 5 and all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(c.text.startswith(sentence) and c.text.endswith(sentence) for c in chunks)


def test_without_documents_or_a_published_version_the_local_stack_hands_every_question_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installed aicc-ops has no ../shared beside it: its local stack still starts.
    from aicc_ops.knowledge import local

    monkeypatch.setenv("AICC_SHARED_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("AICC_KB_DIR", str(tmp_path / "empty-store"))
    local.local_knowledge.cache_clear()
    try:
        retriever, _ = local.local_knowledge()
        assert retriever.retrieve("이씨투 접속이 안 돼요") == []
    finally:
        local.local_knowledge.cache_clear()
