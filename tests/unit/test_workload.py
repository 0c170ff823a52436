"""Agents' workload from GetCurrentUserData entries, bounded by max_agents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aicc.domain.sla import (
    MATCH_TOLERANCE,
    LoggedCaller,
    QueueReading,
    SlaState,
    oldest_logged,
    oldest_window,
)
from aicc.domain.workload import AgentLoad, load, loads


def entry(user_id: str, contacts: int, active: int, most: int) -> dict[str, object]:
    return {
        "User": {"Id": user_id},
        "ActiveSlotsByChannel": {"VOICE": active},
        "MaxSlotsByChannel": {"VOICE": most, "CHAT": 0},
        "Contacts": [{"ContactId": f"c{i}"} for i in range(contacts)],
    }


def test_an_agents_load_is_its_contacts_and_share_of_slots_in_use() -> None:
    assert load(entry("u1", 1, 1, 1)) == AgentLoad("u1", 1, 100.0)
    assert load(entry("u1", 1, 1, 2)) == AgentLoad("u1", 1, 50.0)
    assert load(entry("u1", 0, 0, 0)) == AgentLoad("u1", 0, 0.0)  # no slots: not divided by 0
    assert load({"User": {}}) is None


def test_loads_go_by_user_id_once_each_and_stop_at_the_limit() -> None:
    data = [entry("u3", 0, 0, 1), entry("u1", 1, 1, 1), entry("u2", 0, 0, 1), entry("u1", 1, 1, 1)]
    found, left_out = loads(data, limit=2)
    assert [a.agent for a in found] == ["u1", "u2"] and left_out == 1
    assert loads(data, limit=0) == ([], 3)


NOW = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def caller(contact: str, waited: float) -> LoggedCaller:
    return LoggedCaller(contact, NOW - timedelta(seconds=waited), False, "", 0, False)


def test_the_oldest_caller_is_the_entry_nearest_the_oldest_wait_within_the_tolerance() -> None:
    start, end = oldest_window(NOW, 600)
    assert (start, end) == (
        NOW - timedelta(seconds=600) - MATCH_TOLERANCE,
        NOW - timedelta(seconds=600) + MATCH_TOLERANCE,
    )
    found = oldest_logged([caller("a", 630), caller("b", 595), caller("c", 300)], NOW, 600)
    assert found is not None and found.contact_id == "b"
    left = LoggedCaller("d", NOW - timedelta(seconds=600), False, "", 0, False, left=True)
    found = oldest_logged([caller("b", 595), left], NOW, 600)
    assert found is not None and found.contact_id == "b"  # not the caller who asked for a callback
    assert oldest_logged([left], NOW, 600) is None
    answered = LoggedCaller("e", NOW - timedelta(seconds=600), False, "", 0, False, answered=True)
    found = oldest_logged([caller("b", 595), answered], NOW, 600)
    assert found is not None and found.contact_id == "b"  # not the caller an agent took
    assert oldest_logged([answered], NOW, 600) is None
    too_far = MATCH_TOLERANCE.total_seconds() + 1
    assert oldest_logged([caller("a", 600 + too_far)], NOW, 600) is None


def test_the_sla_share_is_zero_when_nobody_waits() -> None:
    waiting = QueueReading("q", "Q", 900, 1, 450.0, 0, 0, SlaState.OK)
    assert waiting.wait_share == 50.0
    assert QueueReading("q", "Q", 900, 0, 450.0, 0, 0, SlaState.OK).wait_share == 0.0
    assert waiting.caller_text() is None  # the log was not read for a queue that is OK
