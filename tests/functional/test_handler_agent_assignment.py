"""agent_assignment handler: ranking over DynamoDB state and the race-safe claim."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import EventLoader, FakeLambdaContext

from aicc import clock
from aicc.adapters.agents import AgentRepository
from aicc.domain.agents import Agent
from aicc.handlers import agent_assignment
from aicc.handlers._connect import EventError

from .aws_requests import handler_requests
from .conftest import AGENTS, Tables, agent_arn

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
    assert (park["active_contacts"], park["handled_today"]) == ("0", "1")  # the pick is not live load
    assert park["last_assigned_at"] == "2026-11-25T01:00:00.000+00:00"
    assert park["last_contact_id"] == CONTACT
    # The flow keeps the outcome in the contact attributes; the call log's next write records it.
    assert tables.call_log(CONTACT) is None


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
    assert log is not None and log["notified"] == {"assignment:TS:TS1"}


def test_nobody_free_is_one_call_log_write_the_notice_claim(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    params = {"exclude": "ts.park,ts.choi,ts.yoon"}
    with handler_requests() as sent:
        assign(connect_event, lambda_context, parameters=params)
    assert sent == ["Query", "GetItem", "GetItem", "UpdateItem", "Publish"]  # team, roster, manager
    with handler_requests() as sent:
        assign(connect_event, lambda_context, parameters=params)  # retried: the claim fails, no notice
    assert sent == ["Query", "GetItem", "GetItem", "UpdateItem"]
    assert len(topic()) == 1


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
    assert (park["handled_today"], park["last_contact_id"]) == ("1", "rival-contact")
    assert tables.agent("ts.choi")["last_contact_id"] == CONTACT


def test_when_every_candidate_is_taken_it_is_no_agent(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(AgentRepository, "claim", lambda self, agent, contact_id, now: False)
    assert assign(connect_event, lambda_context)["status"] == "NO_AGENT"


def test_handled_today_is_counted_per_seoul_day(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    # All three were last assigned on 2026-11-24 in UTC. In Seoul, ts.choi's 5 are from yesterday
    # (23:30 on 11-24); ts.park's 1 and ts.yoon's 2 are from today (00:30 and 01:00 on 11-25).
    for login, handled, last in [
        ("ts.choi", 5, "2026-11-24T14:30:00.000+00:00"),
        ("ts.park", 1, "2026-11-24T15:30:00.000+00:00"),
        ("ts.yoon", 2, "2026-11-24T16:00:00.000+00:00"),
    ]:
        agent = next(a for a in AGENTS if a["login"] == login)
        tables.put(
            "AGENTS_TABLE",
            {**agent, "user_arn": agent_arn(login), "handled_today": handled, "last_assigned_at": last},
        )
    params = {"skills": "", "part": ""}
    assert (
        assign(connect_event, lambda_context, parameters=params, contact_id="c-1")["agent_login"] == "ts.choi"
    )
    choi = tables.agent("ts.choi")
    assert (choi["handled_today"], choi["last_assigned_at"]) == ("1", "2026-11-25T01:00:00.000+00:00")
    assert "active_contacts" not in choi  # never written by an assignment
    # Now ts.choi and ts.park have 1 each today; ts.park has waited longer, and adds to today's count.
    assert (
        assign(connect_event, lambda_context, parameters=params, contact_id="c-2")["agent_login"] == "ts.park"
    )
    assert tables.agent("ts.park")["handled_today"] == "2"


def test_losing_every_claim_to_concurrent_calls_is_no_agent_after_three_tries(
    tables: Tables,
    topic: Sent,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tables.put(
        "AGENTS_TABLE",
        {"login": "ts.han", "name": "한지민", "team": "TS", "part": "TS1", "status": "AVAILABLE"},
    )
    real_by_team, real_claim = AgentRepository.by_team, AgentRepository.claim
    tried: list[str] = []

    def by_team_then_raced(self: AgentRepository, team: str) -> list[Agent]:
        agents = real_by_team(self, team)
        for agent in agents:  # other Lambdas claim every candidate between our read and our writes
            rival = AgentRepository()
            fresh = rival.get(agent.login)
            assert fresh is not None and (not fresh.available or rival.claim(fresh, "rival", NOW))
        return agents

    def counting_claim(self: AgentRepository, agent: Agent, contact_id: str, now: datetime) -> bool:
        if contact_id == CONTACT:  # ours, not the rivals'
            tried.append(agent.login)
        return real_claim(self, agent, contact_id, now)

    monkeypatch.setattr(AgentRepository, "by_team", by_team_then_raced)
    monkeypatch.setattr(AgentRepository, "claim", counting_claim)
    out = assign(connect_event, lambda_context)
    assert (out["status"], out["agent_login"], out["escalated"]) == ("NO_AGENT", "", "true")
    assert tried == ["ts.park", "ts.choi", "ts.yoon"]  # 4 candidates, 3 tries
    assert [n["kind"] for n in topic()] == ["assignment"]
    assert all(
        tables.agent(login)["last_contact_id"] == "rival"
        for login in ("ts.park", "ts.choi", "ts.yoon", "ts.han")
    )
    log = tables.call_log(CONTACT)
    assert log is not None and log["notified"] == {"assignment:TS:TS1"}


def test_a_retried_claim_never_takes_a_second_agent(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_client = AgentRepository.client

    class RetriedWrites:
        """update_item sent twice, as botocore retries a write whose response was lost."""

        def __init__(self, client: Any) -> None:
            self._client = client

        def __getattr__(self, name: str) -> Any:
            return getattr(self._client, name)

        def update_item(self, **kwargs: Any) -> Any:
            self._client.update_item(**kwargs)
            return self._client.update_item(**kwargs)

    monkeypatch.setattr(
        AgentRepository, "client", property(lambda self: RetriedWrites(real_client.__get__(self)))
    )
    out = assign(connect_event, lambda_context)
    assert (out["status"], out["agent_login"]) == ("ASSIGNED", "ts.park")
    claimed = [a["login"] for a in AGENTS if tables.agent(a["login"]).get("last_contact_id") == CONTACT]
    assert claimed == ["ts.park"]
    assert tables.agent("ts.park")["handled_today"] == "1"


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
