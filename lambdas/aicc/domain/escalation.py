"""The emergency chain (escalation.yaml): who is tried next for an MSP emergency.

The customer-queue flow calls the escalation handler every `wait_seconds` with the index of the
next step. A step whose target is not AVAILABLE is skipped at once, so one call walks as far as
the first reachable target. Every step's target is an agent (the call goes to the agent's queue);
a general agent without a user ARN can only be reached through the general queue. Past the last
step the chain is EXHAUSTED and the call goes to the fallback queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from aicc.domain.agents import Agent, Roster
from aicc.domain.assignment import AssignmentRequest, rank
from aicc.domain.customers import Customer
from aicc.settings import EscalationPolicy


class Stage(StrEnum):
    TS_PRIMARY = "TS_PRIMARY"
    TS_SECONDARY = "TS_SECONDARY"
    PART_MEMBER = "PART_MEMBER"
    GENERAL_AGENT = "GENERAL_AGENT"
    EXHAUSTED = "EXHAUSTED"


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
    customer: Customer | None  # None: unknown customer, only the general step can be reached
    roster: Roster | None  # the customer's part
    agents: Mapping[str, Agent]  # by login: at least the TS engineers and part members
    general_agents: Sequence[Agent]  # the policy's general team
    now: datetime  # aware; the general step ranks by today's (Seoul) handled count, as of this


@dataclass(frozen=True)
class Skip:
    step: str
    reason: str  # no_customer, not_assigned, unknown_agent, no_user_arn, no_roster, or the agent status


@dataclass(frozen=True)
class EscalationDecision:
    stage: Stage
    step: int  # chain index taken; len(chain) when exhausted
    next_step: int
    agent: Agent | None  # the agent paged; None when exhausted
    notify_manager: bool
    manager_login: str
    skipped: tuple[Skip, ...] = ()

    @property
    def target_type(self) -> TargetType:
        if self.agent is None or not self.agent.user_arn:
            return TargetType.QUEUE
        return TargetType.AGENT


def parse_step(raw: str) -> int:
    """The `step` parameter: "" is the first step; anything but a non-negative integer is a flow bug."""
    text = raw.strip()
    if not text:
        return 0
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"step must be a non-negative integer, got {raw!r}")
    return int(text)


def next_target(policy: EscalationPolicy, step: int, ctx: EscalationContext) -> EscalationDecision:
    """The first reachable target from chain index `step` on, or EXHAUSTED."""
    if step < 0:
        raise ValueError(f"step must be 0 or more, got {step}")
    manager = ctx.roster.manager if ctx.roster else ""
    skipped: list[Skip] = []
    for index in range(step, len(policy.chain)):
        name = policy.chain[index]
        agent, why = _target(name, policy, ctx)
        if agent is None:
            skipped.append(Skip(name, why))
            continue
        return EscalationDecision(
            STEP_STAGES[name],
            index,
            index + 1,
            agent,
            name in policy.notify_manager_at,
            manager,
            tuple(skipped),
        )
    end = len(policy.chain)
    return EscalationDecision(Stage.EXHAUSTED, end, end, None, True, manager, tuple(skipped))


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
