"""business_hours: open or closed now, holiday-aware (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.domain import business_hours
from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import config


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    cfg = config()
    key = contact.param("hours", business_hours.DEFAULT_HOURS)
    hours = cfg.hours.get(key)
    if hours is None:
        raise EventError(f"unknown hours {key!r}; hours.yaml defines {', '.join(sorted(cfg.hours))}")
    now = clock.now()
    status = business_hours.status(hours, cfg.holidays, now)
    count("HoursCheck", reason=status.reason.value)
    logger.append_keys(hours=key, at=now.isoformat())
    return {
        "open": status.open,
        "reason": status.reason,
        "holiday_name": status.holiday_name,
        "next_open": status.next_open,
        "next_open_spoken": business_hours.spoken(status.next_open) if status.next_open else "",
        "closed_day": business_hours.closed_day(status),
        "hours_spoken": business_hours.spoken_schedule(hours),
    }
