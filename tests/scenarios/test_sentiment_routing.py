"""Done criterion of issue 11's sentiment part: a negative caller is answered sooner than a
neutral one, and by an experienced agent. Two callers wait in the General Customer queue on the live
center (the local stack's queues and dispatcher); the negative one calls later, its words lower its
trend below the rules' threshold, the flow sets its queue priority (UpdateContactRoutingBehavior)
and its routing criteria (UpdateRoutingCriteria: the rules' proficiency for a while, then anyone),
and the agents who become available answer by both."""

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

    agent = _agent(center, "agent.one", rules.proficiency_level)
    center.dispatch()
    assert second.state == "connected" and first.state == "queued"
    assert second.agent_id == agent


def test_the_callback_offer_keeps_what_the_caller_said_declining_it(center: LiveCenter) -> None:
    """Anger heard at the last menu before the queue still raises the caller's priority: the
    answer to the callback offer (spoken "no, I'll wait") is scored like any turn."""
    declined_angrily = [*CALM[:-1], "say:아니요 됐고 그냥 기다릴게요 진짜 너무 화가 나네요 이게 말이 됩니까"]
    contact = queued(center, declined_angrily)
    assert contact.result is not None
    assert Trend.decode(contact.result.attributes.get("sentiment_trend")).turns == 3
    assert contact.priority == config().sentiment.rules.negative_priority


def _agent(center: LiveCenter, login: str, level: int | None) -> str:
    """An available General agent, with the rules' proficiency at `level` (None: none), given as
    onboarding gives it (AssociateUserProficiencies through the emulator's API)."""
    em, rules = center.emulator, config().sentiment.rules
    security = next(iter(config().security_profiles))
    user = em.add_user(login, login, "Agent", f"{login}@example.com", "general_agent", [security])
    if level is not None:
        given = {
            "AttributeName": rules.proficiency_name,
            "AttributeValue": rules.proficiency_value,
            "Level": level,
        }
        em.call(
            "AssociateUserProficiencies",
            {"InstanceId": em.instance_id, "UserId": user, "UserProficiencies": [given]},
        )
    em.set_status(user, "available")
    return user


def test_a_negative_caller_gets_the_experienced_agent_and_a_neutral_one_whoever_is_free(
    center: LiveCenter,
) -> None:
    """The agent idle longest is offered first and would take the negative caller (its priority is
    higher); the routing criteria keep it for the agent with the proficiency."""
    rules = config().sentiment.rules
    calm, angry = queued(center, CALM), queued(center, ANGRY)
    assert calm.criteria is None and angry.criteria is not None
    (step,) = angry.criteria.steps
    assert step.expiry == rules.proficiency_expiry
    novice = _agent(center, "agent.novice", rules.proficiency_level - 1)
    expert = _agent(center, "agent.expert", rules.proficiency_level)
    center.idle_since.update({novice: 0.0, expert: 1.0})  # the novice has waited longest
    center.dispatch()
    assert (angry.state, angry.agent_id) == ("connected", expert)
    assert (calm.state, calm.agent_id) == ("connected", novice)


def test_a_negative_caller_goes_to_any_agent_once_the_step_expires(center: LiveCenter) -> None:
    """Never stranded: with no experienced agent, the step's expiry (timed on the live center's
    clock from the queueing) hands the caller to whoever is free."""
    rules = config().sentiment.rules
    negative = Trend().add(-1.0, rules)  # one utterance as negative as it gets, earlier in the call
    assert negative.value <= rules.negative_trend
    angry = queued(center, TO_QUEUE, "general_customer", {"sentiment_trend": negative.encode()})
    assert angry.criteria is not None
    novice = _agent(center, "agent.novice", None)
    center.dispatch()
    assert angry.state == "queued"
    angry.queued_at -= rules.proficiency_expiry / 2  # half the step's time waited
    center.dispatch()
    assert angry.state == "queued"
    angry.queued_at -= rules.proficiency_expiry / 2  # the whole of it
    center.dispatch()
    assert (angry.state, angry.agent_id) == ("connected", novice)


@pytest.mark.parametrize("priority", sorted(SENTIMENT_PRIORITIES))
def test_each_priority_the_rules_may_give_is_set_by_the_flow(center: LiveCenter, priority: int) -> None:
    """sentiment.yaml may name any of these (settings checks it): the flow has a block for each."""
    contact = queued(center, TO_QUEUE, "general_customer", {"sentiment_priority": str(priority)})
    assert contact.priority == priority


def test_the_queue_callback_offer_hears_words_on_the_live_center(center: LiveCenter) -> None:
    """The customer queue flow's Lex turn runs on the live center as in the simulator: the code
    hook, the contact's language (ko-KR from the entry flow) and the session; the spoken answer is
    scored and its verdict kept on the waiting contact."""
    angry_no = "say:아니요 필요 없어요 이게 말이 됩니까 너무 화가 나네요"
    contact = center.place(
        GENERAL_CALLER,
        [*CALM, angry_no],
        at=datetime.fromisoformat(AT_WORK),
        hold_seconds=130,
        live_input=False,
    )
    contact.done.wait(timeout=60)
    assert contact.result is not None and contact.state == "queued", (contact.state, contact.error)
    COVERAGE.exercised.update(contact.result.transitions)
    heard = [
        s.detail
        for s in contact.result.steps
        if (s.flow, s.identifier) == ("General Customer Queue", "offer")
    ]
    assert len(heard) == 1 and heard[0].startswith("ko_KR speech") and heard[0].endswith("-> Decline")
    trend = Trend.decode(contact.result.attributes.get("sentiment_trend"))
    assert trend.turns == 3 and trend.negative_turns == 1  # company and name calm, the answer not
