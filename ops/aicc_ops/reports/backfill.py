"""`aicc-ops report backfill`: `created_day` on the call-log items written before it existed.

The reports read the call log a day at a time from its created-index (hash key `created_day`,
range key `created_at`; tables.yaml), so an item without `created_day` is in no report. This sets
it from the item's own `created_at` with the writers' helper (aicc.adapters.dynamodb.created_day),
once: a Scan of the key and the two attributes, and an UpdateItem per item that lacks the day,
conditional on the item still existing and still lacking it, so that a run again (or next to the
writers, which set the day with if_not_exists) changes nothing.

An old item the writers updated after the upgrade got the day of that later write (if_not_exists
takes the write's time), not of its `created_at`: the report, which keeps an item only when its
`created_at` is in the period, then counts it on neither day. Such a day is corrected, conditional
on the item still having the wrong day the Scan saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import condition_failed, created_day, from_item, to_item
from aicc.clock import parse_instant
from aicc.settings import config

DAY, CREATED = "created_day", "created_at"


@dataclass
class BackfillCounts:
    scanned: int = 0
    updated: int = 0  # with --dry-run: would be updated
    corrected: int = 0  # had another day than its created_at's (with --dry-run: would be corrected)
    already_set: int = 0  # had created_day (or got it, or was deleted, between the Scan and the write)
    no_created_at: int = 0  # left alone: no creation time to take the day from

    def summary(self, dry_run: bool) -> str:
        verb = "would set" if dry_run else "set"
        return (
            f"scanned {self.scanned} call-log item(s): {verb} created_day on {self.updated}, "
            f"{'would correct' if dry_run else 'corrected'} it on {self.corrected}, "
            f"{self.already_set} already had it, {self.no_created_at} without created_at left alone"
        )


def backfill_created_day(
    dynamodb: Any, table: str, *, dry_run: bool = False, page_size: int = 0
) -> BackfillCounts:
    """Set `created_day` where it is missing or not its `created_at`'s day, on every item of the
    call-log `table` (a low-level DynamoDB client: give it adaptive retries, a Scan of a large
    table may be throttled).
    `page_size`: items per Scan page (0: DynamoDB's 1 MB pages)."""
    counts, key = BackfillCounts(), config().tables["call_logs"].hash_key
    names = {"#k": key, "#c": CREATED, "#d": DAY}
    scan: dict[str, Any] = {
        "TableName": table,
        "ProjectionExpression": "#k, #c, #d",
        "ExpressionAttributeNames": names,
    }
    if page_size:
        scan["PaginationConfig"] = {"PageSize": page_size}
    for page in dynamodb.get_paginator("scan").paginate(**scan):
        for raw in page.get("Items", []):
            item = from_item(raw)
            counts.scanned += 1
            at, seen = parse_instant(item.get(CREATED)), item.get(DAY)
            day = created_day(at) if at else None
            if at is None and not seen:
                counts.no_created_at += 1
            elif day is None or seen == day:
                counts.already_set += 1
            elif not (dry_run or _set_day(dynamodb, table, {key: item[key]}, day, seen)):
                counts.already_set += 1  # changed or deleted since the Scan
            elif seen:
                counts.corrected += 1
            else:
                counts.updated += 1
    return counts


def _set_day(dynamodb: Any, table: str, key: dict[str, Any], day: str, seen: str | None = None) -> bool:
    """False when the item's day changed since the Scan saw it (absent, or `seen`), or the item is
    gone (never created again here)."""
    values = {":d": day} | ({":seen": seen} if seen else {})
    try:
        dynamodb.update_item(
            TableName=table,
            Key=to_item(key),
            UpdateExpression="SET #d = :d",
            ConditionExpression="attribute_exists(#k) AND "
            + ("#d = :seen" if seen else "attribute_not_exists(#d)"),
            ExpressionAttributeNames={"#k": next(iter(key)), "#d": DAY},
            ExpressionAttributeValues=to_item(values),
        )
    except ClientError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
