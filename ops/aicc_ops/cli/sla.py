"""`aicc-ops sla watch`: the SLA monitor (the sla_monitor handler's code) run against the local
stack, each run's verdicts and the Slack messages it posted shown (runbooks/queue-sla-risk.md).

The monitor reads the stack's Connect emulator and keeps its episodes in the stack's sla_alerts
table; Slack is a local receiver of its Web API (aicc_ops.local.slack_receiver), started here
unless AICC_SLACK_BASE_URL names one, with the bot token the stack's Secrets Manager holds.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import sleep
from typing import Any

import click

from ._options import emit, output_option, running_server, state_dir_option

SECRET_NAME = "aicc-local/slack-bot-token"
HEADERS = ("queue", "state", "waiting", "oldest", "SLA", "available", "episode", "sent")


@click.group()
def sla() -> None:
    """The SLA monitor: queues against their SLA, alerts to Slack and by e-mail."""


@sla.command()
@click.option(
    "--local", is_flag=True, required=True, help="Run against the local stack (`aicc-ops local up`)."
)
@state_dir_option
@click.option("--once", is_flag=True, help="One run, then stop.")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between runs (the deployed schedule runs once a minute).",
)
@output_option
def watch(local: bool, state_dir: Path | None, once: bool, interval: float, output: str) -> None:
    """Run the SLA monitor every --interval seconds until Ctrl-C: per queue its state (OK, AT RISK
    at monitoring.yaml's share of the SLA, BREACHED), the episode, and what was sent."""
    from aicc import clock
    from aicc.adapters.notifier import Notifier
    from aicc.adapters.sla_alerts import SlaAlertRepository
    from aicc.adapters.sla_monitor import SlaMonitor
    from aicc.adapters.slack import SlackPoster, web_client
    from aicc.settings import config

    server = running_server(state_dir)
    os.environ[config().tables["sla_alerts"].env] = server.tables["sla_alerts"]
    token = local_token(server)
    with receiver(token) as (base_url, local_receiver):
        channel = config().sla_monitor.slack_channel
        monitor = SlaMonitor(
            connect=server.client("connect"),
            alerts=SlaAlertRepository(server.client("dynamodb")),
            slack=SlackPoster(channel, client=web_client(token, base_url)),
            notifier=Notifier(server.client("sns"), server.topic_arn),
            instance_id=server.instance_id,
        )
        try:
            while True:
                outcomes = monitor.run(clock.now())
                posted = local_receiver.taken() if local_receiver else []
                show(output, clock.now().isoformat(timespec="seconds"), outcomes, posted, base_url)
                if once:
                    return
                sleep(interval)
        except KeyboardInterrupt:
            return


def local_token(server: Any) -> str:
    """The local bot token, created in the stack's Secrets Manager on first use."""
    client = server.client("secretsmanager")
    try:
        return str(client.get_secret_value(SecretId=SECRET_NAME)["SecretString"])
    except client.exceptions.ResourceNotFoundException:
        token = f"xoxb-local-{secrets.token_hex(12)}"
        client.create_secret(Name=SECRET_NAME, SecretString=token)
        return token


@contextmanager
def receiver(token: str) -> Iterator[tuple[str, Any]]:
    """(base URL, the in-process receiver or None when AICC_SLACK_BASE_URL names another)."""
    from aicc.adapters.slack import BASE_URL_ENV

    from ..local.slack_receiver import SlackReceiver

    given = os.environ.get(BASE_URL_ENV, "").strip()
    if given:
        yield given, None
        return
    with SlackReceiver(token) as r:
        yield r.base_url, r


def sent(o: Any) -> str:
    words = [o.message.value if o.message else "", *o.channels, "manager paged" if o.paged else ""]
    return ", ".join(w for w in words if w) or "-"


def show(output: str, at: str, outcomes: list[Any], posted: list[dict[str, Any]], base_url: str) -> None:
    from aicc.domain.sla import mmss

    if output == "json":
        row = {"at": at, "queues": [o.as_dict() for o in outcomes], "slack": posted, "slack_url": base_url}
        click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(f"{at}  Slack: {base_url}")
    rows = [
        [
            o.queue.name,
            o.queue.state.value,
            o.queue.waiting,
            mmss(o.queue.oldest) if o.queue.waiting else "-",
            mmss(o.queue.sla_seconds),
            o.queue.available,
            o.level.name,
            ", ".join(
                filter(None, [o.message.value if o.message else "", *o.channels, "paged" if o.paged else ""])
            )
            or "-",
        ]
        for o in outcomes
    ]
    emit(output, [], rows, HEADERS)
    for m in posted:
        click.echo(f"slack {m.get('channel')}: {m.get('text')}")
