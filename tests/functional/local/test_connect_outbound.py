"""StartOutboundVoiceContact on the local Connect emulator, through boto3 (the real client and wire
protocol): what Connect requires, idempotency by ClientToken, and the contacts handed to listeners."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from aicc_ops.local.connect_emulator import ConnectEmulator

MOBILE = "+821077001001"


def start(connect: Any, emulator: ConnectEmulator, **overrides: Any) -> dict[str, Any]:
    params = {
        "InstanceId": emulator.instance_id,
        "ContactFlowId": "emergency_page",
        "QueueId": "msp_emergency",
        "DestinationPhoneNumber": MOBILE,
        "Attributes": {"emergency_contact_id": "c-1", "paged_login": "ts.jung"},
        **overrides,
    }
    response: dict[str, Any] = connect.start_outbound_voice_contact(
        **{k: v for k, v in params.items() if v is not None}
    )
    return response


def test_an_outbound_contact_is_recorded_and_handed_to_the_listeners(
    connect: Any, emulator: ConnectEmulator
) -> None:
    answered: list[dict[str, Any]] = []
    emulator.outbound_listeners.append(answered.append)
    try:
        contact_id = start(connect, emulator, ClientToken="c-1:page:0")["ContactId"]
    finally:
        emulator.outbound_listeners.remove(answered.append)
    [contact] = answered
    assert (contact["ContactId"], contact["ContactFlowId"], contact["QueueId"]) == (
        contact_id,
        "emergency_page",
        "msp_emergency",
    )
    assert contact["Attributes"] == {"emergency_contact_id": "c-1", "paged_login": "ts.jung"}
    # Connect's idempotency: the same token starts no second call.
    assert start(connect, emulator, ClientToken="c-1:page:0")["ContactId"] == contact_id
    assert sum(c["ClientToken"] == "c-1:page:0" for c in emulator.outbound_contacts) == 1


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"QueueId": None}, "InvalidParameterException", "QueueId or SourcePhoneNumber"),
        ({"ContactFlowId": "msp_emergency_queue"}, "InvalidParameterException", "not a CONTACT_FLOW"),
        ({"ContactFlowId": "no-such-flow"}, "ResourceNotFoundException", "no-such-flow"),
        ({"QueueId": "no-such-queue"}, "ResourceNotFoundException", "no-such-queue"),
        ({"DestinationPhoneNumber": "010-7700-1001"}, "InvalidParameterException", "E.164"),
        ({"InstanceId": "other-instance"}, "ResourceNotFoundException", "other-instance"),
    ],
)
def test_what_connect_refuses_is_refused(
    connect: Any, emulator: ConnectEmulator, overrides: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(ClientError, match=message) as caught:
        start(connect, emulator, **overrides)
    assert caught.value.response["Error"]["Code"] == code


def test_the_source_number_can_stand_for_the_queue(connect: Any, emulator: ConnectEmulator) -> None:
    assert start(connect, emulator, QueueId=None, SourcePhoneNumber="+8215880000")["ContactId"]


def test_required_members_are_checked_by_the_client(connect: Any, emulator: ConnectEmulator) -> None:
    with pytest.raises(ParamValidationError, match="DestinationPhoneNumber"):
        connect.start_outbound_voice_contact(InstanceId=emulator.instance_id, ContactFlowId="emergency_page")


def test_the_deploy_step_makes_the_predefined_attribute_on_the_emulator(
    emulator: ConnectEmulator, connect: Any
) -> None:
    """`deploy step predefined-attribute` over the wire: created, then kept, then a value added."""
    from aicc_ops.deploy.steps import predefined_attribute

    instance = emulator.instance_id
    assert "created" in predefined_attribute(connect, instance, "tier_skill", ["basic"])
    assert "already" in predefined_attribute(connect, instance, "tier_skill", ["basic"])
    assert "added" in predefined_attribute(connect, instance, "tier_skill", ["advanced"])
    found = connect.describe_predefined_attribute(InstanceId=instance, Name="tier_skill")
    assert found["PredefinedAttribute"]["Values"]["StringList"] == ["basic", "advanced"]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        connect.update_predefined_attribute(InstanceId=instance, Name="nope", Values={"StringList": ["x"]})
