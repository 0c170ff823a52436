"""The Lex V2 code hook's decision: close the expected capture intent, or delegate."""

from __future__ import annotations

from typing import Any

import pytest

from aicc.domain.dialog import Capture, capture_slots, offer_answers, respond
from aicc.settings import config

CAPTURES = capture_slots(config().intents)


def lex_event(
    intent: str, transcript: str, expected: str | None, slots: dict[str, Any] | None = None
) -> dict[str, Any]:
    attributes = {"path": "main>auth"} | ({"expected_intent": expected} if expected else {})
    return {
        "messageVersion": "1.0",
        "invocationSource": "DialogCodeHook",
        "inputMode": "Speech",
        "inputTranscript": transcript,
        "sessionState": {
            "sessionAttributes": attributes,
            "dialogAction": {"type": "Delegate"},
            "intent": {
                "name": intent,
                "state": "InProgress",
                "confirmationState": "None",
                "slots": slots or {},
            },
        },
    }


def test_capture_intents_come_from_intents_yaml() -> None:
    assert {
        "ProvideCompanyName": Capture("CompanyName"),
        "ProvideContactName": Capture("ContactName"),
        "DescribeIncident": Capture("Incident"),
        "ProvideAccountDigits": Capture("AccountLast4", digits=4),
    } == CAPTURES


@pytest.mark.parametrize("landed", ["FallbackIntent", "DescribeIncident", "ProvideContactName"])
def test_wrong_or_fallback_intent_closes_the_expected_one(landed: str) -> None:
    response = respond(lex_event(landed, " 솔트웨어 ", "ProvideCompanyName"), CAPTURES)
    value = {"originalValue": "솔트웨어", "interpretedValue": "솔트웨어", "resolvedValues": ["솔트웨어"]}
    assert response == {
        "sessionState": {
            "sessionAttributes": {"path": "main>auth", "expected_intent": "ProvideCompanyName"},
            "dialogAction": {"type": "Close"},
            "intent": {
                "name": "ProvideCompanyName",
                "state": "Fulfilled",
                "confirmationState": "None",
                "slots": {"CompanyName": {"value": value}},
            },
        }
    }


@pytest.mark.parametrize(
    ("intent", "transcript", "expected"),
    [
        ("ProvideCompanyName", "솔트웨어", "ProvideCompanyName"),  # already right
        ("TalkToAgent", "상담원 연결해주세요", "ProvideCompanyName"),  # the caller asked for a person
        ("FallbackIntent", "솔트웨어", None),  # the flow expects nothing
        ("FallbackIntent", "솔트웨어", "TalkToAgent"),  # not a capture intent
        ("FallbackIntent", "  ", "ProvideCompanyName"),  # nothing was said
        ("FallbackIntent", "1#", "ProvideCompanyName"),  # keypad digits are not a company name
        ("DescribeIncident", "1234", "ProvideContactName"),
    ],
)
def test_everything_else_is_delegated_unchanged(intent: str, transcript: str, expected: str | None) -> None:
    event = lex_event(intent, transcript, expected)
    response = respond(event, CAPTURES)
    state = event["sessionState"]
    assert response == {
        "sessionState": {
            "sessionAttributes": state["sessionAttributes"],
            "dialogAction": {"type": "Delegate"},
            "intent": state["intent"],
        }
    }


def test_delegate_without_an_intent() -> None:
    response = respond({"sessionState": {"sessionAttributes": {}}, "inputTranscript": "네"}, CAPTURES)
    assert response == {"sessionState": {"sessionAttributes": {}, "dialogAction": {"type": "Delegate"}}}


def test_keypad_input_mode_is_delegated_even_with_letters() -> None:
    event = lex_event("FallbackIntent", "솔트웨어", "ProvideCompanyName") | {"inputMode": "DTMF"}
    assert respond(event, CAPTURES)["sessionState"]["dialogAction"] == {"type": "Delegate"}


def test_english_words_are_captured_too() -> None:
    response = respond(lex_event("FallbackIntent", "Saltware", "ProvideCompanyName"), CAPTURES)
    assert response["sessionState"]["intent"]["slots"]["CompanyName"]["value"]["originalValue"] == "Saltware"


def test_custom_original_value_slot_types_are_free_text_captures() -> None:
    from aicc.domain.dialog import capture_slots
    from aicc.settings import load_config

    assert {k: c.slot for k, c in capture_slots(load_config().intents).items()} == {
        "ProvideCompanyName": "CompanyName",
        "ProvideContactName": "ContactName",
        "DescribeIncident": "Incident",
        "ProvideAccountDigits": "AccountLast4",
    }


DIGITS = "ProvideAccountDigits"


def closed_digits(response: dict[str, Any]) -> tuple[str, str | None]:
    intent = response["sessionState"]["intent"]
    slot = (intent["slots"].get("AccountLast4") or {}).get("value") or {}
    return intent["name"], slot.get("interpretedValue")


@pytest.mark.parametrize(
    ("said", "mode"),
    [
        ("일이삼사", "Speech"),
        ("사 팔 이 일", "Speech"),
        ("공일 이삼", "Speech"),
        ("영 일 이 삼", "Speech"),
        ("1 2 삼 사", "Speech"),
        ("일이삼사입니다", "Speech"),
        ("1234", "DTMF"),
    ],
)
def test_account_digits_are_heard_spoken_or_keyed(said: str, mode: str) -> None:
    event = lex_event("FallbackIntent", said, DIGITS) | {"inputMode": mode}
    name, value = closed_digits(respond(event, CAPTURES))
    expected = "".join(ch for ch in said if ch.isdigit()) if mode == "DTMF" else None
    assert name == DIGITS
    assert value is not None and len(value) == 4 and value.isdigit()
    assert expected is None or value == expected


def test_spoken_digits_map_to_their_values() -> None:
    response = respond(lex_event("FallbackIntent", "사 팔 이 일", DIGITS), CAPTURES)
    assert closed_digits(response) == (DIGITS, "4821")
    response = respond(lex_event("FallbackIntent", "공칠오구", DIGITS), CAPTURES)
    assert closed_digits(response) == (DIGITS, "0759")


def test_digits_from_a_carrier_phrase_come_from_the_slot() -> None:
    slot = {"AccountLast4": {"value": {"originalValue": "일이삼사", "interpretedValue": "일이삼사"}}}
    event = lex_event(DIGITS, "끝자리는 일이삼사", DIGITS, slots=slot)
    assert closed_digits(respond(event, CAPTURES)) == (DIGITS, "1234")


@pytest.mark.parametrize("said", ["일이삼", "12345", "솔트웨어", ""])
def test_anything_but_four_digits_is_fallback(said: str) -> None:
    response = respond(lex_event("FallbackIntent", said, DIGITS), CAPTURES)
    assert response["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert response["sessionState"]["intent"]["state"] == "Failed"


def test_an_intent_of_its_own_at_the_digits_prompt_is_kept() -> None:
    response = respond(lex_event("TalkToAgent", "상담원 연결해주세요", DIGITS), CAPTURES)
    assert response["sessionState"]["dialogAction"]["type"] == "Delegate"


# ---- the question's context in AWS: Lex's interpretations, menu keys -----------------------------
MENU_INTENTS = frozenset(config().intents["intents"]) - set(CAPTURES) - offer_answers(config().intents)
MENU_KEYS = "1=ReportOutage 2=TechnicalInquiry 0=TalkToAgent *=RepeatMenu"


def interpretation(
    name: str, confidence: float | None, slots: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One entry of a Lex V2 event's `interpretations` (FallbackIntent carries no nluConfidence)."""
    intent = {"name": name, "state": "InProgress", "confirmationState": "None", "slots": slots or {}}
    return {"intent": intent} | ({"nluConfidence": confidence} if confidence is not None else {})


def ranked_event(
    ranked: list[dict[str, Any]], transcript: str, expected: str | None = None, mode: str = "Speech"
) -> dict[str, Any]:
    event = lex_event(ranked[0]["intent"]["name"], transcript, expected, ranked[0]["intent"]["slots"])
    return event | {"interpretations": ranked, "inputMode": mode}


def closed(response: dict[str, Any]) -> tuple[str, str, str]:
    state = response["sessionState"]
    return state["dialogAction"]["type"], state["intent"]["name"], state["intent"]["state"]


def test_menu_intents_are_the_how_can_i_help_ones() -> None:
    assert {"ReportOutage", "TalkToAgent", "RepeatMenu", "EmailSupport"} <= MENU_INTENTS
    assert not MENU_INTENTS & set(CAPTURES)


def test_a_capture_intent_on_top_at_a_menu_yields_to_the_best_menu_interpretation() -> None:
    service = {
        "ServiceName": {
            "value": {"originalValue": "이씨투", "interpretedValue": "EC2", "resolvedValues": ["EC2"]}
        }
    }
    ranked = [
        interpretation("DescribeIncident", 0.71),
        interpretation("TechnicalInquiry", 0.41),
        interpretation("ReportOutage", 0.62, service),
        interpretation("FallbackIntent", None),
    ]
    response = respond(ranked_event(ranked, "이씨투 장애가 났어요"), CAPTURES, MENU_INTENTS)
    assert closed(response) == ("Close", "ReportOutage", "Fulfilled")
    assert response["sessionState"]["intent"]["slots"]["ServiceName"]["value"]["interpretedValue"] == "EC2"


def test_a_menu_intent_on_top_at_a_capture_question_yields_to_a_capture_interpretation() -> None:
    ranked = [interpretation("ReportOutage", 0.55), interpretation("ProvideCompanyName", 0.40)]
    response = respond(ranked_event(ranked, "솔트웨어 장애", "ProvideCompanyName"), CAPTURES, MENU_INTENTS)
    assert closed(response) == ("Close", "ProvideCompanyName", "Fulfilled")
    assert (
        response["sessionState"]["intent"]["slots"]["CompanyName"]["value"]["originalValue"]
        == "솔트웨어 장애"
    )


def test_talk_to_agent_is_allowed_at_a_capture_question() -> None:
    ranked = [interpretation("SalesContact", 0.5), interpretation("TalkToAgent", 0.45)]
    response = respond(
        ranked_event(ranked, "담당자 바꿔주세요", "ProvideContactName"), CAPTURES, MENU_INTENTS
    )
    assert closed(response) == ("Close", "TalkToAgent", "Fulfilled")


def test_no_allowed_interpretation_at_a_menu_is_fallback() -> None:
    ranked = [interpretation("ProvideCompanyName", 0.8), interpretation("FallbackIntent", None)]
    response = respond(ranked_event(ranked, "솔트웨어"), CAPTURES, MENU_INTENTS)
    assert closed(response) == ("Close", "FallbackIntent", "Failed")


def test_an_allowed_top_intent_at_a_menu_is_delegated() -> None:
    ranked = [interpretation("BillingInquiry", 0.9), interpretation("ReportOutage", 0.2)]
    response = respond(ranked_event(ranked, "요금이 이상해요"), CAPTURES, MENU_INTENTS)
    assert response["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert response["sessionState"]["intent"]["name"] == "BillingInquiry"


@pytest.mark.parametrize(
    ("key", "intent", "state"),
    [
        ("1", "ReportOutage", "Fulfilled"),
        ("2#", "TechnicalInquiry", "Fulfilled"),
        ("0", "TalkToAgent", "Fulfilled"),
        ("*", "RepeatMenu", "Fulfilled"),
        ("7", "FallbackIntent", "Failed"),
    ],
)
def test_a_key_at_a_menu_closes_the_intent_the_menu_gives_it(key: str, intent: str, state: str) -> None:
    # Lex V2 sends a key press as the transcript with inputMode DTMF; Lex classified it as it could.
    event = ranked_event([interpretation("FallbackIntent", None)], key, mode="DTMF")
    event["sessionState"]["sessionAttributes"]["menu_keys"] = MENU_KEYS
    assert closed(respond(event, CAPTURES, MENU_INTENTS)) == ("Close", intent, state)


def test_menu_keys_do_not_apply_to_speech() -> None:
    event = ranked_event([interpretation("RepeatMenu", 0.9)], "다시 말해줘")
    event["sessionState"]["sessionAttributes"]["menu_keys"] = MENU_KEYS
    assert respond(event, CAPTURES, MENU_INTENTS)["sessionState"]["dialogAction"] == {"type": "Delegate"}


OFFER_KEYS = "1=RequestCallback 2=Decline 0=TalkToAgent *=RepeatMenu"


@pytest.mark.parametrize(("keys", "expected"), [(OFFER_KEYS, ("Delegate", "Decline")), (MENU_KEYS, None)])
def test_no_thanks_is_an_answer_only_where_the_menu_offers_it(
    keys: str, expected: tuple[str, str] | None
) -> None:
    # "아니요" answers a callback offer (its keys name Decline); at a menu that offers nothing it is no
    # answer: the best allowed interpretation, or FallbackIntent.
    event = ranked_event([interpretation("Decline", 0.9), interpretation("TalkToAgent", 0.05)], "아니요")
    event["sessionState"]["sessionAttributes"]["menu_keys"] = keys
    response = respond(event, CAPTURES, MENU_INTENTS)
    state = response["sessionState"]
    if expected is None:
        assert closed(response) == ("Close", "TalkToAgent", "Fulfilled")
    else:
        assert (state["dialogAction"]["type"], state["intent"]["name"]) == expected
