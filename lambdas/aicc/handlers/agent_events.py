"""agent_events: keep each agent's status and live load from Connect's agent event stream.

Invoked by the Kinesis stream Connect writes agent events to (an event source mapping with
ReportBatchItemFailures). A record that is not a readable agent event is logged and skipped: it
would fail the same way forever and hold up the shard. A DynamoDB failure fails only that record,
which Lambda retries from there (docs/handlers.md).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc.adapters.dynamodb import AgentRepository
from aicc.domain.agent_events import presence

logger = Logger()
metrics = Metrics(namespace="AICC")
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


def record_handler(record: KinesisStreamRecord) -> None:
    try:
        update = presence(record.kinesis.data_as_json())
    except ValueError as exc:  # an AgentEventError, or data that is not JSON
        logger.warning(
            "skipped a record that is not an agent event",
            extra={"reason": str(exc), "sequence": record.kinesis.sequence_number},
        )
        metrics.add_metric(name="AgentEventSkipped", unit=MetricUnit.Count, value=1)
        return
    outcome = AgentRepository().record_presence(update)
    # Presence written; an event older than the one stored; an agent this table does not know.
    metric = {"written": "AgentPresenceUpdated", "stale": "AgentEventSuperseded"}.get(
        outcome, "AgentEventUnknownAgent"
    )
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
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


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(  # type: ignore[return-value]  # a TypedDict of lists
        event=event, record_handler=record_handler, processor=processor, context=context
    )
