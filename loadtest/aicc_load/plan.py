"""The plan of a load run, as `aicc-ops loadtest run` writes it (plan.json in the report directory).

The runner builds it before Locust starts (aicc_ops.admin.loadtest.plan): the demo scenarios of
the local stack (ops/aicc_ops/local/scenarios.py), each run once through the flows offline and
sorted into the mix by the flows it went through, with the Lambda invocations it made, their real
Connect events and their blocks' time limits; the target's endpoints; how the callers behave.
Locust's processes only read it, so that the master and every worker place the same calls.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Invocation:
    """One Lambda invocation of a call: the flow block that makes it, in the order of the call."""

    flow: str
    block: str
    handler: str
    limit_s: float  # the block's InvocationTimeLimitSeconds
    response_type: str  # STRING_MAP or JSON (ResponseValidation)
    event: dict[str, Any]  # the Connect event the flow sent offline
    inputs_before: int  # caller inputs since the previous invocation (the caller's think time)

    def event_for(self, recorded_id: str, contact_id: str) -> dict[str, Any]:
        """The event of a new contact: every mention of the recorded contact ID replaced."""
        text = json.dumps(self.event, ensure_ascii=False).replace(recorded_id, contact_id)
        result: dict[str, Any] = json.loads(text)
        return result


@dataclass(frozen=True)
class CallScript:
    """A demo scenario's caller: who dials, when (the flows check the hours), what they answer."""

    name: str
    caller: str
    at: str
    inputs: tuple[str, ...]
    # the question (prompt) each input answered offline: a caller answers what it is asked
    # (answers.py); empty in a plan written without them
    questions: tuple[str, ...]
    contact_id: str  # the contact ID of the offline run, in the recorded events
    invocations: tuple[Invocation, ...]


@dataclass(frozen=True)
class FlowShare:
    """One entry of the mix: its weight and the calls that go through its flows."""

    name: str
    weight: float
    calls: tuple[CallScript, ...]


@dataclass(frozen=True)
class Callers:
    think_s: tuple[float, float]  # per prompt the caller answers
    talk_s: float  # with the agent, once answered
    patience_s: float  # waiting in a queue before hanging up
    mistakes: float  # chance per prompt of a silence, a repeat (*) or a lone # first
    step_timeout_s: float  # the flows must ask or queue within this after an input
    ring_s: float  # how long the caller lets it ring (unanswered) before hanging up


@dataclass(frozen=True)
class Target:
    kind: str  # local | aws
    name: str  # local, or the environment
    region: str
    calls_endpoint: str | None
    lambda_endpoint: str | None  # None against AWS (botocore's own, or AWS_ENDPOINT_URL_LAMBDA)
    functions: dict[str, str]  # handler -> function name


@dataclass(frozen=True)
class Plan:
    scenario: str
    shape: str
    drain_s: float
    target: Target
    callers: Callers
    mix: tuple[FlowShare, ...]

    def pick(self, rng: random.Random) -> tuple[FlowShare, CallScript]:
        """A call of the mix: the flow by its weight, then one of its callers."""
        share = rng.choices(self.mix, weights=[s.weight for s in self.mix])[0]
        return share, rng.choice(share.calls)

    def limits(self) -> dict[str, float]:
        """Per handler, the longest time limit of the blocks that invoke it."""
        found: dict[str, float] = {}
        for share in self.mix:
            for call in share.calls:
                for inv in call.invocations:
                    found[inv.handler] = max(found.get(inv.handler, 0.0), inv.limit_s)
        return found


def load(path: str | Path) -> Plan:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    t, c = data["target"], data["callers"]
    return Plan(
        scenario=data["scenario"],
        shape=data["load"]["shape"],
        drain_s=float(data["load"]["drain_s"]),
        target=Target(
            t["kind"],
            t["name"],
            t["region"],
            t.get("calls_endpoint"),
            t.get("lambda_endpoint"),
            t["functions"],
        ),
        callers=Callers(
            (float(c["think_s"][0]), float(c["think_s"][1])),
            float(c["talk_s"]),
            float(c["patience_s"]),
            float(c["mistakes"]),
            float(c["step_timeout_s"]),
            float(c.get("ring_s", 120.0)),
        ),
        mix=tuple(
            FlowShare(
                s["name"],
                float(s["weight"]),
                tuple(
                    CallScript(
                        k["name"],
                        k["caller"],
                        k["at"],
                        tuple(k["inputs"]),
                        tuple(k.get("questions") or ()),
                        k["contact_id"],
                        tuple(Invocation(**i) for i in k["invocations"]),
                    )
                    for k in s["calls"]
                ),
            )
            for s in data["mix"]
        ),
    )
