"""business_hours handler at simulated instants (no AWS calls)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import EventLoader, FakeLambdaContext

from aicc import clock
from aicc.domain.business_hours import spoken_schedule
from aicc.domain.hangul import with_euro
from aicc.handlers._connect import EventError
from aicc.handlers.business_hours import handler
from aicc.settings import DEFAULT_CONFIG_DIR, config

KST = ZoneInfo("Asia/Seoul")


def check(
    connect_event: EventLoader, ctx: FakeLambdaContext, instant: str, **params: str | None
) -> dict[str, str]:
    with clock.frozen_at(datetime.fromisoformat(instant).replace(tzinfo=KST)):
        out: dict[str, str] = handler(connect_event("connect_business_hours", parameters=params), ctx)
    assert set(out) == {
        "open",
        "reason",
        "holiday_name",
        "next_open",
        "next_open_spoken",
        "closed_day",
        "hours_spoken",
    }
    # The weekly hours of the hours asked for, as the after-hours flow reads them out.
    assert out.pop("hours_spoken") == spoken_schedule(config().hours[params.get("hours") or "business"])
    return out


def test_open(connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    assert check(connect_event, lambda_context, "2026-11-25T17:59") == {
        "open": "true",
        "reason": "OPEN",
        "holiday_name": "",
        "next_open": "",
        "next_open_spoken": "",
        "closed_day": "",
    }


@pytest.mark.parametrize(
    ("instant", "reason", "holiday", "next_open", "spoken"),
    [
        ("2026-11-25T18:00", "AFTER_HOURS", "", "2026-11-26T09:00:00+09:00", "11월 26일 목요일 오전 9시"),
        ("2026-11-25T08:30", "BEFORE_HOURS", "", "2026-11-25T09:00:00+09:00", "11월 25일 수요일 오전 9시"),
        ("2026-12-26T11:00", "WEEKEND", "", "2026-12-28T09:00:00+09:00", "12월 28일 월요일 오전 9시"),
        ("2026-02-17T10:00", "HOLIDAY", "설날", "2026-02-19T09:00:00+09:00", "2월 19일 목요일 오전 9시"),
        ("2026-09-25T10:00", "HOLIDAY", "추석", "2026-09-28T09:00:00+09:00", "9월 28일 월요일 오전 9시"),
        (
            "2026-03-02T10:00",
            "HOLIDAY",
            "삼일절 대체 휴일",
            "2026-03-03T09:00:00+09:00",
            "3월 3일 화요일 오전 9시",
        ),
        ("2026-06-03T10:00", "HOLIDAY", "지방선거일", "2026-06-04T09:00:00+09:00", "6월 4일 목요일 오전 9시"),
        (
            "2026-12-31T10:00",
            "CLOSED_OVERRIDE",
            "연말",
            "2027-01-04T09:00:00+09:00",
            "1월 4일 월요일 오전 9시",
        ),
    ],
)
def test_closed(
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    instant: str,
    reason: str,
    holiday: str,
    next_open: str,
    spoken: str,
) -> None:
    assert check(connect_event, lambda_context, instant) == {
        "open": "false",
        "reason": reason,
        "holiday_name": holiday,
        "next_open": next_open,
        "next_open_spoken": spoken,
        "closed_day": with_euro(holiday) if holiday else "",
    }


def test_default_hours_and_always(connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    assert check(connect_event, lambda_context, "2026-12-31T10:00", hours=None)["reason"] == "CLOSED_OVERRIDE"
    assert check(connect_event, lambda_context, "2026-12-31T03:00", hours="always")["open"] == "true"


def test_unknown_hours(connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    with pytest.raises(
        EventError, match=r"unknown hours 'weekend_only'; hours\.yaml defines always, business"
    ):
        check(connect_event, lambda_context, "2026-11-25T10:00", hours="weekend_only")


def test_missing_parameters(connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    event = connect_event("connect_business_hours")
    del event["Details"]["Parameters"]
    with pytest.raises(ValueError, match=r"Details\.Parameters"):
        handler(event, lambda_context)


def test_special_open_day_from_holidays_yaml(
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A copy of the real data files with an operator open day on Saturday 2027-01-02, 09:00-13:00.
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    holidays_yaml = tmp_path / "holidays.yaml"
    holidays_yaml.write_text(
        holidays_yaml.read_text(encoding="utf-8").replace(
            "open: []",
            'open:\n  - { date: "2027-01-02", name: 연초 비상 근무, start: "09:00", end: "13:00" }',
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("AICC_CONFIG_DIR", str(tmp_path))
    config.cache_clear()
    try:
        assert check(connect_event, lambda_context, "2027-01-02T10:00") == {
            "open": "true",
            "reason": "SPECIAL_OPEN",
            "holiday_name": "연초 비상 근무",
            "next_open": "",
            "next_open_spoken": "",
            "closed_day": "",
        }
        assert (
            check(connect_event, lambda_context, "2027-01-01T10:00")["next_open_spoken"]
            == "1월 2일 토요일 오전 9시"
        )
    finally:
        config.cache_clear()
