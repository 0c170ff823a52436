"""Path rules of the linter, each shown on one defect put into a real rendered flow or a small flow."""

import copy
from typing import Any

import pytest
from helpers import BYE, block, flow_of

from aicc_ops.engine import lint
from aicc_ops.engine.flows import Flow, Resources, render_all


def _mutated(real_flows: dict[str, Flow], key: str, ident: str) -> tuple[dict[str, Flow], dict[str, Any]]:
    """A copy of every flow, and of `key`'s action `ident` to break."""
    flows = {k: copy.deepcopy(f) for k, f in real_flows.items()}
    flow = flows[key]
    flow.actions = {a["Identifier"]: a for a in flow.content["Actions"]}
    return flows, flow.actions[ident]


def _errors(flows: dict[str, Flow], resources: Resources) -> list[str]:
    return [f"{f.flow} / {f.action}: {f.message}" for f in lint.errors(lint.lint(flows, resources))]


def _one(
    resources: Resources, actions: list[dict[str, Any]], ftype: str = "CONTACT_FLOW", severity: str = "error"
) -> list[str]:
    found = lint.lint({"test": flow_of(actions, ftype)}, resources)
    return [f"{f.action}: {f.message}" for f in found if f.severity == severity]


def _warnings(flows: dict[str, Flow], resources: Resources) -> list[str]:
    return [
        f"{f.flow} / {f.action}: {f.message}" for f in lint.lint(flows, resources) if f.severity == "warning"
    ]


def _say(ident: str, nxt: str = "bye", text: str = "Hello.") -> dict[str, Any]:
    return block(ident, "MessageParticipant", {"Text": text}, nxt, on_error=nxt)


def _transfer(ident: str = "xfer", on_error: str = "sorry") -> dict[str, Any]:
    errors = [{"NextAction": on_error, "ErrorType": e} for e in ("QueueAtCapacity", "NoMatchingError")]
    return {
        "Identifier": ident,
        "Type": "TransferContactToQueue",
        "Parameters": {},
        "Transitions": {"NextAction": on_error, "Errors": errors},
    }


def _set_queue(resources: Resources, nxt: str, on_error: str = "sorry") -> dict[str, Any]:
    return block(
        "setq",
        "UpdateContactTargetQueue",
        {"QueueId": resources.queue_arn("general_customer")},
        nxt,
        on_error,
    )


SORRY = _say("sorry", text="Sorry, please call again.")


def test_the_shipped_flows_pass_every_path_rule(real_flows: dict[str, Flow], resources: Resources) -> None:
    assert _errors(real_flows, resources) == []


# ---- a. a caller trapped ------------------------------------------------------------------------


def test_an_error_branch_back_to_its_own_block_traps_the_caller(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    flows, lookup = _mutated(real_flows, "customer_authentication", "lookup")
    lookup["Transitions"]["Errors"][0]["NextAction"] = "lookup"
    assert any(
        m.startswith("Customer Authentication / lookup: its NoMatchingError branch comes back to it")
        for m in _errors(flows, resources)
    )


def test_a_loop_with_no_way_out(resources: Resources) -> None:
    conditions = [
        {"NextAction": "ask", "Condition": {"Operator": "Equals", "Operands": [o]}}
        for o in ("ContinueLooping", "DoneLooping")
    ]
    loop = {"Identifier": "loop", "Type": "Loop", "Parameters": {"LoopCount": "3"}}
    loop["Transitions"] = {"NextAction": "ask", "Conditions": conditions}
    msgs = _one(resources, [_say("ask", "loop"), loop])
    assert "ask: from here no path ends the call or hands it on: the caller would go round forever" in msgs
    # A bounded retry that gives up to a message is fine.
    conditions[1]["NextAction"] = "sorry"
    assert _one(resources, [_say("ask", "loop"), loop, SORRY, BYE]) == []


def test_a_dead_end_is_reported_once_as_a_stop_not_as_a_loop(resources: Resources) -> None:
    """A block with no NextAction stops the contact: that is its one finding, not "go round forever"
    (there is no loop), and neither is the block that leads to it."""
    stop = {
        "Identifier": "stop",
        "Type": "MessageParticipant",
        "Parameters": {"Text": "hi"},
        "Transitions": {},
    }
    assert _one(resources, [stop]) == ["stop: no NextAction: the contact would stop here"]
    dangling = _say("ask", "nowhere")
    msgs = _one(resources, [_say("first", "ask"), dangling])
    assert msgs and not any("go round forever" in m for m in msgs), msgs


# ---- b. a transfer's success leaves the flow ----------------------------------------------------


def test_a_block_reached_only_by_a_transfers_success_is_unreachable(resources: Resources) -> None:
    go = block("go", "TransferToFlow", {"ContactFlowId": resources.flow_arn("emergency")}, "after", "sorry")
    found = lint.lint({"t": flow_of([go, _say("after"), SORRY, BYE])}, resources)
    assert [(f.action, f.severity) for f in found] == [("after", "warning")]


def test_only_the_transfers_error_branches_carry_the_queue_state(resources: Resources) -> None:
    # setq's error reaches "go" with no queue, but only go's success (which leaves) points at xfer;
    # go's error sets a queue before xfer.
    first = _set_queue(resources, "go", on_error="go")
    go = block("go", "TransferToFlow", {"ContactFlowId": resources.flow_arn("emergency")}, "xfer", "setq2")
    second = {**_set_queue(resources, "xfer"), "Identifier": "setq2"}
    assert _one(resources, [first, go, second, _transfer(), SORRY, BYE]) == []


# ---- c. the working queue used where none is set ------------------------------------------------


def test_hours_check_without_hours_needs_a_working_queue(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    flows, hours = _mutated(real_flows, "customer_authentication", "hours-fallback")
    del hours["Parameters"]["HoursOfOperationId"]
    # Its NoMatchingError branch takes the caller on (Connect accepts the flow): a warning.
    assert any(
        m.startswith(
            "Customer Authentication / hours-fallback: CheckHoursOfOperation runs with no working queue set "
            "on every path here: it then takes its NoMatchingError branch"
        )
        for m in _warnings(flows, resources)
    )
    assert not any("working queue" in m for m in _errors(flows, resources))
    # Without that branch the caller would be dropped: an error.
    hours["Transitions"]["Errors"] = []
    assert any(
        m.startswith(
            "Customer Authentication / hours-fallback: CheckHoursOfOperation runs with no working queue"
        )
        and m.endswith(
            "has no NoMatchingError branch: the contact would be dropped (add UpdateContactTargetQueue "
            "on every path before it or give it HoursOfOperationId)"
        )
        for m in _errors(flows, resources)
    )


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("CreateCallbackContact", {"InitialCallDelaySeconds": "5"}),
        ("CheckMetricData", {"MetricType": "NumberOfContactsInQueue"}),
    ],
)
def test_callback_and_metrics_without_a_queue(
    resources: Resources, kind: str, params: dict[str, Any]
) -> None:
    action = block("uses", kind, params, "sorry", "sorry")
    msgs = _one(resources, [action, SORRY, BYE], severity="warning")
    assert f"uses: {kind} runs with no working queue set on every path here" in " ".join(msgs)
    setq = _set_queue(resources, "uses")
    assert not any(
        "working queue" in m for m in _one(resources, [setq, action, SORRY, BYE], severity="warning")
    )
    # A failed Set working queue that goes on to the block leaves it without a queue on that path.
    setq["Transitions"]["Errors"][0]["NextAction"] = "uses"
    msgs = _one(resources, [setq, action, SORRY, BYE], severity="warning")
    assert f"uses: {kind} may run with no working queue set" in " ".join(msgs)


def test_metrics_without_a_queue_or_an_error_branch_drop_the_contact(resources: Resources) -> None:
    metrics = {
        "Identifier": "metrics",
        "Type": "GetMetricData",
        "Parameters": {},
        "Transitions": {"NextAction": "sorry"},
    }
    assert (
        "metrics: GetMetricData runs with no working queue set on every path here, and has no NoMatchingError "
        "branch: the contact would be dropped (add UpdateContactTargetQueue on every path before it or give "
        "it QueueId or AgentId)"
    ) in _one(resources, [metrics, SORRY, BYE])


@pytest.mark.parametrize(
    "ftype", ["QUEUE_TRANSFER", "AGENT_TRANSFER", "CUSTOMER_QUEUE", "CUSTOMER_WHISPER", "OUTBOUND_WHISPER"]
)
def test_a_transfer_or_queue_flow_starts_with_a_queue(resources: Resources, ftype: str) -> None:
    # A quick connect names the queue (or agent) of a transfer flow; the others run for a queued contact.
    metrics = block("metrics", "GetMetricData", {}, "sorry", "sorry")
    found = lint.lint({"test": flow_of([metrics, SORRY, BYE], ftype)}, resources)
    assert not any("working queue" in f.message for f in found)
    inbound = lint.lint({"test": flow_of([metrics, SORRY, BYE])}, resources)
    assert any("working queue" in f.message for f in inbound)


def test_an_inbound_flow_starts_without_a_queue(resources: Resources) -> None:
    assert _one(resources, [_transfer(), SORRY, BYE], ftype="QUEUE_TRANSFER", severity="warning") == []
    assert any("working queue" in m for m in _one(resources, [_transfer(), SORRY, BYE], severity="warning"))


def test_a_flow_reached_by_transfer_inherits_the_working_queue(resources: Resources) -> None:
    go = block("go", "TransferToFlow", {"ContactFlowId": resources.flow_arn("emergency")}, "sorry", "sorry")
    flows = {
        "customer_authentication": flow_of(
            [_set_queue(resources, "go"), go, SORRY, BYE], key="customer_authentication"
        ),
        "emergency": flow_of([_transfer(), SORRY, BYE], key="emergency"),
    }
    assert _errors(flows, resources) == [] and _warnings(flows, resources) == []
    flows["customer_authentication"] = flow_of([go, SORRY, BYE], key="customer_authentication")
    assert any(
        m.startswith("Test / xfer: TransferContactToQueue runs with no working queue set")
        for m in _warnings(flows, resources)
    )


# ---- d. $.External read where another Lambda's response (or none) is there -----------------------


def test_external_after_a_failed_lambda(real_flows: dict[str, Flow], resources: Resources) -> None:
    flows, fallback = _mutated(real_flows, "customer_authentication", "hours-fallback")
    # The weekly-hours fallback (run when the hours Lambda failed) reads the Lambda's closing reason.
    fallback["Transitions"]["Conditions"][1]["NextAction"] = "closed-attributes"
    msgs = [m for m in _errors(flows, resources) if "closed-attributes" in m]
    assert len(msgs) == 1 and "the Lambda of hours-check failed" in msgs[0], msgs


def test_external_from_a_different_lambda_on_some_path(resources: Resources) -> None:
    def invoke(ident: str, handler: str, nxt: str, on_error: str = "sorry") -> dict[str, Any]:
        arn = resources.function_arn(handler)
        return block(ident, "InvokeLambdaFunction", {"LambdaFunctionARN": arn}, nxt, on_error)

    # When the hours Lambda fails the call is logged, and the read sees call_log's response.
    read = _say("say", text="open=$.External.open")
    flow = [invoke("hours", "business_hours", "say", on_error="log"), invoke("log", "call_log", "say"), read]
    msgs = _one(resources, [*flow, SORRY, BYE])
    assert any(
        m.startswith("say: reads $.External.open, but on some path") and "call_log" in m for m in msgs
    ), msgs
    # An asynchronous invocation does not replace $.External: the read still sees business_hours.
    flow[1]["Parameters"]["InvocationType"] = "ASYNCHRONOUS"
    flow[0]["Transitions"]["Errors"][0]["NextAction"] = "sorry"
    flow[0]["Transitions"]["NextAction"] = "log"
    assert _one(resources, [*flow, SORRY, BYE]) == []


# ---- e. Lex intents the bot does not have -------------------------------------------------------


def test_lex_condition_on_an_intent_not_in_intents_yaml(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    assert "ProvideCompanyName" in resources.config.intents["intents"]
    flows, ask = _mutated(real_flows, "customer_authentication", "company-ask")
    ask["Transitions"]["Conditions"][0]["Condition"]["Operands"] = ["ProvideCompany"]
    assert any(
        m.startswith(
            "Customer Authentication / company-ask: intent 'ProvideCompany' is not in lambdas/aicc/config/intents.yaml"
        )
        for m in _errors(flows, resources)
    )


# ---- f. parameters the Flow Language forbids together -------------------------------------------


def test_queue_priority_with_time_adjustment(real_flows: dict[str, Flow], resources: Resources) -> None:
    flows, priority = _mutated(real_flows, "emergency", "priority")
    priority["Parameters"]["QueueTimeAdjustmentSeconds"] = "120"
    assert (
        "Emergency / priority: set only one of QueuePriority, QueueTimeAdjustmentSeconds: Connect refuses "
        "QueuePriority with QueueTimeAdjustmentSeconds"
    ) in _errors(flows, resources)
    priority["Parameters"] = {"QueuePriority": "0"}
    assert "Emergency / priority: QueuePriority must be a whole number above 0, got '0'" in _errors(
        flows, resources
    )


# ---- g. prompts Polly would refuse or read wrongly ----------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"SSML": "<speak>A & B</speak>"}, "SSML is not well-formed XML"),
        ({"Text": '잠시만요<break time="1s"/>'}, 'Text holds SSML (<break time="1s"/>)'),
        ({"Text": "  "}, "Text is empty: the caller would hear silence"),
        ({"SSML": "<speak></speak>"}, "SSML says nothing"),
    ],
)
def test_prompts_polly_cannot_speak(
    real_flows: dict[str, Flow], resources: Resources, params: dict[str, str], expected: str
) -> None:
    flows, welcome = _mutated(real_flows, "customer_authentication", "welcome")
    welcome["Parameters"] = params
    assert any(
        m.startswith(f"Customer Authentication / welcome: {expected}") for m in _errors(flows, resources)
    )


@pytest.mark.parametrize(
    ("ssml", "expected"),
    [
        # Connect ignores an unsupported tag (adminguide/supported-ssml-tags.html) and the rest is spoken.
        ('<speak><audio src="x.mp3"/>안녕하세요</speak>', "Polly does not support the SSML tag <audio>: "),
        # Connect publishes SSML with no <speak> root; the docs only say SSML must have one.
        ("안녕하세요", "SSML is not wrapped in <speak>...</speak>"),
        ('<break time="1s"/>', "SSML is not wrapped in <speak>...</speak>"),
    ],
)
def test_ssml_connect_accepts_but_may_not_speak_as_written(
    real_flows: dict[str, Flow], resources: Resources, ssml: str, expected: str
) -> None:
    flows, welcome = _mutated(real_flows, "customer_authentication", "welcome")
    welcome["Parameters"] = {"SSML": ssml}
    assert not any(m.startswith("Customer Authentication / welcome: ") for m in _errors(flows, resources))
    assert any(
        m.startswith(f"Customer Authentication / welcome: {expected}") for m in _warnings(flows, resources)
    )


def test_unwrapped_ssml_is_still_checked_as_xml(real_flows: dict[str, Flow], resources: Resources) -> None:
    flows, welcome = _mutated(real_flows, "customer_authentication", "welcome")
    welcome["Parameters"] = {"SSML": "A & B"}
    assert any(
        m.startswith("Customer Authentication / welcome: SSML is not well-formed XML")
        for m in _errors(flows, resources)
    )


def test_a_pause_alone_is_not_an_empty_prompt(resources: Resources) -> None:
    assert (
        _one(
            resources,
            [block("wait", "MessageParticipant", {"SSML": '<speak><break time="2s"/></speak>'}), BYE],
        )
        == []
    )


def test_korean_prompts_need_a_korean_voice(real_flows: dict[str, Flow], resources: Resources) -> None:
    flows, voice = _mutated(real_flows, "customer_authentication", "voice")
    voice["Parameters"]["TextToSpeechVoice"] = "Joanna"
    msgs = _errors(flows, resources)
    assert any(
        m.startswith("Customer Authentication / welcome: speaks Korean, but the voice may be Joanna")
        for m in msgs
    )
    # The voice carries into the flows the entry flow transfers to.
    assert any(m.startswith("After Hours / ") and "voice may be Joanna" in m for m in msgs)


# ---- h. hung up after an error without a word ---------------------------------------------------


def test_an_error_that_hangs_up_without_a_message(real_flows: dict[str, Flow], resources: Resources) -> None:
    flows, transfer = _mutated(real_flows, "general_customer", "queue-transfer")
    full = next(e for e in transfer["Transitions"]["Errors"] if e["ErrorType"] == "QueueAtCapacity")
    full["NextAction"] = "disconnect"
    assert any(
        m.startswith("General Customer / disconnect: hangs up after an error (")
        and "queue-transfer QueueAtCapacity" in m
        for m in _errors(flows, resources)
    )


def test_a_menu_that_gives_up_silently_after_timeouts(resources: Resources) -> None:
    menu = {
        "Identifier": "menu",
        "Type": "GetParticipantInput",
        "Parameters": {"Text": "Press 1.", "StoreInput": "False"},
        "Transitions": {
            "NextAction": "loop",
            "Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
            "Errors": [
                {"NextAction": "loop", "ErrorType": e}
                for e in ("InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError")
            ],
        },
    }
    conditions = [
        {"NextAction": "menu", "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
        {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
    ]
    loop = {
        "Identifier": "loop",
        "Type": "Loop",
        "Parameters": {"LoopCount": "2"},
        "Transitions": {"NextAction": "bye", "Conditions": conditions},
    }
    msgs = _one(resources, [menu, loop, BYE])
    assert any(m.startswith("bye: hangs up after an error (menu InputTimeLimitExceeded") for m in msgs), msgs
    conditions[1]["NextAction"] = "sorry"
    assert _one(resources, [menu, loop, SORRY, BYE]) == []


def test_an_external_read_of_a_key_the_last_lambda_does_not_answer(resources: Resources) -> None:
    # business_hours answers `open`; a call_log in between leaves its own answer in $.External.
    flows = render_all(resources)
    flow = copy.deepcopy(flows["customer_authentication"])
    hours = flow.actions["hours-check"]
    log = copy.deepcopy(hours)
    log["Identifier"] = "log-between"
    log["Parameters"]["LambdaFunctionARN"] = resources.function_arn("call_log")
    log["Parameters"]["LambdaInvocationAttributes"] = {"event": "hours"}
    log["Transitions"] = {
        "NextAction": "hours-branch",
        "Errors": [{"NextAction": "hours-fallback", "ErrorType": "NoMatchingError"}],
    }
    hours["Transitions"]["NextAction"] = "log-between"
    flow.content["Actions"].append(log)
    flow.actions["log-between"] = log
    found = lint.errors(lint.lint({**flows, "customer_authentication": flow}, resources))
    msgs = [f"{f.action}: {f.message}" for f in found if f.flow == flow.name]
    assert any(
        m.startswith(
            "hours-branch: reads $.External.open, but on some path $.External holds the response of call_log"
        )
        for m in msgs
    ), msgs


# ---- e. what a flow module does to the facts of the flow that invokes it ------------------------

MODULE_ARN = (
    "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555/flow-module/"
    "5b16c300-e2a1-5e68-aecb-4c9d6f311277"
)
RETURN = {"Identifier": "end", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}}


def _module(*actions: dict[str, Any]) -> Flow:
    module = flow_of([*actions, RETURN, BYE], "CONTACT_FLOW_MODULE", key="module")
    module.arn = MODULE_ARN
    return module


def _invoking(*after: dict[str, Any]) -> Flow:
    invoke = block(
        "invoke", "InvokeFlowModule", {"FlowModuleId": MODULE_ARN}, after[0]["Identifier"], "sorry"
    )
    return flow_of([invoke, *after, SORRY, BYE], key="inbound")


def _queue_messages(flows: dict[str, Flow], resources: Resources) -> list[str]:
    return [f"{f.action}: {f.message}" for f in lint.lint(flows, resources) if "working queue" in f.message]


def test_a_module_that_sets_the_working_queue_sets_it_for_the_invoking_flow(resources: Resources) -> None:
    # Set working queue in the module (its error hangs up), then Transfer to queue after the module.
    setq = block(
        "setq", "UpdateContactTargetQueue", {"QueueId": resources.queue_arn("general_customer")}, "end"
    )
    flows = {"inbound": _invoking(_transfer()), "module": _module(setq)}
    assert _queue_messages(flows, resources) == []
    # Not given alongside, what the module did is unknown: never "no working queue on every path".
    assert _queue_messages({"inbound": flows["inbound"]}, resources) == []
    # A module that may return without a queue (its Set working queue's error goes on to Return).
    setq["Transitions"]["Errors"][0]["NextAction"] = "end"
    assert _queue_messages(flows, resources) == [
        "xfer: TransferContactToQueue may run with no working queue set: it then takes its NoMatchingError "
        "branch (add UpdateContactTargetQueue on every path before it)"
    ]
    # A module that does not set it leaves none, as the invoking flow had.
    flows["module"] = _module(block("noop", "UpdateContactAttributes", {"Attributes": {"a": "1"}}, "end"))
    assert _queue_messages(flows, resources) == [
        "xfer: TransferContactToQueue runs with no working queue set on every path here: it then takes its "
        "NoMatchingError branch (add UpdateContactTargetQueue on every path before it)"
    ]


def test_a_module_starts_with_what_held_where_it_was_invoked(resources: Resources) -> None:
    # The module transfers to the working queue: set by the flow before invoking it, or not.
    flows = {"inbound": _invoking(SORRY), "module": _module(_transfer(on_error="end"))}
    assert [m for m in _queue_messages(flows, resources) if m.startswith("xfer")] == [
        "xfer: TransferContactToQueue runs with no working queue set on every path here: it then takes its "
        "NoMatchingError branch (add UpdateContactTargetQueue on every path before it)"
    ]
    setq = _set_queue(resources, "invoke")
    flows["inbound"] = flow_of([setq, *_invoking(SORRY).content["Actions"]], key="inbound")
    assert _queue_messages(flows, resources) == []


def test_a_module_that_sets_the_language_before_a_korean_lex_block(resources: Resources) -> None:
    ask = block(
        "ask",
        "ConnectParticipantWithLexBot",
        {"Text": "무엇을 도와드릴까요?", "LexV2Bot": {"AliasArn": resources.lex_alias_arn}},
        "sorry",
        "sorry",
    )
    ask["Transitions"]["Errors"].append({"NextAction": "sorry", "ErrorType": "NoMatchingCondition"})
    language = block("language", "UpdateContactData", {"LanguageCode": "ko-KR"}, "end", "bye")

    def about_language(flows: dict[str, Flow]) -> list[str]:
        # (The module's error hangs up silently: a finding of its own, not about the language.)
        found = lint.lint(flows, resources)
        return [f.message for f in found if "language" in f.message and "hangs up after" not in f.message]

    flows = {"inbound": _invoking(ask), "module": _module(language)}
    assert about_language(flows) == []
    assert about_language({"inbound": flows["inbound"]}) == []  # not given: unknown
    flows["module"] = _module(block("noop", "UpdateContactAttributes", {"Attributes": {"a": "1"}}, "end"))
    assert any("may still be Connect's default en-US" in m for m in about_language(flows))


def test_a_modules_lambda_does_not_fill_the_invoking_flows_external(resources: Resources) -> None:
    # "Modules do not allow overriding flow local data of the invoking flow" ($.External among it).
    fn = block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": resources.function_arn("call_log")}, "end")
    read = block(
        "read", "UpdateContactAttributes", {"Attributes": {"a": "$.External.open"}}, "sorry", "sorry"
    )
    found = lint.lint({"inbound": _invoking(read), "module": _module(fn)}, resources)
    assert any(f.action == "read" and "nothing (no Lambda has run yet)" in f.message for f in found), [
        f.message for f in found
    ]


# ---- silent hang-ups in modules, End flow / Resume ----------------------------------------------

_MODULE_ARN = (
    "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555/flow-module/m"
)


def _called_module(*actions: dict[str, Any]) -> Flow:
    ret = {"Identifier": "ret", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}}
    module = flow_of([*actions, ret], "CONTACT_FLOW_MODULE", key="module")
    module.arn = _MODULE_ARN
    return module


def _lambda_to(on_error: str) -> dict[str, Any]:
    arn = "arn:aws:lambda:us-east-1:111122223333:function:f"
    return block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": arn}, "ret", on_error)


def _found(flows: list[Flow], resources: Resources) -> list[str]:
    return [
        f"{f.severity} {f.flow}/{f.action}: {f.message}"
        for f in lint.lint({f.key: f for f in flows}, resources)
    ]


def test_a_module_that_hangs_up_after_an_error_while_its_caller_speaks(resources: Resources) -> None:
    module = _called_module(_lambda_to("bye"), BYE)
    invoke = block("mod", "InvokeFlowModule", {"FlowModuleId": _MODULE_ARN}, "hi", "hi")
    caller = flow_of([invoke, _say("hi"), BYE], key="caller")
    silent = "error Test/bye: hangs up after an error (fn NoMatchingError) with no message in between"
    assert any(m.startswith(silent) for m in _found([caller, module], resources))
    # A module that speaks is heard even when its caller is not given.
    speaking = _called_module(_lambda_to("bye"), BYE, _say("hi", "ret"))
    assert any(m.startswith(silent) for m in _found([speaking], resources))
    # Telling the caller first is fine; a module nobody is heard in (its caller never speaks) is exempt.
    told = _called_module(_lambda_to("sorry"), SORRY, BYE)
    assert not any("hangs up after an error" in m for m in _found([caller, told], resources))
    mute_caller = flow_of([invoke, BYE], key="caller")
    mute_caller.actions["mod"]["Transitions"] = {"NextAction": "bye", "Errors": []}
    assert not any("hangs up after an error" in m for m in _found([mute_caller, module], resources))


def test_end_flow_after_a_transfers_success_is_only_unreachable(resources: Resources) -> None:
    end = {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}
    xfer = _transfer()
    xfer["Transitions"]["NextAction"] = "end"
    found = _found([flow_of([_set_queue(resources, "xfer"), xfer, end, SORRY, BYE])], resources)
    assert [m for m in found if "/end:" in m] == [
        "warning Test/end: unreachable from StartAction (a transfer's success leaves the flow)"
    ]
    # Reached, it hangs up: in an inbound flow and in a module (which runs inside one).
    reached = _found([flow_of([_say("hi", "end"), end])], resources)
    assert any(
        m.startswith("warning Test/end: EndFlowExecution in an inbound flow hangs up") for m in reached
    )
    in_module = _found([_called_module(_say("hi", "end"), end)], resources)
    assert any(m.startswith("warning Test/end: EndFlowExecution in a flow module") for m in in_module)
