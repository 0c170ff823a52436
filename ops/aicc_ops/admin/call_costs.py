"""What one call costs the AWS services behind it, measured by running calls through the local stack.

The demo's scripted calls (local/scenarios.py: every flow, speech and DTMF, faults, after hours)
run through the embedded local stack, whose engine executes the very flow JSON and handlers
Connect would. Counted per call: each handler's invocations (the flows' InvokeLambdaFunction
blocks and the Lex code hook), the Connect API calls the handlers make (page calls), the Lex turns,
the prompts Connect's text-to-speech speaks and their characters, and whether the flows turned on
Contact Lens real-time analytics. The capacity arithmetic (capacity.py) multiplies these by a rate
of calls. Durations measured here are against moto (in process), so they are reported, not used.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine.interpreter import CallResult
    from ..local.scenarios import DemoCall
    from ..local.stack import LocalStack

LEX_ACTION = "ConnectParticipantWithLexBot"
RECORDING_ACTION = "UpdateContactRecordingBehavior"
MEDIA_PROMPT = ("[prompt ", "[audio ")  # prompts played from a recording, not synthesized


class CostsError(ValueError):
    """A per-call costs file that cannot be used; the message names the file and what to fix."""


@dataclass(frozen=True)
class CallCosts:
    """Per-call averages over the measured calls."""

    calls: int  # calls measured
    source: str  # what was measured (or the file read)
    invocations: dict[str, float]  # handler -> invocations per call
    connect_api: dict[str, float]  # Connect API operation the handlers call -> calls per call
    lex_turns: float  # Lex V2 bot turns per call
    tts_prompts: float  # prompts synthesized by text-to-speech per call
    tts_characters: float  # their characters per call
    analytics: float  # share of calls whose flows turn on Contact Lens real-time analytics
    local_ms: dict[str, float] = field(default_factory=dict)  # handler -> median ms locally (moto)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CallCosts:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CostsError(f"{path}: cannot read it ({exc.strerror})") from None
        except json.JSONDecodeError as exc:
            raise CostsError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
        try:
            return cls(
                calls=int(data["calls"]),
                source=str(path),
                invocations=_numbers(data["invocations"]),
                connect_api=_numbers(data["connect_api"]),
                lex_turns=float(data["lex_turns"]),
                tts_prompts=float(data["tts_prompts"]),
                tts_characters=float(data["tts_characters"]),
                analytics=float(data["analytics"]),
                local_ms=_numbers(data.get("local_ms", {})),
            )
        except KeyError as exc:
            raise CostsError(f"{path}: no {exc.args[0]!r}; write the file with --save-costs") from None
        except (TypeError, ValueError, AttributeError):
            raise CostsError(
                f"{path}: the values must be numbers; write the file with --save-costs"
            ) from None


def _numbers(value: Mapping[str, Any]) -> dict[str, float]:
    return {str(k): float(v) for k, v in value.items()}


@dataclass
class _Tally:
    """What the calls of one measurement did, summed."""

    invocations: Counter[str] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=dict)
    connect_api: Counter[str] = field(default_factory=Counter)


@contextmanager
def _counting(stack: LocalStack, tally: _Tally) -> Iterator[None]:
    """Count every handler invocation (flows and the Lex code hook both go through invoke_named) and
    every Connect API call the handlers make, for as long as the context lasts."""
    import boto3

    lambdas = stack.lambdas
    real: Callable[..., dict[str, Any]] = lambdas.invoke_named

    def invoke_named(
        name: str, event: dict[str, Any], timeout: float, response_type: str, *, arn: str = ""
    ) -> dict[str, Any]:
        tally.invocations[name] += 1
        t0 = time.perf_counter()
        try:
            return real(name, event, timeout, response_type, arn=arn)
        finally:
            tally.durations.setdefault(name, []).append((time.perf_counter() - t0) * 1000)

    def connect_call(model: Any, **_: Any) -> None:
        tally.connect_api[str(model.name)] += 1

    events = boto3._get_default_session().events  # the handlers' clients come from the default session
    lambdas.invoke_named = invoke_named  # type: ignore[method-assign]
    events.register("before-call.connect", connect_call, unique_id="aicc-call-costs")
    try:
        yield
    finally:
        events.unregister("before-call.connect", unique_id="aicc-call-costs")
        lambdas.invoke_named = real  # type: ignore[method-assign]


def _analytics_actions(stack: LocalStack) -> set[tuple[str, str]]:
    """(flow name, action) of the blocks that turn on real-time analytics for voice."""
    found = set()
    for flow in stack.flows.values():
        for ident, action in flow.actions.items():
            if action.get("Type") != RECORDING_ACTION:
                continue
            channels = (
                (action.get("Parameters") or {}).get("AnalyticsBehavior", {}).get("ChannelConfiguration", {})
            )
            if "RealTime" in (channels.get("Voice") or {}).get("AnalyticsModes", []):
                found.add((flow.name, ident))
    return found


def costs_of(
    results: Sequence[CallResult], tally: _Tally, analytics: set[tuple[str, str]], source: str
) -> CallCosts:
    """Per-call averages of measured calls."""
    n = len(results) or 1
    spoken = [p for r in results for p in r.prompts if not p.startswith(MEDIA_PROMPT)]
    return CallCosts(
        calls=len(results),
        source=source,
        invocations={k: v / n for k, v in sorted(tally.invocations.items())},
        connect_api={k: v / n for k, v in sorted(tally.connect_api.items())},
        lex_turns=sum(s.type == LEX_ACTION for r in results for s in r.steps) / n,
        tts_prompts=len(spoken) / n,
        tts_characters=sum(len(p) for p in spoken) / n,
        analytics=sum(any((s.flow, s.identifier) in analytics for s in r.steps) for r in results) / n,
        local_ms={k: statistics.median(v) for k, v in sorted(tally.durations.items())},
    )


def measure(calls: Sequence[DemoCall] | None = None, data_dir: Path | None = None) -> CallCosts:
    """Run `calls` (default: the demo's mix, each once) through a fresh embedded local stack seeded
    from `data_dir` (default: the sample data)."""
    from ..local.scenarios import DEMO_CALLS, run_call
    from ..local.stack import local_stack

    chosen = DEMO_CALLS if calls is None else calls
    tally = _Tally()
    with local_stack(data_dir) as stack, _counting(stack, tally):
        results = [run_call(stack, c) for c in chosen]
        analytics = _analytics_actions(stack)
    return costs_of(
        results, tally, analytics, f"the demo mix on the local stack ({len(chosen)} calls, each once)"
    )
