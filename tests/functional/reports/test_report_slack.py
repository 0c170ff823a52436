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


def test_the_summary_goes_with_the_token_of_the_environments_secret(
    aws: Mapping[str, str], receiver: SlackReceiver, report: Report
) -> None:
    arn = boto3.client("secretsmanager").create_secret(Name="aicc-dev/slack-bot-token", SecretString=TOKEN)[
        "ARN"
    ]
    post_summary(env_ops({"slack_token_secret_arn": arn}), report, "day.md")
    (message,) = receiver.taken()
    assert message["channel"] == CFG.report_slack_channel
    assert f"{report.current.volume:,}" in str(message["blocks"]) and "day.md" in str(message["blocks"])


def test_a_token_slack_refuses_is_an_error_naming_slacks_reason(
    aws: Mapping[str, str], receiver: SlackReceiver, report: Report
) -> None:
    arn = boto3.client("secretsmanager").create_secret(
        Name="aicc-dev/slack-bot-token", SecretString="xoxb-revoked"
    )["ARN"]
    with pytest.raises(click.ClickException, match="Slack refused the summary: invalid_auth"):
        post_summary(env_ops({"slack_token_secret_arn": arn}), report, "day.md")
    assert receiver.taken() == []


def test_an_environment_without_the_secret_output_says_so(aws: Mapping[str, str], report: Report) -> None:
    with pytest.raises(click.ClickException, match="slack_token_secret_arn"):
        post_summary(env_ops({}), report, "day.md")
