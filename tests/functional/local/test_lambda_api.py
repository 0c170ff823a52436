"""The local stack answers Lambda's Invoke API for our handlers: boto3's own `lambda` client invokes
them as against a deployed environment, with Lambda's answers and modelled errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import read_event

from aicc_ops.engine.flows import local_function_name

BUSINESS_HOURS = read_event("connect_business_hours")  # a real Connect event


@pytest.fixture(scope="module")
def client(local_server: Any) -> Any:
    return local_server.client("lambda", retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def faults(local_server: Any) -> Iterator[Any]:
    from aicc_ops.local.server import running

    app = running(local_server)
    yield app
    app.clear_faults()


def invoke(client: Any, name: str, payload: Any, **options: Any) -> tuple[Any, Any]:
    answer = client.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **options)
    body = answer["Payload"].read()
    return answer, json.loads(body) if body else None


def test_a_handler_answers_by_its_name_its_arn_and_its_partial_arn(client: Any, local_server: Any) -> None:
    name = local_function_name("business_hours")
    arn = f"arn:aws:lambda:{local_server.region}:{local_server.account}:function:{name}"
    for function in (name, arn, f"{local_server.account}:function:{name}", f"{name}:$LATEST"):
        answer, payload = invoke(client, function, BUSINESS_HOURS)
        assert answer["StatusCode"] == 200 and "FunctionError" not in answer
        assert answer["ExecutedVersion"] == "$LATEST"
        assert payload["open"] in ("true", "false")  # the handler's own answer


def test_an_unknown_function_or_version_is_resource_not_found(client: Any) -> None:
    for function, options in (
        ("aicc-local-nope", {}),
        (local_function_name("business_hours"), {"Qualifier": "7"}),
    ):
        with pytest.raises(ClientError) as missing:
            client.invoke(FunctionName=function, Payload=b"{}", **options)
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_payload_that_is_not_json_is_invalid_request_content(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName=local_function_name("business_hours"), Payload=b"{not json")


def test_a_failing_handler_is_a_function_error_in_a_200(client: Any) -> None:
    """customer_lookup reads Details.ContactData.CustomerEndpoint; an empty event makes it raise."""
    answer, payload = invoke(client, local_function_name("customer_lookup"), {})
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] and payload["errorMessage"]


def test_injected_faults_apply_as_to_the_flows(client: Any, faults: Any) -> None:
    name = local_function_name("business_hours")
    faults.apply_faults({"lambdas": {"business_hours": "throttle"}})
    with pytest.raises(client.exceptions.TooManyRequestsException) as throttled:
        client.invoke(FunctionName=name, Payload=b"{}")
    assert throttled.value.response["Reason"] == "ConcurrentInvocationLimitExceeded"

    faults.apply_faults({"lambdas": {"business_hours": "timeout"}})
    answer, payload = invoke(client, name, BUSINESS_HOURS)
    assert answer["FunctionError"] == "Unhandled" and payload["errorType"] == "Sandbox.Timedout"


def test_event_and_dry_run_invocations_answer_without_a_payload(client: Any) -> None:
    name = local_function_name("business_hours")
    assert client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    assert client.invoke(FunctionName=name, InvocationType="DryRun", Payload=b"{}")["StatusCode"] == 204
