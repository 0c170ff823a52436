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

from aicc.domain.sentiment import DEFAULT_PRIORITY, Trend
from aicc.settings import SENTIMENT_PRIORITIES, config
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.live import LiveCenter, LiveContact
from aicc_ops.local.stack import LocalStack

from .conftest import COVERAGE

AT_WORK = "2026-11-25T10:00:00+09:00"
GENERAL_CALLER = "+821056789012"  # 새봄헬스케어, 강도현: a GENERAL customer (sample data)
# Speech authentication (company, contact name, account digits), then the General Customer menu:
# 2 = connect to an agent; nobody is available, so the callback offer comes: 2 = keep waiting.
CALM = ["say:새봄헬스케어", "say:강도현입니다", "4567#", "2", "2"]
ANGRY = ["say:새봄헬스케어", "say:강도현입니다 진짜 너무 화가 나네요 이게 말이 됩니까", "4567#", "2", "2"]
TO_QUEUE = ["2", "2"]  # entering General Customer directly


@pytest.fixture
def center(stack: LocalStack) -> Iterator[LiveCenter]:
    emulator = ConnectEmulator(config(), stack.resources, stack.flows)
    # The dispatcher's own rounds are an hour apart: the test routes with one dispatch() of its own.
    live = LiveCenter(emulator, stack.new_engine, talk_seconds=60, answer_rate=0, input_seconds=1, tick=3600)
    live.start()
    yield live
    live.stop()


def queued(
    center: LiveCenter, inputs: list[str], entry: str | None = None, attributes: dict[str, str] | None = None
) -> LiveContact:
    contact = center.place(
        GENERAL_CALLER,
        inputs,
        at=datetime.fromisoformat(AT_WORK),
        live_input=False,
        entry=entry,
        attributes=attributes,
    )
    contact.done.wait(timeout=60)
    assert contact.result is not None
    COVERAGE.exercised.update(contact.result.transitions)
    assert contact.state == "queued", (contact.state, contact.end_reason, contact.error)
    return contact


def test_a_negative_caller_is_answered_before_a_neutral_one_who_waited_longer(center: LiveCenter) -> None:
    """The whole path: the Lex code hook scores each spoken turn (the local stack's offline model),
    the trend travels through the Lex session attributes into the contact attributes, General
    Customer sets the queue priority from it, and the queue routes by priority before age."""
    first = queued(center, CALM)
    time.sleep(0.05)  # the negative caller joins later: the calm one has waited longer
    second = queued(center, ANGRY)
    assert first.waited > second.waited
    assert first.result is not None and second.result is not None
    calm, angry = (Trend.decode(c.result.attributes.get("sentiment_trend")) for c in (first, second))
    assert calm.turns == angry.turns == 2  # company and name spoken; the digits keyed (not scored)
    assert angry.value < calm.value
    rules = config().sentiment.rules
    assert (first.priority, second.priority) == (DEFAULT_PRIORITY, rules.negative_priority)

    em = center.emulator
    security = next(iter(config().security_profiles))
    agent = em.add_user("agent.one", "One", "Agent", "one@example.com", "general_agent", [security])
    em.set_status(agent, "available")
    center.dispatch()
    assert second.state == "connected" and first.state == "queued"


@pytest.mark.parametrize("priority", sorted(SENTIMENT_PRIORITIES))
def test_each_priority_the_rules_may_give_is_set_by_the_flow(center: LiveCenter, priority: int) -> None:
    """sentiment.yaml may name any of these (settings checks it): the flow has a block for each."""
    contact = queued(center, TO_QUEUE, "general_customer", {"sentiment_priority": str(priority)})
    assert contact.priority == priority
