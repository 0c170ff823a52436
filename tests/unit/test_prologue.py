"""The handlers' shared prologue: log context, metrics flush, one parse, failures on the error path."""

from __future__ import annotations

import functools
import io
import json
import logging
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from aws_lambda_powertools.metrics.base import MetricManager
from helpers import FakeLambdaContext, kinesis_event, read_event

from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import (
    BatchFailedError,
    _flush_latency,
    contact_flow,
    count,
    kinesis_batch,
    logger,
    metrics,
)

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
    """What `count` stands for: Powertools' single_metric."""
    from aws_lambda_powertools.metrics import single_metric

    with single_metric(name=metric, unit="Count", value=1) as one:
        for name, value in dimensions.items():
            one.add_dimension(name=name, value=value)


@pytest.mark.parametrize("counter", [count, _single_metric], ids=["count", "single_metric"])
def test_count_writes_the_lines_of_powertools_single_metric_whatever_came_before(
    counter: Callable[..., None], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`count` writes single_metric's line itself: the same text, key order included, with no
    dimension or metric of an earlier count, and the namespace and service of the environment at
    the time (a deployed function's is put in place per invocation). Both run the same sequence
    against the same expected lines."""
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


TIMESTAMP = re.compile(r'"Timestamp": ?(\d+),')  # json.dumps with its default spacing too
AN_HOUR_AGO = int(time.time() * 1000) - 3_600_000  # a timestamp set on the metrics: kept in the line
Outcome = tuple[list[str], str, list[str]]


def outcome(run: Callable[[], object], capsys: pytest.CaptureFixture[str]) -> Outcome:
    """What writing metrics did: the lines on stdout (the time of writing left out, a timestamp
    set on the metrics kept), what it raised, and the warnings it gave."""
    raised = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            run()
        except Exception as exc:
            raised = f"{type(exc).__name__}: {exc}"
    out = capsys.readouterr().out
    now = time.time() * 1000
    lines = [
        TIMESTAMP.sub(lambda t: "" if abs(int(t[1]) - now) < 60_000 else t[0], line)
        for line in out.splitlines()
    ]
    return lines, raised, [f"{w.category.__name__}: {w.message}" for w in caught]


def environment(monkeypatch: pytest.MonkeyPatch, **values: str | None) -> None:
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


DEPLOYED = {"POWERTOOLS_METRICS_NAMESPACE": "AICC", "POWERTOOLS_SERVICE_NAME": "aicc"}
COUNT_ENVIRONMENTS: dict[str, dict[str, str | None]] = {
    "deployed": DEPLOYED,
    "no namespace": {**DEPLOYED, "POWERTOOLS_METRICS_NAMESPACE": None},
    "an empty namespace": {**DEPLOYED, "POWERTOOLS_METRICS_NAMESPACE": ""},
    "no service": {**DEPLOYED, "POWERTOOLS_SERVICE_NAME": None},
    "an empty service": {**DEPLOYED, "POWERTOOLS_SERVICE_NAME": ""},
}
TWENTY_EIGHT = {f"d{n}": "x" for n in range(28)}
COUNTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dimensions": ("Probe", {"kind": "a", "queue": "b"}),
    "no dimension": ("Probe", {}),
    "a name to strip": (" Probe\n", {"kind": "a"}),
    "an empty name": ("", {}),
    "a blank name": ("  ", {}),
    "the longest name": ("P" * 255, {}),
    "a name too long": ("P" * 256, {}),
    "a number for a value": ("Probe", {"kind": 7}),
    "a service of its own": ("Probe", {"service": "mine"}),
    "an empty service": ("Probe", {"service": ""}),
    "a dimension named like the metric": ("Probe", {"Probe": "x", "kind": "a"}),
    "a dimension named _aws": ("Probe", {"_aws": "x"}),
    "a metric named _aws": ("_aws", {"kind": "a"}),
    "text to escape": ('Pr\u00f8 "be" \\ \U0001f600', {"kind": "\ud55c\uad6d \u2028\x00\t</", "\u00e9": "/"}),
    "28 dimensions and service": ("Probe", TWENTY_EIGHT),
    "29 dimensions, no room for service": ("Probe", {**TWENTY_EIGHT, "d28": "x"}),
    "29 dimensions with service": ("Probe", {**TWENTY_EIGHT, "service": "mine"}),
    "30 dimensions": ("Probe", {f"d{n}": "x" for n in range(30)}),
}


@pytest.mark.parametrize("env", COUNT_ENVIRONMENTS.values(), ids=COUNT_ENVIRONMENTS)
@pytest.mark.parametrize(("metric", "dimensions"), COUNTS.values(), ids=COUNTS)
def test_count_writes_what_single_metric_writes(
    metric: str,
    dimensions: dict[str, Any],
    env: dict[str, str | None],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`count` writes the plain lines itself: each is Powertools' own, byte for byte apart from
    the time, and so is every other outcome (an error, and the `null` line before it)."""
    environment(monkeypatch, **env)
    ours = outcome(lambda: count(metric, **dimensions), capsys)
    assert ours == outcome(lambda: _single_metric(metric, **dimensions), capsys)
    assert len(ours[0]) == 1


@pytest.mark.usefixtures("clean_metrics")
def test_powertools_writes_its_own_debug_lines(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Powertools at DEBUG (POWERTOOLS_DEBUG) a count and a flush write its debug lines."""
    environment(monkeypatch, **DEPLOYED)
    caplog.set_level(logging.DEBUG, logger="aws_lambda_powertools")
    written = []
    for counter, flush in ((count, _flush_latency), (_single_metric, _powertools_flush)):
        caplog.clear()
        counted = outcome(functools.partial(counter, "Probe", kind="a"), capsys)
        written.append((counted, outcome(functools.partial(flush, 1.0), capsys), caplog.messages[:]))
    assert written[0] == written[1]
    assert {"Adding dimension: kind:a", "Flushing existing metrics"} <= set(written[0][2])


def _powertools_flush(latency: float) -> None:
    """What `_flush_latency` stands for: an invocation's latency added to Powertools' shared set,
    then the set flushed as log_metrics does."""
    metrics.add_metric(name="StepLatency", unit="Milliseconds", value=latency)
    metrics.flush_metrics()


HOLDINGS: dict[str, Callable[[], None]] = {  # what the shared set holds when an invocation ends
    "nothing": lambda: None,
    "a latency": lambda: metrics.add_metric(name="StepLatency", unit="Milliseconds", value=12.3),
    "99 latencies": lambda: [  # the 100th value makes add_metric print the set (json.dumps' spacing)
        metrics.add_metric(name="StepLatency", unit="Milliseconds", value=v) for v in range(99)
    ],
    "values not finite": lambda: [
        metrics.add_metric(name="Other", unit="Count", value=float(v)) for v in ("nan", "inf", "-inf")
    ],
    "two metrics": lambda: [metrics.add_metric(name=n, unit="Count", value=1) for n in ("One", "Two")],
    "a dimension": lambda: metrics.add_dimension(name="kind", value="a"),
    "a dimension set": lambda: metrics.add_dimensions(kind="a"),
    "default dimensions": lambda: metrics.set_default_dimensions(stage="test"),
    "metadata": lambda: metrics.add_metadata(key="contact", value="c-1"),
    "a timestamp": lambda: metrics.set_timestamp(AN_HOUR_AGO),
    "a latency of high resolution": lambda: metrics.add_metric(
        name="StepLatency", unit="Milliseconds", value=1, resolution=1
    ),
    "a metric named service": lambda: metrics.add_metric(name="service", unit="Count", value=1),
    "a metric named _aws": lambda: metrics.add_metric(name="_aws", unit="Count", value=1),
    "text to escape": lambda: metrics.add_metric(name='St\u00e9p "\U0001f600"', unit="Count/Second", value=1),
}
LATENCIES = (12.3, 0.0, 0.1, 98765.4, 1e16)  # round(ms, 1) of an invocation; the last written 1e+16
FLUSH_SETTINGS: dict[str, tuple[str | None, str | None, dict[str, str | None]]] = {  # namespace, service, env
    "deployed": ("AICC", "aicc", {}),
    "no namespace": (None, "aicc", {}),
    "no service": ("AICC", None, {}),
    "an empty service": ("AICC", "", {}),
    "a blank service": ("AICC", "  ", {}),
    "text to escape": ('AI"CC\u00e9', "\ud55c", {}),
    "the local stack's": ("AICC", "aicc", {"POWERTOOLS_DEV": "false", "POWERTOOLS_METRICS_DISABLED": None}),
    "metrics disabled": ("AICC", "aicc", {"POWERTOOLS_METRICS_DISABLED": "true"}),
    "metrics enabled": ("AICC", "aicc", {"POWERTOOLS_METRICS_DISABLED": "False"}),
    "dev mode": ("AICC", "aicc", {"POWERTOOLS_DEV": "true", "POWERTOOLS_METRICS_DISABLED": None}),
    "dev mode, metrics on": ("AICC", "aicc", {"POWERTOOLS_DEV": "1", "POWERTOOLS_METRICS_DISABLED": "0"}),
    "dev mode unreadable": ("AICC", "aicc", {"POWERTOOLS_DEV": "maybe"}),
}


@pytest.fixture
def clean_metrics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(metrics.provider, "timestamp", None)
    yield
    metrics.clear_default_dimensions()
    metrics.clear_metrics()


def held() -> str:
    """What the shared Metrics still holds after a flush (a repr: NaN is not equal to itself)."""
    kept = metrics.provider
    return repr(
        (
            {n: dict(m) for n, m in kept.metric_set.items()},
            dict(kept.dimension_set),
            list(kept.dimension_sets),
            dict(kept.metadata_set),
            dict(kept.default_dimensions),
        )
    )


@pytest.mark.parametrize("setting", FLUSH_SETTINGS.values(), ids=FLUSH_SETTINGS)
@pytest.mark.parametrize("hold", HOLDINGS.values(), ids=HOLDINGS)
@pytest.mark.usefixtures("clean_metrics")
def test_the_latency_flushed_after_each_invocation_is_what_powertools_writes(
    hold: Callable[[], None],
    setting: tuple[str | None, str | None, dict[str, str | None]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An invocation's StepLatency, added to Powertools' set and flushed as log_metrics does: its
    line when the set holds nothing else is written here, byte for byte Powertools' apart from
    the time; for anything else the outcome is the same too (lines, errors, warnings, and what
    stays held for the next flush)."""
    namespace, service, env = setting
    monkeypatch.setattr(metrics.provider, "namespace", namespace)
    monkeypatch.setattr(metrics.provider, "service", service)
    environment(monkeypatch, **env)
    for latency in LATENCIES:
        results = []
        for flush in (_flush_latency, _powertools_flush):
            metrics.clear_default_dimensions()
            metrics.clear_metrics()
            monkeypatch.setattr(metrics.provider, "timestamp", None)
            hold()
            capsys.readouterr()
            results.append((outcome(functools.partial(flush, latency), capsys), held()))
        assert results[0] == results[1], latency


@pytest.mark.parametrize("dev", [None, "false"], ids=["in Lambda", "in the local stack"])
def test_an_invocation_writes_its_plain_lines_without_powertools_serializing_them(
    dev: str | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: FakeLambdaContext,
) -> None:
    """What the lines are written here for: a count and the StepLatency, the metrics of every
    invocation, cost Powertools about 20 us each (units and resolutions listed per SingleMetric or
    add_metric, validation, debug messages formatted for nobody, a dict JSON-encoded whole)."""
    environment(monkeypatch, POWERTOOLS_DEV=dev)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("Powertools built a plain line")

    for serializer in (MetricManager, type(metrics.provider)):
        monkeypatch.setattr(serializer, "serialize_metric_set", refused)
    monkeypatch.setattr(type(metrics.provider), "add_metric", refused)
    probe(event("plain"), lambda_context)
    blobs = emf(capsys.readouterr().out)
    assert [next(k for k in b if k in ("Probe", "StepLatency")) for b in blobs] == ["Probe", "StepLatency"]


def test_each_metric_line_is_written_whole_at_once(
    monkeypatch: pytest.MonkeyPatch, lambda_context: FakeLambdaContext
) -> None:
    """One write per line, its newline included: handlers running in threads at once (the local
    stack's) cannot put a line of theirs inside another's (print() wrote the newline apart)."""
    writes: list[str] = []
    monkeypatch.setattr(
        sys, "stdout", type("Recorder", (), {"write": lambda self, text: writes.append(text)})()
    )
    probe(event("plain"), lambda_context)
    assert [w.count("\n") for w in writes] == [1, 1] and all(w.endswith("}\n") for w in writes), writes
    assert [next(k for k in json.loads(w) if k in ("Probe", "StepLatency")) for w in writes] == [
        "Probe",
        "StepLatency",
    ]


def _in_threads_taking_turns_often(*targets: Callable[[], None]) -> None:
    """Each target in a thread of its own, all at once, the interpreter switching between them
    every microsecond (within a count or a flush)."""
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=target) for target in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)


def test_counts_from_threads_at_once_each_write_their_own_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local stack runs handlers in threads: each line has its own metric and dimensions, and
    comes whole (print() wrote a line's text and its newline apart, so that threads could put
    another line between them)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "AICC")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "aicc")
    start = threading.Barrier(2)

    def counts(metric: str) -> None:
        start.wait()
        for n in range(1000):
            count(metric, kind=f"{metric}{n}")

    _in_threads_taking_turns_often(functools.partial(counts, "A"), functools.partial(counts, "B"))
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
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


def test_invocations_in_threads_at_once_flush_the_shared_metric_set_in_turn(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lambda_context: FakeLambdaContext
) -> None:
    """Powertools' metric set is one per process, and the local stack runs invocations in threads:
    a flush that read the set while another thread cleared or grew it failed that invocation. Each
    invocation's latency is a line of its own, as from a Lambda environment of its own (another
    invocation's flush took it into its line, with that one's time)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "AICC")
    failures: list[BaseException] = []

    @contact_flow
    def plain(contact: ContactEvent) -> dict[str, Value]:
        return {"ok": True}

    def invocations() -> None:
        for _ in range(1000):
            try:
                plain(event("plain"), lambda_context)
            except Exception as exc:  # what the flow would see as the Lambda's error
                failures.append(exc)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a flush that found the set emptied by another warned
        _in_threads_taking_turns_often(*[invocations] * 6)
    assert failures == [] and caught == []
    latencies = [b["StepLatency"] for b in emf(capsys.readouterr().out)]
    assert len(latencies) == 6 * 1000 and all(len(values) == 1 for values in latencies)
