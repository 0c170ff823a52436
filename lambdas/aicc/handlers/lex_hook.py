"""lex_hook: Lex V2 dialog code hook resolving bare answers to the expected intent (docs/handlers.md).

Powertools has no Lex V2 event class; the event is read as the plain dict of the reference, §5.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc.domain import dialog
from aicc.settings import config

logger = Logger()
metrics = Metrics(namespace="AICC")


@cache
def _captures() -> Mapping[str, dialog.Capture]:
    return dialog.capture_slots(config().intents)


# The transcript is the caller's own words (names): never log or trace it whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not isinstance(event, Mapping) or not isinstance(event.get("sessionState"), Mapping):
        raise ValueError("expected a Lex V2 code-hook event with a sessionState object")
    response = dialog.respond(event, _captures())
    state = response["sessionState"]
    action = state["dialogAction"]["type"]
    metrics.add_dimension(name="action", value=action)
    metrics.add_metric(name="LexCodeHook", unit=MetricUnit.Count, value=1)
    logger.info(
        "lex code hook",
        extra={
            "intent": (event["sessionState"].get("intent") or {}).get("name", ""),
            "expected_intent": (event["sessionState"].get("sessionAttributes") or {}).get(
                dialog.EXPECTED_INTENT, ""
            ),
            "action": action,
            "closed_intent": (state.get("intent") or {}).get("name", "") if action == "Close" else "",
            "transcript_chars": len(str(event.get("inputTranscript") or "")),
        },
    )
    return response
