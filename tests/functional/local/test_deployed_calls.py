"""Calls on a number another instance claimed (the deploy rehearsal's): the call API routes by the
number's flow association and runs that instance's flows as created through the Connect API, its
associated Lambda functions with their own environment, and queues the contact in its queues."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from helpers import prompt

from aicc_ops.engine.flows import DeployedResources, call_handlers, render_all
from aicc_ops.local.call_client import CallApiError, CallClient
from aicc_ops.local.runtime import ServerInfo
from aicc_ops.local.scenarios import DEMO_CALLS
from aicc_ops.local.server import running, serve
from aicc_ops.local.tables import create_table_request

ENTRY = "customer_authentication"  # the flow the support line answers with (modules/connect entry_flow)
CHANGED = " (as deployed)"  # added to the company question in the deployed flows only
pytestmark = pytest.mark.slow  # a local stack server of its own: about 20 s

MSP_OUTAGE = next(c for c in DEMO_CALLS if c.name == "MSP outage (speech auth)")


@dataclass
class Deployed:
    number: str
    queue_ids: dict[str, str]
    instance_arn: str


def until(check: Any) -> None:
    """Poll what Connect does in the background (no timing asserted: a generous bound)."""
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)


def _aws(info: ServerInfo, service: str) -> Any:
    """A client of moto (the local stack's AWS endpoint): where Terraform creates the functions."""
    return boto3.client(
        service,
        endpoint_url=info.aws_endpoint,
        region_name=info.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def deploy(info: ServerInfo) -> Deployed:
    """An instance built through the write APIs as Terraform builds it: hours, queues, the Lambda
    functions (customer_lookup reading a customers table of its own, empty), their association,
    every flow of flows.yaml rendered with the instance's ARNs (the company question changed), and
    a claimed number answering with the entry flow."""
    stack, connect = running(info).stack, info.client("connect")
    config = stack.config
    instance = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="aicc-deployed-calls",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )
    ident = instance["Id"]
    until(lambda: connect.describe_instance(InstanceId=ident)["Instance"]["InstanceStatus"] == "ACTIVE")
    week = [
        {"Day": d, "StartTime": {"Hours": 9, "Minutes": 0}, "EndTime": {"Hours": 18, "Minutes": 0}}
        for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    ]
    hours = {
        k: connect.create_hours_of_operation(
            InstanceId=ident, Name=h.name, TimeZone="Asia/Seoul", Config=week
        )["HoursOfOperationId"]
        for k, h in config.hours.items()
    }
    first_hours = next(iter(hours.values()))
    queues = {
        k: connect.create_queue(InstanceId=ident, Name=q.name, HoursOfOperationId=first_hours)["QueueId"]
        for k, q in config.queues.items()
    }
    customers = next(s for s in config.tables.values() if s.env == "CUSTOMERS_TABLE")
    dynamodb = _aws(info, "dynamodb")
    dynamodb.create_table(**create_table_request(customers, "aicc-deployed-customers"))
    role = _aws(info, "iam").create_role(
        RoleName="aicc-deployed-lambda",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    artifact = io.BytesIO()
    with zipfile.ZipFile(artifact, "w") as z:
        z.writestr("aicc/__init__.py", "")
    functions = {}
    for handler in call_handlers(config):
        environment = {"CUSTOMERS_TABLE": "aicc-deployed-customers"} if handler == "customer_lookup" else {}
        functions[handler] = _aws(info, "lambda").create_function(
            FunctionName=f"aicc-deployed-{handler.replace('_', '-')}",
            Runtime="python3.12",
            Role=role,
            Handler=f"aicc.handlers.{handler}.handler",
            Code={"ZipFile": artifact.getvalue()},
            Environment={"Variables": environment},
        )["FunctionArn"]
        connect.associate_lambda_function(InstanceId=ident, FunctionArn=functions[handler])
    placeholder = {
        d.key: connect.create_contact_flow(
            InstanceId=ident, Name=d.name, Type=d.type, Content=stack.flows[d.key].text
        )["ContactFlowId"]
        for d in stack.resources.catalog.values()
    }
    resources = DeployedResources(
        config,
        stack.resources.catalog,
        stack.resources.handlers,
        account=instance["Arn"].split(":")[4],
        instance=ident,
        ids={"queue": queues, "hours": hours, "flow": placeholder},
        functions=functions,
        lex_alias=f"arn:aws:lex:{info.region}:123456789012:bot-alias/DEPLOYEDBOT/DEPLOYEDALIAS",
    )
    question = config.prompts["auth_company"].text("ko-KR")
    changed = 0
    for key, flow in render_all(resources).items():
        text = flow.text.replace(question, question + CHANGED)
        changed += text != flow.text
        connect.update_contact_flow_content(InstanceId=ident, ContactFlowId=placeholder[key], Content=text)
    assert changed, "no deployed flow asks for the company"
    arn = instance["Arn"]
    [offered] = connect.search_available_phone_numbers(
        TargetArn=arn, PhoneNumberCountryCode="US", PhoneNumberType="DID", MaxResults=1
    )["AvailableNumbersList"]
    number = connect.claim_phone_number(TargetArn=arn, PhoneNumber=offered["PhoneNumber"])["PhoneNumberId"]
    connect.associate_phone_number_contact_flow(
        PhoneNumberId=number, InstanceId=ident, ContactFlowId=placeholder[ENTRY]
    )
    return Deployed(offered["PhoneNumber"], queues, arn)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    with serve(
        tmp_path_factory.mktemp("deployed"), input_seconds=60, talk_seconds=1, acw_seconds=0.2
    ) as info:
        yield info


@pytest.fixture(scope="module")
def deployed(server: ServerInfo) -> Deployed:
    return deploy(server)


@pytest.fixture
def client(server: ServerInfo) -> Iterator[CallClient]:
    client = CallClient(server.calls_endpoint)
    yield client
    client.close()


def place(client: CallClient, dialed: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "caller": MSP_OUTAGE.number,
        "at": MSP_OUTAGE.at,
        "inputs": list(MSP_OUTAGE.inputs),
        "wait": True,
        "timeout": 120,
    }
    return dict(client.request("POST", "/calls", {**body, **({"dialed": dialed} if dialed else {})}))


def test_a_call_on_the_deployed_number_runs_the_deployed_flows_functions_and_queues(
    client: CallClient, deployed: Deployed
) -> None:
    own = place(client)
    call = place(client, deployed.number)

    assert call["error"] is None, call["error"]
    assert call["call"]["instance"] == deployed.instance_arn != own["call"]["instance"]
    question = prompt("auth_company")
    assert question + CHANGED in call["call"]["prompts"]  # the flows as deployed
    assert question in own["call"]["prompts"] and question + CHANGED not in own["call"]["prompts"]
    # customer_lookup ran with the deployed function's environment: its customers table is empty.
    lookup = next(c for c in call["call"]["lambda_calls"] if c["function"] == "customer_lookup")
    assert lookup["error"] is None
    own_lookup = next(c for c in own["call"]["lambda_calls"] if c["function"] == "customer_lookup")
    assert lookup["response"] != own_lookup["response"]
    assert "MSP Customer" in own["call"]["flows"] and "MSP Customer" not in call["call"]["flows"]
    # Queued by the deployed queue's ARN, found as our queue.
    assert call["queue"] in deployed.queue_ids


def test_a_number_no_instance_claimed_is_answered_by_the_stacks_own_flows(
    server: ServerInfo, client: CallClient
) -> None:
    call = place(client, "+15550000000")

    assert prompt("auth_company") in call["call"]["prompts"]
    assert call["call"]["instance"] == running(server).stack.resources.instance_arn


def test_a_claimed_number_that_answers_no_flow_is_refused(server: ServerInfo, client: CallClient) -> None:
    connect = server.client("connect")
    instance = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="aicc-no-flow",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=False,
    )
    until(
        lambda: connect.describe_instance(InstanceId=instance["Id"])["Instance"]["InstanceStatus"] == "ACTIVE"
    )
    [offered] = connect.search_available_phone_numbers(
        TargetArn=instance["Arn"], PhoneNumberCountryCode="US", PhoneNumberType="DID", MaxResults=1
    )["AvailableNumbersList"]
    connect.claim_phone_number(TargetArn=instance["Arn"], PhoneNumber=offered["PhoneNumber"])

    with pytest.raises(CallApiError, match="answers no flow"):
        place(client, offered["PhoneNumber"])
