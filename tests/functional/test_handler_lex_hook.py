"""lex_hook handler with a Lex V2 code-hook event."""

from __future__ import annotations

from collections.abc import Iterator

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
