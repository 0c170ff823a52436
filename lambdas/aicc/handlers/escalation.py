"""escalation: the next target of the MSP emergency chain (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.adapters.dynamodb import AgentRepository, CallLogRepository, CustomerRepository, RosterRepository
from aicc.adapters.notifier import Notifier
from aicc.domain import notices
from aicc.domain.escalation import EscalationContext, TargetType, next_target, parse_step
from aicc.handlers._connect import parse, result
from aicc.settings import config

logger = Logger()
metrics = Metrics(namespace="AICC")


# The event carries names, numbers and the incident transcript: never log or trace it whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    step = parse_step(contact.param("step"))
    fallback_arn = contact.require("fallback_queue_arn")
    general_arn = contact.require("general_queue_arn")
    policy = config().escalation

    customer = CustomerRepository().get(contact.attr("customer_id"))
    roster = RosterRepository().get(customer.part) if customer else None
    agents = AgentRepository()
    people = agents.get_many(
        [
            customer.ts_primary if customer else "",
            customer.ts_secondary if customer else "",
            *(roster.members if roster else ()),
            roster.manager if roster else "",
        ]
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
    elif decision.target_type is TargetType.QUEUE:  # a general agent without a user ARN
        target_arn = general_arn
    else:
        target_arn = agent.user_arn
    out = result(
        {
            "stage": decision.stage,
            "target_type": decision.target_type,
            "target_arn": target_arn,
            "target_login": agent.login if agent else "",
            "target_name": agent.name if agent else "",
            "next_step": decision.next_step,
            "manager_notified": manager_notified,
        }
    )
    metrics.add_dimension(name="stage", value=decision.stage.value)
    metrics.add_metric(name="EscalationStep", unit=MetricUnit.Count, value=1)
    logger.info(
        "escalation",
        extra={
            "step": step,
            "stage": decision.stage.value,
            "target_login": out["target_login"],
            "skipped": [f"{s.step}:{s.reason}" for s in decision.skipped],
            "customer_id": contact.attr("customer_id"),
        },
    )
    return out
