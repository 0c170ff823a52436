"""callback handler: one registration per contact, due times, number validation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import EventLoader, FakeLambdaContext

from aicc import clock
from aicc.handlers._connect import EventError
from aicc.handlers.callback import handler

from .conftest import Tables

KST = ZoneInfo("Asia/Seoul")
KEYS = {"status", "callback_number", "due_at", "due_spoken"}
CONTACT = "4a573372-1f28-4e26-b97b-000000000006"


def request(
    connect_event: EventLoader, ctx: FakeLambdaContext, when: str, **overrides: Any
) -> dict[str, str]:
    with clock.frozen_at(datetime.fromisoformat(when).replace(tzinfo=KST)):
        out: dict[str, str] = handler(connect_event("connect_callback", **overrides), ctx)
    assert set(out) == KEYS
    return out


def test_long_wait_is_due_within_the_queue_sla(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    assert request(connect_event, lambda_context, "2026-11-25T14:20:30") == {
        "status": "REQUESTED",
        "callback_number": "+821012345678",
        "due_at": "2026-11-25T15:20:00+09:00",
        "due_spoken": "11월 25일 수요일 오후 3시 20분",
    }
    item = tables.client.get_item(
        TableName=tables.names["CALLBACKS_TABLE"], Key={"contact_id": {"S": CONTACT}}
    )
    stored = {k: next(iter(v.values())) for k, v in item["Item"].items()}
    assert {
        k: stored[k] for k in ("callback_number", "reason", "queue", "status", "due_at", "customer_id")
    } == {
        "callback_number": "+821012345678",
        "reason": "LONG_WAIT",
        "queue": "General Customer",
        "status": "PENDING",
        "due_at": "2026-11-25T06:20:00.000+00:00",
        "customer_id": "C-SALTWARE-KMJ",
    }


def test_registering_twice_keeps_the_first_request(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    first = request(connect_event, lambda_context, "2026-11-25T14:20:30")
    again = request(
        connect_event, lambda_context, "2026-11-25T14:40:00", parameters={"callback_number": "02-123-4567"}
    )
    assert again == first | {"status": "ALREADY_REQUESTED"}
    assert len(tables.scan("CALLBACKS_TABLE")) == 1


def test_after_hours_is_due_at_the_next_business_day_opening(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = request(
        connect_event,
        lambda_context,
        "2026-12-24T19:00:00",
        parameters={"reason": "AFTER_HOURS", "queue": "After Hours", "callback_number": "010-9999-8888"},
    )
    assert out == {
        "status": "REQUESTED",
        "callback_number": "+821099998888",
        "due_at": "2026-12-28T09:00:00+09:00",
        "due_spoken": "12월 28일 월요일 오전 9시",
    }


def test_queue_defaults_to_the_contact_queue_and_accepts_keys(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = request(connect_event, lambda_context, "2026-11-27T17:30:00", parameters={"queue": None})
    assert out["due_at"] == "2026-11-30T09:30:00+09:00"  # General Customer: 1 h of business time
    out = request(
        connect_event,
        lambda_context,
        "2026-11-27T23:00:00",
        parameters={"queue": "msp_emergency", "reason": "AFTER_HOURS_EMERGENCY"},
        contact_id="c-2",
    )
    assert out["due_at"] == "2026-11-27T23:15:00+09:00"


@pytest.mark.parametrize("number", ["12345", "Timeout", "12a4", "010-123-456"])
def test_invalid_numbers_register_nothing(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext, number: str
) -> None:
    out = request(
        connect_event, lambda_context, "2026-11-25T14:20:30", parameters={"callback_number": number}
    )
    assert out == {"status": "INVALID_NUMBER", "callback_number": "", "due_at": "", "due_spoken": ""}
    assert tables.scan("CALLBACKS_TABLE") == []


def test_no_number_at_all_is_invalid(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = request(connect_event, lambda_context, "2026-11-25T14:20:30", caller=None)
    assert out["status"] == "INVALID_NUMBER"


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"reason": None}, EventError, "parameter 'reason' is required"),
        ({"reason": "BORED"}, ValueError, "reason must be one of"),
        ({"queue": "VIP"}, EventError, "unknown queue 'VIP'"),
    ],
)
def test_bad_parameters(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    params: dict[str, str | None],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        request(connect_event, lambda_context, "2026-11-25T14:20:30", parameters=params)


def test_queue_required_when_the_contact_has_none(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    event = connect_event("connect_callback", parameters={"queue": None})
    event["Details"]["ContactData"]["Queue"] = None
    with pytest.raises(EventError, match="parameter 'queue' is required"):
        handler(event, lambda_context)
