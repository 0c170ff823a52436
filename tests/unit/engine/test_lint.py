"""The linter catches, offline, what would otherwise fail on a live instance or mid-call."""

import copy
from typing import Any

from helpers import BYE, block, flow_of, set_language

from aicc_ops.engine import lint
from aicc_ops.engine.flows import Flow, Resources


def test_shipped_flows_have_no_errors(real_flows: dict[str, Flow], resources: Resources) -> None:
    findings = lint.lint(real_flows, resources)
    assert lint.errors(findings) == []
    assert [f for f in findings if f.severity == "warning"] == []


def _messages(resources: Resources, flow: Flow) -> list[str]:
    found = lint.lint({flow.key: flow}, resources)
    return [f"{f.action}: {f.message}" for f in lint.errors(found)]


def _say(ident: str = "hello", nxt: str = "bye", text: str = "안녕하세요") -> dict[str, Any]:
    return block(ident, "MessageParticipant", {"Text": text}, nxt, on_error=nxt)


def _korean(actions: list[dict[str, Any]], ftype: str = "CONTACT_FLOW") -> Flow:
    """A flow of these actions after the Set voice block that makes Polly speak Korean."""
    first = actions[0]["Identifier"]
    voice = block("voice", "UpdateContactTextToSpeechVoice", {"TextToSpeechVoice": "Seoyeon"}, first, first)
    return flow_of([voice, *actions], ftype)


SORRY = _say("sorry", text="죄송합니다. 다시 전화해 주십시오.")


def test_minimal_flow_is_clean(resources: Resources) -> None:
    assert _messages(resources, _korean([_say(), BYE])) == []


def test_unknown_action_type(resources: Resources) -> None:
    bad = {"Identifier": "x", "Type": "CheckStaffing", "Parameters": {}, "Transitions": {"NextAction": "bye"}}
    assert _messages(resources, flow_of([bad, BYE])) == ["x: unknown action type 'CheckStaffing'"]


def test_unknown_parameter(resources: Resources) -> None:
    action = _say()
    action["Parameters"]["MaxDigits"] = "4"
    assert "hello: unknown parameter 'MaxDigits' for MessageParticipant" in _messages(
        resources, flow_of([action, BYE])
    )


def test_dangling_transition(resources: Resources) -> None:
    msgs = _messages(resources, flow_of([_say(nxt="nowhere"), BYE]))
    assert any("goes to 'nowhere', which does not exist" in m for m in msgs)


def test_lambda_without_error_branch(resources: Resources) -> None:
    invoke = {
        "Identifier": "fn",
        "Type": "InvokeLambdaFunction",
        "Parameters": {"LambdaFunctionARN": resources.function_arn(resources.handlers[0])},
        "Transitions": {"NextAction": "bye"},
    }
    msgs = _messages(resources, flow_of([invoke, BYE]))
    assert msgs == ["fn: missing error branch NoMatchingError (the caller would be dropped on that error)"]


def test_menu_without_timeout_branch_and_bad_operand(resources: Resources) -> None:
    menu = {
        "Identifier": "menu",
        "Type": "GetParticipantInput",
        "Parameters": {"Text": "1번", "StoreInput": "False"},
        "Transitions": {
            "NextAction": "bye",
            "Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["12"]}}],
            "Errors": [
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
            ],
        },
    }
    msgs = _messages(resources, flow_of([menu, BYE]))
    assert (
        "menu: missing error branch InputTimeLimitExceeded (the caller would be dropped on that error)"
        in msgs
    )
    assert any("menu conditions must be Equals one key" in m for m in msgs)


def test_transfer_without_working_queue(resources: Resources) -> None:
    transfer = {
        "Identifier": "xfer",
        "Type": "TransferContactToQueue",
        "Parameters": {},
        "Transitions": {
            "NextAction": "bye",
            "Errors": [
                {"NextAction": "bye", "ErrorType": "QueueAtCapacity"},
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
            ],
        },
    }
    # Connect publishes it, and the transfer takes its NoMatchingError branch: a warning.
    found = lint.lint({"test": flow_of([_say(nxt="xfer"), transfer, BYE])}, resources)
    assert [(f.action, f.severity) for f in found if "working queue" in f.message] == [("xfer", "warning")]
    assert any(
        f.message.startswith("TransferContactToQueue runs with no working queue set on every path here")
        for f in found
    )
    setq = block(
        "setq", "UpdateContactTargetQueue", {"QueueId": resources.queue_arn("general_customer")}, "xfer"
    )
    assert lint.lint({"test": flow_of([setq, transfer, BYE])}, resources) == []


def test_queue_set_on_one_path_only_is_not_enough(resources: Resources) -> None:
    setq = block(
        "setq",
        "UpdateContactTargetQueue",
        {"QueueId": resources.queue_arn("general_customer")},
        "xfer",
        "xfer",
    )
    transfer = {
        "Identifier": "xfer",
        "Type": "TransferContactToQueue",
        "Parameters": {},
        "Transitions": {
            "Errors": [
                {"NextAction": "bye", "ErrorType": "QueueAtCapacity"},
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
            ]
        },
    }
    # The error branch of setq reaches the transfer without a queue.
    found = lint.lint({"test": flow_of([setq, transfer, BYE])}, resources)
    assert any(
        (f.action, f.severity) == ("xfer", "warning")
        and f.message.startswith("TransferContactToQueue may run with no working queue set")
        for f in found
    )


def test_lex_block_without_prompt(resources: Resources) -> None:
    lex_block = {
        "Identifier": "ask",
        "Type": "ConnectParticipantWithLexBot",
        "Parameters": {"LexV2Bot": {"AliasArn": resources.lex_alias_arn}},
        "Transitions": {
            "NextAction": "bye",
            "Errors": [
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
            ],
        },
    }
    assert "ask: no prompt: the caller would hear silence (set Text, SSML, PromptId or Media)" in _messages(
        resources, flow_of([lex_block, BYE])
    )


def test_reference_to_missing_flow_queue_or_lambda(resources: Resources) -> None:
    ghost = resources.flow_arn("ghost")
    xfer = block("go", "TransferToFlow", {"ContactFlowId": ghost})
    msgs = _messages(resources, flow_of([xfer, BYE]))
    assert any(f"refers to {ghost}, which is no flow" in m for m in msgs)
    fn = block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": resources.function_arn("no_such_handler")})
    assert any("no_such_handler".replace("_", "-") in m for m in _messages(resources, flow_of([fn, BYE])))


def test_unknown_reference_namespace(resources: Resources) -> None:
    action = _say()
    action["Parameters"]["Text"] = "hi $.Bogus.name"
    assert any("unknown namespace $.Bogus" in m for m in _messages(resources, flow_of([action, BYE])))


def test_structural_rules(resources: Resources) -> None:
    bye = copy.deepcopy(BYE)
    bye["Transitions"] = {"NextAction": "hello"}
    hours = {
        "Identifier": "h",
        "Type": "CheckHoursOfOperation",
        "Parameters": {},
        "Transitions": {
            "NextAction": "bye",
            "Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["True"]}}],
            "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
        },
    }
    bad_id = _say("a/b", "h")
    msgs = _messages(resources, flow_of([bad_id, hours, bye]))
    assert any("Transitions must be {}" in m for m in msgs)
    assert any("exactly two conditions" in m for m in msgs)
    assert any("a/b: Identifier contains characters" in m for m in msgs)


def test_flow_type_restrictions(resources: Resources) -> None:
    loop = block("loop", "MessageParticipantIteratively", {"Messages": [{"Text": "Please hold."}]}, "bye")
    assert "loop: MessageParticipantIteratively is not allowed in a CONTACT_FLOW flow" in _messages(
        resources, flow_of([loop, BYE])
    )


def test_end_flow_is_allowed_in_every_flow_type_and_hangs_up_an_inbound_call(resources: Resources) -> None:
    # The End flow / Resume block page: "All flows"; in an inbound flow it acts as Disconnect.
    end = {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}
    for ftype in ("CONTACT_FLOW", "CUSTOMER_HOLD", "AGENT_HOLD", "QUEUE_TRANSFER", "AGENT_TRANSFER"):
        assert _messages(resources, flow_of([end], ftype)) == [], ftype
    found = lint.lint({"t": flow_of([_say(nxt="end", text="Goodbye."), end])}, resources)
    assert [(f.action, f.severity, f.message.split(",")[0]) for f in found] == [
        ("end", "warning", "EndFlowExecution in an inbound flow hangs up")
    ]
    # So an error that goes straight to it hangs the caller up without a word.
    hours = block("hours", "CheckHoursOfOperation", {"HoursOfOperationId": "arn:x"}, "hello", "end")
    hours["Transitions"]["Conditions"] = [
        {"NextAction": "hello", "Condition": {"Operator": "Equals", "Operands": [v]}}
        for v in ("True", "False")
    ]
    msgs = _messages(resources, flow_of([hours, _say(nxt="end", text="Hello."), end]))
    assert any(m.startswith("end: hangs up after an error (hours NoMatchingError)") for m in msgs), msgs


def test_unreachable_action_is_a_warning(resources: Resources) -> None:
    found = lint.lint({"t": _korean([_say(), BYE, _say("orphan")])}, resources)
    assert [(f.action, f.severity) for f in found] == [("orphan", "warning")]


def test_static_references_must_name_the_right_kind(resources: Resources) -> None:
    def setq(value: str) -> dict[str, Any]:
        return block("setq", "UpdateContactTargetQueue", {"QueueId": value})

    assert _messages(resources, flow_of([setq("nosuch-queue"), BYE])) == [
        "setq: QueueId refers to nosuch-queue, which is no queue of this repository's instance"
    ]
    flow_arn = resources.flow_arn("emergency")
    assert _messages(resources, flow_of([setq(flow_arn), BYE])) == [
        f"setq: QueueId must name a queue, but {flow_arn} is a flow"
    ]
    assert _messages(resources, flow_of([setq(resources.queue_arn("msp_general")), BYE])) == []
    assert _messages(resources, flow_of([setq("$.Attributes.queue"), BYE])) == []
    hook = block(
        "hook",
        "UpdateContactEventHooks",
        {"EventHooks": {"CustomerQueue": resources.queue_arn("msp_general")}},
    )
    assert any("CustomerQueue must name a flow" in m for m in _messages(resources, flow_of([hook, BYE])))
    fn = block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "customer-lookup"})
    assert any("which is no Lambda function" in m for m in _messages(resources, flow_of([fn, BYE])))


def test_error_branches_that_cannot_happen_and_enum_values(resources: Resources) -> None:
    store = {
        "Identifier": "digits",
        "Type": "GetParticipantInput",
        "Parameters": {
            "Text": "번호",
            "StoreInput": "True",
            "InputValidation": {"CustomValidation": {"MaximumLength": "4"}},
        },
        "Transitions": {
            "NextAction": "bye",
            "Errors": [
                {"NextAction": "sorry", "ErrorType": "NoMatchingError"},
                {"NextAction": "sorry", "ErrorType": "InputTimeLimitExceeded"},
            ],
        },
    }
    assert _messages(resources, _korean([store, SORRY, BYE])) == [
        "digits: InputTimeLimitExceeded never happens here (remove the branch)"
    ]
    logging = {
        "Identifier": "log",
        "Type": "UpdateFlowLoggingBehavior",
        "Parameters": {"FlowLoggingBehavior": "Sometimes"},
        "Transitions": {"NextAction": "bye"},
    }
    assert _messages(resources, flow_of([logging, BYE])) == [
        "log: FlowLoggingBehavior must be one of Enabled, Disabled, got 'Sometimes'"
    ]


def _lex(resources: Resources, ident: str = "ask", text: str = "고객사명을 말씀해주세요.") -> dict[str, Any]:
    errors = [{"NextAction": "sorry", "ErrorType": e} for e in ("NoMatchingError", "NoMatchingCondition")]
    return {
        "Identifier": ident,
        "Type": "ConnectParticipantWithLexBot",
        "Parameters": {"Text": text, "LexV2Bot": {"AliasArn": resources.lex_alias_arn}},
        "Transitions": {"NextAction": "bye", "Errors": errors},
    }


LANGUAGE_NOT_SET = "contact's language may still be Connect's default en-US"


def test_korean_lex_block_before_the_language_is_set(resources: Resources) -> None:
    msgs = _messages(resources, _korean([_lex(resources), SORRY, BYE]))
    assert any(LANGUAGE_NOT_SET in m for m in msgs), msgs
    # An English prompt in an English contact is fine.
    english = _lex(resources, text="Please say your company name.")
    assert _messages(resources, flow_of([english, _say("sorry", text="Sorry."), BYE])) == []
    assert (
        _messages(resources, _korean([set_language("ko-KR", on_error="sorry"), _lex(resources), SORRY, BYE]))
        == []
    )


def test_language_failure_must_not_lead_to_the_korean_lex_block(resources: Resources) -> None:
    msgs = _messages(resources, flow_of([set_language("ko-KR", on_error="ask"), _lex(resources), BYE]))
    assert any(LANGUAGE_NOT_SET in m for m in msgs), msgs


def test_a_flow_reached_by_transfer_inherits_the_language(resources: Resources) -> None:
    ask = _lex(resources)
    ask["Transitions"]["NextAction"] = "go"
    go = block("go", "TransferToFlow", {"ContactFlowId": resources.flow_arn("emergency")})
    flows = {
        "customer_authentication": flow_of(
            [set_language("ko-KR"), ask, go, BYE], key="customer_authentication"
        ),
        "emergency": flow_of([_lex(resources), BYE], key="emergency"),
    }
    found = lint.errors(lint.lint(flows, resources))
    assert [f for f in found if LANGUAGE_NOT_SET in f.message] == []
    assert lint.entry_flows(flows, resources) == {"customer_authentication"}


def test_language_code_spelling(resources: Resources) -> None:
    msgs = _messages(resources, flow_of([set_language("ko_KR"), _lex(resources), BYE]))
    assert "language: LanguageCode must be a language code such as ko-KR, got 'ko_KR'" in msgs


def _recording(participants: list[str], analytics: dict[str, Any]) -> dict[str, Any]:
    return {
        "Identifier": "rec",
        "Type": "UpdateContactRecordingBehavior",
        "Parameters": {
            "RecordingBehavior": {"RecordedParticipants": participants},
            "AnalyticsBehavior": analytics,
        },
        "Transitions": {"NextAction": "bye"},
    }


def test_contact_lens_settings(resources: Resources) -> None:
    good = {
        "Enabled": "True",
        "AnalyticsLanguage": "ko-KR",
        "ChannelConfiguration": {"Voice": {"AnalyticsModes": ["RealTime"]}},
    }
    assert _messages(resources, flow_of([_recording(["Agent", "Customer"], good), BYE])) == []
    msgs = _messages(resources, flow_of([_recording(["Customer"], good), BYE]))
    assert msgs == ["rec: Contact Lens analytics needs both Agent and Customer recorded"]
    both_modes = copy.deepcopy(good)
    both_modes["ChannelConfiguration"]["Voice"]["AnalyticsModes"] = ["RealTime", "PostContact"]
    assert any(
        "AnalyticsModes" in m
        for m in _messages(resources, flow_of([_recording(["Agent", "Customer"], both_modes), BYE]))
    )
    lex_locale = {**good, "AnalyticsLanguage": "ko_KR"}
    assert any(
        "AnalyticsLanguage" in m
        for m in _messages(resources, flow_of([_recording(["Agent", "Customer"], lex_locale), BYE]))
    )


def _with(flow: Flow, change: Any) -> Flow:
    """The shipped flow with `change(actions by identifier)` applied to a copy of its actions."""
    actions = copy.deepcopy(flow.content["Actions"])
    change({a["Identifier"]: a for a in actions})
    changed = Flow(flow.key, flow.name, flow.type, {**flow.content, "Actions": actions}, "{}")
    changed.actions = {a["Identifier"]: a for a in actions}
    return changed


def test_a_heard_turns_sentiment_verdict_must_reach_the_contact_attributes(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    general = real_flows["general_customer"]
    before = set(_messages(resources, general))  # alone, the flow misses what its callers set (language)
    assert not [m for m in before if "sentiment" in m]

    def forget_proficiency(actions: dict[str, dict[str, Any]]) -> None:
        del actions["callback-offer-declined"]["Parameters"]["Attributes"]["sentiment_proficiency"]

    def repeat_straight_back(actions: dict[str, dict[str, Any]]) -> None:
        for c in actions["menu"]["Transitions"]["Conditions"]:
            if c["Condition"]["Operands"] == ["RepeatMenu"]:
                c["NextAction"] = "menu"

    lost = set(_messages(resources, _with(general, forget_proficiency))) - before
    assert sorted(m.split(", which")[0] for m in lost) == [
        "callback-offer: condition ['Decline'] goes to callback-offer-declined",
        "callback-offer: condition ['TalkToAgent'] goes to callback-offer-declined",
    ]
    assert all("not copy sentiment_proficiency from" in m for m in lost)
    looped = set(_messages(resources, _with(general, repeat_straight_back))) - before
    assert [m.split(", which")[0] for m in looped] == ["menu: condition ['RepeatMenu'] goes to menu"]
