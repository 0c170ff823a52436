"""The live page's snapshot shaping (pure) and its one-read-per-interval cache."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.domain.sla import SlaState
from aicc.settings import config
from aicc_ops.admin.queues import QueueRef
from aicc_ops.dashboard import state
from aicc_ops.dashboard.server import ReadError, Snapshots

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _queue(key: str, waiting: int, oldest: float, available: int = 0) -> dict[str, Any]:
    ref = QueueRef("q-" + key, "", config().queues[key].name, key)
    values = {"CONTACTS_IN_QUEUE": waiting, "OLDEST_CONTACT_AGE": oldest, "AGENTS_AVAILABLE": available}
    return state.queue_row(ref, values | {"AGENTS_ONLINE": available + 1}, config())


def test_queue_state_follows_the_monitors_risk_share() -> None:
    key = next(k for k, q in config().queues.items() if q.sla_seconds)
    sla = config().queues[key].sla_seconds
    assert sla is not None
    risk = config().sla_monitor.risk_share * sla
    assert _queue(key, 1, risk - 1)["state"] == SlaState.OK.value
    assert _queue(key, 1, risk)["state"] == SlaState.AT_RISK.value
    row = _queue(key, 2, sla)
    assert row["state"] == SlaState.BREACHED.value and row["share"] == 1.0 and row["waiting"] == 2
    assert _queue(key, 0, sla)["state"] == SlaState.OK.value  # nobody waiting: nothing is late


def test_a_queue_without_a_same_day_sla_has_no_state() -> None:
    key = next(k for k, q in config().queues.items() if q.sla_seconds is None)
    row = _queue(key, 3, 99999)
    assert row["state"] is None and row["sla"] == "next business day"


def test_agents_by_status_after_contact_work_and_users_not_signed_in() -> None:
    types = {"arn:available": "ROUTABLE", "arn:break": "CUSTOM", "arn:offline": "OFFLINE"}

    def user(status: str, contact_state: str | None = None) -> dict[str, Any]:
        contacts = [{"ContactId": "c", "AgentContactState": contact_state}] if contact_state else []
        return {"Status": {"StatusArn": status}, "Contacts": contacts}

    data = [
        user("arn:available"),
        user("arn:available", "CONNECTED"),
        user("arn:available", "ENDED"),
        user("arn:break"),
        user("arn:offline"),
    ]
    assert state.agent_counts(data, types, users=7) == {
        "available": 1,
        "on_contact": 1,
        "after_contact_work": 1,
        "away": 1,
        "offline": 3,  # one signed in as Offline, two not signed in
    }


def test_calls_show_their_flow_step_sentiment_and_escalation() -> None:
    logs = {
        "c1": {
            "contact_id": "c1",
            "created_at": "2026-12-07T00:59:00+00:00",
            "queue": "MSP Emergency",
            "path": ["auth", "verified", "msp", "emergency"],
            "emergency": True,
            "caller": "+82-10-****-5678",
            "sentiment": {"overall": "NEGATIVE", "direction": "worsening"},
            "escalation_started_at": "2026-12-07T00:59:30+00:00",
            "page_0": {"login": "ts.choi", "paged_at": "2026-12-07T00:59:30+00:00"},
            "page_1": {"login": "ts.yoon", "paged_at": "2026-12-07T01:00:00+00:00", "acked_at": "x"},
        }
    }
    rows = state.call_rows([state.Live("c1", state.QUEUED), state.Live("c2", state.IVR)], logs)
    first, second = rows
    assert first["step"] == "emergency" and first["path"] == "auth > verified > msp > emergency"
    assert first["sentiment"] == "NEGATIVE" and first["emergency"] and first["escalation_step"] == 2
    assert [p["login"] for p in first["pages"]] == ["ts.choi", "ts.yoon"] and first["pages"][1]["acked"]
    assert "caller" not in first and "+82" not in str(rows)  # no caller's number on a wall screen
    assert second["step"] == "" and second["stage"] == state.IVR and not second["emergency"]


def test_alerts_newest_first_with_the_episode() -> None:
    key = next(iter(config().queues))
    items = [
        {"queue": key, "level": 2, "changed_at": "2026-12-07T00:50:00+00:00", "paged": "x"},
        {"queue": "gone", "level": 0, "changed_at": "2026-12-07T00:55:00+00:00"},
    ]
    rows = state.alert_rows(items, config())
    assert [(r["queue"], r["episode"], r["paged"]) for r in rows] == [
        ("gone", "OK", False),
        (key, "BREACH", True),
    ]
    assert rows[1]["name"] == config().queues[key].name and rows[1]["changed"].endswith("+09:00")


def test_search_contacts_stages() -> None:
    found = state.live_from_search(
        [
            {"Id": "a"},
            {"Id": "b", "QueueInfo": {"EnqueueTimestamp": NOW}},
            {
                "Id": "c",
                "QueueInfo": {"EnqueueTimestamp": NOW},
                "AgentInfo": {"ConnectedToAgentTimestamp": NOW},
            },
            {"Id": "d", "DisconnectTimestamp": NOW},
        ]
    )
    assert found == [
        state.Live("a", state.IVR),
        state.Live("b", state.QUEUED),
        state.Live("c", state.WITH_AGENT),
    ]


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_every_tab_shares_one_read_per_interval() -> None:
    clock, reads = Clock(), []

    def read(now: datetime) -> dict[str, Any]:
        reads.append(now)
        return {"n": len(reads)}

    snapshots = Snapshots(read, 5, lambda: NOW, clock)
    assert [snapshots.get()["n"] for _ in range(10)] == [1] * 10  # ten polls, one read
    clock.t += 4.9
    assert snapshots.get()["n"] == 1
    clock.t += 0.1
    assert snapshots.get() == {"n": 2, "interval": 5} and len(reads) == 2


def test_a_failed_read_is_an_error_on_the_page_not_a_trace() -> None:
    clock, calls = Clock(), []

    def read(now: datetime) -> dict[str, Any]:
        calls.append(now)
        if len(calls) == 1:
            raise ReadError("no local stack is running; start one with `aicc-ops local up`")
        return {"ok": True}

    snapshots = Snapshots(read, 5, lambda: NOW, clock)
    assert "aicc-ops local up" in snapshots.get()["error"]
    assert "error" in snapshots.get() and len(calls) == 1  # an error is kept for the interval too
    clock.t += 5
    assert snapshots.get()["ok"]


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_on_the_page_and_kept_for_the_interval(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    """A bug (or any error the read does not turn into a ReadError) must not drop the poll, nor make
    every tab's next poll read the target again."""
    if debug:
        monkeypatch.setenv("AICC_DEBUG", "1")
    else:
        monkeypatch.delenv("AICC_DEBUG", raising=False)
    clock, calls = Clock(), []

    def read(now: datetime) -> dict[str, Any]:
        calls.append(now)
        raise KeyError("Contacts")

    snapshots = Snapshots(read, 5, lambda: NOW, clock)
    first = snapshots.get()
    assert first["error"].startswith("unexpected: KeyError") and "'Contacts'" in first["error"]
    assert snapshots.get() is first and len(calls) == 1
    assert "AICC_DEBUG=1" in first["error"]
    # the trace only with AICC_DEBUG (for the bug report): an operator's terminal shows none
    assert [r.exc_info is not None for r in caplog.records] == ([True] if debug else [])
    clock.t += 5
    snapshots.get()
    assert len(calls) == 2
