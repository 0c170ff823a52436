"""Callback requests: registered once per contact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import Repository, condition_failed, item_text, timestamp, to_item
from aicc.clock import parse_instant
from aicc.domain.callbacks import Callback, CallbackReason


class CallbackRepository(Repository):
    table_key = "callbacks"

    def register(self, callback: Callback) -> bool:
        """Store the request unless the contact already has one; True if this call stored it."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item(_callback_item(callback)),
                ConditionExpression="attribute_not_exists(contact_id)",
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def get(self, contact_id: str) -> Callback | None:
        item = self._get("contact_id", contact_id)
        return _callback(item) if item else None


def _callback_item(cb: Callback) -> dict[str, Any]:
    item = {
        "contact_id": cb.contact_id,
        "callback_number": cb.number,
        "reason": cb.reason.value,
        "queue": cb.queue,
        "requested_at": timestamp(cb.requested_at),
        # UTC so that the status-due-index sorts by time; the zone restores the local time.
        "due_at": timestamp(cb.due_at),
        "time_zone": getattr(cb.due_at.tzinfo, "key", ""),
        "status": cb.status,
        "customer_id": cb.customer_id,
        "expires_at": cb.expires_at,
    }
    return {k: v for k, v in item.items() if v != ""}


def _callback(item: Mapping[str, Any]) -> Callback:
    due = parse_instant(item.get("due_at"))
    if due is None:
        raise ValueError(f"callback item {item_text(item, 'contact_id')!r} has no due_at")
    zone = item_text(item, "time_zone")
    return Callback(
        contact_id=item_text(item, "contact_id"),
        number=item_text(item, "callback_number"),
        reason=CallbackReason(item_text(item, "reason")),
        queue=item_text(item, "queue"),
        requested_at=parse_instant(item.get("requested_at")) or due,
        due_at=due.astimezone(ZoneInfo(zone)) if zone else due,
        customer_id=item_text(item, "customer_id"),
        status=item_text(item, "status"),
    )
