"""business_hours: open or closed now, holiday-aware (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.domain import business_hours
from aicc.handlers._connect import EventError, parse, result
from aicc.settings import config

logger = Logger()
metrics = Metrics(namespace="AICC")


# The event carries the caller's number: never log or trace it whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    cfg = config()
    key = contact.param("hours", business_hours.DEFAULT_HOURS)
    hours = cfg.hours.get(key)
    if hours is None:
        raise EventError(f"unknown hours {key!r}; hours.yaml defines {', '.join(sorted(cfg.hours))}")
    now = clock.now()
    status = business_hours.status(hours, cfg.holidays, now)
    out = result(
        {
            "open": status.open,
            "reason": status.reason,
            "holiday_name": status.holiday_name,
            "next_open": status.next_open,
            "next_open_spoken": business_hours.spoken(status.next_open) if status.next_open else "",
            "closed_day": business_hours.closed_day(status),
            "hours_spoken": business_hours.spoken_schedule(hours),
        }
    )
    metrics.add_dimension(name="reason", value=status.reason.value)
    metrics.add_metric(name="HoursCheck", unit=MetricUnit.Count, value=1)
    logger.info("business hours", extra={"hours": key, "at": now.isoformat(), "result": out})
    return out
