"""Each signed-in agent's workload now, from GetCurrentUserData: Connect publishes no per-agent
metric to CloudWatch, so the SLA monitor publishes these every run (dimension AGENT_DIMENSION, the
agent's login). Pure: no boto3.

Every agent is a custom metric per metric name, billed monthly: a run publishes at most
monitoring.yaml's `max_agents` agents (by login), and says how many it left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

AGENT_DIMENSION = "Agent"
CONTACTS = "AgentContacts"  # contacts the agent is on now (any state: offered, connected, on hold)
OCCUPANCY = "AgentOccupancy"  # percent of the agent's slots in use (routing profile concurrency)
METRICS = (CONTACTS, OCCUPANCY)


@dataclass(frozen=True)
class AgentLoad:
    login: str
    contacts: int
    occupancy: float  # percent


def load(data: Mapping[str, Any], login: str) -> AgentLoad:
    """One UserDataList entry: its contacts, and its active over maximum slots (all channels)."""
    active = sum(int(v) for v in (data.get("ActiveSlotsByChannel") or {}).values())
    most = sum(int(v) for v in (data.get("MaxSlotsByChannel") or {}).values())
    occupancy = round(100 * min(active, most) / most, 1) if most > 0 else 0.0
    return AgentLoad(login, len(data.get("Contacts") or []), occupancy)


def loads(
    user_data: Iterable[Mapping[str, Any]], logins: Mapping[str, str], limit: int
) -> tuple[list[AgentLoad], int]:
    """The agents' loads by login, at most `limit` of them, and how many were left out. A user
    without a known login (created since the logins were read) goes by its user ID."""
    found: dict[str, AgentLoad] = {}
    for data in user_data:
        user_id = str((data.get("User") or {}).get("Id", ""))
        login = logins.get(user_id) or user_id
        if login:
            found.setdefault(login, load(data, login))
    ordered = [found[k] for k in sorted(found)]
    return ordered[:limit], max(0, len(ordered) - limit)
