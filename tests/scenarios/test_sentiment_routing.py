"""Done criterion of issue 11's sentiment part: a negative caller is answered sooner than a
neutral one. Two callers wait in the General Customer queue on the live center (the local stack's
queues and dispatcher); the negative one calls later, its words lower its trend below the rules'
threshold, the flow sets its queue priority (UpdateContactRoutingBehavior), and the one agent who
becomes available answers it first."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from aicc.domain.sentiment import DEFAULT_PRIORITY, Trend, decide
from aicc.settings import SENTIMENT_PRIORITIES, config
from aicc_ops.engine.sentiment import OfflineSentiment
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.live import LiveCenter, LiveContact
from aicc_ops.local.stack import LocalStack

from .conftest import COVERAGE

AT_WORK = "2026-11-25T10:00:00+09:00"
# The General Customer menu: 2 = connect to an agent; nobody is available, so the callback offer
# comes, and 2 = keep waiting in the queue.
TO_QUEUE = ["2", "2"]


@pytest.fixture
def center(stack: LocalStack) -> Iterator[LiveCenter]:
    emulator = ConnectEmulator(config(), stack.resources, stack.flows)
    # The dispatcher's own rounds are an hour apart: the test routes with one dispatch() of its own.
    live = LiveCenter(emulator, stack.new_engine, talk_seconds=60, answer_rate=0, input_seconds=1, tick=3600)
    live.start()
    yield live
    live.stop()


def priority_of(utterances: list[str]) -> int:
    """The queue priority the Lex code hook leaves for the flow after these caller turns."""
    scorer, rules, trend, priority = OfflineSentiment("ngram").load(), config().sentiment.rules, Trend(), 0
    for text in utterances:
        decision = decide(trend, scorer.detect(text).score, "GENERAL", rules)
        trend, priority = decision.trend, decision.priority
    return priority


def queued(center: LiveCenter, attributes: dict[str, str]) -> LiveContact:
    contact = center.place(
        "+821055550000",
        TO_QUEUE,
        at=datetime.fromisoformat(AT_WORK),
        live_input=False,
        entry="general_customer",
        attributes=attributes,
    )
    contact.done.wait(timeout=30)
    assert contact.result is not None
    COVERAGE.exercised.update(contact.result.transitions)
    assert contact.state == "queued", (contact.state, contact.end_reason, contact.error)
    return contact


def test_a_negative_caller_is_answered_before_a_neutral_one_who_waited_longer(center: LiveCenter) -> None:
    neutral = priority_of(["요금제 변경하려고 전화드렸어요"])
    negative = priority_of(["아니 벌써 세 번째 장애예요 진짜 화가 나네요", "도대체 언제 고쳐 주실 건데요"])
    assert neutral == DEFAULT_PRIORITY and negative < neutral

    first = queued(center, {"sentiment_priority": str(neutral)})
    time.sleep(0.05)  # the negative caller joins later: the neutral one has waited longer
    second = queued(center, {"sentiment_priority": str(negative)})
    assert first.waited > second.waited
    assert (first.priority, second.priority) == (DEFAULT_PRIORITY, negative)

    em = center.emulator
    security = next(iter(config().security_profiles))
    agent = em.add_user("agent.one", "One", "Agent", "one@example.com", "general_agent", [security])
    em.set_status(agent, "available")
    center.dispatch()
    assert second.state == "connected" and first.state == "queued"


@pytest.mark.parametrize("priority", sorted(SENTIMENT_PRIORITIES))
def test_each_priority_the_rules_may_give_is_set_by_the_flow(center: LiveCenter, priority: int) -> None:
    """sentiment.yaml may name any of these (settings checks it): the flow has a block for each."""
    contact = queued(center, {"sentiment_priority": str(priority)})
    assert contact.priority == priority
