"""Callers' questions answered from the knowledge base through the real flows, Lex and handlers:
an answer with its source and a follow-up, hand-overs (incident, own bill, out of scope), the
Lambda failing, chat. The knowledge backends are the test ones (kb_answers), injected as the
local stack injects its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from helpers import prompt
from kb_answers import ANSWERED, UNCOVERED, backends

from aicc.domain.knowledge import sourced
from aicc.handlers._knowledge import use_knowledge
from aicc_ops.engine.interpreter import CallResult
from aicc_ops.engine.ssml import spoken_text
from aicc_ops.knowledge.local import local_knowledge
from aicc_ops.local.stack import LocalStack

from .conftest import Caller

DAON = ["say:다온로지스", "say:정하은", "3456#"]  # GENERAL
DAON_NUMBER = "+821045678901"
SALTWARE = ["say:솔트웨어", "say:김민준입니다", "1234#"]  # MSP
QUESTION = "삭제한 S3 객체를 복구할 수 있나요"
AT = "2026-11-25T10:00:00+09:00"
# How every spoken answer ends (domain.knowledge.sourced names the source last), read from the code.
SOURCE_SPOKEN_END = spoken_text(sourced("-", "d", "T", 1.0).ssml).rsplit("T", 1)[1]


@pytest.fixture(scope="module", autouse=True)
def test_backends(stack: LocalStack) -> Iterator[None]:
    use_knowledge(*backends())
    yield
    use_knowledge(*local_knowledge())


def _answers(r: CallResult) -> list[dict[str, str]]:
    return [s.output for s in r.steps if s.identifier.endswith("kb-ask") and s.output]


def _spoken_answers(r: CallResult) -> list[str]:
    """The prompts that were an answer of the bot: what Polly reads of an Answer's SSML."""
    return [p for p in r.prompts if p.endswith(SOURCE_SPOKEN_END)]


def _said_after(r: CallResult, key: str) -> str:
    """The prompt the caller heard just before prompts.yaml's `key`."""
    return r.prompts[r.prompts.index(prompt(key)) - 1]


def test_a_technical_question_is_answered_with_its_source_then_the_caller_is_done(call: Caller) -> None:
    r = call([*DAON, f"say:{QUESTION}", "2"], number=DAON_NUMBER, hold=0)
    spoken = _said_after(r, "kb_followup")
    assert spoken == spoken_text(f"<speak>{r.attributes['kb_answer_ssml']}</speak>")
    assert _spoken_answers(r) == [spoken] and r.attributes["kb_doc_id"] == ANSWERED[QUESTION]
    assert r.prompts[-1] == prompt("goodbye") and r.queue is None
    assert "kb_handover_reason" not in r.attributes


@pytest.mark.parametrize("thanks", ["say:네 감사합니다", "say:알겠어요 수고하세요"])
def test_thanks_after_an_answer_is_a_goodbye_not_the_answer_again(call: Caller, thanks: str) -> None:
    # Lex hears no intent in thanks; the bot must not look "감사합니다" up as a follow-up.
    r = call([*DAON, f"say:{QUESTION}", thanks], number=DAON_NUMBER, hold=0)
    assert len(_spoken_answers(r)) == 1 and r.attributes["kb_turn"] == "1"
    assert r.prompts[-1] == prompt("goodbye") and r.queue is None
    assert "kb_handover_reason" not in r.attributes


def test_a_follow_up_is_answered_and_star_repeats_the_answer(call: Caller) -> None:
    r = call(
        [*DAON, f"say:{QUESTION}", "say:버전 관리가 꺼져 있으면요?", "*", "2"], number=DAON_NUMBER, hold=0
    )
    assert r.attributes["kb_turn"] == "2"
    answers = _spoken_answers(r)
    assert len(answers) == 3 and answers[1] == answers[2]  # the follow-up's answer, then again
    assert r.prompts.count(prompt("kb_followup")) == 3


def test_zero_after_an_answer_reaches_a_person(call: Caller) -> None:
    r = call([*DAON, f"say:{QUESTION}", "0"], number=DAON_NUMBER, hold=0)
    assert r.queue == "General Customer" and prompt("general_connect") in r.prompts
    assert r.attributes["kb_handover_reason"] == "caller_request"


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("say:이번 달 요금이 너무 많이 나왔어요", "own_account"),
        (f"say:{UNCOVERED}", "no_answer"),  # no document stands out from the rest
    ],
)
def test_a_question_the_bot_must_not_answer_goes_to_a_person_with_the_question(
    call: Caller, said: str, reason: str
) -> None:
    r = call([*DAON, said], number=DAON_NUMBER, hold=0)
    assert r.attributes["kb_handover_reason"] == reason
    assert r.attributes["kb_question"] == said.removeprefix("say:")
    heard = r.prompts
    assert heard.index(prompt("kb_handover")) < heard.index(prompt("general_connect"))
    assert r.queue == "General Customer" and not _spoken_answers(r)


def test_an_incident_in_a_technical_question_goes_to_a_person(call: Caller) -> None:
    # Lex hears a technical question; the words say something is broken now: a person must look.
    said = "VPN 터널이 끊겼는데 어떻게 설정하나요"
    r = call([*DAON, f"say:{said}"], number=DAON_NUMBER, hold=0)
    assert (r.attributes["kb_handover_reason"], r.attributes["kb_question"]) == ("incident", said)
    assert prompt("kb_handover") in r.prompts and r.queue == "General Customer"


def test_an_outage_reported_after_an_answer_takes_the_outage_path(call: Caller) -> None:
    r = call(
        [*DAON, f"say:{QUESTION}", "say:그런데 지금 서비스가 다 멈췄어요 장애인 것 같아요"],
        number=DAON_NUMBER,
        hold=0,
    )
    assert r.attributes["kb_doc_id"] == ANSWERED[QUESTION]
    assert r.attributes["inquiry_type"] == "OUTAGE" and r.queue == "General Customer"


def test_the_knowledge_lambda_timing_out_takes_the_caller_to_a_person(call: Caller) -> None:
    r = call([*DAON, f"say:{QUESTION}"], number=DAON_NUMBER, hold=0, faults={"knowledge_answer": "timeout"})
    assert r.attributes["kb_handover_reason"] == "error" and r.attributes["kb_question"] == QUESTION
    assert r.prompts.index(prompt("kb_unavailable")) < r.prompts.index(prompt("general_connect"))
    assert r.queue == "General Customer"


def test_a_chat_gets_the_answer_as_text(stack: LocalStack) -> None:
    chat = ["text:다온로지스", "text:정하은", "text:3456", f"text:{QUESTION}", "text:아니요 괜찮아요"]
    r = stack.engine.run(DAON_NUMBER, datetime.fromisoformat(AT), chat, channel="CHAT")
    assert r.attributes["kb_answer"] in r.prompts  # the text answer, source named, as a message
    assert r.prompts[-1] == prompt("goodbye")
    assert not any(s.outcome.startswith("error") for s in r.steps if s.identifier == "kb-say-text")


def test_an_msp_question_is_answered_and_a_keyed_two_still_reaches_the_engineer(call: Caller) -> None:
    r = call([*SALTWARE, f"say:{QUESTION}", "2"], hold=0)
    assert r.attributes["kb_doc_id"] == ANSWERED[QUESTION] and r.prompts[-1] == prompt("goodbye")
    keyed = call([*SALTWARE, "2"], hold=0)
    assert keyed.attributes["kb_handover_reason"] == "no_question"
    assert prompt("kb_handover") not in keyed.prompts and keyed.queue == "MSP General"


def test_silence_after_an_answer_is_asked_again_once_then_a_person_takes_over(call: Caller) -> None:
    r = call([*DAON, f"say:{QUESTION}", "silence", "silence"], number=DAON_NUMBER, hold=0)
    assert r.prompts.count(prompt("kb_followup")) == 2 and prompt("menu_no_input") in r.prompts
    assert r.prompts.index(prompt("menu_no_choice")) < r.prompts.index(prompt("general_connect"))
    assert r.queue == "General Customer"
