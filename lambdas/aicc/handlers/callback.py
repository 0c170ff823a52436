"""callback: register a callback request once per contact (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.adapters.dynamodb import CallbackRepository
from aicc.domain import callbacks
from aicc.domain.callbacks import Callback, CallbackStatus
from aicc.domain.phones import PhoneNumberError
from aicc.handlers._connect import ContactEvent, EventError, masked, parse, result
from aicc.settings import Config, Queue, config

logger = Logger()
metrics = Metrics(namespace="AICC")


# The event and the response carry phone numbers: never log or trace them whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    reason = callbacks.parse_reason(contact.require("reason"))
    cfg = config()
    queue = _queue(contact, cfg)
    now = clock.now()

    stored: Callback | None
    try:
        request = callbacks.request(
            contact.contact_id,
            contact.param("callback_number") or contact.caller,
            reason,
            queue,
            cfg.hours,
            cfg.holidays,
            now,
            contact.attr("customer_id"),
        )
    except PhoneNumberError as exc:
        status, stored = CallbackStatus.INVALID_NUMBER, None
        logger.info("callback number rejected", extra={"why": str(exc)})
    else:
        repository = CallbackRepository()
        if repository.register(request):
            status, stored = CallbackStatus.REQUESTED, request
        else:
            # The first registration stands: same number and due time as the caller heard then.
            status, stored = CallbackStatus.ALREADY_REQUESTED, repository.get(contact.contact_id) or request

    out = result(
        {
            "status": status,
            "callback_number": stored.number if stored else "",
            "due_at": stored.due_at if stored else None,
            "due_spoken": stored.due_spoken if stored else "",
        }
    )
    metrics.add_dimension(name="status", value=status.value)
    metrics.add_metric(name="CallbackRequest", unit=MetricUnit.Count, value=1)
    logger.info(
        "callback",
        extra={
            "request": contact.log_view(),
            "reason": reason.value,
            "queue": queue.name,
            "result": masked(out),
        },
    )
    return out


def _queue(contact: ContactEvent, cfg: Config) -> Queue:
    """The `queue` parameter (a queue name, or its key in queues.yaml), else the contact's queue."""
    wanted = contact.param("queue") or contact.queue_name
    if not wanted:
        raise EventError("parameter 'queue' is required when the contact has no queue yet")
    for queue in cfg.queues.values():
        if wanted in (queue.name, queue.key):
            return queue
    names = ", ".join(q.name for q in cfg.queues.values())
    raise EventError(f"unknown queue {wanted!r}; queues.yaml defines {names}")
