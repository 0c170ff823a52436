"""DynamoDB: what every repository shares (table names, item conversion, reads and queries).

Table names come from the environment variables named in tables.yaml, read at call time. Each
table's repository lives in a module of its own (customers, agents, call_logs, callbacks) and maps
items to and from its domain dataclasses there and nowhere else, so that a handler imports only the
domain modules of the tables it uses (cold starts). Writes that a concurrent call could undo are
conditional: an agent claim, a callback registration, a notification (once per contact and key).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from aicc.adapters import aws
from aicc.clock import seoul
from aicc.settings import config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# Integers of at most 38 digits are exact DynamoDB numbers, written as str() writes them.
_EXACT_INT = 10**38
_CONDITION_FAILED = "ConditionalCheckFailedException"
# BatchGetItem takes at most 100 keys; keys it leaves unprocessed (throughput) are asked again
# this many times in all.
BATCH_LIMIT = 100
_BATCH_ATTEMPTS = 3


class TableNotConfiguredError(RuntimeError):
    """The table's environment variable is missing (a deployment error, not a caller's)."""


def table_name(key: str) -> str:
    schema = config().tables[key]
    name = os.environ.get(schema.env, "").strip()
    if not name:
        raise TableNotConfiguredError(f"environment variable {schema.env} (table {key!r}) is not set")
    return name


def index_on(table_key: str, key: str) -> str:
    """The table's GSI (from tables.yaml, not repeated here) whose hash key is `key`."""
    for name, (hash_key, _) in config().tables[table_key].indexes.items():
        if hash_key == key:
            return name
    raise TableNotConfiguredError(f"tables.yaml: table {table_key!r} has no index on {key!r}")


def timestamp(instant: datetime) -> str:
    """The one format this code writes instants in: UTC ISO-8601 (sorts as text)."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds")


def day_key(day: date) -> str:
    """An Asia/Seoul day as an item's `created_day`: the partition key of call_logs' created-index,
    which the reports query day by day."""
    return day.isoformat()


def created_day(instant: datetime) -> str:
    return day_key(instant.astimezone(seoul()).date())


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _attribute(v) for k, v in values.items()}


def _attribute(value: Any) -> Mapping[str, Any]:
    """boto3's serialization of one value; strings, flags, integers (most of them) and lists, maps
    and string sets of them without its chain of type checks."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_EXACT_INT < value < _EXACT_INT:
        return {"N": str(value)}
    if kind is list:
        return {"L": [_attribute(v) for v in value]}
    if kind is dict:
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    if (kind is set or kind is frozenset) and value and all(type(v) is str for v in value):
        return {"SS": list(value)}
    return _serializer.serialize(value)


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in item.items()}


def _value(attribute: Any) -> Any:
    """boto3's deserialization of one attribute value; strings, numbers, flags, lists, maps and
    string sets without its lookup of a method by name."""
    if type(attribute) is dict and len(attribute) == 1:  # anything else: boto3 says what is wrong
        if "S" in attribute:
            return attribute["S"]
        if "N" in attribute:
            return DYNAMODB_CONTEXT.create_decimal(attribute["N"])
        if "BOOL" in attribute:
            return attribute["BOOL"]
        if "L" in attribute:
            return [_value(v) for v in attribute["L"]]
        if "M" in attribute:
            return {k: _value(v) for k, v in attribute["M"].items()}
        if "SS" in attribute:
            return set(attribute["SS"])
    return _deserializer.deserialize(attribute)


def item_text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def item_int(item: Mapping[str, Any], key: str) -> int:
    value = item.get(key)
    return int(value) if isinstance(value, Decimal | int) else 0


def item_strings(item: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list (kept in order) or a string set (sorted) of strings."""
    value = item.get(key)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    if isinstance(value, set):
        return tuple(sorted(v for v in value if isinstance(v, str)))
    return ()


def condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == _CONDITION_FAILED


# A NamedTuple, not a frozen dataclass: most Lambdas import this module at cold start, and a
# dataclass generates and compiles its methods at import.
class ItemKey(NamedTuple):
    """One item to read by its hash key: the table (its key in tables.yaml) and the key's value;
    `consistent`: a strongly consistent read (sees every write that succeeded before it);
    `attributes`: the ones to read (a smaller answer), all when empty."""

    table_key: str
    value: str
    consistent: bool = False
    attributes: tuple[str, ...] = ()  # only these (and the key), when every key of its table says so


def read_items(client: DynamoDBClient, keys: Iterable[ItemKey]) -> dict[ItemKey, dict[str, Any]]:
    """The items of `keys`, from any tables, in one BatchGetItem per 100 keys (one request where
    there would be one GetItem each); a key without an item is left out of the result."""
    wanted = list(dict.fromkeys(k for k in keys if k.value))
    found: dict[ItemKey, dict[str, Any]] = {}
    for first in range(0, len(wanted), BATCH_LIMIT):
        chunk = wanted[first : first + BATCH_LIMIT]
        # Per table: its name, hash key, and the keys of this chunk by their value.
        tables: dict[str, tuple[str, dict[str, list[ItemKey]]]] = {}
        for key in chunk:
            name = table_name(key.table_key)
            by_value = tables.setdefault(name, (config().tables[key.table_key].hash_key, {}))[1]
            by_value.setdefault(key.value, []).append(key)
        request: Any = {
            name: _batch_request(hash_key, by_value) for name, (hash_key, by_value) in tables.items()
        }
        for _ in range(_BATCH_ATTEMPTS):
            response = client.batch_get_item(RequestItems=request)
            for name, items in response.get("Responses", {}).items():
                hash_key, by_value = tables[name]
                for raw in items:
                    item = from_item(raw)
                    for key in by_value[str(item[hash_key])]:
                        found[key] = item
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return found


def _batch_request(hash_key: str, by_value: Mapping[str, list[ItemKey]]) -> dict[str, Any]:
    """One table's part of a BatchGetItem request."""
    keys = [k for same in by_value.values() for k in same]
    request: dict[str, Any] = {
        "Keys": [to_item({hash_key: v}) for v in by_value],
        "ConsistentRead": any(k.consistent for k in keys),
    }
    if all(k.attributes for k in keys):
        wanted = dict.fromkeys([hash_key, *(a for k in keys for a in k.attributes)])
        names = {f"#p{i}": attribute for i, attribute in enumerate(wanted)}
        request["ProjectionExpression"] = ", ".join(names)
        request["ExpressionAttributeNames"] = names
    return request


class Repository:
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
        response = self.client.get_item(TableName=self.table, Key=to_item({key: value}))
        item = response.get("Item")
        return from_item(item) if item else None

    def _index(self, key: str) -> str:
        return index_on(self.table_key, key)

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
                "ExpressionAttributeValues": to_item({":v": value}),
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self.client.query(**kwargs)
            items.extend(from_item(i) for i in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return items

    def _put(self, values: Mapping[str, Any]) -> None:
        self.client.put_item(
            TableName=self.table, Item=to_item({k: v for k, v in values.items() if v not in ("", None)})
        )
