"""lex_hook: Lex V2 dialog code hook resolving bare answers to the expected intent, menu keys to
their intents and Lex's interpretations to the best one the question allows (docs/handlers.md);
each caller turn's sentiment is scored on the way (aicc.handlers._sentiment).

Powertools has no Lex V2 event class; the event is read as the plain dict of the reference, §5.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from aicc.domain import dialog
from aicc.handlers._prologue import count, lex_code_hook, logger
from aicc.handlers._sentiment import PRIORITY, score_turn
from aicc.settings import config


@cache
def _captures() -> Mapping[str, dialog.Capture]:
    return dialog.capture_slots(config().intents)


@cache
def _menu_intents() -> frozenset[str]:
    """The "how can I help" intents: every intent of the file but the capture intents and the
    offer answers (those a menu's keys name)."""
    intents = config().intents
    return frozenset(intents.get("intents") or {}) - set(_captures()) - dialog.offer_answers(intents)


# The transcript is the caller's own words (names): logged by its length only.
@lex_code_hook
def handler(event: Mapping[str, Any]) -> dict[str, Any]:
    response = dialog.respond(event, _captures(), _menu_intents())
    state = response["sessionState"]
    attributes = state.setdefault("sessionAttributes", {})
    sentiment = score_turn(event, attributes)
    action = state["dialogAction"]["type"]
    count("LexCodeHook", action=action)
    session = event["sessionState"]
    logger.info(
        "lex code hook",
        extra={
            "intent": (session.get("intent") or {}).get("name", ""),
            "expected_intent": (session.get("sessionAttributes") or {}).get(dialog.EXPECTED_INTENT, ""),
            "action": action,
            "closed_intent": (state.get("intent") or {}).get("name", "") if action == "Close" else "",
            "transcript_chars": len(str(event.get("inputTranscript") or "")),
            "sentiment": sentiment,
            "sentiment_priority": attributes.get(PRIORITY, ""),
        },
    )
    return response
