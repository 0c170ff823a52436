"""A small hand-made set of contact records (Connect's JSON) and call-log items for the report tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aicc.settings import load_config

CFG = load_config()
EMERGENCY = CFG.queues["msp_emergency"]
GENERAL = CFG.queues["general_customer"]
AFTER_HOURS = next(q for q in CFG.queues.values() if q.sla_seconds is None)
KST = timedelta(hours=9)
# Wednesday 2026-11-25, 10:00 Asia/Seoul (01:00 UTC)
WED = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def ctr(
    cid: str,
    at: datetime,
    queue: Any = None,
    wait: float | None = None,
    agent: str = "",
    talk: int = 0,
    method: str = "INBOUND",
    queued_after: float = 60,
    previous: str = "",
) -> dict[str, Any]:
    """A contact record: queued `queued_after` s after it started; answered after `wait` s in queue
    by `agent` (no agent: left the queue)."""
    record: dict[str, Any] = {
        "ContactId": cid,
        "InitiationMethod": method,
        "InitiationTimestamp": ts(at),
        "LastUpdateTimestamp": ts(at + timedelta(hours=1)),
        "Agent": None,
        "Queue": None,
    }
    if previous:
        record["PreviousContactId"] = previous
    if queue is not None:
        enqueued = at + timedelta(seconds=queued_after)
        record["Queue"] = {"Name": queue.name, "EnqueueTimestamp": ts(enqueued)}
        if agent:
            assert wait is not None
            record["Agent"] = {
                "Username": agent,
                "ConnectedToAgentTimestamp": ts(enqueued + timedelta(seconds=wait)),
                "AgentInteractionDuration": talk,
            }
    return record


def log(cid: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"contact_id": cid, "created_at": at.isoformat(), **fields}


def sla(queue: Any) -> int:
    assert queue.sla_seconds is not None
    return int(queue.sla_seconds)


# A Wednesday: 6 calls and one callback made.
RECORDS = [
    ctr("e1", WED, EMERGENCY, wait=30, agent="ts.park", talk=600),  # answered in SLA
    ctr(
        "e2", WED + timedelta(minutes=5), EMERGENCY, wait=sla(EMERGENCY) + 60, agent="ts.choi", talk=300
    ),  # late
    ctr("g1", WED + timedelta(hours=1), GENERAL, wait=120, agent="ga.han", talk=200),
    ctr("g2", WED + timedelta(hours=2), GENERAL),  # abandoned
    ctr("g3", WED + timedelta(hours=3), GENERAL),  # left for a callback
    ctr(
        "cb",
        WED + timedelta(hours=3, minutes=20),
        GENERAL,
        wait=0,
        agent="ga.han",
        talk=100,
        method="CALLBACK",
        previous="g3",
    ),
    ctr("bot", WED + timedelta(hours=4)),  # the bot answered it
]
LOGS = [
    log(
        "e1",
        WED,
        emergency=True,
        queue="msp_emergency",
        escalation_started_at="x",
        sentiment={"overall": "NEGATIVE", "direction": "worsening"},
    ),
    log(
        "e2",
        WED + timedelta(minutes=5),
        emergency=True,
        escalation_started_at="x",
        page_1={"login": "ts.choi", "paged_at": "x", "acked_at": "y"},
        page_2={"login": "mgr.kim", "paged_at": "x"},
        sentiment={"overall": "NEUTRAL", "direction": "steady"},
    ),
    log("g1", WED + timedelta(hours=1), sentiment={"overall": "POSITIVE", "direction": "improving"}),
    log("g3", WED + timedelta(hours=3), callback_requested=True, events={"queued", "callback"}),
    log("late", WED + timedelta(hours=5)),  # its contact record has not arrived
]
