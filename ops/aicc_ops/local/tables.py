"""Create the DynamoDB tables described in aicc/config/tables.yaml (local stack and tests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicc.settings import TableSchema


def table_name(schema: TableSchema, prefix: str = "aicc-local") -> str:
    return f"{prefix}-{schema.name.replace('_', '-')}"


def create_table_request(schema: TableSchema, name: str) -> dict[str, Any]:
    """CreateTable parameters for one schema (on-demand, like the Terraform module)."""
    keys = [{"AttributeName": schema.hash_key, "KeyType": "HASH"}]
    if schema.range_key:
        keys.append({"AttributeName": schema.range_key, "KeyType": "RANGE"})
    request: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": keys,
        "AttributeDefinitions": [
            {"AttributeName": a, "AttributeType": t} for a, t in schema.attributes.items()
        ],
    }
    if schema.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": h, "KeyType": "HASH"}]
                + ([{"AttributeName": r, "KeyType": "RANGE"}] if r else []),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, (h, r) in schema.indexes.items()
        ]
    return request


def create_tables(
    client: Any, schemas: Mapping[str, TableSchema], prefix: str = "aicc-local"
) -> dict[str, str]:
    """Create every table (skipping existing ones). Returns {env var: table name} for the Lambdas."""
    existing = set(client.list_tables().get("TableNames", []))
    env: dict[str, str] = {}
    for schema in schemas.values():
        name = table_name(schema, prefix)
        if name not in existing:
            client.create_table(**create_table_request(schema, name))
            if schema.ttl_attribute:
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": schema.ttl_attribute},
                )
        env[schema.env] = name
    return env
