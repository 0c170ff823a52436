"""The SLA monitor's episode per queue (table sla_alerts): its level, moved on only by a
conditional write, so that of two overlapping runs exactly one sends each message."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import Repository, condition_failed, item_int, timestamp
from aicc.domain.sla import Level


class SlaAlertRepository(Repository):
    table_key = "sla_alerts"

    def level(self, queue: str) -> Level:
        item = self._get("queue", queue)
        return Level(item_int(item, "level")) if item else Level.OK

    def move(self, queue: str, before: Level, after: Level, at: datetime) -> bool:
        """Set the queue's level from `before` to `after`; False if another run moved it first."""
        names = {"#l": "level"}
        values: dict[str, dict[str, str]] = {":after": {"N": str(int(after))}, ":at": {"S": timestamp(at)}}
        # Level.OK: no item yet, or one left at OK.
        condition = "attribute_not_exists(#l) OR #l = :before" if before is Level.OK else "#l = :before"
        values[":before"] = {"N": str(int(before))}
        update = "SET #l = :after, changed_at = :at"
        if after is Level.OK:
            update += " REMOVE paged"  # the next episode pages again
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"queue": {"S": queue}},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def claim_page(self, queue: str, at: datetime) -> bool:
        """Mark the open breach as paged; False if it was already (one page per episode)."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"queue": {"S": queue}},
                UpdateExpression="SET paged = :at",
                ConditionExpression="#l = :breach AND attribute_not_exists(paged)",
                ExpressionAttributeNames={"#l": "level"},
                ExpressionAttributeValues={
                    ":at": {"S": timestamp(at)},
                    ":breach": {"N": str(int(Level.BREACH))},
                },
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def release_page(self, queue: str) -> None:
        """The page did not go out: the next run tries again."""
        self.client.update_item(
            TableName=self.table, Key={"queue": {"S": queue}}, UpdateExpression="REMOVE paged"
        )
