"""The live resource map read with botocore's Stubber: every List call's parameters are checked
against the real Connect service model, pages are followed, each kind is listed once and only when
a reference needs it, and a kind that cannot be listed is left unchecked with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aicc_ops.admin.instance_map import live_map
from aicc_ops.engine.resource_map import ResourceMapError, connect_map

REGION, ACCOUNT = "eu-west-2", "123456789012"
IID = "c8c0e68d-2200-4265-82c0-000000000000"
INSTANCE = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{IID}"


def arn(segment: str, ident: str) -> str:
    return f"{INSTANCE}/{segment}/{ident}"


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "connect", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "describe_instance", {"Instance": {"Id": IID, "Arn": INSTANCE}}, {"InstanceId": IID}
        )
        yield client, stub
        stub.assert_no_pending_responses()


def _summary(segment: str, ident: str, name: str) -> dict[str, str]:
    return {"Id": ident, "Arn": arn(segment, ident), "Name": name}


def test_each_kind_is_listed_once_when_first_needed(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    refs = live_map(client=client, instance_id=IID)
    assert refs.describe() == f"instance {IID} in {REGION} (live)"
    # Foreign and dynamic references need no call.
    assert (
        refs.resolve("arn:aws:connect:us-east-1:111122223333:instance/x/queue/q", "queue").status == "foreign"
    )
    assert refs.resolve(f"arn:aws:lambda:$.AwsRegion:{ACCOUNT}:function:f", "lambda").status == "dynamic"
    assert refs.calls == []

    page: dict[str, Any] = {"InstanceId": IID, "MaxResults": 1000}
    stub.add_response(
        "list_queues",
        {"QueueSummaryList": [_summary("queue", "q-1", "Sales")], "NextToken": "t1"},
        page,
    )
    stub.add_response(
        "list_queues",
        {"QueueSummaryList": [_summary("queue", "q-2", "Billing")]},
        {**page, "NextToken": "t1"},
    )
    billing = refs.resolve(arn("queue", "q-2"), "queue")
    assert (billing.status, billing.kind, billing.key, billing.message) == (
        "found",
        "queue",
        "q-2",
        "Billing",
    )
    assert refs.resolve("q-1", "queue").status == "found"  # by ID, no second listing
    missing = refs.resolve(arn("queue", "q-3"), "queue")
    assert (missing.status, missing.message) == ("missing", f"no queue of instance {IID} in {REGION} (live)")

    listings: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        (
            "flow",
            "list_contact_flows",
            {"ContactFlowSummaryList": [_summary("contact-flow", "f-1", "Main")]},
            {},
        ),
        (
            "module",
            "list_contact_flow_modules",
            {"ContactFlowModulesSummaryList": [_summary("flow-module", "m-1", "Auth")]},
            {},
        ),
        (
            "hours",
            "list_hours_of_operations",
            {"HoursOfOperationSummaryList": [_summary("operating-hours", "h-1", "Office")]},
            {},
        ),
        ("prompt", "list_prompts", {"PromptSummaryList": [_summary("prompt", "p-1", "Beep.wav")]}, {}),
        (
            "quick_connect",
            "list_quick_connects",
            {"QuickConnectSummaryList": [_summary("transfer-destination", "qc-1", "Desk")]},
            {},
        ),
        (
            "agent",
            "list_users",
            {"UserSummaryList": [{"Id": "u-1", "Arn": arn("agent", "u-1"), "Username": "kim"}]},
            {},
        ),
        (
            "lambda",
            "list_lambda_functions",
            {"LambdaFunctions": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lookup:live"]},
            {},
        ),
        (
            "lex",
            "list_bots",
            {
                "LexBots": [
                    {"LexV2Bot": {"AliasArn": f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/BOT1/ALIAS1"}}
                ]
            },
            {"LexVersion": "V2"},
        ),
        (
            "lex_v1",
            "list_bots",
            {"LexBots": [{"LexBot": {"Name": "OrderBot", "LexRegion": REGION}}]},
            {"LexVersion": "V1"},
        ),
    ]
    wanted = {
        "flow": arn("contact-flow", "f-1"),
        "module": arn("flow-module", "m-1"),
        "hours": "h-1",
        "prompt": arn("prompt", "p-1"),
        "quick_connect": arn("transfer-destination", "qc-1"),
        "agent": "u-1",
        "lambda": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lookup",
        "lex": f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/BOT1/ALIAS1",
        "lex_v1": "OrderBot",
    }
    for kind, operation, response, params in listings:
        size = {"lambda": 25, "lex": 25, "lex_v1": 25}.get(kind, 1000)
        stub.add_response(operation, response, {**page, "MaxResults": size, **params})
        assert refs.resolve(wanted[kind], kind).status == "found", kind
    assert refs.resolve(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other", "lambda").status == "missing"

    stub.add_client_error(
        "list_views",
        "AccessDeniedException",
        "not authorized to perform connect:ListViews",
        403,
        expected_params={**page, "MaxResults": 100},
    )
    view = refs.resolve(arn("view", "v-1"), "view")
    assert (view.status, view.message) == (
        "unchecked",
        "not checked: ListViews: AccessDeniedException: not authorized to perform connect:ListViews",
    )
    assert refs.resolve(arn("view", "v-2"), "view").status == "unchecked"  # not asked twice
    assert refs.calls == [
        "ListQueues",
        "ListContactFlows",
        "ListContactFlowModules",
        "ListHoursOfOperations",
        "ListPrompts",
        "ListQuickConnects",
        "ListUsers",
        "ListLambdaFunctions",
        "ListBots LexVersion=V2",
        "ListBots LexVersion=V1",
        "ListViews",
    ]


def test_an_instance_that_cannot_be_read_is_one_clear_error() -> None:
    client = boto3.client(
        "connect", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stub:
        stub.add_client_error(
            "describe_instance",
            "ResourceNotFoundException",
            "Instance not found",
            404,
            expected_params={"InstanceId": "nope"},
        )
        with pytest.raises(
            ResourceMapError, match="Connect instance nope: DescribeInstance: ResourceNotFoundException"
        ):
            connect_map(client, "nope")


def test_where_the_instance_is_comes_from_the_operators_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AICC_INSTANCE_ID", raising=False)
    with pytest.raises(ResourceMapError, match="which Connect instance"):
        live_map()
    with pytest.raises(ResourceMapError, match="'nosuch' is not an environment"):
        live_map(env="nosuch")
    with pytest.raises(ResourceMapError, match="needs the instance ID"):
        live_map(client=object())
