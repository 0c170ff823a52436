"""moto as the local AWS endpoint keeps DynamoDB's promise that a conditional write is one step: of
two writers that both find the item absent, one wins and the other's condition fails."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import REGION


def test_two_conditional_writes_at_once_one_wins(
    aws: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each writer is held right after moto's check of its condition, before its write, until the
    # other has checked too (or for a second): unless the writes are serialised, both pass the check.
    from moto.dynamodb.models import table as moto_table

    meet = threading.Barrier(2, timeout=1)
    original = moto_table.get_filter_expression

    def get_filter_expression(*args: Any, **kwargs: Any) -> Any:
        condition = original(*args, **kwargs)
        check = condition.expr

        def checked_then_held(item: Any) -> Any:
            passed = check(item)
            if threading.current_thread().name.startswith("writer"):
                # broken after a second: the other writer is held off until this one has written
                with contextlib.suppress(threading.BrokenBarrierError):
                    meet.wait()
            return passed

        condition.expr = checked_then_held
        return condition

    monkeypatch.setattr(moto_table, "get_filter_expression", get_filter_expression)
    client = boto3.client("dynamodb", region_name=REGION)
    schemas = {t: client.describe_table(TableName=t)["Table"]["KeySchema"] for t in aws.values()}
    table, schema = next((t, k) for t, k in schemas.items() if len(k) == 1)  # a hash key alone
    key = schema[0]["AttributeName"]
    outcomes: list[str] = []

    def write(n: int) -> None:
        try:
            client.put_item(
                TableName=table,
                Item={key: {"S": "the-one"}, "writer": {"N": str(n)}},
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": key},
            )
            outcomes.append("written")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])

    writers = [threading.Thread(target=write, args=(n,), name=f"writer-{n}") for n in range(2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert sorted(outcomes) == ["ConditionalCheckFailedException", "written"]
