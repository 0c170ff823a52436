"""The knowledge bot's conversation with a contact, kept on the contact's call-log item.

The conversation belongs to the contact and lives as long as its call log: the item already
exists for every call, expires by the table's TTL (expires_at), and is what an agent or a review
reads about the call, so it needs no table, key scheme or IAM grant of its own. `kb_turns` holds
the last few answered turns (domain.knowledge_rules.kept bounds them), a few KB at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aicc.adapters import aws
from aicc.adapters.dynamodb import Repository, created_day, timestamp, to_item
from aicc.adapters.dynamodb import from_item as _from_item
from aicc.domain.knowledge import Turn
from aicc.domain.knowledge_rules import turn_item, turns_from

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TURNS = "kb_turns"


class ConversationRepository(Repository):
    table_key = "call_logs"

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = aws.knowledge_dynamodb()  # one short attempt: the flow's 8 s budget
        return self._client

    def turns(self, contact_id: str) -> list[Turn]:
        """The contact's answered turns, oldest first ([] for a first question)."""
        response = self.client.get_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            ConsistentRead=True,  # the previous turn was written a moment ago
            ProjectionExpression="#t",
            ExpressionAttributeNames={"#t": TURNS},
        )
        stored = _from_item(response.get("Item") or {}).get(TURNS)
        return turns_from([t for t in stored if isinstance(t, dict)]) if isinstance(stored, list) else []

    def save(self, contact_id: str, turns: Sequence[Turn], at: datetime, expires_at: int) -> None:
        """Replace the contact's turns; a call log not written yet is created with its expiry."""
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"contact_id": contact_id}),
            UpdateExpression="SET #t = :t, #c = if_not_exists(#c, :c), #d = if_not_exists(#d, :d), "
            "#e = if_not_exists(#e, :e)",
            ExpressionAttributeNames={
                "#t": TURNS,
                "#c": "created_at",
                "#d": "created_day",
                "#e": "expires_at",
            },
            ExpressionAttributeValues=to_item(
                {
                    ":t": [turn_item(t) for t in turns],
                    ":c": timestamp(at),
                    ":d": created_day(at),
                    ":e": expires_at,
                }
            ),
        )
