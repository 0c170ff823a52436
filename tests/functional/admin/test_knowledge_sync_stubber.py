"""`aicc-ops kb sync` against botocore's Stubber (the real s3 and bedrock-agent models): the
published version's documents and their .metadata.json are put under the data source's prefix,
what else is there is deleted, and an ingestion job is started (and followed with --wait)."""

from __future__ import annotations

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
    ops._clients.update({("s3", None): s3, ("bedrock-agent", None): agent})
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


def expect_puts(s3: Stubber, store: KbStore) -> None:
    published = store.published()
    assert published is not None
    for doc_id, text in store.sources(published.version).items():
        entry = published.documents[doc_id]
        key = f"{PREFIX}{doc_id}.md"
        s3.add_response(
            "put_object",
            {"ETag": '"e"'},
            {"Bucket": BUCKET, "Key": key, "Body": text.encode("utf-8"), "ContentType": "text/markdown"},
        )
        body = metadata(doc_id, entry.title, entry.category)
        s3.add_response(
            "put_object",
            {"ETag": '"m"'},
            {
                "Bucket": BUCKET,
                "Key": f"{key}.metadata.json",
                "Body": body,
                "ContentType": "application/json",
            },
        )


def test_the_data_source_holds_exactly_the_published_version(
    store: KbStore, stubbed: tuple[OpsContext, Stubber, Stubber]
) -> None:
    ops, s3, agent = stubbed
    expect_puts(s3, store)
    listed = [f"{PREFIX}{d}.md" for d in DOCS] + [
        f"{PREFIX}payment-method-change.md",
        f"{PREFIX}x.md.metadata.json",
    ]
    s3.add_response(
        "list_objects_v2",
        {"Contents": [{"Key": k} for k in listed], "IsTruncated": False, "KeyCount": len(listed)},
        {"Bucket": BUCKET, "Prefix": PREFIX},
    )
    stale = [f"{PREFIX}payment-method-change.md", f"{PREFIX}x.md.metadata.json"]
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


def test_a_failed_ingestion_job_says_why(
    store: KbStore, stubbed: tuple[OpsContext, Stubber, Stubber]
) -> None:
    ops, s3, agent = stubbed
    expect_puts(s3, store)
    s3.add_response(
        "list_objects_v2", {"IsTruncated": False, "KeyCount": 0}, {"Bucket": BUCKET, "Prefix": PREFIX}
    )
    agent.add_response(
        "start_ingestion_job",
        job("STARTING"),
        {"knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "description": ANY},
    )
    failed = job("FAILED", failureReasons=["The knowledge base role cannot read the bucket"])
    agent.add_response(
        "get_ingestion_job",
        failed,
        {"knowledgeBaseId": KB_ID, "dataSourceId": DS_ID, "ingestionJobId": "JOB1234567"},
    )
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
