"""Repositories and notifier against moto: stored shapes, conditional writes, SNS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.adapters import aws as aws_clients
from aicc.adapters.dynamodb import (
    AgentRepository,
    CallbackRepository,
    CallLogRepository,
    CustomerRepository,
    RosterRepository,
)
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
        "2",
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
