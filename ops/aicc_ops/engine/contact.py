"""A simulated contact's state while the flows run, and what one action did (its outcome)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .actions import DEFAULT_VOICE, VOICE
from .fixtures import Cursor, Fixtures, QueueState

DEFAULT_LANGUAGE = "en-US"


@dataclass
class Outcome:
    # next | result | error | terminal | leave (value "flow:<key>", "queue:<name>", "resume:",
    # "module:" (a module returns), "end:<why>" (the contact leaves what the simulator follows))
    kind: str
    value: str = ""
    detail: str = ""


@dataclass
class Contact:
    contact_id: str
    caller: str
    dialed: str
    now: datetime
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, Any] = field(default_factory=dict)
    stored_input: str | None = None
    lex: dict[str, Any] = field(default_factory=dict)
    flow_attributes: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    # (kind, key): ("queue", "msp_general") ours, ("agent", login) ours, ("external", fixture
    # queue key) another instance's queue, ("xagent", username) the fixtures' agent.
    target_queue: tuple[str, str] | None = None
    hooks: dict[str, str] = field(default_factory=dict)
    loops: dict[tuple[str, str], int] = field(default_factory=dict)
    voice: str = DEFAULT_VOICE
    # Connect's default contact language; only UpdateContactData (the Set voice block's "Set
    # language attribute") changes it. Lex and Contact Lens follow it, not the voice.
    language: str = DEFAULT_LANGUAGE
    callback_number: str | None = None
    queued: bool = False
    hold_waits: int = 0  # Loop prompts (MessageParticipantIteratively) waits the caller sat through
    lambda_invocation: dict[str, str] = field(default_factory=dict)
    initiation_method: str = "INBOUND"
    agent: dict[str, str] | None = None  # $.Agent: only in whisper, hold and transfer-to-agent flows
    contact_data: dict[str, Any] = field(default_factory=dict)  # $.Name, $.CustomerId... (UpdateContactData)
    customer: dict[str, Any] = field(default_factory=dict)  # $.Customer (Customer Profiles)
    case: dict[str, Any] = field(default_factory=dict)  # $.Case (Cases)
    views: dict[str, Any] = field(default_factory=dict)  # $.Views (ShowView)
    media_streams: dict[str, Any] = field(default_factory=dict)  # $.MediaStreams
    tags: dict[str, str] = field(default_factory=dict)
    queue_states: dict[str, QueueState] = field(default_factory=dict)  # external queues met so far
    cursor: Cursor = field(default_factory=lambda: Cursor(Fixtures()))
    # $.Modules: Input inside a module; Result and ResultData once it returned (InvokeFlowModule).
    modules: dict[str, Any] = field(default_factory=dict)
    # $.Channel: VOICE (a call) or CHAT (StartChatContact); what each action does on it is its
    # ActionSpec.channels (actions.py).
    channel: str = VOICE
