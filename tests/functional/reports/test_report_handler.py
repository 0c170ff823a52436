"""The scheduled report handler with moto (S3, DynamoDB, Secrets Manager) and the local Slack
receiver: the Markdown and the HTML (with its charts) the CLI renders land in the reports bucket,
one Slack summary a report."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from report_data import CFG

from aicc.adapters import aws as aws_clients
from aicc.adapters import reports
from aicc.adapters import slack as slack_adapter
from aicc.adapters.dynamodb import table_name
from aicc.domain.report import build_report, call_log_entries, latest_records
from aicc.domain.report_render import render
from aicc.handlers import report as report_handler
from aicc_ops.local.slack_receiver import SlackReceiver
from aicc_ops.reports import sources, synthetic

TOKEN = "xoxb-test-token"
MONDAY_9AM_KST = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # the rule's time: 00:00 UTC


@pytest.fixture
def receiver() -> Iterator[SlackReceiver]:
    with SlackReceiver(TOKEN) as r:
        yield r


@pytest.fixture
def stack(aws: Mapping[str, str], receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Two weeks of synthetic traffic in moto (records in S3, call logs in DynamoDB), the buckets
    and the Slack token named as Terraform names them."""
    aws_clients.reset()
    s3 = boto3.client("s3")
    where = {"CreateBucketConfiguration": {"LocationConstraint": "ap-northeast-2"}}
    for bucket in ("records", "reports"):
        s3.create_bucket(Bucket=bucket, **where)
    days = [date(2026, 11, 29) - timedelta(days=i) for i in range(14)]
    traffic = synthetic.generate(CFG, days, "arn:aws:connect:ap-northeast-2:123456789012:instance/i")
    sources.write_records(s3, "records", traffic.records, "synthetic.json.gz")
    table = boto3.resource("dynamodb").Table(aws[CFG.tables["call_logs"].env])
    with table.batch_writer() as batch:
        for item in traffic.call_logs:
            batch.put_item(Item=item)
    boto3.client("secretsmanager").create_secret(Name="aicc-test/slack", SecretString=TOKEN)
    monkeypatch.setenv(slack_adapter.TOKEN_SECRET_ENV, "aicc-test/slack")
    monkeypatch.setenv(slack_adapter.BASE_URL_ENV, receiver.base_url)
    monkeypatch.setenv(reports.RECORDS_BUCKET_ENV, "records")
    monkeypatch.setenv(reports.REPORTS_BUCKET_ENV, "reports")
    slack_adapter.forget_token()
    return {"s3": s3, "traffic": traffic}


def test_due_reports_by_the_seoul_day_of_the_run() -> None:
    assert [p.kind for p in reports.due(date(2026, 11, 25))] == ["daily"]  # a Wednesday
    assert [(p.kind, p.label) for p in reports.due(date(2026, 11, 30))] == [
        ("daily", "2026-11-29"),
        ("weekly", "2026-11-23 – 2026-11-29"),
    ]
    assert [(p.kind, p.label) for p in reports.due(date(2026, 12, 1))] == [
        ("daily", "2026-11-30"),
        ("monthly", "2026-11"),
    ]


def test_monday_run_writes_the_cli_markdown_and_html_and_posts_one_summary_each(
    stack: dict[str, Any], receiver: SlackReceiver, lambda_context: Any
) -> None:
    event = {
        "id": "e-1",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": "2026-11-30T00:00:00Z",
    }
    answer = report_handler.handler(event, lambda_context)
    assert [r["kind"] for r in answer["reports"]] == ["daily", "weekly"]

    posted = receiver.taken()
    assert len(posted) == 2
    traffic = stack["traffic"]
    for delivered, message in zip(answer["reports"], posted, strict=True):
        period = reports.due(date(2026, 11, 30))[0 if delivered["kind"] == "daily" else 1]
        expected = build_report(
            CFG, period, latest_records(traffic.records), call_log_entries(traffic.call_logs), MONDAY_9AM_KST
        )
        first_day = period.start.date().isoformat()
        assert delivered["keys"] == [f"reports/{period.kind}/{first_day}.{ext}" for ext in ("md", "html")]
        for key, fmt, content_type in zip(
            delivered["keys"], ("md", "html"), ("text/markdown", "text/html"), strict=True
        ):
            obj = stack["s3"].get_object(Bucket="reports", Key=key)
            assert obj["Body"].read().decode("utf-8") == render(expected, fmt)  # the CLI's, byte for byte
            assert obj["ContentType"] == f"{content_type}; charset=utf-8"
        m = expected.current
        assert m.volume > 0 and delivered["volume"] == m.volume
        blocks = str(message["blocks"])
        for figure in (f"{m.volume:,}", f"{m.answered:,}", f"{m.abandoned:,}"):
            assert figure in blocks
        for q in m.queues:
            assert q.name in blocks
        for key in delivered["keys"]:
            assert f"s3://reports/{key}" in blocks
        assert message["channel"] == CFG.report_slack_channel


def test_a_run_again_posts_no_summary_twice(
    stack: dict[str, Any], receiver: SlackReceiver, lambda_context: Any
) -> None:
    """Lambda may deliver a scheduled event twice (or a retry runs it again): each period's summary
    is claimed once; the reports are written again, the summaries not."""
    event = {
        "id": "e-1",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": "2026-11-30T00:00:00Z",
    }
    first = report_handler.handler(event, lambda_context)
    again = report_handler.handler(event, lambda_context)
    assert [r["slack"] for r in first["reports"]] == [True, True]
    assert [r["slack"] for r in again["reports"]] == [False, False]
    assert [r["keys"] for r in again["reports"]] == [r["keys"] for r in first["reports"]]
    assert len(receiver.taken()) == 2


def test_a_monday_the_first_reads_each_day_once_by_query(stack: dict[str, Any]) -> None:
    """Three reports (daily, weekly, monthly) and their previous periods: every call-log day is one
    Query of the created-index (no Scan of the table), every S3 day listed once."""
    calls: list[tuple[str, str]] = []

    def seen(params: dict[str, Any], model: Any, **_: Any) -> None:
        day = params.get("Prefix") or str(params.get("ExpressionAttributeValues", ""))
        calls.append((model.name, day))

    for client in (aws_clients.s3(), aws_clients.job_dynamodb()):
        client.meta.events.register("provide-client-params.*.*", seen)
    run = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday, 09:00 KST
    assert [d.period.kind for d in reports.ReportJob().run(run)] == ["daily", "weekly", "monthly"]

    ops = {op for op, _ in calls}
    assert "Scan" not in ops
    queried = [day for op, day in calls if op == "Query"]
    listed = [day for op, day in calls if op == "ListObjectsV2"]
    assert len(queried) == len(set(queried)) == (date(2026, 6, 1) - date(2026, 4, 1)).days
    assert len(listed) == len(set(listed)) == (date(2026, 6, 1) - date(2026, 4, 1)).days + 1


def test_call_logs_are_read_by_their_seoul_day(stack: dict[str, Any]) -> None:
    """A call logged at 23:30 UTC belongs to the next Korean day: the created-index keys it so."""
    from aicc.adapters.call_logs import CallLogRepository
    from aicc.adapters.dynamodb import table_name
    from aicc.domain.call_log import CallLogUpdate

    at = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 2026-11-25 08:30 KST
    CallLogRepository(boto3.client("dynamodb")).apply(
        CallLogUpdate("c-late", "transfer", at, {}, (), int(at.timestamp()) + 86400)
    )
    items = reports.read_call_logs(boto3.client("dynamodb"), table_name("call_logs"), date(2026, 11, 25))
    assert "c-late" in {i["contact_id"] for i in items}


def test_the_cli_html_is_the_jobs_byte_for_byte(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lambda_context: Any
) -> None:
    """`aicc-ops report weekly --format html --out FILE` on the data the job read, at the job's
    time: the same page, charts included (one renderer)."""
    from aicc_ops.cli import report as cli

    event = {
        "id": "e-1",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": "2026-11-30T00:00:00Z",
    }
    weekly = next(
        r for r in report_handler.handler(event, lambda_context)["reports"] if r["kind"] == "weekly"
    )
    job_html = stack["s3"].get_object(Bucket="reports", Key=weekly["keys"][1])["Body"].read()

    class AtTheRun(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return MONDAY_9AM_KST

    read = reports.Sources(aws_clients.s3(), "records", aws_clients.job_dynamodb(), table_name("call_logs"))
    monkeypatch.setattr(cli, "datetime", AtTheRun)
    monkeypatch.setattr(sources, "load", lambda ops, period: read.load(period))
    ops = SimpleNamespace(target=SimpleNamespace(local=False, env="test"), config=CFG)
    out = tmp_path / "week.html"
    cli.do_report(ops, "weekly", date(2026, 11, 29), "html", out, slack=False)  # type: ignore[arg-type]
    assert out.read_bytes() == job_html
    assert job_html.count(b"<svg") == 5


@pytest.mark.parametrize(
    ("after_conflict", "claimed"),
    [("PreconditionFailed", False), (None, True)],  # the other write created it; it did not
)
def test_a_409_conflict_is_retried_not_taken_for_a_claim(
    stack: dict[str, Any], after_conflict: str | None, claimed: bool
) -> None:
    """S3 answers an If-None-Match write with 409 while a conflicting write is under way: retry;
    only a 412 says the summary was claimed."""
    from botocore.stub import Stubber

    s3 = boto3.client("s3")
    period = reports.due(date(2026, 11, 25))[0]
    expected = {"Bucket": "reports", "Key": reports.slack_claim_key(period), "Body": b"", "IfNoneMatch": "*"}
    waits: list[float] = []
    with Stubber(s3) as stub:
        stub.add_client_error("put_object", "ConditionalRequestConflict", http_status_code=409)
        if after_conflict:
            stub.add_client_error(
                "put_object", after_conflict, http_status_code=412, expected_params=expected
            )
        else:
            stub.add_response("put_object", {}, expected)
        assert reports.claim_summary(s3, "reports", period, waits.append) is claimed
        stub.assert_no_pending_responses()
    assert waits == list(reports.CONFLICT_BACKOFF[:1])


def test_a_409_conflict_that_persists_is_raised(stack: dict[str, Any]) -> None:
    from botocore.exceptions import ClientError
    from botocore.stub import Stubber

    s3 = boto3.client("s3")
    waits: list[float] = []
    with Stubber(s3) as stub:
        for _ in range(len(reports.CONFLICT_BACKOFF) + 1):
            stub.add_client_error("put_object", "ConditionalRequestConflict", http_status_code=409)
        with pytest.raises(ClientError, match="ConditionalRequestConflict"):
            reports.claim_summary(s3, "reports", reports.due(date(2026, 11, 25))[0], waits.append)
        stub.assert_no_pending_responses()
    assert waits == list(reports.CONFLICT_BACKOFF)
