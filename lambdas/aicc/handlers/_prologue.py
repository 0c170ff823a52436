"""The prologue every handler shares: one Powertools middleware per kind of event.

Each entry point is `handler = contact_flow(fn)` (a Connect ContactFlowEvent), `lex_code_hook(fn)`,
`kinesis_batch(fn)` or `scheduled(fn)` (an EventBridge schedule). Around `fn` that gives, once
for all handlers:
- Lambda context keys on every log line, cleared between invocations; for a contact flow also the
  contact id and, as correlation id, the call's first contact (it survives transfers);
- the event read once (a ContactEvent for contact flows) and the answer returned as a STRING_MAP,
  logged once with the request (PII masked) under the handler's name ("customer lookup"); what a
  handler adds to that line it adds with `logger.append_keys`;
- metrics flushed after every invocation, a failed one too;
- a failure logged once with its reason and re-raised: Lambda reports the error, and Connect takes
  the block's error branch (metric `HandlerError`, kind `EventError` for a bad event);
- for a Lex code hook, the contact id the flow passes in the session attributes; for a Kinesis
  batch, the contact id a record names once its handler has read it (`logger.append_keys`).
The events carry callers' numbers, names and words: they are never logged whole, and every line
goes out through one formatter that masks PII by key and by shape wherever it sits
(domain.masking.mask_record): no handler can forget it.

Metrics (Embedded Metric Format, docs/handlers.md "Metrics"), all with the dimension `service`
(the function: Terraform sets POWERTOOLS_SERVICE_NAME to its key): every invocation records its
`StepLatency` (ms) and every failure a `HandlerError` (kind: the exception's class); a handler's
own counts go through `count`, each with its own dimension set (the line single_metric writes):
Powertools' shared set would otherwise give every metric of an invocation the dimensions of all.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE (Terraform sets them per function), never from code.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.base import SingleMetric  # what single_metric yields
from aws_lambda_powertools.middleware_factory import lambda_handler_decorator
from aws_lambda_powertools.shared.constants import METRICS_NAMESPACE_ENV, SERVICE_NAME_ENV

from aicc.domain.masking import mask_record
from aicc.handlers._connect import ContactEvent, EventError, Value, parse, result

if TYPE_CHECKING:
    from aws_lambda_powertools.logging.types import LogRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON lines with every value PII-masked (message, keys, extras, exception)."""

    def serialize(self, log: LogRecord) -> str:
        return super().serialize(cast("LogRecord", mask_record(log)))


logger = Logger(logger_formatter=MaskingFormatter())
metrics = Metrics()
Unit = MetricUnit  # for `measure`: handlers import nothing of Powertools themselves
LEX_CONTACT_ID = "contact_id"  # the Lex session attribute the flows set to $.ContactId

R = TypeVar("R")
Handler = Callable[[Any, "LambdaContext"], R]


_singles = threading.local()  # per thread: ((namespace, service), SingleMetric) for `count`


def _single() -> SingleMetric:
    """An empty SingleMetric for the environment's namespace and service, kept per thread (an
    execution environment runs one invocation at a time): building one costs about half of a
    `count` (Powertools lists every unit and resolution for each instance), and a call counts ~8."""
    settings = (os.getenv(METRICS_NAMESPACE_ENV), os.getenv(SERVICE_NAME_ENV))
    kept: tuple[tuple[str | None, str | None], SingleMetric] | None = getattr(_singles, "kept", None)
    if kept is None or kept[0] != settings:  # read at construction, as single_metric's are
        kept = _singles.kept = (settings, SingleMetric())
    one = kept[1]
    # What clear_metrics does, without its debug line (single_metric logs none for a new count).
    one.metric_set.clear()
    one.dimension_set.clear()
    one.metadata_set.clear()
    return one


def count(metric: str, **dimensions: str) -> None:
    """Add 1 to `metric` with these dimensions (and `service`, which Powertools adds): the EMF line
    Powertools' `single_metric` writes, from a kept SingleMetric (`_single`)."""
    one, blob = _single(), None
    try:
        one.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        for name, value in dimensions.items():
            one.add_dimension(name=name, value=value)
        blob = one.serialize_metric_set()
    finally:
        print(json.dumps(blob, separators=(",", ":")))  # as single_metric prints it


def measure(values: Mapping[str, tuple[Unit, float]], **dimensions: str) -> None:
    """Several metrics with one dimension set (and `service`) in one EMF line, written now: a
    metric of the current state (a queue's, an agent's), not a count of the invocation."""
    one = EphemeralMetrics()
    for name, value in dimensions.items():
        one.add_dimension(name=name, value=value)
    for metric, (unit, amount) in values.items():
        one.add_metric(name=metric, unit=unit, value=amount)
    one.flush_metrics()


@lambda_handler_decorator
def _failures_logged(handler: Handler[R], event: Any, context: LambdaContext) -> R:
    started = time.perf_counter()
    try:
        return handler(event, context)
    except EventError as exc:
        count("HandlerError", kind=type(exc).__name__)
        logger.error("not a usable event: the flow takes its error branch", extra={"reason": str(exc)})
        raise
    except Exception as exc:
        count("HandlerError", kind=type(exc).__name__)
        logger.exception("handler failed: the flow takes its error branch")
        raise
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        metrics.add_metric(name="StepLatency", unit=MetricUnit.Milliseconds, value=round(elapsed, 1))


def _observed(handler: Handler[R]) -> Handler[R]:
    """Logger context and metrics flush around the handler, failures logged inside both."""
    with_failures: Handler[R] = _failures_logged(handler)
    flushed: Handler[R] = metrics.log_metrics(with_failures)
    injected: Handler[R] = logger.inject_lambda_context(log_event=False, clear_state=True)(flushed)
    return injected


def contact_flow(fn: Callable[[ContactEvent], Mapping[str, Value]]) -> Handler[dict[str, str]]:
    """A Connect contact flow's Lambda: `fn` gets the parsed event and returns the flat result."""
    name = fn.__module__.rpartition(".")[2].replace("_", " ")

    def handler(event: Any, context: LambdaContext) -> dict[str, str]:
        contact = parse(event)
        logger.append_keys(contact_id=contact.contact_id)
        logger.set_correlation_id(contact.initial_contact_id)
        out = result(fn(contact))
        logger.info(name, extra={"request": contact.log_view(), "result": out})
        return out

    return _observed(handler)


def lex_code_hook(fn: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Handler[dict[str, Any]]:
    """A Lex V2 dialog code hook: `fn` gets the event once it has a sessionState object."""

    def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
        if not isinstance(event, Mapping) or not isinstance(event.get("sessionState"), Mapping):
            raise EventError("expected a Lex V2 code-hook event with a sessionState object")
        attributes = event["sessionState"].get("sessionAttributes") or {}
        if contact_id := str(attributes.get(LEX_CONTACT_ID) or "").strip():
            logger.append_keys(contact_id=contact_id)
        logger.set_correlation_id(str(event.get("sessionId") or ""))  # one conversation's lines
        return fn(event)

    return _observed(handler)


class BatchFailedError(RuntimeError):
    """Every record of a batch failed: the invocation fails, and Lambda retries the batch."""


def kinesis_batch(fn: Callable[[Mapping[str, Any]], None]) -> Handler[dict[str, list[dict[str, str]]]]:
    """A Kinesis event source mapping's Lambda (ReportBatchItemFailures): `fn` handles one record.

    A record whose `fn` raises is reported in batchItemFailures and Lambda retries the shard from
    it; when every record fails the invocation fails, as with Powertools' BatchProcessor. That
    utility is not used: it imports the data_classes package (about 30 event classes, some 17 ms of
    every cold start) for this loop.
    """

    def handler(event: Any, context: LambdaContext) -> dict[str, list[dict[str, str]]]:
        records = event.get("Records") if isinstance(event, Mapping) else None
        if not isinstance(records, list):
            raise EventError("expected a Kinesis event with a Records list")
        failures: list[dict[str, str]] = []
        for record in records:
            sequence = str((record.get("kinesis") or {}).get("sequenceNumber", ""))
            logger.remove_keys(["contact_id"])  # the previous record's
            try:
                fn(record)
            except Exception as exc:
                logger.exception("record failed: Lambda retries from it", extra={"sequence": sequence})
                count("HandlerError", kind=type(exc).__name__)
                failures.append({"itemIdentifier": sequence})
        if records and len(failures) == len(records):
            raise BatchFailedError(f"all {len(records)} records of the batch failed")
        return {"batchItemFailures": failures}

    return _observed(handler)


def scheduled(fn: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Handler[dict[str, Any]]:
    """An EventBridge scheduled rule's Lambda (detail-type "Scheduled Event"): `fn` gets the event;
    its run is correlated by the event's id."""

    def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
        if not isinstance(event, Mapping) or event.get("detail-type") != "Scheduled Event":
            raise EventError('expected an EventBridge event with detail-type "Scheduled Event"')
        logger.set_correlation_id(str(event.get("id") or ""))
        return fn(event)

    return _observed(handler)
