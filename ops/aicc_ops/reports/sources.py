"""Where a report's data comes from: the contact records in S3 and the call-log table.

Firehose (terraform/modules/connect) writes the records GZIP-compressed, one JSON object a line,
under contact-records/year=YYYY/month=MM/day=DD/ by delivery time in Asia/Seoul. A record arrives
minutes after its contact ends (buffering up to 300 s): a period is read from its first day to the
day after its last, and the records then filtered by their own InitiationTimestamp. The local
stack keeps its records in the same layout in a bucket of its moto server (`aicc-ops report seed`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from aicc.adapters.dynamodb import timestamp
from aicc.clock import parse_instant, seoul
from aicc.domain.report import CallLogEntry, ContactRecord, Period, call_log_entries, latest_records

from ..admin.context import OpsContext, TargetError, scan_all

PREFIX = "contact-records"
# The local stack's contact-records bucket (on its moto server); in AWS the Terraform output
# contact_records_bucket names it.
LOCAL_BUCKET = "aicc-local-contact-records"


def day_prefix(day: date) -> str:
    return f"{PREFIX}/year={day:%Y}/month={day:%m}/day={day:%d}/"


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


def parse_lines(body: bytes) -> Iterator[dict[str, Any]]:
    """The records of one delivered object (GZIP or plain JSON lines; a blank line is skipped)."""
    text = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    for line in text.decode("utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def read_records(s3: Any, bucket: str, periods: Iterable[Period]) -> list[ContactRecord]:
    """The contact records delivered while `periods` ran (and the day after), newest copy of each."""
    days: set[date] = set()
    for period in periods:
        days.update(period.days())
        days.add(period.end.date())  # delivered after midnight
    ctrs: list[dict[str, Any]] = []
    paginator = s3.get_paginator("list_objects_v2")
    for day in sorted(days):
        for page in paginator.paginate(Bucket=bucket, Prefix=day_prefix(day)):
            for obj in page.get("Contents", []):
                ctrs.extend(parse_lines(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()))
    return latest_records(ctrs)


def read_call_logs(table: Any, start: Period, end: Period) -> list[CallLogEntry]:
    """Call-log items created from `start`'s beginning to `end`'s end (the table has no time index:
    a filtered scan; created_at is UTC ISO text, which sorts as time)."""
    items = scan_all(
        table,
        FilterExpression="created_at BETWEEN :a AND :b",
        ExpressionAttributeValues={":a": timestamp(start.start), ":b": timestamp(end.end)},
    )
    return call_log_entries(items)


def load(ops: OpsContext, period: Period) -> tuple[list[ContactRecord], list[CallLogEntry]]:
    """The records and call logs of the period and the one before it (the trends)."""
    previous = period.previous()
    s3 = ops.client("s3")
    records = read_records(s3, records_bucket(ops), (previous, period))
    return records, read_call_logs(ops.table("call_logs"), previous, period)


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
