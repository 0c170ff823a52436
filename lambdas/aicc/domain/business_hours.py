"""Open or closed at an instant: weekly hours, Korean public holidays and operator overrides.

Connect's own hours-of-operation cannot know lunar or alternative holidays, so the flows ask
this module. Precedence for one local date: a special open day (holidays.yaml `open`) > an
operator closed day (`closed`) > a public holiday from the `holidays` library > the weekly schedule.
Overrides and public holidays apply only to hours with `holidays: true`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from aicc.domain.hangul import with_euro, with_gwa
from aicc.settings import DAYS, DayHours, HolidayCalendar, Hours

# Hours that define a "business day" (callbacks due on the next business day, the default of the
# business_hours handler).
DEFAULT_HOURS = "business"
# How far ahead an opening is searched for: a year of closures is a configuration error.
SEARCH_DAYS = 400

_WEEKDAYS_KO = ("월", "화", "수", "목", "금", "토", "일")


class Reason(StrEnum):
    OPEN = "OPEN"
    SPECIAL_OPEN = "SPECIAL_OPEN"
    WEEKEND = "WEEKEND"
    HOLIDAY = "HOLIDAY"
    CLOSED_OVERRIDE = "CLOSED_OVERRIDE"
    BEFORE_HOURS = "BEFORE_HOURS"
    AFTER_HOURS = "AFTER_HOURS"


# NamedTuples, not frozen dataclasses: several Lambdas import this module at cold start, and a
# dataclass generates and compiles its methods at import.
class HoursStatus(NamedTuple):
    """Open or closed at an instant, why, and when it opens next."""

    open: bool
    reason: Reason
    holiday_name: str  # the holiday, closed day or special open day that decided it; "" otherwise
    next_open: datetime | None  # when closed: the next opening (local time); None when open


class _Day(NamedTuple):
    """One local date's effective hours: a window, or why there is none."""

    window: tuple[datetime, datetime] | None
    closed_reason: Reason
    name: str
    special_open: bool = False


@cache
def _public_holidays(country: str, categories: tuple[str, ...], year: int) -> Mapping[date, str]:
    # Imported here: the library is large and only the hours and callback handlers need it.
    import holidays

    lang = "ko" if "ko" in holidays.country_holidays(country).supported_languages else None
    found = holidays.country_holidays(country, years=year, categories=categories, language=lang)
    return dict(found.items())


def holiday_name(calendar: HolidayCalendar, day: date) -> str | None:
    """The public holiday's name (Korean for KR) on `day`, or None."""
    return _public_holidays(calendar.country, tuple(calendar.categories), day.year).get(day)


def _usual_hours(hours: Hours, day: date) -> DayHours | None:
    """That weekday's hours, else the first scheduled day's (a special open day on a weekend)."""
    own = hours.schedule.get(DAYS[day.weekday()])
    if own is not None:
        return own
    return next((hours.schedule[d] for d in DAYS if d in hours.schedule), None)


def _window(hours: Hours, day: date, day_hours: DayHours) -> tuple[datetime, datetime]:
    tz = hours.time_zone
    start = datetime.combine(day, day_hours.start, tzinfo=tz)
    if day_hours.end == time(0, 0):  # midnight at the end of the day
        return start, datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return start, datetime.combine(day, day_hours.end, tzinfo=tz)


def _day(hours: Hours, calendar: HolidayCalendar, day: date) -> _Day:
    if hours.holidays:
        special = calendar.open.get(day)
        if special is not None:
            usual = special.hours or _usual_hours(hours, day)
            window = _window(hours, day, usual) if usual else None
            return _Day(window, Reason.WEEKEND, special.name, special_open=True)
        closed = calendar.closed.get(day)
        if closed is not None:
            return _Day(None, Reason.CLOSED_OVERRIDE, closed.name)
        public = holiday_name(calendar, day)
        if public is not None:
            return _Day(None, Reason.HOLIDAY, public)
    weekly = hours.schedule.get(DAYS[day.weekday()])
    if weekly is None:
        return _Day(None, Reason.WEEKEND, "")
    return _Day(_window(hours, day, weekly), Reason.WEEKEND, "")


def status(hours: Hours, calendar: HolidayCalendar, at: datetime) -> HoursStatus:
    """Open or closed at the aware instant `at`, why, and when it opens next."""
    local = at.astimezone(hours.time_zone)
    today = _day(hours, calendar, local.date())
    if today.window is None:
        return HoursStatus(False, today.closed_reason, today.name, next_opening(hours, calendar, at))
    start, end = today.window
    if start <= local < end:
        if today.special_open:
            return HoursStatus(True, Reason.SPECIAL_OPEN, today.name, None)
        return HoursStatus(True, Reason.OPEN, "", None)
    reason = Reason.BEFORE_HOURS if local < start else Reason.AFTER_HOURS
    return HoursStatus(False, reason, "", next_opening(hours, calendar, at))


def open_intervals(
    hours: Hours, calendar: HolidayCalendar, start: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The open periods from `start` on (the first clipped to `start`), for SEARCH_DAYS days."""
    local = start.astimezone(hours.time_zone)
    # The day before too: its window may run to midnight, i.e. past `start`'s day start.
    first = local.date() - timedelta(days=1)
    for offset in range(SEARCH_DAYS + 1):
        window = _day(hours, calendar, first + timedelta(days=offset)).window
        if window is None or window[1] <= local:
            continue
        yield max(window[0], local), window[1]


def next_opening(hours: Hours, calendar: HolidayCalendar, at: datetime) -> datetime | None:
    """The first opening strictly after `at` (local time); None if nothing opens within SEARCH_DAYS."""
    local = at.astimezone(hours.time_zone)
    for offset in range(SEARCH_DAYS + 1):
        window = _day(hours, calendar, local.date() + timedelta(days=offset)).window
        if window is not None and window[0] > local:
            return window[0]
    return None


def add_open_time(hours: Hours, calendar: HolidayCalendar, start: datetime, seconds: int) -> datetime:
    """The instant by which `seconds` of open time have passed since `start` (an SLA clock)."""
    remaining = float(seconds)
    for begin, end in open_intervals(hours, calendar, start):
        span = (end - begin).total_seconds()
        if remaining <= span:
            return begin + timedelta(seconds=remaining)
        remaining -= span
    raise ValueError(f"hours {hours.key!r} are not open for {seconds} s within {SEARCH_DAYS} days")


def _spoken_time(t: time) -> str:
    """`오전 9시`, `오후 3시 30분`, `밤 12시` (midnight, the end of a day)."""
    if t == time(0, 0):
        return "밤 12시"
    half = "오전" if t.hour < 12 else "오후"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    return f"{half} {hour}시 {t.minute}분" if t.minute else f"{half} {hour}시"


def spoken(instant: datetime) -> str:
    """Korean spoken form of a local instant: `12월 28일 월요일 오전 9시`, `... 오후 3시 30분`."""
    day = f"{instant.month}월 {instant.day}일 {_WEEKDAYS_KO[instant.weekday()]}요일"
    return f"{day} {_spoken_time(instant.time())}"


def spoken_schedule(hours: Hours) -> str:
    """The weekly hours as a caller hears them: `평일 오전 9시부터 오후 6시까지`, `매일 24시간`."""
    spans = {day: (h.start, h.end) for day, h in hours.schedule.items()}
    if not spans:
        return ""
    groups: dict[tuple[time, time], list[int]] = {}
    for day, span in spans.items():
        groups.setdefault(span, []).append(DAYS.index(day))
    parts = []
    for (start, end), days in sorted(groups.items(), key=lambda g: min(g[1])):
        days.sort()
        if days == list(range(7)):
            label = "매일"
        elif days == list(range(5)):
            label = "평일"
        elif days == [5, 6]:
            label = "주말"
        else:
            label = ", ".join(f"{_WEEKDAYS_KO[d]}요일" for d in days)
        if start == end == time(0, 0):
            window = "24시간"
        else:
            window = f"{_spoken_time(start)}부터 {_spoken_time(end)}까지"
        parts.append(f"{label} {window}")
    return ", ".join(parts)


def closed_day(status: HoursStatus) -> str:
    """Why a closed day is closed, as said before 휴무입니다: `한글날로`; "" when not a named day."""
    named = status.reason in (Reason.HOLIDAY, Reason.CLOSED_OVERRIDE) and status.holiday_name
    if status.open or not named:
        return ""
    # The holidays library joins days that fall together: "부처님오신날; 어린이날".
    *first, last = [n.strip() for n in status.holiday_name.split(";") if n.strip()]
    return " ".join([*(with_gwa(n) for n in first), with_euro(last)])
