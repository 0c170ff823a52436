"""agent_assignment handler: ranking over DynamoDB state and the race-safe claim."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import EventLoader, FakeLambdaContext

from aicc import clock
from aicc.adapters.dynamodb import AgentRepository
from aicc.domain.agents import Agent
from aicc.handlers import agent_assignment
from aicc.handlers._connect import EventError

from .conftest import Tables, agent_arn

KEYS = {"status", "agent_login", "agent_name", "agent_arn", "escalated"}
CONTACT = "4a573372-1f28-4e26-b97b-000000000005"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
Sent = Callable[[], list[dict[str, Any]]]


def assign(connect_event: EventLoader, ctx: FakeLambdaContext, **overrides: Any) -> dict[str, str]:
    with clock.frozen_at(NOW):
        out: dict[str, str] = agent_assignment.handler(
            connect_event("connect_agent_assignment", **overrides), ctx
        )
    assert set(out) == KEYS
    return out


def test_assigns_the_best_match_and_records_it(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    # ts.park has both requested skills (EC2, RDS); ts.choi and ts.yoon one each.
    assert assign(connect_event, lambda_context) == {
        "status": "ASSIGNED",
        "agent_login": "ts.park",
        "agent_name": "박준영",
        "agent_arn": agent_arn("ts.park"),
        "escalated": "false",
    }
    park = tables.agent("ts.park")
    assert (park["active_contacts"], park["handled_today"]) == ("1", "1")
    assert park["last_assigned_at"] == "2026-11-25T01:00:00.000+00:00"
    assert park["last_contact_id"] == CONTACT
    log = tables.call_log(CONTACT)
    assert log is not None
    assert (log["assignment_status"], log["assigned_agent"]) == ("ASSIGNED", "ts.park")


def test_rotation_moves_on_to_the_next_agent(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    params = {"skills": "", "part": ""}
    picks = [
        assign(connect_event, lambda_context, parameters=params, contact_id=f"c-{i}")["agent_login"]
        for i in range(4)
    ]
    assert picks == ["ts.choi", "ts.park", "ts.yoon", "ts.choi"]


def test_preferred_and_excluded(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    assert (
        assign(connect_event, lambda_context, parameters={"preferred": "ts.yoon"})["agent_login"] == "ts.yoon"
    )
    out = assign(connect_event, lambda_context, parameters={"exclude": "ts.park, ts.yoon"}, contact_id="c-2")
    assert out["agent_login"] == "ts.choi"


def test_no_agent_escalates_to_the_manager_once(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    expected = {
        "status": "NO_AGENT",
        "agent_login": "",
        "agent_name": "",
        "agent_arn": "",
        "escalated": "true",
    }
    params = {"exclude": "ts.park,ts.choi,ts.yoon"}
    assert assign(connect_event, lambda_context, parameters=params) == expected
    assert assign(connect_event, lambda_context, parameters=params) == expected
    sent = topic()
    assert [(n["kind"], n.get("login"), n["subject"]) for n in sent] == [
        ("assignment", "mgr.kim", "[배정 실패] TS 팀 TS1 파트 가용 상담원 없음")
    ]
    log = tables.call_log(CONTACT)
    assert log is not None and log["assignment_status"] == "NO_AGENT"


def test_general_team(tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    out = assign(
        connect_event, lambda_context, parameters={"team": "general", "part": "", "skills": "Billing"}
    )
    assert out["agent_login"] == "ga.han"  # ga.oh is BUSY


def test_a_concurrent_claim_makes_the_handler_take_the_next_candidate(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_by_team = AgentRepository.by_team

    def by_team_then_raced(self: AgentRepository, team: str) -> list[Agent]:
        agents = real_by_team(self, team)
        # Another Lambda claims ts.park between our read and our write.
        rival = AgentRepository()
        park = rival.get("ts.park")
        assert park is not None and rival.claim(park, "rival-contact", NOW)
        return agents

    monkeypatch.setattr(AgentRepository, "by_team", by_team_then_raced)
    out = assign(connect_event, lambda_context)
    assert out["agent_login"] == "ts.choi"  # next best: one skill each with ts.yoon, then by login
    park = tables.agent("ts.park")
    assert (park["active_contacts"], park["last_contact_id"]) == ("1", "rival-contact")


def test_when_every_candidate_is_taken_it_is_no_agent(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(AgentRepository, "claim", lambda self, agent, contact_id, now: False)
    assert assign(connect_event, lambda_context)["status"] == "NO_AGENT"


@pytest.mark.parametrize(
    ("params", "message"), [({"team": None}, "'team' is required"), ({"team": "SALES"}, "team must")]
)
def test_bad_team(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    params: dict[str, str | None],
    message: str,
) -> None:
    with pytest.raises(EventError, match=message):
        assign(connect_event, lambda_context, parameters=params)
