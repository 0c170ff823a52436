"""Call logs: one item per contact, merged repeatably; notifications claimed once per contact and key."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import Repository, condition_failed, timestamp, to_item

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
