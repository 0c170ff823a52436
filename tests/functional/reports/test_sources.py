"""Contact records read from S3 as Firehose lays them out (moto): the period's days and the day after."""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from typing import Any

import boto3
from report_data import GENERAL, WED, ctr

from aicc.domain.report import period_for
from aicc_ops.reports import sources

BUCKET = "aicc-test-contact-records"


def test_records_of_the_period_are_read_from_its_days_and_the_day_after(moto_account: Any) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    late = ctr("late", WED + timedelta(hours=14, minutes=58), GENERAL)  # 23:58 KST, delivered after midnight
    late["DisconnectTimestamp"] = late["InitiationTimestamp"]
    inside = ctr("inside", WED, GENERAL)
    inside["DisconnectTimestamp"] = inside["InitiationTimestamp"]
    assert sources.write_records(s3, BUCKET, [late, inside], "a.json.gz") == 2
    # a second delivery of one contact, plain JSON lines, and a record two days later (not read)
    newer = {**inside, "LastUpdateTimestamp": "2030-01-01T00:00:00Z"}
    s3.put_object(
        Bucket=BUCKET, Key=sources.day_prefix(date(2026, 11, 25)) + "b", Body=json.dumps(newer) + "\n\n"
    )
    far = gzip.compress(json.dumps(ctr("far", WED + timedelta(days=2))).encode())
    s3.put_object(Bucket=BUCKET, Key=sources.day_prefix(date(2026, 11, 27)) + "c", Body=far)

    records = sources.read_records(s3, BUCKET, [period_for("daily", date(2026, 11, 25))])
    assert sorted(r.contact_id for r in records) == ["inside", "late"]
    assert next(r for r in records if r.contact_id == "inside").last_update.year == 2030
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=sources.day_prefix(date(2026, 11, 26)))["KeyCount"] == 1
