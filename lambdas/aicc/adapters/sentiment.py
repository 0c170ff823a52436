"""Amazon Comprehend as the sentiment scorer of caller utterances (aicc.domain.sentiment).

DetectSentiment, LanguageCode "ko" (Korean is supported for sentiment:
https://docs.aws.amazon.com/comprehend/latest/dg/supported-languages.html). The request is
{"Text", "LanguageCode"}, Text 1 character to 5 KB of UTF-8; the answer is Sentiment (POSITIVE,
NEGATIVE, NEUTRAL or MIXED) and SentimentScore {Positive, Negative, Neutral, Mixed}
(https://docs.aws.amazon.com/comprehend/latest/APIReference/API_DetectSentiment.html).
"""

from __future__ import annotations

from typing import Any

from aicc.adapters import aws
from aicc.domain.sentiment import LABELS, Sentiment, from_likelihoods

MAX_TEXT_BYTES = 5000  # DetectSentiment's limit on Text (5 KB of UTF-8)


def clip(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    """The text cut to at most `limit` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


class ComprehendSentiment:
    def __init__(self, client: Any = None, language_code: str = "ko") -> None:
        self._client = client
        self.language_code = language_code

    def detect(self, text: str) -> Sentiment:
        client = self._client or aws.comprehend()
        answer = client.detect_sentiment(Text=clip(text), LanguageCode=self.language_code)
        s = answer["SentimentScore"]
        scored = from_likelihoods(
            float(s.get("Positive", 0.0)),
            float(s.get("Negative", 0.0)),
            float(s.get("Neutral", 0.0)),
            float(s.get("Mixed", 0.0)),
        )
        # Comprehend's own label where it is one of ours; MIXED is placed by the score.
        label = answer.get("Sentiment")
        return scored._replace(label=label) if label in LABELS else scored
