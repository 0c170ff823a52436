"""DynamoDB repositories: customers, agents, rosters, call logs and callbacks.

Table names come from the environment variables named in tables.yaml, read at call time. Writes
that a concurrent call could undo are conditional: an agent claim (optimistic on the agent's
status and last assignment), a callback registration (once per contact), a notification (once
per contact and key), a page acknowledgement (by the paged engineer only). Items map to and
from the domain dataclasses here and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from aicc.adapters import aws
from aicc.clock import parse_instant
from aicc.domain.agent_events import Presence
from aicc.domain.agents import Agent, AgentStatus, Roster
from aicc.domain.assignment import same_workday
from aicc.domain.call_log import CallLogUpdate
from aicc.domain.callbacks import Callback, CallbackReason
from aicc.domain.customers import Customer, Tier
from aicc.domain.escalation import CHANNELS, Page
from aicc.settings import config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_CONDITION_FAILED = "ConditionalCheckFailedException"
# BatchGetItem takes at most 100 keys; unprocessed keys are retried this many times.
_BATCH_LIMIT = 100
_BATCH_RETRIES = 3


class TableNotConfiguredError(RuntimeError):
    """The table's environment variable is missing (a deployment error, not a caller's)."""


def table_name(key: str) -> str:
    schema = config().tables[key]
    name = os.environ.get(schema.env, "").strip()
    if not name:
        raise TableNotConfiguredError(f"environment variable {schema.env} (table {key!r}) is not set")
    return name


def timestamp(instant: datetime) -> str:
    """The one format this code writes instants in: UTC ISO-8601 (sorts as text)."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds")


def _to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items()}


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _int(item: Mapping[str, Any], key: str) -> int:
    value = item.get(key)
    return int(value) if isinstance(value, Decimal | int) else 0


def _strings(item: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list (kept in order) or a string set (sorted) of strings."""
    value = item.get(key)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    if isinstance(value, set):
        return tuple(sorted(v for v in value if isinstance(v, str)))
    return ()


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == _CONDITION_FAILED


def _written_by(exc: ClientError, contact_id: str, at: str) -> bool:
    """Whether the agent item a failed claim returned (ALL_OLD) is this contact's claim at `at`."""
    raw = exc.response.get("Item")
    item = _from_item(raw) if isinstance(raw, Mapping) else {}
    return _text(item, "last_contact_id") == contact_id and _text(item, "last_assigned_at") == at


class _Repository:
    table_key: str

    def __init__(self, client: DynamoDBClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = aws.dynamodb()
        return self._client

    @property
    def table(self) -> str:
        return table_name(self.table_key)

    def _get(self, key: str, value: str) -> dict[str, Any] | None:
        response = self.client.get_item(TableName=self.table, Key=_to_item({key: value}))
        item = response.get("Item")
        return _from_item(item) if item else None

    def _index(self, key: str) -> str:
        """The GSI (from tables.yaml, not repeated here) whose hash key is `key`."""
        for name, (hash_key, _) in config().tables[self.table_key].indexes.items():
            if hash_key == key:
                return name
        raise TableNotConfiguredError(f"tables.yaml: table {self.table_key!r} has no index on {key!r}")

    def _query(self, key: str, value: str) -> list[dict[str, Any]]:
        index = self._index(key)
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": "#k = :v",
                "ExpressionAttributeNames": {"#k": key},
                "ExpressionAttributeValues": _to_item({":v": value}),
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self.client.query(**kwargs)
            items.extend(_from_item(i) for i in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return items

    def _put(self, values: Mapping[str, Any]) -> None:
        self.client.put_item(
            TableName=self.table, Item=_to_item({k: v for k, v in values.items() if v not in ("", None)})
        )


class CustomerRepository(_Repository):
    table_key = "customers"

    def get(self, customer_id: str) -> Customer | None:
        item = self._get("customer_id", customer_id) if customer_id else None
        return _customer(item) if item else None

    def by_phone(self, phone: str) -> list[Customer]:
        return [_customer(i) for i in self._query("phone", phone)]

    def by_last4(self, last4: str) -> list[Customer]:
        return [_customer(i) for i in self._query("account_last4", last4)]

    def put(self, customer: Customer) -> None:
        self._put(
            {
                "customer_id": customer.customer_id,
                "company": customer.company,
                "contact_name": customer.contact_name,
                "phone": customer.phone,
                "account_id": customer.account_id,
                "account_last4": customer.account_last4,
                "tier": customer.tier.value,
                "part": customer.part,
                "ts_primary": customer.ts_primary,
                "ts_secondary": customer.ts_secondary,
                "sales_rep_name": customer.sales_rep_name,
                "sales_rep_phone": customer.sales_rep_phone,
                "aliases": list(customer.aliases) or None,
            }
        )


def _customer(item: Mapping[str, Any]) -> Customer:
    tier = _text(item, "tier")
    return Customer(
        customer_id=_text(item, "customer_id"),
        company=_text(item, "company"),
        contact_name=_text(item, "contact_name"),
        phone=_text(item, "phone"),
        account_id=_text(item, "account_id"),
        account_last4=_text(item, "account_last4") or _text(item, "account_id")[-4:],
        tier=Tier.MSP if tier == Tier.MSP.value else Tier.GENERAL,
        part=_text(item, "part"),
        ts_primary=_text(item, "ts_primary"),
        ts_secondary=_text(item, "ts_secondary"),
        sales_rep_name=_text(item, "sales_rep_name"),
        sales_rep_phone=_text(item, "sales_rep_phone"),
        aliases=_strings(item, "aliases"),
    )


class AgentRepository(_Repository):
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

    def by_team(self, team: str) -> list[Agent]:
        return [self._agent(i) for i in self._query("team", team)]

    def get_many(self, logins: Iterable[str]) -> dict[str, Agent]:
        wanted = sorted({login for login in logins if login})
        found: dict[str, Agent] = {}
        for first in range(0, len(wanted), _BATCH_LIMIT):
            keys: list[dict[str, Any]] = [
                _to_item({"login": login}) for login in wanted[first : first + _BATCH_LIMIT]
            ]
            for _ in range(_BATCH_RETRIES):
                response = self.client.batch_get_item(RequestItems={self.table: {"Keys": keys}})
                for item in response.get("Responses", {}).get(self.table, []):
                    agent = self._agent(_from_item(item))
                    found[agent.login] = agent
                unprocessed = response.get("UnprocessedKeys", {}).get(self.table)
                keys = list(unprocessed["Keys"]) if unprocessed else []
                if not keys:
                    break
        return found

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
                Key=_to_item({"login": agent.login}),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=_to_item(values),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
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
                Key=_to_item({"login": presence.login}),
                UpdateExpression="SET #status = :status, active_contacts = :active, presence_at = :at",
                ConditionExpression=(
                    "attribute_exists(login) AND (attribute_not_exists(presence_at) OR presence_at <= :at)"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=_to_item(
                    {":status": presence.status.value, ":active": presence.active_contacts, ":at": at}
                ),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
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
    status = _text(item, "status")
    return Agent(
        login=_text(item, "login"),
        name=_text(item, "name"),
        team=_text(item, "team"),
        part=_text(item, "part"),
        email=_text(item, "email"),
        mobile=_text(item, "mobile"),
        skills=frozenset(_strings(item, "skills")),
        user_arn=_text(item, "user_arn"),
        routing_profile=_text(item, "routing_profile"),
        # An unknown status is never routable.
        status=AgentStatus(status) if status in AgentStatus.__members__ else AgentStatus.OFFLINE,
        active_contacts=_int(item, "active_contacts"),
        handled_today=_int(item, "handled_today"),
        last_assigned_at=parse_instant(item.get("last_assigned_at")),
    )


def _roster(item: Mapping[str, Any]) -> Roster:
    return Roster(_text(item, "part"), _text(item, "name"), _strings(item, "members"), _text(item, "manager"))


class RosterRepository(_Repository):
    table_key = "rosters"

    def get(self, part: str) -> Roster | None:
        item = self._get("part", part) if part else None
        return _roster(item) if item is not None else None

    def put(self, roster: Roster) -> None:
        self._put(
            {
                "part": roster.part,
                "name": roster.name,
                "members": list(roster.members) or None,
                "manager": roster.manager,
            }
        )


class CallLogRepository(_Repository):
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
            Key=_to_item({"contact_id": update.contact_id}),
            UpdateExpression=f"SET {', '.join(sets)} ADD events :events",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_to_item(values),
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
            Key=_to_item({"contact_id": contact_id}),
            UpdateExpression="SET assignment_status = :status, assigned_agent = :login, assigned_at = :at, "
            "created_at = if_not_exists(created_at, :at), expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues=_to_item(values),
        )

    def claim_notification(self, contact_id: str, key: str, at: datetime, expires_at: int) -> bool:
        """True the first time `key` is claimed for the contact; False on every repeat (or race)."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=_to_item({"contact_id": contact_id}),
                UpdateExpression="ADD notified :keys SET created_at = if_not_exists(created_at, :at), "
                "expires_at = if_not_exists(expires_at, :expires)",
                ConditionExpression="attribute_not_exists(notified) OR NOT contains(notified, :key)",
                ExpressionAttributeValues=_to_item(
                    {":keys": {key}, ":key": key, ":at": timestamp(at), ":expires": expires_at}
                ),
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def release_notification(self, contact_id: str, key: str) -> None:
        """Undo a claim whose notice could not be sent, so that a retry sends it."""
        self.client.update_item(
            TableName=self.table,
            Key=_to_item({"contact_id": contact_id}),
            UpdateExpression="DELETE notified :keys",
            ExpressionAttributeValues=_to_item({":keys": {key}}),
        )

    def get(self, contact_id: str) -> dict[str, Any] | None:
        return self._get("contact_id", contact_id)

    def escalation_state(self, contact_id: str, at: datetime, expires_at: int) -> EscalationState:
        """When the contact's escalation started (set on the first call, `at`) and its pages so far."""
        response = self.client.update_item(
            TableName=self.table,
            Key=_to_item({"contact_id": contact_id}),
            UpdateExpression="SET escalation_started_at = if_not_exists(escalation_started_at, :at), "
            "created_at = if_not_exists(created_at, :at), expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues=_to_item({":at": timestamp(at), ":expires": expires_at}),
            ReturnValues="ALL_NEW",
        )
        item = _from_item(response.get("Attributes", {}))
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
            Key=_to_item({"contact_id": contact_id}),
            UpdateExpression="SET #page = if_not_exists(#page, :page)",
            ExpressionAttributeNames={"#page": f"{_PAGE_PREFIX}{step}"},
            ExpressionAttributeValues=_to_item({":page": page}),
        )

    def record_page_channels(self, contact_id: str, step: int, delivered: Iterable[str]) -> None:
        """Each channel's outcome for the step's page: sent or failed."""
        sent = set(delivered)
        names = {"#page": f"{_PAGE_PREFIX}{step}", **{f"#{ch}": ch for ch in CHANNELS}}
        values = {f":{ch}": "sent" if ch in sent else "failed" for ch in CHANNELS}
        self.client.update_item(
            TableName=self.table,
            Key=_to_item({"contact_id": contact_id}),
            UpdateExpression="SET " + ", ".join(f"#page.#{ch} = :{ch}" for ch in CHANNELS),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_to_item(values),
        )

    def acknowledge_page(self, contact_id: str, step: int, login: str, at: datetime) -> bool:
        """The paged engineer pressed 1; False when no page of that step went to `login`."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=_to_item({"contact_id": contact_id}),
                UpdateExpression="SET #page.acked_at = if_not_exists(#page.acked_at, :at)",
                ConditionExpression="#page.login = :login",
                ExpressionAttributeNames={"#page": f"{_PAGE_PREFIX}{step}"},
                ExpressionAttributeValues=_to_item({":at": timestamp(at), ":login": login}),
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True


_PAGE_PREFIX = "page_"


@dataclass(frozen=True)
class EscalationState:
    started_at: datetime
    pages: Mapping[int, Page]


def _page(item: Mapping[str, Any]) -> Page | None:
    paged_at = parse_instant(item.get("paged_at"))
    if paged_at is None:
        return None
    delivered = frozenset(ch for ch in CHANNELS if item.get(ch) == "sent")
    return Page(_text(item, "login"), paged_at, delivered, parse_instant(item.get("acked_at")))


class CallbackRepository(_Repository):
    table_key = "callbacks"

    def register(self, callback: Callback) -> bool:
        """Store the request unless the contact already has one; True if this call stored it."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=_to_item(_callback_item(callback)),
                ConditionExpression="attribute_not_exists(contact_id)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
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
        raise ValueError(f"callback item {_text(item, 'contact_id')!r} has no due_at")
    zone = _text(item, "time_zone")
    return Callback(
        contact_id=_text(item, "contact_id"),
        number=_text(item, "callback_number"),
        reason=CallbackReason(_text(item, "reason")),
        queue=_text(item, "queue"),
        requested_at=parse_instant(item.get("requested_at")) or due,
        due_at=due.astimezone(ZoneInfo(zone)) if zone else due,
        customer_id=_text(item, "customer_id"),
        status=_text(item, "status"),
    )
