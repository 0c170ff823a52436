"""Queues against their SLA: the state of a queue from its real-time metrics, and what the SLA
monitor tells whom when that state changes. Pure: no boto3, no Slack client.

`aicc-ops queues status` (aicc_ops.admin.queues) and the `sla_monitor` handler read the same
GetCurrentMetricData request and judge with the same `sla_state`; only their rules differ (the
status table warns earlier, to rebalance agents; the monitor alerts at monitoring.yaml's share).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

CHANNEL = "VOICE"
FILTER_LIMIT = 100  # GetCurrentMetricData's Filters.Queues takes at most 100 IDs
# OLDEST_CONTACT_AGE comes in seconds when results are grouped (they are: by QUEUE); without a
# grouping Connect answers milliseconds.
CURRENT_METRICS = (
    ("CONTACTS_IN_QUEUE", "COUNT"),
    ("OLDEST_CONTACT_AGE", "SECONDS"),
    ("AGENTS_ONLINE", "COUNT"),
    ("AGENTS_AVAILABLE", "COUNT"),
    ("AGENTS_ON_CONTACT", "COUNT"),
    ("AGENTS_STAFFED", "COUNT"),
)
RUNBOOK = "runbooks/queue-sla-risk.md"


def mmss(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def chunks(items: Sequence[str]) -> list[list[str]]:
    return [list(items[i : i + FILTER_LIMIT]) for i in range(0, len(items), FILTER_LIMIT)]


def metric_request(queue_ids: Sequence[str]) -> dict[str, Any]:
    """GetCurrentMetricData's parameters (without InstanceId / paging) for up to 100 queues."""
    return {
        "Filters": {"Queues": list(queue_ids), "Channels": [CHANNEL]},
        "Groupings": ["QUEUE"],
        "CurrentMetrics": [{"Name": n, "Unit": u} for n, u in CURRENT_METRICS],
    }


def metric_values(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Queue ID -> metric name -> value, from MetricResults grouped by QUEUE."""
    out: dict[str, dict[str, float]] = {}
    for result in results:
        queue_id = ((result.get("Dimensions") or {}).get("Queue") or {}).get("Id")
        values = out.setdefault(str(queue_id), {})
        for c in result.get("Collections") or []:
            values[c["Metric"]["Name"]] = float(c.get("Value") or 0.0)
    return out


# ---- the state of a queue -------------------------------------------------------------------------
class SlaState(StrEnum):
    OK = "OK"
    AT_RISK = "AT RISK"
    BREACHED = "BREACHED"


@dataclass(frozen=True)
class SlaRules:
    """AT RISK from `risk_share` of the SLA; from `backlog_share` too while more callers wait than
    agents are available (None: not used); and whenever callers wait with nobody online, if
    `unstaffed_is_risk`."""

    risk_share: float
    backlog_share: float | None = None
    unstaffed_is_risk: bool = False


def sla_state(
    oldest: float, waiting: int, available: int, sla_seconds: int | None, *, online: int, rules: SlaRules
) -> SlaState | None:
    """BREACHED: the oldest caller waited the whole SLA; AT RISK by `rules`; None: the queue has no
    same-day SLA."""
    if sla_seconds is None:
        return None
    if waiting <= 0:
        return SlaState.OK
    if oldest >= sla_seconds:
        return SlaState.BREACHED
    if (
        oldest >= rules.risk_share * sla_seconds
        or (rules.unstaffed_is_risk and online <= 0)
        or (
            rules.backlog_share is not None
            and waiting > available
            and oldest >= rules.backlog_share * sla_seconds
        )
    ):
        return SlaState.AT_RISK
    return SlaState.OK


# ---- what the monitor says ---------------------------------------------------------------------
class Level(IntEnum):
    """The worst state of a queue's open episode (stored per queue; OK: no episode)."""

    OK = 0
    RISK = 1
    BREACH = 2


LEVEL_OF = {SlaState.OK: Level.OK, SlaState.AT_RISK: Level.RISK, SlaState.BREACHED: Level.BREACH}


class Message(StrEnum):
    RISK = "risk"
    BREACH = "breach"
    RESOLVED = "resolved"


def next_level(stored: Level, now: Level) -> tuple[Level, Message | None]:
    """The episode's level after this run and the message it sends (None: nothing to say).

    An episode opens when a queue leaves OK and closes when it is OK again. It warns once at RISK,
    alerts once at BREACH (a breach that eases to RISK and comes back is the same episode: no
    second alert), and sends one resolve when it closes."""
    if now is Level.OK:
        return Level.OK, (Message.RESOLVED if stored > Level.OK else None)
    if now > stored:
        return now, Message.BREACH if now is Level.BREACH else Message.RISK
    return stored, None


@dataclass(frozen=True)
class QueueReading:
    """One queue in one run: what Connect reported, judged against queues.yaml."""

    key: str
    name: str
    sla_seconds: int
    waiting: int
    oldest: float
    available: int
    online: int
    state: SlaState

    @property
    def level(self) -> Level:
        return LEVEL_OF[self.state]


def reading(
    key: str, name: str, sla_seconds: int, values: Mapping[str, float], rules: SlaRules
) -> QueueReading:
    waiting = int(values.get("CONTACTS_IN_QUEUE", 0))
    oldest = float(values.get("OLDEST_CONTACT_AGE", 0.0))
    available, online = int(values.get("AGENTS_AVAILABLE", 0)), int(values.get("AGENTS_ONLINE", 0))
    state = sla_state(oldest, waiting, available, sla_seconds, online=online, rules=rules)
    assert state is not None  # sla_seconds is given
    return QueueReading(key, name, sla_seconds, waiting, oldest, available, online, state)


def page_manager(q: QueueReading) -> bool:
    """A breach with no agent available: nobody will take the caller unless someone acts."""
    return q.state is SlaState.BREACHED and q.available <= 0


HEADLINES = {
    Message.RISK: ":warning: SLA 위험 (at risk)",
    Message.BREACH: ":rotating_light: SLA 위반 (breached)",
    Message.RESOLVED: ":white_check_mark: SLA 해소 (resolved)",
}


def slack_message(kind: Message, q: QueueReading, runbook_url: str) -> tuple[str, list[dict[str, Any]]]:
    """chat.postMessage's `text` (the notification's fallback) and Block Kit `blocks`."""
    text = f"{HEADLINES[kind]}: {q.name}, oldest wait {mmss(q.oldest)} of SLA {mmss(q.sla_seconds)}"
    fields = [
        ("Queue", f"{q.name} (`{q.key}`)"),
        ("Oldest wait", mmss(q.oldest) if q.waiting else "-"),
        ("SLA", mmss(q.sla_seconds)),
        ("Agents available", f"{q.available} of {q.online} online"),
        ("Waiting", str(q.waiting)),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": HEADLINES[kind].split(": ", 1)[-1]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{HEADLINES[kind]}*: {q.name}"}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Runbook: <{runbook_url}|queue-sla-risk>"}],
        },
    ]
    return text, blocks


def email(kind: Message, q: QueueReading, runbook_url: str) -> tuple[str, str]:
    """The SNS notice's subject (at most 100 characters) and text."""
    subject = f"[AICC] {HEADLINES[kind].split(' ', 1)[1]}: {q.name}"[:100]
    body = "\n".join(
        [
            f"Queue: {q.name} ({q.key})",
            f"Oldest wait: {mmss(q.oldest)} (SLA {mmss(q.sla_seconds)})",
            f"Waiting: {q.waiting}",
            f"Agents available: {q.available} of {q.online} online",
            f"Runbook: {runbook_url}",
        ]
    )
    return subject, body
