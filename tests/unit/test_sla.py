"""The SLA monitor's pure rules: a queue's state, its episode, the Slack message's shape."""

from __future__ import annotations

import pytest

from aicc.domain.sla import (
    Level,
    Message,
    SlaRules,
    SlaState,
    next_level,
    page_manager,
    reading,
    sla_state,
    slack_message,
)
from aicc.settings import config

SLA = 900
RULES = SlaRules(config().sla_monitor.risk_share)
RISK_AT = RULES.risk_share * SLA


@pytest.mark.parametrize(
    ("oldest", "waiting", "online", "expected"),
    [
        (0, 0, 0, SlaState.OK),  # nobody waits
        (RISK_AT - 1, 3, 0, SlaState.OK),  # before the share (the monitor ignores who is online)
        (RISK_AT, 1, 2, SlaState.AT_RISK),
        (SLA - 1, 1, 2, SlaState.AT_RISK),
        (SLA, 1, 2, SlaState.BREACHED),
        (SLA * 3, 5, 0, SlaState.BREACHED),
    ],
)
def test_the_state_of_a_queue(oldest: float, waiting: int, online: int, expected: SlaState) -> None:
    assert sla_state(oldest, waiting, 0, SLA, online=online, rules=RULES) is expected


def test_a_queue_without_a_same_day_sla_has_no_state() -> None:
    assert sla_state(10_000, 3, 0, None, online=0, rules=RULES) is None


@pytest.mark.parametrize(
    ("stored", "now", "after", "message"),
    [
        (Level.OK, Level.OK, Level.OK, None),
        (Level.OK, Level.RISK, Level.RISK, Message.RISK),
        (Level.OK, Level.BREACH, Level.BREACH, Message.BREACH),
        (Level.RISK, Level.RISK, Level.RISK, None),
        (Level.RISK, Level.BREACH, Level.BREACH, Message.BREACH),
        (Level.BREACH, Level.BREACH, Level.BREACH, None),
        (Level.BREACH, Level.RISK, Level.BREACH, None),  # eased but not over: same episode
        (Level.BREACH, Level.OK, Level.OK, Message.RESOLVED),
        (Level.RISK, Level.OK, Level.OK, Message.RESOLVED),
    ],
)
def test_the_episode_table(stored: Level, now: Level, after: Level, message: Message | None) -> None:
    assert next_level(stored, now) == (after, message)


def test_a_breach_that_comes_back_in_one_episode_alerts_once() -> None:
    stored, sent = Level.OK, []
    for now in (Level.RISK, Level.BREACH, Level.RISK, Level.BREACH, Level.OK, Level.OK):
        stored, message = next_level(stored, now)
        sent.append(message)
    assert [m for m in sent if m] == [Message.RISK, Message.BREACH, Message.RESOLVED]


def test_the_manager_is_paged_only_for_a_breach_without_available_agents() -> None:
    queue = config().queues["msp_emergency"]
    assert queue.sla_seconds is not None

    def q(oldest: float, available: int) -> bool:
        values = {"CONTACTS_IN_QUEUE": 1, "OLDEST_CONTACT_AGE": oldest, "AGENTS_AVAILABLE": available}
        return page_manager(reading(queue.key, queue.name, queue.sla_seconds, values, RULES))

    assert q(queue.sla_seconds, 0) and not q(queue.sla_seconds, 1) and not q(queue.sla_seconds - 1, 0)


def test_the_block_kit_message_names_queue_wait_sla_agents_and_runbook() -> None:
    queue = config().queues["msp_general"]
    assert queue.sla_seconds is not None
    values = {"CONTACTS_IN_QUEUE": 2, "OLDEST_CONTACT_AGE": 1500, "AGENTS_AVAILABLE": 1, "AGENTS_ONLINE": 3}
    q = reading(queue.key, queue.name, queue.sla_seconds, values, RULES)
    text, blocks = slack_message(Message.RISK, q, "https://example.org/runbooks/queue-sla-risk.md")
    assert queue.name in text
    assert [b["type"] for b in blocks] == ["header", "section", "section", "context"]
    assert blocks[0]["text"]["type"] == "plain_text" and len(blocks[0]["text"]["text"]) <= 150
    fields = {f["text"].split("\n")[0].strip("*"): f["text"].split("\n")[1] for f in blocks[2]["fields"]}
    assert len(blocks[2]["fields"]) <= 10  # Block Kit: at most 10 fields a section
    assert fields["Oldest wait"] == "25:00" and fields["SLA"] == "30:00"
    assert fields["Agents available"].startswith("1 ")
    assert queue.name in fields["Queue"]
    assert "<https://example.org/runbooks/queue-sla-risk.md|" in blocks[3]["elements"][0]["text"]
