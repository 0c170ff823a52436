"""page_ack: the paged engineer pressed 1 on the page call (the Emergency Page flow); the
acknowledgement is recorded against the emergency contact and chain step the call carries in its
attributes, and the escalation holds that step while the engineer signs in (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.call_logs import CallLogRepository
from aicc.domain.pages import parse_step
from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import contact_flow, count, logger


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    emergency = contact.attr("emergency_contact_id")
    login = contact.attr("paged_login")
    if not emergency or not login:
        raise EventError("the page call carries no emergency_contact_id / paged_login attributes")
    step = parse_step(contact.attr("escalation_step"))
    recorded = CallLogRepository().acknowledge_page(emergency, step, login, clock.now())
    count("PageAcknowledged" if recorded else "PageAckUnmatched")
    logger.append_keys(emergency_contact_id=emergency, step=step, login=login)
    return {"status": "ACKNOWLEDGED" if recorded else "NOT_FOUND"}
