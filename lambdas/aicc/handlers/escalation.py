"""escalation: the next target of the MSP emergency chain, pages, and what the caller is told
(docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.call_logs import CallLogRepository
from aicc.adapters.escalation_reads import people_hint, read_step
from aicc.adapters.notifier import Notifier
from aicc.adapters.pager import PageLine, Pager
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

    now, logs = clock.now(), CallLogRepository()
    reads = read_step(contact.contact_id, contact.attributes, policy, step, logs, now)
    customer, people, incident = reads.customer, reads.people, contact.attr("incident")
    pager = Pager(contact.contact_id, customer, incident, line, logs, Notifier(), now, contact.attributes)
    ctx = EscalationContext(customer, reads.roster, people, reads.general, now, reads.state.pages)
    decision, delivered = pager.walk(policy, step, ctx)
    manager = people.get(decision.manager_login) if decision.notify_manager else None  # read if needed
    manager_notified = pager.manager(decision, manager, len(policy.chain))
    logs.flush(contact.contact_id)  # what no write carried: the escalation's start, a page record

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
        "people": people_hint(customer, reads.roster),  # the flow passes it back: escalation_people
        "offer_callback": callback_due(
            policy, cfg.queues[policy.queue].sla_seconds or 0, reads.state.started_at, now
        ),
    }
