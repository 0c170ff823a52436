"""Kinesis on the local stack: what Connect writes to its agent-event stream, delivered to the
stream's Lambda as the event source mapping would (a Kinesis event, base64 records), in order, on
a thread of its own so that the dispatcher never waits for DynamoDB.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from ..engine.lambdas import LocalLambdas

log = logging.getLogger("aicc_ops.local.streams")


def kinesis_event(
    records: Sequence[Mapping[str, Any] | bytes], stream_arn: str, first_sequence: int = 0
) -> dict[str, Any]:
    """A Lambda event from a Kinesis stream (its ARN) carrying these records (JSON objects, or raw
    bytes); Connect keys agent events by the agent's ARN."""
    out = []
    region = stream_arn.split(":")[3]
    for i, record in enumerate(records, start=first_sequence):
        data = record if isinstance(record, bytes) else json.dumps(record, ensure_ascii=False).encode("utf-8")
        key = str(record.get("AgentARN", "")) if isinstance(record, Mapping) else ""
        sequence = f"{49590338271490256608559692538361571095921575989136588898 + i}"
        out.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": key or "-",
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(data).decode("ascii"),
                    "approximateArrivalTimestamp": 0.0,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"{stream_arn.rsplit(':', 1)[0]}:role/local",
                "awsRegion": region,
                "eventSourceARN": stream_arn,
            }
        )
    return {"Records": out}


class StreamToLambda:
    """Records put on a local stream reach its handler, one batch per put, in order."""

    def __init__(self, lambdas: LocalLambdas, handler: str, stream_arn: str, timeout: float = 30) -> None:
        self.lambdas, self.handler, self.stream_arn, self.timeout = lambdas, handler, stream_arn, timeout
        self.queue: queue.Queue[Mapping[str, Any] | None] = queue.Queue()
        self.sequence = 0
        self.thread = threading.Thread(target=self._run, name=f"aicc-stream-{handler}", daemon=True)
        self.thread.start()

    def put(self, record: Mapping[str, Any]) -> None:
        self.queue.put(record)

    def _run(self) -> None:
        while (record := self.queue.get()) is not None:
            try:
                self._deliver(record)
            finally:
                self.queue.task_done()
        self.queue.task_done()

    def _deliver(self, record: Mapping[str, Any]) -> None:
        event = kinesis_event([record], self.stream_arn, first_sequence=self.sequence)
        self.sequence += 1
        try:
            result = self.lambdas.invoke_named(self.handler, event, self.timeout, "JSON")
        except Exception:  # the stream keeps flowing whatever one record does (drain() must end);
            # Lambda would retry a failed record, locally the agent's next event restates it.
            log.exception("%s: delivering a record failed", self.handler)
            return
        if result.get("batchItemFailures"):
            log.warning("%s reported a failed record: %s", self.handler, result["batchItemFailures"])

    def drain(self) -> None:
        """Wait until every record put so far has reached the handler."""
        self.queue.join()

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=5)
