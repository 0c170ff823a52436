"""The emergency chain (escalation.yaml): who is tried next for an MSP emergency.

The customer-queue flow calls the escalation handler every `wait_seconds` with the index of the
step it is at. A step whose target is AVAILABLE gets the call (the agent's queue; a general agent
without a user ARN only through the general queue). The customer's own engineers are on call at
night, not signed in: one who is OFFLINE but has a mobile number is PAGED, and the chain stays at
that step until the page is acknowledged and the engineer signs in, or its time runs out
(`ack_wait_seconds` without an acknowledgement, `ack_grace_seconds` after one, or at once when no
channel of the page went out). Anyone else is skipped at once, so one call walks as far as the
first target it can route to or page. Past the last step the chain is EXHAUSTED and the call goes
to the fallback queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from aicc.domain.agents import Agent, AgentStatus, Roster
from aicc.domain.assignment import AssignmentRequest, rank
from aicc.domain.customers import Customer
from aicc.domain.pages import CHANNELS, Page
from aicc.settings import EscalationPolicy


class Stage(StrEnum):
    TS_PRIMARY = "TS_PRIMARY"
    TS_SECONDARY = "TS_SECONDARY"
    PART_MEMBER = "PART_MEMBER"
    GENERAL_AGENT = "GENERAL_AGENT"
    EXHAUSTED = "EXHAUSTED"


class Action(StrEnum):
    ROUTE = "ROUTE"  # an available agent (or the general queue) takes the call now
    PAGE = "PAGE"  # the step's engineer is paged now
    AWAIT_ACK = "AWAIT_ACK"  # paged earlier; the acknowledgement has not come yet
    ACKNOWLEDGED = "ACKNOWLEDGED"  # the engineer acknowledged and is signing in
    EXHAUSTED = "EXHAUSTED"


# Why a paged step was left after its engineer was reached and did not come: the caller is told
# that the next engineer is tried. (A page that reached no one, "page_failed", is left at once.)
PAGE_ENDED = frozenset({"no_ack", "ack_expired"})


class TargetType(StrEnum):
    AGENT = "AGENT"
    QUEUE = "QUEUE"


STEP_STAGES: Mapping[str, Stage] = {
    "ts_primary": Stage.TS_PRIMARY,
    "ts_secondary": Stage.TS_SECONDARY,
    "part_members": Stage.PART_MEMBER,
    "general_agent": Stage.GENERAL_AGENT,
}


@dataclass(frozen=True)
class EscalationContext:
    """What the chain walk knows: the customer, their part, the people and pages."""

    customer: Customer | None  # None: unknown customer, only the general step can be reached
    roster: Roster | None  # the customer's part
    agents: Mapping[str, Agent]  # by login: at least the TS engineers and part members
    general_agents: Sequence[Agent]  # the policy's general team
    now: datetime  # aware; the general step ranks by today's (Seoul) handled count, as of this
    pages: Mapping[int, Page] = field(default_factory=dict)  # by chain index


@dataclass(frozen=True)
class Skip:
    """A chain step left out, and why."""

    step: str
    reason: str  # no_customer, not_assigned, unknown_agent, no_user_arn, no_roster, or the agent status


@dataclass(frozen=True)
class EscalationDecision:
    """The step the chain walk took: its target, what to do and who to tell."""

    stage: Stage
    step: int  # chain index taken; len(chain) when exhausted
    next_step: int
    agent: Agent | None  # the agent paged; None when exhausted
    notify_manager: bool
    manager_login: str
    skipped: tuple[Skip, ...] = ()
    action: Action = Action.ROUTE
    page: Page | None = None  # the step's page, for AWAIT_ACK and ACKNOWLEDGED

    @property
    def target_type(self) -> TargetType:
        if self.action is not Action.ROUTE or self.agent is None or not self.agent.user_arn:
            return TargetType.QUEUE
        return TargetType.AGENT

    def target_arn(self, fallback_arn: str, general_arn: str) -> str:
        """Where the flow sends the call: the agent, the general queue for a general agent without a
        user ARN, or back to the emergency queue (`fallback_arn`) while a page waits or when exhausted."""
        if self.action is Action.EXHAUSTED or self.agent is None:
            return fallback_arn
        if self.target_type is TargetType.QUEUE:
            return general_arn if self.action is Action.ROUTE else fallback_arn
        return self.agent.user_arn

    @property
    def moved_on(self) -> bool:
        """Whether an engineer paged earlier, who did not come, was given up on for another one
        (when the chain is exhausted, the caller is told of the manager instead)."""
        return self.action is not Action.EXHAUSTED and any(s.reason in PAGE_ENDED for s in self.skipped)


def next_target(policy: EscalationPolicy, step: int, ctx: EscalationContext) -> EscalationDecision:
    """The first target from chain index `step` on that can be routed to or paged, or EXHAUSTED."""
    if step < 0:
        raise ValueError(f"step must be 0 or more, got {step}")
    manager = ctx.roster.manager if ctx.roster else ""
    skipped: list[Skip] = []
    for index in range(step, len(policy.chain)):
        name = policy.chain[index]
        stage = STEP_STAGES[name]
        agent, why = _target(name, policy, ctx)
        notify = name in policy.notify_manager_at
        if agent is not None:
            return EscalationDecision(stage, index, index + 1, agent, notify, manager, tuple(skipped))
        paged = _pageable(name, ctx)
        if paged is None:
            skipped.append(Skip(name, why))
            continue
        action, page, ended = _page_state(policy, ctx.pages.get(index), ctx.now)
        if ended:
            skipped.append(Skip(name, ended))
            continue
        who = ctx.agents.get(page.login, paged) if page else paged  # the one the step paged
        return EscalationDecision(stage, index, index, who, notify, manager, tuple(skipped), action, page)
    end = len(policy.chain)
    return EscalationDecision(
        Stage.EXHAUSTED, end, end, None, True, manager, tuple(skipped), Action.EXHAUSTED
    )


def _page_state(
    policy: EscalationPolicy, page: Page | None, now: datetime
) -> tuple[Action, Page | None, str]:
    """What a step with an engineer to page does now: (action, its page, "" or why it is over).
    A step pages once: its recorded page (whoever it went to) decides from then on."""
    if page is None:
        return Action.PAGE, None, ""
    if not page.delivered:
        return Action.PAGE, page, "page_failed"
    if page.acked_at is not None:
        over = now - page.acked_at >= timedelta(seconds=policy.ack_grace_seconds)
        return Action.ACKNOWLEDGED, page, "ack_expired" if over else ""
    over = now - page.paged_at >= timedelta(seconds=policy.ack_wait_seconds)
    return Action.AWAIT_ACK, page, "no_ack" if over else ""


def _pageable(step: str, ctx: EscalationContext) -> Agent | None:
    """The customer's engineer at this step who is not signed in but can be paged on a mobile."""
    customer = ctx.customer
    if customer is None or step == "general_agent":
        return None
    if step in ("ts_primary", "ts_secondary"):
        logins: Sequence[str] = [customer.ts_primary if step == "ts_primary" else customer.ts_secondary]
    else:
        tried = {customer.ts_primary, customer.ts_secondary}
        logins = [m for m in (ctx.roster.members if ctx.roster else ()) if m not in tried]
    for login in logins:
        agent = ctx.agents.get(login)
        if agent is not None and agent.mobile and agent.status is AgentStatus.OFFLINE:
            return agent
    return None


def _target(step: str, policy: EscalationPolicy, ctx: EscalationContext) -> tuple[Agent | None, str]:
    if step == "general_agent":
        ranked = rank(ctx.general_agents, AssignmentRequest(team=policy.general_team), ctx.now)
        return (ranked[0], "") if ranked else (None, "none_available")
    customer = ctx.customer
    if customer is None:
        return None, "no_customer"
    if step in ("ts_primary", "ts_secondary"):
        login = customer.ts_primary if step == "ts_primary" else customer.ts_secondary
        return _available(login, ctx.agents)
    # part_members: in roster order, without the TS engineers the earlier steps already tried.
    if ctx.roster is None:
        return None, "no_roster"
    tried = {customer.ts_primary, customer.ts_secondary}
    reasons: list[str] = []
    for login in ctx.roster.members:
        if login in tried:
            continue
        agent, why = _available(login, ctx.agents)
        if agent is not None:
            return agent, ""
        reasons.append(f"{login}:{why}")
    return None, ",".join(reasons) or "no_members"


def _available(login: str, agents: Mapping[str, Agent]) -> tuple[Agent | None, str]:
    if not login:
        return None, "not_assigned"
    agent = agents.get(login)
    if agent is None:
        return None, "unknown_agent"
    if not agent.user_arn:  # the flow routes to the agent by ARN: without one, unreachable
        return None, "no_user_arn"
    return (agent, "") if agent.available else (None, agent.status.value)


class CallerNotice(StrEnum):
    """What the waiting caller is told after a step: only what was really done."""

    PAGED = "PAGED"  # the SMS and the call went out
    PAGED_SMS = "PAGED_SMS"  # only the SMS went out
    PAGED_CALL = "PAGED_CALL"  # only the call went out
    AWAITING_ACK = "AWAITING_ACK"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    MANAGER_PAGED = "MANAGER_PAGED"  # exhausted, and the manager's alert or page went out
    NONE = "NONE"  # nothing new to say


def caller_notice(
    decision: EscalationDecision, delivered: frozenset[str], manager_notified: bool
) -> CallerNotice:
    """The caller's notice for a decision, given the channels of this call's page that went out
    (`delivered`) and whether the manager was reached."""
    if decision.action is Action.PAGE:
        if delivered >= set(CHANNELS):
            return CallerNotice.PAGED
        if "sms" in delivered:
            return CallerNotice.PAGED_SMS
        return CallerNotice.PAGED_CALL if "call" in delivered else CallerNotice.NONE
    if decision.action is Action.AWAIT_ACK:
        return CallerNotice.AWAITING_ACK
    if decision.action is Action.ACKNOWLEDGED:
        return CallerNotice.ACKNOWLEDGED
    if decision.action is Action.EXHAUSTED and manager_notified:
        return CallerNotice.MANAGER_PAGED
    return CallerNotice.NONE


def callback_due(policy: EscalationPolicy, sla_seconds: int, started_at: datetime, now: datetime) -> bool:
    """Whether the callback is to be offered at the flow's next interval: by then the caller will
    have waited to within `callback_before_sla_seconds` of the queue's SLA."""
    next_interval = now + timedelta(seconds=policy.wait_seconds)
    return next_interval - started_at >= timedelta(seconds=sla_seconds - policy.callback_before_sla_seconds)
