"""Call logs: one item per contact, merged repeatably; notifications claimed once per contact and key;
an emergency's pages (recorded before they go out, acknowledged by the paged engineer only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import Repository, condition_failed, from_item, item_text, timestamp, to_item
from aicc.clock import parse_instant
from aicc.domain.pages import CHANNELS, Page

if TYPE_CHECKING:
    from aicc.domain.call_log import CallLogUpdate


class CallLogRepository(Repository):
    table_key = "call_logs"

    def apply(self, update: CallLogUpdate) -> None:
        """Merge one call_log invocation into the contact's item (repeatable: see domain.call_log)."""
        names = {"#event_at": update.event_attribute}
        values: dict[str, Any] = {
            ":at": timestamp(update.at),
            ":expires": update.expires_at,
            ":events": {update.event},
        }
        sets = [
            "created_at = if_not_exists(created_at, :at)",
            "expires_at = if_not_exists(expires_at, :expires)",
            "#event_at = if_not_exists(#event_at, :at)",
        ]
        for i, (key, value) in enumerate(sorted(update.fields.items())):
            names[f"#f{i}"] = key
            values[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
        if update.path:
            names["#path"] = "path"
            values[":path"] = list(update.path)
            sets.append("#path = :path")
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": update.contact_id}),
            UpdateExpression=f"SET {', '.join(sets)} ADD events :events",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
        )

    def record_assignment(
        self, contact_id: str, status: str, login: str, at: datetime, expires_at: int
    ) -> None:
        values: dict[str, Any] = {
            ":status": status,
            ":login": login or "-",
            ":at": timestamp(at),
            ":expires": expires_at,
        }
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            UpdateExpression="SET assignment_status = :status, assigned_agent = :login, assigned_at = :at, "
            "created_at = if_not_exists(created_at, :at), expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues=to_item(values),
        )

    def claim_notification(self, contact_id: str, key: str, at: datetime, expires_at: int) -> bool:
        """True the first time `key` is claimed for the contact; False on every repeat (or race)."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"contact_id": contact_id}),
                UpdateExpression="ADD notified :keys SET created_at = if_not_exists(created_at, :at), "
                "expires_at = if_not_exists(expires_at, :expires)",
                ConditionExpression="attribute_not_exists(notified) OR NOT contains(notified, :key)",
                ExpressionAttributeValues=to_item(
                    {":keys": {key}, ":key": key, ":at": timestamp(at), ":expires": expires_at}
                ),
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def release_notification(self, contact_id: str, key: str) -> None:
        """Undo a claim whose notice could not be sent, so that a retry sends it."""
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            UpdateExpression="DELETE notified :keys",
            ExpressionAttributeValues=to_item({":keys": {key}}),
        )

    def get(self, contact_id: str) -> dict[str, Any] | None:
        return self._get("contact_id", contact_id)

    def escalation_state(self, contact_id: str, at: datetime, expires_at: int) -> EscalationState:
        """When the contact's escalation started (set on the first call, `at`) and its pages so far."""
        response = self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            UpdateExpression="SET escalation_started_at = if_not_exists(escalation_started_at, :at), "
            "created_at = if_not_exists(created_at, :at), expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues=to_item({":at": timestamp(at), ":expires": expires_at}),
            ReturnValues="ALL_NEW",
        )
        item = from_item(response.get("Attributes", {}))
        pages: dict[int, Page] = {}
        for key, value in item.items():
            index = key.removeprefix(_PAGE_PREFIX)
            if key.startswith(_PAGE_PREFIX) and index.isdigit() and isinstance(value, Mapping):
                page = _page(value)
                if page is not None:
                    pages[int(index)] = page
        return EscalationState(parse_instant(item.get("escalation_started_at")) or at, pages)

    def record_page(self, contact_id: str, step: int, login: str, at: datetime) -> None:
        """A chain step's page, before it goes out (the engineer may acknowledge at once). The first
        record of a step stands: a retried invocation does not move its clock."""
        page = {"login": login, "paged_at": timestamp(at)}
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            UpdateExpression="SET #page = if_not_exists(#page, :page)",
            ExpressionAttributeNames={"#page": f"{_PAGE_PREFIX}{step}"},
            ExpressionAttributeValues=to_item({":page": page}),
        )

    def record_page_channels(self, contact_id: str, step: int, delivered: Iterable[str]) -> None:
        """Each channel's outcome for the step's page: sent or failed."""
        sent = set(delivered)
        names = {"#page": f"{_PAGE_PREFIX}{step}", **{f"#{ch}": ch for ch in CHANNELS}}
        values = {f":{ch}": "sent" if ch in sent else "failed" for ch in CHANNELS}
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            UpdateExpression="SET " + ", ".join(f"#page.#{ch} = :{ch}" for ch in CHANNELS),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
        )

    def acknowledge_page(self, contact_id: str, step: int, login: str, at: datetime) -> bool:
        """The paged engineer pressed 1; False when no page of that step went to `login`."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"contact_id": contact_id}),
                UpdateExpression="SET #page.acked_at = if_not_exists(#page.acked_at, :at)",
                ConditionExpression="#page.login = :login",
                ExpressionAttributeNames={"#page": f"{_PAGE_PREFIX}{step}"},
                ExpressionAttributeValues=to_item({":at": timestamp(at), ":login": login}),
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True


_PAGE_PREFIX = "page_"


@dataclass(frozen=True)
class EscalationState:
    """When an emergency contact's escalation started, and its pages by chain step."""

    started_at: datetime
    pages: Mapping[int, Page]


def _page(item: Mapping[str, Any]) -> Page | None:
    paged_at = parse_instant(item.get("paged_at"))
    if paged_at is None:
        return None
    delivered = frozenset(ch for ch in CHANNELS if item.get(ch) == "sent")
    return Page(item_text(item, "login"), paged_at, delivered, parse_instant(item.get("acked_at")))
