"""One snapshot of the contact center for the live page: per queue its callers waiting and oldest
wait against the SLA, agents by status, calls in progress with their flow step and sentiment,
emergencies and their escalation step, and the SLA monitor's alerts.

Connect's real-time metrics are read as `aicc-ops queues status` reads them (GetCurrentMetricData,
GetCurrentUserData, through OpsContext's rate-limited client); a queue's state is judged with
aicc.domain.sla and monitoring.yaml's risk share, as the SLA monitor that alerts judges it. Which
calls are in progress: in AWS, SearchContacts for contacts with no DisconnectTimestamp; on the
local stack (whose Connect emulator has no SearchContacts), its call API's live calls. What each
call went through comes from its call-log item; the alerts from the sla_alerts table.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aicc.adapters.dynamodb import ItemKey, read_items
from aicc.clock import parse_instant, seoul_time
from aicc.domain import sla
from aicc.domain.report import CallLogEntry
from aicc.settings import Config

from ..admin import queues as q
from ..admin.context import OpsContext, TargetError, scan_all

# SearchContacts: contacts initiated this long ago at most (no call lasts longer). One page of at
# most SEARCH_PAGE_SIZE (the API's maximum) a snapshot: its quota is 0.5 requests/s, burst 1, for
# the whole account, and a snapshot may come every 2 s (--interval's minimum).
SEARCH_WINDOW = timedelta(hours=12)
SEARCH_PAGE_SIZE = 100
# Stages of a call in progress.
IVR, QUEUED, WITH_AGENT = "IVR", "QUEUED", "WITH_AGENT"
# The local call API's states (aicc_ops.local.live.LiveContact.state) as stages; "ended" is gone.
LOCAL_STAGES = {"ringing": IVR, "ivr": IVR, "waiting_input": IVR, "queued": QUEUED, "connected": WITH_AGENT}
AGENT_STATES = ("available", "on_contact", "after_contact_work", "away", "offline")


@dataclass(frozen=True)
class Live:
    """A contact in progress, as the source of truth for "in progress" sees it."""

    contact_id: str
    stage: str  # IVR | QUEUED | WITH_AGENT


@dataclass(frozen=True)
class InProgress:
    """The calls in progress read: those listed, and whether (and how many) there are more."""

    calls: list[Live]
    total: int | None = None  # SearchContacts' TotalCount; None: only `len(calls)` known
    more: bool = False  # a next page was left unread

    def count(self) -> str:
        """The page's count: every call in progress, and how many of them are listed when not all."""
        shown = len(self.calls)
        if self.total is not None and self.total > shown:
            return f"{self.total} (the first {shown} listed)"
        return f"{shown}+" if self.more else str(shown)


# ---- shaping (pure) -----------------------------------------------------------------------------
def queue_row(ref: q.QueueRef, values: Mapping[str, float], cfg: Config) -> dict[str, Any]:
    """A queue's metrics against its SLA; `state` None for a queue with no same-day SLA."""
    spec = cfg.queues.get(ref.key) if ref.key else None
    waiting = int(values.get("CONTACTS_IN_QUEUE", 0))
    oldest = float(values.get("OLDEST_CONTACT_AGE", 0.0)) if waiting else 0.0
    available, online = int(values.get("AGENTS_AVAILABLE", 0)), int(values.get("AGENTS_ONLINE", 0))
    sla_seconds = spec.sla_seconds if spec else None
    rules = sla.SlaRules(cfg.sla_monitor.risk_share)  # the monitor's: the page shows what alerts
    state = sla.sla_state(oldest, waiting, available, sla_seconds, online=online, rules=rules)
    return {
        "key": ref.ref,
        "name": ref.name,
        "waiting": waiting,
        "oldest_seconds": round(oldest, 1),
        "oldest": sla.mmss(oldest) if waiting else "-",
        "sla_seconds": sla_seconds,
        "sla": sla.mmss(sla_seconds) if sla_seconds else ("next business day" if spec else "-"),
        "share": round(oldest / sla_seconds, 3) if sla_seconds else None,
        "state": state.value if state else None,
        "agents_online": online,
        "agents_available": available,
    }


def agent_state(data: Mapping[str, Any], types: Mapping[str, str]) -> str:
    """One signed-in agent (GetCurrentUserData's UserData) as one of AGENT_STATES: a contact in
    state ENDED is after-contact work (Connect keeps it on the agent until ACW ends)."""
    if any(c.get("AgentContactState") == "ENDED" for c in data.get("Contacts") or []):
        return "after_contact_work"
    return {
        q.Activity.AVAILABLE: "available",
        q.Activity.ON_CONTACT: "on_contact",
        q.Activity.AWAY: "away",
        q.Activity.OFFLINE: "offline",
    }[q.activity_of(data, types)]


def agent_counts(
    user_data: Iterable[Mapping[str, Any]], types: Mapping[str, str], users: int
) -> dict[str, int]:
    """Agents by status; the instance's users GetCurrentUserData does not list are offline."""
    found = Counter(agent_state(d, types) for d in user_data)
    counts = {s: found.get(s, 0) for s in AGENT_STATES}
    counts["offline"] += max(0, users - sum(found.values()))
    return counts


def pages_of(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An escalation's pages (call log page_<step>), by step."""
    steps = sorted(int(k[5:]) for k in item if k.startswith("page_") and k[5:].isdigit())
    pages = [(s, item[f"page_{s}"]) for s in steps]
    return [
        {"step": s + 1, "login": str(p.get("login", "")), "acked": bool(p.get("acked_at"))}
        for s, p in pages
        if isinstance(p, Mapping)
    ]


def call_rows(live: Sequence[Live], logs: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The calls in progress with what their call log says (no caller's number or name: the page
    is shown on wall screens)."""
    rows = []
    for contact in live:
        item = logs.get(contact.contact_id) or {}
        entry = CallLogEntry.from_item(item)
        path = [str(s) for s in item.get("path") or []]
        rows.append(
            {
                "contact_id": contact.contact_id,
                "stage": contact.stage,
                "queue": str(item.get("queue") or ""),
                "step": path[-1] if path else "",
                "path": " > ".join(path),
                "sentiment": entry.sentiment if entry else "",
                "sentiment_direction": entry.sentiment_direction if entry else "",
                "emergency": item.get("emergency") is True,
                "escalation_step": entry.escalation_depth if entry else 0,
                "escalation_started_at": _seoul(item.get("escalation_started_at")),
                "pages": pages_of(item),
            }
        )
    return rows


def alert_rows(items: Iterable[Mapping[str, Any]], cfg: Config) -> list[dict[str, Any]]:
    """The SLA monitor's episode per queue (sla_alerts): open (RISK, BREACH) or last resolved (OK),
    newest change first."""
    rows = []
    for item in items:
        key = str(item.get("queue", ""))
        spec = cfg.queues.get(key)
        rows.append(
            {
                "queue": key,
                "name": spec.name if spec else key,
                "episode": sla.Level(int(item.get("level", 0))).name,
                "changed_at": str(item.get("changed_at") or ""),
                "changed": _seoul(item.get("changed_at")),
                "paged": bool(item.get("paged")),
            }
        )
    return sorted(rows, key=lambda r: r["changed_at"], reverse=True)


def _seoul(raw: Any) -> str:
    at = parse_instant(raw) if raw else None
    return seoul_time(at) if at else ""


# ---- reading ------------------------------------------------------------------------------------
def queue_refs(ops: OpsContext) -> list[q.QueueRef]:
    """The queues to show: --env's Terraform output queue_ids (queues.yaml key -> Connect ID), else
    the instance's STANDARD queues (ListQueues)."""
    if ops.target.env:
        ids = ops.output("queue_ids")
        if not ids:
            raise TargetError(
                f"{ops.target.env} has no queue_ids Terraform output: deploy it (`make deploy "
                f"ENV={ops.target.env}`), or give --instance-id without --env"
            )
        return [
            q.QueueRef(str(i), "", ops.config.queues[k].name if k in ops.config.queues else k, k)
            for k, i in sorted(ids.items())
        ]
    return q.list_queues(ops)


def search_request(instance_id: str, now: datetime) -> dict[str, Any]:
    """SearchContacts' parameters for the voice contacts not yet disconnected."""
    return {
        "InstanceId": instance_id,
        "TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": now - SEARCH_WINDOW, "EndTime": now},
        "SearchCriteria": {
            "Channels": [sla.CHANNEL],
            "AdditionalTimeRange": {
                "Criteria": [
                    {"TimestampCondition": {"Type": "DISCONNECT_TIMESTAMP", "ConditionType": "NOT_EXISTS"}}
                ],
                "MatchType": "MATCH_ALL",
            },
        },
        "Sort": {"FieldName": "INITIATION_TIMESTAMP", "Order": "ASCENDING"},
        "MaxResults": SEARCH_PAGE_SIZE,
    }


def live_from_search(contacts: Iterable[Mapping[str, Any]]) -> list[Live]:
    out = []
    for c in contacts:
        if c.get("DisconnectTimestamp"):
            continue
        if (c.get("AgentInfo") or {}).get("ConnectedToAgentTimestamp"):
            stage = WITH_AGENT
        elif (c.get("QueueInfo") or {}).get("EnqueueTimestamp"):
            stage = QUEUED
        else:
            stage = IVR
        out.append(Live(str(c["Id"]), stage))
    return out


class Reader:
    """Reads snapshots of one target; what does not change while the page runs (queues, users,
    agent status types) is read once, at the start."""

    def __init__(self, ops: OpsContext) -> None:
        self.ops = ops
        self.cfg = ops.config
        self.refs = queue_refs(ops)
        self.users = sorted(q.usernames(ops))
        self.types = q.status_types(ops)
        for key in ("call_logs", "sla_alerts"):  # read_items finds tables as the Lambdas do
            os.environ[self.cfg.tables[key].env] = ops.table_name(key)

    def live(self, now: datetime) -> InProgress:
        server = self.ops.server
        if server is not None:
            from ..local.call_client import CallApiError, CallClient

            client = CallClient(server.calls_endpoint, timeout=10)
            try:
                calls = client.calls()
            except CallApiError as exc:
                raise TargetError(
                    f"the local stack's call API: {exc}; is it still up (`aicc-ops local status`)?"
                ) from None
            finally:
                client.close()
            stages = [(c["contact_id"], LOCAL_STAGES.get(c["state"])) for c in calls]
            return InProgress([Live(contact_id, stage) for contact_id, stage in stages if stage])
        page = self.ops.client("connect").search_contacts(**search_request(self.ops.instance_id, now))
        total = page.get("TotalCount")
        return InProgress(
            live_from_search(page.get("Contacts") or []),
            int(total) if total is not None else None,
            bool(page.get("NextToken")),
        )

    def snapshot(self, now: datetime) -> dict[str, Any]:
        metrics = q.current_metrics(self.ops, self.refs) if self.refs else {}
        queues = [queue_row(r, metrics.get(r.id, {}), self.cfg) for r in self.refs]
        order = {k: s.priority for k, s in self.cfg.queues.items()}
        queues.sort(key=lambda r: (order.get(r["key"], len(order)), r["name"]))
        user_data = q.current_user_data(self.ops, "Agents", self.users) if self.users else []
        live = self.live(now)
        keys = [ItemKey("call_logs", c.contact_id) for c in live.calls]
        logs = {k.value: item for k, item in read_items(self.ops.client("dynamodb"), keys).items()}
        calls = call_rows(live.calls, logs)
        return {
            "at": now.isoformat(timespec="seconds"),
            "at_seoul": seoul_time(now),
            "target": self.ops.target.describe(),
            "queues": queues,
            "agents": agent_counts(user_data, self.types, len(self.users)),
            "calls": calls,
            "calls_count": live.count(),
            "emergencies": [c for c in calls if c["emergency"]],
            "alerts": alert_rows(scan_all(self.ops.table("sla_alerts")), self.cfg),
        }
