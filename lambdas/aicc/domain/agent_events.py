"""An agent's presence from Connect's agent event stream: status and live load.

Connect publishes an event whenever an agent's CCP status or one of their contacts changes, and a
heartbeat every 120 s otherwise; each carries the agent's whole current snapshot, so the latest
event alone says where the agent stands (an older one, delivered late, must not win).

Status, as the agents table keeps it (what assignment and escalation route on):
- a contact offered or in conversation (INCOMING, PENDING, CONNECTING, CONNECTED,
  CONNECTED_ONHOLD): BUSY, whatever the CCP status says;
- only after-contact work (ENDED, until the contact leaves the snapshot): AFTER_CONTACT_WORK;
- no contact: the CCP status's type: ROUTABLE -> AVAILABLE, OFFLINE -> OFFLINE, a custom status
  (break, lunch, training) -> AWAY; a LOGOUT event -> OFFLINE.

`active_contacts` counts the contacts offered or in conversation (after-contact work is not load).

`answered`: the contacts the agent has accepted (CONNECTED, on hold, or ENDED in after-contact work)
and when (ConnectedToAgentTimestamp), for the call log's `answered_at`. Every snapshot restates
them until the contact leaves it; the call log keeps the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aicc.clock import parse_instant
from aicc.domain.agents import AgentStatus

IN_CONTACT = frozenset({"INCOMING", "PENDING", "CONNECTING", "CONNECTED", "CONNECTED_ONHOLD"})
AFTER_CONTACT = frozenset({"ENDED"})
# The agent accepted the contact: ConnectedToAgentTimestamp is set from CONNECTED on.
ANSWERED = frozenset({"CONNECTED", "CONNECTED_ONHOLD", "ENDED"})
EVENT_TYPES = frozenset({"LOGIN", "LOGOUT", "STATE_CHANGE", "HEART_BEAT"})


class AgentEventError(ValueError):
    """A record that is not an agent event this code can read (logged and skipped, never retried)."""


@dataclass(frozen=True)
class Answer:
    """A contact an agent accepted: its ContactId (the call log's key: the contact the flows ran
    for, not InitialContactId, which names the first contact of a transfer chain) and when."""

    contact_id: str
    at: datetime  # ConnectedToAgentTimestamp, aware UTC


@dataclass(frozen=True)
class Presence:
    """An agent's live state from one Connect agent event: status, contacts and when."""

    login: str  # the Connect username (the agents table's key)
    status: AgentStatus
    active_contacts: int
    at: datetime  # EventTimestamp, aware UTC: a later event wins
    event_type: str
    contact_ids: tuple[str, ...] = ()  # the agent's contacts in this snapshot (for the log lines)
    answered: tuple[Answer, ...] = ()


def _instant(value: Any) -> datetime:
    parsed = parse_instant(value)
    if parsed is None:
        raise AgentEventError(
            f"EventTimestamp {value!r} is not ISO-8601" if value else "EventTimestamp is missing"
        )
    return parsed


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AgentEventError(f"{where} must be an object")
    return value


def ccp_status(kind: str | None, name: str | None) -> AgentStatus:
    """An agent's CCP status without a contact, by the status's type (ROUTABLE, OFFLINE, CUSTOM);
    where no type is given (older records, GetCurrentUserData), by the names of the system
    statuses, Available and Offline; any other status is a custom one (break, lunch): AWAY."""
    found = str(kind or "").upper()
    if not found:
        system = {"AVAILABLE": "ROUTABLE", "OFFLINE": "OFFLINE"}
        found = system.get(str(name or "").upper(), "CUSTOM" if name else "OFFLINE")
    return {"ROUTABLE": AgentStatus.AVAILABLE, "OFFLINE": AgentStatus.OFFLINE}.get(found, AgentStatus.AWAY)


def presence(event: Mapping[str, Any]) -> Presence:
    """The agent's presence after this event. Raises AgentEventError for a malformed record."""
    event_type = event.get("EventType")
    if event_type not in EVENT_TYPES:
        raise AgentEventError(f"EventType {event_type!r} is not an agent event type")
    snapshot = _mapping(event.get("CurrentAgentSnapshot"), "CurrentAgentSnapshot")
    configuration = _mapping(snapshot.get("Configuration"), "CurrentAgentSnapshot.Configuration")
    login = configuration.get("Username")
    if not isinstance(login, str) or not login:
        raise AgentEventError("CurrentAgentSnapshot.Configuration.Username is missing")
    contacts = snapshot.get("Contacts") or []
    if not isinstance(contacts, list):
        raise AgentEventError("CurrentAgentSnapshot.Contacts must be a list")
    states = [str(_mapping(c, "a contact").get("State", "")) for c in contacts]
    active = sum(state in IN_CONTACT for state in states)
    if event_type == "LOGOUT":
        status, active = AgentStatus.OFFLINE, 0
    elif active:
        status = AgentStatus.BUSY
    elif any(state in AFTER_CONTACT for state in states):
        status = AgentStatus.AFTER_CONTACT_WORK
    else:
        agent_status = _mapping(snapshot.get("AgentStatus") or {}, "AgentStatus")
        status = ccp_status(agent_status.get("Type"), agent_status.get("Name"))
    return Presence(
        login=login,
        status=status,
        active_contacts=active,
        at=_instant(event.get("EventTimestamp")),
        event_type=str(event_type),
        contact_ids=tuple(str(c.get("ContactId")) for c in contacts if c.get("ContactId")),
        answered=tuple(a for a in map(_answer, contacts) if a is not None),
    )


def _answer(contact: Mapping[str, Any]) -> Answer | None:
    """The contact as answered, when the agent accepted it; a contact without its ID or a readable
    ConnectedToAgentTimestamp is not (the agent's presence still counts)."""
    at = parse_instant(contact.get("ConnectedToAgentTimestamp"))
    contact_id = contact.get("ContactId")
    if contact.get("State") not in ANSWERED or at is None or not (isinstance(contact_id, str) and contact_id):
        return None
    return Answer(contact_id, at)
