"""`aicc-ops failover throttle`: Lambda throttling on AWS for a window in which testers call by phone.

There is no call placement on AWS: `LambdaThrottle` sets the chosen functions' reserved
concurrency to 0 (every invocation is throttled), holds the window, and restores each function's
reservation, whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..core.aws import error_text
from ..core.signals import Terminated, held, what_stopped
from .drill import Fault, Scenario
from .failover import DrillError, Rollback, md_report, md_table, now

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


AWS_FAULTS_HINT = (
    "give --fault lambda-throttle:HANDLER (or :all); a traffic shift is `aicc-ops failover shift`"
)


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
            f"Fault window: {self.window_start} to {self.window_end}",
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
            md_table(headers, rows),
            "The calls were placed by phone: verify each in the call logs (`call_logs` table) and in "
            "Connect's contact search for the window above. Expected: every caller reached a queue, a "
            "callback, or a spoken explanation.",
        ]
        return md_report("Failover drill report: Lambda throttling on AWS", facts, self.aborted, blocks)


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
        report.window_start = now()
        throttle.inject(report.changes)
        wait()
    except (KeyboardInterrupt, Terminated) as stopped:
        report.aborted = what_stopped(stopped)
    except Exception as exc:
        report.aborted = error_text(exc)
    finally:
        with held():
            report.rollback = throttle.restore(report.changes)
        report.window_end = now()
    return report
