"""Signals that end a command as Ctrl-C does: SIGTERM (kill, a CI job's timeout, systemd) and
SIGHUP (the terminal closed) raise `Terminated` in the main thread, so every `finally` block stops
what the command started (a local stack, Locust, Terraform: each in a session of its own, so that a
terminal's Ctrl-C reaches only aicc-ops). Python's default dies on the spot, and they ran on."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable

ENDING = (signal.SIGTERM, signal.SIGHUP)


class Terminated(SystemExit):
    """A SIGTERM or SIGHUP ended the command: exit 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signal_name = signal.Signals(signum).name


def end_on_signals(notice: Callable[[str], None]) -> None:
    """From now on the first SIGTERM or SIGHUP calls `notice` with its name and raises Terminated;
    a repeat while that clean-up runs is ignored (the clean-up is bounded). A signal this process
    was started ignoring (`nohup`, `trap '' HUP`) stays ignored."""
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        with contextlib.suppress(Exception):  # the terminal may be gone (SIGHUP): the exit matters more
            notice(signal.Signals(signum).name)
        raise Terminated(signum)

    for signum in ENDING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, stop)
