"""Signals that end a command as Ctrl-C does: SIGTERM (kill, a CI job's timeout, systemd) and
SIGHUP (the terminal closed) raise `Terminated` in the main thread, so every `finally` block stops
what the command started (a local stack, Locust, Terraform: each in a session of its own, so that a
terminal's Ctrl-C reaches only aicc-ops). Python's default dies on the spot, and they ran on.

`held()` keeps Ctrl-C, SIGTERM and SIGHUP back for a section that must not be cut short: a
rollback, or a child started and recorded (a signal between the two would leave it running).
`cleaning_up()` does so for the clean-up that stops such children."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

ENDING = (signal.SIGTERM, signal.SIGHUP)
STOPPING = (signal.SIGINT, *ENDING)


class Terminated(SystemExit):
    """A SIGTERM or SIGHUP ended the command: exit 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signal_name = signal.Signals(signum).name


def what_stopped(exc: KeyboardInterrupt | Terminated) -> str:
    """A report's words for what ended it: Ctrl-C, or the signal."""
    return f"terminated ({exc.signal_name})" if isinstance(exc, Terminated) else "interrupted (Ctrl-C)"


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


@contextlib.contextmanager
def held() -> Iterator[list[int]]:
    """Ctrl-C, SIGTERM and SIGHUP arriving during the block are held and noted in the list yielded
    (main thread only: signals go there; a signal the process ignores stays ignored). The caller
    decides what a held one does once the block is done: `redeliver` it, or stop on its own."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = {
        signum: signal.signal(signum, lambda signum, _frame: caught.append(signum))
        for signum in STOPPING
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield caught
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop_for(caught: list[int]) -> None:
    """Raise what the first signal `held` kept back stands for (KeyboardInterrupt for Ctrl-C,
    Terminated for SIGTERM or SIGHUP) without sending it again: code that may run without
    aicc-ops' handlers (a drill as a library, a test) is not killed by a redelivered SIGTERM."""
    if caught:
        raise KeyboardInterrupt if caught[0] == signal.SIGINT else Terminated(caught[0])


def redeliver(caught: list[int]) -> None:
    """The first signal `held` kept back, sent again: it now does what it would have done."""
    if caught:
        os.kill(os.getpid(), caught[0])


@contextlib.contextmanager
def cleaning_up() -> Iterator[None]:
    """A clean-up that stops what a command started (its waits bounded): a signal arriving during it
    waits until it is done, then acts, unless the command is already stopping for Ctrl-C or a
    signal (the exception on its way out stays the one reported). Raised in the middle, it left the
    children after the current one running."""
    with held() as caught:
        yield
    if not isinstance(sys.exception(), KeyboardInterrupt | Terminated):
        redeliver(caught)
