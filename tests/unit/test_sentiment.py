"""The sentiment rules (aicc.domain.sentiment) as sentiment.yaml configures them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.domain.sentiment import (
    DEFAULT_PRIORITY,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    Trend,
    decide,
    from_likelihoods,
    summarize,
)
from aicc.settings import ConfigError, config, load_config

RULES = config().sentiment.rules


def run(scores: list[float], customer_class: str = "GENERAL") -> list:  # type: ignore[type-arg]
    trend, out = Trend(), []
    for s in scores:
        d = decide(trend, s, customer_class, RULES)
        trend = d.trend
        out.append(d)
    return out


def test_a_calm_caller_keeps_connects_default_priority() -> None:
    assert [d.priority for d in run([0.1, 0.0, 0.2])] == [DEFAULT_PRIORITY] * 3
    assert not any(d.alert or d.proficiency for d in run([0.1, 0.0]))


def test_a_negative_trend_raises_priority_and_prefers_experienced_agents() -> None:
    last = run([0.0, -0.8, -0.9])[-1]
    assert last.trend.value <= RULES.negative_trend
    assert last.priority == RULES.negative_priority < DEFAULT_PRIORITY
    assert last.proficiency == RULES.proficiency


def test_one_mildly_negative_word_does_not_make_a_negative_caller() -> None:
    assert run([0.4, 0.4, -0.4])[-1].priority == DEFAULT_PRIORITY  # the average stays above


def test_vip_customers_come_earlier_and_a_negative_vip_earliest() -> None:
    vip = next(iter(RULES.vip_classes))
    assert run([0.0], vip)[-1].priority == RULES.vip_priority < DEFAULT_PRIORITY
    assert run([0.0, -0.9, -0.9], vip)[-1].priority == RULES.vip_negative_priority
    assert RULES.vip_negative_priority <= RULES.negative_priority


def test_a_sharp_drop_alerts_once_until_the_caller_recovers() -> None:
    decisions = run([0.0, -0.9, -0.9, -0.9])
    assert [d.alert for d in decisions] == [False, True, False, False]
    # Recovered above the threshold, then a second sharp drop: a second alert.
    again = run([0.0, -0.9, 0.9, 0.0, -0.9])
    assert [d.alert for d in again] == [False, True, False, False, True]
    assert again[-1].trend.drops == 2


def test_a_slow_slide_is_negative_without_a_sharp_drop() -> None:
    decisions = run([0.0, -0.3, -0.5, -0.6])
    assert decisions[-1].priority == RULES.negative_priority
    assert not any(d.alert for d in decisions)


def test_comprehend_likelihoods_become_label_and_score() -> None:
    assert from_likelihoods(0.9, 0.05, 0.05) == (POSITIVE, 0.85)
    assert from_likelihoods(0.1, 0.7, 0.2).label == NEGATIVE
    assert from_likelihoods(0.05, 0.05, 0.9) == (NEUTRAL, 0.0)
    # MIXED has no label here: the score decides the side.
    assert from_likelihoods(0.1, 0.4, 0.0, 0.5).label == NEGATIVE
    assert from_likelihoods(0.3, 0.3, 0.0, 0.4).label == NEUTRAL


def test_the_post_call_summary() -> None:
    scores = [0.0, -0.9, -0.8, 0.6]
    trend = run(scores)[-1].trend
    summary = summarize(trend, RULES)
    assert summary is not None
    assert (summary.turns, summary.first, summary.last, summary.lowest) == (4, 0.0, 0.6, -0.9)
    assert summary.negative_turns == 2 and summary.alerts == 1
    assert summary.direction == "improving"
    assert summarize(Trend(), RULES) is None


def test_the_trend_survives_its_stored_form() -> None:
    trend = run([0.3, -0.9])[-1].trend
    assert Trend.decode(trend.encode()) == trend
    assert Trend.decode("damaged") == Trend()


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("language_code: ko ", "language_code: en ", "sentiment.language_code"),
        ("smoothing: 0.5 ", "smoothing: 0 ", "sentiment.trend.smoothing"),
        ("negative: 2", "negative: 7", "sentiment.priority.negative"),
        ("vip_negative: 1", "vip_negative: 4", "sentiment.priority.vip_negative"),
        ("level: 4", "level: 9", "sentiment.prefer_proficiency.level"),
        ("expiry_seconds: 60", "expiry_seconds: 0", "sentiment.prefer_proficiency.expiry_seconds"),
        ("value: complaints", "value: a:b", "sentiment.prefer_proficiency.value"),
    ],
)
def test_bad_rules_name_the_file_and_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    source = config().directory
    for f in source.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "sentiment.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        _ = load_config(tmp_path).sentiment
    assert (err.value.file, err.value.field) == ("sentiment.yaml", field)
