"""lex_hook's sentiment step: each caller turn scored, the trend carried in the session attributes,
the rules' priority and proficiency handed to the flow, one supervisor alert per sharp drop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from helpers import REGION, FakeLambdaContext, read_event

from aicc.adapters.call_logs import CallLogRepository
from aicc.domain.sentiment import DEFAULT_PRIORITY, Sentiment, Trend
from aicc.handlers import _sentiment
from aicc.handlers.lex_hook import handler
from aicc.settings import config

RULES = config().sentiment.rules
CONTACT = "4a573372-1f28-4e26-b97b-000000000001"  # the event's sessionId


class TableScorer:
    """A scorer that knows its utterances' scores (the model is tested on its own)."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores, self.heard = scores, []

    def detect(self, text: str) -> Sentiment:
        self.heard.append(text)
        score = self.scores[text]
        return Sentiment("NEGATIVE" if score < -0.2 else "POSITIVE" if score > 0.2 else "NEUTRAL", score)


class BrokenScorer:
    def detect(self, text: str) -> Sentiment:
        raise TimeoutError("Comprehend did not answer")


CALM, ANGRY, FURIOUS = (
    "요금제 문의드리려고요",
    "벌써 세 번째 장애예요",
    "도대체 언제 고쳐 주실 건데요 정말 화가 나요",
)
SCORES = {CALM: 0.0, ANGRY: -0.5, FURIOUS: -0.9, "솔트웨어": 0.0}


@pytest.fixture
def scorer() -> Iterator[TableScorer]:
    table = TableScorer(SCORES)
    _sentiment.use_scorer(table)
    yield table
    _sentiment.use_scorer(None)


def turn(text: str, attributes: dict[str, str] | None = None, mode: str = "Speech") -> dict[str, Any]:
    event = read_event("lex_capture_company")
    event["inputTranscript"], event["inputMode"] = text, mode
    event["sessionState"]["sessionAttributes"].update(attributes or {})
    return event


def say(text: str, attributes: dict[str, str] | None = None, mode: str = "Speech") -> dict[str, str]:
    """The session attributes the hook hands back to the flow after this turn."""
    answer = handler(turn(text, attributes, mode), FakeLambdaContext())
    out: dict[str, str] = answer["sessionState"]["sessionAttributes"]
    return out


def test_each_turn_is_scored_and_the_trend_travels_in_the_session(scorer: TableScorer) -> None:
    first = say(CALM)
    assert Trend.decode(first[_sentiment.TREND]).turns == 1
    assert first[_sentiment.PRIORITY] == str(DEFAULT_PRIORITY) and first[_sentiment.PROFICIENCY] == ""
    # The flow passes the trend back into its next Lex block: the second turn adds to it.
    second = say(ANGRY, {_sentiment.TREND: first[_sentiment.TREND]})
    trend = Trend.decode(second[_sentiment.TREND])
    assert (trend.turns, trend.first, trend.last) == (2, 0.0, -0.5)
    assert trend.value == pytest.approx(RULES.smoothing * -0.5)
    assert scorer.heard == [CALM, ANGRY]


def test_a_negative_trend_raises_the_priority_and_asks_for_experience(scorer: TableScorer) -> None:
    out = say(FURIOUS, {_sentiment.TREND: Trend().add(-0.5, RULES).encode()})
    assert out[_sentiment.PRIORITY] == str(RULES.negative_priority)
    assert out[_sentiment.PROFICIENCY] == RULES.proficiency


def test_a_vip_is_earlier_and_a_negative_vip_earliest(scorer: TableScorer) -> None:
    vip = sorted(RULES.vip_classes)[0]
    assert say(CALM, {_sentiment.CUSTOMER_CLASS: vip})[_sentiment.PRIORITY] == str(RULES.vip_priority)
    angry = {_sentiment.CUSTOMER_CLASS: vip, _sentiment.TREND: Trend().add(-0.9, RULES).encode()}
    assert say(FURIOUS, angry)[_sentiment.PRIORITY] == str(RULES.vip_negative_priority)


def test_keypad_input_is_not_scored(scorer: TableScorer) -> None:
    before = Trend().add(-0.9, RULES).encode()
    out = say("1234#", {_sentiment.TREND: before}, mode="DTMF")
    assert scorer.heard == [] and out[_sentiment.TREND] == before
    assert out[_sentiment.PRIORITY] == str(RULES.negative_priority)  # still what the trend says


def test_a_failing_scorer_leaves_the_turn_answered_and_unscored() -> None:
    _sentiment.use_scorer(BrokenScorer())
    try:
        answer = handler(turn("솔트웨어"), FakeLambdaContext())
    finally:
        _sentiment.use_scorer(None)
    state = answer["sessionState"]
    assert state["intent"]["name"] == "ProvideCompanyName"  # the answer still counts
    assert _sentiment.TREND not in state["sessionAttributes"]
    assert state["sessionAttributes"][_sentiment.PRIORITY] == str(DEFAULT_PRIORITY)


def notified(contact_id: str) -> set[str]:
    item = CallLogRepository().get(contact_id) or {}
    return {str(k) for k in item.get("notified", set())}


def test_a_sharp_drop_alerts_the_supervisor_once(scorer: TableScorer, aws: dict[str, str]) -> None:
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="supervisors")["TopicArn"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NOTIFY_TOPIC_ARN", topic)
        calm = say(CALM, {_sentiment.CONTACT_ID: CONTACT})
        dropped = say(FURIOUS, calm)
        assert Trend.decode(dropped[_sentiment.TREND]).drops == 1
        assert notified(CONTACT) == {"sentiment_drop_1"}
        # Lex retries the same turn (same session in): the claim holds, no second alert.
        again = say(FURIOUS, calm)
        assert again[_sentiment.TREND] == dropped[_sentiment.TREND]
        assert notified(CONTACT) == {"sentiment_drop_1"}
        # Staying low is not a new drop.
        lower = say(FURIOUS, dropped)
        assert Trend.decode(lower[_sentiment.TREND]).drops == 1
        assert notified(CONTACT) == {"sentiment_drop_1"}


def test_a_key_at_a_menu_keeps_the_priority_the_contact_already_has(scorer: TableScorer) -> None:
    # A menu block passes the contact's priority in; a turn with nothing scored leaves it alone.
    out = say("2", {_sentiment.PRIORITY: "4"}, mode="DTMF")
    assert scorer.heard == [] and out[_sentiment.PRIORITY] == "4"
    assert say("2", {}, mode="DTMF")[_sentiment.PRIORITY] == str(DEFAULT_PRIORITY)  # none yet: the rules'
