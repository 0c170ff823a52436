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

import datetime as dt
import functools
import json
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit, single_metric
from aws_lambda_powertools.metrics.base import SingleMetric  # what single_metric yields
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.constants import (
    MAX_DIMENSIONS,
    MAX_METRIC_NAME_LENGTH,
    MIN_METRIC_NAME_LENGTH,
)
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


# json.dumps(blob, separators=(",", ":")), as Powertools prints an EMF line, writes each str thus.
_json_str = json.encoder.encode_basestring_ascii
# Powertools logs its work at DEBUG (POWERTOOLS_DEBUG): while these loggers would write, its own
# code writes the lines, debug lines included.
_single_metric_log = logging.getLogger(SingleMetric.__module__)
_metrics_log = logging.getLogger(type(metrics.provider).__module__)
# The units' names, as Powertools writes them (an enum member's value costs ~0.25 us a read).
_COUNT, _MILLISECONDS = MetricUnit.Count.value, MetricUnit.Milliseconds.value


def _emf_line(
    namespace: str, dimensions: Mapping[str, str], metric: str, unit: str, value: float
) -> str | None:
    """The line Powertools prints for one value of a metric of standard resolution with these
    dimensions: json.dumps(serialize_metric_set(), separators=(",", ":")), written from its parts
    (encoding the dict took a third of a line's cost); None when a key would come twice (a dimension
    named like the metric or "_aws"): Powertools' dict merge decides that line.
    tests/unit/test_prologue.py compares the lines with Powertools' own."""
    if metric in dimensions or "_aws" in dimensions or metric == "_aws":
        return None
    timestamp = int(dt.datetime.now().timestamp() * 1000)  # serialize_metric_set's
    names = ",".join(map(_json_str, dimensions))
    pairs = "".join([f"{_json_str(name)}:{_json_str(text)}," for name, text in dimensions.items()])
    amount = float.__repr__(value) if math.isfinite(value) else json.dumps(value)
    return (
        f'{{"_aws":{{"Timestamp":{timestamp},"CloudWatchMetrics":[{{"Namespace":{_json_str(namespace)},'
        f'"Dimensions":[[{names}]],"Metrics":[{{"Name":{_json_str(metric)},"Unit":{_json_str(unit)}}}]}}]}},'
        f"{pairs}{_json_str(metric)}:[{amount}]}}"
    )


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")  # print's bytes in one write: concurrent lines stay whole


def count(metric: str, **dimensions: str) -> None:
    """Add 1 to `metric` with these dimensions (and `service`, which Powertools adds): the EMF line
    Powertools' `single_metric` writes. Written here when nothing can fail: a SingleMetric per
    count costs about 25 us (a call counts ~8), most of it lists of units and resolutions built
    per instance, validation, debug messages formatted for nobody and a dict JSON-encoded whole.
    Anything else (a name to strip or out of bounds, too many dimensions, no namespace, Powertools
    at DEBUG) goes through single_metric itself, its errors and its `null` line included."""
    namespace, service = os.getenv(METRICS_NAMESPACE_ENV), os.getenv(SERVICE_NAME_ENV)
    line = None
    if (
        namespace is not None
        and metric == metric.strip()
        and MIN_METRIC_NAME_LENGTH <= len(metric) <= MAX_METRIC_NAME_LENGTH
        and len(dimensions) < MAX_DIMENSIONS  # room for `service`
        and not _single_metric_log.isEnabledFor(logging.DEBUG)
    ):
        # add_dimension's str(), then serialize_metric_set's `service`.
        named = {name: value if isinstance(value, str) else str(value) for name, value in dimensions.items()}
        if service and not named.get("service"):
            named["service"] = service
        line = _emf_line(namespace, named, metric, _COUNT, 1.0)
    if line is None:
        with single_metric(name=metric, unit=MetricUnit.Count, value=1) as one:
            for name, value in dimensions.items():
                one.add_dimension(name=name, value=value)
    else:
        _write(line)


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


# Powertools keeps one metric set per process. Lambda runs one invocation at a time in it, but the
# local stack runs its invocations in threads of one process: adding to the set and flushing it
# take one turn, or a flush could read the set while another thread clears or grows it (an error in
# that invocation, and the flow's error branch).
_metric_set_turn = threading.Lock()


def _metrics_enabled() -> bool:
    """not is_metrics_disabled(), False where that raises (an env value strtobool cannot read):
    Powertools' own flush raises it then, the value added to the set first."""
    try:
        return not is_metrics_disabled()
    except ValueError:
        return False


def _flush_latency(latency: float) -> None:
    """metrics.add_metric(StepLatency) and metrics.flush_metrics(), what log_metrics does at the end
    of an invocation. When the shared set holds nothing (no handler adds to it: their counts go
    through `count`), the one line that writes is written here: add_metric's validation and lists
    of units, and a flush of the set, cost about 7 us an invocation more. Anything else (a metric,
    dimension or metadata held, a timestamp set, no namespace, metrics disabled, Powertools at
    DEBUG) goes through Powertools, its errors, warnings and what it keeps included."""
    held = metrics.provider
    namespace, service, line = held.namespace, held.service, None
    if (
        not (
            held.metric_set
            or held.dimension_set
            or held.dimension_sets
            or held.metadata_set
            or held.timestamp
        )
        and isinstance(namespace, str)
        and (not service or (isinstance(service, str) and service.strip()))  # else Powertools warns
        and not _metrics_log.isEnabledFor(logging.DEBUG)
        and _metrics_enabled()
    ):
        dimensions = {"service": service} if service else {}
        line = _emf_line(namespace, dimensions, "StepLatency", _MILLISECONDS, latency)
    if line is None:
        metrics.add_metric(name="StepLatency", unit=MetricUnit.Milliseconds, value=latency)
        metrics.flush_metrics()
    else:
        _write(line)


def _metrics_flushed(handler: Handler[R]) -> Handler[R]:
    """What metrics.log_metrics does, the invocation's StepLatency (ms) added last: the metrics
    flushed after every invocation, a failed one too."""

    @functools.wraps(handler)
    def flushed(event: Any, context: LambdaContext) -> R:
        started = time.perf_counter()
        try:
            return handler(event, context)
        finally:
            latency = round((time.perf_counter() - started) * 1000, 1)
            with _metric_set_turn:
                _flush_latency(latency)

    return flushed


def _observed(handler: Handler[R]) -> Handler[R]:
    """Logger context and metrics flush around the handler, failures logged inside both."""
    with_failures: Handler[R] = _failures_logged(handler)
    flushed: Handler[R] = _metrics_flushed(with_failures)
    injected: Handler[R] = logger.inject_lambda_context(log_event=False, clear_state=True)(flushed)
    return injected


def contact_flow(fn: Callable[[ContactEvent], Mapping[str, Value]]) -> Handler[dict[str, str]]:
    """A Connect contact flow's Lambda: `fn` gets the parsed event and returns the flat result."""
    name = fn.__module__.rpartition(".")[2].replace("_", " ")

    def handler(event: Any, context: LambdaContext) -> dict[str, str]:
        contact = parse(event)
        # set_correlation_id is append_keys(correlation_id=...): one call for both keys.
        logger.append_keys(contact_id=contact.contact_id, correlation_id=contact.initial_contact_id)
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
