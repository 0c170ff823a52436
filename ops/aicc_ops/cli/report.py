"""`aicc-ops report daily|weekly|monthly|seed|backfill`: operating reports from the contact records
and the call log (numbers: aicc.domain.report; data: aicc_ops.reports.sources; rendering, charts
included: aicc.domain.report_render, the scheduled report job's), a seeded run of synthetic
traffic for the local stack's demo, and the one-off backfill of `created_day` on older call-log
items (aicc_ops.reports.backfill).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from aicc.clock import seoul

from ..admin.context import OpsContext
from ._errors import OpsError
from ._options import dry_run_option, target_options


@click.group()
def report() -> None:
    """Daily, weekly and monthly operating reports (Asia/Seoul periods, trends against the previous one)."""


def _report_command(kind: str, help_text: str) -> None:
    @report.command(name=kind, help=help_text)
    @click.option(
        "--date",
        "day",
        type=click.DateTime(["%Y-%m-%d"]),
        help="A day of the period to report (Asia/Seoul) [default: today].",
    )
    @click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write the report to FILE [default: standard output].",
    )
    @click.option(
        "--slack",
        is_flag=True,
        help="Also post the summary to Slack (monitoring.yaml reports.slack_channel): the local "
        "receiver with --local, the environment's Slack with --env, once: it claims the summary "
        "in the reports bucket as the scheduled report does, and posts nothing when it was claimed.",
    )
    @click.option(
        "--force", is_flag=True, help="With --slack --env: post the summary even if it was posted before."
    )
    @target_options
    def command(
        ops: OpsContext, day: datetime | None, fmt: str, out: Path | None, slack: bool, force: bool
    ) -> None:
        do_report(ops, kind, day.date() if day else None, fmt, out, slack, force)


_report_command("daily", "The report of one day (00:00-24:00 Asia/Seoul) against the day before.")
_report_command("weekly", "The report of one week (Monday-Sunday, Asia/Seoul) against the week before.")
_report_command("monthly", "The report of one calendar month (Asia/Seoul) against the month before.")


def _require_target(ops: OpsContext) -> None:
    if not ops.target.local and not ops.target.env:
        raise click.UsageError(
            "give --local (the local stack) or --env ENV (its contact records and call log)"
        )


def do_report(
    ops: OpsContext,
    kind: str,
    day: date | None,
    fmt: str,
    out: Path | None,
    slack: bool,
    force: bool = False,
) -> None:
    from aicc.domain import report_render as render
    from aicc.domain.report import build_report, period_for

    from ..reports import sources

    _require_target(ops)
    now = datetime.now(UTC)
    period = period_for(kind, day or now.astimezone(seoul()).date())
    records, logs = sources.load(ops, period)
    result = build_report(ops.config, period, records, logs, now)
    text = render.render(result, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out} ({period.kind} {period.label})", err=True)
    if result.current.empty:
        click.echo(f"note: no calls in {period.label}: {render.EMPTY}", err=True)
    if slack:
        where = (
            str(out)
            if out
            else f"aicc-ops report {kind} --date {period.start.date()} --format {fmt} --out FILE"
        )
        post_summary(ops, result, where, force)


def post_summary(ops: OpsContext, result: Any, where: str, force: bool = False) -> None:
    """The report's summary (aicc.domain.report_render.slack_message, the scheduled handler's) to
    Slack through the SLA monitor's client: retries on 429 after Retry-After. In an environment,
    only after claiming it in the reports bucket (the scheduled job's claim), so that neither this
    nor a later run of the job posts it twice; `force` posts it claimed or not. The local stack has
    no reports bucket (nor a scheduled job): its receiver gets every post."""
    from slack_sdk.errors import SlackApiError

    from aicc.adapters.slack import SlackPoster, web_client
    from aicc.domain.report_render import slack_message

    from .sla import local_token, receiver

    channel = ops.config.report_slack_channel
    text, blocks = slack_message(result, where)
    try:
        if ops.target.local:
            assert ops.server is not None
            token = local_token(ops.server)
            with receiver(token) as (base_url, local_receiver):
                SlackPoster(channel, client=web_client(token, base_url)).post(text, blocks)
                posted = local_receiver.taken() if local_receiver else []
            for m in posted:
                click.echo(f"slack {m.get('channel')}: {m.get('text')}", err=True)
        else:
            secret = ops.output("slack_token_secret_arn")
            if not secret:
                raise OpsError(
                    "the environment has no Slack token secret (Terraform output slack_token_secret_arn)",
                    "usage",
                )
            token = str(
                ops.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
            ).strip()
            if not _claim(ops, result.period, force):
                return
            SlackPoster(channel, client=web_client(token)).post(text, blocks)
    except SlackApiError as e:
        again = "" if ops.target.local else " (it stays claimed: once fixed, post it with --force)"
        raise OpsError(f"Slack refused the summary: {e.response.get('error', e)}{again}", "usage") from e
    click.echo(f"posted the summary to Slack {channel}", err=True)


def _claim(ops: OpsContext, period: Any, force: bool) -> bool:
    """The scheduled job's claim on the period's summary, made here too (aicc.adapters.reports):
    False, said, when it was claimed before and `force` is not given."""
    from aicc.adapters.reports import claim_summary, slack_claim_key

    bucket = ops.output("reports_bucket")
    if not bucket:
        raise OpsError(
            "the environment has no reports bucket (Terraform output reports_bucket) to claim the summary in",
            "usage",
        )
    if claim_summary(ops.client("s3"), str(bucket), period) or force:
        return True
    claim = f"s3://{bucket}/{slack_claim_key(period)}"
    click.echo(f"already posted to Slack (claim {claim}); --force posts it again", err=True)
    return False


@report.command()
@click.option("--days", type=click.IntRange(1, 92), default=7, show_default=True, help="Days of traffic.")
@click.option(
    "--until",
    "until",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The last day seeded (Asia/Seoul) [default: today].",
)
@target_options
def seed(ops: OpsContext, days: int, until: datetime | None) -> None:
    """Seed the local stack with synthetic support-line traffic: contact records (its S3 bucket, as
    Firehose lays them out) and call-log items. Deterministic: the same days give the same calls,
    so seeding again changes nothing."""
    if not ops.target.local:
        raise click.UsageError("synthetic traffic goes to the local stack only: give --local")
    last = until.date() if until else datetime.now(UTC).astimezone(seoul()).date()
    counts = do_seed(ops, [last - timedelta(days=i) for i in reversed(range(days))])
    click.echo(
        f"seeded {days} day(s) to {last}: {counts['records']} contact records "
        f"({counts['objects']} objects in s3://{counts['bucket']}), {counts['call_logs']} call-log items"
    )


def do_seed(ops: OpsContext, days: list[date]) -> dict[str, Any]:
    from ..reports import sources, synthetic

    server = ops.server
    assert server is not None
    arn = f"arn:aws:connect:{server.region}:{server.account}:instance/{server.instance_id}"
    s3, bucket = ops.client("s3"), sources.records_bucket(ops)
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        where = {} if server.region == "us-east-1" else {"LocationConstraint": server.region}
        s3.create_bucket(Bucket=bucket, **({"CreateBucketConfiguration": where} if where else {}))
    counts: dict[str, Any] = {"records": 0, "objects": 0, "bucket": bucket, "call_logs": 0}
    for day in days:
        # One object per seeded day and delivery day: seeding other days never overwrites these.
        traffic = synthetic.generate(ops.config, [day], arn)
        counts["objects"] += sources.write_records(s3, bucket, traffic.records, f"synthetic-{day}.json.gz")
        with ops.table("call_logs").batch_writer(overwrite_by_pkeys=["contact_id"]) as batch:
            for item in traffic.call_logs:
                batch.put_item(Item=item)
        counts["records"] += len(traffic.records)
        counts["call_logs"] += len(traffic.call_logs)
    return counts


@report.command()
@dry_run_option
@target_options
def backfill(ops: OpsContext, dry_run: bool) -> None:
    """Set created_day (the reports' created-index) on call-log items written before it existed,
    from their created_at. Run it once after upgrading a deployment that has call logs; running it
    again changes nothing. Scans the whole table: DynamoDB reads every item once."""
    from ..reports.backfill import backfill_created_day

    _require_target(ops)
    table = ops.table_name("call_logs")
    counts = backfill_created_day(ops.client("dynamodb", adaptive=True), table, dry_run=dry_run)
    click.echo(f"{table}: {counts.summary(dry_run)}")
