"""ComprehendSentiment against botocore's Stubber: the request is checked against Comprehend's
real service model (DetectSentiment, LanguageCode ko), the answer mapped to our scale."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from aicc.adapters.sentiment import MAX_TEXT_BYTES, ComprehendSentiment, clip
from aicc.settings import config


@pytest.fixture
def comprehend() -> Iterator[tuple[ComprehendSentiment, Stubber]]:
    client = boto3.client("comprehend", region_name="ap-northeast-2")
    stubber = Stubber(client)
    with stubber:
        yield ComprehendSentiment(client, config().sentiment.language_code), stubber
        stubber.assert_no_pending_responses()


def answer(label: str, positive: float, negative: float, neutral: float, mixed: float) -> dict[str, object]:
    scores = {"Positive": positive, "Negative": negative, "Neutral": neutral, "Mixed": mixed}
    return {"Sentiment": label, "SentimentScore": scores}


def test_a_korean_utterance_is_scored_by_detect_sentiment(
    comprehend: tuple[ComprehendSentiment, Stubber],
) -> None:
    scorer, stubber = comprehend
    text = "벌써 세 번째 장애예요 진짜 화가 나네요"
    stubber.add_response(
        "detect_sentiment", answer("NEGATIVE", 0.01, 0.95, 0.03, 0.01), {"Text": text, "LanguageCode": "ko"}
    )
    result = scorer.detect(text)
    assert result.label == "NEGATIVE" and result.score == pytest.approx(-0.94)


def test_mixed_is_placed_by_its_score(comprehend: tuple[ComprehendSentiment, Stubber]) -> None:
    scorer, stubber = comprehend
    stubber.add_response(
        "detect_sentiment", answer("MIXED", 0.1, 0.5, 0.0, 0.4), {"Text": "음", "LanguageCode": "ko"}
    )
    assert scorer.detect("음").label == "NEGATIVE"


def test_a_long_transcript_is_cut_to_the_5_kb_limit_on_a_character_boundary(
    comprehend: tuple[ComprehendSentiment, Stubber],
) -> None:
    scorer, stubber = comprehend
    text = "가" * 3000  # 9000 bytes of UTF-8
    expected = clip(text)
    assert len(expected.encode("utf-8")) <= MAX_TEXT_BYTES and set(expected) == {"가"}
    stubber.add_response(
        "detect_sentiment", answer("NEUTRAL", 0.0, 0.0, 1.0, 0.0), {"Text": expected, "LanguageCode": "ko"}
    )
    assert scorer.detect(text).label == "NEUTRAL"


def test_a_refusal_reaches_the_caller_of_detect(comprehend: tuple[ComprehendSentiment, Stubber]) -> None:
    scorer, stubber = comprehend
    stubber.add_client_error("detect_sentiment", "TextSizeLimitExceededException")
    with pytest.raises(Exception, match="TextSizeLimitExceeded"):
        scorer.detect("너무 길어요")
