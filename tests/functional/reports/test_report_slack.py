"""`report --slack` against an environment: the bot token from the secret the Terraform output
names (moto), posted through slack-sdk (to the local receiver via AICC_SLACK_BASE_URL); Slack's
refusal and a missing secret are operator errors that say what is wrong."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any

import boto3
import click
import pytest
from report_data import CFG, LOGS, RECORDS, WED

from aicc.adapters import aws as aws_clients
from aicc.adapters import reports
from aicc.adapters import slack as slack_adapter
from aicc.domain.report import Report, build_report, call_log_entries, latest_records, period_for
from aicc_ops.cli.report import post_summary
from aicc_ops.local.slack_receiver import SlackReceiver

TOKEN = "xoxb-env-token"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackReceiver]:
    with SlackReceiver(TOKEN) as r:
        monkeypatch.setenv(slack_adapter.BASE_URL_ENV, r.base_url)
        yield r


@pytest.fixture
def report() -> Report:
    return build_report(
        CFG, period_for("daily", date(2026, 11, 25)), latest_records(RECORDS), call_log_entries(LOGS), WED
    )


def env_ops(outputs: Mapping[str, str]) -> Any:
    """An --env OpsContext as post_summary uses it: its Terraform outputs and AWS clients."""
    return SimpleNamespace(
        target=SimpleNamespace(local=False), config=CFG, output=outputs.get, client=boto3.client
    )


def env_with_buckets(secret: str = TOKEN) -> dict[str, str]:
    """The outputs of an environment with its Slack token's secret and its reports bucket (moto)."""
    arn = boto3.client("secretsmanager").create_secret(Name="aicc-dev/slack-bot-token", SecretString=secret)[
        "ARN"
    ]
    where = {"LocationConstraint": "ap-northeast-2"}
    boto3.client("s3").create_bucket(Bucket="reports", CreateBucketConfiguration=where)
    return {"slack_token_secret_arn": arn, "reports_bucket": "reports"}


def test_the_summary_goes_with_the_token_of_the_environments_secret(
    aws: Mapping[str, str], receiver: SlackReceiver, report: Report
) -> None:
    post_summary(env_ops(env_with_buckets()), report, "day.md")
    (message,) = receiver.taken()
    assert message["channel"] == CFG.report_slack_channel
    assert f"{report.current.volume:,}" in str(message["blocks"]) and "day.md" in str(message["blocks"])


def test_a_token_slack_refuses_is_an_error_naming_slacks_reason(
    aws: Mapping[str, str], receiver: SlackReceiver, report: Report
) -> None:
    with pytest.raises(click.ClickException, match=r"Slack refused the summary: invalid_auth.*--force"):
        post_summary(env_ops(env_with_buckets("xoxb-revoked")), report, "day.md")
    assert receiver.taken() == []


def test_a_summary_posted_by_hand_is_claimed_as_the_scheduled_job_claims_it(
    aws: Mapping[str, str],
    receiver: SlackReceiver,
    report: Report,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The runbook's manual recovery posts the summary; a later re-invoke of the report function
    finds the claim and posts nothing, and so does the command run again, unless --force."""
    ops = env_ops(env_with_buckets())
    post_summary(ops, report, "day.md")
    assert len(receiver.taken()) == 1
    claim = f"s3://reports/{reports.slack_claim_key(report.period)}"

    post_summary(ops, report, "day.md")
    assert receiver.taken() == []
    assert f"already posted to Slack (claim {claim})" in capsys.readouterr().err

    monkeypatch.setenv(reports.RECORDS_BUCKET_ENV, "records")
    monkeypatch.setenv(reports.REPORTS_BUCKET_ENV, "reports")
    aws_clients.reset()
    assert reports.ReportJob(cfg=CFG).claim(report.period) is False  # the job's re-invoke

    post_summary(ops, report, "day.md", force=True)
    assert len(receiver.taken()) == 1


def test_an_environment_without_the_secret_output_says_so(aws: Mapping[str, str], report: Report) -> None:
    with pytest.raises(click.ClickException, match="slack_token_secret_arn"):
        post_summary(env_ops({}), report, "day.md")
    outputs = env_with_buckets()
    del outputs["reports_bucket"]
    with pytest.raises(click.ClickException, match="reports_bucket"):
        post_summary(env_ops(outputs), report, "day.md")
