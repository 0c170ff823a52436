"""What an action does on the contact's channel, before it runs: the one rule for chat contacts.

Every block's page has a "Supported channels" table, summed up on
https://docs.aws.amazon.com/connect/latest/adminguide/block-support-by-channel.html: a block that
does not support the channel routes the contact down its Error branch ("No - Error branch"). The
table lives in `ActionSpec.channels` (actions.py); this module only applies it. Prompts obey one
more rule on chat: "PromptId and SSML are only supported for the voice channel. All other
channels support only the Text option" (APIReference/participant-actions-messageparticipant.html);
Connect sends the Text as a chat message, and a block prompting with anything else errors here.

Voice contacts keep the handlers' own answers: a voice rehearsal lets the fixtures stand in for
chat-only blocks (offline_actions.chat_only), as it always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .actions import SPEAKING, SPECS, VOICE
from .contact import Outcome

VOICE_PROMPTS = ("SSML", "PromptId", "Media")
CHANNEL_TABLE = "adminguide/block-support-by-channel.html"


def off_channel(kind: str, params: Mapping[str, Any], channel: str) -> Outcome | None:
    """The error branch an action takes on a channel it does not support; None: it runs."""
    spec = SPECS.get(kind)
    if channel == VOICE or spec is None:
        return None
    if channel not in spec.channels:
        error = "ChannelMismatch" if "ChannelMismatch" in spec.errors else "NoMatchingError"
        return Outcome(
            "error",
            error,
            f"{kind} does not run on the {channel} channel: Connect takes Error ({CHANNEL_TABLE})",
        )
    if kind in SPEAKING:
        voiced = [key for key in VOICE_PROMPTS if params.get(key)]
        if voiced:
            return Outcome(
                "error",
                "NoMatchingError",
                f"{kind} prompts with {voiced[0]}, which only voice plays; a {channel} contact gets "
                "Text only (participant-actions-messageparticipant.html)",
            )
    return None
