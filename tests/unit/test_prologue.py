"""The handlers' shared prologue: log context, metrics flush, one parse, failures on the error path."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Mapping
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


def _without_timestamp(out: str) -> list[Any]:
    lines = [json.loads(line) for line in out.splitlines()]
    for line in lines:
        if line is not None:
            del line["_aws"]["Timestamp"]
    return lines


def test_count_writes_the_lines_of_powertools_single_metric_whatever_came_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`count` keeps one SingleMetric per thread: each line is still single_metric's, with no
    dimension or metric of an earlier count, and the namespace and service of the environment at
    the time (a deployed function's environment is put in place per invocation)."""
    from aws_lambda_powertools.metrics import single_metric
    from aws_lambda_powertools.metrics.exceptions import SchemaValidationError

    def counts() -> None:
        count("Probe", kind="a", queue="b")
        count("Other")
        count("Probe", kind="c")
        monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Elsewhere")
        count("Probe", kind="d")
        monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "deployed")
        count("Probe")
        with pytest.raises(SchemaValidationError):  # past the 29 dimensions EMF allows: prints null
            count("Probe", **{f"d{n}": "x" for n in range(30)})
        count("Probe", kind="e")
        monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE")
        monkeypatch.delenv("POWERTOOLS_SERVICE_NAME")

    def reference() -> None:
        def one(metric: str, **dimensions: str) -> None:
            with single_metric(name=metric, unit="Count", value=1) as m:
                for name, value in dimensions.items():
                    m.add_dimension(name=name, value=value)

        one("Probe", kind="a", queue="b")
        one("Other")
        one("Probe", kind="c")
        monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Elsewhere")
        one("Probe", kind="d")
        monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "deployed")
        one("Probe")
        with pytest.raises(SchemaValidationError):
            one("Probe", **{f"d{n}": "x" for n in range(30)})
        one("Probe", kind="e")

    for env in ("POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME"):
        monkeypatch.setenv(env, {"POWERTOOLS_METRICS_NAMESPACE": "AICC"}.get(env, "aicc"))
    counts()
    ours = capsys.readouterr().out
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "AICC")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "aicc")
    reference()
    expected = capsys.readouterr().out
    assert _without_timestamp(ours) == _without_timestamp(expected)
    assert len(ours.splitlines()) == 7 and ours.splitlines()[5] == "null"
    assert [line.split('"Timestamp":')[0] for line in ours.splitlines()] == [
        line.split('"Timestamp":')[0] for line in expected.splitlines()
    ]  # the same text, key order included


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
