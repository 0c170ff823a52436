"""Where `aicc-ops report` finds a report's data: the contact records in S3 and the call-log table,
read by aicc.adapters.reports (the scheduled report handler's reader too). The local stack keeps
its records in Firehose's layout in a bucket of its moto server (`aicc-ops report seed`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from aicc.adapters import reports
from aicc.adapters.reports import day_prefix, parse_lines, read_records
from aicc.clock import parse_instant, seoul
from aicc.domain.report import CallLogEntry, ContactRecord, Period

from ..admin.context import OpsContext, TargetError

__all__ = [
    "LOCAL_BUCKET",
    "day_prefix",
    "load",
    "parse_lines",
    "read_records",
    "records_bucket",
    "write_records",
]

# The local stack's contact-records bucket (on its moto server); in AWS the Terraform output
# contact_records_bucket names it.
LOCAL_BUCKET = "aicc-local-contact-records"


def records_bucket(ops: OpsContext) -> str:
    if ops.target.local:
        return LOCAL_BUCKET
    bucket = ops.output("contact_records_bucket")
    if not bucket:
        raise TargetError(
            "which contact-records bucket? give --env ENV (its Terraform output contact_records_bucket) "
            "or --local"
        )
    return str(bucket)


def load(ops: OpsContext, period: Period) -> tuple[list[ContactRecord], list[CallLogEntry]]:
    """The records and call logs of the period and the one before it (the trends)."""
    # A plain client: a Table resource's own client (meta.client) serializes attribute values again.
    table = ops.table("call_logs").name
    return reports.load(ops.client("s3"), records_bucket(ops), ops.client("dynamodb"), table, period)


def write_records(s3: Any, bucket: str, ctrs: Iterable[Mapping[str, Any]], name: str) -> int:
    """Contact records into `bucket` as Firehose lays them out: one GZIP object per delivery day
    (`name` the object's file name); returns the objects written."""
    by_day: dict[date, list[str]] = {}
    for ctr in ctrs:
        ended = parse_instant(ctr.get("DisconnectTimestamp")) or parse_instant(ctr["InitiationTimestamp"])
        assert ended is not None
        delivered = (ended + timedelta(minutes=5)).astimezone(seoul()).date()
        by_day.setdefault(delivered, []).append(json.dumps(ctr, ensure_ascii=False))
    for day, lines in by_day.items():
        body = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)
        s3.put_object(Bucket=bucket, Key=day_prefix(day) + name, Body=body)
    return len(by_day)
