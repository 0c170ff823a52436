"""Open or closed: weekly hours, Korean public holidays, operator overrides, next opening."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from aicc.domain.business_hours import (
    Reason,
    add_open_time,
    holiday_name,
    next_opening,
    open_intervals,
    spoken,
    status,
)
from aicc.settings import DayHours, HolidayCalendar, Hours, SpecialDay, config

KST = ZoneInfo("Asia/Seoul")
BUSINESS = config().hours["business"]
ALWAYS = config().hours["always"]
CALENDAR = config().holidays  # KR public holidays + 2026-12-31 연말


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


@pytest.mark.parametrize(
    ("instant", "is_open", "reason", "name", "next_open"),
    [
        ("2026-11-25T10:00", True, Reason.OPEN, "", None),  # Wednesday
        ("2026-11-25T09:00", True, Reason.OPEN, "", None),
        ("2026-11-25T08:59", False, Reason.BEFORE_HOURS, "", "2026-11-25T09:00"),
        ("2026-11-27T17:59", True, Reason.OPEN, "", None),  # Friday
        ("2026-11-27T18:00", False, Reason.AFTER_HOURS, "", "2026-11-30T09:00"),
        ("2026-11-28T10:00", False, Reason.WEEKEND, "", "2026-11-30T09:00"),  # Saturday
        ("2026-11-29T23:59", False, Reason.WEEKEND, "", "2026-11-30T09:00"),  # Sunday
        ("2026-02-17T10:00", False, Reason.HOLIDAY, "설날", "2026-02-19T09:00"),  # 설날 연휴 16-18
        ("2026-09-25T10:00", False, Reason.HOLIDAY, "추석", "2026-09-28T09:00"),  # 추석 24-26
        ("2026-03-02T10:00", False, Reason.HOLIDAY, "삼일절 대체 휴일", "2026-03-03T09:00"),  # alternative
        ("2026-06-03T10:00", False, Reason.HOLIDAY, "지방선거일", "2026-06-04T09:00"),  # election day
        ("2026-03-01T10:00", False, Reason.HOLIDAY, "삼일절", "2026-03-03T09:00"),  # holiday on a Sunday
        ("2026-12-31T10:00", False, Reason.CLOSED_OVERRIDE, "연말", "2027-01-04T09:00"),  # then 1/1
        ("2026-12-30T18:00", False, Reason.AFTER_HOURS, "", "2027-01-04T09:00"),
    ],
)
def test_business_hours(
    instant: str, is_open: bool, reason: Reason, name: str, next_open: str | None
) -> None:
    result = status(BUSINESS, CALENDAR, at(instant))
    assert (result.open, result.reason, result.holiday_name) == (is_open, reason, name)
    assert result.next_open == (at(next_open) if next_open else None)


def test_instants_in_other_zones_are_judged_in_seoul_time() -> None:
    # 00:30 UTC is 09:30 in Seoul; 09:00 UTC is 18:00 in Seoul.
    assert status(BUSINESS, CALENDAR, datetime(2026, 11, 25, 0, 30, tzinfo=UTC)).open
    assert status(BUSINESS, CALENDAR, datetime(2026, 11, 25, 9, 0, tzinfo=UTC)).reason is Reason.AFTER_HOURS


def test_always_open_ignores_holidays() -> None:
    for instant in ("2026-02-17T03:00", "2026-12-31T23:59", "2026-11-28T00:00"):
        assert status(ALWAYS, CALENDAR, at(instant)).reason is Reason.OPEN


def test_holiday_names_are_korean_and_cached_per_year() -> None:
    assert holiday_name(CALENDAR, date(2026, 9, 25)) == "추석"
    assert holiday_name(CALENDAR, date(2026, 11, 25)) is None
    assert holiday_name(CALENDAR, date(2027, 1, 1)) is not None


def _calendar(**open_days: SpecialDay) -> HolidayCalendar:
    return HolidayCalendar("KR", ("public",), {}, {d.day: d for d in open_days.values()})


def test_special_open_day_with_its_own_hours() -> None:
    # Saturday 2027-01-02, 09:00-13:00.
    cal = _calendar(day=SpecialDay(date(2027, 1, 2), "연초 비상 근무", DayHours(time(9), time(13))))
    result = status(BUSINESS, cal, at("2027-01-02T12:59"))
    assert (result.open, result.reason, result.holiday_name) == (True, Reason.SPECIAL_OPEN, "연초 비상 근무")
    after = status(BUSINESS, cal, at("2027-01-02T13:00"))
    assert (after.open, after.reason, after.next_open) == (False, Reason.AFTER_HOURS, at("2027-01-04T09:00"))
    # From the holiday before it, the special day is the next opening.
    assert status(BUSINESS, cal, at("2027-01-01T10:00")).next_open == at("2027-01-02T09:00")


def test_special_open_day_on_a_public_holiday_uses_the_usual_hours() -> None:
    cal = _calendar(day=SpecialDay(date(2026, 9, 25), "추석 비상 근무"))
    assert status(BUSINESS, cal, at("2026-09-25T17:59")).reason is Reason.SPECIAL_OPEN
    assert status(BUSINESS, cal, at("2026-09-25T18:00")).reason is Reason.AFTER_HOURS
    assert status(BUSINESS, cal, at("2026-09-25T08:00")).next_open == at("2026-09-25T09:00")


def test_special_open_day_on_a_sunday_without_hours_takes_the_first_scheduled_day() -> None:
    cal = _calendar(day=SpecialDay(date(2026, 11, 29), "전환 작업 지원"))
    assert status(BUSINESS, cal, at("2026-11-29T10:00")).reason is Reason.SPECIAL_OPEN


def test_operator_overrides_need_holidays_enabled() -> None:
    no_holidays = Hours("plain", "Plain", "", KST, False, BUSINESS.schedule)
    assert status(no_holidays, CALENDAR, at("2026-12-31T10:00")).reason is Reason.OPEN
    assert status(no_holidays, CALENDAR, at("2026-09-25T10:00")).reason is Reason.OPEN


def test_midnight_end_means_end_of_day() -> None:
    late = Hours("late", "Late", "", KST, False, {"MONDAY": DayHours(time(20), time(0))})
    assert status(late, CALENDAR, at("2026-11-30T23:59")).open  # Monday
    tuesday = status(late, CALENDAR, at("2026-12-01T00:00"))
    assert (tuesday.reason, tuesday.next_open) == (Reason.WEEKEND, at("2026-12-07T20:00"))


def test_next_opening_is_strictly_after_the_instant() -> None:
    assert next_opening(BUSINESS, CALENDAR, at("2026-11-25T09:00")) == at("2026-11-26T09:00")
    assert next_opening(BUSINESS, CALENDAR, at("2026-11-25T08:00")) == at("2026-11-25T09:00")


def test_open_intervals_clip_the_first_period() -> None:
    intervals = open_intervals(BUSINESS, CALENDAR, at("2026-11-27T17:00"))
    assert next(intervals) == (at("2026-11-27T17:00"), at("2026-11-27T18:00"))
    assert next(intervals) == (at("2026-11-30T09:00"), at("2026-11-30T18:00"))


@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        ("2026-11-25T10:00", 3600, "2026-11-25T11:00"),
        ("2026-11-27T17:30", 3600, "2026-11-30T09:30"),  # Friday evening → Monday morning
        ("2026-11-28T10:00", 1800, "2026-11-30T09:30"),  # from a weekend
        ("2026-02-13T17:00", 7200, "2026-02-19T10:00"),  # across 설날
        ("2026-11-27T17:00", 3600, "2026-11-27T18:00"),  # exactly at closing
    ],
)
def test_add_open_time(start: str, seconds: int, due: str) -> None:
    assert add_open_time(BUSINESS, CALENDAR, at(start), seconds) == at(due)


def test_add_open_time_on_always_open_hours_is_plain_addition() -> None:
    assert add_open_time(ALWAYS, CALENDAR, at("2026-12-31T23:50"), 900) == at("2027-01-01T00:05")


@pytest.mark.parametrize(
    ("instant", "said"),
    [
        ("2026-12-28T09:00", "12월 28일 월요일 오전 9시"),
        ("2026-11-25T15:47", "11월 25일 수요일 오후 3시 47분"),
        ("2026-11-25T12:00", "11월 25일 수요일 오후 12시"),
        ("2026-11-25T00:30", "11월 25일 수요일 오전 0시 30분"),
    ],
)
def test_spoken(instant: str, said: str) -> None:
    assert spoken(at(instant)) == said


def test_closed_day_is_said_with_its_particle() -> None:
    from aicc.domain.business_hours import HoursStatus, closed_day

    def said(reason: Reason, name: str) -> str:
        return closed_day(HoursStatus(False, reason, name, None))

    assert said(Reason.HOLIDAY, "한글날") == "한글날로"
    assert said(Reason.HOLIDAY, "부처님오신날; 어린이날") == "부처님오신날과 어린이날로"
    assert said(Reason.CLOSED_OVERRIDE, "창립기념일") == "창립기념일로"
    assert said(Reason.WEEKEND, "") == ""
    assert said(Reason.AFTER_HOURS, "") == ""


def test_weekly_hours_are_spoken() -> None:
    from aicc.domain.business_hours import spoken_schedule

    assert spoken_schedule(config().hours["business"]) == "평일 오전 9시부터 오후 6시까지"
    assert spoken_schedule(config().hours["always"]) == "매일 24시간"


def test_report_times_operators_read_are_seoul_time() -> None:
    from aicc.clock import seoul_time
    from aicc_ops.admin import drift, failover

    assert seoul_time("2026-11-25T01:00:00Z") == "2026-11-25T10:00:00+09:00"
    assert seoul_time(datetime(2026, 11, 25, 1, 0)) == "2026-11-25T10:00:00+09:00"  # naive: UTC
    assert failover.now().endswith("+09:00") and drift._now().endswith("+09:00")
