"""escalation: the next target of the MSP emergency chain, pages, and what the caller is told
(docs/handlers.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.adapters.dynamodb import AgentRepository, CallLogRepository, CustomerRepository, RosterRepository
from aicc.adapters.notifier import Notifier, send_once
from aicc.adapters.pager import PageCaller, PageLine
from aicc.domain import notices
from aicc.domain.agents import Agent
from aicc.domain.call_log import RETENTION
from aicc.domain.customers import Customer
from aicc.domain.escalation import (
    Action,
    EscalationContext,
    Stage,
    TargetType,
    callback_due,
    caller_notice,
    next_target,
    parse_step,
)
from aicc.handlers._connect import parse, result
from aicc.settings import config

logger = Logger()
metrics = Metrics(namespace="AICC")

MANAGER_ROLE = "긴급 에스컬레이션 담당 관리자"


# The event carries names, numbers and the incident transcript: never log or trace it whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    step = parse_step(contact.param("step"))
    fallback_arn = contact.require("fallback_queue_arn")
    general_arn = contact.require("general_queue_arn")
    line = PageLine(
        contact.param("instance_arn"), contact.param("page_flow_id"), contact.param("page_queue_id")
    )
    cfg = config()
    policy = cfg.escalation
    incident = contact.attr("incident")

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
    logs, notifier = CallLogRepository(), Notifier()
    state = logs.escalation_state(contact.contact_id, now, int((now + RETENTION).timestamp()))
    ctx = EscalationContext(customer, roster, people, general, now, state.pages)
    decision = next_target(policy, step, ctx)

    pager = _Pager(contact.contact_id, customer, incident, line, logs, notifier, now)
    delivered: frozenset[str] = frozenset()
    if decision.action is Action.PAGE and decision.agent is not None:
        logs.record_page(contact.contact_id, decision.step, decision.agent.login, now)
        delivered = pager.page(decision.agent, notices.STAGE_LABELS[decision.stage], decision.step)
        logs.record_page_channels(contact.contact_id, decision.step, delivered)
    elif decision.action is Action.ROUTE and decision.agent is not None:
        page = notices.escalation_page(decision, customer, contact.contact_id, incident)
        notifier.send_once(page, contact.contact_id, f"page:{decision.step}", logs, now)
    manager_notified = False
    if decision.notify_manager:
        manager = people.get(decision.manager_login)
        alert = notices.escalation_manager(decision, customer, contact.contact_id, manager)
        alerted = notifier.send_once(alert, contact.contact_id, f"manager:{decision.stage}", logs, now)
        manager_notified = alerted and bool(notifier.topic_arn)  # without a topic it is only logged
        if decision.stage is Stage.EXHAUSTED and manager is not None and manager.mobile:
            # At night the manager does not watch the topic either: the mobile is paged too.
            manager_notified = bool(pager.page(manager, MANAGER_ROLE, len(policy.chain))) or manager_notified

    agent = decision.agent
    if decision.action is Action.EXHAUSTED or agent is None:
        target_arn = fallback_arn
    elif decision.target_type is TargetType.QUEUE:  # paged (the call waits), or no user ARN
        target_arn = general_arn if decision.action is Action.ROUTE else fallback_arn
    else:
        target_arn = agent.user_arn
    sla = cfg.queues[policy.queue].sla_seconds or 0
    out = result(
        {
            "stage": decision.stage,
            "action": decision.action,
            "target_type": decision.target_type,
            "target_arn": target_arn,
            "target_login": agent.login if agent else "",
            "target_name": agent.name if agent else "",
            "next_step": decision.next_step,
            "manager_notified": manager_notified,
            "caller_notice": caller_notice(decision, delivered, manager_notified),
            "moved_on": decision.moved_on,
            "offer_callback": callback_due(policy, sla, state.started_at, now),
        }
    )
    metrics.add_dimension(name="stage", value=decision.stage.value)
    metrics.add_metric(name="EscalationStep", unit=MetricUnit.Count, value=1)
    logger.info(
        "escalation",
        extra={
            "step": step,
            "stage": decision.stage.value,
            "action": decision.action.value,
            "target_login": out["target_login"],
            "delivered": sorted(delivered),
            "skipped": [f"{s.step}:{s.reason}" for s in decision.skipped],
            "customer_id": contact.attr("customer_id"),
        },
    )
    return out


@dataclass(frozen=True)
class _Pager:
    """Pages for one emergency contact: an SMS and a page call to someone not signed in."""

    contact_id: str
    customer: Customer | None
    incident: str
    line: PageLine
    logs: CallLogRepository
    notifier: Notifier
    now: datetime

    def page(self, person: Agent, role: str, step: int) -> frozenset[str]:
        """The CHANNELS that went out, each sent once per contact and step (chain index; the
        manager's page is len(chain)). A failed channel is logged and left out, never raised."""
        key, sent = f"page:{step}", set()
        text = notices.page_sms(role, self.customer, self.contact_id, self.incident)
        if self._once(lambda: self.notifier.send_sms(person.mobile, text), f"{key}:sms"):
            sent.add("sms")
        if self.line.complete:  # without the page flow's parameters, SMS only
            attributes = notices.page_call_attributes(
                self.contact_id, step, person.login, self.customer, self.incident, self.now
            )
            caller, token = PageCaller(self.line), f"{self.contact_id}:{key}"  # a retry places no second call
            if self._once(lambda: caller.call(person.mobile, attributes, token), f"{key}:call"):
                sent.add("call")
        return frozenset(sent)

    def _once(self, deliver: Callable[[], object], key: str) -> bool:
        return send_once(deliver, self.contact_id, key, self.logs, self.now)
