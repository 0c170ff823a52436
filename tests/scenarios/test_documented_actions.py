"""Every documented action type runs, or takes its documented error branch, never a crash; what the
simulator cannot know offline answers from the fixtures; a flow's type sets how the contact starts."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
from helpers import flow_of

from aicc_ops.engine import fixtures as fx
from aicc_ops.engine.interpreter import CallResult, FlowRunError
from aicc_ops.engine.presence import SimulatedQueues
from aicc_ops.local.stack import LocalStack

AT = datetime.fromisoformat("2026-11-25T10:00:00+09:00")
OK = {
    "Identifier": "ok",
    "Type": "MessageParticipant",
    "Parameters": {"Text": "ok"},
    "Transitions": {"NextAction": "bye"},
}
FAILED = {
    "Identifier": "failed",
    "Type": "MessageParticipant",
    "Parameters": {"Text": "failed"},
    "Transitions": {"NextAction": "bye"},
}
BYE = {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}


def action(kind: str, params: dict[str, Any], *results: str) -> dict[str, Any]:
    """The action under test: success (or each result) to `ok`, any error to `failed`."""
    return {
        "Identifier": "act",
        "Type": kind,
        "Parameters": params,
        "Transitions": {
            "NextAction": "ok",
            "Conditions": [
                {"NextAction": "ok", "Condition": {"Operator": "Equals", "Operands": [r]}} for r in results
            ],
            "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}],
        },
    }


def run(
    stack: LocalStack,
    actions: list[dict[str, Any]],
    fixtures: dict[str, Any] | None = None,
    *,
    ftype: str = "CONTACT_FLOW",
    flows: dict[str, Any] | None = None,
    inputs: tuple[str, ...] = (),
) -> CallResult:
    flow = flow_of([*actions, OK, FAILED, BYE], ftype)
    engine = stack.new_engine(
        SimulatedQueues(stack.config),
        flows={"test": flow, **(flows or {})},
        entry_flow="test",
        fixtures=fx.parse(fixtures or {}),
        references={key: key for key in flows or {}},
    )
    return engine.run("+821012345678", AT, list(inputs), hold_seconds=60)


def branch(result: CallResult) -> str:
    return next(s.outcome for s in result.steps if s.identifier == "act")


PROFILE = {
    "ProfileRequestData": {"IdentifierName": "_phone", "IdentifierValue": "$.CustomerEndpoint.Address"}
}
CASES: list[tuple[str, dict[str, Any], dict[str, Any], tuple[str, ...], str]] = [
    # (type, parameters, fixtures, results the flow branches on, the branch taken)
    ("ShowView", {"ViewResource": {"Id": "form"}}, {}, ("Next",), "error:NoMatchingError"),  # chat only
    ("ShowView", {"ViewResource": {"Id": "form"}}, {"views": {"form": ["Next"]}}, ("Next",), "Equals:Next"),
    ("TagContact", {"Tags": {"team": "billing"}}, {}, (), "next"),
    ("UnTagContact", {"TagKeys": ["team"]}, {}, (), "next"),
    (
        "InvokeFlowModule",
        {"FlowModuleId": "arn:aws:connect:us-east-1:1:instance/i/flow-module/m"},
        {},
        (),
        "error:NoMatchingError",
    ),
    ("UpdateContactMediaStreamingBehavior", {"MediaStreamingState": "Enabled"}, {}, (), "next"),
    ("UpdateContactMediaStreamingBehavior", {"MediaStreamingState": "On"}, {}, (), "error:NoMatchingError"),
    ("UpdateContactRoutingCriteria", {"RoutingCriteria": {"Steps": [{"Expression": {}}]}}, {}, (), "next"),
    ("UpdateRoutingCriteria", {"RoutingCriteria": {}}, {}, (), "error:NoMatchingError"),
    ("StartVoiceIdStream", {}, {}, (), "next"),
    (
        "CheckVoiceId",
        {"CheckVoiceIdOption": "voiceAuthentication"},
        {},
        ("Authenticated",),
        "error:NoMatchingError",
    ),
    (
        "CheckVoiceId",
        {"CheckVoiceIdOption": "voiceAuthentication"},
        {"actions": {"CheckVoiceId": {"result": "Authenticated"}}},
        ("Authenticated",),
        "Equals:Authenticated",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "+12125550100"},
        {},
        (),
        "error:NoMatchingError",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "+12125550100"},
        {"actions": {"act": {"result": "answered"}}},
        (),
        "next",
    ),
    ("TransferParticipantToThirdParty", {"ThirdPartyPhoneNumber": "555"}, {}, (), "error:NoMatchingError"),
    ("Wait", {"TimeoutSeconds": "60"}, {}, ("WaitCompleted",), "error:NoMatchingError"),  # chat only
    (
        "Wait",
        {"TimeoutSeconds": "60"},
        {"actions": {"Wait": {"result": "WaitCompleted"}}},
        ("WaitCompleted",),
        "Equals:WaitCompleted",
    ),
    (
        "CreateTask",
        {"Name": "Call back", "ContactFlowId": "arn:aws:connect:us-east-1:1:instance/i/contact-flow/t"},
        {},
        (),
        "next",
    ),
    ("CreateTask", {"Name": "Call back"}, {}, (), "error:NoMatchingError"),
    ("CompleteOutboundCall", {}, {}, (), "next"),
    ("CheckOutboundCallStatus", {}, {}, ("CallAnswered",), "error:NoMatchingError"),
    (
        "CheckOutboundCallStatus",
        {},
        {"actions": {"act": {"result": "CallAnswered"}}},
        ("CallAnswered",),
        "Equals:CallAnswered",
    ),
    ("CreateCase", {"CaseTemplateId": "t-1", "LinkContactToCase": "true"}, {}, (), "next"),
    ("UpdateCase", {"CaseId": "c-1"}, {}, (), "next"),
    ("GetCase", {"CustomerId": "cust-1"}, {}, (), "error:NoMatchingError"),
    ("GetCase", {"CustomerId": "cust-1"}, {"actions": {"GetCase": {"data": {"status": "open"}}}}, (), "next"),
    ("GetCustomerProfile", PROFILE, {}, (), "error:NoMatchingError"),
    (
        "GetCustomerProfile",
        PROFILE,
        {"actions": {"GetCustomerProfile": {"data": {"FirstName": "Jane"}}}},
        (),
        "next",
    ),
    ("GetCustomerProfileObject", {}, {}, (), "error:NoMatchingError"),
    ("GetCalculatedAttributesForCustomerProfile", {}, {}, (), "error:NoMatchingError"),
    ("CreateCustomerProfile", {"ProfileRequestData": {"FirstName": "Jane"}}, {}, (), "next"),
    ("UpdateCustomerProfile", {"ProfileRequestData": {"LastName": "Doe"}}, {}, (), "next"),
    (
        "AssociateContactToCustomerProfile",
        {"ProfileRequestData": {"ProfileId": "p-1", "ContactId": "$.ContactId"}},
        {},
        (),
        "next",
    ),
    ("AssociateContactToCustomerProfile", {"ProfileRequestData": {}}, {}, (), "error:NoMatchingError"),
    ("CreateWisdomSession", {"WisdomAssistantArn": "arn:aws:wisdom:us-east-1:1:assistant/a"}, {}, (), "next"),
    ("ResumeContact", {}, {}, (), "next"),
    (
        "UpdatePreviousContactParticipantState",
        {"PreviousContactParticipantState": "AgentOnHold"},
        {},
        (),
        "next",
    ),
    (
        "UpdatePreviousContactParticipantState",
        {"PreviousContactParticipantState": "Asleep"},
        {},
        (),
        "error:NoMatchingError",
    ),
    (
        "CreatePersistentContactAssociation",
        {"RehydrationType": "ENTIRE_PAST_SESSION"},
        {},
        (),
        "error:NoMatchingError",
    ),
    (
        "StartOutboundChatContact",
        {"DestinationEndpoint": {"Address": "+821012345678", "Type": "TELEPHONE_NUMBER"}},
        {},
        (),
        "next",
    ),
    ("UpdateContactMediaProcessing", {}, {}, (), "error:NoMatchingError"),  # chat only: ChannelMismatch
    ("UpdateContactRecordingAndAnalyticsBehavior", {"VoiceBehavior": {}}, {}, (), "next"),
    ("UpdateContactRecordingAndAnalyticsBehavior", {"ChatBehavior": {}}, {}, (), "error:NoMatchingError"),
    ("DistributeByPercentage", {}, {"actions": {"act": {"result": "30"}}}, ("30",), "Equals:30"),
    (
        "TagContact",
        {"Tags": {"a": "b"}},
        {"actions": {"TagContact": {"error": "NoMatchingError"}}},
        (),
        "error:NoMatchingError",
    ),
]


@pytest.mark.parametrize(("kind", "params", "fixtures", "results", "taken"), CASES)
def test_each_action_runs_or_takes_its_documented_error_branch(
    stack: LocalStack,
    kind: str,
    params: dict[str, Any],
    fixtures: dict[str, Any],
    results: tuple[str, ...],
    taken: str,
) -> None:
    result = run(stack, [action(kind, params, *results)], fixtures)
    assert branch(result) == taken
    assert result.disconnected and result.prompts == (["failed"] if taken.startswith("error") else ["ok"])
    if taken.startswith("error") and not fixtures:
        # What the simulator could not answer says why in the transcript.
        reasons = [e["text"] for e in result.transcript if e["kind"] == "fixture"] + [result.steps[0].detail]
        assert any(reasons), result.transcript


def test_what_the_actions_did_is_recorded(stack: LocalStack) -> None:
    copy = action(
        "UpdateContactAttributes",
        {"Attributes": {"stream": "$.MediaStreams.Customer.Audio.StreamARN", "who": "$.Customer.FirstName"}},
    )
    copy["Identifier"] = "copy"
    actions = [
        {**action("TagContact", {"Tags": {"team": "billing", "tier": "gold"}}), "Identifier": "tag"},
        {**action("UnTagContact", {"TagKeys": ["tier"]}), "Identifier": "untag"},
        {
            **action("UpdateContactMediaStreamingBehavior", {"MediaStreamingState": "Enabled"}),
            "Identifier": "stream",
        },
        {**action("GetCustomerProfile", PROFILE), "Identifier": "profile"},
        {**action("CreateTask", {"Name": "Call back", "ContactFlowId": "t-1"}), "Identifier": "task"},
        copy,
    ]
    for a, b in itertools.pairwise(actions):
        a["Transitions"]["NextAction"] = b["Identifier"]
    result = run(stack, actions, {"actions": {"profile": {"data": {"FirstName": "Jane"}}}})
    assert result.tags == {"team": "billing"}
    assert result.attributes["who"] == "Jane" and result.attributes["stream"].startswith(
        "arn:aws:kinesisvideo:"
    )
    assert result.created == [{"kind": "task", "name": "Call back", "flow": "t-1"}]


def test_distribute_by_percentage_draws_the_same_number_for_the_same_call(stack: LocalStack) -> None:
    split = action("DistributeByPercentage", {})
    split["Transitions"]["Conditions"] = [
        {"NextAction": "ok", "Condition": {"Operator": "NumberLessThan", "Operands": ["101"]}}
    ]
    first, second = run(stack, [split]), run(stack, [split])
    assert branch(first) == "NumberLessThan:101"
    assert (
        first.steps[0].detail == second.steps[0].detail and 1 <= int(first.steps[0].detail.split()[-1]) <= 100
    )


def test_a_module_runs_and_returns_to_the_next_action(stack: LocalStack) -> None:
    module = flow_of(
        [
            {
                "Identifier": "m-say",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "in the module"},
                "Transitions": {"NextAction": "m-end"},
            },
            {"Identifier": "m-end", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}},
        ],
        "CONTACT_FLOW_MODULE",
        key="mod",
    )
    result = run(stack, [action("InvokeFlowModule", {"FlowModuleId": "mod"})], flows={"mod": module})
    assert branch(result) == "next" and result.prompts == ["in the module", "ok"]
    assert result.flows == ["Test", "Test", "Test"]  # the flow, the module (same test name), the flow again


def test_a_module_that_invokes_itself_stops_at_a_depth(stack: LocalStack) -> None:
    loop = flow_of(
        [
            {
                "Identifier": "again",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": "mod"},
                "Transitions": {
                    "NextAction": "m-end",
                    "Errors": [{"NextAction": "m-end", "ErrorType": "NoMatchingError"}],
                },
            },
            {"Identifier": "m-end", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}},
        ],
        "CONTACT_FLOW_MODULE",
        key="mod",
    )
    result = run(stack, [action("InvokeFlowModule", {"FlowModuleId": "mod"})], flows={"mod": loop})
    assert branch(result) == "next"
    assert any("nested more than" in s.detail for s in result.steps)


def test_transfer_to_an_agent_connects_or_drops_when_the_agent_is_busy(stack: LocalStack) -> None:
    transfer = {"Identifier": "act", "Type": "TransferContactToAgent", "Parameters": {}, "Transitions": {}}
    free = run(stack, [transfer], ftype="AGENT_TRANSFER")
    assert not free.disconnected and free.end_reason == "transferred to agent agent"
    busy = run(stack, [transfer], {"agent": {"username": "kim", "status": "BUSY"}}, ftype="AGENT_TRANSFER")
    assert busy.disconnected and "kim is BUSY" in busy.end_reason


def test_an_action_type_that_is_not_flow_language_is_a_flow_error(stack: LocalStack) -> None:
    with pytest.raises(FlowRunError, match="unknown action type 'GetCustomerInput'"):
        run(stack, [action("GetCustomerInput", {})])


WHO = action(
    "UpdateContactAttributes",
    {"Attributes": {"agent": "$.Agent.UserName", "how": "$.InitiationMethod", "queue": "$.Queue.Name"}},
)


@pytest.mark.parametrize(
    ("ftype", "agent", "how", "queue"),
    [
        ("CONTACT_FLOW", "", "INBOUND", ""),
        ("AGENT_WHISPER", "jdoe", "INBOUND", "Sales"),
        ("CUSTOMER_WHISPER", "jdoe", "INBOUND", "Sales"),
        ("OUTBOUND_WHISPER", "jdoe", "OUTBOUND", ""),
        ("AGENT_TRANSFER", "jdoe", "TRANSFER", ""),
        ("QUEUE_TRANSFER", "", "TRANSFER", "Sales"),
    ],
)
def test_the_flow_type_sets_how_the_contact_starts(
    stack: LocalStack, ftype: str, agent: str, how: str, queue: str
) -> None:
    fixtures = {"agent": {"username": "jdoe"}, "contact": {"queue": "Sales"}, "queues": {"Sales": {}}}
    result = run(stack, [WHO], fixtures, ftype=ftype)
    assert (result.attributes["agent"], result.attributes["how"], result.attributes["queue"]) == (
        agent,
        how,
        queue,
    )


def test_a_customer_queue_flow_runs_while_the_contact_waits_in_its_queue(stack: LocalStack) -> None:
    loop = {
        "Identifier": "act",
        "Type": "MessageParticipantIteratively",
        "Parameters": {"Messages": [{"Text": "please hold"}], "InterruptFrequencySeconds": "20"},
        "Transitions": {
            "Conditions": [
                {
                    "NextAction": "act",
                    "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]},
                }
            ],
            "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}],
        },
    }
    result = run(stack, [loop], {"contact": {"queue": "Support"}}, ftype="CUSTOMER_QUEUE")
    assert result.in_queue and result.queue == "Support" and result.prompts == ["please hold"] * 3


def test_parameters_of_the_wrong_shape_take_the_error_branch(stack: LocalStack) -> None:
    result = run(stack, [action("TagContact", {"Tags": ["not", "a", "map"]})])
    assert branch(result) == "error:NoMatchingError"
    assert "unexpected shape" in result.steps[0].detail


def test_another_instances_callback_numbers_are_not_held_to_our_countries(stack: LocalStack) -> None:
    number = action("UpdateContactCallbackNumber", {"CallbackNumber": "$.CustomerEndpoint.Address"})
    ours = run(stack, [number], inputs=())
    assert branch(ours) == "next"  # the caller is Korean
    flow = flow_of([number, OK, FAILED, BYE])
    flow.source = "exports/us.json"
    engine = stack.new_engine(SimulatedQueues(stack.config), flows={"test": flow}, entry_flow="test")
    us = engine.run("+12125550123", AT)
    assert next(s.outcome for s in us.steps if s.identifier == "act") == "next"
