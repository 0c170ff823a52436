"""The intent model: trained from the file, candidates by context, FallbackIntent under the threshold."""

from __future__ import annotations

import pickle
from collections.abc import Collection
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from aicc.settings import load_config
from aicc_ops.engine.nlu import FALLBACK, LocalNlu, model
from aicc_ops.engine.nlu.evaluate import read_eval_file
from aicc_ops.engine.nlu.examples import training_examples
from aicc_ops.engine.nlu.features import CharNgramEncoder
from aicc_ops.engine.nlu.model import (
    CASCADE_STEPS,
    CascadeModel,
    HoldOut,
    IntentModel,
    choose_step,
    choose_threshold,
    decide,
    train_cascade,
)
from aicc_ops.engine.nlu.text import normalize

from .conftest import TINY

EVAL = Path(__file__).resolve().parents[2] / "data" / "nlu_eval.jsonl"


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


def test_an_offer_answer_is_heard_only_where_the_menu_offers_it(tiny_nlu: LocalNlu) -> None:
    # "아니요" answers a callback offer (its menu keys name Decline); "how can I help?" offers nothing.
    assert tiny_nlu.predict("아니요 괜찮아요", "ko_KR").intent != "Decline"
    assert (
        tiny_nlu.predict("아니요 괜찮아요", "ko_KR", offered=["Decline", "TalkToAgent"]).intent == "Decline"
    )
    assert tiny_nlu.predict("상담원 연결해주세요", "ko_KR", offered=["Decline"]).intent == "TalkToAgent"


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


class _Recorded:
    """A stand-in for the e5 model of a cascade: says `intent`, records what it was asked."""

    threshold = 0.1

    def __init__(self, intent: str) -> None:
        self.intent, self.asked = intent, list[str]()

    def predict(self, text: str, candidates: Collection[str] | None = None) -> tuple[str, float]:
        self.asked.append(text)
        return self.intent, 0.99


def _cascade(tiny_nlu: LocalNlu, confident: float) -> tuple[CascadeModel, _Recorded]:
    fast = tiny_nlu.models["ko_KR"]
    assert isinstance(fast, IntentModel)
    full = _Recorded("TalkToAgent")
    return CascadeModel(fast, cast(IntentModel, full), confident, HoldOut(0, 0.0, 0.0)), full


def test_the_cascade_answers_with_chars_when_it_is_confident(tiny_nlu: LocalNlu) -> None:
    cascade, full = _cascade(tiny_nlu, confident=0.0)
    assert cascade.predict("요금 문의요") == tiny_nlu.models["ko_KR"].predict("요금 문의요")
    assert full.asked == []  # e5 never ran


def test_the_cascade_asks_e5_when_chars_is_unsure(tiny_nlu: LocalNlu) -> None:
    cascade, full = _cascade(tiny_nlu, confident=1.01)
    assert cascade.predict("요금 문의요") == ("TalkToAgent", 0.99)
    assert full.asked == ["요금 문의요"]


def test_the_cascade_step_is_the_lowest_that_keeps_the_held_out_score() -> None:
    # chars is right from confidence 0.6 up and wrong below, e5 always right: chars answers from 0.51.
    expected = ["A", "B"] * 20
    fast = [(t if i % 4 else "B" if t == "A" else "A", 0.7 if i % 4 else 0.5) for i, t in enumerate(expected)]
    step, f1, accuracy, share = choose_step(fast, expected, expected)
    assert (step, f1, accuracy, share) == (0.51, 1.0, 1.0, 0.25)
    always_right = choose_step([(t, 0.35) for t in expected], ["B"] * len(expected), expected)
    assert always_right[0] == CASCADE_STEPS[0]
    # One slip in 400 costs less held-out macro-F1 than the tolerance: chars still answers it all.
    many = ["A", "B"] * 200
    one_slip = [("B" if i == 0 else t, 0.4) for i, t in enumerate(many)]
    assert choose_step(one_slip, many, many)[0] == CASCADE_STEPS[0]


def _held_out(wrong: int, rows: int = 200) -> tuple[list[tuple[str, float]], list[str]]:
    """chars right at confidence 0.7 except `wrong` rows it gets wrong at 0.5; the truth."""
    expected = ["A", "B"] * (rows // 2)
    fast = [(("B" if t == "A" else "A", 0.5) if i < wrong else (t, 0.7)) for i, t in enumerate(expected)]
    return fast, expected


def test_a_latency_budget_caps_the_share_of_turns_sent_to_e5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "CASCADE_BUDGET", 0.04)
    # The wrong turns fit in the budget: e5 (always right) gets exactly those, from step 0.51.
    fast, expected = _held_out(7)
    assert choose_step(fast, expected, expected) == (0.51, 1.0, 1.0, 7 / 200)
    # More unsure turns than the budget allows: chars answers them all (no step between helps).
    fast, expected = _held_out(9)
    step, f1, _, share = choose_step(fast, expected, expected)
    assert (step, share) == (CASCADE_STEPS[0], 0.0) and f1 < 1.0


def test_a_trained_cascade_pairs_chars_with_e5() -> None:
    model = train_cascade(training_examples(TINY, "ko_KR"), "ko_KR", {"ReportOutage", "BillingInquiry"})
    assert model.fast.encoder.name == "chars" and model.full.encoder.name == "e5"
    assert model.confident in CASCADE_STEPS and model.threshold == model.full.threshold


@pytest.fixture(scope="module")
def chars_model() -> IntentModel:
    """The character model of the real intents file: the default cascade's fast tier, from the
    model cache `make` trains (training it again here took half a minute)."""
    cascade = LocalNlu.load_or_train(load_config().intents)[0].models["ko_KR"]
    assert isinstance(cascade, CascadeModel)
    return cascade.fast


def test_the_fast_path_of_the_character_model_is_scikit_learns_predict_proba(
    chars_model: IntentModel,
) -> None:
    assert isinstance(chars_model.encoder, CharNgramEncoder)
    unknown = "ÆØ¶"
    assert not any(c in v.vocabulary_ for v in chars_model.encoder.vectorizers for c in unknown)
    edge = [
        "",
        " ",
        "  \t\n ",
        " ?! ",
        unknown,
        f"{unknown} 요금",
        "요금\t\t 문의",
        "EC2 장애",
        "ec2",
        "장에가",
    ]
    texts = [r.text for r in read_eval_file(EVAL)] + [
        e.text for e in training_examples(load_config().intents, "ko_KR")
    ]
    for text in [*edge, *texts, *map(normalize, texts)]:
        expected = chars_model.probabilities([text])[0]
        assert np.allclose(chars_model.probabilities_of(text), expected, rtol=0, atol=1e-6), text


def test_the_fast_path_is_derived_on_load_not_pickled(chars_model: IntentModel) -> None:
    assert not [name for name in chars_model.__getstate__() if name.startswith("_")]
    assert list(chars_model.encoder.__getstate__()) == ["vectorizers"]
    loaded = pickle.loads(pickle.dumps(chars_model))
    assert np.array_equal(loaded.probabilities_of("요금 문의요"), chars_model.probabilities_of("요금 문의요"))
