"""Callback requests: validation and due times (queue SLA in the queue's hours, next business day)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aicc.domain.callbacks import CallbackReason, due_at, parse_reason, request
from aicc.domain.phones import PhoneNumberError
from aicc.settings import config

KST = ZoneInfo("Asia/Seoul")
CFG = config()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


def test_parse_reason() -> None:
    assert parse_reason(" long_wait ") is CallbackReason.LONG_WAIT
    with pytest.raises(ValueError, match="reason must be one of LONG_WAIT"):
        parse_reason("BORED")


@pytest.mark.parametrize(
    ("queue", "now", "due"),
    [
        ("msp_emergency", "2026-11-25T15:32:10", "2026-11-25T15:47"),  # 15 min, always open, floored
        ("msp_emergency", "2026-12-31T23:50:00", "2027-01-01T00:05"),
        ("msp_general", "2026-11-25T10:00:00", "2026-11-25T10:30"),
        ("general_customer", "2026-11-27T17:30:00", "2026-11-30T09:30"),  # SLA runs in business hours
        ("general_customer", "2026-09-23T17:30:00", "2026-09-28T09:30"),  # across 추석
        ("after_hours", "2026-11-27T20:00:00", "2026-11-30T09:00"),  # next business day
        ("after_hours", "2026-11-25T07:00:00", "2026-11-25T09:00"),  # before opening: today
        ("after_hours", "2026-12-30T19:00:00", "2027-01-04T09:00"),  # 연말 휴무 and 신정
    ],
)
def test_due_at(queue: str, now: str, due: str) -> None:
    result = due_at(CFG.queues[queue], CFG.hours, CFG.holidays, at(now))
    assert result == at(due)
    assert result.utcoffset() == at(due).utcoffset()


def test_request_normalizes_the_number_and_speaks_the_due_time() -> None:
    cb = request(
        "c-1",
        "010-1234-5678",
        CallbackReason.AFTER_HOURS,
        CFG.queues["after_hours"],
        CFG.hours,
        CFG.holidays,
        at("2026-12-24T20:00:00"),
        "C-SALT",
    )
    assert (cb.number, cb.queue, cb.status, cb.customer_id) == (
        "+821012345678",
        "After Hours",
        "PENDING",
        "C-SALT",
    )
    assert cb.due_spoken == "12월 28일 월요일 오전 9시"
    assert cb.expires_at > int(cb.due_at.timestamp())


@pytest.mark.parametrize("number", ["12345", "Timeout", "", "010-123"])
def test_request_rejects_numbers_we_cannot_call(number: str) -> None:
    with pytest.raises(PhoneNumberError):
        request(
            "c-1",
            number,
            CallbackReason.LONG_WAIT,
            CFG.queues["msp_general"],
            CFG.hours,
            CFG.holidays,
            at("2026-11-25T10:00:00"),
        )
