"""Admission of live calls on the local stack, as a carrier admits calls to a busy line.

A call's flows are CPU work in the server's one interpreter. Two limits keep them within what it
can do, and make callers beyond that wait instead of failing:

- `AnswerRate`: new calls are answered at most so many a second, in the order they rang, and
  none while the flows are behind (steps wait for a slot). Each answered caller goes on to answer
  prompts, so the rate of answers sets the load of flow steps a few seconds later; a burst of a
  thousand callers answered at once would all answer their prompts at the same moment, and so
  would the callers answered while the flows were behind, the moment they caught up (they all
  waited for the same slots). Until its turn a call rings: accepted and counted, never reset or
  refused.
- `FlowSlots`: at most `size` calls run a flow step at once. More at once would not finish more
  per second, only make each slower. A step waits its turn first come, first served, the steps of
  calls already answered before the first step of new ones.

Hanging up while ringing, or while a step waits for its slot, withdraws the call: it keeps no
slot, and the callers behind it in either line move up.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable

ANSWERED = 0  # the next step of a call in progress
RINGING = 1  # a new call, not answered yet


class Ticket:
    """One caller's place in line for a slot."""

    __slots__ = ("event", "granted", "priority")

    def __init__(self, priority: int) -> None:
        self.priority = priority
        self.event = threading.Event()  # set once granted or withdrawn
        self.granted = False

    def wait(self) -> bool:
        """Until the slot is granted (True) or the place withdrawn (False)."""
        self.event.wait()
        return self.granted


class FlowSlots:
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"flow slots: {size}; at least 1")
        self.size = size
        self._lock = threading.Lock()
        self._free = size  # > 0 only while no one waits
        self._line: list[tuple[int, int, Ticket]] = []  # heap; withdrawn tickets are skipped
        self._order = itertools.count()
        self._waiting = [0, 0]  # tickets waiting, by priority
        self._closed = False

    def enter(self, priority: int) -> Ticket:
        """A place in line: granted at once when a slot is free."""
        ticket = Ticket(priority)
        with self._lock:
            if self._closed:
                ticket.event.set()
            elif self._free:
                self._free -= 1
                ticket.granted = True
                ticket.event.set()
            else:
                heapq.heappush(self._line, (priority, next(self._order), ticket))
                self._waiting[priority] += 1
        return ticket

    def withdraw(self, ticket: Ticket) -> None:
        """Leave the line (the caller hung up); a slot already granted is kept until released."""
        with self._lock:
            if not ticket.event.is_set():
                self._waiting[ticket.priority] -= 1
                ticket.event.set()

    def release(self) -> None:
        """Give the slot to whoever waits longest at the highest priority, else free it."""
        with self._lock:
            while self._line:
                _, _, ticket = heapq.heappop(self._line)
                if not ticket.event.is_set():
                    self._waiting[ticket.priority] -= 1
                    ticket.granted = True
                    ticket.event.set()
                    return
            self._free += 1

    def close(self) -> None:
        """Withdraw everyone waiting and admit no one any more (the server stops)."""
        with self._lock:
            self._closed = True
            for _, _, ticket in self._line:
                ticket.event.set()
            self._line.clear()
            self._waiting = [0, 0]

    def behind(self) -> bool:
        """Steps wait for a slot: the flows are not keeping up."""
        with self._lock:
            return bool(self._waiting[ANSWERED] or self._waiting[RINGING])

    def counts(self) -> dict[str, int]:
        """Slots taken, and steps waiting for one (of calls in progress, of calls being answered)."""
        with self._lock:
            return {
                "flows_running": self.size - self._free,
                "steps_waiting": self._waiting[ANSWERED],
                "answers_waiting": self._waiting[RINGING],
            }


class Ringing:
    """One ringing caller's place in the line to be answered."""

    __slots__ = ("gone", "head")

    def __init__(self) -> None:
        self.head = threading.Event()  # set once it is first in line (or gone)
        self.gone = threading.Event()  # set once withdrawn: it hung up, or the server stops


class AnswerRate:
    """New calls are answered at most `rate` a second, in the order they rang (a carrier's
    calls-per-second limit, GCRA): a burst of callers rings in line and is answered at the rate
    the server can take them, instead of all walking through the IVR at the same moment. `burst`
    calls arriving after a quiet spell are answered at once.

    The line holds callers, not reserved times: a caller who hangs up while ringing leaves it, and
    the callers behind move up to the turn it would have had (reserved times kept the turn of
    every caller who had hung up, and the line behind waited for them).

    `behind` says the flows are behind (FlowSlots.behind): then nobody is answered, the turn is
    looked at again 1/rate later, and no burst is saved up meanwhile: once the flows catch up the
    line is answered at the rate again, not all at once."""

    def __init__(self, rate: float, burst: int, behind: Callable[[], bool] | None = None) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"answer rate {rate}/s, burst {burst}: both must be positive")
        self.rate, self.burst = rate, burst
        self._behind = behind or (lambda: False)
        self._lock = threading.Lock()
        self._line: deque[Ringing] = deque()
        self._next = 0.0  # monotonic: the earliest moment the next call may be answered
        self._closed = False

    def ring(self) -> Ringing:
        """A new caller at the end of the line."""
        ringing = Ringing()
        with self._lock:
            if self._closed:
                ringing.gone.set()
                ringing.head.set()
                return ringing
            self._line.append(ringing)
            if self._line[0] is ringing:
                ringing.head.set()
        return ringing

    def try_answer(self, ringing: Ringing) -> bool:
        """Answer the caller now if its turn has come (it is first in line and the rate allows)."""
        with self._lock:
            return self._due_in(ringing) == 0.0

    def wait_answer(self, ringing: Ringing) -> bool:
        """Until the caller's turn comes (True: answered) or it is withdrawn (False)."""
        while True:
            ringing.head.wait()
            with self._lock:
                wait = self._due_in(ringing)
            if wait is None:
                return False
            if wait == 0.0:
                return True
            ringing.gone.wait(wait)

    def _due_in(self, ringing: Ringing) -> float | None:
        """(Lock held.) None: gone; 0.0: answered now (it leaves the line); else the seconds until
        its turn, or until the head's turn (a caller further back waits for `head`)."""
        if ringing.gone.is_set():
            return None
        if not self._line or self._line[0] is not ringing:
            return 1 / self.rate
        now = time.monotonic()
        due = max(self._next, now - (self.burst - 1) / self.rate)
        if due > now:
            return due - now
        if self._behind():
            self._next = now  # no burst saved up while the flows are behind
            return 1 / self.rate
        self._next = due + 1 / self.rate
        self._line.popleft()
        if self._line:
            self._line[0].head.set()
        return 0.0

    def withdraw(self, ringing: Ringing) -> None:
        """The caller hung up while ringing: it leaves the line, and those behind move up."""
        with self._lock:
            if ringing.gone.is_set():
                return
            ringing.gone.set()
            ringing.head.set()
            if ringing in self._line:
                was_head = self._line[0] is ringing
                self._line.remove(ringing)
                if was_head and self._line:
                    self._line[0].head.set()

    def close(self) -> None:
        """Withdraw every ringing caller and let no one ring any more (the server stops)."""
        with self._lock:
            self._closed = True
            for ringing in self._line:
                ringing.gone.set()
                ringing.head.set()
            self._line.clear()

    @property
    def ringing(self) -> int:
        with self._lock:
            return len(self._line)
