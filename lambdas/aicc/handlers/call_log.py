"""call_log: create or update the contact's one call-log item, repeatably (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.call_logs import CallLogRepository
from aicc.domain.call_log import build_update
from aicc.domain.sentiment import Trend, summarize
from aicc.handlers._connect import ContactEvent, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import config


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    update = build_update(
        contact.contact_id, contact.parameters, contact.attributes, contact.caller, clock.now()
    )
    logs = CallLogRepository()
    # The caller's sentiment so far (the Lex code hook's trend, which the flow keeps in the contact
    # attributes) and its summary ride on this write: no request of their own.
    summary = summarize(Trend.decode(contact.attributes.get("sentiment_trend")), config().sentiment.rules)
    if summary is not None:
        logs.hold(update.contact_id, "sentiment", summary.to_item(), update.at, update.expires_at)
    logs.apply(update)
    count("CallLogged", event=update.event)
    if update.queue_entered:
        count("QueueEntry", queue=update.queue_entered)
    logger.append_keys(event=update.event, fields=sorted(update.fields), path=list(update.path))
    return {"logged": True, "contact_id": contact.contact_id}
