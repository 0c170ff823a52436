"""Ranking agents: availability, part, skills, workload, rotation, deterministic ties."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aicc.domain.agents import Agent, AgentStatus
from aicc.domain.assignment import AssignmentRequest, handled_today, rank, split_list

AVAILABLE = AgentStatus.AVAILABLE
KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=KST)  # 01:00 UTC


def agent(login: str, **kw: object) -> Agent:
    fields: dict[str, object] = {"name": login, "team": "TS", "part": "TS1", "status": AVAILABLE, **kw}
    return Agent(login=login, **fields)  # type: ignore[arg-type]


def logins(agents: list[Agent]) -> list[str]:
    return [a.login for a in agents]


def test_split_list() -> None:
    assert split_list(" EC2, rds ,,") == frozenset({"EC2", "rds"})
    assert split_list("") == frozenset()


def test_only_available_agents_of_the_team_and_not_excluded() -> None:
    agents = [
        agent("a"),
        agent("busy", status=AgentStatus.BUSY),
        agent("acw", status=AgentStatus.AFTER_CONTACT_WORK),
        agent("off", status=AgentStatus.OFFLINE),
        agent("general", team="GENERAL"),
        agent("excluded"),
    ]
    assert logins(rank(agents, AssignmentRequest(team="TS", exclude=frozenset({"excluded"})), NOW)) == ["a"]
    assert logins(rank(agents, AssignmentRequest(), NOW)) == ["a", "excluded", "general"]  # any team


def test_preferred_first_when_available() -> None:
    agents = [agent("a"), agent("b", handled_today=9)]
    assert logins(rank(agents, AssignmentRequest(team="TS", preferred="b"), NOW)) == ["b", "a"]
    busy = [agent("a"), agent("b", status=AgentStatus.BUSY)]
    assert logins(rank(busy, AssignmentRequest(team="TS", preferred="b"), NOW)) == ["a"]


def test_part_then_skills_then_workload() -> None:
    agents = [
        agent("other-part", part="TS2", skills=frozenset({"EC2", "RDS"})),
        agent("no-skill"),
        agent("one-skill", skills=frozenset({"ec2"}), active_contacts=1),  # skills match case-insensitively
        agent("two-skills", skills=frozenset({"EC2", "RDS"}), handled_today=5),
    ]
    request = AssignmentRequest(team="TS", part="TS1", skills=frozenset({"EC2", "RDS"}))
    assert logins(rank(agents, request, NOW)) == ["two-skills", "one-skill", "no-skill", "other-part"]


def test_workload_then_rotation_then_login() -> None:
    earliest = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    earlier = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    later = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    agents = [
        agent("busy-now", active_contacts=1),
        agent("many-today", handled_today=3, last_assigned_at=earliest),
        agent("recent", handled_today=1, last_assigned_at=later),
        agent("longest-ago", handled_today=1, last_assigned_at=earlier),
        agent("never-b"),
        agent("never-a"),
    ]
    expected = ["never-a", "never-b", "longest-ago", "recent", "many-today", "busy-now"]
    assert logins(rank(agents, AssignmentRequest(team="TS"), NOW)) == expected
    assert logins(rank(list(reversed(agents)), AssignmentRequest(team="TS"), NOW)) == expected


def test_handled_today_counts_on_the_seoul_day_of_the_last_assignment() -> None:
    def handled(last: datetime | None) -> int:
        return handled_today(agent("a", handled_today=4, last_assigned_at=last), NOW)

    assert handled(datetime(2026, 11, 25, 0, 0, tzinfo=KST)) == 4  # Seoul midnight: today
    assert handled(datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) == 4  # yesterday in UTC, today in Seoul
    assert handled(datetime(2026, 11, 24, 23, 59, tzinfo=KST)) == 0  # yesterday in Seoul
    assert handled(datetime(2026, 11, 24, 14, 59, tzinfo=UTC)) == 0  # the same instant, in UTC
    assert handled(datetime(2026, 11, 26, 9, 0, tzinfo=KST)) == 0  # not today either
    assert handled(None) == 0  # a count without an assignment day belongs to no day


def test_a_count_from_an_earlier_seoul_day_ranks_as_zero() -> None:
    # Both were last assigned on 2026-11-24 in UTC; only "today" was assigned on Seoul's 11-25.
    agents = [
        agent("yesterday", handled_today=9, last_assigned_at=datetime(2026, 11, 24, 23, 59, tzinfo=KST)),
        agent("today", handled_today=1, last_assigned_at=datetime(2026, 11, 25, 0, 1, tzinfo=KST)),
    ]
    assert logins(rank(agents, AssignmentRequest(team="TS"), NOW)) == ["yesterday", "today"]
    # The next morning both counts are stale: rotation decides (the longest since assigned first).
    tomorrow = datetime(2026, 11, 26, 9, 0, tzinfo=KST)
    assert logins(rank(agents, AssignmentRequest(team="TS"), tomorrow)) == ["yesterday", "today"]


def test_rank_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="time zone"):
        rank([agent("a")], AssignmentRequest(team="TS"), datetime(2026, 11, 25, 10, 0))
