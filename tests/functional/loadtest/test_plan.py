"""The plan of a load run: the demo callers, run once through the flows offline, sorted into the
mix by the flows they passed, with the Lambda invocations their calls made (real Connect events,
the blocks' time limits, in the call's order)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import read_event

from aicc.settings import config
from aicc_ops.admin.loadtest.mix import load_mix
from aicc_ops.admin.loadtest.plan import CHANGES_THE_STACK, demo_calls, paging_handlers, retarget
from aicc_ops.admin.loadtest.run import LOADTEST_DIR
from aicc_ops.engine.flows import build_resources, load_catalog
from aicc_ops.local.scenarios import DEMO_CALLS


@pytest.fixture(scope="module")
def planned() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    return demo_calls(load_mix(LOADTEST_DIR / "mix.yaml", list(load_catalog())))


def calls_of(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for e in entries for c in e["calls"]}


def test_every_demo_caller_is_used_or_said_why_not(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    entries, skipped = planned
    used = calls_of(entries)
    for demo in DEMO_CALLS:
        if demo.faults or demo.agent_status:
            assert demo.name in skipped[CHANGES_THE_STACK]
            assert demo.name not in used
        else:
            assert used[demo.name]["inputs"] == list(demo.inputs)  # the scenario's own answers
            assert (used[demo.name]["caller"], used[demo.name]["at"]) == (demo.number, demo.at)
    assert all(e["calls"] for e in entries), "every entry of the mix has callers"


def test_calls_are_sorted_by_the_flows_they_passed(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    entries, _ = planned
    names = {key: d.name for key, d in load_catalog().items()}
    handlers_of = {e["name"]: {i["flow"] for c in e["calls"] for i in c["invocations"]} for e in entries}
    assert names["emergency"] in handlers_of["emergency"]
    assert names["after_hours"] in handlers_of["after_hours"]
    assert names["emergency"] not in handlers_of["msp_general"]  # taken by the first entry, emergency


def test_invocations_carry_real_connect_events_and_block_limits(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    entries, _ = planned
    shape = read_event("connect_customer_lookup.json")
    invoked_by = config().invoked_by
    for call in calls_of(entries).values():
        assert call["invocations"], call["name"]
        for invocation in call["invocations"]:
            event = invocation["event"]
            assert set(event) == set(shape)
            assert set(event["Details"]["ContactData"]) == set(shape["Details"]["ContactData"])
            assert event["Details"]["ContactData"]["ContactId"] == call["contact_id"]
            assert event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] == call["caller"]
            assert invoked_by[invocation["handler"]] == "connect"  # the blocks', not the Lex hook's
            assert 0 < invocation["limit_s"] <= 8 and invocation["response_type"] == "STRING_MAP"
        inputs = sum(i["inputs_before"] for i in call["invocations"])
        assert 0 <= inputs <= len(call["inputs"]) + 6  # the flows may count silences too


def test_the_first_invocations_come_in_the_order_of_a_call(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    outage = calls_of(planned[0])["MSP outage (speech auth)"]
    handlers = [i["handler"] for i in outage["invocations"]]
    assert handlers[0] == "business_hours"  # the entry flow checks the hours first
    assert handlers.index("customer_lookup") < handlers.index("escalation")
    assert outage["invocations"][0]["inputs_before"] == 0  # before the caller says anything


def test_paging_handlers_can_be_left_out() -> None:
    assert paging_handlers() == {"escalation"}
    mix = load_mix(LOADTEST_DIR / "mix.yaml", list(load_catalog()))
    entries, _ = demo_calls(mix, leave_out={"escalation"})
    handlers = {i["handler"] for c in calls_of(entries).values() for i in c["invocations"]}
    assert "escalation" not in handlers and "customer_lookup" in handlers


def test_events_are_retargeted_to_the_environments_arns(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    local = build_resources(config())
    deployed = "arn:aws:connect:ap-northeast-2:111122223333:instance/c8c0e68d"
    moved = retarget(
        planned[0],
        {local.instance_arn: deployed, local.queue_arn("msp_general"): f"{deployed}/queue/q-1"},
    )
    text = json.dumps(moved)
    assert local.instance_arn not in text and deployed in text
    assert json.dumps(planned[0]).count(local.instance_arn) == text.count(deployed)


def _scripted_answers() -> Any:
    """loadtest/aicc_load/answers.py, loaded from its file (pytest never imports Locust)."""
    import importlib.util
    import sys

    path = LOADTEST_DIR / "aicc_load" / "answers.py"
    spec = importlib.util.spec_from_file_location("aicc_load_answers_plan", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.ScriptedAnswers


def test_every_input_keeps_the_question_it_answered(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    used = calls_of(planned[0])
    speech_fails = used["MSP, speech fails → DTMF"]
    prompts = config().prompts
    assert len(speech_fails["questions"]) == len(speech_fails["inputs"])
    # three silences to the company name, the digits to the account question
    assert speech_fails["questions"][:4] == [prompts["auth_company"].text()] * 3 + [
        prompts["auth_account"].text()
    ]


def test_mistakes_that_use_up_a_questions_tries_leave_the_caller_answering_the_next_question(
    planned: tuple[list[dict[str, Any]], dict[str, list[str]]],
) -> None:
    """The 1,000-user run's two failures: a caller of "MSP, speech fails → DTMF" made three
    mistakes at the company-name question; the flows, counting each, moved on to the account
    digits, and a caller replaying its inputs by position answered them with the silences meant
    for the company name, then the digits to the menu: lost, it met more questions than it had
    silences for. Answering each question with the answer given to it, it reaches its queue."""
    from datetime import datetime

    from aicc_ops.engine.interpreter import CallerInput
    from aicc_ops.local.stack import local_stack

    call = calls_of(planned[0])["MSP, speech fails → DTMF"]
    script = _scripted_answers()(call["inputs"], call["questions"])
    mistakes = ["*", "#", "silence"]  # one at each of the company-name question's three tries
    said: list[str] = []
    result: dict[str, Any] = {}

    def caller() -> CallerInput:
        question = result["call"].prompts[-1]
        if mistakes and script.has_answer(question):
            value = mistakes.pop(0)
        else:
            value = script.answer(question) or "silence"
        said.append(value)
        if len(said) > 20:
            raise AssertionError(f"the flows kept asking: {said}")
        return CallerInput.parse(value)

    with local_stack() as stack:
        ended = stack.engine.run(
            call["caller"],
            datetime.fromisoformat(call["at"]),
            (),
            input_source=caller,
            started=lambda r: result.__setitem__("call", r),
        )
    assert said == ["*", "#", "silence", "5678#", "2"]  # the digits to the digits, the menu's 2
    assert ended.in_queue and ended.queue == config().queues["msp_general"].name
    assert ended.attributes.get("auth_method") == "dtmf"
