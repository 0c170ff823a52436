"""Caller sentiment: one score per utterance, a trend per contact, and what the rules make of it.

A scorer (Amazon Comprehend in AWS, an offline Korean model on the local stack) gives each caller
utterance a label and a score in [-1, 1] (positive minus negative likelihood). The contact's trend
is an exponential moving average of those scores, so one sharp word does not outweigh the call
and a caller who keeps complaining drifts down steadily. The rules (sentiment.yaml) turn the trend
and the customer's class into a queue priority, an agent proficiency to prefer, and one supervisor
alert per sharp drop. Pure logic: no boto3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

NEGATIVE, NEUTRAL, POSITIVE = "NEGATIVE", "NEUTRAL", "POSITIVE"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)
DEFAULT_PRIORITY = 5  # Connect's priority for a contact nothing changed (lower is routed first)


class Sentiment(NamedTuple):
    """One utterance's sentiment: the most likely label and a score in [-1, 1]."""

    label: str
    score: float


class SentimentScorer(Protocol):
    """What scores one caller utterance: ComprehendSentiment in AWS, the offline model locally."""

    def detect(self, text: str) -> Sentiment: ...


def from_likelihoods(positive: float, negative: float, neutral: float, mixed: float = 0.0) -> Sentiment:
    """A label and score from per-class likelihoods (Comprehend's SentimentScore, a model's softmax).
    MIXED has no label of its own here: the score (positive minus negative) decides its side."""
    score = round(max(-1.0, min(1.0, positive - negative)), 4)
    ranked = {POSITIVE: positive, NEGATIVE: negative, NEUTRAL: neutral}
    label = max(ranked, key=lambda k: ranked[k])
    if mixed > max(ranked.values()):
        label = NEGATIVE if score < -0.2 else POSITIVE if score > 0.2 else NEUTRAL
    return Sentiment(label, score)


class SentimentRules(NamedTuple):
    """sentiment.yaml: how the trend is kept and what it changes (see that file for each field)."""

    smoothing: float  # weight of the newest utterance in the trend (exponential moving average)
    negative_trend: float  # a trend at or below this is a negative caller
    sharp_drop: float  # a fall of the trend by at least this much in one utterance alerts
    negative_priority: int
    vip_priority: int
    vip_negative_priority: int
    vip_classes: frozenset[str]
    proficiency_name: str  # the agent proficiency a negative caller's routing prefers
    proficiency_level: int


class Trend(NamedTuple):
    """A contact's sentiment so far: the moving average, the utterances scored, the lowest
    score, and how many sharp drops were already alerted (so each alerts once)."""

    value: float = 0.0
    turns: int = 0
    lowest: float = 0.0
    drops: int = 0

    def add(self, score: float, rules: SentimentRules) -> Trend:
        if self.turns == 0:
            value = score
        else:
            value = rules.smoothing * score + (1 - rules.smoothing) * self.value
        lowest = score if self.turns == 0 else min(self.lowest, score)
        return Trend(round(value, 4), self.turns + 1, round(lowest, 4), self.drops)

    def to_item(self) -> dict[str, object]:
        return {"value": str(self.value), "turns": self.turns, "lowest": str(self.lowest), "drops": self.drops}

    @classmethod
    def from_item(cls, item: Mapping[str, object] | None) -> Trend:
        if not item:
            return cls()
        return cls(
            float(str(item.get("value", 0))),
            int(str(item.get("turns", 0))),
            float(str(item.get("lowest", 0))),
            int(str(item.get("drops", 0))),
        )


class Decision(NamedTuple):
    """What one scored utterance changes: the contact's new trend, its queue priority, the
    proficiency its routing prefers ("" for none), and whether to alert the supervisor now."""

    trend: Trend
    priority: int
    proficiency: str
    alert: bool


def decide(before: Trend, score: float, customer_class: str, rules: SentimentRules) -> Decision:
    """The caller's new utterance score applied to the contact: trend, priority, alert.

    A sharp drop is a fall of the trend by `sharp_drop` or more in one utterance that lands it at
    or below the negative threshold; it alerts once, and again only after the trend has recovered
    above the threshold and dropped again (`drops` counts alerts, the trend's recovery re-arms).
    """
    after = before.add(score, rules)
    negative = after.value <= rules.negative_trend
    vip = customer_class in rules.vip_classes
    if vip and negative:
        priority = rules.vip_negative_priority
    elif negative:
        priority = rules.negative_priority
    elif vip:
        priority = rules.vip_priority
    else:
        priority = DEFAULT_PRIORITY
    armed = before.turns == 0 or before.value > rules.negative_trend
    dropped = before.turns > 0 and before.value - after.value >= rules.sharp_drop
    alert = armed and dropped and negative
    trend = after._replace(drops=after.drops + 1) if alert else after
    proficiency = f"{rules.proficiency_name}:{rules.proficiency_level}" if negative else ""
    return Decision(trend, priority, proficiency, alert)


class Summary(NamedTuple):
    """A call's sentiment, for the post-call record: the final trend and how it went."""

    turns: int
    final: float
    lowest: float
    first: float
    last: float
    negative_turns: int
    alerts: int
    overall: str  # NEGATIVE | NEUTRAL | POSITIVE, from the final trend
    direction: str  # improving | worsening | steady (last against first utterance)


def summarize(scores: Sequence[float], trend: Trend, rules: SentimentRules) -> Summary | None:
    """The post-call summary of a contact's scored utterances; None when nothing was scored."""
    if not scores or trend.turns == 0:
        return None
    first, last = scores[0], scores[-1]
    if trend.value <= rules.negative_trend:
        overall = NEGATIVE
    elif trend.value >= -rules.negative_trend:
        overall = POSITIVE
    else:
        overall = NEUTRAL
    change = last - first
    direction = "improving" if change >= rules.sharp_drop else "worsening" if -change >= rules.sharp_drop else "steady"
    return Summary(
        trend.turns,
        trend.value,
        trend.lowest,
        first,
        last,
        sum(1 for s in scores if s <= rules.negative_trend),
        trend.drops,
        overall,
        direction,
    )
