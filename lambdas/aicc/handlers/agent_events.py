"""agent_events: keep each agent's status and live load from Connect's agent event stream, and
mark in the call log when each contact was answered (the SLA monitor skips answered callers).

Invoked by the Kinesis stream Connect writes agent events to (an event source mapping with
ReportBatchItemFailures). A record that is not a readable agent event is logged and skipped: it
would fail the same way forever and hold up the shard. A DynamoDB failure fails only that record,
which Lambda retries from there (docs/handlers.md).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from aicc.adapters.agents import AgentRepository
from aicc.domain.agent_events import presence
from aicc.handlers._prologue import count, kinesis_batch, logger

# Presence written; an event older than the one stored; an agent this table does not know.
_OUTCOME_METRICS = {"written": "AgentPresenceUpdated", "stale": "AgentEventSuperseded"}


@kinesis_batch
def handler(record: Mapping[str, Any]) -> None:
    kinesis = record["kinesis"]
    try:
        update = presence(json.loads(base64.b64decode(kinesis["data"], validate=True)))
    except ValueError as exc:  # an AgentEventError, or data that is not base64 JSON
        logger.warning(
            "skipped a record that is not an agent event",
            extra={"reason": str(exc), "sequence": kinesis.get("sequenceNumber", "")},
        )
        count("AgentEventSkipped")
        return
    if update.contact_ids:  # the contact the agent is on (an agent has at most one voice contact)
        logger.append_keys(contact_id=",".join(update.contact_ids))
    outcome = AgentRepository().record_presence(update)
    count(_OUTCOME_METRICS.get(outcome, "AgentEventUnknownAgent"))
    if update.answered:
        from aicc.adapters.call_logs import CallLogRepository  # answers only: most records are not

        logs = CallLogRepository()
        for answer in update.answered:
            if logs.record_answer(answer.contact_id, answer.at):
                count("CallAnswerLogged")
    logger.debug(
        "agent presence",
        extra={
            "login": update.login,
            "status": update.status.value,
            "active_contacts": update.active_contacts,
            "event_type": update.event_type,
            "outcome": outcome,
        },
    )
