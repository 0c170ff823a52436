"""One run of the SLA monitor: every queues.yaml queue with a same-day SLA read from Connect's
real-time metrics (ListQueues, then GetCurrentMetricData for up to 100 queues a request), judged
(aicc.domain.sla), and each change of a queue's episode told once: Slack (Block Kit) and e-mail
(the notify topic); the manager is paged through the topic when a breach finds no agent available.

The call log says what the metrics cannot: who the oldest caller of a queue at risk or breached is
(an emergency? how far its escalation got?). A Query on the call log's queue index per such
queue, none for a queue that is OK. The agents' workload (GetCurrentUserData on the same queues)
is read for the handler to publish as metrics (aicc.domain.workload).

Who tells is decided in DynamoDB before anything is sent (SlaAlertRepository.move): of two runs
that overlap, the one whose conditional write lands sends, the other says nothing. A message that
reached no channel moves the episode back, so the next run sends it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from aicc.adapters import aws
from aicc.adapters.call_logs import CallLogRepository
from aicc.adapters.notifier import Notifier
from aicc.adapters.sla_alerts import SlaAlertRepository
from aicc.adapters.slack import SlackPoster
from aicc.domain import sla, workload
from aicc.settings import Config, config

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

INSTANCE_ENV = "CONNECT_INSTANCE_ID"
RUNBOOKS_ENV = "AICC_RUNBOOKS_URL"
# Where runbooks/ is read when no base URL is deployed (the repository's own path).
DEFAULT_RUNBOOK = sla.RUNBOOK

logger = Logger(child=True)


@dataclass(frozen=True)
class Outcome:
    """What one run did for one queue."""

    queue: sla.QueueReading
    level: sla.Level  # the episode's level after the run
    message: sla.Message | None = None  # sent by this run
    channels: tuple[str, ...] = ()  # where it went: slack, email
    paged: bool = False  # this run paged the manager
    raced: bool = False  # another run moved the episode first: this one said nothing

    def as_dict(self) -> dict[str, Any]:
        q = self.queue
        return {
            "queue": q.key,
            "state": q.state.value,
            "waiting": q.waiting,
            "oldest_seconds": round(q.oldest, 1),
            "sla_seconds": q.sla_seconds,
            "agents_available": q.available,
            "episode": self.level.name,
            "sent": self.message.value if self.message else None,
            "channels": list(self.channels),
            "paged": self.paged,
            "raced": self.raced,
        }


def runbook_url() -> str:
    base = os.environ.get(RUNBOOKS_ENV, "").strip().rstrip("/")
    return f"{base}/{sla.RUNBOOK.rsplit('/', 1)[-1]}" if base else DEFAULT_RUNBOOK


class SlaMonitor:
    def __init__(
        self,
        connect: ConnectClient | None = None,
        alerts: SlaAlertRepository | None = None,
        slack: SlackPoster | None = None,
        notifier: Notifier | None = None,
        instance_id: str | None = None,
        cfg: Config | None = None,
        call_logs: CallLogRepository | None = None,
    ) -> None:
        self.cfg = cfg or config()
        self.settings = self.cfg.sla_monitor
        self._connect = connect
        self.alerts = alerts or SlaAlertRepository()
        self.slack = slack or SlackPoster(self.settings.slack_channel)
        self.notifier = notifier or Notifier()
        self.call_logs = call_logs or CallLogRepository()
        self.queue_ids: list[str] = []  # the queues of the last reading (Connect IDs)
        self.instance_id = instance_id if instance_id is not None else os.environ.get(INSTANCE_ENV, "")
        self.rules = sla.SlaRules(self.settings.risk_share)

    @property
    def connect(self) -> ConnectClient:
        return self._connect or aws.connect()

    # ---- reading --------------------------------------------------------------------------------
    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
        call = getattr(self.connect, operation)
        params = {"InstanceId": self.instance_id.strip().rsplit("/", 1)[-1], **params}  # an ID or ARN
        while True:
            page = call(**params)
            yield from page.get(key) or []
            if not page.get("NextToken"):
                return
            params["NextToken"] = page["NextToken"]

    def readings(self) -> list[sla.QueueReading]:
        """The queues.yaml queues with sla_seconds, as the instance reports them now."""
        wanted = {q.name: q for q in self.cfg.queues.values() if q.sla_seconds is not None}
        ids: dict[str, str] = {}  # Connect queue ID -> queues.yaml key
        for summary in self._pages(
            "list_queues", "QueueSummaryList", QueueTypes=["STANDARD"], MaxResults=100
        ):
            spec = wanted.get(summary.get("Name", ""))
            if spec is not None:
                ids[summary["Id"]] = spec.key
        missing = sorted(set(wanted) - {self.cfg.queues[k].name for k in ids.values()})
        if missing:
            logger.warning("queues.yaml queues not on the instance", extra={"queues": missing})
        values: dict[str, dict[str, float]] = {}
        for chunk in sla.chunks(sorted(ids)):
            params = sla.metric_request(chunk)
            values.update(
                sla.metric_values(self._pages("get_current_metric_data", "MetricResults", **params))
            )
        self.queue_ids = sorted(ids)
        out = []
        for queue_id, key in ids.items():
            spec = self.cfg.queues[key]
            assert spec.sla_seconds is not None
            out.append(sla.reading(key, spec.name, spec.sla_seconds, values.get(queue_id, {}), self.rules))
        return sorted(out, key=lambda r: self.cfg.queues[r.key].priority)

    def with_caller(self, q: sla.QueueReading, now: datetime) -> sla.QueueReading:
        """A queue at risk or breached with its oldest caller from the call log; a failed read is
        logged and the alert goes without it."""
        if q.state is sla.SlaState.OK:
            return q
        start, end = sla.oldest_window(now, q.oldest)
        try:
            callers = self.call_logs.queued(q.name, start, end)
        except Exception:
            logger.exception("call log not read: the alert goes without its caller", extra={"queue": q.key})
            return q
        found = sla.oldest_logged(callers, now, q.oldest)
        if found is None:
            logger.warning("no call-log entry near the oldest wait", extra={"queue": q.key})
        return replace(q, oldest_caller=found, log_checked=True)

    def workload(self) -> tuple[list[workload.AgentLoad], int]:
        """The signed-in agents of the last reading's queues (GetCurrentUserData, 100 queues a
        request) and how many were left out over monitoring.yaml's max_agents; by user ID, so no
        ListUsers (domain.workload says why not the login)."""
        data = (
            entry
            for chunk in sla.chunks(self.queue_ids)
            for entry in self._pages(
                "get_current_user_data", "UserDataList", Filters={"Queues": chunk}, MaxResults=100
            )
        )
        return workload.loads(data, self.settings.max_agents)

    # ---- one run --------------------------------------------------------------------------------
    def run(self, now: datetime) -> list[Outcome]:
        return [self.judge(self.with_caller(q, now), now) for q in self.readings()]

    def judge(self, q: sla.QueueReading, now: datetime) -> Outcome:
        stored = self.alerts.level(q.key)
        after, message = sla.next_level(stored, q.level)
        channels: tuple[str, ...] = ()
        if after is not stored:
            if not self.alerts.move(q.key, stored, after, now):
                logger.info("another run moved this queue's episode first", extra={"queue": q.key})
                return Outcome(q, self.alerts.level(q.key), raced=True)
            if message is not None:
                channels = self.tell(message, q)
                if not channels:  # nobody heard it: the next run sends it again
                    self.alerts.move(q.key, after, stored, now)
                    return Outcome(q, stored)
        paged = sla.page_manager(q) and self.page(q, now)
        return Outcome(q, after, message if channels else None, channels, paged)

    def tell(self, message: sla.Message, q: sla.QueueReading) -> tuple[str, ...]:
        """Slack and e-mail; the channels that took the message (a failure is logged, not raised)."""
        from aicc.domain.notices import Notice  # with the escalation domain: only when there is news

        url, sent = runbook_url(), []
        text, blocks = sla.slack_message(message, q, url)
        if self.slack.configured:
            try:
                self.slack.post(text, blocks)
                sent.append("slack")
            except Exception:
                logger.exception("slack message failed", extra={"queue": q.key, "event": message.value})
        subject, body = sla.email(message, q, url)
        try:
            self.notifier.send(
                Notice("sla", subject, body, {"kind": "sla", "queue": q.key, "event": message.value})
            )
            if self.notifier.topic_arn:
                sent.append("email")
        except Exception:
            logger.exception("e-mail failed", extra={"queue": q.key, "event": message.value})
        return tuple(sent)

    def page(self, q: sla.QueueReading, now: datetime) -> bool:
        """Page the manager once per breach (the notify topic's `manager` subscriptions)."""
        from aicc.domain.notices import Notice

        if not self.alerts.claim_page(q.key, now):
            return False
        subject, body = sla.email(sla.Message.BREACH, q, runbook_url())
        notice = Notice(
            "manager",
            f"[PAGE] {subject}"[:100],
            f"상담 가능 상담원 없음 (no agent available)\n{body}",
            {"kind": "manager", "queue": q.key, "event": "sla_no_agent"},
        )
        try:
            self.notifier.send(notice)
        except Exception:
            logger.exception("manager page failed", extra={"queue": q.key})
            self.alerts.release_page(q.key)
            return False
        return bool(self.notifier.topic_arn)  # without a topic it is only logged
