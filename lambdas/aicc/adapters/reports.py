"""The operating reports' data and delivery: contact records from S3, call-log items from
DynamoDB (read by `aicc-ops report` and the scheduled report handler alike), and the scheduled
job that writes each due report to the reports bucket and posts its summary to Slack.

Firehose (terraform/modules/connect) writes the records GZIP-compressed, one JSON object a line,
under contact-records/year=YYYY/month=MM/day=DD/ by delivery time in Asia/Seoul. A record arrives
minutes after its contact ends (buffering up to 300 s): a period is read from its first day to the
day after its last, and the records then filtered by their own InitiationTimestamp.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from aicc.adapters import aws
from aicc.adapters.dynamodb import from_item, table_name, timestamp
from aicc.adapters.slack import SlackPoster
from aicc.clock import seoul
from aicc.domain.report import (
    DAILY,
    MONTHLY,
    WEEKLY,
    CallLogEntry,
    ContactRecord,
    Period,
    Report,
    build_report,
    call_log_entries,
    latest_records,
    period_for,
)
from aicc.domain.report_render import render, slack_message
from aicc.settings import Config, config

PREFIX = "contact-records"
REPORTS_PREFIX = "reports"
RECORDS_BUCKET_ENV = "CONTACT_RECORDS_BUCKET"
REPORTS_BUCKET_ENV = "REPORTS_BUCKET"

logger = Logger(child=True)


def day_prefix(day: date) -> str:
    return f"{PREFIX}/year={day:%Y}/month={day:%m}/day={day:%d}/"


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


def read_call_logs(dynamodb: Any, table: str, start: Period, end: Period) -> list[CallLogEntry]:
    """Call-log items created from `start`'s beginning to `end`'s end (the table has no time index:
    a filtered scan, page by page; created_at is UTC ISO text, which sorts as time)."""
    params: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "created_at BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":a": {"S": timestamp(start.start)}, ":b": {"S": timestamp(end.end)}},
    }
    items: list[dict[str, Any]] = []
    while True:
        page = dynamodb.scan(**params)
        items += [from_item(i) for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return call_log_entries(items)
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def load(
    s3: Any, bucket: str, dynamodb: Any, table: str, period: Period
) -> tuple[list[ContactRecord], list[CallLogEntry]]:
    """The records and call logs of the period and the one before it (the trends)."""
    previous = period.previous()
    return read_records(s3, bucket, (previous, period)), read_call_logs(dynamodb, table, previous, period)


def report_key(period: Period) -> str:
    """Where a period's Markdown report goes in the reports bucket: one object per period, so a
    run again (a retry) overwrites its own report (the bucket keeps the old version)."""
    return f"{REPORTS_PREFIX}/{period.kind}/{period.start.date().isoformat()}.md"


def due(run_day: date) -> list[Period]:
    """The periods that ended just before `run_day` (Asia/Seoul): yesterday, last week on a Monday,
    last month on the 1st."""
    yesterday = run_day - timedelta(days=1)
    periods = [period_for(DAILY, yesterday)]
    if run_day.weekday() == 0:
        periods.append(period_for(WEEKLY, yesterday))
    if run_day.day == 1:
        periods.append(period_for(MONTHLY, yesterday))
    return periods


@dataclass(frozen=True)
class Delivered:
    period: Period
    key: str
    volume: int
    slack: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.period.kind,
            "period": self.period.label,
            "key": self.key,
            "volume": self.volume,
            "slack": self.slack,
        }


class ReportJob:
    """The scheduled run: each due report computed (aicc.domain.report), rendered as Markdown
    (aicc.domain.report_render, the CLI's text), written to S3 and summarised in Slack."""

    def __init__(self, slack: SlackPoster | None = None, cfg: Config | None = None) -> None:
        self.cfg = cfg or config()
        self.slack = slack or SlackPoster(self.cfg.report_slack_channel)
        self.records_bucket = os.environ.get(RECORDS_BUCKET_ENV, "").strip()
        self.reports_bucket = os.environ.get(REPORTS_BUCKET_ENV, "").strip()
        if not self.records_bucket or not self.reports_bucket:
            raise RuntimeError(f"{RECORDS_BUCKET_ENV} and {REPORTS_BUCKET_ENV} must name the buckets")

    def run(self, now: datetime) -> list[Delivered]:
        return [self.deliver(period, now) for period in due(now.astimezone(seoul()).date())]

    def deliver(self, period: Period, now: datetime) -> Delivered:
        s3 = aws.s3()
        records, logs = load(s3, self.records_bucket, aws.job_dynamodb(), table_name("call_logs"), period)
        report = build_report(self.cfg, period, records, logs, now)
        key = report_key(period)
        s3.put_object(
            Bucket=self.reports_bucket,
            Key=key,
            Body=render(report, "md").encode("utf-8"),
            ContentType="text/markdown; charset=utf-8",
        )
        return Delivered(
            period, key, report.current.volume, self.post(report, f"s3://{self.reports_bucket}/{key}")
        )

    def post(self, report: Report, where: str) -> bool:
        """The summary to Slack; False when Slack is not configured or refuses it (logged: the
        report is in S3 either way)."""
        if not self.slack.configured:
            return False
        text, blocks = slack_message(report, where)
        try:
            self.slack.post(text, blocks)
        except Exception:
            logger.exception("slack message failed", extra={"period": report.period.label})
            return False
        return True
