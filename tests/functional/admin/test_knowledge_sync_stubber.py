"""`aicc-ops kb sync` against botocore's Stubber (the real s3 and bedrock-agent models): the
published version's documents and their .metadata.json are put under the data source's prefix,
what else is there is deleted, and an ingestion job is started (and followed with --wait)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from helpers import REGION
from unit.knowledge.store_fixtures import CountingEmbedder, copy_docs

from aicc_ops.admin.context import OpsContext, Target, TargetError
from aicc_ops.admin.knowledge_sync import SyncError, metadata, sync
from aicc_ops.knowledge.store import KbStore

KB_ID, DS_ID, BUCKET, PREFIX = "KB12345678", "DS12345678", "aicc-dev-knowledge-111122223333", "published/"
TARGET = {"knowledge_base_id": KB_ID, "data_source_id": DS_ID, "bucket": BUCKET, "prefix": PREFIX}
DOCS = ("iam-mfa-reset", "root-account-locked")


@pytest.fixture
def store(tmp_path: Path) -> KbStore:
    kb = KbStore(tmp_path / "store", CountingEmbedder())
    kb.ingest(copy_docs(tmp_path / "docs", DOCS))
    kb.approve()
    kb.publish()
    return kb


@pytest.fixture
def stubbed() -> Iterator[tuple[OpsContext, Stubber, Stubber]]:
    ops = OpsContext(Target(env="dev", region=REGION))
    ops.__dict__["outputs"] = {"knowledge": {"value": TARGET}}  # `terraform output -json`'s shape
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    agent = boto3.client(
        "bedrock-agent", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s"
    )
    ops.provide("s3", s3)
    ops.provide("bedrock-agent", agent)
    with Stubber(s3) as s3_stub, Stubber(agent) as agent_stub:
        yield ops, s3_stub, agent_stub
        s3_stub.assert_no_pending_responses()
        agent_stub.assert_no_pending_responses()


def job(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "ingestionJob": {
            "knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "ingestionJobId": "JOB1234567",
            "status": status, "startedAt": "2026-12-06T00:00:00Z", "updatedAt": "2026-12-06T00:00:00Z",
            **extra,
        }
    }  # fmt: skip


def files(store: KbStore) -> list[tuple[str, bytes, str]]:
    """(key, body, content type) of every object the published version puts."""
    published = store.published()
    assert published is not None
    out = []
    for doc_id, text in store.sources(published.version).items():
        entry = published.documents[doc_id]
        key = f"{PREFIX}{doc_id}.md"
        out.append((key, text.encode("utf-8"), "text/markdown"))
        out.append(
            (f"{key}.metadata.json", metadata(doc_id, entry.title, entry.category), "application/json")
        )
    return out


def listing(s3: Stubber, keys: list[str]) -> None:
    s3.add_response(
        "list_objects_v2",
        {"Contents": [{"Key": k} for k in keys], "IsTruncated": False, "KeyCount": len(keys)},
        {"Bucket": BUCKET, "Prefix": PREFIX},
    )


def test_the_data_source_holds_exactly_the_published_version(
    store: KbStore, stubbed: tuple[OpsContext, Stubber, Stubber]
) -> None:
    ops, s3, agent = stubbed
    puts = files(store)
    unchanged_key = puts[0][0]  # put by an earlier sync: the same bytes
    stale = [f"{PREFIX}payment-method-change.md", f"{PREFIX}x.md.metadata.json"]
    listing(s3, [unchanged_key, *stale])
    for key, body, content_type in puts:
        digest = hashlib.sha256(body).hexdigest()
        if key == unchanged_key:
            s3.add_response("head_object", {"Metadata": {"sha256": digest}}, {"Bucket": BUCKET, "Key": key})
            continue
        s3.add_response(
            "put_object",
            {"ETag": '"e"'},
            {
                "Bucket": BUCKET,
                "Key": key,
                "Body": body,
                "ContentType": content_type,
                "Metadata": {"sha256": digest},
            },
        )
    s3.add_response(
        "delete_objects",
        {"Deleted": [{"Key": k} for k in stale]},
        {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": k} for k in stale], "Quiet": True}},
    )
    agent.add_response(
        "start_ingestion_job",
        job("STARTING"),
        {"knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "description": ANY},
    )
    done = job(
        "COMPLETE", statistics={"numberOfNewDocumentsIndexed": 0, "numberOfModifiedDocumentsIndexed": 1}
    )
    agent.add_response(
        "get_ingestion_job",
        done,
        {"knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "ingestionJobId": "JOB1234567"},
    )
    report = sync(ops, store, wait=True, sleep=lambda _: None)
    assert report.uploaded == sorted(DOCS) and report.deleted == sorted(stale)
    assert (report.job_status, report.statistics["numberOfModifiedDocumentsIndexed"]) == ("COMPLETE", 1)
    attributes = json.loads(metadata("iam-mfa-reset", "t", "account"))["metadataAttributes"]
    assert attributes == {"doc_id": "iam-mfa-reset", "title": "t", "category": "account"}


def test_a_second_sync_of_the_same_version_changes_nothing(
    store: KbStore, stubbed: tuple[OpsContext, Stubber, Stubber]
) -> None:
    ops, s3, _ = stubbed  # the agent Stubber fails any call: no ingestion job may start
    puts = files(store)
    listing(s3, [key for key, _, _ in puts])
    for key, body, _ in puts:
        digest = hashlib.sha256(body).hexdigest()
        s3.add_response("head_object", {"Metadata": {"sha256": digest}}, {"Bucket": BUCKET, "Key": key})
    report = sync(ops, store, wait=True, sleep=lambda _: None)
    assert (report.uploaded, report.deleted, report.job_id) == ([], [], "")


def test_a_failed_ingestion_job_says_why(
    store: KbStore, stubbed: tuple[OpsContext, Stubber, Stubber]
) -> None:
    ops, s3, agent = stubbed
    listing(s3, [])
    for key, body, content_type in files(store):
        digest = hashlib.sha256(body).hexdigest()
        params = {
            "Bucket": BUCKET,
            "Key": key,
            "Body": body,
            "ContentType": content_type,
            "Metadata": {"sha256": digest},
        }
        s3.add_response("put_object", {"ETag": '"e"'}, params)
    started = {"knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "description": ANY}
    agent.add_response("start_ingestion_job", job("STARTING"), started)
    failed = job("FAILED", failureReasons=["The knowledge base role cannot read the bucket"])
    polled = {"knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "ingestionJobId": "JOB1234567"}
    agent.add_response("get_ingestion_job", failed, polled)
    with pytest.raises(SyncError, match="FAILED: The knowledge base role cannot read the bucket"):
        sync(ops, store, wait=True, sleep=lambda _: None)


def test_nothing_published_or_no_knowledge_output_is_refused(tmp_path: Path) -> None:
    ops = OpsContext(Target(env="dev", region=REGION))
    ops.__dict__["outputs"] = {}
    with pytest.raises(TargetError, match="no `knowledge` Terraform output"):
        sync(ops, KbStore(tmp_path / "empty", CountingEmbedder()))
    ops.__dict__["outputs"] = {"knowledge": {"value": TARGET}}
    with pytest.raises(SyncError, match="no published version"):
        sync(ops, KbStore(tmp_path / "empty", CountingEmbedder()))
