"""Automatic tags and categories on the real documents."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from aicc_ops.knowledge.chunking import chunk_document
from aicc_ops.knowledge.documents import read_folder
from aicc_ops.knowledge.search import chunk_vectors
from aicc_ops.knowledge.tagging import AUTO_TAGS, auto_categories, auto_tags, terms
from unit.knowledge.store_fixtures import KB


def test_terms_keep_nouns_and_product_names() -> None:
    assert terms("EC2 인스턴스에 ping 도 안 되고 S3 버킷은 GuardDuty 가 막아요") == [
        "EC2", "인스턴스", "S3", "버킷", "GuardDuty",
    ]  # fmt: skip


def test_auto_tags_name_each_documents_topic() -> None:
    docs, _ = read_folder(KB)
    tags = auto_tags(docs)
    assert all(len(t) == AUTO_TAGS for t in tags.values())
    expected = {
        "ec2-instance-unreachable": "EC2",
        "ec2-status-check-failure": "Status",  # Status Check
        "guardduty-finding-response": "GuardDuty",
        "iam-mfa-reset": "MFA",
        "s3-access-denied": "S3",
        "eks-node-notready": "EKS",
        "vpn-tunnel-down": "VPN",
        "monthly-invoice-tax-invoice": "계산서",
        "ticket-status-check": "티켓",
    }
    assert {d: t for d, t in expected.items() if t not in tags[d]} == {}
    # distinctive: no tag is shared by more than a handful of the 40 documents
    shared = Counter(t for ts in tags.values() for t in ts)
    assert max(shared.values()) <= 4, shared.most_common(3)


def test_auto_categories_judge_only_with_company() -> None:
    v = {"a": np.eye(3, dtype=np.float32)[:1], "b": np.eye(3, dtype=np.float32)[1:2]}
    assert auto_categories({"a": "billing", "b": "account"}, v) == {"a": None, "b": None}
    v["c"] = np.eye(3, dtype=np.float32)[:1]
    assert auto_categories({"a": "billing", "b": "account", "c": "account"}, v)["c"] == "billing"


@pytest.mark.slow
def test_most_documents_read_like_their_declared_category() -> None:
    """All 40 documents embedded (about 20 s on one thread, unless the knowledge index's vectors of
    them are cached): leave-one-out centroids agree with the declared category for most; the rest
    are the ones worth a look."""
    docs, _ = read_folder(KB)
    chunks = [c for d in docs for c in chunk_document(d)]
    # e5 "passage" vectors of passage_text(chunk), as the store embeds them, through the index's
    # disk cache: the knowledge tests' index (kb_answers) embeds the same chunks.
    embedded = chunk_vectors(chunks)
    vectors = {d.doc_id: embedded[[i for i, c in enumerate(chunks) if c.doc_id == d.doc_id]] for d in docs}
    found = auto_categories({d.doc_id: d.category for d in docs}, vectors)
    agree = sum(found[d.doc_id] == d.category for d in docs) / len(docs)
    assert agree >= 0.6, {
        d.doc_id: (d.category, found[d.doc_id]) for d in docs if found[d.doc_id] != d.category
    }
