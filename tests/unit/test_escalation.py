"""The emergency chain walk: skipping unavailable targets, stages, manager notification."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aicc.domain.agents import Agent, AgentStatus, Roster
from aicc.domain.customers import Customer, Tier
from aicc.domain.escalation import (
    Action,
    CallerNotice,
    EscalationContext,
    Stage,
    TargetType,
    callback_due,
    caller_notice,
    next_target,
)
from aicc.domain.pages import Page, parse_step
from aicc.settings import config

POLICY = config().escalation  # ts_primary, ts_secondary, part_members, general_agent; manager at general
CUSTOMER = Customer(
    "C-SALT",
    "솔트웨어",
    "김민준",
    "+821012345678",
    tier=Tier.MSP,
    part="TS1",
    ts_primary="ts.park",
    ts_secondary="ts.choi",
)
ROSTER = Roster("TS1", "기술지원 1파트", ("ts.park", "ts.choi", "ts.yoon", "ts.han"), "mgr.kim")
A, B, OFF = AgentStatus.AVAILABLE, AgentStatus.BUSY, AgentStatus.OFFLINE
KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=KST)
THIS_MORNING = datetime(2026, 11, 25, 9, 0, tzinfo=KST)


def agents(**status: AgentStatus) -> dict[str, Agent]:
    return {
        login.replace("_", "."): Agent(
            login.replace("_", "."), login, "TS", "TS1", status=s, user_arn=f"arn:aws:connect:::agent/{login}"
        )
        for login, s in status.items()
    }


GENERAL = [
    Agent(
        "ga.oh",
        "오세훈",
        "GENERAL",
        status=A,
        handled_today=4,
        last_assigned_at=THIS_MORNING,
        user_arn="arn:aws:connect:::agent/ga.oh",
    ),
    Agent(
        "ga.han",
        "한소희",
        "GENERAL",
        status=A,
        handled_today=1,
        last_assigned_at=THIS_MORNING,
        user_arn="arn:aws:connect:::agent/ga.han",
    ),
    Agent("ga.seo", "서지민", "GENERAL", status=OFF),
]


def ctx(
    people: dict[str, Agent],
    general: list[Agent] | None = None,
    customer: Customer | None = CUSTOMER,
    roster: Roster | None = ROSTER,
    now: datetime = NOW,
    pages: dict[int, Page] | None = None,
) -> EscalationContext:
    return EscalationContext(
        customer, roster, people, GENERAL if general is None else general, now, pages or {}
    )


def test_parse_step() -> None:
    assert parse_step("") == 0
    assert parse_step(" 2 ") == 2
    for bad in ("-1", "one", "1.5", "２"):
        with pytest.raises(ValueError, match="step"):
            parse_step(bad)


def test_primary_first() -> None:
    d = next_target(POLICY, 0, ctx(agents(ts_park=A, ts_choi=A, ts_yoon=A)))
    assert (d.stage, d.step, d.next_step, d.target_type) == (Stage.TS_PRIMARY, 0, 1, TargetType.AGENT)
    assert d.agent is not None and d.agent.login == "ts.park"
    assert not d.notify_manager and d.skipped == ()


def test_unavailable_primary_is_skipped_at_once() -> None:
    d = next_target(POLICY, 0, ctx(agents(ts_park=B, ts_choi=A)))
    assert (d.stage, d.next_step) == (Stage.TS_SECONDARY, 2)
    assert [(s.step, s.reason) for s in d.skipped] == [("ts_primary", "BUSY")]


def test_next_call_continues_from_the_step_given() -> None:
    # The primary was paged at step 0 and did not answer: step 1 goes on even if the primary is free.
    d = next_target(POLICY, 1, ctx(agents(ts_park=A, ts_choi=A)))
    assert d.stage is Stage.TS_SECONDARY


def test_part_members_in_roster_order_without_the_ts_engineers() -> None:
    d = next_target(POLICY, 2, ctx(agents(ts_park=A, ts_choi=A, ts_yoon=OFF, ts_han=A)))
    assert (d.stage, d.next_step) == (Stage.PART_MEMBER, 3)
    assert d.agent is not None and d.agent.login == "ts.han"


def test_general_agent_is_the_last_step_and_notifies_the_manager() -> None:
    d = next_target(POLICY, 0, ctx(agents(ts_park=OFF, ts_choi=B, ts_yoon=OFF, ts_han=OFF)))
    assert (d.stage, d.step, d.next_step, d.target_type) == (Stage.GENERAL_AGENT, 3, 4, TargetType.AGENT)
    assert d.agent is not None and d.agent.login == "ga.han"  # lightest workload
    assert d.notify_manager and d.manager_login == "mgr.kim"
    assert [s.step for s in d.skipped] == ["ts_primary", "ts_secondary", "part_members"]


def test_general_step_counts_only_today_s_handled_contacts() -> None:
    # ga.oh's 4 are from yesterday (Seoul): today he has handled none, ga.han one.
    oh = replace(GENERAL[0], last_assigned_at=datetime(2026, 11, 24, 18, 0, tzinfo=KST))
    d = next_target(POLICY, 3, ctx({}, general=[oh, GENERAL[1]]))
    assert d.agent is not None and d.agent.login == "ga.oh"


def test_general_agent_without_a_user_arn_is_reached_through_the_queue() -> None:
    general = [Agent("ga.new", "신입", "GENERAL", status=A)]
    d = next_target(POLICY, 3, ctx({}, general=general))
    assert (d.stage, d.target_type) == (Stage.GENERAL_AGENT, TargetType.QUEUE)
    assert d.agent is not None and d.agent.login == "ga.new"


def test_exhausted_when_no_one_is_available() -> None:
    d = next_target(POLICY, 0, ctx(agents(ts_park=OFF, ts_choi=OFF), general=[]))
    assert (d.stage, d.step, d.next_step, d.target_type) == (Stage.EXHAUSTED, 4, 4, TargetType.QUEUE)
    assert d.agent is None and d.notify_manager and d.manager_login == "mgr.kim"


def test_past_the_end_is_exhausted() -> None:
    d = next_target(POLICY, 7, ctx(agents(ts_park=A)))
    assert (d.stage, d.next_step, d.skipped) == (Stage.EXHAUSTED, 4, ())


def test_unknown_customer_reaches_only_the_general_step() -> None:
    d = next_target(POLICY, 0, ctx({}, customer=None, roster=None))
    assert d.stage is Stage.GENERAL_AGENT
    assert [(s.step, s.reason) for s in d.skipped][:2] == [
        ("ts_primary", "no_customer"),
        ("ts_secondary", "no_customer"),
    ]
    assert d.manager_login == ""


def test_missing_or_unroutable_targets_are_skipped() -> None:
    people = agents(ts_choi=A)
    people["ts.choi"] = Agent("ts.choi", "최지우", "TS", status=A)  # no user ARN
    customer = Customer(
        "C-X", "엑스", "홍길동", "+821011112222", ts_primary="", ts_secondary="ts.choi", part="TS1"
    )
    d = next_target(POLICY, 0, ctx(people, customer=customer, roster=None, general=[]))
    assert [(s.step, s.reason) for s in d.skipped] == [
        ("ts_primary", "not_assigned"),
        ("ts_secondary", "no_user_arn"),
        ("part_members", "no_roster"),
        ("general_agent", "none_available"),
    ]


def test_custom_policy_notifies_where_configured() -> None:
    policy = POLICY._replace(
        chain=("ts_primary", "general_agent"), notify_manager_at=frozenset({"ts_primary"})
    )
    d = next_target(policy, 0, ctx(agents(ts_park=A)))
    assert (d.stage, d.notify_manager, d.next_step) == (Stage.TS_PRIMARY, True, 1)


def test_negative_step_is_rejected() -> None:
    with pytest.raises(ValueError, match="step"):
        next_target(POLICY, -1, ctx({}))


# ---- night: engineers on call, not signed in, paged on their mobiles ------------------------------
def on_call(**status: AgentStatus) -> dict[str, Agent]:
    """Agents as agents() makes them, each with a mobile number (on the on-call rota)."""
    return {
        k: replace(a, mobile="+8210770010" + str(i).zfill(2))
        for i, (k, a) in enumerate(agents(**status).items())
    }


def paged(
    login: str, minutes_ago: float, acked_minutes_ago: float | None = None, channels: str = "sms,call"
) -> Page:
    acked = NOW - timedelta(minutes=acked_minutes_ago) if acked_minutes_ago is not None else None
    return Page(
        login, NOW - timedelta(minutes=minutes_ago), frozenset(filter(None, channels.split(","))), acked
    )


NIGHT_OFF = {"ts_park": OFF, "ts_choi": OFF, "ts_yoon": OFF, "ts_han": OFF}


def test_offline_engineer_with_a_mobile_is_paged_and_the_step_holds() -> None:
    d = next_target(POLICY, 0, ctx(on_call(**NIGHT_OFF)))
    assert (d.action, d.stage, d.agent and d.agent.login, d.next_step) == (
        Action.PAGE,
        Stage.TS_PRIMARY,
        "ts.park",
        0,
    )
    assert d.target_type is TargetType.QUEUE  # the call stays in the emergency queue


def test_offline_engineer_without_a_mobile_is_still_skipped() -> None:
    d = next_target(POLICY, 0, ctx(agents(**NIGHT_OFF)))
    assert d.stage is Stage.GENERAL_AGENT and d.action is Action.ROUTE


def test_busy_engineer_is_not_paged() -> None:
    d = next_target(POLICY, 0, ctx(on_call(ts_park=B, ts_choi=OFF, ts_yoon=OFF, ts_han=OFF)))
    assert (d.action, d.stage, d.agent and d.agent.login) == (Action.PAGE, Stage.TS_SECONDARY, "ts.choi")


WAIT_MIN = POLICY.ack_wait_seconds / 60
GRACE_MIN = POLICY.ack_grace_seconds / 60


@pytest.mark.parametrize(
    ("page", "action", "step", "moved_on"),
    [
        (paged("ts.park", WAIT_MIN - 1), Action.AWAIT_ACK, 0, False),
        (paged("ts.park", WAIT_MIN), Action.PAGE, 1, True),  # no ack in time: ts.choi is paged
        (paged("ts.park", WAIT_MIN + 1, acked_minutes_ago=GRACE_MIN - 1), Action.ACKNOWLEDGED, 0, False),
        (paged("ts.park", WAIT_MIN + GRACE_MIN, acked_minutes_ago=GRACE_MIN), Action.PAGE, 1, True),
        # No channel went out: nobody was reached, so the caller is not told an engineer failed to reply.
        (paged("ts.park", 0, channels=""), Action.PAGE, 1, False),
    ],
)
def test_a_paged_step_waits_for_the_ack_then_moves_on(
    page: Page, action: Action, step: int, moved_on: bool
) -> None:
    d = next_target(POLICY, 0, ctx(on_call(**NIGHT_OFF), pages={0: page}))
    assert (d.action, d.step) == (action, step)
    assert d.moved_on is moved_on


def test_a_paged_engineer_who_signs_in_gets_the_call() -> None:
    people = on_call(ts_park=A, ts_choi=OFF, ts_yoon=OFF, ts_han=OFF)
    d = next_target(POLICY, 0, ctx(people, pages={0: paged("ts.park", 2, acked_minutes_ago=1)}))
    assert (d.action, d.target_type, d.next_step) == (Action.ROUTE, TargetType.AGENT, 1)


def test_part_members_page_the_first_member_not_tried() -> None:
    pages = {0: paged("ts.park", 9), 1: paged("ts.choi", 6)}
    d = next_target(POLICY, 1, ctx(on_call(**NIGHT_OFF), pages=pages))
    assert (d.action, d.stage, d.agent and d.agent.login) == (Action.PAGE, Stage.PART_MEMBER, "ts.yoon")


def test_every_page_unanswered_exhausts_the_chain() -> None:
    pages = {0: paged("ts.park", 12), 1: paged("ts.choi", 9), 2: paged("ts.yoon", 6)}
    d = next_target(POLICY, 0, ctx(on_call(**NIGHT_OFF), general=[], pages=pages))
    # The caller hears of the manager, not of a "next engineer" that does not exist.
    assert d.action is Action.EXHAUSTED and d.notify_manager and not d.moved_on


@pytest.mark.parametrize(
    ("delivered", "notice"),
    [
        ("sms,call", CallerNotice.PAGED),
        ("sms", CallerNotice.PAGED_SMS),
        ("call", CallerNotice.PAGED_CALL),
        ("", CallerNotice.NONE),
    ],
)
def test_the_caller_hears_only_the_channels_that_went_out(delivered: str, notice: CallerNotice) -> None:
    d = next_target(POLICY, 0, ctx(on_call(**NIGHT_OFF)))
    assert caller_notice(d, frozenset(filter(None, delivered.split(","))), False) is notice


def test_the_manager_is_announced_only_when_reached() -> None:
    d = next_target(POLICY, 0, ctx({}, general=[]))
    assert caller_notice(d, frozenset(), True) is CallerNotice.MANAGER_PAGED
    assert caller_notice(d, frozenset(), False) is CallerNotice.NONE


def test_callback_is_due_one_interval_before_the_sla_margin() -> None:
    sla = config().queues[POLICY.queue].sla_seconds or 0
    due_after = sla - POLICY.callback_before_sla_seconds - POLICY.wait_seconds
    started = NOW - timedelta(seconds=due_after)
    assert callback_due(POLICY, sla, started, NOW)
    assert not callback_due(POLICY, sla, started + timedelta(seconds=1), NOW)
