"""Connect's write API on the local emulator through boto3 (the real client and wire protocol):
instances built as Terraform and the deploy steps build them, with Connect's errors."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from aicc_ops.deploy import steps
from aicc_ops.engine.flows import render_all
from aicc_ops.local import connect_admin
from aicc_ops.local.connect_admin import BASIC_HOURS, BASIC_PROFILE, BASIC_QUEUE, DEFAULT_SECURITY_PROFILES
from aicc_ops.local.connect_emulator import ConnectEmulator

TAGS = {"project": "aicc", "env": "rehearsal"}
FLOW = json.dumps(
    {
        "Version": "2019-10-30",
        "StartAction": "hello",
        "Actions": [
            {
                "Identifier": "hello",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "안녕하세요"},
                "Transitions": {
                    "NextAction": "bye",
                    "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}],
                },
            },
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    },
    ensure_ascii=False,
)
WEEKDAYS = [
    {"Day": d, "StartTime": {"Hours": 9, "Minutes": 0}, "EndTime": {"Hours": 18, "Minutes": 0}}
    for d in ("MONDAY", "TUESDAY")
]


def until(check: Callable[[], bool]) -> None:
    """Poll what Connect does in the background (no timing asserted: a generous bound)."""
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def instance(connect: Any) -> Iterator[str]:
    created = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="aicc-admin-test",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
        Tags=TAGS,
    )
    ident = created["Id"]
    until(lambda: connect.describe_instance(InstanceId=ident)["Instance"]["InstanceStatus"] == "ACTIVE")
    yield ident
    connect.delete_instance(InstanceId=ident)


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def error_fields(exc: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    """The modelled error's members (botocore puts them beside Error in the response)."""
    return dict(exc.value.response)


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["Name"]: i for i in items}


# ---- instances --------------------------------------------------------------------------------
def test_an_instance_is_created_in_the_background(connect: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connect_admin, "SETTLE_SECONDS", 3600.0)
    created = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="aicc-slow",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=False,
    )
    assert uuid.UUID(created["Id"]) and created["Arn"].endswith(f":instance/{created['Id']}")
    described = connect.describe_instance(InstanceId=created["Arn"])["Instance"]
    assert described["InstanceStatus"] == "CREATION_IN_PROGRESS"
    assert (described["InboundCallsEnabled"], described["OutboundCallsEnabled"]) == (True, False)
    assert "Tags" not in described  # none given: Connect leaves the empty map out
    listed = connect.list_instances()["InstanceSummaryList"]
    assert created["Id"] in {i["Id"] for i in listed}
    with pytest.raises(ClientError) as exc:
        connect.create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias="aicc-slow",
            InboundCallsEnabled=True,
            OutboundCallsEnabled=True,
        )
    assert code(exc) == "InvalidRequestException"  # the alias is taken
    connect.delete_instance(InstanceId=created["Id"])
    with pytest.raises(ClientError) as exc:
        connect.describe_instance(InstanceId=created["Id"])
    assert code(exc) == "ResourceNotFoundException"


def test_a_new_instance_is_active_with_what_connect_seeds(
    connect: Any, instance: str, emulator: ConnectEmulator
) -> None:
    described = connect.describe_instance(InstanceId=instance)["Instance"]
    assert described["InstanceStatus"] == "ACTIVE" and described["Tags"] == TAGS
    flows = by_name(connect.list_contact_flows(InstanceId=instance)["ContactFlowSummaryList"])
    assert flows["Default queue transfer"]["ContactFlowType"] == "QUEUE_TRANSFER"
    assert flows["Default customer queue"]["ContactFlowType"] == "CUSTOMER_QUEUE"
    hours = by_name(connect.list_hours_of_operations(InstanceId=instance)["HoursOfOperationSummaryList"])
    queues = by_name(connect.list_queues(InstanceId=instance, QueueTypes=["STANDARD"])["QueueSummaryList"])
    described_queue = connect.describe_queue(InstanceId=instance, QueueId=queues[BASIC_QUEUE]["Id"])["Queue"]
    assert described_queue["HoursOfOperationId"] == hours[BASIC_HOURS]["Id"]
    profiles = by_name(connect.list_routing_profiles(InstanceId=instance)["RoutingProfileSummaryList"])
    assert BASIC_PROFILE in profiles
    found = emulator.named(instance, "routing_profiles", BASIC_PROFILE)  # the engine's lookup by name
    assert found is not None and found["RoutingProfileId"] == profiles[BASIC_PROFILE]["Id"]
    assert emulator.named(instance, "queues", "no such queue") is None
    security = by_name(connect.list_security_profiles(InstanceId=instance)["SecurityProfileSummaryList"])
    assert set(security) == set(DEFAULT_SECURITY_PROFILES)
    # The local stack's own instance is untouched by another's resources.
    local = connect.list_queues(InstanceId="aicc-local", QueueTypes=["STANDARD"])["QueueSummaryList"]
    assert BASIC_QUEUE not in {q["Name"] for q in local}


def test_instance_attributes(connect: Any, instance: str) -> None:
    def value(kind: str) -> str:
        return str(
            connect.describe_instance_attribute(InstanceId=instance, AttributeType=kind)["Attribute"]["Value"]
        )

    assert value("CONTACTFLOW_LOGS") == "false"
    connect.update_instance_attribute(InstanceId=instance, AttributeType="CONTACTFLOW_LOGS", Value="true")
    assert value("CONTACTFLOW_LOGS") == "true"
    with pytest.raises(ClientError) as exc:
        connect.update_instance_attribute(InstanceId=instance, AttributeType="CONTACT_LENS", Value="maybe")
    assert code(exc) == "InvalidParameterException"


def test_storage_configs(connect: Any, instance: str) -> None:
    s3: dict[str, Any] = {
        "StorageType": "S3",
        "S3Config": {
            "BucketName": "aicc-recordings",
            "BucketPrefix": "recordings",
            "EncryptionConfig": {"EncryptionType": "KMS", "KeyId": "arn:aws:kms:ap-northeast-2:1:key/k"},
        },
    }
    ident = connect.associate_instance_storage_config(
        InstanceId=instance, ResourceType="CALL_RECORDINGS", StorageConfig=s3
    )["AssociationId"]
    got = connect.describe_instance_storage_config(
        InstanceId=instance, AssociationId=ident, ResourceType="CALL_RECORDINGS"
    )["StorageConfig"]
    assert got == {"AssociationId": ident, **s3}
    with pytest.raises(ClientError) as exc:
        connect.associate_instance_storage_config(
            InstanceId=instance, ResourceType="CALL_RECORDINGS", StorageConfig=s3
        )
    assert code(exc) == "ResourceConflictException"
    s3["S3Config"]["BucketPrefix"] = "calls"
    connect.update_instance_storage_config(
        InstanceId=instance, AssociationId=ident, ResourceType="CALL_RECORDINGS", StorageConfig=s3
    )
    listed = connect.list_instance_storage_configs(InstanceId=instance, ResourceType="CALL_RECORDINGS")
    assert [c["S3Config"]["BucketPrefix"] for c in listed["StorageConfigs"]] == ["calls"]
    connect.disassociate_instance_storage_config(
        InstanceId=instance, AssociationId=ident, ResourceType="CALL_RECORDINGS"
    )
    with pytest.raises(ClientError) as exc:
        connect.describe_instance_storage_config(
            InstanceId=instance, AssociationId=ident, ResourceType="CALL_RECORDINGS"
        )
    assert code(exc) == "ResourceNotFoundException"


# ---- hours, queues, routing profiles ----------------------------------------------------------
def test_hours_of_operation(connect: Any, instance: str) -> None:
    created = connect.create_hours_of_operation(
        InstanceId=instance, Name="Weekdays", TimeZone="Asia/Seoul", Config=WEEKDAYS, Tags=TAGS
    )
    ident = created["HoursOfOperationId"]
    assert uuid.UUID(ident) and created["HoursOfOperationArn"].startswith(
        connect.describe_instance(InstanceId=instance)["Instance"]["Arn"] + "/operating-hours/"
    )
    with pytest.raises(ClientError) as exc:
        connect.create_hours_of_operation(
            InstanceId=instance, Name="Weekdays", TimeZone="UTC", Config=WEEKDAYS
        )
    assert code(exc) == "DuplicateResourceException"
    connect.update_hours_of_operation(
        InstanceId=instance, HoursOfOperationId=ident, Description="평일", Config=WEEKDAYS[:1]
    )
    hours = connect.describe_hours_of_operation(InstanceId=instance, HoursOfOperationId=ident)[
        "HoursOfOperation"
    ]
    assert (hours["Description"], len(hours["Config"]), hours["Tags"]) == ("평일", 1, TAGS)
    connect.delete_hours_of_operation(InstanceId=instance, HoursOfOperationId=ident)
    with pytest.raises(ClientError) as exc:
        connect.describe_hours_of_operation(InstanceId=instance, HoursOfOperationId=ident)
    assert code(exc) == "ResourceNotFoundException"


def _queue(connect: Any, instance: str, name: str) -> tuple[str, str]:
    hours = connect.create_hours_of_operation(
        InstanceId=instance, Name=f"{name} hours", TimeZone="Asia/Seoul", Config=WEEKDAYS
    )["HoursOfOperationId"]
    return connect.create_queue(InstanceId=instance, Name=name, HoursOfOperationId=hours)["QueueId"], hours


def _transfer_flow(connect: Any, instance: str) -> str:
    flows = by_name(
        connect.list_contact_flows(InstanceId=instance, ContactFlowTypes=["QUEUE_TRANSFER"])[
            "ContactFlowSummaryList"
        ]
    )
    return str(flows["Default queue transfer"]["Id"])


def test_queues(connect: Any, instance: str) -> None:
    queue, hours = _queue(connect, instance, "General")
    with pytest.raises(ClientError) as exc:
        connect.create_queue(InstanceId=instance, Name="General", HoursOfOperationId=hours)
    assert code(exc) == "DuplicateResourceException"
    other, other_hours = _queue(connect, instance, "Other")
    whisper = connect.create_contact_flow(
        InstanceId=instance, Name="Whisper", Type="OUTBOUND_WHISPER", Content=FLOW
    )
    number = _claim(connect, instance)
    caller = {
        "OutboundCallerIdName": "고객센터",
        "OutboundCallerIdNumberId": number,
        "OutboundFlowId": whisper["ContactFlowId"],
    }
    connect.update_queue_outbound_caller_config(
        InstanceId=instance, QueueId=queue, OutboundCallerConfig=caller
    )
    connect.update_queue_status(InstanceId=instance, QueueId=queue, Status="DISABLED")
    connect.update_queue_max_contacts(InstanceId=instance, QueueId=queue, MaxContacts=40)
    connect.update_queue_hours_of_operation(
        InstanceId=instance, QueueId=queue, HoursOfOperationId=other_hours
    )
    connect.update_queue_name(InstanceId=instance, QueueId=queue, Name="General", Description="일반")
    got = connect.describe_queue(InstanceId=instance, QueueId=queue)["Queue"]
    assert got["OutboundCallerConfig"] == caller
    assert (got["Status"], got["MaxContacts"], got["HoursOfOperationId"], got["Description"]) == (
        "DISABLED",
        40,
        other_hours,
        "일반",
    )
    with pytest.raises(ClientError) as exc:
        connect.update_queue_name(InstanceId=instance, QueueId=other, Name="General")
    assert code(exc) == "DuplicateResourceException"
    # The quick connects a queue offers, as the deploy step sets them (and undoes them).
    qc = connect.create_quick_connect(
        InstanceId=instance,
        Name="To Other",
        QuickConnectConfig={
            "QuickConnectType": "QUEUE",
            "QueueConfig": {"QueueId": other, "ContactFlowId": _transfer_flow(connect, instance)},
        },
    )["QuickConnectId"]
    steps.associate_queue_quick_connects(connect, instance, queue, [qc])
    offered = connect.list_queue_quick_connects(InstanceId=instance, QueueId=queue)["QuickConnectSummaryList"]
    assert [q["Id"] for q in offered] == [qc]
    steps.disassociate_queue_quick_connects(connect, instance, queue, [qc])
    assert not connect.list_queue_quick_connects(InstanceId=instance, QueueId=queue)[
        "QuickConnectSummaryList"
    ]
    with pytest.raises(ClientError) as exc:
        connect.delete_hours_of_operation(InstanceId=instance, HoursOfOperationId=other_hours)
    assert code(exc) == "InvalidRequestException"  # a queue still uses them
    connect.delete_queue(InstanceId=instance, QueueId=other)
    with pytest.raises(ClientError) as exc:
        connect.describe_queue(InstanceId=instance, QueueId=other)
    assert code(exc) == "ResourceNotFoundException"


def test_routing_profiles(connect: Any, instance: str) -> None:
    queue, _ = _queue(connect, instance, "Profile queue")
    second, _ = _queue(connect, instance, "Profile queue 2")
    created = connect.create_routing_profile(
        InstanceId=instance,
        Name="Agents",
        Description="일반 상담원",
        DefaultOutboundQueueId=queue,
        MediaConcurrencies=[{"Channel": "VOICE", "Concurrency": 1}],
        QueueConfigs=[{"QueueReference": {"QueueId": queue, "Channel": "VOICE"}, "Priority": 1, "Delay": 0}],
        Tags=TAGS,
    )
    profile = created["RoutingProfileId"]
    with pytest.raises(ClientError) as exc:
        connect.delete_queue(InstanceId=instance, QueueId=queue)
    assert code(exc) == "ResourceInUseException"
    connect.associate_routing_profile_queues(
        InstanceId=instance,
        RoutingProfileId=profile,
        QueueConfigs=[{"QueueReference": {"QueueId": second, "Channel": "VOICE"}, "Priority": 2, "Delay": 5}],
    )
    connect.update_routing_profile_queues(
        InstanceId=instance,
        RoutingProfileId=profile,
        QueueConfigs=[{"QueueReference": {"QueueId": second, "Channel": "VOICE"}, "Priority": 3, "Delay": 5}],
    )
    connect.update_routing_profile_concurrency(
        InstanceId=instance,
        RoutingProfileId=profile,
        MediaConcurrencies=[{"Channel": "CHAT", "Concurrency": 2}],
    )
    connect.update_routing_profile_default_outbound_queue(
        InstanceId=instance, RoutingProfileId=profile, DefaultOutboundQueueId=second
    )
    listed = connect.list_routing_profile_queues(InstanceId=instance, RoutingProfileId=profile)
    assert {(c["QueueName"], c["Priority"]) for c in listed["RoutingProfileQueueConfigSummaryList"]} == {
        ("Profile queue", 1),
        ("Profile queue 2", 3),
    }
    got = connect.describe_routing_profile(InstanceId=instance, RoutingProfileId=profile)["RoutingProfile"]
    assert {m["Channel"]: m["Concurrency"] for m in got["MediaConcurrencies"]} == {"VOICE": 1, "CHAT": 2}
    assert (got["DefaultOutboundQueueId"], got["Tags"]) == (second, TAGS)
    connect.disassociate_routing_profile_queues(
        InstanceId=instance,
        RoutingProfileId=profile,
        QueueReferences=[{"QueueId": queue, "Channel": "VOICE"}],
    )
    connect.delete_queue(InstanceId=instance, QueueId=queue)  # no profile uses it now
    connect.delete_routing_profile(InstanceId=instance, RoutingProfileId=profile)
    with pytest.raises(ClientError) as exc:
        connect.describe_routing_profile(InstanceId=instance, RoutingProfileId=profile)
    assert code(exc) == "ResourceNotFoundException"


# ---- security profiles, quick connects --------------------------------------------------------
def test_security_profiles(connect: Any, instance: str) -> None:
    ident = connect.create_security_profile(
        InstanceId=instance, SecurityProfileName="Engineer", Permissions=["BasicAgentAccess"], Tags=TAGS
    )["SecurityProfileId"]
    with pytest.raises(ClientError) as exc:
        connect.create_security_profile(InstanceId=instance, SecurityProfileName="Engineer")
    assert code(exc) == "DuplicateResourceException"
    connect.update_security_profile(
        InstanceId=instance, SecurityProfileId=ident, Permissions=["BasicAgentAccess", "OutboundCallAccess"]
    )
    listed = connect.list_security_profile_permissions(InstanceId=instance, SecurityProfileId=ident)
    assert listed["Permissions"] == ["BasicAgentAccess", "OutboundCallAccess"]
    got = connect.describe_security_profile(InstanceId=instance, SecurityProfileId=ident)["SecurityProfile"]
    assert (got["SecurityProfileName"], got["Tags"]) == ("Engineer", TAGS)
    connect.delete_security_profile(InstanceId=instance, SecurityProfileId=ident)
    with pytest.raises(ClientError) as exc:
        connect.describe_security_profile(InstanceId=instance, SecurityProfileId=ident)
    assert code(exc) == "ResourceNotFoundException"


def test_quick_connects(connect: Any, instance: str) -> None:
    queue, _ = _queue(connect, instance, "Transfers")
    customer_queue = by_name(connect.list_contact_flows(InstanceId=instance)["ContactFlowSummaryList"])[
        "Default customer queue"
    ]["Id"]
    config: dict[str, Any] = {
        "QuickConnectType": "QUEUE",
        "QueueConfig": {"QueueId": queue, "ContactFlowId": customer_queue},
    }
    with pytest.raises(ClientError) as exc:
        connect.create_quick_connect(InstanceId=instance, Name="To transfers", QuickConnectConfig=config)
    assert code(exc) == "InvalidParameterException"  # a queue quick connect runs a QUEUE_TRANSFER flow
    config["QueueConfig"]["ContactFlowId"] = _transfer_flow(connect, instance)
    ident = connect.create_quick_connect(InstanceId=instance, Name="To transfers", QuickConnectConfig=config)[
        "QuickConnectId"
    ]
    with pytest.raises(ClientError) as exc:
        connect.create_quick_connect(InstanceId=instance, Name="To transfers", QuickConnectConfig=config)
    assert code(exc) == "DuplicateResourceException"
    connect.update_quick_connect_name(InstanceId=instance, QuickConnectId=ident, Description="이관")
    config["QueueConfig"]["QueueId"] = _queue(connect, instance, "Transfers 2")[0]
    connect.update_quick_connect_config(InstanceId=instance, QuickConnectId=ident, QuickConnectConfig=config)
    got = connect.describe_quick_connect(InstanceId=instance, QuickConnectId=ident)["QuickConnect"]
    assert (got["Description"], got["QuickConnectConfig"]) == ("이관", config)
    connect.delete_quick_connect(InstanceId=instance, QuickConnectId=ident)
    with pytest.raises(ClientError) as exc:
        connect.describe_quick_connect(InstanceId=instance, QuickConnectId=ident)
    assert code(exc) == "ResourceNotFoundException"


# ---- flows and modules ------------------------------------------------------------------------
BROKEN = json.dumps(
    {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [
            {
                "Identifier": "a",
                "Type": "NoSuchBlock",
                "Parameters": {},
                "Transitions": {"NextAction": "gone"},
            }
        ],
    }
)


def test_contact_flows(connect: Any, instance: str) -> None:
    created = connect.create_contact_flow(
        InstanceId=instance, Name="Entry", Type="CONTACT_FLOW", Content=FLOW, Description="입구", Tags=TAGS
    )
    ident = created["ContactFlowId"]
    with pytest.raises(ClientError) as exc:
        connect.create_contact_flow(InstanceId=instance, Name="Entry", Type="CONTACT_FLOW", Content=FLOW)
    assert code(exc) == "DuplicateResourceException"
    with pytest.raises(ClientError) as exc:
        connect.create_contact_flow(InstanceId=instance, Name="Broken", Type="CONTACT_FLOW", Content=BROKEN)
    assert code(exc) == "InvalidContactFlowException"
    problems = [p["message"] for p in error_fields(exc)["problems"]]
    assert any("NoSuchBlock" in p for p in problems) and any("gone" in p for p in problems)
    with pytest.raises(ClientError) as exc:
        connect.update_contact_flow_content(InstanceId=instance, ContactFlowId=ident, Content="{not json")
    assert code(exc) == "InvalidContactFlowException"
    content = FLOW.replace("안녕하세요", "반갑습니다")
    connect.update_contact_flow_content(InstanceId=instance, ContactFlowId=ident, Content=content)
    connect.update_contact_flow_name(InstanceId=instance, ContactFlowId=ident, Name="Entry 2")
    got = connect.describe_contact_flow(InstanceId=instance, ContactFlowId=ident)["ContactFlow"]
    assert (got["Name"], got["Content"], got["Description"], got["Tags"]) == (
        "Entry 2",
        content,
        "입구",
        TAGS,
    )
    assert got["Arn"] == created["ContactFlowArn"] and (got["State"], got["Status"]) == (
        "ACTIVE",
        "PUBLISHED",
    )
    connect.delete_contact_flow(InstanceId=instance, ContactFlowId=ident)
    with pytest.raises(ClientError) as exc:
        connect.describe_contact_flow(InstanceId=instance, ContactFlowId=ident)
    assert code(exc) == "ResourceNotFoundException"


def test_contact_flow_modules(connect: Any, instance: str) -> None:
    ident = connect.create_contact_flow_module(InstanceId=instance, Name="Module", Content=FLOW)["Id"]
    with pytest.raises(ClientError) as exc:
        connect.create_contact_flow_module(InstanceId=instance, Name="Broken", Content=BROKEN)
    assert code(exc) == "InvalidContactFlowModuleException" and error_fields(exc)["Problems"]
    connect.update_contact_flow_module_metadata(
        InstanceId=instance, ContactFlowModuleId=ident, Name="Module 2", Description="모듈"
    )
    connect.update_contact_flow_module_content(InstanceId=instance, ContactFlowModuleId=ident, Content=FLOW)
    got = connect.describe_contact_flow_module(InstanceId=instance, ContactFlowModuleId=ident)[
        "ContactFlowModule"
    ]
    assert (got["Name"], got["Description"]) == ("Module 2", "모듈")
    listed = connect.list_contact_flow_modules(InstanceId=instance)["ContactFlowModulesSummaryList"]
    assert [m["Id"] for m in listed] == [ident]
    connect.delete_contact_flow_module(InstanceId=instance, ContactFlowModuleId=ident)
    with pytest.raises(ClientError) as exc:
        connect.describe_contact_flow_module(InstanceId=instance, ContactFlowModuleId=ident)
    assert code(exc) == "ResourceNotFoundException"


def test_vocabularies(connect: Any, instance: str) -> None:
    """aws_connect_vocabulary (terraform/modules/speech): created, read with its content and tags,
    refused twice under one name, deleted."""
    made = connect.create_vocabulary(
        InstanceId=instance,
        VocabularyName="terms",
        LanguageCode="ko-KR",
        Content="Phrase\n에스쓰리",
        Tags={"a": "b"},
    )
    assert made["VocabularyArn"].startswith(
        f"{connect.describe_instance(InstanceId=instance)['Instance']['Arn']}/vocabulary/"
    )
    got = connect.describe_vocabulary(InstanceId=instance, VocabularyId=made["VocabularyId"])["Vocabulary"]
    assert (got["Name"], got["LanguageCode"], got["State"], got["Content"], got["Tags"]) == (
        "terms",
        "ko-KR",
        "ACTIVE",
        "Phrase\n에스쓰리",
        {"a": "b"},
    )
    assert connect.list_tags_for_resource(resourceArn=made["VocabularyArn"])["tags"] == {"a": "b"}
    with pytest.raises(ClientError) as exc:
        connect.create_vocabulary(
            InstanceId=instance, VocabularyName="terms", LanguageCode="ko-KR", Content="x"
        )
    assert code(exc) == "ResourceConflictException"
    assert (
        connect.delete_vocabulary(InstanceId=instance, VocabularyId=made["VocabularyId"])["State"]
        == "DELETE_IN_PROGRESS"
    )
    with pytest.raises(ClientError) as exc:
        connect.describe_vocabulary(InstanceId=instance, VocabularyId=made["VocabularyId"])
    assert code(exc) == "ResourceNotFoundException"


# ---- associations, tags, phone numbers --------------------------------------------------------
def test_lambda_and_lex_associations(connect: Any, instance: str) -> None:
    arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:aicc-dev-customer-lookup"
    connect.associate_lambda_function(InstanceId=instance, FunctionArn=arn)
    with pytest.raises(ClientError) as exc:
        connect.associate_lambda_function(InstanceId=instance, FunctionArn=arn)
    assert code(exc) == "ResourceConflictException"
    assert connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"] == [arn]
    connect.disassociate_lambda_function(InstanceId=instance, FunctionArn=arn)
    assert connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"] == []
    alias = "arn:aws:lex:ap-northeast-2:123456789012:bot-alias/B/A"
    connect.associate_bot(InstanceId=instance, LexV2Bot={"AliasArn": alias})
    assert connect.list_bots(InstanceId=instance, LexVersion="V2")["LexBots"] == [
        {"LexV2Bot": {"AliasArn": alias}}
    ]
    assert connect.list_bots(InstanceId=instance, LexVersion="V1")["LexBots"] == []
    connect.disassociate_bot(InstanceId=instance, LexV2Bot={"AliasArn": alias})
    with pytest.raises(ClientError) as exc:
        connect.disassociate_bot(InstanceId=instance, LexV2Bot={"AliasArn": alias})
    assert code(exc) == "ResourceNotFoundException"


def test_tags(connect: Any, instance: str) -> None:
    queue, _ = _queue(connect, instance, "Tagged")
    arn = connect.describe_queue(InstanceId=instance, QueueId=queue)["Queue"]["QueueArn"]
    assert connect.list_tags_for_resource(resourceArn=arn)["tags"] == {}
    connect.tag_resource(resourceArn=arn, tags=TAGS)
    connect.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert connect.list_tags_for_resource(resourceArn=arn)["tags"] == {"project": "aicc"}
    assert connect.describe_queue(InstanceId=instance, QueueId=queue)["Queue"]["Tags"] == {"project": "aicc"}
    connect.untag_resource(resourceArn=arn, tagKeys=["project"])
    assert "Tags" not in connect.describe_queue(InstanceId=instance, QueueId=queue)["Queue"]
    with pytest.raises(ClientError) as exc:
        connect.list_tags_for_resource(resourceArn=arn.replace(queue, str(uuid.uuid4())))
    assert code(exc) == "ResourceNotFoundException"


def _claim(connect: Any, instance: str) -> str:
    arn = connect.describe_instance(InstanceId=instance)["Instance"]["Arn"]
    found = connect.search_available_phone_numbers(
        TargetArn=arn, PhoneNumberCountryCode="KR", PhoneNumberType="DID", MaxResults=1
    )["AvailableNumbersList"]
    number = found[0]["PhoneNumber"]
    assert number.startswith("+82")
    ident = str(connect.claim_phone_number(TargetArn=arn, PhoneNumber=number, Tags=TAGS)["PhoneNumberId"])
    until(
        lambda: (
            connect.describe_phone_number(PhoneNumberId=ident)["ClaimedPhoneNumberSummary"][
                "PhoneNumberStatus"
            ]["Status"]
            == "CLAIMED"
        )
    )
    return ident


def test_phone_numbers(connect: Any, instance: str) -> None:
    ident = _claim(connect, instance)
    got = connect.describe_phone_number(PhoneNumberId=ident)["ClaimedPhoneNumberSummary"]
    assert (got["InstanceId"], got["PhoneNumberCountryCode"], got["Tags"]) == (instance, "KR", TAGS)
    with pytest.raises(ClientError) as exc:
        connect.claim_phone_number(InstanceId=instance, PhoneNumber=got["PhoneNumber"])
    assert code(exc) == "InvalidParameterException"  # claimed already
    entry = connect.create_contact_flow(InstanceId=instance, Name="Line", Type="CONTACT_FLOW", Content=FLOW)
    steps.associate_phone_number(connect, instance, ident, entry["ContactFlowId"])  # the deploy step
    steps.disassociate_phone_number(connect, instance, ident)
    with pytest.raises(ClientError) as exc:
        connect.disassociate_phone_number_contact_flow(PhoneNumberId=ident, InstanceId=instance)
    assert code(exc) == "ResourceNotFoundException"  # it answers no flow now
    steps.associate_phone_number(connect, instance, ident, entry["ContactFlowId"])
    connect.release_phone_number(PhoneNumberId=ident)  # released while it answers a flow, as in Connect
    with pytest.raises(ClientError) as exc:
        connect.describe_phone_number(PhoneNumberId=ident)
    assert code(exc) == "ResourceNotFoundException"


def test_the_local_instance_reads_as_the_repository_builds_it(
    connect: Any, emulator: ConnectEmulator
) -> None:
    config = emulator.config
    listed = connect.list_security_profiles(InstanceId="aicc-local")["SecurityProfileSummaryList"]
    assert {p["Name"] for p in listed} == {sp.name for sp in config.security_profiles.values()}
    some = next(iter(config.security_profiles))
    permissions = connect.list_security_profile_permissions(InstanceId="aicc-local", SecurityProfileId=some)
    assert set(permissions["Permissions"]) == set(emulator.resource_set.security_profiles[some].permissions)
    for key, queue in emulator.resource_set.queues.items():
        offered = connect.list_queue_quick_connects(InstanceId="aicc-local", QueueId=key)[
            "QuickConnectSummaryList"
        ]
        assert {q["Id"] for q in offered} == {emulator.quick_connect_id(k) for k in queue.quick_connects}
    assert connect.list_lambda_functions(InstanceId="aicc-local")["LambdaFunctions"]
    assert connect.list_bots(InstanceId="aicc-local", LexVersion="V2")["LexBots"] == [
        {"LexV2Bot": {"AliasArn": emulator.resources.lex_alias_arn}}
    ]


def test_the_repository_flows_are_valid_content(
    connect: Any, instance: str, emulator: ConnectEmulator
) -> None:
    """What Terraform will send: every rendered flow of flows.yaml is accepted as Connect checks it."""
    for key, flow in render_all(emulator.resources).items():
        created = connect.create_contact_flow(
            InstanceId=instance, Name=f"repo {key}", Type=flow.type, Content=flow.text
        )
        connect.delete_contact_flow(InstanceId=instance, ContactFlowId=created["ContactFlowId"])
