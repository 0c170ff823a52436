"""Agents (assignment claims, presence from Connect's agent events) and rosters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import (
    ItemKey,
    Repository,
    condition_failed,
    from_item,
    item_int,
    item_strings,
    item_text,
    read_items,
    timestamp,
    to_item,
)
from aicc.clock import parse_instant
from aicc.domain.agents import Agent, AgentStatus, Roster
from aicc.domain.assignment import same_workday

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from aicc.domain.agent_events import Presence


def _written_by(exc: ClientError, contact_id: str, at: str) -> bool:
    """Whether the agent item a failed claim returned (ALL_OLD) is this contact's claim at `at`."""
    raw = exc.response.get("Item")
    item = from_item(raw) if isinstance(raw, Mapping) else {}
    return item_text(item, "last_contact_id") == contact_id and item_text(item, "last_assigned_at") == at


class AgentRepository(Repository):
    """Agents. One instance per invocation: it remembers the last_assigned_at it read, so that a
    claim succeeds only if nobody assigned the agent in between (compared as stored, not re-formatted).
    """

    table_key = "agents"

    def __init__(self, client: DynamoDBClient | None = None) -> None:
        super().__init__(client)
        self._seen: dict[str, str | None] = {}

    def _agent(self, item: Mapping[str, Any]) -> Agent:
        agent = _agent(item)
        raw = item.get("last_assigned_at")
        self._seen[agent.login] = raw if isinstance(raw, str) else None
        return agent

    def get(self, login: str) -> Agent | None:
        item = self._get("login", login) if login else None
        return self._agent(item) if item else None

    def key(self, login: str) -> ItemKey:
        """The agent's item for a batch read (dynamodb.read_items); `from_item` makes the Agent."""
        return ItemKey(self.table_key, login)

    def from_item(self, item: Mapping[str, Any]) -> Agent:
        return self._agent(item)

    def by_team(self, team: str) -> list[Agent]:
        return [self._agent(i) for i in self._query("team", team)]

    def get_many(self, logins: Iterable[str]) -> dict[str, Agent]:
        items = read_items(self.client, (ItemKey(self.table_key, login) for login in logins))
        return {agent.login: agent for agent in map(self._agent, items.values())}

    def claim(self, agent: Agent, contact_id: str, now: datetime) -> bool:
        """Record the assignment if the agent is still AVAILABLE and unassigned since we read it.

        Sets `last_assigned_at` and `last_contact_id` and counts `handled_today` for `now`'s Seoul
        day: plus 1 when the previous assignment (the value the condition pins) was that same day,
        else 1. `active_contacts` is live load, kept by Connect's agent events, not by a pick.
        False when a concurrent call got there first (the condition failed).
        """
        seen = self._seen.get(
            agent.login, timestamp(agent.last_assigned_at) if agent.last_assigned_at else None
        )
        values: dict[str, Any] = {
            ":available": AgentStatus.AVAILABLE.value,
            ":now": timestamp(now),
            ":contact": contact_id,
            ":one": 1,
        }
        if seen is None:
            condition = "#status = :available AND attribute_not_exists(last_assigned_at)"
        else:
            condition = "#status = :available AND last_assigned_at = :seen"
            values[":seen"] = seen
        # Decided from `seen`, which the condition pins: if the stored value changed, nothing is written.
        if same_workday(parse_instant(seen), now):
            update = "SET last_assigned_at = :now, last_contact_id = :contact ADD handled_today :one"
        else:
            update = "SET last_assigned_at = :now, last_contact_id = :contact, handled_today = :one"
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"login": agent.login}),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(values),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not condition_failed(exc):
                raise
            # botocore retries a write whose response was lost (timeout, 5xx): if the first attempt
            # was applied, the retry fails the condition on our own write. That is our claim, not a
            # lost race; treating it as lost would claim a second agent for this contact.
            if not _written_by(exc, contact_id, values[":now"]):
                return False
        self._seen[agent.login] = values[":now"]
        return True

    def record_presence(self, presence: Presence) -> str:
        """Mirror an agent event: status, live load and the event's time. An event older than the
        one stored loses (Kinesis redelivers, a retried batch replays); one of the same instant wins,
        since one agent's records arrive in order (one partition key, one shard). Only agents of
        this table are written. Returns "written", "stale" or "unknown" (no such agent)."""
        at = timestamp(presence.at)
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"login": presence.login}),
                UpdateExpression="SET #status = :status, active_contacts = :active, presence_at = :at",
                ConditionExpression=(
                    "attribute_exists(login) AND (attribute_not_exists(presence_at) OR presence_at <= :at)"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {":status": presence.status.value, ":active": presence.active_contacts, ":at": at}
                ),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not condition_failed(exc):
                raise
            return "stale" if exc.response.get("Item") else "unknown"
        return "written"

    def put(self, agent: Agent) -> None:
        self._put(
            {
                "login": agent.login,
                "name": agent.name,
                "email": agent.email,
                "mobile": agent.mobile or None,
                "team": agent.team,
                "part": agent.part,
                "skills": sorted(agent.skills) or None,
                "user_arn": agent.user_arn,
                "routing_profile": agent.routing_profile,
                "status": agent.status.value,
                "active_contacts": agent.active_contacts,
                "handled_today": agent.handled_today,
                "last_assigned_at": timestamp(agent.last_assigned_at) if agent.last_assigned_at else None,
            }
        )


def _agent(item: Mapping[str, Any]) -> Agent:
    status = item_text(item, "status")
    return Agent(
        login=item_text(item, "login"),
        name=item_text(item, "name"),
        team=item_text(item, "team"),
        part=item_text(item, "part"),
        email=item_text(item, "email"),
        mobile=item_text(item, "mobile"),
        skills=frozenset(item_strings(item, "skills")),
        user_arn=item_text(item, "user_arn"),
        routing_profile=item_text(item, "routing_profile"),
        # An unknown status is never routable.
        status=AgentStatus(status) if status in AgentStatus.__members__ else AgentStatus.OFFLINE,
        active_contacts=item_int(item, "active_contacts"),
        handled_today=item_int(item, "handled_today"),
        last_assigned_at=parse_instant(item.get("last_assigned_at")),
    )


def roster_from_item(item: Mapping[str, Any]) -> Roster:
    return Roster(
        item_text(item, "part"),
        item_text(item, "name"),
        item_strings(item, "members"),
        item_text(item, "manager"),
    )


class RosterRepository(Repository):
    table_key = "rosters"

    def get(self, part: str) -> Roster | None:
        item = self._get("part", part) if part else None
        return roster_from_item(item) if item is not None else None

    def key(self, part: str) -> ItemKey:
        """The part's roster for a batch read (dynamodb.read_items)."""
        return ItemKey(self.table_key, part)

    def put(self, roster: Roster) -> None:
        self._put(
            {
                "part": roster.part,
                "name": roster.name,
                "members": list(roster.members) or None,
                "manager": roster.manager,
            }
        )
