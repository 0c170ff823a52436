"""The people an escalation step may look at (aicc.adapters.escalation_reads.PeopleOnDemand): the
agents read with the step's first request are made Agents only when the walk looks at them, the
others read together on first use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from aicc.adapters.agents import AgentRepository, _agent
from aicc.adapters.escalation_reads import PeopleOnDemand
from aicc.domain.agents import Agent


class Agents:
    """Stands in for AgentRepository: what it made Agents of, and what it read."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self.read: list[list[str]] = []

    def from_item(self, item: Mapping[str, Any]) -> Agent:
        self.made.append(item["login"])
        return _agent(item)

    def get_many(self, logins: Iterable[str]) -> dict[str, Agent]:
        self.read.append(list(logins))
        return {login: _agent({"login": login}) for login in self.read[-1] if login != "gone"}


def item(login: str) -> dict[str, Any]:
    return {"login": login, "name": login.upper(), "status": "AVAILABLE"}


def test_people_are_made_agents_when_looked_at_and_the_unread_read_once() -> None:
    agents = Agents()
    items = {login: item(login) for login in ("ts.park", "ts.choi", "not.wanted")}
    people = PeopleOnDemand(
        cast(AgentRepository, agents), items, ["ts.park", "ts.choi", "", "kim", "gone", "ts.park"]
    )
    assert people["ts.park"].name == "TS.PARK" and people.get("ts.park") is people["ts.park"]
    assert people.get("not.wanted") is None and people.get("nobody") is None
    assert (agents.made, agents.read) == (["ts.park"], [])  # a walk that stops at the primary
    assert people["kim"].login == "kim" and people.get("gone") is None
    assert agents.read == [["kim", "gone"]]
    assert list(people) == ["ts.park", "ts.choi", "kim"] and len(people) == 3
    assert (agents.made, agents.read) == (["ts.park", "ts.choi"], [["kim", "gone"]])
