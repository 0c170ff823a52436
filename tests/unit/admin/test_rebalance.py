"""The SLA state rule and the rebalance / restore planners: pure functions over what was read.

Profiles and queue rules come from the shipped routing_profiles.yaml and queues.yaml:
  msp_ts_engineer (TS):      msp_emergency 1/0 s, msp_general 2/0 s, general_customer 3/600 s
  general_agent (GENERAL):   general_customer 1/0 s, after_hours 2/0 s, msp_emergency 3/240 s
  manager (MANAGER):         msp_emergency 1/300 s, msp_general 2/900 s, general_customer 3/1800 s,
                             after_hours 4/0 s
  min_staffing: msp_emergency 2, msp_general 1, general_customer 1, after_hours 0;
  required_skills: msp_* EC2, general_customer Account.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from aicc.settings import config
from aicc_ops.admin.queues import (
    STATUS_RULES,
    Activity,
    AgentState,
    Plan,
    Profile,
    QueueRef,
    QueueStatus,
    RestorePlan,
    SlaState,
    Slot,
    mmss,
    plan_rebalance,
    plan_restore,
    queue_status,
    sla_state,
)

AVAILABLE, ON_CONTACT, AWAY, OFFLINE = (
    Activity.AVAILABLE,
    Activity.ON_CONTACT,
    Activity.AWAY,
    Activity.OFFLINE,
)


def profiles() -> dict[str, Profile]:
    """The shipped routing profiles, with their key as Connect ID."""
    return {
        p.key: Profile(p.key, p.name, p.key, p.team, {c.queue: Slot(c.priority, c.delay) for c in p.queues})
        for p in config().routing_profiles.values()
    }


def queue(
    key: str, waiting: int = 0, oldest: float = 0, available: int = 0, **changes: object
) -> QueueStatus:
    spec = config().queues[key]
    values = {"CONTACTS_IN_QUEUE": waiting, "OLDEST_CONTACT_AGE": oldest, "AGENTS_AVAILABLE": available}
    status = queue_status(QueueRef(f"id-{key}", f"arn-{key}", spec.name, key), values, config())
    return dataclasses.replace(status, **changes)  # type: ignore[arg-type]


def calm() -> list[QueueStatus]:
    return [queue(k) for k in config().queues]


def with_queue(status: QueueStatus) -> list[QueueStatus]:
    return [status if q.queue.key == status.queue.key else q for q in calm()]


def agent(
    login: str,
    profile: str,
    activity: Activity = AVAILABLE,
    team: str | None = None,
    skills: tuple[str, ...] = (),
    home: str | None = None,
) -> AgentState:
    default_team = {"msp_ts_engineer": "TS", "general_agent": "GENERAL", "manager": "MANAGER"}.get(profile)
    return AgentState(
        login, f"u-{login}", profile, activity, team or default_team, frozenset(skills), home_profile=home
    )


def staff() -> list[AgentState]:
    """Busy TS engineers and general agents: the queues keep their minimum staffing."""
    return [
        agent("ts.busy1", "msp_ts_engineer", ON_CONTACT),
        agent("ts.busy2", "msp_ts_engineer", ON_CONTACT),
        agent("ga.busy1", "general_agent", ON_CONTACT),
        agent("ga.busy2", "general_agent", ON_CONTACT),
    ]


def moves(plan: Plan | RestorePlan) -> list[tuple[str, str, str]]:
    return [(m.login, m.from_label, m.to_label) for m in plan.moves]


def applied(agents: list[AgentState], plan: Plan) -> list[AgentState]:
    """The agents after the plan's moves: what the next read of Connect returns."""
    to = {m.user_id: m.to_id for m in plan.moves}
    return [dataclasses.replace(a, profile_id=to.get(a.user_id, a.profile_id)) for a in agents]


# An MSP General backlog: 3 callers, the oldest 10 minutes (a third of 30), nobody available.
MSP_GENERAL_AT_RISK = queue("msp_general", waiting=3, oldest=600, available=0)


# ---- SLA state ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("oldest", "waiting", "available", "online", "expected"),
    [
        (0, 0, 0, 0, SlaState.OK),
        (899, 0, 0, 0, SlaState.OK),  # nobody waits (a stale age means nothing)
        (100, 1, 0, 1, SlaState.OK),
        (449, 1, 1, 1, SlaState.OK),
        (450, 1, 5, 5, SlaState.AT_RISK),  # half the SLA
        (224, 3, 2, 2, SlaState.OK),  # backlog, but under a quarter
        (225, 3, 2, 2, SlaState.AT_RISK),  # backlog and a quarter
        (225, 2, 2, 2, SlaState.OK),  # as many available as waiting
        (899.9, 1, 0, 1, SlaState.AT_RISK),
        (900, 1, 0, 0, SlaState.BREACHED),
        (3000, 4, 9, 9, SlaState.BREACHED),
        (0, 1, 0, 0, SlaState.AT_RISK),  # a caller waits and nobody is online: at once
        (5, 2, 0, 0, SlaState.AT_RISK),
    ],
)
def test_sla_state(oldest: float, waiting: int, available: int, online: int, expected: SlaState) -> None:
    assert sla_state(oldest, waiting, available, 900, online=online, rules=STATUS_RULES) is expected


def test_a_caller_waiting_with_nobody_online_is_at_risk_at_once_and_rebalanced() -> None:
    """No agent online: the SLA clock cannot help, nobody would ever answer."""
    spec = config().queues["msp_emergency"]
    assert spec.sla_seconds
    values = {"CONTACTS_IN_QUEUE": 1, "OLDEST_CONTACT_AGE": 3, "AGENTS_ONLINE": 0}
    status = queue_status(QueueRef("id-e", "arn-e", spec.name, "msp_emergency"), values, config())
    assert status.state is SlaState.AT_RISK and status.at_risk
    staffed = queue_status(
        QueueRef("id-e", "arn-e", spec.name, "msp_emergency"), {**values, "AGENTS_ONLINE": 1}, config()
    )
    assert staffed.state is SlaState.OK
    plan = plan_rebalance(with_queue(status), staff(), profiles(), max_moves=5)
    assert [q.queue.key for q in plan.at_risk] == ["msp_emergency"]


def test_queues_without_a_same_day_sla_have_no_state() -> None:
    after_hours = queue("after_hours", waiting=3, oldest=7200)
    assert after_hours.state is None and not after_hours.at_risk
    assert after_hours.sla_text == "next business day"
    unknown = queue_status(QueueRef("q-x", "arn-x", "VIP"), {"CONTACTS_IN_QUEUE": 2}, config())
    assert unknown.state is None and unknown.sla_text == "-" and unknown.priority is None
    assert unknown.row()[:5] == ["VIP", 2, "00:00", "-", "-"]


def test_status_row_and_json() -> None:
    status = queue("msp_emergency", waiting=2, oldest=125.6, available=1, online=3, on_contact=2)
    assert status.row() == ["MSP Emergency", 2, "02:05", "15:00", "OK", 3, 1, 2]
    assert status.as_dict()["sla_state"] == "OK"
    assert status.as_dict()["oldest_contact_age_seconds"] == 125.6
    assert queue("msp_emergency").row()[2] == "-"
    assert mmss(0) == "00:00" and mmss(59.9) == "00:59" and mmss(6005) == "100:05"


# ---- the rebalance planner ------------------------------------------------------------------------
def test_nothing_at_risk_plans_nothing() -> None:
    plan = plan_rebalance(calm(), [*staff(), agent("ga.free", "general_agent")], profiles())
    assert plan.at_risk == [] and plan.moves == [] and plan.shortfalls == []


def test_an_agent_of_the_profiles_team_moves() -> None:
    # A TS engineer lent to the general agents earlier goes back to the TS profile.
    agents = [*staff(), agent("ts.lent", "general_agent", team="TS")]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles())
    assert moves(plan) == [("ts.lent", "general_agent", "msp_ts_engineer")]
    assert plan.moves[0].queue == "MSP General"
    assert plan.moves[0].reason == "MSP General AT RISK: oldest 10:00 of SLA 30:00, 3 waiting, 0 available"
    assert plan.shortfalls == ["MSP General: 2 more agent(s) needed; no other agent is available"]


def test_another_team_needs_every_required_skill() -> None:
    agents = [
        *staff(),
        agent("ga.billing", "general_agent", skills=("Billing",)),
        agent("ga.ec2", "general_agent", skills=("EC2", "Billing")),
    ]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles())
    assert moves(plan) == [("ga.ec2", "general_agent", "msp_ts_engineer")]
    assert plan.shortfalls == [
        "MSP General: 2 more agent(s) needed; available agents cannot move "
        "(1 agent(s): not team TS and lacks skill EC2)"
    ]


def test_a_queue_without_required_skills_takes_only_its_profiles_team() -> None:
    at_risk = dataclasses.replace(MSP_GENERAL_AT_RISK, required_skills=frozenset())
    agents = [*staff(), agent("ga.ec2", "general_agent", skills=("EC2",))]
    plan = plan_rebalance(with_queue(at_risk), agents, profiles())
    assert plan.moves == []
    assert "not team TS (MSP General has no required_skills)" in plan.shortfalls[0]


def test_minimum_staffing_is_kept() -> None:
    # Leaving general_agent for msp_ts_engineer leaves After Hours: keep 2 online there.
    quiet = queue("after_hours", min_staffing=2)
    queues = [MSP_GENERAL_AT_RISK if q.queue.key == "msp_general" else q for q in with_queue(quiet)]
    agents = [
        agent("ts.busy1", "msp_ts_engineer", ON_CONTACT),
        agent("ga.busy", "general_agent", ON_CONTACT),
        agent("ga.ec2a", "general_agent", skills=("EC2",)),
        agent("ga.ec2b", "general_agent", skills=("EC2",)),
        agent("ga.gone", "general_agent", OFFLINE),  # offline agents do not staff a queue
    ]
    plan = plan_rebalance(queues, agents, profiles())
    assert moves(plan) == [("ga.ec2a", "general_agent", "msp_ts_engineer")]
    assert "After Hours would drop below its minimum of 2 online" in plan.shortfalls[0]


def test_a_queue_already_under_its_minimum_loses_nobody() -> None:
    quiet = queue("after_hours", min_staffing=5)
    queues = [MSP_GENERAL_AT_RISK if q.queue.key == "msp_general" else q for q in with_queue(quiet)]
    agents = [
        agent("ts.busy", "msp_ts_engineer", ON_CONTACT),
        agent("ga.ec2", "general_agent", skills=("EC2",)),
    ]
    assert plan_rebalance(queues, agents, profiles()).moves == []


def test_managers_move_only_when_no_one_else_can() -> None:
    agents = [
        *staff(),
        agent("mgr.kim", "manager", skills=("EC2",)),
        agent("ga.ec2", "general_agent", skills=("EC2",)),
    ]
    one = with_queue(queue("msp_general", waiting=1, oldest=700, available=0))
    assert moves(plan_rebalance(one, agents, profiles())) == [("ga.ec2", "general_agent", "msp_ts_engineer")]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles())
    assert moves(plan) == [
        ("ga.ec2", "general_agent", "msp_ts_engineer"),
        ("mgr.kim", "manager", "msp_ts_engineer"),
    ]


def test_manager_profile_agents_of_another_team_are_last_too() -> None:
    agents = [
        *staff(),
        agent("ts.acting", "manager", team="TS"),  # a TS engineer on the manager profile
        agent("ts.lent", "general_agent", team="TS"),
    ]
    one = with_queue(queue("msp_general", waiting=1, oldest=600, available=0))
    assert moves(plan_rebalance(one, agents, profiles())) == [("ts.lent", "general_agent", "msp_ts_engineer")]


def test_own_team_before_skills() -> None:
    agents = [
        *staff(),
        agent("aa.ec2", "general_agent", skills=("EC2",)),  # sorts first by login
        agent("zz.ts", "general_agent", team="TS"),
    ]
    one = with_queue(queue("msp_general", waiting=1, oldest=600, available=0))
    assert moves(plan_rebalance(one, agents, profiles())) == [("zz.ts", "general_agent", "msp_ts_engineer")]


def test_at_most_max_moves() -> None:
    agents = [*staff(), *(agent(f"ts.lent{i}", "general_agent", team="TS") for i in range(5))]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles(), max_moves=2)
    assert [m.login for m in plan.moves] == ["ts.lent0", "ts.lent1"]
    assert plan.shortfalls == ["MSP General: 1 more agent(s) needed; --max-moves reached"]
    assert len(plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles()).moves) == 3


def test_several_queues_at_risk_are_served_by_priority() -> None:
    emergency = queue("msp_emergency", waiting=2, oldest=230, available=0)  # backlog, a quarter
    general = queue("general_customer", waiting=1, oldest=3700, available=0)  # breached, but priority 3
    queues = [emergency, MSP_GENERAL_AT_RISK, general, queue("after_hours")]
    agents = [*staff(), *(agent(f"ts.lent{i}", "general_agent", team="TS") for i in range(4))]
    plan = plan_rebalance(queues, agents, profiles(), max_moves=3)
    assert [q.queue.key for q in plan.at_risk] == ["msp_emergency", "msp_general", "general_customer"]
    assert [(m.login, m.queue) for m in plan.moves] == [
        ("ts.lent0", "MSP Emergency"),
        ("ts.lent1", "MSP Emergency"),
        ("ts.lent2", "MSP General"),
    ]
    # The agents moved to msp_ts_engineer are offered MSP General too: 3 waiting, 3 offered.
    assert plan.shortfalls == []


def test_an_agent_offered_another_at_risk_queue_stays() -> None:
    # General Customer at risk (oldest 40 min): general agents are offered it; MSP General needs EC2.
    general = queue("general_customer", waiting=3, oldest=2400, available=1)
    queues = [MSP_GENERAL_AT_RISK, general, queue("msp_emergency"), queue("after_hours")]
    agents = [*staff(), agent("ga.ec2", "general_agent", skills=("EC2",))]
    plan = plan_rebalance(queues, agents, profiles())
    # msp_ts_engineer offers General Customer only after 600 s: that is now (2400 s), so he may go.
    assert moves(plan) == [("ga.ec2", "general_agent", "msp_ts_engineer")]
    general = dataclasses.replace(general, oldest=1000, waiting=3, available=0)  # backlog, > 900 s
    ts = profiles()
    ts["msp_ts_engineer"] = dataclasses.replace(
        ts["msp_ts_engineer"], queues={**ts["msp_ts_engineer"].queues, "general_customer": Slot(3, 1200)}
    )
    plan = plan_rebalance([MSP_GENERAL_AT_RISK, general], agents, ts)
    assert plan.moves == []
    assert "General Customer is at risk too" in plan.shortfalls[0]


def test_only_available_agents_move() -> None:
    agents = [
        *staff(),
        agent("ts.call", "general_agent", ON_CONTACT, team="TS"),
        agent("ts.break", "general_agent", AWAY, team="TS"),
        agent("ts.home", "general_agent", OFFLINE, team="TS"),
    ]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles())
    assert plan.moves == []
    assert plan.shortfalls == ["MSP General: 3 more agent(s) needed; no other agent is available"]


def test_agents_already_offered_the_callers_count_and_stay() -> None:
    # Two TS engineers are available on their own profile: enough for the two callers.
    at_risk = queue("msp_general", waiting=2, oldest=1000, available=2)
    agents = [*staff(), agent("ts.a", "msp_ts_engineer"), agent("ts.b", "msp_ts_engineer")]
    agents.append(agent("ts.lent", "general_agent", team="TS"))
    plan = plan_rebalance(with_queue(at_risk), agents, profiles())
    assert [q.queue.key for q in plan.at_risk] == ["msp_general"] and plan.moves == []
    assert plan.shortfalls == []


def test_manager_profile_delay_counts_once_the_callers_waited_that_long() -> None:
    # The manager profile offers MSP General after 900 s: at 1000 s an available manager helps already.
    at_risk = queue("msp_general", waiting=1, oldest=1000, available=1)
    agents = [*staff(), agent("mgr.kim", "manager"), agent("ts.lent", "general_agent", team="TS")]
    assert plan_rebalance(with_queue(at_risk), agents, profiles()).moves == []


def test_agents_outside_the_agents_table_never_move() -> None:
    agents = [*staff(), AgentState("stranger", "u-stranger", "general_agent", AVAILABLE)]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, profiles())
    assert plan.moves == []
    assert "1 agent(s): not in the agents table" in plan.shortfalls[0]


def test_profiles_outside_routing_profiles_yaml_are_never_targets() -> None:
    known = profiles()
    known["vip"] = Profile("vip", "VIP Desk", None, None, {"msp_general": Slot(1, 0)})
    del known["msp_ts_engineer"]
    agents = [*staff(), agent("ts.lent", "general_agent", team="TS")]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, known)
    assert plan.moves == []
    assert "no routing profile offers its callers to a known team now" in plan.shortfalls[0]


def test_an_agent_on_an_unknown_profile_can_move() -> None:
    known = profiles()
    known["vip"] = Profile("vip", "VIP Desk", None, None, {"general_customer": Slot(1, 0)})
    agents = [*staff(), agent("ts.vip", "vip", team="TS")]
    plan = plan_rebalance(with_queue(MSP_GENERAL_AT_RISK), agents, known)
    assert moves(plan) == [("ts.vip", "VIP Desk", "msp_ts_engineer")]
    assert (plan.moves[0].from_ref, plan.moves[0].to_ref) == ("vip", "msp_ts_engineer")


def test_applying_the_plan_then_planning_again_proposes_nothing() -> None:
    emergency = queue("msp_emergency", waiting=2, oldest=300, available=0)
    queues = [emergency, MSP_GENERAL_AT_RISK, queue("general_customer"), queue("after_hours")]
    agents = [
        *staff(),
        agent("ga.ec2", "general_agent", skills=("EC2",)),
        agent("ga.plain", "general_agent"),
        agent("mgr.kim", "manager", skills=("EC2",)),
        agent("ts.lent", "general_agent", team="TS"),
    ]
    first = plan_rebalance(queues, agents, profiles())
    assert len(first.moves) == 3
    again = plan_rebalance(queues, applied(agents, first), profiles())
    assert again.moves == []
    assert [q.queue.key for q in again.at_risk] == ["msp_emergency", "msp_general"]


def test_the_plan_does_not_depend_on_input_order() -> None:
    queues = [
        queue("msp_emergency", waiting=3, oldest=300, available=0),
        MSP_GENERAL_AT_RISK,
        queue("general_customer"),
        queue("after_hours"),
    ]
    agents = [
        *staff(),
        *(agent(f"ga.ec2{i}", "general_agent", skills=("EC2",)) for i in range(3)),
        *(agent(f"ts.lent{i}", "general_agent", team="TS") for i in range(3)),
        agent("mgr.kim", "manager", skills=("EC2",)),
    ]
    expected = moves(plan_rebalance(queues, agents, profiles()))
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(agents)
        rng.shuffle(queues)
        assert moves(plan_rebalance(queues, agents, profiles())) == expected


# ---- the restore planner --------------------------------------------------------------------------
def test_restore_puts_moved_agents_back_unless_on_a_contact() -> None:
    agents = [
        agent("ga.moved", "msp_ts_engineer", team="GENERAL", home="general_agent"),
        agent("ga.away", "msp_ts_engineer", AWAY, team="GENERAL", home="general_agent"),
        agent("ga.call", "msp_ts_engineer", ON_CONTACT, team="GENERAL", home="general_agent"),
        agent("ga.back", "general_agent", home="general_agent"),
        agent("ga.lost", "msp_ts_engineer", team="GENERAL", home="deleted_profile"),
        agent("ts.never", "msp_ts_engineer"),
    ]
    plan = plan_restore(agents, profiles())
    assert moves(plan) == [
        ("ga.away", "msp_ts_engineer", "general_agent"),
        ("ga.moved", "msp_ts_engineer", "general_agent"),
    ]
    assert plan.already_home == [("ga.back", "general_agent")]
    assert plan.on_contact == ["ga.call"]
    assert plan.problems == [
        "ga.lost: home_routing_profile 'deleted_profile' is not a routing profile of the instance; "
        "fix the agents table item"
    ]


def test_restore_finds_a_home_by_connect_id_or_name() -> None:
    known = {"rp-1": Profile("rp-1", "VIP Desk"), **profiles()}
    agents = [
        agent("a.id", "msp_ts_engineer", home="rp-1"),
        agent("b.name", "msp_ts_engineer", home="General Agent"),
    ]
    plan = plan_restore(agents, known)
    assert [(m.login, m.to_id, m.to_ref) for m in plan.moves] == [
        ("a.id", "rp-1", "rp-1"),
        ("b.name", "general_agent", "general_agent"),
    ]
