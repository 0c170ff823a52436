"""Caller sentiment: one score per utterance, a trend per contact, and what the rules make of it.

A scorer (Amazon Comprehend in AWS, an offline Korean model on the local stack) gives each caller
utterance a label and a score in [-1, 1] (positive minus negative likelihood). The contact's trend
is an exponential moving average of those scores, so one sharp word does not outweigh the call
and a caller who keeps complaining drifts down steadily. The rules (sentiment.yaml) turn the trend
and the customer's class into a queue priority, an agent proficiency to prefer, and one supervisor
alert per sharp drop. Pure logic: no boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from aicc.domain.notices import Notice

NEGATIVE, NEUTRAL, POSITIVE = "NEGATIVE", "NEUTRAL", "POSITIVE"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)
DEFAULT_PRIORITY = 5  # Connect's priority for a contact nothing changed (lower is routed first)
# The Lex session attributes the code hook returns after scoring a turn: the trend so far, the
# queue priority and the agent proficiency the rules chose. A flow passes the trend into each Lex
# block and copies all three back from $.Lex.SessionAttributes wherever the caller was heard.
TREND, PRIORITY, PROFICIENCY = "sentiment_trend", "sentiment_priority", "sentiment_proficiency"
VERDICT_ATTRIBUTES = (TREND, PRIORITY, PROFICIENCY)


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
    proficiency_name: str  # the agent proficiency a negative caller's routing prefers (attribute)
    proficiency_value: str  # ... and its value
    proficiency_level: int  # at least this level (1-5)
    proficiency_expiry: int  # for this many seconds of the wait, then any agent

    @property
    def proficiency(self) -> str:
        """The `sentiment_proficiency` a negative caller gets ("name:value:level"): the value
        General Customer compares before it sets the routing criteria."""
        return f"{self.proficiency_name}:{self.proficiency_value}:{self.proficiency_level}"


class Trend(NamedTuple):
    """A contact's sentiment so far, small enough to travel in the Lex session attributes and the
    call log: the moving average, the utterances scored, the first, last and lowest score, how
    many were negative, and how many sharp drops were already alerted (so each alerts once)."""

    value: float = 0.0
    turns: int = 0
    lowest: float = 0.0
    drops: int = 0
    first: float = 0.0
    last: float = 0.0
    negative_turns: int = 0

    def add(self, score: float, rules: SentimentRules) -> Trend:
        start = self.turns == 0
        value = score if start else rules.smoothing * score + (1 - rules.smoothing) * self.value
        return Trend(
            round(value, 4),
            self.turns + 1,
            round(score if start else min(self.lowest, score), 4),
            self.drops,
            round(score if start else self.first, 4),
            round(score, 4),
            self.negative_turns + (score <= rules.negative_trend),
        )

    def encode(self) -> str:
        """The compact text form kept in a session or contact attribute: "v|n|low|drops|first|last|neg"."""
        return "|".join(str(v) for v in self)

    @classmethod
    def decode(cls, text: str | None) -> Trend:
        """The inverse of encode; an empty or damaged value starts afresh (a new contact)."""
        parts = (text or "").split("|")
        if len(parts) != len(cls._fields):
            return cls()
        try:
            return cls(
                float(parts[0]),
                int(parts[1]),
                float(parts[2]),
                int(parts[3]),
                float(parts[4]),
                float(parts[5]),
                int(parts[6]),
            )
        except ValueError:
            return cls()

    def to_item(self) -> dict[str, str | int]:
        """The call log's `sentiment` map (numbers as text: DynamoDB numbers carry no float)."""
        return {
            "trend": str(self.value),
            "turns": self.turns,
            "lowest": str(self.lowest),
            "alerts": self.drops,
            "first": str(self.first),
            "last": str(self.last),
            "negative_turns": self.negative_turns,
        }


class Decision(NamedTuple):
    """What one scored utterance changes: the contact's new trend, its queue priority, the
    proficiency its routing prefers ("" for none), and whether to alert the supervisor now."""

    trend: Trend
    priority: int
    proficiency: str
    alert: bool


def priority_for(trend: Trend, customer_class: str, rules: SentimentRules) -> int:
    """The queue priority the rules give a contact with this trend and customer class."""
    negative = trend.turns > 0 and trend.value <= rules.negative_trend
    vip = customer_class in rules.vip_classes
    if vip and negative:
        return rules.vip_negative_priority
    if negative:
        return rules.negative_priority
    if vip:
        return rules.vip_priority
    return DEFAULT_PRIORITY


def proficiency_for(trend: Trend, rules: SentimentRules) -> str:
    """The agent proficiency (`rules.proficiency`) a negative caller's routing prefers; "" for none."""
    negative = trend.turns > 0 and trend.value <= rules.negative_trend
    return rules.proficiency if negative else ""


def drop_notice(contact_id: str, trend: Trend, customer_class: str) -> Notice:
    """The supervisor's alert for a sharp drop. No caller words: the transcript may hold names."""
    from aicc.domain.notices import Notice  # here: only an alert needs it (lex_hook's cold import)

    subject = "[고객 감정 급락] 상담 대기 고객 주의 필요"
    message = "\n".join(
        (
            "안내: 통화 중인 고객의 감정이 급격히 나빠졌습니다. 모니터링하거나 먼저 연결해 주세요.",
            f"컨택 ID: {contact_id}",
            f"고객 등급: {customer_class or '미확인'}",
            f"감정 추세: {trend.value} (최저 {trend.lowest}, 발화 {trend.turns}회)",
        )
    )
    return Notice("sentiment", subject, message, {"kind": "sentiment", "contact_id": contact_id})


def decide(before: Trend, score: float, customer_class: str, rules: SentimentRules) -> Decision:
    """The caller's new utterance score applied to the contact: trend, priority, alert.

    A sharp drop is a fall of the trend by `sharp_drop` or more in one utterance that lands it at
    or below the negative threshold; it alerts once, and again only after the trend has recovered
    above the threshold and dropped again (`drops` counts alerts, the trend's recovery re-arms).
    """
    after = before.add(score, rules)
    negative = after.value <= rules.negative_trend
    priority = priority_for(after, customer_class, rules)
    armed = before.turns == 0 or before.value > rules.negative_trend
    dropped = before.turns > 0 and before.value - after.value >= rules.sharp_drop
    alert = armed and dropped and negative
    trend = after._replace(drops=after.drops + 1) if alert else after
    return Decision(trend, priority, proficiency_for(after, rules), alert)


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

    def to_item(self) -> dict[str, str | int]:
        return {
            "overall": self.overall,
            "direction": self.direction,
            "turns": self.turns,
            "final": str(self.final),
            "lowest": str(self.lowest),
            "first": str(self.first),
            "last": str(self.last),
            "negative_turns": self.negative_turns,
            "alerts": self.alerts,
        }


def summarize(trend: Trend, rules: SentimentRules) -> Summary | None:
    """The post-call summary of a contact's trend; None when no utterance was scored."""
    if trend.turns == 0:
        return None
    if trend.value <= rules.negative_trend:
        overall = NEGATIVE
    elif trend.value >= -rules.negative_trend:
        overall = POSITIVE
    else:
        overall = NEUTRAL
    change = trend.last - trend.first
    if change >= rules.sharp_drop:
        direction = "improving"
    elif -change >= rules.sharp_drop:
        direction = "worsening"
    else:
        direction = "steady"
    return Summary(
        trend.turns,
        trend.value,
        trend.lowest,
        trend.first,
        trend.last,
        trend.negative_turns,
        trend.drops,
        overall,
        direction,
    )
