"""Repositories and notifier against moto: stored shapes, conditional writes, SNS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aicc.adapters import aws as aws_clients
from aicc.adapters.agents import AgentRepository, RosterRepository
from aicc.adapters.call_logs import CallLogRepository
from aicc.adapters.callbacks import CallbackRepository
from aicc.adapters.customers import CustomerRepository
from aicc.adapters.notifier import Notifier
from aicc.domain.agents import Agent, AgentStatus, Roster
from aicc.domain.callbacks import Callback, CallbackReason
from aicc.domain.customers import Customer, Tier
from aicc.domain.notices import Notice

from .conftest import Tables

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
NOTICE = Notice("page", "[긴급 장애] 테스트", "본문", {"kind": "page", "login": "ts.park", "part": ""})


def test_clients_are_created_lazily_and_reused(aws: dict[str, str]) -> None:
    assert aws_clients.dynamodb() is aws_clients.dynamodb()
    first = aws_clients.dynamodb()
    aws_clients.reset()
    assert aws_clients.dynamodb() is not first


def test_reads_seeded_items(tables: Tables) -> None:
    customer = CustomerRepository().get("C-HANBIT")
    assert customer is not None
    assert (customer.tier, customer.aliases, customer.sales_rep_phone) == (
        Tier.MSP,
        ("Hanbit Financial", "한빛"),
        "+821055501002",
    )
    assert sorted(c.customer_id for c in CustomerRepository().by_last4("1234")) == [
        "C-SALTWARE-KMJ",
        "C-SALTWARE-KMS",
    ]
    assert [c.customer_id for c in CustomerRepository().by_phone("+821023456789")] == ["C-HANBIT"]
    assert CustomerRepository().get("") is None
    park = AgentRepository().get("ts.park")
    assert park is not None
    assert (park.status, park.skills, park.last_assigned_at, park.active_contacts) == (
        AgentStatus.AVAILABLE,
        frozenset({"EC2", "VPC", "RDS"}),
        None,
        0,
    )
    assert RosterRepository().get("TS1") == Roster(
        "TS1", "기술지원 1파트", ("ts.park", "ts.choi", "ts.yoon"), "mgr.kim"
    )
    assert set(AgentRepository().get_many(["ts.park", "mgr.kim", "nobody", ""])) == {"ts.park", "mgr.kim"}


def test_unknown_agent_status_is_never_routable(tables: Tables) -> None:
    tables.set_status("ts.park", "ON_BREAK")
    agent = AgentRepository().get("ts.park")
    assert agent is not None and agent.status is AgentStatus.OFFLINE and not agent.available


def test_round_trip_of_written_records(aws: dict[str, str]) -> None:
    customer = Customer(
        "C-1",
        "솔트웨어",
        "김민준",
        "+821012345678",
        "123456781234",
        "1234",
        Tier.MSP,
        "TS1",
        aliases=("Saltware",),
    )
    CustomerRepository().put(customer)
    assert CustomerRepository().get("C-1") == customer
    agent = Agent(
        "a.b",
        "에이",
        "TS",
        "TS1",
        "a@b.c",
        frozenset({"EC2"}),
        "arn:x",
        "msp_ts_engineer",
        AgentStatus.BUSY,
        2,
        5,
        NOW,
    )
    AgentRepository().put(agent)
    assert AgentRepository().get("a.b") == agent
    roster = Roster("TS9", "9파트", ("a.b",), "")
    RosterRepository().put(roster)
    assert RosterRepository().get("TS9") == roster


def test_claim_is_optimistic_on_status_and_last_assignment(tables: Tables) -> None:
    mine, theirs = AgentRepository(), AgentRepository()
    park_mine, park_theirs = mine.get("ts.park"), theirs.get("ts.park")
    assert park_mine is not None and park_theirs is not None
    assert theirs.claim(park_theirs, "contact-a", NOW)
    assert not mine.claim(park_mine, "contact-b", NOW)  # read before their claim: lost
    again = mine.get("ts.park")
    assert again is not None and mine.claim(again, "contact-b", NOW)  # fresh read: fine
    stored = tables.agent("ts.park")
    assert (stored["active_contacts"], stored["handled_today"], stored["last_contact_id"]) == (
        "0",  # live load: Connect's agent events keep it, a claim never does
        "2",
        "contact-b",
    )
    tables.set_status("ts.park", "BUSY")
    assert not mine.claim(again, "contact-c", NOW)


def test_claim_compares_the_stored_timestamp_as_written(tables: Tables) -> None:
    # Written by some other tool in another ISO form: still claimable after a read.
    tables.put(
        "AGENTS_TABLE",
        {
            "login": "x.y",
            "name": "엑스",
            "team": "TS",
            "status": "AVAILABLE",
            "last_assigned_at": "2026-11-24T09:00:00Z",
        },
    )
    repo = AgentRepository()
    agent = repo.get("x.y")
    assert agent is not None and agent.last_assigned_at == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert repo.claim(agent, "c", NOW)


def test_claim_counts_handled_today_per_seoul_day_and_leaves_live_load_alone(tables: Tables) -> None:
    tables.put(
        "AGENTS_TABLE",
        {
            "login": "x.y",
            "name": "엑스",
            "team": "TS",
            "status": "AVAILABLE",
            "active_contacts": 3,
            "handled_today": 7,
            "last_assigned_at": "2026-11-23T05:00:00.000+00:00",
        },
    )
    repo = AgentRepository()
    agent = repo.get("x.y")
    assert agent is not None

    def claim(at: str) -> tuple[str, str, str]:
        assert repo.claim(agent, f"contact-{at}", datetime.fromisoformat(at))
        stored = tables.agent("x.y")
        return stored["handled_today"], stored["active_contacts"], stored["last_assigned_at"]

    # 23:59 on 11-24 in Seoul: a new day since the 11-23 assignment, so the count starts again.
    assert claim("2026-11-24T14:59:00+00:00") == ("1", "3", "2026-11-24T14:59:00.000+00:00")
    # One minute later it is 11-25 in Seoul (the same UTC day): again a new day.
    assert claim("2026-11-24T15:00:00+00:00") == ("1", "3", "2026-11-24T15:00:00.000+00:00")
    # 10:00 on 11-25 in Seoul (the next UTC day): the same Seoul day, so it adds up.
    assert claim("2026-11-25T01:00:00+00:00") == ("2", "3", "2026-11-25T01:00:00.000+00:00")
    assert claim("2026-11-25T08:00:00+09:00") == ("3", "3", "2026-11-24T23:00:00.000+00:00")


def test_the_day_decision_rests_on_the_value_the_condition_pins(tables: Tables) -> None:
    # We read yesterday's assignment (our write would set 1); a rival claims first today: our
    # claim must fail rather than reset the rival's count.
    tables.put(
        "AGENTS_TABLE",
        {
            "login": "x.y",
            "name": "엑스",
            "team": "TS",
            "status": "AVAILABLE",
            "handled_today": 5,
            "last_assigned_at": "2026-11-24T01:00:00.000+00:00",
        },
    )
    mine, theirs = AgentRepository(), AgentRepository()
    agent_mine, agent_theirs = mine.get("x.y"), theirs.get("x.y")
    assert agent_mine is not None and agent_theirs is not None
    assert theirs.claim(agent_theirs, "rival", NOW)
    assert not mine.claim(agent_mine, "mine", NOW + timedelta(seconds=1))
    stored = tables.agent("x.y")
    assert (stored["handled_today"], stored["last_contact_id"]) == ("1", "rival")


class _RetriedWrites:
    """A DynamoDB client whose update_item is sent twice, as botocore does when the first
    attempt's response is lost (read timeout, 5xx): the first write is applied, the retry answers."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def update_item(self, **kwargs: Any) -> Any:
        self._client.update_item(**kwargs)
        return self._client.update_item(**kwargs)


def test_a_retried_claim_that_finds_its_own_write_is_a_claim(tables: Tables) -> None:
    client: Any = _RetriedWrites(aws_clients.dynamodb())  # duck-typed DynamoDBClient
    repo = AgentRepository(client)
    park = repo.get("ts.park")
    assert park is not None
    assert repo.claim(park, "contact-a", NOW)  # the retry failed the condition on our own write
    stored = tables.agent("ts.park")
    assert (stored["last_contact_id"], stored["handled_today"]) == ("contact-a", "1")
    # Someone else's claim is still a lost race, retried or not.
    stale = AgentRepository(client)
    choi = stale.get("ts.choi")
    assert choi is not None and AgentRepository().claim(choi, "rival", NOW)
    assert not stale.claim(choi, "contact-b", NOW + timedelta(seconds=1))


def test_notification_claims_are_once_per_key(aws: dict[str, str]) -> None:
    logs = CallLogRepository()
    assert logs.claim_notification("c-1", "page:0", NOW, 2_000_000_000)
    assert not logs.claim_notification("c-1", "page:0", NOW, 2_000_000_000)
    assert logs.claim_notification("c-1", "page:1", NOW, 2_000_000_000)
    logs.release_notification("c-1", "page:0")
    assert logs.claim_notification("c-1", "page:0", NOW, 2_000_000_000)
    item = logs.get("c-1")
    assert item is not None and item["notified"] == {"page:0", "page:1"}


def test_send_once_releases_the_claim_when_sending_fails(
    aws: dict[str, str], topic: Callable[[], list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    logs, notifier = CallLogRepository(), Notifier()

    class Broken:
        def publish(self, **kwargs: Any) -> dict[str, str]:
            raise RuntimeError("SNS down")

    broken = Notifier(client=Broken(), topic_arn=notifier.topic_arn)  # type: ignore[arg-type]
    assert not broken.send_once(NOTICE, "c-1", "page:0", logs, NOW)  # logged, not raised
    assert "notification failed" in caplog.text
    assert notifier.send_once(NOTICE, "c-1", "page:0", logs, NOW)  # the retry sends it
    assert notifier.send_once(NOTICE, "c-1", "page:0", logs, NOW)  # already out: not sent again
    assert [(n["subject"], n["kind"], n["login"]) for n in topic()] == [
        ("[긴급 장애] 테스트", "page", "ts.park")
    ]


def test_notifier_without_topic_only_logs(aws: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    assert Notifier().send(NOTICE) == ""
    assert "notification (no topic configured, not sent)" in caplog.text


def test_callback_registration_is_once_per_contact(aws: dict[str, str]) -> None:
    from zoneinfo import ZoneInfo

    due = datetime(2026, 11, 25, 15, 20, tzinfo=ZoneInfo("Asia/Seoul"))
    first = Callback("c-1", "+821012345678", CallbackReason.LONG_WAIT, "General Customer", NOW, due, "C-1")
    repo = CallbackRepository()
    assert repo.register(first)
    assert not repo.register(
        Callback("c-1", "+8221234567", CallbackReason.AFTER_HOURS, "After Hours", NOW, due)
    )
    stored = repo.get("c-1")
    assert stored == first
    assert stored is not None and stored.due_at.utcoffset() == due.utcoffset()
