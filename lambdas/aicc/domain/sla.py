"""Queues against their SLA: the state of a queue from its real-time metrics, and what the SLA
monitor tells whom when that state changes. Pure: no boto3, no Slack client.

`aicc-ops queues status` (aicc_ops.admin.queues) and the `sla_monitor` handler read the same
GetCurrentMetricData request and judge with the same `sla_state`; only their rules differ (the
status table warns earlier, to rebalance agents; the monitor alerts at monitoring.yaml's share).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
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
# The metric each run publishes per queue (dimension QUEUE_DIMENSION: the queue's Connect name, as
# QueueEntry has it): the share of its SLA, in percent, that its oldest caller has waited (0 when
# nobody waits). Connect publishes no SLA measure to CloudWatch; the dashboard draws this one.
SLA_WAIT_SHARE = "SlaWaitShare"
QUEUE_DIMENSION = "queue"
# Connect's OLDEST_CONTACT_AGE and the call log's queued_at are stamped by different clocks and
# steps of the flow (the log is written just before the transfer to the queue): the logged entry
# that matches the oldest caller lies within this much of it.
MATCH_TOLERANCE = timedelta(seconds=60)
# What an alert says when no logged entry, of those not answered and not gone to a callback,
# matches the oldest wait. Not a verdict on the flow: the flows transfer even when their call_log
# step fails, and a caller may be logged under another queue (a transfer keeps the first
# `queued_at`); runbooks/queue-sla-risk.md lists the causes.
NOT_IN_LOG = "no unanswered caller in the call log near this wait (the caller still waits: see the runbook)"


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
class LoggedCaller:
    """The queue's oldest caller as the call log knows them: what Connect's metrics do not say."""

    contact_id: str
    queued_at: datetime
    emergency: bool
    company: str  # a company, not a person: no personal data goes to Slack
    pages: int  # escalation pages sent so far (the chain step reached)
    acknowledged: bool  # an engineer acknowledged a page
    # The log shows the caller left the queue (asked for a callback).
    left: bool = False
    # An agent accepted the contact (`answered_at`, from the agent event stream). A caller who hung
    # up in the queue leaves no trace in the log: an entry neither left nor answered may be one.
    answered: bool = False

    def summary(self) -> str:
        parts = ["긴급 (emergency)" if self.emergency else "일반 (general)"]
        if self.company:
            parts.append(self.company)
        if self.pages:
            ack = "acknowledged" if self.acknowledged else "not acknowledged"
            parts.append(f"escalation: {self.pages} page(s), {ack}")
        elif self.emergency:
            parts.append("escalation: no page yet")
        return " · ".join(parts) + f" (contact `{self.contact_id}`)"


def oldest_window(now: datetime, oldest_seconds: float) -> tuple[datetime, datetime]:
    """When the oldest caller entered the queue, give or take MATCH_TOLERANCE: the call-log range
    the monitor reads (one Query on the queue's index)."""
    entered = now - timedelta(seconds=oldest_seconds)
    return entered - MATCH_TOLERANCE, entered + MATCH_TOLERANCE


def oldest_logged(
    callers: Iterable[LoggedCaller], now: datetime, oldest_seconds: float
) -> LoggedCaller | None:
    """The logged entry closest to when Connect's oldest caller entered, of those not known to have
    left the queue (a callback) or been answered (None: no such entry near it; see NOT_IN_LOG)."""
    entered = now - timedelta(seconds=oldest_seconds)
    near = [
        c for c in callers if not (c.left or c.answered) and abs(c.queued_at - entered) <= MATCH_TOLERANCE
    ]
    return min(near, key=lambda c: (abs(c.queued_at - entered), c.contact_id), default=None)


@dataclass(frozen=True)
class QueueReading:
    """One queue in one run: what Connect reported, judged against queues.yaml; for a queue that is
    not OK, its oldest caller as the call log has them (`log_checked`: the log was read)."""

    key: str
    name: str
    sla_seconds: int
    waiting: int
    oldest: float
    available: int
    online: int
    state: SlaState
    oldest_caller: LoggedCaller | None = None
    log_checked: bool = False

    @property
    def level(self) -> Level:
        return LEVEL_OF[self.state]

    @property
    def wait_share(self) -> float:
        """SLA_WAIT_SHARE: percent of the SLA the oldest caller has waited (0 when nobody waits)."""
        return round(100 * self.oldest / self.sla_seconds, 1) if self.waiting > 0 else 0.0

    def caller_text(self) -> str | None:
        """What the alert says of the oldest caller from the call log (None: the log was not read)."""
        if not self.log_checked:
            return None
        if self.oldest_caller is None:
            return NOT_IN_LOG
        return self.oldest_caller.summary()


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
    if (caller := q.caller_text()) is not None:
        fields.append(("Oldest caller (call log)", caller))
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
            *([f"Oldest caller (call log): {caller}"] if (caller := q.caller_text()) is not None else []),
            f"Runbook: {runbook_url}",
        ]
    )
    return subject, body
