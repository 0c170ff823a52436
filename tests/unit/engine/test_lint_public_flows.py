"""The linter on 24 flows others wrote that import into Connect (../shared/data/public-flows): the rules
of this module's concern report no false error there, the real defects stay reported at the severity
Connect gives them, and each rule changed for them still fires on a broken copy.

Findings of other kinds (unknown action types, parameters and namespaces; references to resources
of other instances) are left out here: they belong to the action table and the resource map.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from helpers import public_flow_objects

from aicc_ops.engine import lint
from aicc_ops.engine.flows import Flow, Resources

# The kinds of finding other parts of the linter own (SPECS, namespaces, reference resolution).
_ELSEWHERE = ("unknown action type", "unknown parameter", "unknown namespace", " refers to ")

SBS = "amazon-connect-step-by-step-guides-module-library__"
SILENT = "hangs up after an error ("

# The true defects: (flow, action, start of the message, severity). Hang-ups without a word after a
# queue at capacity, a failed transfer or a failed bot drop the caller silently: errors. The rest is
# published by Connect and only risky: warnings. The rules cite their sources where they are written.
TRUE_DEFECTS = {
    # The sample leaves its bot to be chosen after import (its README); Connect imports the flow and
    # the docs do not say what the block does with no bot: a warning.
    (
        f"{SBS}SBS_Lex_Integration_Handler",
        "83b2112b-82ec-44a4-87c6-c858d37b1507",
        "LexV2Bot.AliasArn is empty: name a Lex bot alias",
        "warning",
    ),
    # Loop prompts takes its Error branch on chat, task and email (adminguide/loop-prompts.html), and
    # on a voice prompt that fails: straight to a hang-up.
    (
        "amazon-connect-gitlab-cicd-terraform__acme_customer_queue_AUTO",
        "040feeb0-3ff3-4d4b-8f65-31ffaf0749c3",
        f"{SILENT}7c3cfb6e-2d8c-481f-8ec7-f259ce0b09c3 NoMatchingError)",
        "error",
    ),
    (
        "amazon-connect-salesforce-scv__AWS_Sample_SCV_REST_Example",
        "80a080c2-a708-462a-8a8c-1104f4afb35d",
        f"{SILENT}34b03f4b-f066-49f0-815d-adb27fd1d758 NoMatchingError, "
        "34b03f4b-f066-49f0-815d-adb27fd1d758 QueueAtCapacity)",
        "error",
    ),
    (
        f"{SBS}SBS_Lex_Integration_Handler",
        "2e69c35b-f4cb-40ff-b536-a8abc7b25c44",
        f"{SILENT}3c333159-9fcb-4766-89cf-928dec499c61 NoMatchingError, "
        "3c333159-9fcb-4766-89cf-928dec499c61 QueueAtCapacity, "
        "83b2112b-82ec-44a4-87c6-c858d37b1507 NoMatchingError, "
        "b0dd877c-7fbb-4dcf-a12f-b8af02921c90 NoMatchingError, "
        "b2c55f7d-2c23-4273-816a-cf435f1eb52d NoMatchingError)",
        "error",
    ),
    (
        f"{SBS}SBSGuides_Example_Cards_Handler",
        "2e69c35b-f4cb-40ff-b536-a8abc7b25c44",
        f"{SILENT}0594cf4d-12c9-4b02-9f90-09fc2807ff8a NoMatchingError, "
        "3c333159-9fcb-4766-89cf-928dec499c61 NoMatchingError, "
        "3c333159-9fcb-4766-89cf-928dec499c61 QueueAtCapacity, "
        "b0dd877c-7fbb-4dcf-a12f-b8af02921c90 NoMatchingError, "
        "b2c55f7d-2c23-4273-816a-cf435f1eb52d NoMatchingError)",
        "error",
    ),
    (
        f"{SBS}SBSGuides_Example_Cards_Handler",
        "46474698-036c-4752-adf0-0ec8209b5787",
        f"{SILENT}47168b7b-9e77-49b8-871e-eef7c32e17c6 NoMatchingError, "
        "61233594-a8da-477d-a011-32f38baa7d57 NoMatchingError, "
        "aacc2387-74f5-4fc3-b51a-d4d9665a6caa NoMatchingError, "
        "c489784d-25fc-4d1b-9dde-fdb21da005dd NoMatchingError)",
        "error",
    ),
    (
        f"{SBS}VoiceID_handlerContactFlow",
        "7e1aeed2-65e7-4287-b04f-78046d2d45cc",
        f"{SILENT}f7e94d7a-a783-4066-9dd1-8ef2c961b629 NoMatchingError, "
        "f7e94d7a-a783-4066-9dd1-8ef2c961b629 QueueAtCapacity)",
        "error",
    ),
    (
        "amazon-connect-contact-surveys__Simple_Survey_Example",
        "73d4d2dc-e70d-45d2-a28d-66d66357c7e6",
        f"{SILENT}d7227083-dd83-434f-84c2-7da6530819f9 NoMatchingError, "
        "d7227083-dd83-434f-84c2-7da6530819f9 QueueAtCapacity)",
        "error",
    ),
    (
        "terraform-aws-amazonconnect__complete_inbound",
        "2c27f89c-81c0-4110-98c3-db2e2fa15ab7",
        f"{SILENT}8cd02574-cbfa-4deb-9dd7-8a7298d6c094 QueueAtCapacity)",
        "error",
    ),
    # The Sales path never sets a working queue: the hours check always takes its Error branch
    # ("We are not able to take your call right now"), so no Sales caller reaches an agent.
    (
        "terraform-aws-amazonconnect__complete_inbound",
        "2bfec059-0c2c-45c2-bc42-dfed3501ca2e",
        "CheckHoursOfOperation runs with no working queue set on every path here",
        "warning",
    ),
    # Only a failed Set working queue reaches these transfers without a queue.
    (
        "amazon-connect-salesforce-scv__AWS_Sample_SCV_REST_Example",
        "34b03f4b-f066-49f0-815d-adb27fd1d758",
        "TransferContactToQueue may run with no working queue set",
        "warning",
    ),
    (
        "voicemail-express-amazon-connect__VMX3_Basic_Task_Flow",
        "Route voicemail",
        "TransferContactToQueue may run with no working queue set",
        "warning",
    ),
    (
        "voicemail-express-amazon-connect__VMX3_AWS_Test_Flow",
        "eca66336-2f2b-4891-9797-571be784566f",
        "TransferContactToQueue may run with no working queue set",
        "warning",
    ),
    (
        f"{SBS}VoiceID_handlerContactFlow",
        "f7e94d7a-a783-4066-9dd1-8ef2c961b629",
        "TransferContactToQueue may run with no working queue set",
        "warning",
    ),
    (
        "amazon-connect-gitlab-cicd-terraform__acme_main_AUTO",
        "d72fa272-5878-49b0-8e9e-b9327f967cb9",
        "SSML is not wrapped in <speak>...</speak>",
        "warning",
    ),
    (
        f"{SBS}VoiceID_handlerContactFlow",
        "d30575f8-067f-4c45-bc3f-7a7f89a0a804",
        "SSML is not wrapped in <speak>...</speak>",
        "warning",
    ),
    (
        "amazon-connect-salesforce-scv__AWS_Sample_SCV_Queue_Transfer",
        "aa2e49ed-9349-4240-9fcd-a9fee50e71a4",
        "NoMatchingCondition is documented only for queue metrics, not NumberOfAgentsStaffed",
        "warning",
    ),
}


def _load() -> dict[str, Flow]:
    """Every public flow as `flows lint PATH` reads a file: keyed by its name, with its source."""
    return public_flow_objects()


@pytest.fixture(scope="module")
def public() -> dict[str, Flow]:
    return _load()


def _ours(findings: list[lint.Finding]) -> list[lint.Finding]:
    return [f for f in findings if not any(k in f.message for k in _ELSEWHERE)]


def _found(flows: dict[str, Flow], resources: Resources) -> list[lint.Finding]:
    return _ours(lint.lint(flows, resources))


def _matches(finding: lint.Finding, expected: tuple[str, str, str, str]) -> bool:
    flow, action, start, severity = expected
    return (finding.flow, finding.action, finding.severity) == (flow, action, severity) and (
        finding.message.startswith(start)
    )


def test_all_24_public_flows_are_read(public: dict[str, Flow]) -> None:
    assert len(public) == 24


def test_only_the_true_defects_are_reported(public: dict[str, Flow], resources: Resources) -> None:
    found = _found(public, resources)
    unexplained = [str(f) for f in found if not any(_matches(f, e) for e in TRUE_DEFECTS)]
    assert unexplained == []
    missing = [e for e in TRUE_DEFECTS if not any(_matches(f, e) for f in found)]
    assert missing == []
    assert len(found) == len(TRUE_DEFECTS)


def test_the_same_flows_built_without_a_source_give_the_same_findings(
    public: dict[str, Flow], resources: Resources
) -> None:
    # House rules apply only to Korean prompts, our bot and our functions: none of them is here.
    bare = {k: copy.deepcopy(f) for k, f in public.items()}
    for f in bare.values():
        f.foreign = False
    assert sorted(map(str, _found(bare, resources))) == sorted(map(str, _found(public, resources)))


# ---- broken copies: each rule changed for these flows still fires ------------------------------


def _copy(public: dict[str, Flow], name: str) -> tuple[dict[str, Flow], Flow]:
    flows = dict(public)
    flow = copy.deepcopy(public[name])
    flow.actions = {a["Identifier"]: a for a in flow.content["Actions"]}
    flows[name] = flow
    return flows, flow


def _in(flows: dict[str, Flow], resources: Resources, name: str) -> list[tuple[str, str, str]]:
    return [(f.action, f.severity, f.message) for f in _found(flows, resources) if f.flow == name]


def test_parameters_absent_is_empty_but_not_an_object_is_an_error(
    public: dict[str, Flow], resources: Resources
) -> None:
    name, ident = "terraform-aws-amazonconnect__complete_inbound", "8cd02574-cbfa-4deb-9dd7-8a7298d6c094"
    assert "Parameters" not in public[name].actions[ident]
    assert not any(a == ident and "Parameters" in m for a, _, m in _in(public, resources, name))
    for bad in ([], "none", None):
        flows, flow = _copy(public, name)
        flow.actions[ident]["Parameters"] = bad
        assert (ident, "error", "Parameters must be an object ({} when empty)") in _in(flows, resources, name)


def test_ssml_without_speak_is_a_warning_but_broken_xml_an_error(
    public: dict[str, Flow], resources: Resources
) -> None:
    name, ident = (
        "amazon-connect-gitlab-cicd-terraform__acme_main_AUTO",
        "d72fa272-5878-49b0-8e9e-b9327f967cb9",
    )
    flows, flow = _copy(public, name)
    flow.actions[ident]["Parameters"]["SSML"] = "<speak>Welcome to ACME</speak>"
    assert not any(a == ident for a, _, _ in _in(flows, resources, name))
    flow.actions[ident]["Parameters"]["SSML"] = "Welcome to Smith & Sons"
    found = [(s, m) for a, s, m in _in(flows, resources, name) if a == ident]
    assert [s for s, m in found if m.startswith("SSML is not well-formed XML")] == ["error"]


def test_working_queue_is_a_warning_with_an_error_branch_and_an_error_without(
    public: dict[str, Flow], resources: Resources
) -> None:
    name, ident = "terraform-aws-amazonconnect__complete_inbound", "2bfec059-0c2c-45c2-bc42-dfed3501ca2e"
    flows, flow = _copy(public, name)
    flow.actions[ident]["Transitions"]["Errors"] = []
    found = [(s, m) for a, s, m in _in(flows, resources, name) if a == ident and "working queue" in m]
    assert found == [
        (
            "error",
            "CheckHoursOfOperation runs with no working queue set on every path here, and has no "
            "NoMatchingError branch: the contact would be dropped (add UpdateContactTargetQueue on every "
            "path before it or give it HoursOfOperationId)",
        )
    ]
    # Given hours of its own, it needs no queue.
    flow.actions[ident]["Parameters"] = {"HoursOfOperationId": "$.Attributes.hours"}
    assert not any("working queue" in m for _, _, m in _in(flows, resources, name))


def test_a_queue_transfer_flow_has_the_quick_connects_queue(
    public: dict[str, Flow], resources: Resources
) -> None:
    # SCV's queue transfer flow checks hours and staffing and transfers with no Set working queue: the quick
    # connect gave it the queue. The same blocks in an inbound flow have none.
    name = "amazon-connect-salesforce-scv__AWS_Sample_SCV_Queue_Transfer"
    assert not any("working queue" in m for _, _, m in _in(public, resources, name))
    flows, flow = _copy(public, name)
    flow.type = "CONTACT_FLOW"
    queue_users = {a for a, _, m in _in(flows, resources, name) if "working queue" in m}
    assert queue_users == {
        "861b5e68-b2c5-4443-8035-7697f51144b0",  # CheckHoursOfOperation
        "aa2e49ed-9349-4240-9fcd-a9fee50e71a4",  # CheckMetricData
        "127a3beb-5492-433d-822d-5c5389a52a33",  # TransferContactToQueue
    }


def test_an_error_that_hangs_up_without_a_word_is_found_in_others_flows(
    public: dict[str, Flow], resources: Resources
) -> None:
    name = "sample-amazon-connect-outbound-call__OutboundCallFlow"
    # As published: an error wired to where success goes anyway, and a hang-up after the error
    # module (which may speak), drop no one.
    assert _in(public, resources, name) == []
    flows, flow = _copy(public, name)
    init = flow.actions["Initialize Call"]["Transitions"]["Errors"][0]
    init["NextAction"] = "6ee03e1d-2955-4988-9ac2-632a413942ce"
    assert (
        "6ee03e1d-2955-4988-9ac2-632a413942ce",
        "error",
        "hangs up after an error (Initialize Call NoMatchingError) with no message in between: play a "
        "MessageParticipant that tells the caller what happened before disconnecting",
    ) in _in(flows, resources, name)


def test_a_message_before_the_hang_up_clears_it(public: dict[str, Flow], resources: Resources) -> None:
    name, transfer = (
        "amazon-connect-contact-surveys__Simple_Survey_Example",
        "d7227083-dd83-434f-84c2-7da6530819f9",
    )
    flows, flow = _copy(public, name)
    sorry = {
        "Identifier": "sorry",
        "Type": "MessageParticipant",
        "Parameters": {"Text": "All our agents are busy. Please call again later."},
        "Transitions": {"NextAction": "73d4d2dc-e70d-45d2-a28d-66d66357c7e6"},
    }
    flow.content["Actions"].append(sorry)
    flow.actions["sorry"] = sorry
    for e in flow.actions[transfer]["Transitions"]["Errors"]:
        e["NextAction"] = "sorry"
    assert not any(m.startswith(SILENT) for _, _, m in _in(flows, resources, name))


def test_a_hang_up_in_a_flow_nobody_listens_to_is_not_silent_dropping(
    public: dict[str, Flow], resources: Resources
) -> None:
    # The same hang-up after a failed Loop prompts, in an agent's hold flow: no caller on the line.
    name = "amazon-connect-gitlab-cicd-terraform__acme_customer_queue_AUTO"
    flows, flow = _copy(public, name)
    flow.type = "AGENT_HOLD"
    assert not any(m.startswith(SILENT) for _, _, m in _in(flows, resources, name))


def test_check_metric_data_no_matching_condition(public: dict[str, Flow], resources: Resources) -> None:
    name, ident = (
        "amazon-connect-salesforce-scv__AWS_Sample_SCV_Queue_Transfer",
        "aa2e49ed-9349-4240-9fcd-a9fee50e71a4",
    )
    flows, flow = _copy(public, name)
    # On a queue metric the branch is the documented "no condition matched".
    flow.actions[ident]["Parameters"]["MetricType"] = "NumberOfContactsInQueue"
    assert not any(a == ident for a, _, _ in _in(flows, resources, name))


def _korean_menu(public: dict[str, Flow], source: str) -> tuple[dict[str, Flow], str]:
    """VMX3's test flow with its delivery menu spoken in Korean (a menu with no 0 and no *)."""
    name = "voicemail-express-amazon-connect__VMX3_AWS_Test_Flow"
    flows, flow = _copy(public, name)
    flow.foreign = bool(source)
    flow.actions["Select Delivery Model"]["Parameters"]["Text"] = "음성 사서함 전달 방식을 선택하세요."
    return flows, name


def test_house_rules_are_advice_on_others_korean_flows(public: dict[str, Flow], resources: Resources) -> None:
    flows, name = _korean_menu(public, public["voicemail-express-amazon-connect__VMX3_AWS_Test_Flow"].source)
    house = [(s, m) for a, s, m in _in(flows, resources, name) if a == "Select Delivery Model"]
    assert any(m.startswith("a Korean menu without 0") for _, m in house)
    assert any(m.startswith("speaks Korean, but the voice may be Joanna") for _, m in house)
    assert {s for s, _ in house} == {"warning"}
    # The same flow as one of ours: the house rules are errors.
    flows, name = _korean_menu(public, "")
    house = [(s, m) for a, s, m in _in(flows, resources, name) if a == "Select Delivery Model"]
    assert {s for s, m in house if m.startswith("a Korean menu without 0")} == {"error"}


def test_another_flows_lex_intents_are_not_checked_against_ours(
    public: dict[str, Flow], resources: Resources
) -> None:
    compare: dict[str, Any] = {
        "Identifier": "intent",
        "Type": "Compare",
        "Parameters": {"ComparisonValue": "$.Lex.IntentName"},
        "Transitions": {
            "NextAction": "2e69c35b-f4cb-40ff-b536-a8abc7b25c44",
            "Conditions": [
                {
                    "NextAction": "cc93cb21-44b7-43da-8a8d-c309c55aa424",
                    "Condition": {"Operator": "Equals", "Operands": ["FlightCancellation"]},
                }
            ],
            "Errors": [
                {"NextAction": "cc93cb21-44b7-43da-8a8d-c309c55aa424", "ErrorType": "NoMatchingCondition"}
            ],
        },
    }
    name = f"{SBS}SBS_Lex_Integration_Handler"
    for source, flagged in ((public[name].source, False), ("", True)):
        flows, flow = _copy(public, name)
        flow.foreign = bool(source)
        flow.content["Actions"].append(copy.deepcopy(compare))
        flow.actions["intent"] = flow.content["Actions"][-1]
        lex = flow.actions["83b2112b-82ec-44a4-87c6-c858d37b1507"]["Transitions"]["Conditions"][0]
        lex["NextAction"] = "intent"
        found = [m for a, _, m in _in(flows, resources, name) if a == "intent"]
        assert any("intent 'FlightCancellation' is not in" in m for m in found) is flagged
