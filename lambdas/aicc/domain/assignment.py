"""Which agent takes a contact: availability, specialty, workload, then rotation.

Ranking only; recording the pick is the repository's conditional write, and the handler moves on
to the next candidate when another call claimed this one first.

`handled_today` is a per-day count: it belongs to the Seoul calendar day of the agent's
`last_assigned_at` and counts as 0 on any other day (the claim starts it again at 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from aicc.clock import seoul
from aicc.domain.agents import Agent

# Candidates tried in one invocation before giving up: each failed claim means a concurrent call
# took that agent, and the Lambda has a few seconds at most.
MAX_CLAIM_ATTEMPTS = 3

_NEVER = datetime.min.replace(tzinfo=UTC)

# The day `handled_today` counts in: the contact center's (Korean) calendar day, whatever zone
# the instants are stored or passed in.


@dataclass(frozen=True)
class AssignmentRequest:
    """What an assignment asks for: a team, a part and a preferred engineer."""

    team: str = ""  # "" = any team
    part: str = ""  # preferred part, not a filter: another part's engineer beats no engineer
    skills: frozenset[str] = field(default_factory=frozenset)
    preferred: str = ""  # login tried first when available
    exclude: frozenset[str] = field(default_factory=frozenset)


def split_list(raw: str) -> frozenset[str]:
    """`"EC2, rds,"` → {"EC2", "rds"} (a comma-separated flow parameter)."""
    return frozenset(item.strip() for item in raw.split(",") if item.strip())


def workday(instant: datetime) -> date:
    """The Seoul calendar day of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError(f"instant needs a time zone, got {instant.isoformat()}")
    return instant.astimezone(seoul()).date()  # a Korean working day


def same_workday(earlier: datetime | None, now: datetime) -> bool:
    """Whether `earlier` (None = never) falls on the same Seoul calendar day as `now`."""
    return earlier is not None and workday(earlier) == workday(now)


def handled_today(agent: Agent, now: datetime) -> int:
    """The agent's count for `now`'s Seoul day: the stored count only if it was last assigned that day."""
    return agent.handled_today if same_workday(agent.last_assigned_at, now) else 0


def rank(agents: Iterable[Agent], request: AssignmentRequest, now: datetime) -> list[Agent]:
    """Available, non-excluded agents of the team, best first, as of the aware instant `now`.

    Order: the preferred login; agents of the requested part; more of the requested skills; fewer
    active contacts; fewer handled on `now`'s Seoul day (a count from an earlier day is 0);
    longest since their last assignment (never = longest); login, so that equal agents always
    come out in the same order.
    """
    if now.tzinfo is None:
        raise ValueError(f"now needs a time zone, got {now.isoformat()}")
    wanted = {s.casefold() for s in request.skills}

    def key(a: Agent) -> tuple[bool, bool, int, int, int, datetime, str]:
        skills = {s.casefold() for s in a.skills}
        return (
            a.login != request.preferred,
            bool(request.part) and a.part != request.part,
            -len(wanted & skills),
            a.active_contacts,
            handled_today(a, now),
            a.last_assigned_at or _NEVER,
            a.login,
        )

    eligible = [
        a
        for a in agents
        if a.available and (not request.team or a.team == request.team) and a.login not in request.exclude
    ]
    return sorted(eligible, key=key)
