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
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import reduce
from typing import Any, Protocol

from ..core.signals import Terminated, held, stop_for, what_stopped
from ..local.call_client import CallApiError, CallClient
from .context import scan_all
from .failover import DrillError, Rollback, absorb, md_report, md_table, now, short

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
        from ..engine.interpreter import FlowRunError, SimulatorBugError

        # With every agent offline, the scenario's own statuses would bring some back: skip them.
        statuses = {} if self.active.agents_offline else dict(scenario.agent_status)
        hits = self.stack.lambdas.service_fault_hits["dynamodb"]
        started = time.perf_counter()
        try:
            result = self.stack.call(
                scenario.caller,
                datetime.fromisoformat(scenario.at),
                scenario.inputs,
                hold_seconds=hold_seconds,
                agents=statuses,
            ).to_json()
        except FlowRunError as exc:  # a flow with no branch for what happened: Connect drops the call
            result = {"disconnected": False, "end_reason": f"flow error: {exc}", "transcript": []}
        except SimulatorBugError as exc:  # the simulator's fault, not the flow's: the drill stops
            raise RunnerError(str(exc)) from exc
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
            md_table(["outcome", "calls"], list(self.totals().items())),
            "## By fault",
            md_table(FAULT_COLUMNS, self.fault_rows()),
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
                    short(r.landing if r.outcome != EXPLAINED else f"explained: {r.ended}"),
                ]
                for r in self.changed
            ]
            blocks += [
                "## Calls a fault sent elsewhere",
                md_table(["fault", "scenario", "without the fault", "with it"], moved),
            ]
        if self.dropped:
            blocks += ["## Dropped callers", md_table(DROPPED_COLUMNS, self.dropped_rows())]
        calls = [
            [
                r.fault,
                r.scenario,
                r.outcome,
                short(r.ended),
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
        blocks += ["## Calls", md_table(headers, calls)]
        return md_report("Failover drill report", facts, self.aborted, blocks)


def run_drill(
    plan: DrillPlan,
    runner: Runner,
    queue_names: Mapping[str, str],
    progress: Callable[[CallRun], None] | None = None,
) -> DrillReport:
    """Every fault of the plan in turn, with every scenario; faults are removed whatever happens."""
    report = DrillReport(plan, now())
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
                with held() as interrupted:
                    absorb(report.rollback, runner.clear())
                stop_for(interrupted)  # held during the rollback: no further fault sets
    except RunnerError as exc:
        report.aborted = str(exc)
    except (KeyboardInterrupt, Terminated) as stopped:
        report.aborted = what_stopped(stopped)
    finally:
        with held():
            final = runner.clear()  # a second, idempotent removal: the safety net
        absorb(report.rollback, final)
        report.finished_at = now()
    return report
