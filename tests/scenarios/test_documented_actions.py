"""Every documented action type runs, or takes its documented error branch, never a crash; what the
simulator cannot know offline answers from the fixtures; a flow's type sets how the contact starts."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
from helpers import flow_of

from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.engine import fixtures as fx
from aicc_ops.engine.interpreter import CallResult, FlowRunError, SimulatorBugError, _Run
from aicc_ops.engine.presence import SimulatedQueues
from aicc_ops.local.rehearsal import gather
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
CASES: list[tuple[str, dict[str, Any], dict[str, Any], tuple[str, ...], str, str]] = [
    # (type, parameters, fixtures, results the flow branches on, the branch taken, and for an error
    # branch what the step says: the documented reason it took it, not an accident of the simulator)
    (
        "ShowView",
        {"ViewResource": {"Id": "form"}},
        {},
        ("Next",),
        "error:NoMatchingError",
        "ShowView runs on chat only",
    ),
    (
        "ShowView",
        {"ViewResource": {"Id": "form"}},
        {"views": {"form": ["Next"]}},
        ("Next",),
        "Equals:Next",
        "",
    ),
    ("TagContact", {"Tags": {"team": "billing"}}, {}, (), "next", ""),
    ("UnTagContact", {"TagKeys": ["team"]}, {}, (), "next", ""),
    (
        "InvokeFlowModule",
        {"FlowModuleId": "arn:aws:connect:us-east-1:1:instance/i/flow-module/m"},
        {},
        (),
        "error:NoMatchingError",
        "was not given",
    ),
    ("UpdateContactMediaStreamingBehavior", {"MediaStreamingState": "Enabled"}, {}, (), "next", ""),
    (
        "UpdateContactMediaStreamingBehavior",
        {"MediaStreamingState": "On"},
        {},
        (),
        "error:NoMatchingError",
        "'On' is not Enabled or Disabled",
    ),
    (
        "UpdateContactRoutingCriteria",
        {
            "RoutingCriteria": {
                "Steps": [
                    {
                        "Expression": {
                            "AttributeCondition": {
                                "ComparisonOperator": "Match",
                                "MatchCriteria": {"AgentsCriteria": {"AgentIds": ["a1"]}},
                            }
                        },
                        "Expiry": {"DurationInSeconds": 30},
                    }
                ]
            }
        },
        {},
        (),
        "next",
        "1 step(s) (30 s)",
    ),
    (
        "UpdateRoutingCriteria",
        {"RoutingCriteria": {"Steps": [{"Expression": {}}]}},
        {},
        (),
        "error:NoMatchingError",
        "must hold exactly one of AttributeCondition",
    ),
    (
        "UpdateRoutingCriteria",
        {"RoutingCriteria": {}},
        {},
        (),
        "error:NoMatchingError",
        "RoutingCriteria must be an object with Steps",
    ),
    ("StartVoiceIdStream", {}, {}, (), "next", ""),
    (
        "CheckVoiceId",
        {"CheckVoiceIdOption": "voiceAuthentication"},
        {},
        ("Authenticated",),
        "error:NoMatchingError",
        "Voice ID's verdict is not known offline",
    ),
    (
        "CheckVoiceId",
        {"CheckVoiceIdOption": "voiceAuthentication"},
        {"actions": {"CheckVoiceId": {"result": "Authenticated"}}},
        ("Authenticated",),
        "Equals:Authenticated",
        "",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "+12125550100"},
        {},
        (),
        "error:NoMatchingError",
        "whether +12125550100 answers is not known offline",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "+12125550100"},
        {"actions": {"act": {"result": "answered"}}},
        (),
        "next",
        "",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "555"},
        {},
        (),
        "error:NoMatchingError",  # CallFailed, which the flow does not handle
        "'555' is not an E.164 number",
    ),
    (
        "Wait",
        {"TimeoutSeconds": "60"},
        {},
        ("WaitCompleted",),
        "error:NoMatchingError",
        "Wait runs on the chat channel only",
    ),
    (
        "Wait",
        {"TimeoutSeconds": "60"},
        {"actions": {"Wait": {"result": "WaitCompleted"}}},
        ("WaitCompleted",),
        "Equals:WaitCompleted",
        "",
    ),
    (
        "CreateTask",
        {"Name": "Call back", "ContactFlowId": "arn:aws:connect:us-east-1:1:instance/i/contact-flow/t"},
        {},
        (),
        "next",
        "",
    ),
    ("CreateTask", {"Name": "Call back"}, {}, (), "error:NoMatchingError", "CreateTask needs ContactFlowId"),
    ("CompleteOutboundCall", {}, {}, (), "next", ""),
    (
        "CheckOutboundCallStatus",
        {},
        {},
        ("CallAnswered",),
        "error:NoMatchingError",
        "call progress comes from an outbound campaign's dialer",
    ),
    (
        "CheckOutboundCallStatus",
        {},
        {"actions": {"act": {"result": "CallAnswered"}}},
        ("CallAnswered",),
        "Equals:CallAnswered",
        "",
    ),
    ("CreateCase", {"CaseTemplateId": "t-1", "LinkContactToCase": "true"}, {}, (), "next", ""),
    ("UpdateCase", {"CaseId": "c-1"}, {}, (), "next", ""),
    (
        "GetCase",
        {"CustomerId": "cust-1"},
        {},
        (),
        "error:NoMatchingError",
        "the Cases domain is not simulated",
    ),
    (
        "GetCase",
        {"CustomerId": "cust-1"},
        {"actions": {"GetCase": {"data": {"status": "open"}}}},
        (),
        "next",
        "",
    ),
    (
        "GetCustomerProfile",
        PROFILE,
        {},
        (),
        "error:NoMatchingError",
        "Customer Profiles is not simulated (profile)",
    ),
    (
        "GetCustomerProfile",
        PROFILE,
        {"actions": {"GetCustomerProfile": {"data": {"FirstName": "Jane"}}}},
        (),
        "next",
        "",
    ),
    (
        "GetCustomerProfileObject",
        {},
        {},
        (),
        "error:NoMatchingError",
        "Customer Profiles is not simulated (profile object)",
    ),
    (
        "GetCalculatedAttributesForCustomerProfile",
        {},
        {},
        (),
        "error:NoMatchingError",
        "Customer Profiles is not simulated (calculated attributes)",
    ),
    ("CreateCustomerProfile", {"ProfileRequestData": {"FirstName": "Jane"}}, {}, (), "next", ""),
    ("UpdateCustomerProfile", {"ProfileRequestData": {"LastName": "Doe"}}, {}, (), "next", ""),
    (
        "AssociateContactToCustomerProfile",
        {"ProfileRequestData": {"ProfileId": "p-1", "ContactId": "$.ContactId"}},
        {},
        (),
        "next",
        "",
    ),
    (
        "AssociateContactToCustomerProfile",
        {"ProfileRequestData": {}},
        {},
        (),
        "error:NoMatchingError",
        "ProfileRequestData.ProfileId is required",
    ),
    (
        "CreateWisdomSession",
        {"WisdomAssistantArn": "arn:aws:wisdom:us-east-1:1:assistant/a"},
        {},
        (),
        "next",
        "",
    ),
    ("ResumeContact", {}, {}, (), "next", ""),
    (
        "UpdatePreviousContactParticipantState",
        {"PreviousContactParticipantState": "AgentOnHold"},
        {},
        (),
        "next",
        "",
    ),
    (
        "UpdatePreviousContactParticipantState",
        {"PreviousContactParticipantState": "Asleep"},
        {},
        (),
        "error:NoMatchingError",
        "'Asleep' is not AgentOnHold, CustomerOnHold or OffHold",
    ),
    (
        "CreatePersistentContactAssociation",
        {"RehydrationType": "ENTIRE_PAST_SESSION"},
        {},
        (),
        "error:NoMatchingError",
        "CreatePersistentContactAssociation runs on the chat channel only",
    ),
    (
        "StartOutboundChatContact",
        {"DestinationEndpoint": {"Address": "+821012345678", "Type": "TELEPHONE_NUMBER"}},
        {},
        (),
        "next",
        "",
    ),
    (
        "UpdateContactMediaProcessing",
        {},
        {},
        (),
        "error:NoMatchingError",  # ChannelMismatch, which the flow does not handle
        "UpdateContactMediaProcessing runs on the chat channel only",
    ),
    ("UpdateContactRecordingAndAnalyticsBehavior", {"VoiceBehavior": {}}, {}, (), "next", ""),
    (
        "UpdateContactRecordingAndAnalyticsBehavior",
        {"ChatBehavior": {}},
        {},
        (),
        "error:NoMatchingError",
        "runs on the chat channel only",
    ),
    ("DistributeByPercentage", {}, {"actions": {"act": {"result": "30"}}}, ("30",), "Equals:30", ""),
    (
        "TagContact",
        {"Tags": {"a": "b"}},
        {"actions": {"TagContact": {"error": "NoMatchingError"}}},
        (),
        "error:NoMatchingError",
        "fixtures: actions.TagContact",
    ),
]


# Reasons the simulator gives for what it cannot answer offline (not a defect of the flow).
UNANSWERED = ("not known offline", "not simulated", "was not given", "chat channel only", "dialer")


@pytest.mark.parametrize(("kind", "params", "fixtures", "results", "taken", "why"), CASES)
def test_each_action_runs_or_takes_its_documented_error_branch(
    stack: LocalStack,
    kind: str,
    params: dict[str, Any],
    fixtures: dict[str, Any],
    results: tuple[str, ...],
    taken: str,
    why: str,
) -> None:
    result = run(stack, [action(kind, params, *results)], fixtures)
    assert branch(result) == taken
    assert result.disconnected and result.prompts == (["failed"] if taken.startswith("error") else ["ok"])
    step = next(s for s in result.steps if s.identifier == "act")
    if taken.startswith("error"):
        # The documented path, and the reason for it, is what the step says.
        assert why and why in step.detail, step.detail
    if taken.startswith("error") and any(m in why for m in UNANSWERED):
        # What the simulator could not answer offline says why in the transcript too (⚠).
        assert any(why in e["text"] for e in result.transcript if e["kind"] == "fixture"), result.transcript


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


def _module(*actions: dict[str, Any]) -> Any:
    return flow_of(list(actions), "CONTACT_FLOW_MODULE", key="mod")


def _returns(params: dict[str, Any]) -> dict[str, Any]:
    return {"Identifier": "m-end", "Type": "EndFlowModuleExecution", "Parameters": params, "Transitions": {}}


YES = {
    "Identifier": "yes",
    "Type": "MessageParticipant",
    "Parameters": {"Text": "yes branch"},
    "Transitions": {"NextAction": "bye"},
}


def _invoke(*branches: str, no_match: bool = True) -> dict[str, Any]:
    """InvokeFlowModule as the designer writes it for a module with custom branches: one Equals
    condition per branch (to `yes`), Success to `ok`, NoMatchingCondition and errors to `failed`."""
    invoke = action(
        "InvokeFlowModule", {"FlowModuleId": "mod", "Input": {"who": "$.CustomerEndpoint.Address"}}
    )
    invoke["Transitions"]["Conditions"] = [
        {"NextAction": "yes", "Condition": {"Operator": "Equals", "Operands": [b]}} for b in branches
    ]
    if no_match:
        invoke["Transitions"]["Errors"].append({"NextAction": "failed", "ErrorType": "NoMatchingCondition"})
    return invoke


@pytest.mark.parametrize(
    ("returned", "taken", "prompts"),
    [
        ({"Result": "Yes"}, "Equals:Yes", ["yes branch"]),  # the module's branch picks the condition
        ({"Result": "Maybe"}, "error:NoMatchingCondition", ["failed"]),  # a branch no condition names
        ({}, "next", ["ok"]),  # no Result: the default (Success) branch
    ],
)
def test_a_modules_result_selects_the_invoking_blocks_branch(
    stack: LocalStack, returned: dict[str, Any], taken: str, prompts: list[str]
) -> None:
    result = run(stack, [_invoke("Yes"), YES], flows={"mod": _module(_returns(returned))})
    assert (branch(result), result.prompts) == (taken, prompts)


def test_a_modules_input_and_output_are_read_through_modules(stack: LocalStack) -> None:
    """Inside the module $.Modules.Input is what the block passed; after it, $.Modules.Result and
    $.Modules.ResultData are what the module returned."""
    inside = action("UpdateContactAttributes", {"Attributes": {"seen": "$.Modules.Input.who"}})
    inside.update(Identifier="m-read", Transitions={"NextAction": "m-end"})
    module = _module(inside, _returns({"Result": "Yes", "ResultData": {"score": "7"}}))
    after = action(
        "UpdateContactAttributes",
        {"Attributes": {"branch": "$.Modules.Result", "score": "$.Modules.ResultData.score"}},
    )
    after["Identifier"] = "after"
    invoke = _invoke("Yes")
    invoke["Transitions"]["Conditions"][0]["NextAction"] = "after"
    result = run(stack, [invoke, after], flows={"mod": module})
    assert branch(result) == "Equals:Yes"
    assert {k: result.attributes[k] for k in ("seen", "branch", "score")} == {
        "seen": "+821012345678",
        "branch": "Yes",
        "score": "7",
    }


def test_a_module_cannot_invoke_a_module(stack: LocalStack) -> None:
    """Connect refuses a module that invokes another (lint says so too): met anyway, the block
    takes its error branch and the step says why; the module then returns as it goes on."""
    nested = {
        "Identifier": "again",
        "Type": "InvokeFlowModule",
        "Parameters": {"FlowModuleId": "mod"},
        "Transitions": {
            "NextAction": "m-end",
            "Errors": [{"NextAction": "m-end", "ErrorType": "NoMatchingError"}],
        },
    }
    result = run(stack, [_invoke()], flows={"mod": _module(nested, _returns({}))})
    again = next(s for s in result.steps if s.identifier == "again")
    assert again.outcome == "error:NoMatchingError"
    assert "a module cannot invoke another module" in again.detail
    assert branch(result) == "next" and result.prompts == ["ok"]


def test_a_module_id_that_names_a_flow_takes_the_error_branch(stack: LocalStack) -> None:
    other = flow_of([BYE], key="mod")  # an inbound flow, not a module
    result = run(stack, [_invoke()], flows={"mod": other})
    assert branch(result) == "error:NoMatchingError"
    assert "a CONTACT_FLOW flow, not a flow module" in result.steps[0].detail


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


@pytest.mark.parametrize(
    ("kind", "params", "why"),
    [
        ("TagContact", {"Tags": ["not", "a", "map"]}, "TagContact: Tags is a list, not a map"),
        ("UnTagContact", {"TagKeys": "team"}, "UnTagContact: TagKeys is text, not a list"),
        ("UpdateContactAttributes", {"Attributes": "$.Attributes"}, "Attributes is text, not a map"),
        ("UpdateFlowAttributes", {"FlowAttributes": {"a": "b"}}, "a is text, not a map"),
        ("Loop", {"LoopCount": "$.Attributes.none"}, "LoopCount is None, not a number"),
    ],
)
def test_parameters_of_the_wrong_shape_take_the_error_branch(
    stack: LocalStack, kind: str, params: dict[str, Any], why: str
) -> None:
    result = run(stack, [action(kind, params, "ContinueLooping", "DoneLooping")])
    assert branch(result) == "error:NoMatchingError"
    assert why in result.steps[0].detail


def test_a_python_error_in_a_handler_is_a_bug_not_a_branch(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception the handler did not raise on purpose is the simulator's fault: taking the
    flow's error branch would pass it off as Connect's behaviour."""

    def broken(*_: Any) -> None:
        raise KeyError("Tags")

    monkeypatch.setattr(_Run, "do_TagContact", broken)
    with pytest.raises(SimulatorBugError, match=r"Test / act \(TagContact\): a bug in aicc-ops.*KeyError"):
        run(stack, [action("TagContact", {"Tags": {"a": "b"}})])


def test_another_instances_callback_numbers_are_not_held_to_our_countries(stack: LocalStack) -> None:
    number = action("UpdateContactCallbackNumber", {"CallbackNumber": "$.CustomerEndpoint.Address"})
    ours = run(stack, [number], inputs=())
    assert branch(ours) == "next"  # the caller is Korean
    flow = flow_of([number, OK, FAILED, BYE])
    flow.source, flow.foreign = "exports/us.json", True
    engine = stack.new_engine(SimulatedQueues(stack.config), flows={"test": flow}, entry_flow="test")
    us = engine.run("+12125550123", AT)
    assert next(s.outcome for s in us.steps if s.identifier == "act") == "next"


def test_our_own_template_given_as_a_file_keeps_our_rules(stack: LocalStack) -> None:
    """A template of this repository's catalog passed as a file is ours (not foreign): a US caller's
    number is not dialable from our Korean instance, whatever file it came from."""
    r = gather(REPO_FLOWS_DIR / "callback_request.json.tftpl")
    assert not r.flows[r.entry].foreign
    engine = stack.new_engine(SimulatedQueues(stack.config), flows=r.flows, entry_flow=r.entry)
    us = engine.run("+12125550123", AT, ["1"])
    assert next(s.outcome for s in us.steps if s.identifier == "set-caller-number") == (
        "error:CallbackNumberNotDialable"
    )


def test_end_flow_in_an_inbound_flow_disconnects(stack: LocalStack) -> None:
    """End flow / Resume in an inbound flow has nothing to resume: it acts as Disconnect
    (adminguide/end-flow-resume.html)."""
    result = run(
        stack, [{"Identifier": "act", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}]
    )
    assert result.disconnected and result.end_reason == "disconnected by flow"


def test_a_malformed_branch_is_no_branch_not_a_crash(stack: LocalStack) -> None:
    """Errors given as a string (lint reports the shape): the simulator finds no error branch and
    says the call would drop there, instead of failing inside the simulator."""
    lam = action(
        "InvokeLambdaFunction", {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:Nope"}
    )
    lam["Transitions"]["Errors"] = "NoMatchingError"
    with pytest.raises(FlowRunError, match="has no branch"):
        run(stack, [lam])
