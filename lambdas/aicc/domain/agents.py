"""Agents and part rosters, as the escalation chain and the assignment ranking see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AgentStatus(StrEnum):
    AVAILABLE = "AVAILABLE"
    BUSY = "BUSY"
    AFTER_CONTACT_WORK = "AFTER_CONTACT_WORK"
    AWAY = "AWAY"  # signed in with a custom, non-routable CCP status (break, lunch, training)
    OFFLINE = "OFFLINE"


@dataclass(frozen=True)
class Agent:
    """An agent of the agents table: who they are, where they work and their live state."""

    login: str
    name: str
    team: str
    part: str = ""
    email: str = ""
    skills: frozenset[str] = field(default_factory=frozenset)
    user_arn: str = ""
    routing_profile: str = ""
    status: AgentStatus = AgentStatus.OFFLINE
    active_contacts: int = 0
    handled_today: int = 0
    last_assigned_at: datetime | None = None  # aware; None = never assigned
    mobile: str = ""  # E.164; where an on-call engineer who is not signed in is paged

    @property
    def available(self) -> bool:
        return self.status is AgentStatus.AVAILABLE


@dataclass(frozen=True)
class Roster:
    """A part's escalation roster: its members in order and its manager."""

    part: str
    name: str
    members: tuple[str, ...]  # logins, in escalation order
    manager: str = ""  # login; "" when the part has none
