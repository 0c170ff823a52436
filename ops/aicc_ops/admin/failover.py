"""Failover drills: inject faults, place scenario calls through the flows, prove no caller is dropped.

A drill is a list of faults (one fault at a time from the catalogue, plus one combined "worst day"
set) times a list of scenario calls (the demo mix: MSP, general, unregistered, after hours,
emergency, at fixed instants including a night and a holiday). Each call runs with its fault
active and passes when the caller reached a queue, got a callback, or heard a spoken explanation
before the call ended; anything else is a dropped caller and fails the drill. Faults are removed
after each fault's calls and once more at the end, whatever happens (finally), and the report says
what was restored.

Where the calls run is a `Runner`: `InProcessRunner` (a local stack in this process, no server),
`HttpRunner` (the running local stack server's call API). On AWS there is no call placement:
`LambdaThrottle` throttles functions for a window in which testers call by phone, and
`TrafficShift` moves telephony traffic and agents between the Regions of a Connect Global
Resiliency traffic distribution group step by step, verifies each step, and rolls back.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce
from typing import Any, Protocol

from aicc.settings import Config

from ..core.aws import error_text
from ..local.call_client import CallApiError, CallClient
from .context import scan_all

# ---- fault catalogue -------------------------------------------------------------------------------

# Command-line prefix -> LocalLambdas fault kind.
LAMBDA_FAULTS = {
    "lambda-error": "error",
    "lambda-timeout": "timeout",
    "lambda-throttle": "throttle",
    "lambda-bad-response": "bad_response",
}
# Kinds whose catalogue entries go handler by handler. Throttling and a bad response take the same
# error branch as an error (Connect cannot tell them apart), so the catalogue has them for all
# handlers at once only; a timeout also costs the caller the block's time limit, hence per handler.
PER_HANDLER = ("lambda-error", "lambda-timeout")
LEX_HANDLER = "lex_hook"
BASELINE = "none"
WORST_DAY = (
    "dynamodb-throttle",
    "lex-down",
    "no-agents",
    "lambda-timeout:business_hours",
    "queue-full:msp_emergency",
)


class DrillError(ValueError):
    """A fault, scenario or option the drill cannot use; the message says what to give instead."""


@dataclass(frozen=True)
class FaultSet:
    """What is broken while a fault is on. The JSON form is the local server's fault API body."""

    lambdas: Mapping[str, str] = field(default_factory=dict)  # handler -> error|timeout|throttle|bad_response
    services: frozenset[str] = frozenset()  # services whose requests from the Lambdas are throttled
    agents_offline: bool = False
    queue_limits: Mapping[str, int] = field(default_factory=dict)  # queue key -> capacity

    def merge(self, other: FaultSet) -> FaultSet:
        return FaultSet(
            {**self.lambdas, **other.lambdas},
            self.services | other.services,
            self.agents_offline or other.agents_offline,
            {**self.queue_limits, **other.queue_limits},
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.lambdas:
            data["lambdas"] = dict(sorted(self.lambdas.items()))
        if self.services:
            data["services"] = sorted(self.services)
        if self.agents_offline:
            data["agents_offline"] = True
        if self.queue_limits:
            data["queue_limits"] = dict(sorted(self.queue_limits.items()))
        return data


def _merged(faults: Iterable[Fault]) -> FaultSet:
    return reduce(FaultSet.merge, (f.faults for f in faults), FaultSet())


@dataclass(frozen=True)
class Fault:
    name: str  # as written on the command line
    faults: FaultSet
    summary: str


def _one_fault(text: str, handlers: Sequence[str], queues: Sequence[str]) -> Fault:
    name, _, arg = text.strip().partition(":")
    if name in LAMBDA_FAULTS:
        kind = LAMBDA_FAULTS[name]
        if arg == "all":
            return Fault(text, FaultSet({h: kind for h in handlers}), f"every Lambda: {kind}")
        if arg not in handlers:
            raise DrillError(f"{text!r}: use {name}:HANDLER or {name}:all; handlers: {', '.join(handlers)}")
        return Fault(text, FaultSet({arg: kind}), f"{arg} Lambda: {kind}")
    if name == "queue-full":
        if arg not in queues:
            raise DrillError(f"{text!r}: use queue-full:QUEUE; queues: {', '.join(queues)}")
        return Fault(text, FaultSet(queue_limits={arg: 0}), f"{arg} at capacity (QueueAtCapacity)")
    if arg:
        raise DrillError(f"{text!r}: {name} takes no argument")
    if name == "dynamodb-throttle":
        return Fault(
            text,
            FaultSet(services=frozenset({"dynamodb"})),
            "DynamoDB answers ProvisionedThroughputExceededException to every Lambda request",
        )
    if name == "no-agents":
        return Fault(text, FaultSet(agents_offline=True), "every agent OFFLINE")
    if name == "lex-down":
        # The bot's code hook fails every turn: Lex fails the turn and the flow takes its error branch.
        return Fault(text, FaultSet({LEX_HANDLER: "error"}), "Lex bot fails every speech turn")
    if name == "worst-day":
        return worst_day(handlers, queues)
    if name == BASELINE:
        return baseline()
    known = [*(f"{p}:HANDLER|all" for p in LAMBDA_FAULTS), "dynamodb-throttle", "no-agents"]
    known += ["queue-full:QUEUE", "lex-down", "worst-day"]
    raise DrillError(f"{text!r} is not a fault; one of {', '.join(known)} (join several with +)")


def parse_fault(text: str, handlers: Sequence[str], queues: Sequence[str]) -> Fault:
    """A fault from the command line; `a+b` is both at once."""
    parts = [p for p in text.split("+") if p.strip()]
    if not parts:
        raise DrillError("an empty --fault; e.g. lambda-error:customer_lookup or dynamodb-throttle")
    found = [_one_fault(p, handlers, queues) for p in parts]
    if len(found) == 1:
        return found[0]
    return Fault(text, _merged(found), " + ".join(f.summary for f in found))


def baseline() -> Fault:
    return Fault(BASELINE, FaultSet(), "no fault: the baseline every fault is compared with")


def with_baseline(faults: Sequence[Fault]) -> list[Fault]:
    """The baseline first: a call that fails without any fault says the flows are broken, and a
    fault's effect is what changed from the baseline."""
    rest = [f for f in faults if f.name != BASELINE]
    return [baseline(), *rest]


def worst_day(handlers: Sequence[str], queues: Sequence[str]) -> Fault:
    merged = _merged(_one_fault(name, handlers, queues) for name in WORST_DAY)
    return Fault("worst-day", merged, "all at once: " + ", ".join(WORST_DAY))


def catalogue(handlers: Sequence[str], queues: Sequence[str]) -> list[Fault]:
    """The default drill: every fault on its own, then the worst day (the baseline is added by the plan)."""
    names: list[str] = []
    for prefix in LAMBDA_FAULTS:
        names += [f"{prefix}:{h}" for h in handlers if h != LEX_HANDLER] if prefix in PER_HANDLER else []
        names.append(f"{prefix}:all")
    names += ["dynamodb-throttle", "lex-down", "no-agents", *(f"queue-full:{q}" for q in queues)]
    return [*(_one_fault(n, handlers, queues) for n in names), worst_day(handlers, queues)]


# ---- scenarios --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    caller: str
    at: str
    inputs: tuple[str, ...]
    agent_status: Mapping[str, str] = field(default_factory=dict)  # set before the call, restored after


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def default_scenarios() -> list[Scenario]:
    """The demo mix, minus the demo's own fault calls (the drill brings its faults)."""
    from ..local.scenarios import DEMO_CALLS

    return [
        Scenario(slug(c.name), c.name, c.number, c.at, tuple(c.inputs), dict(c.agent_status))
        for c in DEMO_CALLS
        if not c.faults
    ]


def select_scenarios(wanted: Sequence[str], known: Sequence[Scenario]) -> list[Scenario]:
    """Scenarios by key or by number (1-based, as the plan lists them); none given: all."""
    if not wanted:
        return list(known)
    by_key = {s.key: s for s in known}
    out: list[Scenario] = []
    for w in wanted:
        key = w.strip().lower()
        if key.isdigit() and 1 <= int(key) <= len(known):
            found = known[int(key) - 1]
        elif key in by_key:
            found = by_key[key]
        else:
            listing = ", ".join(f"{i} {s.key}" for i, s in enumerate(known, 1))
            raise DrillError(f"{w!r} is not a scenario; one of: {listing}")
        if found not in out:
            out.append(found)
    return out


# ---- plan --------------------------------------------------------------------------------------------


@dataclass
class DrillPlan:
    target: str
    faults: list[Fault]
    scenarios: list[Scenario]
    hold_seconds: int
    injection: dict[str, list[str]] = field(default_factory=dict)  # fault name -> where it goes
    rollback: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return len(self.faults) * len(self.scenarios)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "calls": self.calls,
            "hold_seconds": self.hold_seconds,
            "faults": [
                {
                    "name": f.name,
                    "summary": f.summary,
                    "faults": f.faults.to_json(),
                    "injected": self.injection.get(f.name, []),
                }
                for f in self.faults
            ],
            "scenarios": [
                {
                    "number": i,
                    "key": s.key,
                    "name": s.name,
                    "at": s.at,
                    "caller": s.caller,
                    "inputs": s.inputs,
                }
                for i, s in enumerate(self.scenarios, 1)
            ],
            "rollback": self.rollback,
        }


def build_plan(
    runner: Runner,
    faults: Sequence[Fault],
    scenarios: Sequence[Scenario],
    hold_seconds: int,
) -> DrillPlan:
    return DrillPlan(
        runner.description,
        with_baseline(faults),
        list(scenarios),
        hold_seconds,
        {f.name: runner.injection_points(f.faults) for f in faults},
        runner.rollback_plan(),
    )


# ---- verification ------------------------------------------------------------------------------------

QUEUE, CALLBACK, EXPLAINED, DROPPED = "queue", "callback", "explained", "DROPPED"
OUTCOMES = (QUEUE, CALLBACK, EXPLAINED, DROPPED)
FAULT_COLUMNS = ["fault", "calls", *OUTCOMES, "changed", "exercised", "result"]
DROPPED_COLUMNS = ["fault", "scenario", "detail", "path"]


@dataclass(frozen=True)
class Verdict:
    outcome: str  # queue | callback | explained | DROPPED
    ended: str  # where: the queue, the callback's queue, or the last words the caller heard
    detail: str = ""


def verify(result: Mapping[str, Any]) -> Verdict:
    """How a call ended (CallResult.to_json()), judged by the drill's rule: a caller must reach a
    queue, get a callback, or hear an explanation before the call ends. Anything else is DROPPED."""
    callbacks = result.get("callbacks") or []
    if callbacks:
        return Verdict(
            CALLBACK, str(callbacks[-1].get("queue", "")), f"callback to {callbacks[-1].get('number')}"
        )
    transfers = result.get("queue_transfers") or []
    if result.get("in_queue"):
        return Verdict(QUEUE, str(transfers[-1] if transfers else result.get("queue") or ""))
    talk = [e for e in result.get("transcript") or [] if e.get("kind") in ("prompt", "input")]
    if result.get("disconnected"):
        if talk and talk[-1]["kind"] == "prompt" and not result.get("dropped_silently"):
            return Verdict(EXPLAINED, str(talk[-1].get("text", "")))
        said = "no word at all" if not talk else f"nothing after the caller's {talk[-1].get('text')!r}"
        return Verdict(DROPPED, "disconnected", f"disconnected with {said}")
    reason = str(result.get("end_reason") or "ended")
    return Verdict(DROPPED, reason, f"neither queued nor explained: {reason}")


def exercised(
    faults: FaultSet,
    result: Mapping[str, Any],
    service_hits: int | None,
    queue_names: Mapping[str, str],
) -> bool | None:
    """Whether the call met its fault (None: cannot be told from here)."""
    seen: list[bool | None] = []
    if faults.lambdas:
        failed = {str(c.get("function")) for c in result.get("lambda_calls") or [] if c.get("error")}
        lex_failed = any(
            s.get("type") == "ConnectParticipantWithLexBot" and "lex code hook" in str(s.get("detail"))
            for s in result.get("steps") or []
        )
        seen.append(bool(failed & set(faults.lambdas)) or (LEX_HANDLER in faults.lambdas and lex_failed))
    if faults.services:
        seen.append(None if service_hits is None else service_hits > 0)
    if faults.queue_limits:
        full = {queue_names.get(q, q) for q in faults.queue_limits}
        refused = [str(s.get("detail")).rpartition(" holds ") for s in result.get("steps") or []]
        # The engine's QueueAtCapacity detail: "<queue name> holds <callers waiting>".
        seen.append(any(sep and count.isdigit() and name in full for name, sep, count in refused))
    if faults.agents_offline:
        seen.append(True)  # every call meets an empty contact center
    if any(s is True for s in seen):
        return True
    return None if seen and all(s is None for s in seen) else False


@dataclass
class CallRun:
    fault: str
    scenario: str
    outcome: str
    ended: str
    path: list[str]
    seconds: float  # simulated call time
    wall_ms: float
    exercised: bool | None
    lambda_errors: int = 0
    detail: str = ""
    contact_id: str = ""
    baseline: str = ""  # where the same call landed without the fault, when that differs

    @property
    def dropped(self) -> bool:
        return self.outcome == DROPPED

    @property
    def landing(self) -> str:
        """Outcome and, for a queue or callback, where: what a fault may change for the caller."""
        return f"{self.outcome} ({self.ended})" if self.outcome in (QUEUE, CALLBACK) else self.outcome


def _simulated_seconds(result: Mapping[str, Any]) -> float:
    try:
        start = datetime.fromisoformat(str(result["started_at"]))
        end = datetime.fromisoformat(str(result["ended_at"]))
    except (KeyError, ValueError):
        return 0.0
    return round((end - start).total_seconds(), 1)


def judge(
    fault: Fault,
    scenario: Scenario,
    placed: Placed,
    queue_names: Mapping[str, str],
) -> CallRun:
    r = placed.result
    verdict = verify(r)
    return CallRun(
        fault.name,
        scenario.key,
        verdict.outcome,
        verdict.ended,
        [str(f) for f in r.get("flows") or []],
        _simulated_seconds(r),
        round(placed.wall_ms, 1),
        exercised(fault.faults, r, placed.service_hits, queue_names),
        sum(1 for c in r.get("lambda_calls") or [] if c.get("error")),
        verdict.detail,
        str(r.get("contact_id", "")),
    )


# ---- runners -------------------------------------------------------------------------------------------


class RunnerError(RuntimeError):
    """The runner itself failed (the call API is unreachable...); the drill stops there."""


@dataclass
class Placed:
    result: dict[str, Any]  # CallResult.to_json()
    wall_ms: float
    service_hits: int | None = None  # throttled service requests during the call (None: unknown)


@dataclass
class Rollback:
    steps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return not self.problems

    def line(self, done: str = "every fault removed") -> str:
        """One line for the report: what was undone, or what is still to undo by hand."""
        if not self.done:
            return "INCOMPLETE: " + "; ".join(self.problems)
        return f"done, {done}" + (f" ({'; '.join(dict.fromkeys(self.steps))})" if self.steps else "")

    def to_json(self) -> dict[str, Any]:
        return {"done": self.done, "steps": self.steps, "problems": self.problems}


class Runner(Protocol):
    """Where a drill's calls run: injects a fault set, places calls, removes the faults again."""

    description: str

    def injection_points(self, faults: FaultSet) -> list[str]: ...
    def rollback_plan(self) -> list[str]: ...
    def inject(self, faults: FaultSet) -> None: ...
    def place(self, scenario: Scenario, hold_seconds: int) -> Placed: ...
    def clear(self) -> Rollback: ...


class InProcessRunner:
    """A local stack in this process (`aicc_ops.local.stack.local_stack()`): no server needed."""

    description = "in-process local stack (flow engine, Lambdas in-process, moto)"

    def __init__(self, stack: Any = None) -> None:
        self.active = FaultSet()
        self._statuses: dict[str, str] = {}  # agents set OFFLINE -> their status before
        self._limits: dict[str, int] = {}
        if stack is not None:
            self.bind(stack)

    def bind(self, stack: Any) -> None:
        """The stack to drill (a plan needs none): aicc_ops.local.stack.LocalStack."""
        import boto3

        self.stack = stack
        self._limits = dict(stack.engine.queue_limits)  # restored by clear()
        self._agents_table = boto3.resource("dynamodb").Table(stack.tables["AGENTS_TABLE"])

    def injection_points(self, faults: FaultSet) -> list[str]:
        out = []
        if faults.lambdas:
            out.append(
                "LocalLambdas.faults: " + ", ".join(f"{h}={k}" for h, k in sorted(faults.lambdas.items()))
            )
        out += [
            f"LocalLambdas.service_faults += {s!r} (botocore before-send)" for s in sorted(faults.services)
        ]
        if faults.agents_offline:
            out.append("agents table: every agent's status = OFFLINE")
        out += [f"Engine.queue_limits[{q!r}] = {n}" for q, n in sorted(faults.queue_limits.items())]
        return out

    def rollback_plan(self) -> list[str]:
        return [
            "LocalLambdas.faults and service_faults emptied",
            "Engine.queue_limits restored",
            "agents' statuses restored from before the fault, then compared",
        ]

    def inject(self, faults: FaultSet) -> None:
        self.active = faults
        lambdas = self.stack.lambdas
        lambdas.faults = dict(faults.lambdas)
        lambdas.service_faults = set(faults.services)
        self.stack.engine.queue_limits = {**self._limits, **faults.queue_limits}
        if faults.agents_offline:
            logins = [str(a["login"]) for a in self._agents()]
            self._statuses = self.stack.set_agent_status(dict.fromkeys(logins, "OFFLINE"))

    def place(self, scenario: Scenario, hold_seconds: int) -> Placed:
        from ..engine.interpreter import FlowRunError

        # With every agent offline, the scenario's own statuses would bring some back: skip them.
        statuses = {} if self.active.agents_offline else dict(scenario.agent_status)
        previous = self.stack.set_agent_status(statuses)
        hits = self.stack.lambdas.service_fault_hits["dynamodb"]
        started = time.perf_counter()
        try:
            result = self.stack.engine.run(
                scenario.caller,
                datetime.fromisoformat(scenario.at),
                scenario.inputs,
                hold_seconds=hold_seconds,
            ).to_json()
        except FlowRunError as exc:  # a flow with no branch for what happened: Connect drops the call
            result = {"disconnected": False, "end_reason": f"flow error: {exc}", "transcript": []}
        finally:
            self.stack.set_agent_status(previous)
        wall = (time.perf_counter() - started) * 1000
        return Placed(result, wall, self.stack.lambdas.service_fault_hits["dynamodb"] - hits)

    def clear(self) -> Rollback:
        out = Rollback()
        lambdas, engine = self.stack.lambdas, self.stack.engine
        if lambdas.faults or lambdas.service_faults:
            out.steps.append("Lambda faults removed")
        lambdas.faults, lambdas.service_faults = {}, set()
        if engine.queue_limits != self._limits:
            out.steps.append("queue limits restored")
        engine.queue_limits = dict(self._limits)
        if self._statuses:
            self.stack.set_agent_status(self._statuses)
            now = {str(a["login"]): str(a.get("status", "OFFLINE")) for a in self._agents()}
            wrong = sorted(k for k, v in self._statuses.items() if now.get(k) != v)
            if wrong:
                out.problems.append(f"agents not back to their status: {', '.join(wrong)}")
            else:
                out.steps.append(f"{len(self._statuses)} agents' statuses restored and checked")
                self._statuses = {}
        self.active = FaultSet()
        return out

    def _agents(self) -> list[dict[str, Any]]:
        return scan_all(self._agents_table)


class HttpRunner:
    """The running local stack server, through its call API (docs/local-stack.md):

    PUT/DELETE {calls}/faults with FaultSet.to_json(); POST {calls}/calls {"caller", "inputs", "at",
    "hold_seconds", "wait": true} answers the call, with the flow result (CallResult.to_json())
    under "call"; DELETE {calls}/calls/ID hangs up. Scenario agent statuses go through
    PUT {calls}/agents/LOGIN (AVAILABLE or OFFLINE: a BUSY agent of a scenario is not available)."""

    def __init__(
        self, calls_endpoint: str, *, client: CallClient | None = None, timeout: float = 120.0
    ) -> None:
        self.endpoint = calls_endpoint.rstrip("/")
        self.description = f"local stack server ({self.endpoint})"
        self.timeout = timeout  # one HTTP request; the server gets a little less to finish a call
        self.client = client or CallClient(self.endpoint, timeout=timeout)
        self.active = FaultSet()

    def injection_points(self, faults: FaultSet) -> list[str]:
        return [f"PUT {self.endpoint}/faults {json.dumps(faults.to_json(), ensure_ascii=False)}"]

    def rollback_plan(self) -> list[str]:
        return [
            f"DELETE {self.endpoint}/faults (the server turns every fault off and brings agents back)",
            f"every drill call hung up once judged (DELETE {self.endpoint}/calls/ID): none stays queued",
        ]

    @contextmanager
    def _api(self, method: str, path: str) -> Iterator[None]:
        """A refused or unanswered request as a RunnerError naming it: the drill stops there."""
        try:
            yield
        except CallApiError as exc:
            status = f"HTTP {exc.status}: " if exc.status else ""
            raise RunnerError(f"{method} {self.endpoint}{path}: {status}{exc}") from None
        except ValueError:  # the answer was not JSON
            raise RunnerError(f"{method} {self.endpoint}{path} did not answer JSON") from None

    def inject(self, faults: FaultSet) -> None:
        with self._api("PUT", "/faults"):
            self.client.set_faults(faults.to_json())
        self.active = faults

    def place(self, scenario: Scenario, hold_seconds: int) -> Placed:
        statuses = {} if self.active.agents_offline else dict(scenario.agent_status)
        previous = self._set_status(statuses)
        wait_seconds = max(1.0, self.timeout - 10)
        started = time.perf_counter()
        try:
            with self._api("POST", "/calls"):
                answer = self.client.place(
                    scenario.caller,
                    list(scenario.inputs),
                    scenario.at,
                    wait=True,
                    hold_seconds=hold_seconds,
                    wait_seconds=wait_seconds,
                )
        finally:
            self._set_status(previous)
        wall = (time.perf_counter() - started) * 1000
        if not isinstance(answer, dict) or not isinstance(answer.get("call"), dict):
            raise RunnerError(
                f"POST {self.endpoint}/calls did not answer a call with its flow result: {answer!r:.200}"
            )
        if answer.get("state") != "ended":
            # A queued drill caller would fill the queue for the next scenarios: hang up.
            contact_id = str(answer.get("contact_id"))
            with self._api("DELETE", f"/calls/{contact_id}"):
                self.client.hang_up(contact_id)
        result = dict(answer["call"])
        if answer.get("error"):
            result["end_reason"] = f"flow error: {answer['error']}"
        elif answer.get("state") in ("ivr", "waiting_input"):
            result["end_reason"] = f"the flows were not done with the call after {wait_seconds:g} s"
        return Placed(result, wall)

    def clear(self) -> Rollback:
        out = Rollback()
        try:
            with self._api("DELETE", "/faults"):
                self.client.clear_faults()
            out.steps.append(f"DELETE {self.endpoint}/faults")
        except RunnerError as exc:
            out.problems.append(f"{exc}; remove the faults by hand: curl -X DELETE {self.endpoint}/faults")
        self.active = FaultSet()
        return out

    def _set_status(self, statuses: Mapping[str, str]) -> dict[str, str]:
        """Set agents AVAILABLE or OFFLINE; returns what they were, for restoring."""
        if not statuses:
            return {}
        with self._api("GET", "/agents"):
            agents = self.client.agents() or []
        now = {str(a.get("login")): str(a.get("state", "OFFLINE")) for a in agents}
        previous: dict[str, str] = {}
        for login, status in statuses.items():
            previous[login] = "OFFLINE" if now.get(login, "OFFLINE") == "OFFLINE" else "AVAILABLE"
            wanted = "AVAILABLE" if status == "AVAILABLE" else "OFFLINE"
            with self._api("PUT", f"/agents/{login}"):
                self.client.set_agent(login, wanted)
        return previous


# ---- the drill -------------------------------------------------------------------------------------------


@dataclass
class DrillReport:
    plan: DrillPlan
    started_at: str
    finished_at: str = ""
    runs: list[CallRun] = field(default_factory=list)
    rollback: Rollback = field(default_factory=Rollback)
    aborted: str = ""  # why the drill stopped early ("" = it ran to the end)

    @property
    def dropped(self) -> list[CallRun]:
        return [r for r in self.runs if r.dropped]

    def baseline_of(self, scenario: str) -> CallRun | None:
        return next((r for r in self.runs if r.fault == BASELINE and r.scenario == scenario), None)

    @property
    def changed(self) -> list[CallRun]:
        """Calls a fault sent elsewhere than the baseline (still served, or not)."""
        return [r for r in self.runs if r.baseline]

    @property
    def passed(self) -> bool:
        return (
            not self.dropped and not self.aborted and self.rollback.done and len(self.runs) == self.plan.calls
        )

    def totals(self) -> dict[str, int]:
        counts = Counter(r.outcome for r in self.runs)
        return {o: counts.get(o, 0) for o in OUTCOMES}

    def by_fault(self) -> list[dict[str, Any]]:
        rows = []
        for fault in self.plan.faults:
            runs = [r for r in self.runs if r.fault == fault.name]
            if not runs:
                continue
            counts = Counter(r.outcome for r in runs)
            met: int | str
            if fault.name == BASELINE:
                met = "-"
            elif all(r.exercised is None for r in runs):
                met = "?"
            else:
                met = sum(1 for r in runs if r.exercised)
            rows.append(
                {
                    "fault": fault.name,
                    "calls": len(runs),
                    **{o: counts.get(o, 0) for o in OUTCOMES},
                    "changed": sum(1 for r in runs if r.baseline),
                    "exercised": met,
                    "result": "FAIL" if counts.get(DROPPED) else "pass",
                }
            )
        return rows

    def fault_rows(self) -> list[list[Any]]:
        """by_fault() as table rows under FAULT_COLUMNS."""
        return [[row[h] for h in FAULT_COLUMNS] for row in self.by_fault()]

    def dropped_rows(self) -> list[list[Any]]:
        """The dropped callers as table rows under DROPPED_COLUMNS."""
        return [[r.fault, r.scenario, r.detail, " → ".join(r.path)] for r in self.dropped]

    def never_exercised(self) -> list[str]:
        """Faults that no scenario met: the drill proves nothing about them."""
        return [row["fault"] for row in self.by_fault() if row["exercised"] == 0]

    def verdict(self) -> str:
        if self.passed:
            return "PASS"
        reasons = []
        if self.dropped:
            reasons.append(f"{len(self.dropped)} caller(s) dropped")
        if self.aborted:
            reasons.append(f"stopped early: {self.aborted}")
        if not self.rollback.done:
            reasons.append("rollback incomplete")
        if not reasons:
            reasons.append(f"{len(self.runs)} of {self.plan.calls} calls ran")
        return "FAIL (" + "; ".join(reasons) + ")"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": "PASS" if self.passed else "FAIL",
            "summary": self.verdict(),
            "target": self.plan.target,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "calls_planned": self.plan.calls,
            "calls_run": len(self.runs),
            "totals": self.totals(),
            "faults": self.by_fault(),
            "never_exercised": self.never_exercised(),
            "changed": len(self.changed),
            "calls": [{**asdict(r), "dropped": r.dropped} for r in self.runs],
            "rollback": self.rollback.to_json(),
            "aborted": self.aborted,
            "plan": self.plan.to_json(),
        }

    def to_markdown(self) -> str:
        facts = [
            f"Verdict: **{self.verdict()}**",
            f"Target: {self.plan.target}",
            f"Started: {self.started_at}; finished: {self.finished_at}",
            f"Calls: {len(self.runs)} of {self.plan.calls} planned "
            f"({len(self.plan.faults)} fault sets x {len(self.plan.scenarios)} scenarios, "
            f"hold {self.plan.hold_seconds} s)",
            "Rollback: " + self.rollback.line(),
        ]
        blocks = [
            "## Totals",
            _md_table(["outcome", "calls"], list(self.totals().items())),
            "## By fault",
            _md_table(FAULT_COLUMNS, self.fault_rows()),
            "changed: calls that ended elsewhere than without the fault (still served, but by a fallback); "
            "exercised: calls that met the fault.",
        ]
        missed = self.never_exercised()
        if missed:
            blocks.append(
                "No scenario met these faults (add a scenario that reaches them): " + ", ".join(missed)
            )
        if self.changed:
            moved = [
                [
                    r.fault,
                    r.scenario,
                    r.baseline,
                    _short(r.landing if r.outcome != EXPLAINED else f"explained: {r.ended}"),
                ]
                for r in self.changed
            ]
            blocks += [
                "## Calls a fault sent elsewhere",
                _md_table(["fault", "scenario", "without the fault", "with it"], moved),
            ]
        if self.dropped:
            blocks += ["## Dropped callers", _md_table(DROPPED_COLUMNS, self.dropped_rows())]
        calls = [
            [
                r.fault,
                r.scenario,
                r.outcome,
                _short(r.ended),
                " → ".join(r.path),
                r.seconds,
                r.wall_ms,
                "-" if r.fault == BASELINE else {True: "yes", False: "no", None: "?"}[r.exercised],
                r.baseline or "same",
            ]
            for r in self.runs
        ]
        headers = [
            "fault",
            "scenario",
            "outcome",
            "ended",
            "path",
            "call s",
            "wall ms",
            "met fault",
            "baseline",
        ]
        blocks += ["## Calls", _md_table(headers, calls)]
        return _md_report("Failover drill report", facts, self.aborted, blocks)


def _md_report(title: str, facts: Sequence[str], aborted: str, blocks: Sequence[str]) -> str:
    """A markdown report: the title, its facts as a list (and why it stopped early), then each block
    (a heading, a table, a paragraph) after a blank line."""
    lines = [f"# {title}", "", *(f"- {f}" for f in facts)]
    if aborted:
        lines.append(f"- Stopped early: {aborted}")
    for block in blocks:
        lines += ["", block]
    return "\n".join(lines) + "\n"


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_drill(
    plan: DrillPlan,
    runner: Runner,
    queue_names: Mapping[str, str],
    progress: Callable[[CallRun], None] | None = None,
) -> DrillReport:
    """Every fault of the plan in turn, with every scenario; faults are removed whatever happens."""
    report = DrillReport(plan, _now())
    try:
        for fault in plan.faults:
            try:
                runner.inject(fault.faults)
                for scenario in plan.scenarios:
                    run = judge(fault, scenario, runner.place(scenario, plan.hold_seconds), queue_names)
                    base = report.baseline_of(run.scenario)
                    if base is not None and run.fault != BASELINE and base.landing != run.landing:
                        run.baseline = base.landing
                    report.runs.append(run)
                    if progress:
                        progress(run)
            finally:
                with _deferred_interrupts() as interrupted:
                    _absorb(report.rollback, runner.clear())
                if interrupted:
                    raise KeyboardInterrupt  # held during the rollback: no further fault sets
    except RunnerError as exc:
        report.aborted = str(exc)
    except KeyboardInterrupt:
        report.aborted = "interrupted (Ctrl-C)"
    finally:
        with _deferred_interrupts():
            final = runner.clear()  # a second, idempotent removal: the safety net
        _absorb(report.rollback, final)
        report.finished_at = _now()
    return report


def _absorb(into: Rollback, more: Rollback) -> None:
    into.steps += [s for s in more.steps if s not in into.steps]
    into.problems += [p for p in more.problems if p not in into.problems]  # the safety net repeats them


@contextmanager
def _deferred_interrupts() -> Iterator[list[int]]:
    """Let a rollback finish: a Ctrl-C meanwhile is held, and noted in the list yielded, so the
    caller can stop once the rollback is done (main thread only: signals go there)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


# ---- AWS: Lambda throttling by reserved concurrency --------------------------------------------------------


@dataclass
class ConcurrencyChange:
    handler: str
    function: str
    previous: int | None  # reserved concurrency before the drill; None: none reserved
    injected: bool = False
    restored: bool = False
    error: str = ""

    def restore_text(self) -> str:
        if self.previous is None:
            return f"DeleteFunctionConcurrency {self.function} (no reservation before)"
        return f"PutFunctionConcurrency {self.function} ReservedConcurrentExecutions={self.previous}"

    def cli_restore(self) -> str:
        """The same restore as an AWS CLI command, for doing it by hand."""
        if self.previous is None:
            return f"aws lambda delete-function-concurrency --function-name {self.function}"
        return (
            f"aws lambda put-function-concurrency --function-name {self.function} "
            f"--reserved-concurrent-executions {self.previous}"
        )


AWS_FAULTS_HINT = "on AWS give --fault lambda-throttle:HANDLER (or :all), or --traffic-shift"


def lambda_throttle_handlers(faults: Sequence[Fault]) -> list[str]:
    """The handlers to throttle on AWS; only Lambda throttling can be injected there."""
    handlers: list[str] = []
    for f in faults:
        fs = f.faults
        if fs.services or fs.agents_offline or fs.queue_limits or set(fs.lambdas.values()) - {"throttle"}:
            raise DrillError(
                f"{f.name!r} cannot be injected on AWS: only lambda-throttle:HANDLER|all (reserved "
                "concurrency 0); run the other faults on the local stack (no --env, or --local)"
            )
        handlers += [h for h in fs.lambdas if h not in handlers]
    if not handlers:
        raise DrillError(AWS_FAULTS_HINT)
    return handlers


RESTORED_CONCURRENCY = "every function's reserved concurrency restored and checked"


class LambdaThrottle:
    """Throttles functions with PutFunctionConcurrency(ReservedConcurrentExecutions=0): every
    invocation gets TooManyRequestsException, as when a function's concurrency is exhausted."""

    def __init__(self, client: Any, function_names: Mapping[str, str]) -> None:
        self.client = client
        self.function_names = dict(function_names)

    def read(self, handlers: Sequence[str]) -> list[ConcurrencyChange]:
        missing = [h for h in handlers if h not in self.function_names]
        if missing:
            raise DrillError(
                f"no deployed function for {', '.join(missing)} in the Terraform output function_names "
                f"(deployed: {', '.join(sorted(self.function_names)) or 'none'})"
            )
        names = {h: self.function_names[h] for h in handlers}
        return [ConcurrencyChange(h, name, self._reserved(name)) for h, name in names.items()]

    def _reserved(self, function: str) -> int | None:
        """The function's reserved concurrency (None: none reserved)."""
        current = self.client.get_function_concurrency(FunctionName=function).get(
            "ReservedConcurrentExecutions"
        )
        return None if current is None else int(current)

    def inject(self, changes: Sequence[ConcurrencyChange]) -> None:
        for c in changes:
            # Marked before the call: a request that failed half-way is restored too.
            c.injected = True
            self.client.put_function_concurrency(FunctionName=c.function, ReservedConcurrentExecutions=0)

    def restore(self, changes: Sequence[ConcurrencyChange]) -> Rollback:
        out = Rollback()
        for c in changes:
            if not c.injected:
                continue
            c.error = ""
            try:
                if c.previous is None:
                    self.client.delete_function_concurrency(FunctionName=c.function)
                else:
                    self.client.put_function_concurrency(
                        FunctionName=c.function, ReservedConcurrentExecutions=c.previous
                    )
                now = self._reserved(c.function)
                if now != c.previous:
                    c.error = f"reserved concurrency is {now}, expected {c.previous}"
            except Exception as exc:  # every function gets its chance, whatever one of them does
                c.error = error_text(exc)
            if c.error:
                out.problems.append(f"{c.function}: {c.error}; restore by hand: {c.cli_restore()}")
            else:
                c.restored = True
                out.steps.append(c.restore_text())
        return out


@dataclass
class ThrottleReport:
    target: str
    changes: list[ConcurrencyChange]
    scenarios: list[Scenario]
    window_start: str = ""
    window_end: str = ""
    rollback: Rollback = field(default_factory=Rollback)
    aborted: str = ""

    @property
    def passed(self) -> bool:
        return self.rollback.done and not self.aborted

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": "INJECTED AND RESTORED" if self.passed else "FAIL",
            "target": self.target,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "functions": [asdict(c) for c in self.changes],
            "rollback": self.rollback.to_json(),
            "aborted": self.aborted,
            "calls": "placed by phone: check them in the call logs and Connect contact search for the window",
        }

    def to_markdown(self) -> str:
        facts = [
            f"Result: **{'injected and restored' if self.passed else 'FAIL'}**",
            f"Target: {self.target}",
            f"Fault window (UTC): {self.window_start} to {self.window_end}",
            "Rollback: " + self.rollback.line(RESTORED_CONCURRENCY),
        ]
        rows = [
            [
                c.handler,
                c.function,
                "none" if c.previous is None else c.previous,
                c.injected,
                c.restored,
                c.error,
            ]
            for c in self.changes
        ]
        headers = ["handler", "function", "reserved before", "injected", "restored", "error"]
        blocks = [
            _md_table(headers, rows),
            "The calls were placed by phone: verify each in the call logs (`call_logs` table) and in "
            "Connect's contact search for the window above. Expected: every caller reached a queue, a "
            "callback, or a spoken explanation.",
        ]
        return _md_report("Failover drill report: Lambda throttling on AWS", facts, self.aborted, blocks)


def phone_script(scenarios: Sequence[Scenario]) -> list[str]:
    """What testers do on the phone for each scenario, during the fault window."""
    out = []
    for i, s in enumerate(scenarios, 1):
        steps = ", ".join(
            f"say '{x[4:]}'" if x.startswith("say:") else "stay silent" if x == "silence" else f"press {x}"
            for x in s.inputs
        )
        out.append(f"{i}. {s.name} (in Seoul: {s.at[11:16]} on {s.at[:10]}): {steps or 'wait'}")
    return out


def run_throttle_window(
    throttle: LambdaThrottle,
    report: ThrottleReport,
    wait: Callable[[], None],
) -> ThrottleReport:
    """Inject, hold the window (testers call), restore whatever happens."""
    try:
        report.window_start = _now()
        throttle.inject(report.changes)
        wait()
    except KeyboardInterrupt:
        report.aborted = "interrupted (Ctrl-C)"
    except Exception as exc:
        report.aborted = error_text(exc)
    finally:
        with _deferred_interrupts():
            report.rollback = throttle.restore(report.changes)
        report.window_end = _now()
    return report


# ---- AWS: Connect Global Resiliency traffic shift ---------------------------------------------------------


class ShiftError(RuntimeError):
    """A step of the traffic shift failed (not applied in time, unhealthy queues, API error)."""


@dataclass(frozen=True)
class TrafficGroup:
    id: str
    arn: str
    name: str
    status: str
    is_default: bool
    instance_arn: str


@dataclass(frozen=True)
class Distribution:
    """A traffic distribution group's split: Region -> percent (telephony, agents), Region -> sign-in."""

    telephony: Mapping[str, int]
    agents: Mapping[str, int] | None = None
    sign_in: Mapping[str, bool] | None = None

    @classmethod
    def from_api(cls, response: Mapping[str, Any]) -> Distribution:
        def pct(config: Any) -> dict[str, int] | None:
            if not config:
                return None
            return {d["Region"]: int(d["Percentage"]) for d in config.get("Distributions") or []}

        sign_in = response.get("SignInConfig")
        return cls(
            pct(response.get("TelephonyConfig")) or {},
            pct(response.get("AgentConfig")),
            {d["Region"]: bool(d["Enabled"]) for d in sign_in.get("Distributions") or []}
            if sign_in
            else None,
        )

    def params(self) -> dict[str, Any]:
        """UpdateTrafficDistribution's configs (only the parts this distribution sets)."""

        def config(split: Mapping[str, Any], key: str) -> dict[str, Any]:
            return {"Distributions": [{"Region": r, key: v} for r, v in sorted(split.items())]}

        out = {"TelephonyConfig": config(self.telephony, "Percentage")}
        if self.agents is not None:
            out["AgentConfig"] = config(self.agents, "Percentage")
        if self.sign_in is not None:
            out["SignInConfig"] = config(self.sign_in, "Enabled")
        return out

    def applied_in(self, current: Distribution) -> bool:
        return (
            dict(current.telephony) == dict(self.telephony)
            and (self.agents is None or dict(current.agents or {}) == dict(self.agents))
            and (self.sign_in is None or dict(current.sign_in or {}) == dict(self.sign_in))
        )

    def text(self) -> str:
        def split(shares: Mapping[str, int]) -> str:
            return " / ".join(f"{r} {p}%" for r, p in sorted(shares.items()))

        parts = ["telephony " + split(self.telephony)]
        if self.agents is not None:
            parts.append("agents " + split(self.agents))
        if self.sign_in is not None:
            parts.append(
                "sign-in " + ", ".join(f"{r} {'on' if e else 'off'}" for r, e in sorted(self.sign_in.items()))
            )
        return "; ".join(parts)

    def majority_region(self) -> str:
        return max(sorted(self.telephony), key=lambda r: self.telephony[r])


def parse_steps(text: str, current: int) -> list[int]:
    """The target Region's share after each step: a count of even steps to 100% (`2`: 50, 100), or
    the shares themselves (`30,60,100`; a single share with %: `50%`)."""
    text = text.strip()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= 10:
            raise DrillError(f"--steps {text}: give 1 to 10 steps, or shares like 50% or 30,60,100")
        shares = [round((current + (100 - current) * i / count) / 10) * 10 for i in range(1, count + 1)]
    else:
        try:
            shares = [int(p.strip().rstrip("%")) for p in text.split(",") if p.strip()]
        except ValueError:
            raise DrillError(
                f"--steps {text!r}: a number of steps (2) or shares (50% or 30,60,100)"
            ) from None
    out: list[int] = []
    for s in shares:
        if s % 10 or not 0 <= s <= 100:
            raise DrillError(
                f"--steps: {s}% is not a multiple of 10 between 0 and 100 (Connect's increments)"
            )
        if s <= (out[-1] if out else current):
            if text.isdigit():
                continue  # rounding made two even steps equal
            raise DrillError(f"--steps: shares must rise above the current {current}%, got {text}")
        out.append(s)
    if not out:
        raise DrillError(f"--steps {text}: the target Region already has {current}%")
    return out


def shift_plan(
    original: Distribution, to_region: str, shares: Sequence[int], group: TrafficGroup
) -> list[Distribution]:
    regions = sorted(original.telephony)
    if to_region not in regions:
        raise DrillError(f"--to-region {to_region}: the group {group.name} spans {', '.join(regions)}")
    if len(regions) != 2:
        raise DrillError(f"the group {group.name} spans {len(regions)} Regions; the drill shifts between two")
    other = next(r for r in regions if r != to_region)
    out = []
    for share in shares:
        split = {to_region: share, other: 100 - share}
        sign_in = None
        # Sign-in can only change on the default group; agents may sign in where calls arrive.
        if group.is_default and original.sign_in is not None:
            sign_in = {to_region: True, other: 100 - share > 0}
        out.append(Distribution(split, dict(split) if original.agents is not None else None, sign_in))
    return out


@dataclass
class QueueHealth:
    queue: str
    agents_online: int
    agents_available: int
    waiting: int
    oldest_seconds: int
    sla_seconds: int | None
    problem: str = ""


def queue_health(client: Any, instance_id: str, config: Config) -> list[QueueHealth]:
    """Per queue of the (replica) instance: agents, callers waiting and the oldest wait against the SLA."""
    queues: list[dict[str, Any]] = []
    for page in client.get_paginator("list_queues").paginate(InstanceId=instance_id, QueueTypes=["STANDARD"]):
        queues += page.get("QueueSummaryList") or []
    queues = queues[:100]  # GetCurrentMetricData filters at most 100 queues
    values: dict[str, dict[str, float]] = {}
    params: dict[str, Any] = {
        "InstanceId": instance_id,
        "Filters": {"Queues": [q["Id"] for q in queues], "Channels": ["VOICE"]},
        "Groupings": ["QUEUE"],
        "CurrentMetrics": [
            {"Name": "AGENTS_ONLINE", "Unit": "COUNT"},
            {"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"},
            {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"},
            {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"},
        ],
    }
    while queues:
        page = client.get_current_metric_data(**params)
        for result in page.get("MetricResults") or []:
            qid = ((result.get("Dimensions") or {}).get("Queue") or {}).get("Id", "")
            values[qid] = {
                c["Metric"]["Name"]: float(c.get("Value") or 0) for c in result.get("Collections") or []
            }
        if not page.get("NextToken"):
            break
        params["NextToken"] = page["NextToken"]
    sla = {q.name: q.sla_seconds for q in config.queues.values()}
    out = []
    for q in sorted(queues, key=lambda q: str(q.get("Name", ""))):
        v = values.get(q["Id"], {})
        name = str(q.get("Name") or q["Id"])
        h = QueueHealth(
            name,
            int(v.get("AGENTS_ONLINE", 0)),
            int(v.get("AGENTS_AVAILABLE", 0)),
            int(v.get("CONTACTS_IN_QUEUE", 0)),
            int(v.get("OLDEST_CONTACT_AGE", 0)),
            sla.get(name),
        )
        if h.waiting and not h.agents_online:
            h.problem = f"{h.waiting} caller(s) waiting, no agent online"
        elif h.sla_seconds is not None and h.oldest_seconds > h.sla_seconds:
            h.problem = f"oldest caller waits {h.oldest_seconds} s, SLA {h.sla_seconds} s"
        out.append(h)
    return out


def find_group(client: Any, instance_id: str, wanted: str | None) -> TrafficGroup:
    pages = client.get_paginator("list_traffic_distribution_groups").paginate(
        InstanceId=instance_id, PaginationConfig={"PageSize": 10}
    )
    groups = [g for page in pages for g in page.get("TrafficDistributionGroupSummaryList") or []]
    if not groups:
        raise DrillError(
            f"instance {instance_id} has no traffic distribution group: Global Resiliency needs a replica "
            "instance (ReplicateInstance) and a group (CreateTrafficDistributionGroup) first"
        )
    if wanted:
        found = [g for g in groups if wanted in (g.get("Id"), g.get("Arn"), g.get("Name"))]
    else:
        found = [g for g in groups if g.get("IsDefault")] or (groups if len(groups) == 1 else [])
    if len(found) != 1:
        listing = ", ".join(
            f"{g.get('Name')} ({g.get('Id')}{', default' if g.get('IsDefault') else ''})" for g in groups
        )
        raise DrillError(
            f"which traffic distribution group? give --group ID|ARN|NAME; the instance has: {listing}"
        )
    g = found[0]
    group = TrafficGroup(
        str(g["Id"]),
        str(g["Arn"]),
        str(g.get("Name", "")),
        str(g.get("Status", "")),
        bool(g.get("IsDefault")),
        str(g.get("InstanceArn", "")),
    )
    if group.status != "ACTIVE":
        raise DrillError(f"the traffic distribution group {group.name} is {group.status}; it must be ACTIVE")
    return group


@dataclass
class ShiftStep:
    number: int
    distribution: Distribution
    region: str  # where UpdateTrafficDistribution was called
    applied_after: float | None = None
    health: list[QueueHealth] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "distribution": asdict(self.distribution),
            "called_in": self.region,
            "applied_after_seconds": self.applied_after,
            "health": [asdict(h) for h in self.health],
            "error": self.error,
        }


@dataclass
class ShiftReport:
    group: TrafficGroup
    original: Distribution
    to_region: str
    steps: list[ShiftStep] = field(default_factory=list)
    planned: int = 0
    rollback: Rollback = field(default_factory=Rollback)
    rolled_back: bool = False
    kept: bool = False
    aborted: str = ""
    started_at: str = ""
    finished_at: str = ""

    @property
    def passed(self) -> bool:
        steps_ok = len(self.steps) == self.planned and not any(s.error for s in self.steps)
        return steps_ok and not self.aborted and self.rollback.done

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": "PASS" if self.passed else "FAIL",
            "group": asdict(self.group),
            "original": asdict(self.original),
            "to_region": self.to_region,
            "steps": [s.to_json() for s in self.steps],
            "steps_planned": self.planned,
            "rolled_back": self.rolled_back,
            "kept": self.kept,
            "rollback": self.rollback.to_json(),
            "aborted": self.aborted,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }

    def to_markdown(self) -> str:
        if self.kept:
            back = f"kept at the last step (--keep); the original was {self.original.text()}"
        elif self.rolled_back:
            back = (
                "rolled back to "
                + self.original.text()
                + ("" if self.rollback.done else " — INCOMPLETE: " + "; ".join(self.rollback.problems))
            )
        else:
            back = "INCOMPLETE: " + "; ".join(self.rollback.problems or ["not rolled back"])
        facts = [
            f"Verdict: **{'PASS' if self.passed else 'FAIL'}**",
            f"Traffic distribution group: {self.group.name} ({self.group.arn})",
            f"Shift to: {self.to_region}; started {self.started_at}, finished {self.finished_at}",
            f"Original: {self.original.text()}",
            f"Rollback: {back}",
        ]
        rows = [
            [
                s.number,
                s.distribution.text(),
                s.region,
                "-" if s.applied_after is None else round(s.applied_after, 1),
                health_text(s.health),
                s.error,
            ]
            for s in self.steps
        ]
        headers = ["step", "distribution", "called in", "applied after s", "queues", "error"]
        title = "Failover drill report: Global Resiliency traffic shift"
        return _md_report(title, facts, self.aborted, [_md_table(headers, rows)])


def _health_problems(health: Sequence[QueueHealth]) -> list[str]:
    return [f"{h.queue}: {h.problem}" for h in health if h.problem]


def health_text(health: Sequence[QueueHealth]) -> str:
    if not health:
        return "not checked"
    bad = _health_problems(health)
    online = sum(h.agents_online for h in health)
    return "; ".join(bad) if bad else f"{len(health)} healthy, {online} agent(s) online"


def _refused(exc: BaseException) -> bool:
    """A 4xx answer: the service refused the request and changed nothing."""
    response = getattr(exc, "response", None)
    status = ((response or {}).get("ResponseMetadata") or {}).get("HTTPStatusCode", 0)
    return 400 <= int(status) < 500 and "Throttling" not in str((response or {}).get("Error", {}).get("Code"))


class TrafficShift:
    """Shift step by step, verify each step, roll back (unless kept after a clean run)."""

    def __init__(
        self,
        client_for: Callable[[str], Any],
        group: TrafficGroup,
        original: Distribution,
        to_region: str,
        steps: Sequence[Distribution],
        *,
        health: Callable[[], list[QueueHealth]] | None = None,
        timeout: float = 300.0,
        poll: float = 10.0,
        dwell: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        echo: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.client_for = client_for
        self.group, self.original, self.to_region = group, original, to_region
        self.targets = list(steps)
        self.health = health
        self.timeout, self.poll, self.dwell = timeout, poll, dwell
        self.sleep, self.clock, self.echo = sleep, clock, echo
        self.accepted = 0  # updates the service took
        self.unchanged = False  # the first update was refused: nothing to roll back

    def rollback_target(self) -> Distribution:
        """The original distribution, with only the parts the steps changed."""
        first = self.targets[0] if self.targets else Distribution({})
        return Distribution(
            self.original.telephony,
            None if first.agents is None else self.original.agents,
            None if first.sign_in is None else self.original.sign_in,
        )

    def rollback_params(self) -> dict[str, Any]:
        return self.rollback_target().params()

    def run(self, keep: bool = False) -> ShiftReport:
        report = ShiftReport(
            self.group, self.original, self.to_region, planned=len(self.targets), started_at=_now()
        )
        try:
            for number, target in enumerate(self.targets, 1):
                step = ShiftStep(number, target, self.to_region)
                report.steps.append(step)
                try:
                    self._step(step)
                except ShiftError as exc:
                    step.error = str(exc)
                    raise
        except ShiftError as exc:
            report.aborted = f"step {len(report.steps)}: {exc}"
        except KeyboardInterrupt:
            report.aborted = "interrupted (Ctrl-C)"
        except Exception as exc:  # an API error: the shift stops, the rollback still runs
            report.aborted = error_text(exc)
            if report.steps:
                report.steps[-1].error = report.aborted
        finally:
            if keep and report.passed:
                report.kept = True
            elif self.unchanged:
                report.rollback = Rollback(["nothing to roll back: the first update was refused"])
            else:
                with _deferred_interrupts():
                    report.rollback = self._rollback()
                report.rolled_back = report.rollback.done
            report.finished_at = _now()
        return report

    def _step(self, step: ShiftStep) -> None:
        self.echo(
            f"step {step.number}: {step.distribution.text()} (UpdateTrafficDistribution in {step.region})"
        )
        client = self.client_for(step.region)
        try:
            client.update_traffic_distribution(Id=self.group.arn, **step.distribution.params())
        except Exception as exc:
            if not self.accepted and _refused(exc):
                self.unchanged = True  # the service said no before anything moved
            raise
        self.accepted += 1
        step.applied_after = self._wait_applied(client, step.distribution)
        self.echo(f"step {step.number}: applied after {step.applied_after:.0f} s")
        if self.dwell:
            self.sleep(self.dwell)
        if self.health is not None:
            step.health = self.health()
            bad = _health_problems(step.health)
            if bad:
                raise ShiftError("queues at risk in " + self.to_region + ": " + "; ".join(bad))

    def _wait_applied(self, client: Any, want: Distribution) -> float:
        start = self.clock()
        while True:
            got = Distribution.from_api(client.get_traffic_distribution(Id=self.group.arn))
            described = client.describe_traffic_distribution_group(TrafficDistributionGroupId=self.group.arn)
            status = str((described.get("TrafficDistributionGroup") or {}).get("Status", ""))
            if want.applied_in(got) and status == "ACTIVE":
                return self.clock() - start
            if status.endswith("FAILED") or status == "PENDING_DELETION":
                raise ShiftError(f"the group went {status}")
            waited = self.clock() - start
            if waited >= self.timeout:
                raise ShiftError(f"not applied after {self.timeout:.0f} s (group {status}; now {got.text()})")
            self.sleep(min(self.poll, max(0.0, self.timeout - waited)))

    def _rollback(self) -> Rollback:
        out = Rollback()
        region = self.original.majority_region()
        want = self.rollback_target()
        try:
            self.echo(f"rollback: {self.original.text()} (UpdateTrafficDistribution in {region})")
            client = self.client_for(region)
            client.update_traffic_distribution(Id=self.group.arn, **want.params())
            after = self._wait_applied(client, want)
            out.steps.append(f"restored {want.text()} (applied after {after:.0f} s)")
        except Exception as exc:  # say how to finish it by hand
            out.problems.append(f"{error_text(exc)}; restore by hand: {self.cli_restore()}")
        return out

    def cli_restore(self) -> str:
        """The rollback as an AWS CLI command, for doing it by hand."""
        flags = " ".join(
            f"--{re.sub(r'(?<!^)(?=[A-Z])', '-', k).lower()} '{json.dumps(v)}'"
            for k, v in self.rollback_params().items()
        )
        region = self.original.majority_region()
        return f"aws connect update-traffic-distribution --region {region} --id {self.group.arn} {flags}"
