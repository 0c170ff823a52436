"""The action table covers the Flow Language as AWS documents it and as real exports write it."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import public_flows

from aicc_ops.engine import references as refs
from aicc_ops.engine.actions import (
    ALL_CHANNELS,
    ALL_TYPES,
    CUSTOMER_QUEUE,
    HOLD,
    INBOUND,
    MODULE,
    SPECS,
    TRANSFER,
    WHISPER,
)
from aicc_ops.engine.lint_paths import strings_in

# The four category pages of the reference, as of this writing (their "Topics" lists):
# https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions.html,
# .../contact-actions.html, .../flow-control-actions.html, .../interactions.html
DOCUMENTED = {
    "participant": [
        "ConnectParticipantWithLexBot",
        "DisconnectParticipant",
        "GetParticipantInput",
        "MessageParticipant",
        "MessageParticipantIteratively",
        "ShowView",
    ],
    "contact": [
        "CompleteOutboundCall",
        "CreateCase",
        "CreateTask",
        "CreateWisdomSession",
        "DequeueContactAndTransferToQueue",
        "EndFlowModuleExecution",
        "GetCase",
        "InvokeFlowModule",
        "StartOutboundChatContact",
        "TagContact",
        "TransferContactToAgent",
        "TransferContactToQueue",
        "UnTagContact",
        "UpdateCase",
        "UpdateContactAttributes",
        "UpdateContactCallbackNumber",
        "UpdateContactData",
        "UpdateContactEventHooks",
        "UpdateContactMediaProcessing",
        "UpdateContactMediaStreamingBehavior",
        "UpdateContactRecordingAndAnalyticsBehavior",
        "UpdateContactRecordingBehavior",
        "ResumeContact",
        "UpdateContactRoutingBehavior",
        "UpdateContactTargetQueue",
        "UpdateContactTextToSpeechVoice",
        "UpdatePreviousContactParticipantState",
    ],
    "flow control": [
        "CheckHoursOfOperation",
        "CheckMetricData",
        "CheckOutboundCallStatus",
        "CheckVoiceId",
        "Compare",
        "DistributeByPercentage",
        "EndFlowExecution",
        "GetMetricData",
        "Loop",
        "StartVoiceIdStream",
        "TransferToFlow",
        "UpdateFlowAttributes",
        "UpdateFlowLoggingBehavior",
        "UpdateRoutingCriteria",
        "Wait",
    ],
    "interactions": [
        "AssociateContactToCustomerProfile",
        "CreateCallbackContact",
        "CreateCustomerProfile",
        "InvokeLambdaFunction",
        "GetCustomerProfile",
        "GetCustomerProfileObject",
        "GetCalculatedAttributesForCustomerProfile",
        "UpdateCustomerProfile",
    ],
}


def _public_actions() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file name, flow type, action) of every action of every public flow."""
    for path, ftype in public_flows():
        for action in json.loads(path.read_text(encoding="utf-8")).get("Actions") or []:
            yield path.name, ftype, action


@pytest.mark.parametrize("category", sorted(DOCUMENTED))
def test_every_documented_action_type_has_a_spec(category: str) -> None:
    assert [t for t in DOCUMENTED[category] if t not in SPECS] == []


def test_every_spec_names_the_page_it_follows() -> None:
    assert [
        t for t, s in SPECS.items() if not s.source.startswith("https://docs.aws.amazon.com/connect/")
    ] == []


def test_public_flows_use_only_known_types_parameters_errors_and_flow_types() -> None:
    problems = []
    for name, ftype, action in _public_actions():
        kind = action["Type"]
        spec = SPECS.get(kind)
        if spec is None:
            problems.append(f"{name}: unknown type {kind}")
            continue
        for p in action.get("Parameters") or {}:
            if p not in spec.required | spec.optional:
                problems.append(f"{name}: {kind} parameter {p}")
        for e in (action.get("Transitions") or {}).get("Errors") or []:
            if e["ErrorType"] not in spec.errors:
                problems.append(f"{name}: {kind} error {e['ErrorType']}")
        if (action.get("Transitions") or {}).get("Conditions") and not spec.conditions:
            problems.append(f"{name}: {kind} conditions")
        if ftype not in spec.flow_types:
            problems.append(f"{name}: {kind} in a {ftype} flow")
    assert problems == []


def test_public_flows_wire_every_required_error() -> None:
    """A required error is one Connect refuses a flow without: exports that import all have it."""
    missing = [
        f"{name}: {action['Type']} {sorted(SPECS[action['Type']].required_errors - wired)}"
        for name, _, action in _public_actions()
        if not SPECS[action["Type"]].required_errors
        <= (wired := {e["ErrorType"] for e in (action.get("Transitions") or {}).get("Errors") or []})
    ]
    assert missing == []


def test_references_in_public_flows_parse() -> None:
    bad = []
    for name, _, action in _public_actions():
        for text in strings_in(action.get("Parameters") or {}):
            for r in refs.references_in(text):
                try:
                    refs.parse(r)
                except refs.InvalidReferenceError as exc:
                    bad.append(f"{name}: {exc}")
    assert bad == []


def test_show_view() -> None:
    spec = SPECS["ShowView"]
    assert {"TimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"} == spec.errors
    assert {"ViewResource", "InvocationTimeLimitSeconds", "ViewData"} <= spec.optional
    assert spec.conditions and spec.channels == {"CHAT"}
    assert set(spec.flow_types) == {INBOUND, CUSTOMER_QUEUE, MODULE}


def test_tags() -> None:
    assert "Tags" in SPECS["TagContact"].optional
    assert "TagKeys" in SPECS["UnTagContact"].optional
    # Connect's own spelling of the untag action is accepted as the same action.
    assert SPECS["UntagContact"] == SPECS["UnTagContact"]


def test_modules_run_only_inside_inbound_flows() -> None:
    invoke, end = SPECS["InvokeFlowModule"], SPECS["EndFlowModuleExecution"]
    assert invoke.flow_types == (INBOUND,)  # "only supports Inbound flow types"; no module in a module
    assert "FlowModuleId" in invoke.optional
    assert end.flow_types == (MODULE,) and end.terminal
    # Everything else an inbound flow may hold, a module may hold too; nothing else.
    for kind, spec in SPECS.items():
        if kind not in ("InvokeFlowModule", "EndFlowModuleExecution"):
            assert (INBOUND in spec.flow_types) == (MODULE in spec.flow_types), kind


def test_restrictions_by_flow_type() -> None:
    assert not {*HOLD, *WHISPER} & set(SPECS["DisconnectParticipant"].flow_types)
    assert SPECS["TransferContactToAgent"].flow_types == TRANSFER and SPECS["TransferContactToAgent"].terminal
    assert SPECS["UpdateContactRoutingBehavior"].flow_types == (INBOUND, MODULE)
    assert not set(HOLD) & set(SPECS["UpdateContactMediaStreamingBehavior"].flow_types)
    assert SPECS["CreateWisdomSession"].flow_types == (*ALL_TYPES, MODULE)  # "all contact flow types"


def test_routing_criteria_by_either_name() -> None:
    spec = SPECS["UpdateRoutingCriteria"]
    assert SPECS["UpdateContactRoutingCriteria"] is spec
    assert spec.required == {"RoutingCriteria"}
    assert CUSTOMER_QUEUE in spec.flow_types and HOLD[0] not in spec.flow_types
    # The page's restriction: every channel; Inbound, Customer Queue and both transfer flow types.
    assert spec.channels == ALL_CHANNELS and spec.errors == {"NoMatchingError"}
    assert set(spec.flow_types) == {INBOUND, CUSTOMER_QUEUE, *TRANSFER, MODULE}


def test_documented_errors_and_results() -> None:
    assert "ParticipantNotFound" in SPECS["Wait"].errors
    assert {"MultipleFoundError", "NoneFoundError"} <= SPECS["GetCustomerProfile"].errors
    assert {"ContactNotLinked", "MultipleFound", "NoneFound"} <= SPECS["GetCase"].errors
    assert {"ChannelMismatch", "InFlightRedactionConfigurationFailed"} <= SPECS[
        "UpdateContactRecordingAndAnalyticsBehavior"
    ].errors
    assert {"ConnectionTimeLimitExceeded", "CallFailed"} <= SPECS["TransferParticipantToThirdParty"].errors
    assert SPECS["CheckOutboundCallStatus"].results == {
        "CallAnswered",
        "VoicemailBeep",
        "VoicemailNoBeep",
        "NotDetected",
    }
    assert SPECS["Loop"].results == {"ContinueLooping", "DoneLooping"}


def test_documented_parameters() -> None:
    assert {"MediaStreamingState", "Participants", "MediaStreamType"} == SPECS[
        "UpdateContactMediaStreamingBehavior"
    ].optional
    assert "ContinueMessagingDuringInterrupt" in SPECS["MessageParticipantIteratively"].optional
    assert {"SourceEndpoint", "DestinationEndpoint", "ContactFlowArn", "ContactSubtype"} <= SPECS[
        "StartOutboundChatContact"
    ].optional
    assert SPECS["AssociateContactToCustomerProfile"].required == {"ProfileRequestData"}
    assert ("DelaySeconds", "ScheduledTime") in SPECS["CreateTask"].exclusive
    assert SPECS["GetParticipantInput"].channels == {"VOICE"}
