"""The intent model: trained from the file, candidates by context, FallbackIntent under the threshold."""

from __future__ import annotations

import numpy as np
import pytest

from aicc_ops.engine.nlu import FALLBACK, LocalNlu
from aicc_ops.engine.nlu.model import choose_threshold, decide


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("서버가 다운됐어요", "ReportOutage"),
        ("요금이 이상해요", "BillingInquiry"),
        ("상담원 연결", "TalkToAgent"),
    ],
)
def test_the_model_learns_the_intents_of_the_file(tiny_nlu: LocalNlu, text: str, intent: str) -> None:
    assert tiny_nlu.predict(text, "ko_KR").intent == intent


def test_capture_intents_are_heard_only_where_a_flow_asks_for_them(tiny_nlu: LocalNlu) -> None:
    # At a menu a company name is nothing the bot offers; at the company prompt it is the answer.
    assert tiny_nlu.predict("회사는 한국전자입니다", "ko_KR").intent != "ProvideCompanyName"
    asked = tiny_nlu.predict("회사는 한국전자입니다", "ko_KR", "ProvideCompanyName")
    assert (asked.intent, asked.slots) == ("ProvideCompanyName", {"CompanyName": "한국전자"})
    # ...and a caller asked for a company may still ask for a person, not report an outage.
    assert tiny_nlu.predict("상담원 연결해주세요", "ko_KR", "ProvideCompanyName").intent == "TalkToAgent"
    assert tiny_nlu.candidates("ProvideCompanyName") == {"ProvideCompanyName", "TalkToAgent"}
    assert tiny_nlu.candidates(None) == {"ReportOutage", "BillingInquiry", "TalkToAgent"}


def test_decide_renormalises_over_the_candidates_and_falls_back_below_the_threshold() -> None:
    classes = ["A", "B", FALLBACK]
    probs = np.array([0.5, 0.3, 0.2])
    assert decide(probs, classes, 0.4, None) == ("A", 0.5)
    intent, confidence = decide(probs, classes, 0.4, {"B"})  # A is not a candidate here
    assert (intent, round(confidence, 3)) == ("B", 0.6)
    assert decide(probs, classes, 0.7, {"B"})[0] == FALLBACK
    assert decide(np.array([0.1, 0.2, 0.7]), classes, 0.0, None)[0] == FALLBACK


def test_the_threshold_is_where_held_out_in_scope_and_out_of_scope_separate() -> None:
    # In scope are confident (0.8), out of scope are not (0.45): any threshold in (0.45, 0.8] is
    # perfect, and the middle of that range is chosen.
    classes = ["A", "B", FALLBACK]
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.45, 0.3, 0.25], [0.3, 0.45, 0.25]])
    threshold, f1, accuracy = choose_threshold(probs, ["A", "B", FALLBACK, FALLBACK], classes, {"A", "B"})
    assert 0.55 <= threshold <= 0.7
    assert (f1, accuracy) == (1.0, 1.0)


def test_every_locale_gets_a_threshold_chosen_on_held_out_data(tiny_nlu: LocalNlu) -> None:
    model = tiny_nlu.models["ko_KR"]
    assert 0.0 <= model.threshold < 1.0
    assert model.hold_out.examples > 20  # slot values written into the utterances, negatives added
    assert FALLBACK in model.classes


def test_an_empty_transcript_is_fallback(tiny_nlu: LocalNlu) -> None:
    assert tiny_nlu.predict(" ?! ", "ko_KR").intent == FALLBACK
