"""Engine rules on small synthetic flows, run with the stack's real Lambdas, Lex and agents."""

from __future__ import annotations

import io
import threading
from datetime import datetime
from typing import Any

import boto3
import pytest
from helpers import BYE, block, prompt

from aicc_ops.engine.interpreter import FlowRunError
from aicc_ops.engine.lambdas import _WORKER_PREFIX, _WorkerOutputFilter
from aicc_ops.local.stack import LocalStack

from .conftest import Caller, engine_for

AT = datetime.fromisoformat("2026-11-25T10:00:00+09:00")


def _say(ident: str, text: str, nxt: str = "bye") -> dict[str, Any]:
    return block(ident, "MessageParticipant", {"Text": text}, nxt, on_error=nxt)


def _set_queue(stack: LocalStack, nxt: str) -> dict[str, Any]:
    return block(
        "setq", "UpdateContactTargetQueue", {"QueueId": stack.resources.queue_arn("general_customer")}, nxt
    )


def test_queue_metrics_and_capacity_read_the_backlog(stack: LocalStack) -> None:
    size = {
        "Identifier": "size",
        "Type": "CheckMetricData",
        "Parameters": {"MetricType": "NumberOfContactsInQueue"},
        "Transitions": {
            "NextAction": "xfer",
            "Conditions": [
                {"NextAction": "busy", "Condition": {"Operator": "NumberGreaterOrEqualTo", "Operands": ["3"]}}
            ],
            "Errors": [
                {"NextAction": "xfer", "ErrorType": "NoMatchingCondition"},
                {"NextAction": "xfer", "ErrorType": "NoMatchingError"},
            ],
        },
    }
    xfer = {
        "Identifier": "xfer",
        "Type": "TransferContactToQueue",
        "Parameters": {},
        "Transitions": {
            "Errors": [
                {"NextAction": "full", "ErrorType": "QueueAtCapacity"},
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
            ]
        },
    }
    engine = engine_for(
        stack,
        [_set_queue(stack, "size"), size, xfer, _say("busy", "busy", "xfer"), _say("full", "full"), BYE],
    )
    assert engine.run("+821012345678", AT, hold_seconds=0).queue == "General Customer"
    engine.queues.waiting["general_customer"] = (3, 400)
    engine.queue_limits["general_customer"] = 3
    r = engine.run("+821012345678", AT, hold_seconds=0)
    assert r.prompts == ["busy", "full"] and r.queue is None


def test_asynchronous_lambda_leaves_external_alone(stack: LocalStack) -> None:
    def invoke(ident: str, handler: str, nxt: str, **extra: str) -> dict[str, Any]:
        params = {
            "LambdaFunctionARN": stack.resources.function_arn(handler),
            **extra,
            "LambdaInvocationAttributes": {"hours": "business", "event": "test"},
        }
        return block(ident, "InvokeLambdaFunction", params, nxt)

    engine = engine_for(
        stack,
        [
            invoke("hours", "business_hours", "log"),
            invoke("log", "call_log", "say", InvocationType="ASYNCHRONOUS"),
            _say("say", "open=$.External.open id=$.LambdaInvocation.InvocationId"),
            BYE,
        ],
    )
    r = engine.run("+821012345678", AT)
    assert r.prompts[0].startswith("open=true id=") and len(r.prompts[0]) > len("open=true id=") + 30


def test_a_parameter_that_is_not_a_number_takes_the_error_branch(stack: LocalStack) -> None:
    ask = {
        "Identifier": "ask",
        "Type": "GetParticipantInput",
        "Parameters": {"Text": "번호", "StoreInput": "False", "InputTimeLimitSeconds": "soon"},
        "Transitions": {
            "NextAction": "bye",
            "Errors": [
                {"NextAction": "oops", "ErrorType": "NoMatchingError"},
                {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                {"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"},
            ],
        },
    }
    r = engine_for(stack, [ask, _say("oops", "잘못된 설정"), BYE]).run("+821012345678", AT)
    assert r.prompts[-1] == "잘못된 설정"
    assert "InputTimeLimitSeconds is 'soon', not a number" in r.steps[0].detail


def test_a_loop_without_input_or_time_is_reported_not_run_forever(stack: LocalStack) -> None:
    a = {
        "Identifier": "a",
        "Type": "Compare",
        "Parameters": {"ComparisonValue": "$.Attributes.x"},
        "Transitions": {
            "Errors": [{"NextAction": "b", "ErrorType": "NoMatchingCondition"}],
            "Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["y"]}}],
        },
    }
    b = block("b", "UpdateContactAttributes", {"Attributes": {"n": "1"}}, nxt="a")
    with pytest.raises(FlowRunError, match="no input and no time passing"):
        engine_for(stack, [a, b, BYE]).run("+821012345678", AT)


def test_a_day_in_queue_is_simulated_without_tripping_the_loop_guard(stack: LocalStack) -> None:
    r = stack.engine.run("+821099990000", AT, ["say:상담원"], hold_seconds=86_400)
    assert r.in_queue and r.queue == "General Customer"
    assert len([p for p in r.prompts if p == prompt("queue_callback_offer")]) == 86_400 // (
        120 + 5
    )  # each cycle: 120 s of messages, a 5 s offer


def test_contact_attributes_are_limited_to_32_kb_all_or_nothing(stack: LocalStack) -> None:
    big = block(
        "big",
        "UpdateContactAttributes",
        {"Attributes": {"small": "ok", "blob": "가" * 11_000}},
        on_error="err",
    )
    r = engine_for(stack, [big, _say("err", "too big"), BYE]).run("+821012345678", AT)
    assert r.prompts == ["too big"] and "small" not in r.attributes


def test_worker_output_is_dropped_and_the_cli_output_kept() -> None:
    real = io.StringIO()
    out = _WorkerOutputFilter(real)
    worker = threading.Thread(target=out.write, args=("EMF metric line\n",), name=f"{_WORKER_PREFIX}_0")
    worker.start()
    worker.join()
    out.write("transcript\n")
    assert real.getvalue() == "transcript\n"


def _invoke(
    stack: LocalStack, ident: str, handler: str, nxt: str, on_error: str, **extra: str
) -> dict[str, Any]:
    params = {"LambdaFunctionARN": stack.resources.function_arn(handler), **extra}
    params["LambdaInvocationAttributes"] = {"hours": "business", "event": "test"}
    return block(ident, "InvokeLambdaFunction", params, nxt, on_error)


def test_a_failed_lambda_leaves_no_earlier_response_in_external(stack: LocalStack) -> None:
    engine = engine_for(
        stack,
        [
            _invoke(stack, "hours", "business_hours", "broken", "bye"),
            _invoke(stack, "broken", "no_such_handler", "bye", "say"),
            _say("say", "open=$.External.open"),
            BYE,
        ],
    )
    r = engine.run("+821012345678", AT)
    assert r.lambda_calls[1].error is not None
    assert r.prompts == ["open="]  # not business_hours' "true": Connect has no response to show


def test_an_asynchronous_lambda_does_not_hold_the_caller(stack: LocalStack) -> None:
    engine = engine_for(
        stack,
        [
            _invoke(stack, "log", "call_log", "say", "bye", InvocationType="ASYNCHRONOUS"),
            _say("say", "ok"),
            BYE,
        ],
    )
    r = engine.run("+821012345678", AT)
    assert r.lambda_calls[0].error is None and r.prompts == ["ok"]
    assert [s.at for s in r.steps] == [AT.isoformat()] * 3  # no simulated time passed at the Lambda


def test_a_text_prompt_is_spoken_as_written(stack: LocalStack) -> None:
    text = "3 < 5 이고 <b>굵게</b> 읽지 않습니다"
    r = engine_for(stack, [_say("say", text), BYE]).run("+821012345678", AT)
    assert r.prompts == [text]
    ssml = '<speak>잠시만요<break time="1s"/>연결합니다</speak>'
    r = engine_for(stack, [block("say", "MessageParticipant", {"SSML": ssml}), BYE]).run("+821012345678", AT)
    assert r.prompts == ["잠시만요 연결합니다"]


def test_one_call_runner_adds_its_faults_to_the_injected_ones_and_puts_everything_back(
    stack: LocalStack,
) -> None:
    """A drill injects faults for a fault set; a call adds its own (demo rows, scenario tests) and
    leaves the drill's in place: one runner for the demo, the drills and the tests."""
    previous = {"ts.park": stack.set_agent_status({"ts.park": "AVAILABLE"})["ts.park"]}
    stack.lambdas.faults = {"call_log": "error"}
    try:
        r = stack.call(
            "+821012345678",
            AT,
            ["say:상담원"],
            hold_seconds=0,
            faults={"business_hours": "timeout"},
            agents={"ts.park": "OFFLINE"},
        )
        assert any(c.error and c.function == "business_hours" for c in r.lambda_calls), r.lambda_calls
        assert stack.lambdas.faults == {"call_log": "error"}  # the drill's fault is still on
        table = boto3.resource("dynamodb").Table(stack.tables["AGENTS_TABLE"])
        assert table.get_item(Key={"login": "ts.park"})["Item"]["status"] == "AVAILABLE"
    finally:
        stack.lambdas.faults = {}
        stack.set_agent_status(previous)


def test_a_queue_flow_that_ends_without_waiting_is_not_run_again_and_again(call: Caller) -> None:
    # End flow / Resume returns the caller to the interrupted Loop prompts; when that block failed,
    # none ran: the caller hears music until answered, and the flow's Lambdas are not called in a loop.
    failing = {("msp_emergency_queue", "hold"): "NoMatchingError"}
    r = call(["say:솔트웨어", "say:김민준", "1234#", "1", "say:장애"], hold=300, action_faults=failing)
    escalations = [c for c in r.lambda_calls if c.function == "escalation"]
    assert r.in_queue and r.queue == "MSP Emergency"
    assert len(escalations) == 1
