"""The handlers' shared prologue: log context, metrics flush, one parse, failures on the error path."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from helpers import FakeLambdaContext, kinesis_event, read_event

from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import BatchFailedError, contact_flow, count, kinesis_batch, logger

CALL = "4a573372-1f28-4e26-b97b-00000000c0de"  # the call's first contact (before a transfer)


@contact_flow
def probe(contact: ContactEvent) -> dict[str, Value]:
    logger.info("inside the handler")
    count("Probe", kind=contact.param("kind", "plain"))
    if contact.param("kind") == "broken":
        raise RuntimeError("the repository is down")
    return {"ok": True, "caller": contact.caller}


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """What the handlers' logger writes during the test, formatted as CloudWatch gets it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def written(log: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.getvalue().splitlines()]


def event(kind: str = "plain", **data: Any) -> dict[str, Any]:
    loaded = read_event("connect_call_log")
    loaded["Details"]["Parameters"] = {"kind": kind}
    loaded["Details"]["ContactData"].update(data)
    return loaded


def emf(out: str) -> list[Mapping[str, Any]]:
    return [m for m in map(json.loads, out.splitlines()) if "_aws" in m]


def test_every_line_carries_the_contact_and_the_call_it_belongs_to(
    log: io.StringIO, lambda_context: FakeLambdaContext
) -> None:
    contact = read_event("connect_call_log")["Details"]["ContactData"]["ContactId"]
    assert probe(event(InitialContactId=CALL), lambda_context) == {"ok": "true", "caller": "+821012345678"}
    logged = written(log)
    assert [line["message"] for line in logged] == ["inside the handler", "test prologue"]
    assert {(line["contact_id"], line["correlation_id"]) for line in logged} == {(contact, CALL)}
    answer = logged[-1]
    assert answer["result"] == {"ok": "true", "caller": "+82-10-****-5678"}  # PII masked
    assert "+821012345678" not in json.dumps(logged)


def dimensions(blob: Mapping[str, Any]) -> list[str]:
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    (names,) = directive["Dimensions"]
    return sorted(names)


def test_each_metric_carries_its_own_dimensions_the_service_and_the_namespace_of_the_environment(
    capsys: pytest.CaptureFixture[str], lambda_context: FakeLambdaContext
) -> None:
    probe(event("plain"), lambda_context)
    probe(event("second"), lambda_context)
    blobs = emf(capsys.readouterr().out)
    counts = [(b["Probe"], b["kind"], dimensions(b)) for b in blobs if "Probe" in b]
    assert counts == [([1.0], k, ["kind", "service"]) for k in ("plain", "second")]
    latencies = [b for b in blobs if "StepLatency" in b]  # one per invocation, in ms
    assert [(dimensions(b), b["service"]) for b in latencies] == [(["service"], "aicc")] * 2
    assert all(b["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Milliseconds" for b in latencies)
    assert {b["_aws"]["CloudWatchMetrics"][0]["Namespace"] for b in blobs} == {"AICC"}


def _single_metric(metric: str, **dimensions: str) -> None:
    """What `count` did before it kept its SingleMetric: Powertools' single_metric."""
    from aws_lambda_powertools.metrics import single_metric

    with single_metric(name=metric, unit="Count", value=1) as one:
        for name, value in dimensions.items():
            one.add_dimension(name=name, value=value)


@pytest.mark.parametrize("counter", [count, _single_metric], ids=["count", "single_metric"])
def test_count_writes_the_lines_of_powertools_single_metric_whatever_came_before(
    counter: Callable[..., None], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`count` keeps one SingleMetric per thread: each line is still single_metric's (the same
    text, key order included), with no dimension or metric of an earlier count, and the namespace
    and service of the environment at the time (a deployed function's is put in place per
    invocation). Both run the same sequence against the same expected lines."""
    from aws_lambda_powertools.metrics.exceptions import SchemaValidationError

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "AICC")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "aicc")
    counter("Probe", kind="a", queue="b")
    counter("Other")
    counter("Probe", kind="c")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Elsewhere")
    counter("Probe", kind="d")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "deployed")
    counter("Probe")
    with pytest.raises(SchemaValidationError):  # past the 29 dimensions EMF allows: prints null
        counter("Probe", **{f"d{n}": "x" for n in range(30)})
    counter("Probe", kind="e")
    lines = [re.sub(r'"Timestamp":\d+,', "", line) for line in capsys.readouterr().out.splitlines()]
    directive = '{"_aws":{"CloudWatchMetrics":[{"Namespace":"%s","Dimensions":[[%s]],"Metrics":[{"Name":"%s","Unit":"Count"}]}]},'
    assert lines == [
        directive % ("AICC", '"kind","queue","service"', "Probe")
        + '"kind":"a","queue":"b","service":"aicc","Probe":[1.0]}',
        directive % ("AICC", '"service"', "Other") + '"service":"aicc","Other":[1.0]}',
        directive % ("AICC", '"kind","service"', "Probe") + '"kind":"c","service":"aicc","Probe":[1.0]}',
        directive % ("Elsewhere", '"kind","service"', "Probe") + '"kind":"d","service":"aicc","Probe":[1.0]}',
        directive % ("Elsewhere", '"service"', "Probe") + '"service":"deployed","Probe":[1.0]}',
        "null",
        directive % ("Elsewhere", '"kind","service"', "Probe")
        + '"kind":"e","service":"deployed","Probe":[1.0]}',
    ]


def test_counts_from_threads_at_once_each_write_their_own_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local stack runs handlers in threads: each keeps its own SingleMetric (a shared one
    would give a line another thread's metric or dimensions)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "AICC")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "aicc")
    start = threading.Barrier(2)

    def counts(metric: str) -> None:
        start.wait()
        for n in range(1000):
            count(metric, kind=f"{metric}{n}")

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns within a count
    try:
        threads = [threading.Thread(target=counts, args=(m,)) for m in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    # print() writes a line's text and its newline apart: threads may put them in another order.
    out, decoder, blobs, at = capsys.readouterr().out, json.JSONDecoder(), [], 0
    while (at := len(out) - len(out[at:].lstrip())) < len(out):
        blob, at = decoder.raw_decode(out, at)
        blobs.append(blob)
    assert len(blobs) == 2000
    for blob in blobs:
        (metric,) = [m["Name"] for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
        assert blob[metric] == [1.0] and blob["kind"].startswith(metric), blob
    assert sorted(b["kind"] for b in blobs) == sorted(f"{m}{n}" for m in "AB" for n in range(1000))


def test_a_bad_event_is_logged_counted_and_raised_for_the_error_branch(
    log: io.StringIO, capsys: pytest.CaptureFixture[str], lambda_context: FakeLambdaContext
) -> None:
    broken = event()
    del broken["Details"]["ContactData"]
    with pytest.raises(EventError, match=r"no Details\.ContactData"):
        probe(broken, lambda_context)
    (line,) = written(log)
    assert (line["level"], line["reason"]) == (
        "ERROR",
        "event has no Details.ContactData: not a Connect ContactFlowEvent",
    )
    blobs = emf(capsys.readouterr().out)
    assert [(b["HandlerError"], b["kind"]) for b in blobs if "HandlerError" in b] == [([1.0], "EventError")]
    assert len([b for b in blobs if "StepLatency" in b]) == 1  # flushed on failure too


def test_a_failure_counts_as_an_error_of_its_kind(
    capsys: pytest.CaptureFixture[str], lambda_context: FakeLambdaContext
) -> None:
    with pytest.raises(RuntimeError):
        probe(event("broken"), lambda_context)
    errors = [b for b in emf(capsys.readouterr().out) if "HandlerError" in b]
    assert [(b["kind"], dimensions(b)) for b in errors] == [("RuntimeError", ["kind", "service"])]


def test_a_failing_handler_is_logged_with_its_contact_and_raised(
    log: io.StringIO, lambda_context: FakeLambdaContext
) -> None:
    with pytest.raises(RuntimeError, match="repository is down"):
        probe(event("broken", InitialContactId=CALL), lambda_context)
    failure = written(log)[-1]
    assert (failure["level"], failure["correlation_id"]) == ("ERROR", CALL)
    assert "the repository is down" in failure["exception"]


def test_a_batch_reports_the_failed_records_and_fails_when_all_did(lambda_context: FakeLambdaContext) -> None:
    @kinesis_batch
    def consume(record: Mapping[str, Any]) -> None:
        if record["kinesis"]["data"] != "b2s=":  # "ok"
            raise RuntimeError("cannot store it")

    batch = kinesis_event(b"ok", b"no", b"ok")
    second = batch["Records"][1]["kinesis"]["sequenceNumber"]
    assert consume(batch, lambda_context) == {"batchItemFailures": [{"itemIdentifier": second}]}
    with pytest.raises(BatchFailedError, match="all 2 records"):
        consume(kinesis_event(b"no", b"no"), lambda_context)
