"""An agent's presence from Connect's agent events: status and live load."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import agent_event, read_event

from aicc.domain.agent_events import AgentEventError, Answer, presence
from aicc.domain.agents import AgentStatus


def test_the_documented_record() -> None:
    p = presence(read_event("connect_agent_event"))
    assert (p.login, p.status, p.active_contacts) == ("ts.park", AgentStatus.BUSY, 1)
    assert p.at == datetime(2026, 11, 25, 1, 0, 5, 181000, tzinfo=UTC)
    assert p.event_type == "STATE_CHANGE"


@pytest.mark.parametrize(
    ("states", "ccp", "status", "active"),
    [
        (("CONNECTING",), "ROUTABLE", AgentStatus.BUSY, 1),  # ringing: offered, not available
        (("CONNECTED_ONHOLD",), "ROUTABLE", AgentStatus.BUSY, 1),
        (("ENDED",), "ROUTABLE", AgentStatus.AFTER_CONTACT_WORK, 0),  # ACW is not load
        (("ENDED", "INCOMING"), "ROUTABLE", AgentStatus.BUSY, 1),  # a callback offered during ACW
        (("MISSED",), "ROUTABLE", AgentStatus.AVAILABLE, 0),
        ((), "ROUTABLE", AgentStatus.AVAILABLE, 0),
        ((), "CUSTOM", AgentStatus.AWAY, 0),  # break, lunch: online, not routable
        ((), "OFFLINE", AgentStatus.OFFLINE, 0),
        (("CONNECTED",), "CUSTOM", AgentStatus.BUSY, 1),  # next status set, still on the call
    ],
)
def test_status_and_live_load(states: tuple[str, ...], ccp: str, status: AgentStatus, active: int) -> None:
    p = presence(agent_event(states=states, ccp=ccp))
    assert (p.status, p.active_contacts) == (status, active)


def test_logout_is_offline_whatever_the_snapshot_says() -> None:
    assert presence(agent_event(event_type="LOGOUT")).status is AgentStatus.OFFLINE


def test_records_without_a_status_type_fall_back_to_the_system_names() -> None:
    event = agent_event(states=())
    del event["CurrentAgentSnapshot"]["AgentStatus"]["Type"]
    assert presence(event).status is AgentStatus.AVAILABLE
    event["CurrentAgentSnapshot"]["AgentStatus"]["Name"] = "점심"
    assert presence(event).status is AgentStatus.AWAY


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(EventType="QUEUE_EVENT"), "EventType 'QUEUE_EVENT'"),
        (lambda e: e.pop("CurrentAgentSnapshot"), "CurrentAgentSnapshot must be an object"),
        (lambda e: e["CurrentAgentSnapshot"]["Configuration"].pop("Username"), "Username is missing"),
        (lambda e: e.update(EventTimestamp="yesterday"), "is not ISO-8601"),
        (lambda e: e["CurrentAgentSnapshot"].update(Contacts="none"), "Contacts must be a list"),
    ],
)
def test_unreadable_records_are_named(change: Any, message: str) -> None:
    event = agent_event()
    change(event)
    with pytest.raises(AgentEventError, match=message):
        presence(event)


def test_the_contacts_the_agent_accepted_are_answered_at_their_connected_time() -> None:
    contact = read_event("connect_agent_event")["CurrentAgentSnapshot"]["Contacts"][0]
    connected = datetime(2026, 11, 25, 1, 0, 5, 120000, tzinfo=UTC)  # its ConnectedToAgentTimestamp
    for state in ("CONNECTED", "CONNECTED_ONHOLD", "ENDED"):  # ACW: still answered (a missed event)
        assert presence(agent_event(states=(state,))).answered == (Answer(contact["ContactId"], connected),)
    for state in ("CONNECTING", "INCOMING", "MISSED", "REJECTED"):  # offered, not accepted
        assert presence(agent_event(states=(state,))).answered == ()
    event = agent_event()
    event["CurrentAgentSnapshot"]["Contacts"][0]["ConnectedToAgentTimestamp"] = None
    unreadable = presence(event)
    assert unreadable.answered == () and unreadable.status is AgentStatus.BUSY  # presence still counts
