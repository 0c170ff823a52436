"""Operating reports: what a day, week or month of the support line looked like, against the period
before it, from Connect's contact records (who queued, who answered, when) and the call log (what
the flows learned: emergency, escalation pages, callback asked, the caller's sentiment).

Pure: no boto3, no rendering. Here rather than on the ops side so that the scheduled handler and
`aicc-ops report` compute the same report; report_render.py (with report_charts.py's pygal charts)
renders it for both.

Contact record fields are Connect's (adminguide ctr-data-model): ContactId, InitiationMethod,
InitiationTimestamp, DisconnectTimestamp, LastUpdateTimestamp, Queue {Name, EnqueueTimestamp,
DequeueTimestamp}, Agent {Username, ConnectedToAgentTimestamp, AgentInteractionDuration}.
Connect delivers a record at least once: the newest LastUpdateTimestamp per ContactId stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from aicc.clock import parse_instant, seoul
from aicc.domain.business_hours import next_opening, open_intervals
from aicc.settings import Config, Queue

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
KINDS = (DAILY, WEEKLY, MONTHLY)
# Contacts a caller started: what the volume counts. A CALLBACK contact is our call back to a
# caller (counted as callbacks made), TRANSFER/QUEUE_TRANSFER a leg of a contact already counted.
INBOUND = "INBOUND"
CALLBACK = "CALLBACK"
SENTIMENTS = ("POSITIVE", "NEUTRAL", "NEGATIVE")
# The records are NamedTuples, not frozen dataclasses: the report handler imports this module at
# cold start, and a dataclass generates and compiles its methods at import (7 ms for these eight).


# ---- periods ------------------------------------------------------------------------------------
class Period(NamedTuple):
    """[start, end) in Asia/Seoul: a calendar day, a Monday-Sunday week or a calendar month."""

    kind: str
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        first, last = self.start.date(), (self.end - timedelta(days=1)).date()
        if self.kind == MONTHLY:
            return f"{first:%Y-%m}"
        return f"{first}" if first == last else f"{first} – {last}"

    def days(self) -> list[date]:
        count = (self.end.date() - self.start.date()).days
        return [self.start.date() + timedelta(days=i) for i in range(count)]

    def previous(self) -> Period:
        """The period of the same kind just before (the trends' baseline)."""
        return period_for(self.kind, (self.start - timedelta(days=1)).date())

    # `instant in period`: [start, end), not a tuple's membership of its fields.
    def __contains__(self, instant: datetime) -> bool:  # type: ignore[override]
        return self.start <= instant < self.end


def period_for(kind: str, day: date) -> Period:
    """The period of `kind` that contains `day` (a Korean calendar day)."""
    if kind == DAILY:
        first, last = day, day + timedelta(days=1)
    elif kind == WEEKLY:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    elif kind == MONTHLY:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"period must be one of {', '.join(KINDS)}, got {kind!r}")
    return Period(kind, _midnight(first), _midnight(last))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=seoul())


# ---- inputs -------------------------------------------------------------------------------------
class ContactRecord(NamedTuple):
    """What the report reads of one Connect contact record."""

    contact_id: str
    initiation_method: str
    initiated_at: datetime
    last_update: datetime
    queue_name: str = ""
    enqueued_at: datetime | None = None
    agent: str = ""
    connected_at: datetime | None = None  # to the agent
    talk_seconds: int = 0  # AgentInteractionDuration
    previous_contact_id: str = ""  # a CALLBACK contact: the contact whose caller asked for it

    @classmethod
    def from_ctr(cls, ctr: Mapping[str, Any]) -> ContactRecord | None:
        """None for a record without an id or initiation time (nothing to count it by)."""
        started = parse_instant(ctr.get("InitiationTimestamp"))
        if not ctr.get("ContactId") or started is None:
            return None
        queue = ctr.get("Queue") or {}
        agent = ctr.get("Agent") or {}
        return cls(
            contact_id=str(ctr["ContactId"]),
            initiation_method=str(ctr.get("InitiationMethod") or INBOUND),
            initiated_at=started,
            last_update=parse_instant(ctr.get("LastUpdateTimestamp")) or started,
            queue_name=str(queue.get("Name") or ""),
            enqueued_at=parse_instant(queue.get("EnqueueTimestamp")),
            agent=str(agent.get("Username") or ""),
            connected_at=parse_instant(agent.get("ConnectedToAgentTimestamp")),
            talk_seconds=int(agent.get("AgentInteractionDuration") or 0),
            previous_contact_id=str(ctr.get("PreviousContactId") or ""),
        )


def latest_records(ctrs: Iterable[Mapping[str, Any]]) -> list[ContactRecord]:
    """One record per contact: the newest delivery (LastUpdateTimestamp) of each."""
    newest: dict[str, ContactRecord] = {}
    for ctr in ctrs:
        record = ContactRecord.from_ctr(ctr)
        if record is None:
            continue
        known = newest.get(record.contact_id)
        if known is None or record.last_update >= known.last_update:
            newest[record.contact_id] = record
    return list(newest.values())


class CallLogEntry(NamedTuple):
    """What the report reads of one call-log item (adapters.call_logs)."""

    contact_id: str
    created_at: datetime
    queue: str = ""  # queues.yaml key
    emergency: bool = False
    callback_requested: bool = False
    escalated: bool = False
    escalation_depth: int = 0  # chain steps reached: the deepest page's step + 1, at least 1
    pages: int = 0
    pages_acked: int = 0
    sentiment: str = ""  # POSITIVE | NEUTRAL | NEGATIVE (sentiment summary), "" when unscored
    sentiment_direction: str = ""

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> CallLogEntry | None:
        created = parse_instant(item.get("created_at"))
        if not item.get("contact_id") or created is None:
            return None
        steps = [
            int(key.removeprefix("page_"))
            for key, value in item.items()
            if key.startswith("page_") and key[5:].isdigit() and isinstance(value, Mapping)
        ]
        acked = sum(1 for s in steps if item[f"page_{s}"].get("acked_at"))
        escalated = bool(item.get("escalation_started_at")) or bool(steps)
        events = item.get("events") or set()
        summary = item.get("sentiment")  # domain.sentiment.Summary.to_item()
        sentiment: Mapping[str, Any] = summary if isinstance(summary, Mapping) else {}
        return cls(
            contact_id=str(item["contact_id"]),
            created_at=created,
            queue=str(item.get("queue") or ""),
            emergency=item.get("emergency") is True,
            callback_requested=item.get("callback_requested") is True or "callback" in events,
            escalated=escalated,
            escalation_depth=(max(steps) + 1 if steps else 1) if escalated else 0,
            pages=len(steps),
            pages_acked=acked,
            sentiment=str(sentiment.get("overall") or ""),
            sentiment_direction=str(sentiment.get("direction") or ""),
        )


def call_log_entries(items: Iterable[Mapping[str, Any]]) -> list[CallLogEntry]:
    return [e for e in map(CallLogEntry.from_item, items) if e is not None]


# ---- the report ---------------------------------------------------------------------------------
class QueueStats(NamedTuple):
    key: str
    name: str
    sla: str  # as operators read it: "15분", "다음 업무일"
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    to_callback: int = 0  # left the queue with a callback request
    within_sla: int = 0  # answered, or called back, within the SLA
    answer_seconds: float = 0.0  # summed over the answered, for the average

    @property
    def sla_percent(self) -> float | None:
        """Reached within the SLA (answered, or called back), of every contact the queue was
        offered; None without any."""
        return 100.0 * self.within_sla / self.offered if self.offered else None

    @property
    def asa_seconds(self) -> float | None:
        return self.answer_seconds / self.answered if self.answered else None


class AgentStats(NamedTuple):
    login: str
    handled: int
    talk_seconds: int

    @property
    def average_handle_seconds(self) -> float:
        return self.talk_seconds / self.handled if self.handled else 0.0


class Metrics(NamedTuple):
    """One period's numbers."""

    period: Period
    volume: int  # contacts callers started (INBOUND), plus call logs whose record has not come yet
    answered: int
    abandoned: int  # queued, then left before an agent answered (without a callback request)
    to_callback: int  # queued, then left with a callback request
    self_service: int  # ended in the flows (answered by the bot, email, after-hours message)
    unrecorded: int  # in the call log, no contact record (yet): Connect delivers them minutes later
    queues: tuple[QueueStats, ...]
    emergencies: int
    escalations: int
    escalation_depths: Mapping[int, int]  # chain steps reached -> contacts
    pages: int
    pages_acked: int
    callbacks_requested: int
    callbacks_made: int  # CALLBACK contacts
    callbacks_answered: int
    agents: tuple[AgentStats, ...]
    sentiment: Mapping[str, int]  # SENTIMENTS -> contacts
    sentiment_worsening: int
    by_bucket: tuple[tuple[str, int], ...]  # volume by hour (daily) or by day

    @property
    def empty(self) -> bool:
        return self.volume == 0 and self.callbacks_made == 0

    @property
    def abandon_percent(self) -> float | None:
        queued = self.answered + self.abandoned
        return 100.0 * self.abandoned / queued if queued else None

    @property
    def asa_seconds(self) -> float | None:
        answered = sum(q.answered for q in self.queues)
        return sum(q.answer_seconds for q in self.queues) / answered if answered else None

    @property
    def sla_percent(self) -> float | None:
        offered = sum(q.offered for q in self.queues)
        return 100.0 * sum(q.within_sla for q in self.queues) / offered if offered else None

    @property
    def negative_percent(self) -> float | None:
        scored = sum(self.sentiment.values())
        return 100.0 * self.sentiment.get("NEGATIVE", 0) / scored if scored else None


class Trend(NamedTuple):
    """A headline number against the previous period."""

    name: str
    current: float | None
    previous: float | None
    unit: str = ""  # "%", "s" or "" (a count)
    better: str = "up"  # which way is good: up | down

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


class Report(NamedTuple):
    current: Metrics
    previous: Metrics
    generated_at: datetime
    trends: tuple[Trend, ...] = ()

    @property
    def period(self) -> Period:
        return self.current.period


def sla_text(queue: Queue) -> str:
    if queue.sla_seconds is None:
        return "다음 업무일"
    minutes, seconds = divmod(queue.sla_seconds, 60)
    if minutes % 60 == 0 and minutes:
        return f"{minutes // 60}시간"
    return f"{minutes}분" + (f" {seconds}초" if seconds else "")


def build_report(
    cfg: Config,
    period: Period,
    records: Iterable[ContactRecord],
    logs: Iterable[CallLogEntry],
    generated_at: datetime,
) -> Report:
    """The period's metrics and the previous period's, from records and logs covering both."""
    records, logs = list(records), list(logs)
    current = metrics(cfg, period, records, logs)
    previous = metrics(cfg, period.previous(), records, logs)
    pairs = (
        ("통화량", lambda m: float(m.volume), "", "up"),
        ("응대율", lambda m: _percent(m.answered, m.answered + m.abandoned), "%", "up"),
        ("포기율", lambda m: m.abandon_percent, "%", "down"),
        ("SLA 준수율", lambda m: m.sla_percent, "%", "up"),
        ("평균 응답 시간", lambda m: m.asa_seconds, "s", "down"),
        ("긴급 장애", lambda m: float(m.emergencies), "", "down"),
        ("콜백 요청", lambda m: float(m.callbacks_requested), "", "down"),
        ("부정 감정 비율", lambda m: m.negative_percent, "%", "down"),
    )
    trends = tuple(
        Trend(name, get(current), get(previous), unit, better) for name, get, unit, better in pairs
    )
    return Report(current, previous, generated_at, trends)


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def metrics(
    cfg: Config, period: Period, records: Sequence[ContactRecord], logs: Sequence[CallLogEntry]
) -> Metrics:
    """One period's numbers: contacts by their initiation time, in Asia/Seoul."""
    by_name = {q.name: q for q in cfg.queues.values()}
    inbound = [r for r in records if r.initiated_at in period and r.initiation_method == INBOUND]
    callbacks = [r for r in records if r.initiated_at in period and r.initiation_method == CALLBACK]
    # A callback may be made in the next period: looked up among every record given.
    called_back = {
        r.previous_contact_id: r.connected_at
        for r in records
        if r.initiation_method == CALLBACK and r.previous_contact_id and r.connected_at is not None
    }
    recorded = {r.contact_id for r in records}
    period_logs = [e for e in logs if e.created_at in period]
    asked_callback = {e.contact_id for e in logs if e.callback_requested}
    unrecorded = [e for e in period_logs if e.contact_id not in recorded]

    queues = {key: _QueueCount() for key in cfg.queues}
    answered = abandoned = to_callback = self_service = 0
    for r in inbound:
        queue = by_name.get(r.queue_name)
        callback = r.connected_at is None and r.contact_id in asked_callback
        if r.connected_at is not None:
            answered += 1
        elif callback:
            to_callback += 1
        elif r.enqueued_at is not None:
            abandoned += 1
        else:
            self_service += 1
        if queue is not None and r.enqueued_at is not None:
            reached = called_back.get(r.contact_id) if callback else r.connected_at
            queues[queue.key].add(r, callback, reached, _deadline(cfg, queue, r.enqueued_at))

    agents: dict[str, list[int]] = {}
    for r in (*inbound, *callbacks):
        if r.agent and r.connected_at is not None:
            handled = agents.setdefault(r.agent, [0, 0])
            handled[0] += 1
            handled[1] += r.talk_seconds

    escalated = [e for e in period_logs if e.escalated]
    sentiment = Counter(e.sentiment for e in period_logs if e.sentiment in SENTIMENTS)
    return Metrics(
        period=period,
        volume=len(inbound) + len(unrecorded),
        answered=answered,
        abandoned=abandoned,
        to_callback=to_callback,
        self_service=self_service,
        unrecorded=len(unrecorded),
        queues=tuple(queues[q.key].stats(q) for q in sorted(cfg.queues.values(), key=lambda q: q.priority)),
        emergencies=sum(1 for e in period_logs if e.emergency),
        escalations=len(escalated),
        escalation_depths=dict(sorted(Counter(e.escalation_depth for e in escalated).items())),
        pages=sum(e.pages for e in period_logs),
        pages_acked=sum(e.pages_acked for e in period_logs),
        callbacks_requested=sum(1 for e in period_logs if e.callback_requested),
        callbacks_made=len(callbacks),
        callbacks_answered=sum(1 for r in callbacks if r.connected_at is not None),
        agents=tuple(
            sorted(
                (AgentStats(login, n, talk) for login, (n, talk) in agents.items()),
                key=lambda a: (-a.handled, a.login),
            )
        ),
        sentiment={s: sentiment.get(s, 0) for s in SENTIMENTS},
        sentiment_worsening=sum(1 for e in period_logs if e.sentiment_direction == "worsening"),
        by_bucket=_buckets(period, [r.initiated_at for r in inbound] + [e.created_at for e in unrecorded]),
    )


class _QueueCount:
    def __init__(self) -> None:
        self.offered = self.answered = self.abandoned = self.to_callback = self.within_sla = 0
        self.answer_seconds = 0.0

    def add(self, r: ContactRecord, callback: bool, reached: datetime | None, deadline: datetime) -> None:
        """`reached`: when an agent took the call, or (`callback`) called the caller back."""
        assert r.enqueued_at is not None
        self.offered += 1
        if callback:
            self.to_callback += 1
        elif r.connected_at is None:
            self.abandoned += 1
        else:
            self.answered += 1
            self.answer_seconds += max(0.0, (r.connected_at - r.enqueued_at).total_seconds())
        if reached is not None and reached <= deadline:
            self.within_sla += 1

    def stats(self, queue: Queue) -> QueueStats:
        return QueueStats(
            queue.key,
            queue.name,
            sla_text(queue),
            self.offered,
            self.answered,
            self.abandoned,
            self.to_callback,
            self.within_sla,
            self.answer_seconds,
        )


def _deadline(cfg: Config, queue: Queue, enqueued_at: datetime) -> datetime:
    """When the queue's promise to a contact queued at `enqueued_at` runs out: its SLA in seconds,
    or (next business day) the close of the first business day that opens after it was queued."""
    if queue.sla_seconds is not None:
        return enqueued_at + timedelta(seconds=queue.sla_seconds)
    hours = cfg.hours["business"]
    opening = next_opening(hours, cfg.holidays, enqueued_at)
    if opening is None:
        return enqueued_at + timedelta(days=1)
    return next(iter(open_intervals(hours, cfg.holidays, opening)))[1]


def _buckets(period: Period, instants: Iterable[datetime]) -> tuple[tuple[str, int], ...]:
    """Volume by hour of the day (a daily report) or by day (Korean calendar days)."""
    local = [i.astimezone(seoul()) for i in instants]
    if period.kind == DAILY:
        hours = Counter(i.hour for i in local)
        return tuple((f"{h:02d}", hours.get(h, 0)) for h in range(24))
    days = Counter(i.date() for i in local)
    return tuple((f"{d:%m-%d}", days.get(d, 0)) for d in period.days())
