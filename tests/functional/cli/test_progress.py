"""Long work shows progress as lines when the stream is not a terminal (CI, cron logs)."""

from __future__ import annotations

import io

from aicc_ops.cli._progress import LINES, SHORT, progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_when_the_stream_is_not_a_terminal() -> None:
    log = io.StringIO()
    with progress(95, "Onboarding", file=log) as tick:
        for _ in range(95):
            tick(1)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0].startswith("Onboarding: 1/95 (1%)")  # at once: the run is alive
    assert lines[1].startswith("Onboarding: 9/95 (9%)")
    assert lines[-1].startswith("Onboarding: 95/95 (100%)")
    assert len(lines) <= LINES + 2


def test_a_bar_on_a_terminal_and_nothing_for_short_work() -> None:
    terminal, short = Terminal(), io.StringIO()
    with progress(SHORT + 5, "calls", file=terminal) as tick:
        tick(SHORT + 5)
    with progress(SHORT, "calls", file=short) as tick:
        tick(SHORT)
    assert "calls" in terminal.getvalue() and "/15 (" not in terminal.getvalue()
    assert short.getvalue() == ""
