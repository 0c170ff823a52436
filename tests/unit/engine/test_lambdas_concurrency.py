"""The in-process Lambdas' concurrency, as AWS Lambda's: an execution environment per invocation in
flight (none waits for another to finish), throttling beyond the account's or the function's
reserved concurrency, and a block's time limit counted from when the handler starts."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from aicc_ops.engine import lambdas
from aicc_ops.engine.lambdas import LambdaInvokeError, LocalLambdas

SLOW, OTHER = "probe_slow", "probe_other"


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Handlers block until the test opens the gate (or 10 s pass: a failing test still ends)."""
    opened = threading.Event()
    yield opened
    opened.set()


def install(
    monkeypatch: pytest.MonkeyPatch, name: str, handler: Callable[[dict[str, Any], Any], Any]
) -> None:
    module = types.ModuleType(f"aicc.handlers.{name}")
    module.handler = handler  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, f"aicc.handlers.{name}", module)


@pytest.fixture
def make(monkeypatch: pytest.MonkeyPatch, gate: threading.Event) -> Iterator[Callable[..., LocalLambdas]]:
    started = threading.Semaphore(0)

    def blocked(event: dict[str, Any], context: Any) -> dict[str, str]:
        started.release()
        gate.wait(10)
        return {"ok": "yes"}

    install(monkeypatch, SLOW, blocked)
    install(monkeypatch, OTHER, blocked)
    made: list[LocalLambdas] = []

    def build(**options: Any) -> LocalLambdas:
        local = LocalLambdas({f"arn:{SLOW}": SLOW, f"arn:{OTHER}": OTHER}, **options)
        local.started = started  # type: ignore[attr-defined]
        made.append(local)
        return local

    yield build
    gate.set()
    for local in made:
        local.close()


def run_in_background(pool: ThreadPoolExecutor, local: LocalLambdas, name: str) -> Any:
    future = pool.submit(local.invoke_named, name, {}, 8, "STRING_MAP")
    assert local.started.acquire(timeout=10)  # type: ignore[attr-defined]  # its handler runs
    return future


def test_beyond_the_account_concurrency_an_invocation_is_throttled(
    make: Callable[..., LocalLambdas], gate: threading.Event
) -> None:
    local = make(concurrency=2)
    with ThreadPoolExecutor(4) as pool:
        running = [run_in_background(pool, local, SLOW), run_in_background(pool, local, OTHER)]

        with pytest.raises(LambdaInvokeError) as refused:
            local.invoke_named(SLOW, {}, 8, "STRING_MAP")
        assert refused.value.kind == "TooManyRequestsException"
        assert local.throttled[SLOW] == 1

        gate.set()
        assert [f.result(10) for f in running] == [{"ok": "yes"}, {"ok": "yes"}]
    assert local.invoke_named(SLOW, {}, 8, "STRING_MAP") == {"ok": "yes"}  # capacity is back


def test_a_reserved_function_has_its_own_concurrency_and_leaves_the_rest_to_others(
    make: Callable[..., LocalLambdas], gate: threading.Event
) -> None:
    local = make(concurrency=3, reserved={SLOW: 1})
    with ThreadPoolExecutor(4) as pool:
        running = [run_in_background(pool, local, SLOW)]
        with pytest.raises(LambdaInvokeError, match="TooManyRequestsException"):
            local.invoke_named(SLOW, {}, 8, "STRING_MAP")  # its one reserved execution is busy
        running += [run_in_background(pool, local, OTHER), run_in_background(pool, local, OTHER)]
        with pytest.raises(LambdaInvokeError, match="TooManyRequestsException"):
            local.invoke_named(OTHER, {}, 8, "STRING_MAP")  # the unreserved two are busy
        gate.set()
        assert all(f.result(10) == {"ok": "yes"} for f in running)


def test_reserving_more_than_the_account_has_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds the account's 10"):
        LocalLambdas({}, concurrency=10, reserved={SLOW: 11})


def test_many_invocations_at_once_each_run_in_their_own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """60 handlers that can only finish once all 60 run at the same time (a barrier): with a pool of
    a few workers, the barrier breaks after its 30 s and every invocation fails."""
    together = threading.Barrier(60, timeout=30)
    install(monkeypatch, SLOW, lambda event, context: (together.wait(), {"ok": "yes"})[1])
    local = LocalLambdas({f"arn:{SLOW}": SLOW})
    try:
        with ThreadPoolExecutor(60) as pool:
            answers = list(pool.map(lambda _: local.invoke_named(SLOW, {}, 60, "STRING_MAP"), range(60)))
    finally:
        local.close()
    assert answers == [{"ok": "yes"}] * 60


def test_an_environment_that_cannot_start_fails_the_invocation_and_frees_its_execution(
    make: Callable[..., LocalLambdas], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No thread for a new environment (the machine's limit): the flow gets Lambda's error, not a
    crash, and the execution is not counted for ever (the function would stay throttled)."""
    local = make(concurrency=1)

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(lambdas._Environment, "start", no_thread)
    with pytest.raises(LambdaInvokeError) as failed:
        local.invoke_named(SLOW, {}, 8, "STRING_MAP")
    assert failed.value.kind == "Unhandled"
    assert local.running[SLOW] == 0


def test_idle_environments_never_outnumber_the_concurrency(make: Callable[..., LocalLambdas]) -> None:
    """An environment done with its invocation ends rather than wait when as many already wait as
    the concurrency allows (an invocation in the hand-off's gap starts another one)."""
    local = make(concurrency=2)
    parked = [local._park(lambdas._Environment(lambda environment: False)) for _ in range(3)]
    assert parked == [True, True, False]
    assert len(local._idle) == 2


def test_a_handler_past_its_limit_times_out_and_keeps_its_environment_busy(
    make: Callable[..., LocalLambdas], gate: threading.Event
) -> None:
    """The invoker gets Timeout while the handler still runs; its execution stays counted until
    the handler returns, as an environment Connect gave up on stays busy in AWS."""
    local = make(concurrency=1)
    with pytest.raises(LambdaInvokeError) as late:
        local.invoke_named(SLOW, {}, 0.2, "STRING_MAP")
    assert late.value.kind == "Timeout"
    assert local.running[SLOW] == 1  # the handler has not returned: the gate is closed
    with pytest.raises(LambdaInvokeError, match="TooManyRequestsException"):
        local.invoke_named(OTHER, {}, 8, "STRING_MAP")
    gate.set()
    for _ in range(1000):  # the handler returns now (10 s at most)
        if not local.running[SLOW]:
            break
        threading.Event().wait(0.01)
    assert local.invoke_named(OTHER, {}, 8, "STRING_MAP") == {"ok": "yes"}


def test_an_environment_is_reused_warm_and_reports_the_handlers_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[str] = []

    def probe(event: dict[str, Any], context: Any) -> dict[str, str]:
        threads.append(threading.current_thread().name)
        if event.get("fail"):
            raise KeyError("boom")
        return {"ok": "yes"}

    install(monkeypatch, SLOW, probe)
    local = LocalLambdas({f"arn:{SLOW}": SLOW})
    try:
        for _ in range(3):
            assert local.invoke_named(SLOW, {}, 8, "STRING_MAP") == {"ok": "yes"}
        with pytest.raises(LambdaInvokeError) as failed:
            local.invoke_named(SLOW, {"fail": True}, 8, "STRING_MAP")
    finally:
        local.close()
    assert failed.value.kind == "Unhandled" and isinstance(failed.value.__cause__, KeyError)
    assert len(set(threads)) == 1 and threads[0] != threading.current_thread().name  # one warm worker
    with pytest.raises(LambdaInvokeError, match="stopping"):
        local.invoke_named(SLOW, {}, 8, "STRING_MAP")
