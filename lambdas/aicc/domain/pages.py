"""On-call pages as the call log records them: who was paged, how, and whether they acknowledged.

A module of its own: the call-log adapter reads and writes pages, and a handler that only logs calls
must not import the whole escalation chain for it (cold starts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# How a page reaches an engineer who is not signed in: a text message and a page call.
CHANNELS = ("sms", "call")


@dataclass(frozen=True)
class Page:
    """A step's page as the call log holds it."""

    login: str
    paged_at: datetime  # aware
    delivered: frozenset[str]  # the CHANNELS that went out
    acked_at: datetime | None = None  # aware; None until the engineer presses 1 on the page call


def parse_step(raw: str) -> int:
    """A chain step index (the escalation's `step`, a page call's `escalation_step`): "" is the
    first step; anything but a non-negative integer is a flow bug."""
    text = raw.strip()
    if not text:
        return 0
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"step must be a non-negative integer, got {raw!r}")
    return int(text)
