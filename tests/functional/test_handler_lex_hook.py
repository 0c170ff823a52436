"""lex_hook handler with a Lex V2 code-hook event."""

from __future__ import annotations

import pytest
from helpers import FakeLambdaContext, read_event

from aicc.handlers.lex_hook import handler


def test_bare_company_name_closes_the_expected_intent(lambda_context: FakeLambdaContext) -> None:
    response = handler(read_event("lex_capture_company"), lambda_context)
    state = response["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["intent"]["name"] == "ProvideCompanyName"
    assert state["intent"]["state"] == "Fulfilled"
    assert state["intent"]["slots"]["CompanyName"]["value"]["interpretedValue"] == "솔트웨어"
    assert state["sessionAttributes"] == {"expected_intent": "ProvideCompanyName", "path": "main>auth"}


def test_matching_intent_is_delegated(lambda_context: FakeLambdaContext) -> None:
    event = read_event("lex_capture_company")
    event["sessionState"]["sessionAttributes"]["expected_intent"] = "DescribeIncident"
    response = handler(event, lambda_context)
    assert response["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert response["sessionState"]["intent"] == event["sessionState"]["intent"]


def test_not_a_lex_event(lambda_context: FakeLambdaContext) -> None:
    with pytest.raises(ValueError, match="Lex V2 code-hook event"):
        handler(read_event("connect_customer_lookup"), lambda_context)
