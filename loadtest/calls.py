"""Locust scenario `calls`: callers dial the local stack through its call API and live their calls.

Run it with `aicc-ops loadtest run --scenario calls` (docs/loadtest.md), which writes the plan:
the demo scenarios sorted into the mix (general, MSP general, after hours, emergency...), each
caller with the number, time and answers of its scenario.

A caller dials (POST /calls, live input), waits until the flows ask something, thinks, answers
with the scenario's answer to that question (now and then first a silence, a request to repeat or
a lone #, as people do; aicc_load/answers.py), and so on until the flows are done: a queue, a
callback, a closing message. Each
of those waits is a step. In a queue it waits for a simulated agent, at most its patience, talks
for the talk time, and the call ends. The call fails when a step fails or times out, the flows
took a Lambda's error branch, the caller was dropped without a word, or the API refused.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from typing import Any

from aicc_load import call_api, report
from aicc_load.answers import ScriptedAnswers
from aicc_load.call_api import KeepAliveCallClient
from aicc_load.callers import CallerUser, current_plan
from aicc_load.plan import CallScript
from aicc_load.recorder import LAMBDA, QUEUE, RING, CallError, CallRecord
from aicc_load.shape import ProfileShape
from locust import events
from locust.runners import WorkerRunner

from aicc_ops.local.call_client import CallApiError

__all__ = ["CallApiCaller", "ProfileShape"]

report.register(events)

DONE_WITH_IVR = ("queued", "connected", "ended")
MISTAKES = ("silence", "*", "#")  # no answer in time, "repeat that", a # without digits
# Questions the caller has no answer to (answered with silence) before it gives up on flows that
# keep asking: the flows give a question three tries, and a caller whose mistakes used up a
# question's tries may meet up to three such questions (speech, digits, a menu) before an agent.
UNANSWERED_LIMIT = 9
POLL_FIRST, POLL_FACTOR, POLL_MAX = 0.005, 1.5, 0.25  # seconds: a step's end is seen this soon
QUEUE_POLL = 0.5
POLL_RETRIES = 3


def sign_in_agents(environment: Any, **_: Any) -> None:
    """Every simulated agent available: the callers in the queues are answered."""
    if not isinstance(environment.runner, WorkerRunner):
        call_api.sign_in_agents(_calls_endpoint(environment))


events.test_start.add_listener(sign_in_agents)  # type: ignore[no-untyped-call]  # Locust: untyped


def step_flows(call: dict[str, Any], count: int) -> list[str]:
    """The flow each of the call's first `count` steps ended in: a step ends where the flows next
    wait for the caller (the transcript's next input) or where they finish."""
    names, flow = [], "(no flow yet)"
    for entry in (call.get("call") or {}).get("transcript", []):
        if entry["kind"] == "flow":
            flow = entry["text"]
        elif entry["kind"] == "input":
            names.append(flow)
    return (names + [flow] * count)[:count]


def _calls_endpoint(environment: Any) -> str:
    endpoint = current_plan(environment).target.calls_endpoint
    if not endpoint:
        raise RuntimeError("the plan has no call API endpoint (the calls scenario runs on the local stack)")
    return endpoint


class CallApiCaller(CallerUser):
    def on_start(self) -> None:
        callers = self.plan.callers  # the dial's answer may take the ringing and the first step
        self.api = KeepAliveCallClient(
            _calls_endpoint(self.environment), timeout=callers.ring_s + callers.step_timeout_s + 10
        )

    def on_stop(self) -> None:
        self.api.close()

    def dial(self, call: CallScript, record: CallRecord) -> None:
        callers = self.plan.callers
        started = time.perf_counter()
        try:
            # The stack answers once the first step is over: after the ringing, which is no step.
            answer = self.api.dial(
                call.caller, call.at, callers.talk_s, callers.ring_s + callers.step_timeout_s
            )
        except CallApiError as exc:
            record.step("dial", record.elapsed_ms(started), f"dial: {exc}")
            return
        contact_id, state = answer["contact_id"], answer
        try:
            if answer["state"] == "ringing":  # nobody answered within the caller's patience
                raise CallError(f"the line rang {callers.ring_s:g} s unanswered; the caller hung up")
            state = self.ivr(contact_id, call, record, answer, started)
            if state["state"] != "ended":
                state = self.with_agent(contact_id, state, record)
        except CallApiError as exc:
            record.fail(f"call API: {exc}")
        finally:
            if state["state"] != "ended":
                self.hang_up(contact_id)  # gave up, failed, or cut off by the end of the run

    # ---- the flows ------------------------------------------------------------------------------
    def ivr(
        self, contact_id: str, call: CallScript, record: CallRecord, answer: dict[str, Any], started: float
    ) -> dict[str, Any]:
        """Answer the flows until they are done with the call; its state then, with the transcript.
        Each question gets the scenario's answer to it (answers.py), now and then after a mistake;
        a question the scenario has no answer to gets silence."""
        answers = ScriptedAnswers(call.inputs, call.questions)
        steps: list[tuple[float, str | None]] = []  # each step's time (ms) and failure
        unanswered = 0
        try:
            while True:
                state, ms = self.step_over(contact_id, answer, started, len(steps))
                if ms is None:
                    error = (
                        f"no question, queue or end within {self.plan.callers.step_timeout_s:g} s "
                        f"(the call is {state['state']})"
                    )
                    steps.append((record.elapsed_ms(started), error))
                    raise CallError(error)
                steps.append((ms, None))
                if state["state"] != "waiting_input":
                    break
                question = state.get("prompt") or ""
                if not answers.has_answer(question):
                    unanswered += 1
                    if unanswered > UNANSWERED_LIMIT:
                        raise CallError(
                            f"the flows kept asking: {UNANSWERED_LIMIT} questions the caller had no answer to"
                        )
                self.think()
                if answers.has_answer(question) and self.rng.random() < self.plan.callers.mistakes:
                    value = self.rng.choice(MISTAKES)
                else:
                    value = answers.answer(question) or "silence"
                started = time.perf_counter()
                answer = self.api.answer(contact_id, value, self.plan.callers.step_timeout_s)
        except (CallError, CallApiError):
            with contextlib.suppress(CallApiError):
                self.report_steps(contact_id, steps, record)
            raise
        final = self.report_steps(contact_id, steps, record)
        self.judge(final, record)
        return final

    def step_over(
        self, contact_id: str, answer: dict[str, Any], started: float, sent: int
    ) -> tuple[dict[str, Any], float | None]:
        """The call once the step that `answer` (to the dial or an input) started is over, and the
        step's time in ms (None: not over within the step timeout). A stack that measures its steps
        answered when it was over, with its time; an older one is polled (`sent`: the inputs sent
        so far), and the time is the caller's."""
        steps = answer.get("steps")
        if steps is not None:
            ms = steps[-1]["ms"] if steps else None
            if ms is not None and answer["state"] in (*DONE_WITH_IVR, "waiting_input"):
                return answer, float(ms)
            if answer["state"] in DONE_WITH_IVR:  # done, its last step not closed yet: the caller's time
                return answer, (time.perf_counter() - started) * 1000
            return answer, None
        state = self.next_step(contact_id, started, sent)
        settled = state["state"] in DONE_WITH_IVR or state["state"] == "waiting_input"
        return state, (time.perf_counter() - started) * 1000 if settled else None

    def next_step(self, contact_id: str, since: float, sent: int) -> dict[str, Any]:
        """Poll the call until the flows are done with it, or wait for an input they have not had
        yet (they took every one sent). Polling starts fast and slows down: a step's end is seen
        within half its length, and at most POLL_MAX late."""
        wait = POLL_FIRST
        deadline = since + self.plan.callers.step_timeout_s
        while True:
            state = self.poll(contact_id)
            if state["state"] in DONE_WITH_IVR:
                return state
            used = len((state.get("call") or {}).get("inputs_used", []))
            if state["state"] == "waiting_input" and used >= sent:
                return state
            if time.perf_counter() > deadline:
                return state
            time.sleep(wait)
            wait = min(POLL_MAX, wait * POLL_FACTOR)

    def report_steps(
        self, contact_id: str, steps: list[tuple[float, str | None]], record: CallRecord
    ) -> dict[str, Any]:
        """Record the call's steps, each named after the flow it ended in (the transcript says which),
        and how long the call rang; the call's state with its transcript."""
        final = self.poll(contact_id)
        for (ms, error), flow in zip(steps, step_flows(final, len(steps)), strict=True):
            record.step(flow, ms, error)
        arrived, answered = final.get("arrived_at"), final.get("answered_at")
        if arrived and answered:
            rang = datetime.fromisoformat(answered) - datetime.fromisoformat(arrived)
            record.recorder.record(RING, "until answered", rang.total_seconds() * 1000)
        return final

    def poll(self, contact_id: str, transcript: bool = True) -> dict[str, Any]:
        """The call's state (with its transcript unless told otherwise); a server error (5xx) is
        retried: polling is not part of the call."""
        for attempt in range(POLL_RETRIES):
            try:
                return self.api.get(contact_id, transcript)
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
            state = self.poll(contact_id, transcript=False)  # its state is all it needs
        if state["state"] == "connected":
            record.recorder.record(QUEUE, f"{queue} (answered)", record.elapsed_ms(queued))
        deadline = time.perf_counter() + callers.talk_s + callers.step_timeout_s
        while state["state"] != "ended":
            if time.perf_counter() > deadline:
                raise CallError(f"the agent's talk did not end within {callers.talk_s:g} s")
            time.sleep(QUEUE_POLL)
            state = self.poll(contact_id, transcript=False)  # its state is all it needs
        if state.get("end_reason") != "completed":
            record.fail(f"the call ended in the queue or with the agent: {state.get('end_reason')}")
        return state

    def hang_up(self, contact_id: str) -> None:
        with contextlib.suppress(CallApiError):  # already over, or the stack is gone
            self.api.hang_up(contact_id)
