"""The published knowledge version, delivered to an environment's Bedrock knowledge base.

Bedrock reads its documents from the S3 data source (terraform/modules/knowledge); `aicc-ops kb
sync --env ENV` makes the data source hold exactly the store's published version:
1. each document is put at `<prefix><id>.md`, with `<id>.md.metadata.json` beside it carrying
   `metadataAttributes` doc_id, title and category: Retrieve returns them in each result's
   `metadata`, which is how an answer names its source
   (https://docs.aws.amazon.com/bedrock/latest/userguide/kb-metadata.html);
2. every other object under the prefix is deleted (a document that left the version, or a
   rollback's). A file whose bytes are there already (its sha256 in the object's metadata) is not
   put again, and when nothing changed no ingestion job starts: running it twice changes nothing;
3. StartIngestionJob (knowledgeBaseId, dataSourceId) makes the knowledge base re-read the data
   source: Bedrock itself embeds only what changed. With --wait, GetIngestionJob is polled until
   the job is COMPLETE (or FAILED or STOPPED, an error naming its failure reasons).
Rolling back is `kb rollback N` then `kb sync`: the same steps with the earlier version's files.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..knowledge.store import KbStore
from .context import OpsContext, TargetError

SHA = "sha256"  # user metadata of each object: its content's digest (unchanged files are skipped)
OUTPUT = "knowledge"  # the root module's output: knowledge_base_id, data_source_id, bucket, prefix
DONE = ("COMPLETE", "FAILED", "STOPPED")
POLL_S = 10.0


class SyncError(Exception):
    """The documents could not be delivered; the message says what happened and what to do."""


@dataclass
class SyncReport:
    version: int
    bucket: str
    prefix: str
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    job_id: str = ""
    job_status: str = ""
    statistics: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def metadata(doc_id: str, title: str, category: str) -> bytes:
    """The `<file>.metadata.json` of a document: the attributes Retrieve hands back."""
    attributes = {"doc_id": doc_id, "title": title, "category": category}
    return json.dumps({"metadataAttributes": attributes}, ensure_ascii=False).encode("utf-8")


def target_of(ops: OpsContext) -> dict[str, str]:
    value = ops.output(OUTPUT)
    keys = ("knowledge_base_id", "data_source_id", "bucket", "prefix")
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in keys):
        raise TargetError(
            f"no `{OUTPUT}` Terraform output with {', '.join(keys)}: give --env ENV of an environment "
            "deployed with the knowledge module (aicc-ops deploy apply --env ENV)"
        )
    return {k: str(value[k]) for k in keys}


def _digest_of(s3: Any, bucket: str, key: str) -> str | None:
    """The content digest a previous sync stored with the object (None: an object put otherwise)."""
    metadata = s3.head_object(Bucket=bucket, Key=key).get("Metadata") or {}
    return metadata.get(SHA)


def sync(
    ops: OpsContext,
    store: KbStore,
    *,
    wait: bool = False,
    timeout_s: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncReport:
    """Deliver the published version to the environment's data source and start its ingestion."""
    target = target_of(ops)
    published = store.published()
    if published is None:
        raise SyncError("no published version: kb ingest, kb approve and kb publish first")
    bucket, prefix = target["bucket"], target["prefix"]
    report = SyncReport(published.version, bucket, prefix)
    s3 = ops.client("s3")
    there = {
        obj["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for obj in page.get("Contents", [])
    }
    wanted: set[str] = set()
    for doc_id, text in store.sources(published.version).items():
        entry = published.documents[doc_id]
        key = f"{prefix}{doc_id}.md"
        files = (
            (key, text.encode("utf-8"), "text/markdown"),
            (f"{key}.metadata.json", metadata(doc_id, entry.title, entry.category), "application/json"),
        )
        changed = False
        for name, body, content_type in files:
            wanted.add(name)
            digest = hashlib.sha256(body).hexdigest()
            if (
                name in there
                and s3.head_object(Bucket=bucket, Key=name).get("Metadata", {}).get(SHA) == digest
            ):
                continue  # the same bytes: a new object version would make Bedrock read it again
            s3.put_object(
                Bucket=bucket, Key=name, Body=body, ContentType=content_type, Metadata={SHA: digest}
            )
            changed = True
        if changed:
            report.uploaded.append(doc_id)
    stale = sorted(there - wanted)
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
        batch = stale[start : start + 1000]
        answer = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
        )
        if answer.get("Errors"):
            failed = ", ".join(f"{e.get('Key')} ({e.get('Code')})" for e in answer["Errors"][:5])
            raise SyncError(f"could not delete from s3://{bucket}: {failed}; run kb sync again")
    report.deleted = stale
    if not (report.uploaded or report.deleted):
        return report  # idempotent: the data source holds this version already, no ingestion job
    agent = ops.client("bedrock-agent")
    job = agent.start_ingestion_job(
        knowledgeBaseId=target["knowledge_base_id"],
        dataSourceId=target["data_source_id"],
        description=f"aicc-ops kb sync: published version {published.version}",
    )["ingestionJob"]
    report.job_id, report.job_status = job["ingestionJobId"], job["status"]
    deadline = time.monotonic() + timeout_s
    while wait and report.job_status not in DONE:
        if time.monotonic() > deadline:
            raise SyncError(f"ingestion job {report.job_id} still {report.job_status} after {timeout_s:g} s")
        sleep(POLL_S)
        job = agent.get_ingestion_job(
            knowledgeBaseId=target["knowledge_base_id"],
            dataSourceId=target["data_source_id"],
            ingestionJobId=report.job_id,
        )["ingestionJob"]
        report.job_status = job["status"]
        report.statistics = dict(job.get("statistics") or {})
        if report.job_status in ("FAILED", "STOPPED"):
            reasons = "; ".join(job.get("failureReasons") or []) or "no reason given"
            raise SyncError(f"ingestion job {report.job_id} {report.job_status}: {reasons}")
    return report
