"""escalation: the next target of the MSP emergency chain (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.agents import AgentRepository, RosterRepository
from aicc.adapters.call_logs import CallLogRepository
from aicc.adapters.customers import CustomerRepository
from aicc.adapters.notifier import Notifier
from aicc.domain import notices
from aicc.domain.escalation import EscalationContext, TargetType, next_target, parse_step
from aicc.handlers._connect import ContactEvent, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import config


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    step = parse_step(contact.param("step"))
    fallback_arn = contact.require("fallback_queue_arn")
    general_arn = contact.require("general_queue_arn")
    policy = config().escalation

    customer = CustomerRepository().get(contact.attr("customer_id"))
    roster = RosterRepository().get(customer.part) if customer else None
    agents = AgentRepository()
    engineers = [customer.ts_primary, customer.ts_secondary] if customer else []
    people = agents.get_many(
        [*engineers, *(roster.members if roster else ()), roster.manager if roster else ""]
    )
    # The general team is read only when the walk can get that far.
    general = agents.by_team(policy.general_team) if "general_agent" in policy.chain[step:] else []
    now = clock.now()
    decision = next_target(policy, step, EscalationContext(customer, roster, people, general, now))

    logs, notifier = CallLogRepository(), Notifier()
    if decision.agent is not None:
        page = notices.escalation_page(decision, customer, contact.contact_id, contact.attr("incident"))
        notifier.send_once(page, contact.contact_id, f"page:{decision.step}", logs, now)
    manager_notified = False
    if decision.notify_manager:
        manager = people.get(decision.manager_login)
        alert = notices.escalation_manager(decision, customer, contact.contact_id, manager)
        manager_notified = notifier.send_once(
            alert, contact.contact_id, f"manager:{decision.stage}", logs, now
        )

    agent = decision.agent
    if agent is None:
        target_arn = fallback_arn
    else:  # a general agent without a user ARN is reached through the general queue
        target_arn = general_arn if decision.target_type is TargetType.QUEUE else agent.user_arn
    count("EscalationStep", stage=decision.stage.value)
    skipped = [f"{s.step}:{s.reason}" for s in decision.skipped]
    logger.append_keys(step=step, skipped=skipped, customer_id=contact.attr("customer_id"))
    return {
        "stage": decision.stage,
        "target_type": decision.target_type,
        "target_arn": target_arn,
        "target_login": agent.login if agent else "",
        "target_name": agent.name if agent else "",
        "next_step": decision.next_step,
        "manager_notified": manager_notified,
    }
