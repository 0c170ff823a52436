"""DynamoDB throttling injected into the in-process Lambdas: DynamoDB's own error on the wire, so
botocore retries it and the handler sees the real ClientError; nothing else is touched. Against
both endpoints the local stack uses: a moto server on loopback, and moto in this process."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from aicc_ops.engine.lambdas import LambdaInvokeError, LocalLambdas
from aicc_ops.local.moto_in_process import moto_in_process
from aicc_ops.local.stack import FAKE_CREDENTIALS, moto_endpoint

PROBE = "drill_probe"
ARN = f"arn:aws:lambda:ap-northeast-2:000000000000:function:{PROBE}"
# Two attempts in all, as the handlers' own clients (aicc.adapters.aws).
RETRIES = Config(retries={"total_max_attempts": 2, "mode": "standard"})


@pytest.fixture(scope="module", params=["loopback", "in-process"])
def endpoint(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The environment that points boto3 at moto: a server's URL, or nothing (moto in process)."""
    if request.param == "loopback":
        with moto_endpoint() as url:
            yield {"AWS_ENDPOINT_URL": url}
    else:
        with moto_in_process():
            yield {}


@pytest.fixture
def table(endpoint: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    for key, value in {**FAKE_CREDENTIALS, **endpoint}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("dynamodb")
    name = "probe"
    if name not in client.list_tables()["TableNames"]:
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName=name, Item={"k": {"S": "one"}, "v": {"S": "1"}})
    return name


def _probe_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Reads one item with a client created inside the handler, like the real handlers do."""
    client = boto3.client("dynamodb", config=RETRIES)
    try:
        item = client.get_item(TableName=event["table"], Key={"k": {"S": "one"}})["Item"]
    except ClientError as exc:
        meta = exc.response["ResponseMetadata"]
        return {
            "error": exc.response["Error"]["Code"],
            "status": str(meta["HTTPStatusCode"]),
            "retries": str(meta.get("RetryAttempts", 0)),
        }
    return {"v": item["v"]["S"]}


@pytest.fixture
def lambdas(table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalLambdas]:
    module = types.ModuleType(f"aicc.handlers.{PROBE}")
    module.handler = _probe_handler  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, f"aicc.handlers.{PROBE}", module)
    local = LocalLambdas({ARN: PROBE})
    yield local
    local.close()


def invoke(lambdas: LocalLambdas, table: str) -> dict[str, Any]:
    return lambdas.invoke(ARN, {"table": table}, 8, "STRING_MAP")


def test_without_the_fault_the_handler_reads_its_table(lambdas: LocalLambdas, table: str) -> None:
    assert invoke(lambdas, table) == {"v": "1"}
    assert lambdas.service_fault_hits["dynamodb"] == 0


def test_throttled_requests_are_retried_by_botocore_then_fail_in_the_handler(
    lambdas: LocalLambdas, table: str
) -> None:
    lambdas.service_faults.add("dynamodb")
    answer = invoke(lambdas, table)
    assert answer == {"error": "ProvisionedThroughputExceededException", "status": "400", "retries": "1"}
    # Each attempt met the fault: botocore's retry ran, the endpoint was never reached.
    assert lambdas.service_fault_hits["dynamodb"] == 2


def test_a_throttled_write_never_reaches_the_table(
    lambdas: LocalLambdas, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def writing(event: dict[str, Any], context: Any) -> dict[str, str]:
        try:
            boto3.client("dynamodb", config=RETRIES).put_item(
                TableName=event["table"], Item={"k": {"S": "one"}, "v": {"S": "written"}}
            )
        except ClientError as exc:
            return {"error": exc.response["Error"]["Code"]}
        return {}

    monkeypatch.setattr(sys.modules[f"aicc.handlers.{PROBE}"], "handler", writing)
    lambdas.service_faults.add("dynamodb")
    assert invoke(lambdas, table) == {"error": "ProvisionedThroughputExceededException"}
    # As in AWS, a throttled request changed nothing: no endpoint saw it, in process or not.
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"k": {"S": "one"}})["Item"]
    assert item["v"]["S"] == "1"


def test_the_fault_off_again_means_real_answers_again(lambdas: LocalLambdas, table: str) -> None:
    lambdas.service_faults = {"dynamodb"}
    assert "error" in invoke(lambdas, table)
    lambdas.service_faults.clear()
    assert invoke(lambdas, table) == {"v": "1"}


def test_calls_outside_the_lambda_workers_are_not_throttled(lambdas: LocalLambdas, table: str) -> None:
    lambdas.service_faults.add("dynamodb")
    # The engine, the CLI and the seeding run on other threads: they keep working.
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"k": {"S": "one"}})["Item"]
    assert item["v"]["S"] == "1"
    assert lambdas.service_fault_hits["dynamodb"] == 0


def test_an_unhandled_throttle_is_the_flow_error_connect_sees(
    lambdas: LocalLambdas, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def raising(event: dict[str, Any], context: Any) -> dict[str, str]:
        boto3.client("dynamodb", config=RETRIES).get_item(TableName=event["table"], Key={"k": {"S": "one"}})
        return {}

    monkeypatch.setattr(sys.modules[f"aicc.handlers.{PROBE}"], "handler", raising)
    lambdas.service_faults.add("dynamodb")
    with pytest.raises(LambdaInvokeError) as caught:
        invoke(lambdas, table)
    assert caught.value.kind == "Unhandled"
    assert "ProvisionedThroughputExceededException" in str(caught.value)


def test_closing_removes_the_hook(table: str) -> None:
    local = LocalLambdas({}, service_faults={"dynamodb"})
    local._current.name = "probe"  # this thread now counts as a Lambda worker of the stack
    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        boto3.client("dynamodb", config=RETRIES).get_item(TableName=table, Key={"k": {"S": "one"}})
    local.close()
    # A client created after the stack closed carries no trace of its fault.
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"k": {"S": "one"}})["Item"]
    assert item["v"]["S"] == "1"


def test_unknown_service_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown service fault 'sqs'; one of dynamodb"):
        LocalLambdas({}, service_faults={"sqs"})
