"""Callback requests: one per contact, due by the queue's SLA or on the next business day.

The SLA clock runs in the queue's own hours: a one-hour callback asked for at 17:30 on a
business-hours queue is due at 09:30 on the next business day, not at 18:30 when nobody is there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from aicc.domain import business_hours, phones
from aicc.settings import HolidayCalendar, Hours, Queue

# Kept this long after they fall due, then DynamoDB TTL removes them.
RETENTION = timedelta(days=90)
PENDING = "PENDING"  # the item's state until someone calls back


class CallbackReason(StrEnum):
    LONG_WAIT = "LONG_WAIT"
    AFTER_HOURS_EMERGENCY = "AFTER_HOURS_EMERGENCY"
    AFTER_HOURS = "AFTER_HOURS"
    NEW_CUSTOMER = "NEW_CUSTOMER"
    CALLER_REQUEST = "CALLER_REQUEST"  # asked for at a menu ("전화 주세요")


class CallbackStatus(StrEnum):
    REQUESTED = "REQUESTED"
    ALREADY_REQUESTED = "ALREADY_REQUESTED"
    INVALID_NUMBER = "INVALID_NUMBER"


@dataclass(frozen=True)
class Callback:
    """A callback request: whom to call, where, why and by when."""

    contact_id: str
    number: str  # E.164
    reason: CallbackReason
    queue: str  # queue name
    requested_at: datetime
    due_at: datetime  # local time of the hours that set it
    customer_id: str = ""
    status: str = PENDING

    @property
    def due_spoken(self) -> str:
        return business_hours.spoken(self.due_at)

    @property
    def expires_at(self) -> int:
        return int((self.due_at + RETENTION).timestamp())


def parse_reason(raw: str) -> CallbackReason:
    try:
        return CallbackReason(raw.strip().upper())
    except ValueError:
        allowed = ", ".join(r.value for r in CallbackReason)
        raise ValueError(f"reason must be one of {allowed}, got {raw!r}") from None


def due_at(queue: Queue, hours: Mapping[str, Hours], calendar: HolidayCalendar, now: datetime) -> datetime:
    """When the callback is due: SLA seconds of the queue's open time, or the next business-day opening.

    Truncated to the minute: the caller hears "오후 3시 47분까지", never later than the SLA.
    """
    if queue.sla_next_business_day:
        business = hours[business_hours.DEFAULT_HOURS]
        due = business_hours.next_opening(business, calendar, now)
        if due is None:
            raise ValueError(
                f"hours {business.key!r} never open; cannot schedule a next-business-day callback"
            )
    else:
        if queue.sla_seconds is None:  # settings guarantees one of the two; keep mypy and readers sure
            raise ValueError(f"queue {queue.key!r} has no SLA")
        own = hours[queue.hours]
        due = business_hours.add_open_time(own, calendar, now, queue.sla_seconds).astimezone(own.time_zone)
    return due.replace(second=0, microsecond=0)


def request(
    contact_id: str,
    raw_number: str,
    reason: CallbackReason,
    queue: Queue,
    hours: Mapping[str, Hours],
    calendar: HolidayCalendar,
    now: datetime,
    customer_id: str = "",
) -> Callback:
    """A new callback; raises phones.PhoneNumberError for a number we cannot call."""
    if not contact_id:
        raise ValueError("contact_id is required")
    number = phones.normalize(raw_number)
    return Callback(
        contact_id=contact_id,
        number=number,
        reason=reason,
        queue=queue.name,
        requested_at=now,
        due_at=due_at(queue, hours, calendar, now),
        customer_id=customer_id,
    )
