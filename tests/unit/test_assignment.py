"""Ranking agents: availability, part, skills, workload, rotation, deterministic ties."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.domain.agents import Agent, AgentStatus
from aicc.domain.assignment import AssignmentRequest, rank, split_list

AVAILABLE = AgentStatus.AVAILABLE


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
    assert logins(rank(agents, AssignmentRequest(team="TS", exclude=frozenset({"excluded"})))) == ["a"]
    assert logins(rank(agents, AssignmentRequest())) == ["a", "excluded", "general"]  # any team


def test_preferred_first_when_available() -> None:
    agents = [agent("a"), agent("b", handled_today=9)]
    assert logins(rank(agents, AssignmentRequest(team="TS", preferred="b"))) == ["b", "a"]
    busy = [agent("a"), agent("b", status=AgentStatus.BUSY)]
    assert logins(rank(busy, AssignmentRequest(team="TS", preferred="b"))) == ["a"]


def test_part_then_skills_then_workload() -> None:
    agents = [
        agent("other-part", part="TS2", skills=frozenset({"EC2", "RDS"})),
        agent("no-skill"),
        agent("one-skill", skills=frozenset({"ec2"}), active_contacts=1),  # skills match case-insensitively
        agent("two-skills", skills=frozenset({"EC2", "RDS"}), handled_today=5),
    ]
    request = AssignmentRequest(team="TS", part="TS1", skills=frozenset({"EC2", "RDS"}))
    assert logins(rank(agents, request)) == ["two-skills", "one-skill", "no-skill", "other-part"]


def test_workload_then_rotation_then_login() -> None:
    earlier = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    later = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    agents = [
        agent("busy-now", active_contacts=1),
        agent("many-today", handled_today=3),
        agent("recent", handled_today=1, last_assigned_at=later),
        agent("longest-ago", handled_today=1, last_assigned_at=earlier),
        agent("never-b", handled_today=1),
        agent("never-a", handled_today=1),
    ]
    expected = ["never-a", "never-b", "longest-ago", "recent", "many-today", "busy-now"]
    assert logins(rank(agents, AssignmentRequest(team="TS"))) == expected
    assert logins(rank(list(reversed(agents)), AssignmentRequest(team="TS"))) == expected
