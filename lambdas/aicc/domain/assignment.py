"""Which agent takes a contact: availability, specialty, workload, then rotation.

Ranking only; recording the pick is the repository's conditional write, and the handler moves on
to the next candidate when another call claimed this one first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aicc.domain.agents import Agent

# Candidates tried in one invocation before giving up: each failed claim means a concurrent call
# took that agent, and the Lambda has a few seconds at most.
MAX_CLAIM_ATTEMPTS = 3

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AssignmentRequest:
    team: str = ""  # "" = any team
    part: str = ""  # preferred part, not a filter: another part's engineer beats no engineer
    skills: frozenset[str] = field(default_factory=frozenset)
    preferred: str = ""  # login tried first when available
    exclude: frozenset[str] = field(default_factory=frozenset)


def split_list(raw: str) -> frozenset[str]:
    """`"EC2, rds,"` → {"EC2", "rds"} (a comma-separated flow parameter)."""
    return frozenset(item.strip() for item in raw.split(",") if item.strip())


def rank(agents: Iterable[Agent], request: AssignmentRequest) -> list[Agent]:
    """Available, non-excluded agents of the team, best first.

    Order: the preferred login; agents of the requested part; more of the requested skills; fewer
    active contacts; fewer handled today; longest since their last assignment (never = longest);
    login, so that equal agents always come out in the same order.
    """
    wanted = {s.casefold() for s in request.skills}

    def key(a: Agent) -> tuple[bool, bool, int, int, int, datetime, str]:
        skills = {s.casefold() for s in a.skills}
        return (
            a.login != request.preferred,
            bool(request.part) and a.part != request.part,
            -len(wanted & skills),
            a.active_contacts,
            a.handled_today,
            a.last_assigned_at or _NEVER,
            a.login,
        )

    eligible = [
        a
        for a in agents
        if a.available and (not request.team or a.team == request.team) and a.login not in request.exclude
    ]
    return sorted(eligible, key=key)
