"""What the failover exercises share (`aicc-ops failover drill|throttle|shift`): the error an
operator gets for an option the exercise cannot use, the rollback record every exercise ends with,
the markdown report helpers, and the Ctrl-C guard that lets a rollback finish.

The exercises, one module each: admin/drill.py (scenario calls through the flows with faults
injected, on the local stack), admin/throttle.py (Lambda throttling on AWS for a window of calls by
phone), admin/traffic_shift.py (a Connect Global Resiliency traffic shift, step by step, rolled back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aicc.clock import seoul_time


class DrillError(ValueError):
    """A fault, scenario or option the drill cannot use; the message says what to give instead."""


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


def md_report(title: str, facts: Sequence[str], aborted: str, blocks: Sequence[str]) -> str:
    """A markdown report: the title, its facts as a list (and why it stopped early), then each block
    (a heading, a table, a paragraph) after a blank line."""
    lines = [f"# {title}", "", *(f"- {f}" for f in facts)]
    if aborted:
        lines.append(f"- Stopped early: {aborted}")
    for block in blocks:
        lines += ["", block]
    return "\n".join(lines) + "\n"


def short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def now() -> str:
    """Report times: Asia/Seoul, with the offset (operators read them)."""
    return seoul_time(datetime.now(UTC))


def absorb(into: Rollback, more: Rollback) -> None:
    into.steps += [s for s in more.steps if s not in into.steps]
    into.problems += [p for p in more.problems if p not in into.problems]  # the safety net repeats them
