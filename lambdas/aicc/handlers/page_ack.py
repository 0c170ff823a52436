"""page_ack: the paged engineer pressed 1 on the page call (the Emergency Page flow); the
acknowledgement is recorded against the emergency contact and chain step the call carries in its
attributes, and the escalation holds that step while the engineer signs in (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.adapters.dynamodb import CallLogRepository
from aicc.domain.escalation import parse_step
from aicc.handlers._connect import EventError, parse, result

logger = Logger()
metrics = Metrics(namespace="AICC")


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    emergency = contact.attr("emergency_contact_id")
    login = contact.attr("paged_login")
    if not emergency or not login:
        raise EventError("the page call carries no emergency_contact_id / paged_login attributes")
    step = parse_step(contact.attr("escalation_step"))
    recorded = CallLogRepository().acknowledge_page(emergency, step, login, clock.now())
    metrics.add_metric(
        name="PageAcknowledged" if recorded else "PageAckUnmatched", unit=MetricUnit.Count, value=1
    )
    logger.info(
        "page acknowledged" if recorded else "no such page",
        extra={"emergency_contact_id": emergency, "step": step, "login": login},
    )
    return result({"status": "ACKNOWLEDGED" if recorded else "NOT_FOUND"})
