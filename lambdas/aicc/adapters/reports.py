"""The operating reports' data and delivery: contact records from S3, call-log items from
DynamoDB (read by `aicc-ops report` and the scheduled report handler alike), and the scheduled
job that writes each due report to the reports bucket (Markdown and HTML with its charts) and posts
its summary to Slack.

Firehose (terraform/modules/connect) writes the records GZIP-compressed, one JSON object a line,
under contact-records/year=YYYY/month=MM/day=DD/ by delivery time in Asia/Seoul. A record arrives
minutes after its contact ends (buffering up to 300 s): a period is read from its first day to the
day after its last, and the records then filtered by their own InitiationTimestamp.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from aicc.adapters import aws
from aicc.adapters.dynamodb import day_key, from_item, index_on, table_name
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
# What the job writes of each report (aicc.domain.report_render's formats): extension, Content-Type.
WRITTEN = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}

logger = Logger(child=True)
# An If-None-Match write's refusals (S3 conditional writes): 412, the key exists; 409, a
# conflicting write to it was under way, which AWS says to retry (then the key exists, or not).
_CLAIMED, _CONFLICT = "PreconditionFailed", "ConditionalRequestConflict"
CONFLICT_BACKOFF = (0.2, 1.0)  # seconds before each retry of a 409


def day_prefix(day: date) -> str:
    return f"{PREFIX}/year={day:%Y}/month={day:%m}/day={day:%d}/"


def parse_lines(body: bytes) -> Iterator[dict[str, Any]]:
    """The records of one delivered object (GZIP or plain JSON lines; a blank line is skipped)."""
    text = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    for line in text.decode("utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


class Sources:
    """A run's contact records and call logs, read a day at a time and each day once, however many
    reports share it (a Monday the 1st reads its month, week and day)."""

    def __init__(self, s3: Any, bucket: str, dynamodb: Any = None, table: str = "") -> None:
        self.s3, self.bucket, self.dynamodb, self.table = s3, bucket, dynamodb, table
        self._ctrs: dict[date, list[dict[str, Any]]] = {}
        self._logs: dict[date, list[dict[str, Any]]] = {}

    def records(self, periods: Iterable[Period]) -> list[ContactRecord]:
        """The contact records delivered while `periods` ran (and the day after), newest copy of each."""
        days: set[date] = set()
        for period in periods:
            days.update(period.days())
            days.add(period.end.date())  # delivered after midnight
        return latest_records(ctr for day in sorted(days) for ctr in self._delivered(day))

    def call_logs(self, periods: Iterable[Period]) -> list[CallLogEntry]:
        """Call-log items created while `periods` ran (Asia/Seoul days)."""
        days = sorted({day for period in periods for day in period.days()})
        return call_log_entries(item for day in days for item in self._created(day))

    def load(self, period: Period) -> tuple[list[ContactRecord], list[CallLogEntry]]:
        """The records and call logs of the period and the one before it (the trends)."""
        both = (period.previous(), period)
        return self.records(both), self.call_logs(both)

    def _delivered(self, day: date) -> list[dict[str, Any]]:
        if day not in self._ctrs:
            ctrs: list[dict[str, Any]] = []
            for page in self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=day_prefix(day)
            ):
                for obj in page.get("Contents", []):
                    body = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                    ctrs.extend(parse_lines(body))
            self._ctrs[day] = ctrs
        return self._ctrs[day]

    def _created(self, day: date) -> list[dict[str, Any]]:
        if day not in self._logs:
            self._logs[day] = read_call_logs(self.dynamodb, self.table, day)
        return self._logs[day]


def read_records(s3: Any, bucket: str, periods: Iterable[Period]) -> list[ContactRecord]:
    return Sources(s3, bucket).records(periods)


def read_call_logs(dynamodb: Any, table: str, day: date) -> list[dict[str, Any]]:
    """The call-log items created on `day` (Asia/Seoul): a Query of the created-index, page by page."""
    params: dict[str, Any] = {
        "TableName": table,
        "IndexName": index_on("call_logs", "created_day"),
        "KeyConditionExpression": "#d = :d",
        "ExpressionAttributeNames": {"#d": "created_day"},
        "ExpressionAttributeValues": {":d": {"S": day_key(day)}},
    }
    items: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(**params)
        items += [from_item(i) for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def load(
    s3: Any, bucket: str, dynamodb: Any, table: str, period: Period
) -> tuple[list[ContactRecord], list[CallLogEntry]]:
    """The records and call logs of the period and the one before it (the trends)."""
    return Sources(s3, bucket, dynamodb, table).load(period)


def report_key(period: Period, ext: str) -> str:
    """Where a period's report in one format goes in the reports bucket: one object per period and
    format, so a run again (a retry) overwrites its own report (the bucket keeps the old version)."""
    return f"{REPORTS_PREFIX}/{period.kind}/{period.start.date().isoformat()}.{ext}"


def slack_claim_key(period: Period) -> str:
    """The object whose creation claims the period's Slack summary (beside its report)."""
    return report_key(period, "slack")


def claim_summary(s3: Any, bucket: str, period: Period, sleep: Callable[[float], None] = time.sleep) -> bool:
    """True for the one caller that may post the period's Slack summary: it created the claim
    object, only if absent (S3 conditional write); False when an earlier run or `aicc-ops report
    --slack` claimed it. A 409 is retried after CONFLICT_BACKOFF, then raised."""
    waits = list(CONFLICT_BACKOFF)
    while True:
        try:
            s3.put_object(Bucket=bucket, Key=slack_claim_key(period), Body=b"", IfNoneMatch="*")
            return True
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == _CLAIMED:
                return False
            if code != _CONFLICT or not waits:
                raise
        sleep(waits.pop(0))


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


class Delivered(NamedTuple):  # not a dataclass: its generated methods cost at cold start
    period: Period
    keys: tuple[str, ...]  # WRITTEN's order: the Markdown, then the HTML
    volume: int
    slack: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.period.kind,
            "period": self.period.label,
            "keys": list(self.keys),
            "volume": self.volume,
            "slack": self.slack,
        }


class ReportJob:
    """The scheduled run: each due report computed (aicc.domain.report), rendered as Markdown and
    as HTML with its charts (aicc.domain.report_render, the CLI's bytes), written to S3 and
    summarised in Slack."""

    def __init__(self, slack: SlackPoster | None = None, cfg: Config | None = None) -> None:
        self.cfg = cfg or config()
        self.slack = slack or SlackPoster(self.cfg.report_slack_channel)
        self.records_bucket = os.environ.get(RECORDS_BUCKET_ENV, "").strip()
        self.reports_bucket = os.environ.get(REPORTS_BUCKET_ENV, "").strip()
        if not self.records_bucket or not self.reports_bucket:
            raise RuntimeError(f"{RECORDS_BUCKET_ENV} and {REPORTS_BUCKET_ENV} must name the buckets")

    def run(self, now: datetime) -> list[Delivered]:
        sources = Sources(aws.s3(), self.records_bucket, aws.job_dynamodb(), table_name("call_logs"))
        return [self.deliver(sources, period, now) for period in due(now.astimezone(seoul()).date())]

    def deliver(self, sources: Sources, period: Period, now: datetime) -> Delivered:
        s3 = sources.s3
        records, logs = sources.load(period)
        report = build_report(self.cfg, period, records, logs, now)
        keys = tuple(report_key(period, fmt) for fmt in WRITTEN)
        for key, (fmt, content_type) in zip(keys, WRITTEN.items(), strict=True):
            # SSE-KMS by the bucket's default encryption (its key: the role's kms:GenerateDataKey).
            s3.put_object(
                Bucket=self.reports_bucket,
                Key=key,
                Body=render(report, fmt).encode("utf-8"),
                ContentType=content_type,
            )
        where = ", ".join(f"s3://{self.reports_bucket}/{key}" for key in keys)
        return Delivered(period, keys, report.current.volume, self.post(report, where))

    def post(self, report: Report, where: str) -> bool:
        """The summary to Slack, once per period; False when Slack is not configured, an earlier
        run claimed it, or Slack refuses it (logged: the report is in S3 either way)."""
        if not self.slack.configured or not self.claim(report.period):
            return False
        text, blocks = slack_message(report, where)
        try:
            self.slack.post(text, blocks)
        except Exception:
            logger.exception("slack message failed", extra={"period": report.period.label})
            return False
        return True

    def claim(self, period: Period) -> bool:
        """True for the one run that may post the period's summary: an object created only if absent
        (S3 conditional write). Lambda may deliver a scheduled event twice, and a claimed summary
        Slack then refused stays unposted (at most once; `aicc-ops report --slack --force` posts it
        by hand)."""
        if claim_summary(aws.s3(), self.reports_bucket, period):
            return True
        logger.info("summary already posted", extra={"period": period.label, "kind": period.kind})
        return False
