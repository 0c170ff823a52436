"""Progress of long work, for every command: a bar on a terminal, plain lines otherwise.

A bar redrawn with carriage returns is noise in CI and cron logs (click prints only its label when
the stream is not a terminal), so there the operator gets one line per tenth of the work, at
least one every LINE_SECONDS, and one at the end:

    with progress(len(items), "Onboarding") as tick:
        for item in items:
            ...
            tick()
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TextIO

import click

LINE_SECONDS = 30.0  # a quiet log looks hung: a line at least this often
LINES = 10  # about this many lines for the whole run
SHORT = 10  # work of at most this many units shows no progress (it is over before it is read)


@contextmanager
def progress(total: int, label: str, file: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """`tick(n)` after each n units of work; on stderr unless `file`."""
    out = file or sys.stderr
    if total <= SHORT:
        yield _nothing
        return
    if out.isatty():
        with click.progressbar(length=total, label=label, file=out) as bar:
            yield bar.update
        return
    lines = ProgressLines(total, label, out)
    yield lines.tick
    lines.finish()


def _nothing(n: int = 1) -> None:
    pass


class ProgressLines:
    def __init__(self, total: int, label: str, out: IO[str], clock: Callable[[], float] = time.monotonic):
        self.total, self.label, self.out, self.clock = total, label, out, clock
        self.done = 0
        self.every = max(1, total // LINES)
        self.start = self.last = clock()
        self.printed = -1

    def tick(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        now = self.clock()
        if self.done // self.every != self.printed // self.every or now - self.last >= LINE_SECONDS:
            self._line(now)

    def finish(self) -> None:
        if self.printed != self.done:
            self._line(self.clock())

    def _line(self, now: float) -> None:
        self.printed, self.last = self.done, now
        share = 100 * self.done // self.total
        click.echo(
            f"{self.label}: {self.done}/{self.total} ({share}%), {now - self.start:.0f} s", file=self.out
        )
