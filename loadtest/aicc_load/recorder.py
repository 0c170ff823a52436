"""The common client of the load tests: what a caller goes through becomes Locust request records.

Locust counts and times whatever fires its `request` event, so each scenario reports through one
Recorder, with one request type per kind of record:

    step   one flow step as the caller lives it: from dialling or answering until the flows ask
           the next question or are done with the call (calls), or one Lambda invocation (lambdas).
           The step latency SLOs (p95, p99) are computed over these.
    call   the whole call, from dialling to hanging up, named after its flow of the mix; it fails
           when anything in it failed (a step, a Lambda error branch, a silent drop, an API error).
           The failure ratio and the calls completed are counted over these.
    lambda a handler's duration inside a call, as the local stack measured it (calls).
    queue  the wait for an agent, named `<queue> (answered)` or `<queue> (abandoned)`.
    ring   how long the call rang before the flows took it (stacks that admit calls as a carrier
           does: callers beyond what they serve at once wait ringing).

Requests that are only plumbing (polling a call's state) are not records. The calls in progress
are counted too (InFlight): their peak is the run's max_concurrent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STEP, CALL, LAMBDA, QUEUE, RING = "step", "call", "lambda", "queue", "ring"


class CallError(Exception):
    """Why a step or a call failed, as Locust lists it in its failures report."""

    def __repr__(self) -> str:  # Locust's reports show the repr: the reason, not the class
        return str(self)


class InFlight:
    """The calls in progress in this process, and the most there were at once."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0  # since the start
        self.window_peak = 0  # since the last report to the master

    def enter(self) -> None:
        self.current += 1
        self.peak = max(self.peak, self.current)
        self.window_peak = max(self.window_peak, self.current)

    def leave(self) -> None:
        self.current -= 1

    def take_window(self) -> int:
        """The peak since the last call, and a new window starting at the current count."""
        peak, self.window_peak = self.window_peak, self.current
        return peak


IN_FLIGHT = InFlight()


class Recorder:
    def __init__(self, request_event: Any) -> None:
        self._event = request_event  # environment.events.request

    def record(
        self, kind: str, name: str, elapsed_ms: float, error: str | None = None, length: int = 0
    ) -> None:
        self._event.fire(
            request_type=kind,
            name=name,
            response_time=elapsed_ms,
            response_length=length,
            response=None,
            context={},
            exception=CallError(error) if error else None,
        )

    @contextmanager
    def call(self, name: str) -> Iterator[CallRecord]:
        """A whole call: recorded when the block ends, failed if any failure was noted or it raised.
        A call cut off by the end of the run (the greenlet killed) is not recorded: it was not
        finished, so it is neither completed nor failed."""
        record = CallRecord(self)
        IN_FLIGHT.enter()
        try:
            yield record
        except CallError as exc:
            record.fail(str(exc))
        except Exception as exc:  # a bug in the scenario must show, not stop the simulated caller
            record.fail(f"{type(exc).__name__}: {exc}")
        finally:
            IN_FLIGHT.leave()
        self.record(CALL, name, record.elapsed_ms(), "; ".join(record.failures) or None)


class CallRecord:
    """One call in progress: its steps are recorded as they happen, its failures collected."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.started = time.perf_counter()
        self.failures: list[str] = []

    def elapsed_ms(self, since: float | None = None) -> float:
        return (time.perf_counter() - (self.started if since is None else since)) * 1000

    def step(self, name: str, elapsed_ms: float, error: str | None = None, length: int = 0) -> None:
        self.recorder.record(STEP, name, elapsed_ms, error, length)
        if error:
            self.fail(error)

    def fail(self, error: str) -> None:
        if error not in self.failures:
            self.failures.append(error)
