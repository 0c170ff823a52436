"""lex_hook handler with a Lex V2 code-hook event."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from helpers import FakeLambdaContext, read_event

from aicc.domain.sentiment import Sentiment
from aicc.handlers import _sentiment
from aicc.handlers.lex_hook import handler


class _Neutral:
    def detect(self, text: str) -> Sentiment:
        return Sentiment("NEUTRAL", 0.0)


@pytest.fixture(autouse=True)
def _neutral_sentiment() -> Iterator[None]:
    """Every turn scores neutral here (the sentiment step: test_handler_lex_hook_sentiment.py)."""
    _sentiment.use_scorer(_Neutral())
    yield
    _sentiment.use_scorer(None)


def test_bare_company_name_closes_the_expected_intent(lambda_context: FakeLambdaContext) -> None:
    response = handler(read_event("lex_capture_company"), lambda_context)
    state = response["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["intent"]["name"] == "ProvideCompanyName"
    assert state["intent"]["state"] == "Fulfilled"
    assert state["intent"]["slots"]["CompanyName"]["value"]["interpretedValue"] == "솔트웨어"
    attributes = {k: v for k, v in state["sessionAttributes"].items() if not k.startswith("sentiment_")}
    assert attributes == {"expected_intent": "ProvideCompanyName", "path": "main>auth"}


def test_matching_intent_is_delegated(lambda_context: FakeLambdaContext) -> None:
    event = read_event("lex_capture_company")
    event["sessionState"]["sessionAttributes"]["expected_intent"] = "DescribeIncident"
    response = handler(event, lambda_context)
    assert response["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert response["sessionState"]["intent"] == event["sessionState"]["intent"]


def test_not_a_lex_event(lambda_context: FakeLambdaContext) -> None:
    with pytest.raises(ValueError, match="Lex V2 code-hook event"):
        handler(read_event("connect_customer_lookup"), lambda_context)


def _menu_event(mode: str, transcript: str, ranked: list[tuple[str, float | None]]) -> dict[str, object]:
    """A Lex V2 event at a menu that listens: no expected intent, the menu's keys, Lex's ranking."""
    event = read_event("lex_capture_company")
    attributes = {
        "menu_keys": "1=ReportOutage 2=TechnicalInquiry 0=TalkToAgent *=RepeatMenu",
        "path": "main>msp",
    }
    interpretations = [
        {"intent": {"name": n, "state": "InProgress", "confirmationState": "None", "slots": {}}}
        | ({"nluConfidence": c} if c is not None else {})
        for n, c in ranked
    ]
    event |= {"inputMode": mode, "inputTranscript": transcript, "interpretations": interpretations}
    event["sessionState"] = {"sessionAttributes": attributes, "intent": interpretations[0]["intent"]}
    return event


def test_a_key_at_a_menu_closes_its_intent(lambda_context: FakeLambdaContext) -> None:
    response = handler(_menu_event("DTMF", "1", [("FallbackIntent", None)]), lambda_context)
    assert response["sessionState"]["intent"]["name"] == "ReportOutage"
    assert response["sessionState"]["dialogAction"] == {"type": "Close"}


def test_at_a_menu_a_capture_intent_yields_to_the_best_menu_interpretation(
    lambda_context: FakeLambdaContext,
) -> None:
    ranked = [("DescribeIncident", 0.7), ("ProvideCompanyName", 0.6), ("ReportOutage", 0.5)]
    response = handler(_menu_event("Speech", "웹서버가 죽었어요", ranked), lambda_context)
    assert response["sessionState"]["intent"]["name"] == "ReportOutage"
    assert response["sessionState"]["intent"]["state"] == "Fulfilled"


def test_every_line_carries_the_contact_the_flow_passed(
    lambda_context: FakeLambdaContext, handler_log: Callable[[], list[str]]
) -> None:
    event = read_event("lex_capture_company")
    contact = "4a573372-1f28-4e26-b97b-0000000000aa"
    event["sessionState"]["sessionAttributes"]["contact_id"] = contact  # as the flows set it
    handler(event, lambda_context)
    del event["sessionState"]["sessionAttributes"]["contact_id"]  # a flow that does not: no stale id
    handler(event, lambda_context)
    lines = [json.loads(line) for line in handler_log()]
    assert [(line["message"], line.get("contact_id")) for line in lines] == [
        ("lex code hook", contact),
        ("lex code hook", None),
    ]
    assert {line["correlation_id"] for line in lines} == {event["sessionId"]}
