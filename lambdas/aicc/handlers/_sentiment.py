"""The Lex code hook's sentiment step: each caller turn scored, the trend kept in the session.

The caller's words of each turn are scored (Amazon Comprehend DetectSentiment in AWS; the local
stack injects its offline model with `use_scorer`), and the contact's trend travels in the session
attributes (`sentiment_trend`, which the flows pass back into their next Lex block), so a turn
costs no call-log request. The rules' verdict goes back the same way: `sentiment_priority` (the
QueuePriority the flow sets), `sentiment_proficiency` (what a negative caller's routing prefers)
and, on a sharp drop, one supervisor alert per drop (claimed in the call log). Comprehend, boto3
and the notifier are imported on first use: the hook's cold import stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicc import clock
from aicc.domain.sentiment import (
    PRIORITY,
    PROFICIENCY,
    TREND,
    SentimentScorer,
    Trend,
    decide,
    drop_notice,
    priority_for,
    proficiency_for,
)
from aicc.handlers._prologue import LEX_CONTACT_ID, count, logger
from aicc.settings import config

# Session attributes in from the flow besides the trend (domain.sentiment.VERDICT_ATTRIBUTES): the
# customer class when known, the contact ID.
CUSTOMER_CLASS, CONTACT_ID = "customer_class", LEX_CONTACT_ID
__all__ = ["CONTACT_ID", "CUSTOMER_CLASS", "PRIORITY", "PROFICIENCY", "TREND", "score_turn", "use_scorer"]

_scorer: dict[str, SentimentScorer] = {}  # "in use" -> the injected or the Comprehend scorer


def use_scorer(scorer: SentimentScorer | None) -> None:
    """Score caller turns with `scorer` (the local stack's offline model); None: Comprehend."""
    _scorer.pop("in use", None)
    if scorer is not None:
        _scorer["in use"] = scorer


def _scorer_in_use() -> SentimentScorer:
    if "in use" not in _scorer:
        from aicc.adapters.sentiment import ComprehendSentiment  # boto3: on the first scored turn

        _scorer.setdefault("in use", ComprehendSentiment(language_code=config().sentiment.language_code))
    return _scorer["in use"]


def _alert(contact_id: str, trend: Trend, customer_class: str) -> None:
    """The supervisor's alert, once per drop: the claim key names the drop's number."""
    from aicc.adapters.call_logs import CallLogRepository
    from aicc.adapters.notifier import Notifier

    notice = drop_notice(contact_id, trend, customer_class)
    key = f"sentiment_drop_{trend.drops}"
    Notifier().send_once(notice, contact_id, key, CallLogRepository(), clock.now())


def score_turn(event: Mapping[str, Any], attributes: dict[str, str]) -> str:
    """Score the caller's words of this turn into `attributes` (the response's session attributes);
    returns the label, or "" when nothing was scored (keypad input, silence, a failed scorer)."""
    rules = config().sentiment.rules
    before = Trend.decode(attributes.get(TREND))
    customer_class = attributes.get(CUSTOMER_CLASS, "")
    transcript = str(event.get("inputTranscript") or "").strip()
    label, trend = "", before
    if transcript and event.get("inputMode") != "DTMF" and any(ch.isalpha() for ch in transcript):
        try:
            sentiment = _scorer_in_use().detect(transcript)
        except Exception:  # a turn is never lost to sentiment: the caller's answer still counts
            logger.exception("sentiment scoring failed: the turn goes on unscored")
            count("HandlerError", kind="SentimentScoring")
        else:
            decision = decide(before, sentiment.score, customer_class, rules)
            label, trend = sentiment.label, decision.trend
            if decision.alert:
                contact_id = attributes.get(CONTACT_ID) or str(event.get("sessionId") or "")
                try:
                    _alert(contact_id, trend, customer_class)
                except Exception:
                    logger.exception("sentiment alert failed")
                count("SentimentDrop")
    if trend.turns:
        attributes[TREND] = trend.encode()
    if trend.turns or not attributes.get(PRIORITY):
        # Nothing scored yet (a keypad menu turn): the priority the contact already has stands.
        attributes[PRIORITY] = str(priority_for(trend, customer_class, rules))
    attributes[PROFICIENCY] = proficiency_for(trend, rules)
    return label
