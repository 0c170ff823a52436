"""How many chat customers the Participant Service's GetTranscript quota lets the load test serve.

A web chat client hears the conversation on its websocket; the `chat` scenario has none (the local
stack serves none either) and polls GetTranscript instead, within the quota the whole account
shares: 8 requests per second, burst 12 (chat.PARTICIPANT_QUOTAS). A customer waiting for the
flows polls every POLL_MAX_S at most, so the quota reads every customer that often only up to
`ceiling()` customers; beyond it the reads are spread: each customer's transcript is read every
users / rate seconds, and a reply is seen that much later (its step time is not: steps are timed
by the service's own AbsoluteTime stamps, and the pacer's waits do not count in the step timeout).
"""

from __future__ import annotations

import math

from ...local.chat import PARTICIPANT_QUOTAS

POLL_FIRST_S, POLL_FACTOR, POLL_MAX_S = 0.02, 1.5, 0.5  # seconds between a customer's transcript reads
SLOW_READ_S = 5.0  # a customer read less often than this sees the flows' replies too late to be useful


def transcript_rate() -> float:
    return PARTICIPANT_QUOTAS["GetTranscript"][0]


def ceiling() -> int:
    """Customers the GetTranscript quota reads every POLL_MAX_S."""
    return math.floor(transcript_rate() * POLL_MAX_S)


def read_every_s(users: int) -> float:
    """How often one of `users` waiting customers gets its transcript read, at the quota."""
    return max(POLL_MAX_S, users / transcript_rate())


def warning(users: int) -> str | None:
    """What to tell the operator about `users` chat customers, or None when the quota serves them."""
    if users <= ceiling():
        return None
    every = read_every_s(users)
    text = (
        f"{users} chat customers poll GetTranscript ({transcript_rate():g}/s for the account, no "
        f"websocket here): each transcript is read every {every:.1f} s, above {ceiling()} customers "
        "replies are seen later than a web client would see them"
    )
    if every > SLOW_READ_S:
        limit = math.floor(transcript_rate() * SLOW_READ_S)
        text += f"; over {limit} customers the reads are more than {SLOW_READ_S:g} s apart: lower --users"
    return text
