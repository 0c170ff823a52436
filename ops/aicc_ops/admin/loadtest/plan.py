"""The plan of a load run: what the simulated callers do, written to plan.json for Locust.

The callers are the local stack's demo scenarios (local/scenarios.py), never restated: each is run
once through the flows offline (the engine, the real handlers, moto), which tells the flows it goes
through, so the mix file can sort it (mix.classify), and records every Lambda invocation its call
makes: the handler, the block and its time limit, and the real Connect event the block sends. The
calls scenario replays the caller's answers through the call API; the lambdas scenario replays the
invocations against the target's functions.

Scenarios that inject faults or set agents busy are left out: on a shared stack they would change
the conditions of every other caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import LoadTestError
from .mix import MixEntry, classify

CHANGES_THE_STACK = "their faults or busy agents would change every other call"
IN_NO_ENTRY = "their flows are in no entry of the mix"


@dataclass(frozen=True)
class Recorded:
    """One invocation seen offline."""

    handler: str
    event: dict[str, Any]
    limit_s: float
    response_type: str


@dataclass(frozen=True)
class Callers:
    """How the simulated callers behave (the plan's `callers`)."""

    think_s: tuple[float, float] = (1.0, 3.0)
    talk_s: float = 5.0
    patience_s: float = 30.0
    mistakes: float = 0.05
    step_timeout_s: float = 30.0
    # How long a caller lets the line ring before hanging up: the local stack answers calls at its
    # answer rate, so a burst rings (docs/local-stack.md, admission); ringing is no flow step.
    ring_s: float = 120.0

    def to_json(self) -> dict[str, Any]:
        return {
            "think_s": list(self.think_s),
            "talk_s": self.talk_s,
            "patience_s": self.patience_s,
            "mistakes": self.mistakes,
            "step_timeout_s": self.step_timeout_s,
            "ring_s": self.ring_s,
        }

    def longest_call_s(self) -> float:
        """An upper bound of a call's length once it dialled in: what the drain may wait for."""
        return self.ring_s + self.patience_s + self.talk_s + 2 * self.step_timeout_s


def paging_handlers() -> set[str]:
    """Handlers that page people (functions.yaml `pages: true`): SMS, and Connect outbound calls
    (StartOutboundVoiceContact) to engineers who are not signed in."""
    from aicc.settings import config_dir

    data = yaml.safe_load((config_dir() / "functions.yaml").read_text(encoding="utf-8"))
    return {name for name, spec in (data.get("functions") or {}).items() if (spec or {}).get("pages")}


def demo_calls(
    mix: Sequence[MixEntry], leave_out: Collection[str] = ()
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Every usable demo scenario run offline: (the mix's entries with their calls, the scenarios
    left out by why). Invocations of `leave_out` handlers are dropped from the calls' recordings."""
    from ...engine.flows import load_catalog
    from ...local.scenarios import DEMO_CALLS, run_call
    from ...local.stack import local_stack

    names = {key: d.name for key, d in load_catalog().items()}
    by_entry: dict[str, list[dict[str, Any]]] = {e.name: [] for e in mix}
    skipped: dict[str, list[str]] = {}
    with local_stack() as stack:
        for demo in DEMO_CALLS:
            if demo.faults or demo.agent_status:
                skipped.setdefault(CHANGES_THE_STACK, []).append(demo.name)
                continue
            with recording(stack.lambdas) as seen:
                result = run_call(stack, demo)
            entry = classify(result.flows, mix, names)
            if entry is None:
                skipped.setdefault(IN_NO_ENTRY, []).append(demo.name)
                continue
            invocations = _invocations(result, seen, leave_out)
            by_entry[entry.name].append(
                {
                    "name": demo.name,
                    "caller": demo.number,
                    "at": demo.at,
                    "inputs": list(demo.inputs),
                    # the engine answers silence once the scenario's inputs are spent: not the caller's
                    "questions": questions_answered(result.transcript)[: len(demo.inputs)],
                    "contact_id": result.contact_id,
                    "invocations": invocations,
                }
            )
    return [{"name": e.name, "weight": e.weight, "calls": by_entry[e.name]} for e in mix], skipped


def questions_answered(transcript: Sequence[Mapping[str, Any]]) -> list[str]:
    """For each caller input of a call's transcript, the question it answered: the last prompt the
    caller heard before it (the asking block's own, or the message before a block without one)."""
    heard, out = "", []
    for entry in transcript:
        if entry["kind"] == "prompt":
            heard = str(entry["text"])
        elif entry["kind"] == "input":
            out.append(heard)
    return out


@contextmanager
def recording(lambdas: Any) -> Iterator[list[Recorded]]:
    """The invocations `lambdas` (engine.lambdas.LocalLambdas) runs meanwhile, with their events."""
    seen: list[Recorded] = []
    invoke: Callable[..., dict[str, Any]] = lambdas.invoke_named

    def record(
        name: str, event: dict[str, Any], timeout: float, response_type: str, *, arn: str = ""
    ) -> dict[str, Any]:
        seen.append(Recorded(name, json.loads(json.dumps(event)), timeout, response_type))
        return invoke(name, event, timeout, response_type, arn=arn)

    lambdas.invoke_named = record
    try:
        yield seen
    finally:
        del lambdas.invoke_named  # the class's method again


def _invocations(result: Any, seen: Sequence[Recorded], leave_out: Collection[str]) -> list[dict[str, Any]]:
    """The flow blocks' invocations (result.lambda_calls) matched, in order, with what was recorded
    (the Lex code hook is invoked too, by the bot, and is not a block's), with the caller's inputs
    between them."""
    inputs_before: list[int] = []
    inputs = 0
    for entry in result.transcript:
        if entry["kind"] == "input":
            inputs += 1
        elif entry["kind"] == "lambda":
            inputs_before.append(inputs)
    pending = list(seen)
    out: list[dict[str, Any]] = []
    last_inputs = 0
    for call, before in zip(result.lambda_calls, inputs_before, strict=True):
        while pending and pending[0].handler != call.function:
            pending.pop(0)
        if not pending:
            raise LoadTestError(
                f"the offline run of a demo call invoked {call.function} unseen: report it as a bug"
            )
        got = pending.pop(0)
        if got.handler in leave_out:
            continue
        out.append(
            {
                "flow": call.flow,
                "block": call.identifier,
                "handler": got.handler,
                "limit_s": got.limit_s,
                "response_type": got.response_type,
                "event": got.event,
                "inputs_before": before - last_inputs,
            }
        )
        last_inputs = before
    return out


def retarget(entries: list[dict[str, Any]], replacements: Mapping[str, str]) -> list[dict[str, Any]]:
    """The events with the local stack's ARNs replaced by the environment's (longest first, so an
    instance ARN does not break the queue ARNs that start with it)."""
    text = json.dumps(entries, ensure_ascii=False)
    for old in sorted(replacements, key=len, reverse=True):
        text = text.replace(old, replacements[old])
    result: list[dict[str, Any]] = json.loads(text)
    return result
