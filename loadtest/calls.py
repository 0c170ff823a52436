"""Locust scenario `calls`: callers dial the local stack through its call API and live their calls.

Run it with `aicc-ops loadtest run --scenario calls` (docs/loadtest.md), which writes the plan:
the demo scenarios sorted into the mix (general, MSP general, after hours, emergency...), each
caller with the number, time and answers of its scenario.

A caller dials (POST /calls, live input), waits until the flows ask something, thinks, answers
with the scenario's next input (now and then first a silence, a request to repeat or a lone #,
as people do), and so on until the flows are done: a queue, a callback, a closing message. Each
of those waits is a step. In a queue it waits for a simulated agent, at most its patience, talks
for the talk time, and the call ends. The call fails when a step fails or times out, the flows
took a Lambda's error branch, the caller was dropped without a word, or the API refused.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from aicc_load import report
from aicc_load.call_api import KeepAliveCallClient
from aicc_load.callers import CallerUser, current_plan
from aicc_load.plan import CallScript
from aicc_load.recorder import LAMBDA, QUEUE, CallError, CallRecord
from aicc_load.shape import ProfileShape
from locust import events
from locust.runners import WorkerRunner

from aicc_ops.local.call_client import CallApiError

__all__ = ["CallApiCaller", "ProfileShape"]

report.register(events)

DONE_WITH_IVR = ("queued", "connected", "ended")
MISTAKES = ("silence", "*", "#")  # no answer in time, "repeat that", a # without digits
EXTRA_SILENCES = 5  # answers of silence once the scenario's inputs are spent, before giving up
POLL_FIRST, POLL_FACTOR, POLL_MAX = 0.005, 1.5, 0.25  # seconds: a step's end is seen this soon
QUEUE_POLL = 0.5
POLL_RETRIES = 3


def sign_in_agents(environment: Any, **_: Any) -> None:
    """Every simulated agent available: the callers in the queues are answered."""
    if isinstance(environment.runner, WorkerRunner):
        return
    client = KeepAliveCallClient(_calls_endpoint(environment))
    try:
        for agent in client.agents():
            if agent["state"] == "OFFLINE":
                client.set_agent(agent["login"], "AVAILABLE")
    finally:
        client.close()


events.test_start.add_listener(sign_in_agents)  # type: ignore[no-untyped-call]  # Locust: untyped


def _calls_endpoint(environment: Any) -> str:
    endpoint = current_plan(environment).target.calls_endpoint
    if not endpoint:
        raise RuntimeError("the plan has no call API endpoint (the calls scenario runs on the local stack)")
    return endpoint


class CallApiCaller(CallerUser):
    def on_start(self) -> None:
        self.api = KeepAliveCallClient(_calls_endpoint(self.environment), timeout=60.0)

    def on_stop(self) -> None:
        self.api.close()

    def dial(self, call: CallScript, record: CallRecord) -> None:
        callers = self.plan.callers
        started = time.perf_counter()
        try:
            placed = self.api.place(call.caller, [], call.at, talk_seconds=callers.talk_s)
        except CallApiError as exc:
            record.step("dial", started, f"dial: {exc}")
            return
        contact_id, state = placed["contact_id"], placed
        try:
            state = self.ivr(contact_id, call, record, started)
            if state["state"] != "ended":
                state = self.with_agent(contact_id, state, record)
        except CallApiError as exc:
            record.fail(f"call API: {exc}")
        finally:
            if state["state"] != "ended":
                self.hang_up(contact_id)  # gave up, failed, or cut off by the end of the run

    # ---- the flows ------------------------------------------------------------------------------
    def ivr(self, contact_id: str, call: CallScript, record: CallRecord, started: float) -> dict[str, Any]:
        """Answer the flows until they are done with the call; the state they left it in."""
        answers = list(call.inputs)
        silences = 0
        consumed: int | None = None  # inputs the flows had taken when they last asked
        while True:
            state = self.next_step(contact_id, consumed, started)
            transcript = state.get("call") or {}
            flow = (transcript.get("flows") or ["(no flow yet)"])[-1]
            if state["state"] not in DONE_WITH_IVR and state["state"] != "waiting_input":
                error = (
                    f"no question, queue or end within {self.plan.callers.step_timeout_s:g} s "
                    f"(the call is {state['state']}, in {flow})"
                )
                record.step(flow, started, error)
                raise CallError(error)
            record.step(flow, started)
            if state["state"] != "waiting_input":
                self.judge(state, record)
                return state
            consumed = len(transcript.get("inputs_used", []))
            if not answers:
                silences += 1
                if silences > EXTRA_SILENCES:
                    raise CallError(
                        f"the flows kept asking after the scenario's answers and {EXTRA_SILENCES} silences"
                    )
            self.think()
            if answers and self.rng.random() < self.plan.callers.mistakes:
                value = self.rng.choice(MISTAKES)
            else:
                value = answers.pop(0) if answers else "silence"
            started = time.perf_counter()
            self.api.send_input(contact_id, value)

    def next_step(self, contact_id: str, consumed: int | None, since: float) -> dict[str, Any]:
        """Poll the call until the flows are done with it, or wait for the caller once they took
        the last answer (`consumed`: how many inputs they had then; None before the first). Polling
        starts fast and slows down: a step's end is seen within half its length, at most POLL_MAX."""
        wait = POLL_FIRST
        deadline = since + self.plan.callers.step_timeout_s
        while True:
            state = self.poll(contact_id)
            if state["state"] in DONE_WITH_IVR:
                return state
            used = len((state.get("call") or {}).get("inputs_used", []))
            if state["state"] == "waiting_input" and (consumed is None or used > consumed):
                return state
            if time.perf_counter() > deadline:
                return state
            time.sleep(wait)
            wait = min(POLL_MAX, wait * POLL_FACTOR)

    def poll(self, contact_id: str) -> dict[str, Any]:
        """The call's state; a server error (5xx) is retried: polling is not part of the call."""
        for attempt in range(POLL_RETRIES):
            try:
                return self.api.get(contact_id)
            except CallApiError as exc:
                if exc.status < 500 or attempt == POLL_RETRIES - 1:
                    raise
                time.sleep(POLL_FIRST)
        raise AssertionError("unreachable")

    def judge(self, state: dict[str, Any], record: CallRecord) -> None:
        """What the flows did to the caller, from the call's transcript."""
        transcript = state.get("call") or {}
        for invoked in transcript.get("lambda_calls", []):
            error = invoked.get("error")
            record.recorder.record(LAMBDA, invoked["function"], float(invoked["duration_ms"]), error)
            if error:
                record.fail(f"λ {invoked['function']}: {error} (the flow took its error branch)")
        if state.get("error"):
            record.fail(f"call error: {state['error']}")
        if transcript.get("dropped_silently"):
            record.fail("the caller was dropped without a word")

    # ---- the queue and the agent ------------------------------------------------------------------
    def with_agent(self, contact_id: str, state: dict[str, Any], record: CallRecord) -> dict[str, Any]:
        """Wait for an agent (at most the patience), talk, and the state the call ends in."""
        callers = self.plan.callers
        queued = time.perf_counter()
        queue = state.get("queue") or "?"
        while state["state"] == "queued":
            if time.perf_counter() - queued > callers.patience_s:
                record.recorder.record(QUEUE, f"{queue} (abandoned)", record.elapsed_ms(queued))
                return state  # the caller hangs up (dial's finally)
            time.sleep(QUEUE_POLL)
            state = self.poll(contact_id)
        if state["state"] == "connected":
            record.recorder.record(QUEUE, f"{queue} (answered)", record.elapsed_ms(queued))
        deadline = time.perf_counter() + callers.talk_s + callers.step_timeout_s
        while state["state"] != "ended":
            if time.perf_counter() > deadline:
                raise CallError(f"the agent's talk did not end within {callers.talk_s:g} s")
            time.sleep(QUEUE_POLL)
            state = self.poll(contact_id)
        if state.get("end_reason") != "completed":
            record.fail(f"the call ended in the queue or with the agent: {state.get('end_reason')}")
        return state

    def hang_up(self, contact_id: str) -> None:
        with contextlib.suppress(CallApiError):  # already over, or the stack is gone
            self.api.hang_up(contact_id)
