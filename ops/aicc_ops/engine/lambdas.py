"""Run the Lambda handlers in-process, under the rules Connect applies to a flow's Lambda call.

The handler gets the real Connect event; its answer must be a flat map of strings (STRING_MAP) or
any JSON (JSON), under 32 KB, within the block's time limit (at most 8 s), counted from when the
handler starts. Anything else, and any exception, is an error that sends the flow down the block's
error branch.

Concurrency as in AWS: each invocation in flight has an execution environment of its own (here a
worker thread, started on demand and kept warm for the next invocation, as Lambda reuses a warm
environment), up to the account's concurrent executions, which the functions share, or a function's
reserved concurrency; an invocation beyond is throttled (TooManyRequestsException), never queued
behind others.
"""

from __future__ import annotations

import contextvars
import importlib
import io
import itertools
import json
import re
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from ..core.environ import overridden
from .flows import local_function_name

MAX_RESPONSE_BYTES = 32 * 1024
# "Concurrent executions: 1,000" per Region by default, shared by the account's functions
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a function with
# reserved concurrency has exactly that many, taken from the shared pool (PutFunctionConcurrency).
ACCOUNT_CONCURRENCY = 1000
START_SECONDS = 60.0  # a worker that never starts the handler is a bug, not a slow function
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

Handler = Callable[[dict[str, Any], Any], Any]


class LambdaInvokeError(Exception):
    """The invocation failed the way Connect sees it: error, timeout, or unusable response."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(f"{kind}: {message}")


@dataclass
class LambdaContext:
    """The attributes Powertools and handlers read from the Lambda context object."""

    function_name: str
    invoked_function_arn: str
    timeout_seconds: float
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


# Fault kinds a drill or a test can inject per handler.
FAULTS = ("error", "timeout", "bad_response", "throttle")

# The handlers read their settings (table names, topic) from os.environ at each call, and the
# process has one: a deployed function's environment is put in place for its invocation, one such
# invocation at a time (the stack's own functions run with the stack's environment).
_ENVIRONMENT = threading.Lock()


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    with _ENVIRONMENT, overridden(values):
        yield


# AWS services a drill can make throttle the handlers' calls to (LocalLambdas.service_faults).
SERVICE_FAULTS = ("dynamodb",)
_THROTTLE_BODY = {
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API. (injected)",
}


class LocalLambdas:
    """Maps function ARNs to `aicc.handlers.<name>.handler` and invokes them like Connect."""

    def __init__(
        self,
        functions: Mapping[str, str],
        faults: Mapping[str, str] | None = None,
        *,
        service_faults: set[str] | None = None,
        concurrency: int = ACCOUNT_CONCURRENCY,
        reserved: Mapping[str, int] | None = None,
    ) -> None:
        self.functions = dict(functions)  # ARN -> handler name
        # Concurrent executions: the account's, shared by the functions without a reservation.
        self.reserved = dict(reserved or {})  # handler name -> its reserved concurrency
        self.unreserved = concurrency - sum(self.reserved.values())
        if self.unreserved < 0:
            raise ValueError(
                f"reserved concurrency {sum(self.reserved.values())} exceeds the account's {concurrency}"
            )
        self.running: Counter[str] = Counter()  # handler name -> invocations in flight
        self.throttled: Counter[str] = Counter()  # handler name -> invocations refused
        self._executions = threading.Lock()
        self.faults = dict(faults or {})
        for name, kind in self.faults.items():
            if kind not in FAULTS:
                raise ValueError(f"unknown fault {kind!r} for {name}; one of {', '.join(FAULTS)}")
        # Services whose requests from the handlers are answered with throttling (drills and tests);
        # service_fault_hits counts the answers per service (each retry attempt is one).
        self.service_faults: set[str] = set(service_faults or ())
        for service in self.service_faults:
            if service not in SERVICE_FAULTS:
                raise ValueError(f"unknown service fault {service!r}; one of {', '.join(SERVICE_FAULTS)}")
        self.service_fault_hits: Counter[str] = Counter()
        # Drills and tests: handler name -> keys that override the handler's real response.
        self.overrides: dict[str, dict[str, str]] = {}
        # Function ARN -> the environment its deployed definition gives it (`deploy`).
        self.environments: dict[str, dict[str, str]] = {}
        self._handlers: dict[str, Handler] = {}
        self._arns = {name: arn for arn, name in reversed(self.functions.items())}  # the first ARN wins
        # The warm environments waiting for an invocation; one is started when none is idle, so no
        # invocation ever waits for another. Busy ones are bounded by the concurrency above, idle
        # ones by `_park`.
        self._idle: list[_Environment] = []
        self._environments = threading.Lock()
        self._closed = False
        self._lock = threading.Lock()
        self._stdout = sys.stdout
        sys.stdout = _WorkerOutputFilter(sys.stdout)
        # handler name -> {(service, operation, resource)}: the AWS calls each handler really made,
        # which the deployment gate compares with the IAM policies in functions.yaml.
        self.aws_calls: dict[str, set[tuple[str, str, str]]] = {}
        self._current = threading.local()
        import boto3

        events = boto3._get_default_session().events
        events.register("before-parameter-build.*.*", self._record_call)
        # First: botocore takes the first answer to before-send, and moto's in-process mock (tests)
        # answers that event too.
        events.register_first("before-send.dynamodb", self._throttle_dynamodb)

    def name_of(self, arn: str) -> str | None:
        return self.functions.get(arn)

    def deploy(self, arn: str, name: str, environment: Mapping[str, str]) -> None:
        """A function another deployment created (the deploy rehearsal's): its ARN runs handler
        `name` with the environment variables of its definition, as it would in AWS."""
        with self._lock:
            self.functions[arn] = name
            self.environments[arn] = dict(environment)

    def handler(self, name: str) -> Handler:
        loaded = self._handlers.get(name)  # once loaded, read without the lock: entries only get added
        if loaded is not None:
            return loaded
        with self._lock:
            if name not in self._handlers:
                module = importlib.import_module(f"aicc.handlers.{name}")
                self._handlers[name] = module.handler
            return self._handlers[name]

    def invoke(self, arn: str, event: dict[str, Any], timeout: float, response_type: str) -> dict[str, Any]:
        name = self.functions.get(arn)
        if name is None:
            raise LambdaInvokeError("NotFound", f"no function {arn}")
        return self.invoke_named(name, event, timeout, response_type, arn=arn)

    def invoke_named(
        self, name: str, event: dict[str, Any], timeout: float, response_type: str, *, arn: str = ""
    ) -> dict[str, Any]:
        """Invoke as a flow's block does: the answer checked against `response_type`. `arn`: the
        function invoked, whose deployed environment (`deploy`) the handler then runs with."""
        environment = self.environments.get(arn)
        with _environment(environment) if environment is not None else nullcontext():
            result = self.run(name, event, timeout)
        if self.faults.get(name) == "bad_response":
            result = {"nested": {"not": "flat"}}
        elif name in self.overrides and isinstance(result, dict):
            result = {**result, **self.overrides[name]}
        return validate_response(name, result, response_type)

    def run(self, name: str, event: dict[str, Any], timeout: float) -> Any:
        """The handler's answer, whatever it is, within `timeout` seconds from its start; injected
        faults apply. LambdaInvokeError: TooManyRequestsException (throttled), Timeout, or
        Unhandled (the handler raised: the exception is its __cause__)."""
        fault = self.faults.get(name)
        if fault == "throttle":
            raise LambdaInvokeError("TooManyRequestsException", f"{name} throttled (injected)")
        if fault == "timeout":
            raise LambdaInvokeError("Timeout", f"{name} ran longer than {timeout:g} s (injected)")
        if fault == "error":
            raise LambdaInvokeError("Unhandled", f"{name} failed (injected)")
        handler = self.handler(name)
        context = LambdaContext(local_function_name(name), self._arns.get(name, name), timeout)
        self._take_execution(name)
        run = contextvars.copy_context().run  # keeps the simulated clock inside the worker
        invocation = _Invocation(lambda: run(self._execute, name, handler, event, context))
        handed = time.monotonic()
        try:
            handed_over = self._hand_over(invocation)
        except RuntimeError as no_thread:  # no thread for a new environment: the machine's limit
            self._end_execution(name)
            raise LambdaInvokeError(
                "Unhandled", f"{name}: no execution environment started ({no_thread})"
            ) from no_thread
        if not handed_over:
            self._end_execution(name)
            raise LambdaInvokeError("Unhandled", f"{name}: the local stack is stopping")
        # One wake-up when the handler ends in time. The handler starts after `handed`, so its limit
        # ends after handed + timeout: only then is the start looked at, to wait the rest of it.
        wait = timeout
        while not invocation.done.acquire(timeout=max(0.0, wait)):
            now = time.monotonic()
            if invocation.started:  # the time limit runs from the handler's start, as Lambda's Duration does
                wait = invocation.started + timeout - now
                if wait <= 0:
                    raise LambdaInvokeError("Timeout", f"{name} ran longer than {timeout:g} s")
            elif now - handed >= START_SECONDS:
                raise LambdaInvokeError("Timeout", f"{name} did not start within {START_SECONDS:g} s")
            else:
                wait = min(timeout, handed + START_SECONDS - now)
        if invocation.error is not None:
            exc = invocation.error
            raise LambdaInvokeError("Unhandled", f"{name} raised {type(exc).__name__}: {exc}") from exc
        return invocation.result

    def _hand_over(self, invocation: _Invocation) -> bool:
        """Give the invocation to an idle warm environment, or to a new one; False once closed."""
        with self._environments:
            if self._closed:
                return False
            environment = self._idle.pop() if self._idle else None
        if environment is None:
            environment = _Environment(self._park)
            environment.start()
        environment.give(invocation)
        return True

    def _park(self, environment: _Environment) -> bool:
        """An environment done with its invocation waits for the next; False: it ends (the stack is
        closed, or enough wait already: an invocation that came while this one's execution was
        already uncounted but the environment not yet idle started another, so idle ones are capped
        at the concurrency)."""
        with self._environments:
            keep = not self._closed and len(self._idle) < self.unreserved + sum(self.reserved.values())
            if keep:
                self._idle.append(environment)
            return keep

    def _take_execution(self, name: str) -> None:
        """Count an execution in flight, or throttle it as Lambda does beyond the concurrency."""
        with self._executions:
            limit = self.reserved.get(name)
            if limit is None:
                limit = self.unreserved
                in_flight = sum(self.running.values())
                if self.reserved:
                    in_flight -= sum(self.running[f] for f in self.reserved)
            else:
                in_flight = self.running[name]
            if in_flight >= limit:
                self.throttled[name] += 1
                raise LambdaInvokeError(
                    "TooManyRequestsException", f"{name}: {in_flight} executions in flight, the limit"
                )
            self.running[name] += 1

    def _end_execution(self, name: str) -> None:
        with self._executions:
            self.running[name] -= 1

    def _execute(self, name: str, handler: Handler, event: dict[str, Any], context: LambdaContext) -> Any:
        """In the worker: the handler, whose execution stays counted until it returns (a handler
        Connect gave up on keeps its environment busy, as in AWS)."""
        context._started = time.monotonic()
        self._current.name = name
        try:
            return handler(event, context)
        finally:
            self._current.name = None
            self._end_execution(name)

    def _record_call(self, params: Mapping[str, Any], model: Any, **_: Any) -> None:
        name = getattr(self._current, "name", None)
        if name is None:
            return
        service = model.service_model.endpoint_prefix
        if "RequestItems" in params:  # BatchGetItem / BatchWriteItem name their tables there
            resources = [str(t) for t in params["RequestItems"]]
        else:
            resource = str(params.get("TableName") or params.get("TopicArn") or params.get("Bucket") or "*")
            if params.get("IndexName"):
                resource += f"/index/{params['IndexName']}"
            resources = [resource]
        calls = self.aws_calls.setdefault(name, set())
        calls.update((service, model.name, r) for r in resources)

    def _throttle_dynamodb(self, request: Any = None, **_: Any) -> Any:
        """`before-send` hook: while the fault is on, a handler's DynamoDB request gets DynamoDB's
        own 400 ProvisionedThroughputExceededException instead of reaching the endpoint. botocore
        then retries it under the client's retry config, and the handler sees the real ClientError
        once the attempts are spent, exactly as with a throttled table in AWS. Requests from other
        threads (the engine, the CLI, seeding) are left alone."""
        if "dynamodb" not in self.service_faults or getattr(self._current, "name", None) is None:
            return None
        from botocore.awsrequest import AWSResponse, HTTPHeaders

        with self._lock:
            self.service_fault_hits["dynamodb"] += 1
        headers = HTTPHeaders()
        headers["x-amzn-RequestId"] = str(uuid.uuid4())
        headers["Content-Type"] = "application/x-amz-json-1.0"
        body = json.dumps(_THROTTLE_BODY).encode("utf-8")
        return AWSResponse(getattr(request, "url", ""), 400, headers, _RawBody(body))

    def close(self) -> None:
        """Refuse new invocations and let the idle environments end (busy ones end after their
        handler)."""
        with self._environments:
            self._closed = True
            idle, self._idle[:] = list(self._idle), []
        for environment in idle:
            environment.give(None)
        import boto3

        boto3._get_default_session().events.unregister("before-send.dynamodb", self._throttle_dynamodb)
        if isinstance(sys.stdout, _WorkerOutputFilter):
            sys.stdout = self._stdout


class _WorkerOutputFilter(io.TextIOBase):
    """sys.stdout stand-in: text written by Lambda worker threads (Powertools' EMF metric lines and
    logs, which go to stdout as in AWS) is dropped; everything else reaches the real stdout.

    Routing by thread, not by swapping sys.stdout per call, keeps a handler that outlives its
    timeout from swallowing the CLI's own output."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def write(self, text: str) -> int:
        if threading.current_thread().name.startswith(_WORKER_PREFIX):
            return len(text)
        written: int = self.real.write(text)
        return written

    def flush(self) -> None:
        self.real.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno... of the real stream
        return getattr(self.real, name)


_WORKER_PREFIX = "aicc-lambda"


class _Invocation:
    """One invocation handed to an environment: what to run, when it started, and its outcome.
    `done` is held until the outcome is there (a bare lock: the cheapest wake-up between threads)."""

    __slots__ = ("call", "done", "error", "result", "started")

    def __init__(self, call: Callable[[], Any]) -> None:
        self.call = call
        self.started = 0.0  # time.monotonic() when the handler started; 0 until then
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Lock()
        self.done.acquire()


class _Environment(threading.Thread):
    """A warm execution environment: a worker thread that runs one invocation at a time, then waits
    among the idle ones (`park`) for the next; it ends when given None or when `park` refuses it."""

    _count = itertools.count(1)

    def __init__(self, park: Callable[[_Environment], bool]) -> None:
        super().__init__(name=f"{_WORKER_PREFIX}_{next(_Environment._count)}", daemon=True)
        self._park = park
        self._next: _Invocation | None = None
        self._given = threading.Lock()
        self._given.acquire()

    def give(self, invocation: _Invocation | None) -> None:
        self._next = invocation
        self._given.release()

    def run(self) -> None:
        while True:
            self._given.acquire()
            invocation, self._next = self._next, None
            if invocation is None:
                return
            invocation.started = time.monotonic()
            try:
                invocation.result = invocation.call()
            except BaseException as exc:  # reported to the invoker, as Lambda reports a crash
                invocation.error = exc
            parked = self._park(self)  # before the invoker wakes: its next invocation finds it idle
            invocation.done.release()
            if not parked:
                return


class _RawBody:
    """The `raw` of a botocore AWSResponse: the body as one chunk."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _size_bound(result: dict[Any, Any]) -> int | None:
    """At least the bytes of `result` as JSON (json.dumps with ensure_ascii=False, in UTF-8) for a
    flat map of texts and nulls (every STRING_MAP answer); None for anything else, or for a text
    UTF-8 cannot encode (a lone surrogate, on which the encoding fails). JSON writes a character in
    at most 6 bytes (an escape such as \\u001f; UTF-8 takes at most 4), and an entry adds at most
    10: the key's quotes, ": ", the value's quotes or "null", and ", "."""
    bound = 2  # {}
    for k, v in result.items():
        if type(k) is not str or not (v is None or type(v) is str):
            return None
        if not _encodable(k) or (v is not None and not _encodable(v)):
            return None
        bound += 6 * (len(k) + len(v or "")) + 10
    return bound


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_response(name: str, result: Any, response_type: str) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise LambdaInvokeError("InvalidResponse", f"{name} returned {type(result).__name__}, not an object")
    bound = _size_bound(result)
    # The size only when it may be over the limit: measuring every answer cost more than the check.
    size = (
        0
        if bound is not None and bound < MAX_RESPONSE_BYTES
        else len(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    )
    if size >= MAX_RESPONSE_BYTES:
        raise LambdaInvokeError(
            "InvalidResponse", f"{name} returned {size} bytes; Connect accepts under 32 KB"
        )
    if response_type == "STRING_MAP":
        for k, v in result.items():
            if not isinstance(k, str) or not _KEY.match(k):
                raise LambdaInvokeError(
                    "InvalidResponse", f"{name} returned key {k!r}: only letters, digits, - and _"
                )
            if v is not None and not isinstance(v, str):
                raise LambdaInvokeError(
                    "InvalidResponse", f"{name} returned {k}={v!r}: STRING_MAP values must be strings"
                )
        return {k: v for k, v in result.items() if v is not None}
    return result
