"""call_log handler: one item per contact, merged and repeatable."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from helpers import EventLoader, FakeLambdaContext, metrics_emitted

from aicc import clock
from aicc.adapters.call_logs import CallLogRepository
from aicc.handlers.call_log import handler

from .aws_requests import handler_requests
from .conftest import Tables

KST = ZoneInfo("Asia/Seoul")
CONTACT = "4a573372-1f28-4e26-b97b-000000000003"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


def log(connect_event: EventLoader, ctx: FakeLambdaContext, when: str, **overrides: object) -> dict[str, str]:
    with clock.frozen_at(at(when)):
        out: dict[str, str] = handler(connect_event("connect_call_log", **overrides), ctx)
    return out


def test_first_write_creates_the_item(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    assert log(connect_event, lambda_context, "2026-11-25T10:00") == {"logged": "true", "contact_id": CONTACT}
    item = tables.call_log(CONTACT)
    assert item is not None
    expires = item.pop("expires_at")
    assert int(expires) == int(at("2026-11-25T10:00").timestamp()) + 3 * 366 * 86400
    assert item == {
        "contact_id": CONTACT,
        "created_at": "2026-11-25T01:00:00.000+00:00",
        "created_day": "2026-11-25",  # Asia/Seoul: the reports' created-index
        "queued_at": "2026-11-25T01:00:00.000+00:00",
        "events": {"queued"},
        "customer_id": "C-SALTWARE-KMJ",
        "company": "솔트웨어",
        "contact_name": "김민준",
        "customer_class": "MSP",
        "tier": "MSP",
        "part": "TS1",
        "queue": "MSP General",
        "inquiry_type": "general",
        "emergency": False,
        "caller": "+82-10-****-5678",
        "path": ["main", "auth", "msp_menu", "msp_general"],
    }


def test_rerunning_the_same_input_changes_nothing(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    log(connect_event, lambda_context, "2026-11-25T10:00")
    first = tables.call_log(CONTACT)
    log(connect_event, lambda_context, "2026-11-25T10:05")  # a retry, minutes later
    assert tables.call_log(CONTACT) == first


def test_later_events_merge_without_erasing(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    log(connect_event, lambda_context, "2026-11-25T10:00")
    # The disconnect flow knows fewer attributes; what it does not know stays as it was.
    log(
        connect_event,
        lambda_context,
        "2026-11-25T10:07",
        parameters={"event": "disconnected", "queue": None, "callback_requested": "true"},
        attributes={"company": None, "contact_name": None, "path": "main>auth>msp_menu>msp_general>callback"},
    )
    item = tables.call_log(CONTACT)
    assert item is not None
    assert item["events"] == {"queued", "disconnected"}
    assert item["created_at"] == item["queued_at"] == "2026-11-25T01:00:00.000+00:00"
    assert item["disconnected_at"] == "2026-11-25T01:07:00.000+00:00"
    assert (item["company"], item["queue"], item["callback_requested"]) == ("솔트웨어", "MSP General", True)
    assert item["path"][-1] == "callback"


def test_incident_and_emergency_parameters(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    log(
        connect_event,
        lambda_context,
        "2026-11-25T22:00",
        parameters={
            "event": "escalated",
            "emergency": "true",
            "inquiry_type": "emergency",
            "incident": "RDS 장애",
        },
    )
    item = tables.call_log(CONTACT)
    assert item is not None
    assert (item["emergency"], item["inquiry_type"], item["incident"]) == (True, "emergency", "RDS 장애")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event": None}, "event must be"),
        ({"event": "created"}, "event must be"),
        ({"emergency": "yes"}, "emergency must be true or false"),
    ],
)
def test_bad_input_is_a_value_error_and_writes_nothing(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    params: dict[str, str | None],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        log(connect_event, lambda_context, "2026-11-25T10:00", parameters=params)
    assert tables.call_log(CONTACT) is None


def test_a_held_value_rides_on_the_next_write_unless_that_write_sets_it_too(tables: Tables) -> None:
    logs, now, expires = CallLogRepository(), at("2026-11-25T22:00"), 2_000_000_000
    page = {"login": "ts.park", "paged_at": "2026-11-25T13:00:00.000+00:00"}
    logs.hold(CONTACT, "page_0", page, now, expires, keep_first=True)
    with handler_requests() as sent:
        logs.record_page_channels(CONTACT, 0, {"sms"})  # sets page_0.sms: the page is written first
    assert sent == ["UpdateItem", "UpdateItem"]
    item = tables.call_log(CONTACT)
    assert item is not None
    assert item["page_0"] == {**page, "sms": "sent", "call": "failed"}
    assert (item["created_at"], item["expires_at"]) == ("2026-11-25T13:00:00.000+00:00", expires)
    logs.hold(
        CONTACT, "escalation_started_at", "2026-11-25T13:00:00.000+00:00", now, expires, keep_first=True
    )
    with handler_requests() as sent:
        assert logs.claim_notification(CONTACT, "page:1", now, expires)
    assert sent == ["UpdateItem"]  # carried by the claim
    assert "escalation_started_at" in (tables.call_log(CONTACT) or {})


def test_a_write_whose_condition_fails_leaves_what_it_carried_held(tables: Tables) -> None:
    logs, now, expires = CallLogRepository(), at("2026-11-25T10:00"), 2_000_000_000
    assert CallLogRepository().claim_notification(CONTACT, "manager", now, expires)  # another invocation
    started = "2026-11-25T01:00:00.000+00:00"
    logs.hold(CONTACT, "escalation_started_at", started, now, expires, keep_first=True)
    with handler_requests() as sent:
        assert not logs.claim_notification(CONTACT, "manager", now, expires)
        logs.flush(CONTACT)
    assert sent == ["UpdateItem", "UpdateItem"]
    item = tables.call_log(CONTACT)
    assert item is not None and item["escalation_started_at"] == started
    with handler_requests() as sent:
        logs.flush(CONTACT)
    assert sent == []  # nothing held any more


def test_the_sentiment_trend_and_its_summary_ride_on_the_same_write(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    from aicc.domain.sentiment import Trend
    from aicc.settings import config

    rules = config().sentiment.rules
    trend = Trend().add(0.1, rules).add(-0.9, rules)  # calm, then angry: negative and worsening
    with handler_requests() as sent:
        log(connect_event, lambda_context, "2026-11-25T10:00", attributes={"sentiment_trend": trend.encode()})
    assert sent == ["UpdateItem"]  # no request of its own
    item = tables.call_log(CONTACT)
    assert item is not None
    assert item["sentiment"] == {
        "overall": "NEGATIVE",
        "direction": "worsening",
        "turns": 2,
        "final": str(trend.value),
        "lowest": "-0.9",
        "first": "0.1",
        "last": "-0.9",
        "negative_turns": 1,
        "alerts": 0,
    }
    log(connect_event, lambda_context, "2026-11-25T10:05")  # no trend (e.g. keypad only): kept
    assert (tables.call_log(CONTACT) or {})["sentiment"] == item["sentiment"]


def test_a_queue_entry_is_counted_per_queue(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log(connect_event, lambda_context, "2026-11-25T10:00")  # queued, on MSP General
    log(connect_event, lambda_context, "2026-11-25T10:05", parameters={"event": "disconnected"})
    counted = [(n, d.get("event") or d.get("queue")) for n, d in metrics_emitted(capsys.readouterr().out)]
    assert [c for c in counted if c[0] != "StepLatency"] == [
        ("CallLogged", "queued"),
        ("QueueEntry", "MSP General"),
        ("CallLogged", "disconnected"),
    ]
