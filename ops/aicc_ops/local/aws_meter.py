"""What the calls ask of AWS: requests by operation, and the time spent waiting for the endpoint.

Counted with botocore's events on boto3's default session, so every client it creates afterwards
is metered (the handlers', the engine's, the stack's own): `before-send` is the request leaving
the client (each attempt of a retried request counts), `before-parse` its answer arriving. The
time between the two is the endpoint's: moto's work in this process, or the round trip to a moto
server with that server's work. What remains of a call's wall time is the engine's, the handlers'
and botocore's own work (building, signing and parsing requests), as in a Lambda.

Requests made to set a scenario up (agents' statuses a demo call or a test sets and puts back) are
counted apart: they are not the call's.
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


@contextmanager
def counted_as(purpose: str) -> Iterator[None]:
    """Requests made meanwhile (in this context) are counted under `purpose`."""
    token = _purpose.set(purpose)
    try:
        yield
    finally:
        _purpose.reset(token)


@dataclass(frozen=True)
class Reading:
    """Requests by purpose and operation ("dynamodb.UpdateItem"), and seconds in the endpoint."""

    requests: Mapping[str, Counter[str]] = field(default_factory=dict)
    endpoint_seconds: float = 0.0

    def of(self, purpose: str = CALL) -> Counter[str]:
        return self.requests.get(purpose, Counter())

    def __sub__(self, earlier: Reading) -> Reading:
        purposes = set(self.requests) | set(earlier.requests)
        return Reading(
            {p: self.of(p) - earlier.of(p) for p in purposes},
            self.endpoint_seconds - earlier.endpoint_seconds,
        )


class RequestMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[str, Counter[str]] = {}
        self._seconds = 0.0
        self._sent_at = threading.local()
        self._events: Any = None

    def install(self) -> None:
        """Meter the clients boto3's default session creates from now on."""
        import boto3

        self._events = boto3._get_default_session().events
        self._events.register_first("before-send", self._sent)
        self._events.register_last("before-parse", self._answered)

    def uninstall(self) -> None:
        if self._events is not None:
            self._events.unregister("before-send", self._sent)
            self._events.unregister("before-parse", self._answered)
            self._events = None

    def read(self) -> Reading:
        with self._lock:
            return Reading({p: Counter(c) for p, c in self._requests.items()}, self._seconds)

    def _sent(self, event_name: str, **_: Any) -> None:
        operation = event_name.split(".", 1)[1]  # before-send.dynamodb.UpdateItem
        with self._lock:
            self._requests.setdefault(_purpose.get(), Counter())[operation] += 1
        self._sent_at.value = time.perf_counter()

    def _answered(self, **_: Any) -> None:
        elapsed = time.perf_counter() - getattr(self._sent_at, "value", time.perf_counter())
        with self._lock:
            self._seconds += elapsed
