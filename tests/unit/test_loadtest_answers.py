"""A scripted caller answers the question it is asked (loadtest/aicc_load/answers.py), not the
next input by position: after a mistake uses up a question's tries and the flows move on, the
caller gives the answer to the new question.

The module is loaded from its file: pytest never imports Locust (see test_loadtest_profiles.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ANSWERS_FILE = Path(__file__).resolve().parents[2] / "loadtest" / "aicc_load" / "answers.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aicc_load_answers", ANSWERS_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


answers = _load()

COMPANY, DIGITS, MENU = "고객사명?", "계좌 마지막 4자리?", "1번 장애, 2번 기술 문의"
# "MSP, speech fails → DTMF": three silences to the speech question, then digits, then the menu.
SPEECH_FAILS = (["silence", "silence", "silence", "5678#", "2"], [COMPANY, COMPANY, COMPANY, DIGITS, MENU])


def test_a_question_gets_the_answer_given_to_it_whatever_came_before() -> None:
    script = answers.ScriptedAnswers(*SPEECH_FAILS)
    # Three mistakes used the speech question's three tries: the flows ask for the digits next.
    assert script.answer(DIGITS) == "5678#"  # by position it would be the script's first silence
    assert script.answer(MENU) == "2"
    assert script.left == 3  # the speech question's answers were never needed


def test_the_same_question_asked_again_gets_its_next_answer() -> None:
    script = answers.ScriptedAnswers(["7", "8", "9"], [MENU, MENU, MENU])
    assert [script.answer(MENU), script.answer(MENU), script.answer(MENU)] == ["7", "8", "9"]
    assert script.answer(MENU) is None and not script.has_answer(MENU)


def test_a_question_the_scenario_never_answered_has_no_answer() -> None:
    script = answers.ScriptedAnswers(*SPEECH_FAILS)
    assert not script.has_answer("새 고객이시면 1번")
    assert script.answer("새 고객이시면 1번") is None
    assert script.left == 5  # nothing used up


def test_without_the_questions_the_answers_go_in_order() -> None:
    script = answers.ScriptedAnswers(["1", "2"])  # a plan written before the questions were kept
    assert script.answer("anything") == "1" and script.answer("else") == "2"


def test_inputs_and_questions_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 inputs but 1 questions"):
        answers.ScriptedAnswers(["1", "2"], [MENU])


def test_a_chat_customer_keeps_a_silence_in_its_place() -> None:
    # The chat scenario: typed answers, and a silence waits for the flows to ask again; dropping
    # it sent the digits as the company name and left the chat asked more than it had answers.
    assert answers.typed_script(SPEECH_FAILS[0]) == [None, None, None, "5678", "2"]
    assert answers.typed_script(["say:솔트웨어", "1234#", "#", "*"]) == ["솔트웨어", "1234", "#", "*"]
