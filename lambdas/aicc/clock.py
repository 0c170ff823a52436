"""Current time for the call logic.

Handlers ask this module, never datetime.now(), so that the local flow engine can run a call at
any simulated instant (`aicc-ops call simulate --at ...`). In AWS nothing sets the override.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

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
