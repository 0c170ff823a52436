"""call_log: create or update the contact's one call-log item, repeatably (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.adapters.dynamodb import CallLogRepository
from aicc.domain.call_log import build_update
from aicc.handlers._connect import parse, result

logger = Logger()
metrics = Metrics(namespace="AICC")


# The event carries names, numbers and the incident transcript: never log or trace it whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    update = build_update(
        contact.contact_id, contact.parameters, contact.attributes, contact.caller, clock.now()
    )
    CallLogRepository().apply(update)
    metrics.add_dimension(name="event", value=update.event)
    metrics.add_metric(name="CallLogged", unit=MetricUnit.Count, value=1)
    logger.info(
        "call logged",
        extra={"event": update.event, "fields": sorted(update.fields), "path": list(update.path)},
    )
    return result({"logged": True, "contact_id": contact.contact_id})
