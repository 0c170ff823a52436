"""What a call asks of AWS, counted by the stack's meter (botocore's before-send): each request is
latency a caller hears in AWS too, so the engine and the handlers make only those they need."""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from aicc_ops.engine.interpreter import CallResult
from aicc_ops.local.aws_meter import SETUP
from aicc_ops.local.stack import LocalStack

from .conftest import ALL_BUSY, Caller

WEEKDAY = "2026-11-25T10:00:00+09:00"
EVENING = "2026-11-25T20:30:00+09:00"


def metered(
    stack: LocalStack, call: Caller, *args: Any, **kwargs: Any
) -> tuple[CallResult, Counter[str], Counter[str]]:
    """One call, with its requests and its set-up's by operation."""
    assert stack.meter is not None
    before = stack.meter.read()
    result = call(*args, **kwargs)
    used = stack.meter.read() - before
    return result, used.of(), used.of(SETUP)


def test_a_call_whose_flows_check_no_staffing_reads_no_agents(stack: LocalStack, call: Caller) -> None:
    _, used, _ = metered(stack, call, ["say:상담원 연결해주세요"], at=WEEKDAY, number="+821099990000")
    assert used["dynamodb.Scan"] == 0
    assert used["dynamodb.UpdateItem"] == 1  # its call log, once


def test_the_agents_are_read_once_in_a_call_that_checks_staffing_many_times(
    stack: LocalStack, call: Caller
) -> None:
    # The emergency line: the queue's metrics at every wait.
    result, used, _ = metered(stack, call, ["2", "say:DB 접속 장애"], at=EVENING)
    assert sum(step.type == "GetMetricData" for step in result.steps) > 1
    assert used["dynamodb.Scan"] == 1


def test_an_emergency_call_reads_each_escalation_step_in_one_request(stack: LocalStack, call: Caller) -> None:
    # Night: the chain walks to the primary, a part member, a general agent, then ends; each wait
    # reads the customer, the roster, the call log and the people the previous step named at once.
    result, used, _ = metered(stack, call, ["2", "say:DB 접속 장애"], at=EVENING)
    steps = [c for c in result.lambda_calls if c.function == "escalation"]
    assert [c.response["stage"] for c in steps if c.response] == [
        "TS_PRIMARY",
        "PART_MEMBER",
        "GENERAL_AGENT",
        "EXHAUSTED",
        "EXHAUSTED",
    ]
    assert used["dynamodb.BatchGetItem"] == len(steps)
    # Routes and the manager's alerts: a claim and a notice each, the general team read once.
    assert (used["dynamodb.UpdateItem"], used["sns.Publish"], used["dynamodb.Query"]) == (6, 5, 2)


def test_a_knowledge_conversation_is_read_only_for_a_follow_up(stack: LocalStack, call: Caller) -> None:
    inputs = ["say:다온로지스", "say:정하은", "3456#", "say:삭제한 S3 객체를 복구할 수 있나요"]
    follow_up = ["say:버전 관리가 꺼져 있으면요?", "2"]
    result, used, _ = metered(stack, call, [*inputs, *follow_up], at=WEEKDAY, number="+821045678901")
    answers = [c for c in result.lambda_calls if c.function == "knowledge_answer"]
    assert [c.response["turn"] for c in answers if c.response] == ["1", "2"]
    # The first question has no earlier turn to read (the flow's kb_turn is empty); each answer kept.
    assert (used["dynamodb.GetItem"], used["dynamodb.UpdateItem"]) == (1, 2)


def test_agents_set_for_a_call_are_counted_apart_from_the_call(stack: LocalStack, call: Caller) -> None:
    inputs = ["say:새봄헬스케어", "say:강도현", "4567#", "2", "1", "2", "01098765432#"]
    _, used, setup = metered(stack, call, inputs, at=WEEKDAY, number="+821056789012", agents=ALL_BUSY)
    # The statuses it replaces read at once, then one transaction to set them and one to restore.
    assert setup == Counter({"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 2})
    assert used["dynamodb.Scan"] == 1  # the urgent menu checks who is available


def test_an_msp_call_writes_its_call_log_once_with_the_assignment(stack: LocalStack, call: Caller) -> None:
    inputs = ["say:한빛금융", "say:이서연", "4321#", "2"]  # technical question: an engineer is assigned
    result, used, _ = metered(stack, call, inputs, at=WEEKDAY, number="+821023456789")
    # The customer, the team; the engineer's claim and the call log.
    assert used == Counter({"dynamodb.Query": 2, "dynamodb.UpdateItem": 2})
    table = boto3.resource("dynamodb").Table(stack.tables["CALL_LOGS_TABLE"])
    log = table.get_item(Key={"contact_id": result.contact_id})["Item"]
    assigned = result.attributes["assigned_agent"]
    assert (log["assignment_status"], log["assigned_agent"]) == ("ASSIGNED", assigned)


def test_the_ai_stand_ins_work_is_timed_apart_from_the_requests(stack: LocalStack, call: Caller) -> None:
    # The Lex stand-in's NLU and the hook's sentiment model are Lex's and Comprehend's work in AWS.
    assert stack.meter is not None
    before, started = stack.meter.read(), time.perf_counter()
    call(["say:상담원 연결해주세요"], at=WEEKDAY, number="+821099990000")
    wall = time.perf_counter() - started
    used = stack.meter.read() - before
    assert 0 < used.stand_in() < wall - used.endpoint()


def test_the_knowledge_index_and_answerer_are_timed_as_stand_ins(
    stack: LocalStack, call: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The local index and extractive answerer are Bedrock's work in AWS (its knowledge base and model).
    assert stack.meter is not None
    timed, stand_in = [], stack.meter.stand_in

    @contextmanager
    def noted() -> Iterator[None]:
        timed.extend(frame.name for frame in traceback.extract_stack())
        with stand_in():
            yield

    monkeypatch.setattr(stack.meter, "stand_in", noted)
    call(["say:다온로지스", "say:정하은", "3456#", "say:삭제한 S3 객체를 복구할 수 있나요", "2"], at=WEEKDAY)
    assert {"retrieve", "answer"} <= set(timed)
