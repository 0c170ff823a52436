"""Current time for the call logic.

Handlers ask this module, never datetime.now(), so that the local flow engine can run a call at
any simulated instant (`aicc-ops call simulate --at ...`). In AWS nothing sets the override.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@cache
def seoul() -> ZoneInfo:
    """The support line's time zone: Korean calendar days, and every time an operator or caller
    reads. Loaded on first use: zoneinfo and the zone file are a cold start's cost otherwise."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Seoul")


_override: ContextVar[datetime | None] = ContextVar("aicc_clock_override", default=None)


def now() -> datetime:
    """Aware UTC-or-offset datetime of 'now' (the simulated instant when one is set)."""
    return _override.get() or datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    if instant.tzinfo is None:
        raise ValueError("the simulated instant needs a UTC offset, e.g. 2026-11-25T10:00:00+09:00")
    token = _override.set(instant)
    try:
        yield
    finally:
        _override.reset(token)


def parse_instant(value: Any) -> datetime | None:
    """An ISO-8601 instant ("Z" or an offset; naive = UTC); None for a missing or unreadable value."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def seoul_time(value: str | datetime) -> str:
    """A timestamp as operators read it: Asia/Seoul, with its offset (+09:00). Takes a datetime or
    an ISO-8601 text (a `Z` or a `#suffix` of a stored key allowed); a naive one is taken as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.split("#", 1)[0].replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(seoul()).isoformat(timespec="seconds")
