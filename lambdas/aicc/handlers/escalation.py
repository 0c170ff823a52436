"""escalation: the next target of the MSP emergency chain, pages, and what the caller is told
(docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.agents import AgentRepository, RosterRepository
from aicc.adapters.call_logs import CallLogRepository
from aicc.adapters.customers import CustomerRepository
from aicc.adapters.notifier import Notifier
from aicc.adapters.pager import PageLine, Pager
from aicc.domain.call_log import RETENTION
from aicc.domain.escalation import EscalationContext, callback_due, caller_notice
from aicc.domain.pages import parse_step
from aicc.handlers._connect import ContactEvent, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import config


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    step = parse_step(contact.param("step"))
    fallback_arn, general_arn = contact.require("fallback_queue_arn"), contact.require("general_queue_arn")
    line = PageLine(
        contact.param("instance_arn"), contact.param("page_flow_id"), contact.param("page_queue_id")
    )
    cfg = config()
    policy = cfg.escalation

    customer = CustomerRepository().get(contact.attr("customer_id"))
    roster = RosterRepository().get(customer.part) if customer else None
    agents = AgentRepository()
    tried = [customer.ts_primary, customer.ts_secondary] if customer else []
    people = agents.get_many([*tried, *(roster.members if roster else ()), roster.manager if roster else ""])
    # The general team is read only when the walk can get that far.
    general = agents.by_team(policy.general_team) if "general_agent" in policy.chain[step:] else []
    now, logs = clock.now(), CallLogRepository()
    state = logs.escalation_state(contact.contact_id, now, int((now + RETENTION).timestamp()))
    pager = Pager(contact.contact_id, customer, contact.attr("incident"), line, logs, Notifier(), now)
    ctx = EscalationContext(customer, roster, people, general, now, state.pages)
    decision, delivered = pager.walk(policy, step, ctx)
    manager_notified = pager.manager(decision, people.get(decision.manager_login), len(policy.chain))

    agent = decision.agent
    count("EscalationStep", stage=decision.stage.value)
    skipped = [f"{s.step}:{s.reason}" for s in decision.skipped]
    logger.append_keys(step=step, action=decision.action.value, delivered=sorted(delivered), skipped=skipped)
    return {
        "stage": decision.stage,
        "action": decision.action,
        "target_type": decision.target_type,
        "target_arn": decision.target_arn(fallback_arn, general_arn),
        "target_login": agent.login if agent else "",
        "target_name": agent.name if agent else "",
        "next_step": decision.next_step,
        "manager_notified": manager_notified,
        "caller_notice": caller_notice(decision, delivered, manager_notified),
        "moved_on": decision.moved_on,
        "offer_callback": callback_due(
            policy, cfg.queues[policy.queue].sla_seconds or 0, state.started_at, now
        ),
    }
