"""call_log: create or update the contact's one call-log item, repeatably (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.call_logs import CallLogRepository
from aicc.domain.call_log import build_update
from aicc.handlers._connect import ContactEvent, Value
from aicc.handlers._prologue import contact_flow, count, logger


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    update = build_update(
        contact.contact_id, contact.parameters, contact.attributes, contact.caller, clock.now()
    )
    CallLogRepository().apply(update)
    count("CallLogged", event=update.event)
    logger.append_keys(event=update.event, fields=sorted(update.fields), path=list(update.path))
    return {"logged": True, "contact_id": contact.contact_id}
