"""What the calls ask of AWS: requests by operation, the time spent waiting for the endpoint, and
the time botocore spends on each request in the client.

Counted with botocore's events on boto3's default session, so every client it creates afterwards
is metered (the handlers', the engine's, the stack's own):

- `before-send` is a request leaving the client (each attempt of a retried request counts), and
  `before-parse` its answer arriving: the time between the two is the endpoint's, moto's work in
  this process or the round trip to a moto server with that server's work;
- an API call is timed whole, from the client's `_make_api_call` to its answer or its error (a
  first base class given to each client class created, through botocore's `creating-client-class`
  event): that time, less the endpoint's, is botocore's own work on the request (its context,
  validating, serializing and signing the request, parsing the answer, the retry bookkeeping,
  raising a ClientError), which a handler's SDK does in AWS as well. Its events leave ~30 µs of a
  request's work outside them (before `before-parameter-build`, after `after-call`).

The local stand-ins for AWS's AI services (the Lex bot's NLU, the offline sentiment model where
AWS has Comprehend) time their work with `stand_in()`: in AWS that is the service's time, not the
call logic's.

What remains of a call's wall time is the flow engine's and the handlers' own work.

Requests made to set a scenario up (agents' statuses a demo call or a test sets and puts back) are
counted apart, and the set-up's wall time too: they are not the call's.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

CALL, SETUP = "call", "setup"
# Why the requests of this context are made; Lambda workers run in a copy of the caller's context.
_purpose: ContextVar[str] = ContextVar("aicc_aws_purpose", default=CALL)


@dataclass(frozen=True)
class Reading:
    """Requests by purpose and operation ("dynamodb.UpdateItem"), and seconds by kind and purpose:
    ("endpoint", purpose), ("api", purpose) (botocore's API calls, the endpoint's time included),
    ("stand_in", purpose) (the local AI stand-ins' work) and ("setup", SETUP) (a set-up's wall
    time, all of it)."""

    requests: Mapping[str, Counter[str]] = field(default_factory=dict)
    seconds: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def of(self, purpose: str = CALL) -> Counter[str]:
        return self.requests.get(purpose, Counter())

    def endpoint(self, purpose: str = CALL) -> float:
        """Seconds the requests spent in the endpoint."""
        return self.seconds.get(("endpoint", purpose), 0.0)

    def client(self, purpose: str = CALL) -> float:
        """botocore's own work on the requests: their API calls less the endpoint's time."""
        return self.seconds.get(("api", purpose), 0.0) - self.endpoint(purpose)

    def stand_in(self, purpose: str = CALL) -> float:
        """Seconds the local stand-ins for Lex's NLU and Comprehend worked."""
        return self.seconds.get(("stand_in", purpose), 0.0)

    @property
    def setup(self) -> float:
        return self.seconds.get(("setup", SETUP), 0.0)

    def __sub__(self, earlier: Reading) -> Reading:
        purposes = set(self.requests) | set(earlier.requests)
        kinds = set(self.seconds) | set(earlier.seconds)
        return Reading(
            {p: self.of(p) - earlier.of(p) for p in purposes},
            {k: self.seconds.get(k, 0.0) - earlier.seconds.get(k, 0.0) for k in kinds},
        )


class RequestMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[str, Counter[str]] = {}
        self._seconds: dict[tuple[str, str], float] = {}
        self._started = threading.local()  # per thread: when its request began
        self._events: Any = None
        self._timed_base = _timed_base(self)

    def install(self) -> None:
        """Meter the clients boto3's default session creates from now on."""
        import boto3

        self._events = boto3._get_default_session().events
        self._events.register("creating-client-class", self._timed_class)
        self._events.register_first("before-send", self._sent)
        self._events.register_last("before-parse", self._answered)

    def uninstall(self) -> None:
        if self._events is not None:
            self._events.unregister("creating-client-class", self._timed_class)
            self._events.unregister("before-send", self._sent)
            self._events.unregister("before-parse", self._answered)
            self._events = None

    def read(self) -> Reading:
        with self._lock:
            return Reading({p: Counter(c) for p, c in self._requests.items()}, dict(self._seconds))

    @contextmanager
    def counted_as(self, purpose: str) -> Iterator[None]:
        """Requests made meanwhile (in this context) are counted under `purpose`; a set-up's wall
        time is kept too."""
        started = time.perf_counter()
        with counted_as(purpose):
            yield
        if purpose == SETUP:
            self._add("setup", time.perf_counter() - started)

    @contextmanager
    def stand_in(self) -> Iterator[None]:
        """Time the work of a local stand-in for an AWS AI service (Lex's NLU, Comprehend)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self._add("stand_in", time.perf_counter() - started)

    def _add(self, kind: str, seconds: float) -> None:
        purpose = SETUP if kind == "setup" else _purpose.get()
        with self._lock:
            self._seconds[kind, purpose] = self._seconds.get((kind, purpose), 0.0) + seconds

    def _timed_class(self, base_classes: list[type], **_: Any) -> None:
        base_classes.insert(0, self._timed_base)

    def _sent(self, event_name: str, **_: Any) -> None:
        operation = event_name.split(".", 1)[1]  # before-send.dynamodb.UpdateItem
        with self._lock:
            self._requests.setdefault(_purpose.get(), Counter())[operation] += 1
        self._started.request = time.perf_counter()

    def _answered(self, **_: Any) -> None:
        started = getattr(self._started, "request", None)
        if started is not None:
            self._add("endpoint", time.perf_counter() - started)


def _timed_base(meter: RequestMeter) -> type:
    """The first base of the client classes created while `meter` is installed: each API call's
    time, whole, added to the meter's under the purpose of its context."""

    class Timed:
        def _make_api_call(self, operation_name: str, api_params: Any) -> Any:
            started = time.perf_counter()
            try:
                return super()._make_api_call(operation_name, api_params)  # type: ignore[misc]
            finally:
                meter._add("api", time.perf_counter() - started)

    return Timed


@contextmanager
def counted_as(purpose: str) -> Iterator[None]:
    """Requests made meanwhile (in this context) are counted under `purpose`."""
    token = _purpose.set(purpose)
    try:
        yield
    finally:
        _purpose.reset(token)
