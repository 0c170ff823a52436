"""callback: register a callback request once per contact (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.callbacks import CallbackRepository
from aicc.domain import callbacks
from aicc.domain.callbacks import Callback, CallbackStatus
from aicc.domain.phones import PhoneNumberError
from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import Config, Queue, config


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
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

    count("CallbackRequest", status=status.value)
    logger.append_keys(reason=reason.value, queue=queue.name)
    return {
        "status": status,
        "callback_number": stored.number if stored else "",
        "due_at": stored.due_at if stored else None,
        "due_spoken": stored.due_spoken if stored else "",
    }


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
