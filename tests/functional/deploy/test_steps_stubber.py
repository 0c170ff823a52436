"""The steps Terraform runs (`aicc-ops deploy step ...`) against botocore's Stubber: every request
is checked against Connect's real service model, and every local-exec command written in
terraform/ is run as Terraform would run it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import hcl2
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner
from helpers import REGION

from aicc_ops.admin.context import OpsContext
from aicc_ops.cli import cli
from aicc_ops.deploy import steps
from aicc_ops.deploy.errors import DeployError

ROOT = Path(__file__).resolve().parents[3]
INSTANCE = "6f0f7d1e-1111-4a4a-8b8b-000000000001"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:111122223333:instance/{INSTANCE}"
NUMBER = "3f6a2b1c-9d8e-4f70-a1b2-c3d4e5f60718"
FLOW = "0a1b2c3d-0000-4000-8000-00000000f10w"
QUEUE = "9e8d7c6b-0000-4000-8000-0000000000q1"


@pytest.fixture
def connect() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("connect", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _number(status: str = "CLAIMED", target: str = INSTANCE_ARN) -> dict[str, Any]:
    return {
        "ClaimedPhoneNumberSummary": {
            "PhoneNumberId": NUMBER,
            "PhoneNumber": "+827000000001",
            "PhoneNumberCountryCode": "KR",
            "PhoneNumberType": "DID",
            "TargetArn": target,
            "PhoneNumberStatus": {
                "Status": status,
                "Message": "with AWS Support" if status != "CLAIMED" else "",
            },
        }
    }


def test_a_claimed_number_is_pointed_at_the_flow(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_response("describe_phone_number", _number(), {"PhoneNumberId": NUMBER})
    stub.add_response(
        "associate_phone_number_contact_flow",
        {},
        {"PhoneNumberId": NUMBER, "InstanceId": INSTANCE, "ContactFlowId": FLOW},
    )
    assert (
        steps.associate_phone_number(client, INSTANCE, NUMBER, FLOW) == f"+827000000001 answers flow {FLOW}"
    )


def test_a_number_of_another_instance_is_refused_with_what_to_do(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    other = INSTANCE_ARN.replace("000000000001", "000000000999")
    stub.add_response("describe_phone_number", _number(target=other), {"PhoneNumberId": NUMBER})
    with pytest.raises(DeployError, match=r"belongs to .*000000000999, not instance .*: ask AWS Support"):
        steps.associate_phone_number(client, INSTANCE, NUMBER, FLOW)


def test_a_number_still_being_claimed_waits_for_the_support_case(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_response("describe_phone_number", _number(status="IN_PROGRESS"), {"PhoneNumberId": NUMBER})
    with pytest.raises(DeployError, match=r"is IN_PROGRESS \(with AWS Support\): wait until it is CLAIMED"):
        steps.associate_phone_number(client, INSTANCE, NUMBER, FLOW)


def test_an_unknown_number_says_so_in_connects_words(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_client_error(
        "describe_phone_number",
        "ResourceNotFoundException",
        "Phone number not found",
        404,
        {"PhoneNumberId": NUMBER},
    )
    with pytest.raises(
        DeployError, match=f"phone number {NUMBER}: DescribePhoneNumber: ResourceNotFoundException"
    ):
        steps.associate_phone_number(client, INSTANCE, NUMBER, FLOW)


def test_undoing_a_gone_association_is_not_an_error(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_client_error(
        "disassociate_phone_number_contact_flow",
        "ResourceNotFoundException",
        "gone",
        404,
        {"PhoneNumberId": NUMBER, "InstanceId": INSTANCE},
    )
    assert "had no flow" in steps.disassociate_phone_number(client, INSTANCE, NUMBER)


def _listed(ids: list[str], token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "QuickConnectSummaryList": [
            {
                "Id": i,
                "Arn": f"{INSTANCE_ARN}/transfer-destination/{i}",
                "Name": i,
                "QuickConnectType": "QUEUE",
            }
            for i in ids
        ]
    }
    if token:
        out["NextToken"] = token
    return out


def test_only_missing_quick_connects_are_associated_in_chunks_of_fifty(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    wanted = [f"qc-{i:03d}" for i in range(103)]
    stub.add_response(
        "list_queue_quick_connects", _listed(["qc-000"], "t1"), {"InstanceId": INSTANCE, "QueueId": QUEUE}
    )
    stub.add_response(
        "list_queue_quick_connects",
        _listed(["qc-001", "qc-other"]),
        {"InstanceId": INSTANCE, "QueueId": QUEUE, "NextToken": "t1"},
    )
    missing = wanted[2:]
    for chunk in (missing[:50], missing[50:100], missing[100:]):
        stub.add_response(
            "associate_queue_quick_connects",
            {},
            {"InstanceId": INSTANCE, "QueueId": QUEUE, "QuickConnectIds": chunk},
        )
    assert steps.associate_queue_quick_connects(client, INSTANCE, QUEUE, wanted).startswith(
        f"queue {QUEUE}: 101 quick connect(s) added"
    )


def test_associating_what_is_there_already_calls_nothing_else(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_response(
        "list_queue_quick_connects", _listed(["qc-1", "qc-2"]), {"InstanceId": INSTANCE, "QueueId": QUEUE}
    )
    assert "0 quick connect(s) added" in steps.associate_queue_quick_connects(
        client, INSTANCE, QUEUE, ["qc-1", "qc-2"]
    )


def test_undo_removes_only_our_quick_connects(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_response(
        "list_queue_quick_connects",
        _listed(["qc-1", "qc-console"]),
        {"InstanceId": INSTANCE, "QueueId": QUEUE},
    )
    stub.add_response(
        "disassociate_queue_quick_connects",
        {},
        {"InstanceId": INSTANCE, "QueueId": QUEUE, "QuickConnectIds": ["qc-1"]},
    )
    assert "1 quick connect(s) removed" in steps.disassociate_queue_quick_connects(
        client, INSTANCE, QUEUE, ["qc-1", "qc-2"]
    )


def test_undo_on_a_gone_queue_is_done_but_a_refusal_is_an_error(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    where = {"InstanceId": INSTANCE, "QueueId": QUEUE}
    stub.add_client_error("list_queue_quick_connects", "ResourceNotFoundException", "gone", 404, where)
    assert "is gone: nothing to undo" in steps.disassociate_queue_quick_connects(
        client, INSTANCE, QUEUE, ["qc-1"]
    )
    stub.add_client_error("list_queue_quick_connects", "AccessDeniedException", "not allowed", 403, where)
    with pytest.raises(DeployError, match=r"ListQueueQuickConnects of .*AccessDeniedException"):
        steps.disassociate_queue_quick_connects(client, INSTANCE, QUEUE, ["qc-1"])


# ---- predefined attribute (routing criteria) --------------------------------------------------------


def _attribute(values: list[str]) -> dict[str, Any]:
    return {"PredefinedAttribute": {"Name": "experience", "Values": {"StringList": values}}}


def test_a_missing_predefined_attribute_is_created(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    where = {"InstanceId": INSTANCE, "Name": "experience"}
    stub.add_client_error("describe_predefined_attribute", "ResourceNotFoundException", "none", 404, where)
    stub.add_response("create_predefined_attribute", {}, {**where, "Values": {"StringList": ["complaints"]}})
    assert "created" in steps.predefined_attribute(client, INSTANCE, "experience", ["complaints"])


def test_a_predefined_attribute_with_the_values_is_left_alone(connect: tuple[Any, Stubber]) -> None:
    client, stub = connect
    stub.add_response(
        "describe_predefined_attribute",
        _attribute(["complaints", "vip"]),
        {"InstanceId": INSTANCE, "Name": "experience"},
    )
    assert "already" in steps.predefined_attribute(client, INSTANCE, "experience", ["complaints"])


# ---- the commands Terraform runs -------------------------------------------------------------------

SAMPLE = {
    "region": REGION,
    "instance_id": INSTANCE,
    "phone_number_id": NUMBER,
    "contact_flow_id": FLOW,
    "queue_id": QUEUE,
    "quick_connect_ids": "qc-1,qc-2",
    "name": "experience",
    "values": "complaints",
}


def local_exec_commands() -> list[tuple[str, str]]:
    """(resource, command line as Terraform runs it) for every local-exec in terraform/."""
    found = []
    for path in sorted((ROOT / "terraform").rglob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            doc = hcl2.load(handle)
        for block in doc.get("resource", []):
            for rtype, named in block.items():
                for name, body in named.items():
                    for provisioner in body.get("provisioner", []):
                        for kind, spec in provisioner.items():
                            where = f"{path.relative_to(ROOT)} {rtype.strip(chr(34))}.{name.strip(chr(34))}"
                            assert kind.strip('"') == "local-exec", f"{where}: {kind} provisioner"
                            assert "interpreter" not in spec, (
                                f"{where}: a step runs without a shell interpreter"
                            )
                            command = str(spec["command"])
                            if command.lstrip().startswith("${join("):
                                parts = re.findall(r'"((?:[^"\\]|\\.)*)"', command.split("[", 1)[1])
                                line = " ".join(parts)
                            else:  # one string, its values from the environment (as the shell sees it)
                                line = command[1:-1].replace('\\"', '"')  # the HCL string, unquoted
                                for var, value in (spec.get("environment") or {}).items():
                                    line = line.replace(f'"${var}"', shlex.quote(str(value))).replace(
                                        f"${var}", str(value)
                                    )
                            line = re.sub(
                                r"\$\{self\.triggers_replace\.(\w+)\}", lambda m: SAMPLE[m.group(1)], line
                            )
                            found.append(
                                (where + (" (destroy)" if spec.get("when") == "destroy" else ""), line)
                            )
    return found


def test_terraform_runs_only_steps_of_this_cli() -> None:
    commands = local_exec_commands()
    assert len(commands) >= 4
    for where, line in commands:
        assert line.startswith("aicc-ops deploy step "), f"{where}: {line!r} is not an `aicc-ops deploy step`"


EXPECTED_CALLS = {
    "associate-phone-number": [
        ("describe_phone_number", _number(), {"PhoneNumberId": NUMBER}),
        (
            "associate_phone_number_contact_flow",
            {},
            {"PhoneNumberId": NUMBER, "InstanceId": INSTANCE, "ContactFlowId": FLOW},
        ),
    ],
    "associate-phone-number --undo": [
        ("disassociate_phone_number_contact_flow", {}, {"PhoneNumberId": NUMBER, "InstanceId": INSTANCE}),
    ],
    "queue-quick-connects": [
        ("list_queue_quick_connects", _listed([]), {"InstanceId": INSTANCE, "QueueId": QUEUE}),
        (
            "associate_queue_quick_connects",
            {},
            {"InstanceId": INSTANCE, "QueueId": QUEUE, "QuickConnectIds": ["qc-1", "qc-2"]},
        ),
    ],
    "predefined-attribute": [
        (
            "describe_predefined_attribute",
            _attribute(["angry"]),
            {"InstanceId": INSTANCE, "Name": "experience"},
        ),
        (
            "update_predefined_attribute",
            {},
            {"InstanceId": INSTANCE, "Name": "experience", "Values": {"StringList": ["angry", "complaints"]}},
        ),
    ],
    "queue-quick-connects --undo": [
        ("list_queue_quick_connects", _listed(["qc-1", "qc-2"]), {"InstanceId": INSTANCE, "QueueId": QUEUE}),
        (
            "disassociate_queue_quick_connects",
            {},
            {"InstanceId": INSTANCE, "QueueId": QUEUE, "QuickConnectIds": ["qc-1", "qc-2"]},
        ),
    ],
}


@pytest.mark.parametrize(("where", "line"), local_exec_commands(), ids=lambda v: str(v).split(" ")[-1][:40])
def test_each_terraform_step_runs_and_makes_the_expected_calls(
    where: str, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = shlex.split(line)
    rest = args[args.index("step") + 1 :]
    name = next(a for i, a in enumerate(rest) if not a.startswith("--") and not rest[i - 1].startswith("--"))
    step = f"{name} --undo" if "--undo" in rest else name
    client = boto3.client("connect", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(OpsContext, "client", lambda self, service, region=None: client)
    with Stubber(client) as stub:
        for operation, response, params in EXPECTED_CALLS[step]:
            stub.add_response(operation, response, params)
        result = CliRunner().invoke(cli, args[1:])
        assert result.exit_code == 0, f"{where}: {line}\n{result.output}"
        stub.assert_no_pending_responses()


def test_a_failing_step_exits_1_with_the_service_error(monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto3.client("connect", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(OpsContext, "client", lambda self, service, region=None: client)
    with Stubber(client) as stub:
        stub.add_client_error("describe_phone_number", "AccessDeniedException", "not allowed", 403)
        result = CliRunner().invoke(
            cli,
            [
                "deploy",
                "step",
                "--region",
                REGION,
                "--instance-id",
                INSTANCE,
                "associate-phone-number",
                "--phone-number-id",
                NUMBER,
                "--contact-flow-id",
                FLOW,
            ],
        )
    assert result.exit_code == 1
    assert "DescribePhoneNumber: AccessDeniedException: not allowed" in result.output
    assert "Traceback" not in result.output
