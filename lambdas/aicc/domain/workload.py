"""Each signed-in agent's workload now, from GetCurrentUserData: Connect publishes no per-agent
metric to CloudWatch, so the SLA monitor publishes these every run. Pure: no boto3.

The dimension AGENT_DIMENSION is the agent's Connect user ID, not the login: logins carry staff
names (ts.choi), and CloudWatch keeps a metric's dimensions 15 months with no way to delete them
(design principle 6: names stay out of logs and metrics). Who an ID is stays where access is
controlled: the Connect instance, `aicc-ops agents list --output json`, `aicc-ops dashboard`. The
ID is also stable from the user's creation, so an agent is one series from their first run.

Every agent is a custom metric per metric name, billed monthly: a run publishes at most
monitoring.yaml's `max_agents` agents (by user ID), and says how many it left out.
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
    agent: str  # the Connect user ID
    contacts: int
    occupancy: float  # percent


def load(data: Mapping[str, Any]) -> AgentLoad | None:
    """One UserDataList entry: its contacts, and its active over maximum slots (all channels);
    None without a user ID."""
    user_id = str((data.get("User") or {}).get("Id") or "")
    if not user_id:
        return None
    active = sum(int(v) for v in (data.get("ActiveSlotsByChannel") or {}).values())
    most = sum(int(v) for v in (data.get("MaxSlotsByChannel") or {}).values())
    occupancy = round(100 * min(active, most) / most, 1) if most > 0 else 0.0
    return AgentLoad(user_id, len(data.get("Contacts") or []), occupancy)


def loads(user_data: Iterable[Mapping[str, Any]], limit: int) -> tuple[list[AgentLoad], int]:
    """The agents' loads by user ID, at most `limit` of them, and how many were left out."""
    found: dict[str, AgentLoad] = {}
    for data in user_data:
        if (one := load(data)) is not None:
            found.setdefault(one.agent, one)
    ordered = [found[k] for k in sorted(found)]
    return ordered[:limit], max(0, len(ordered) - limit)
