# ruff: noqa: N802 - op_<Operation> methods carry the Participant Service's operation names
"""Chat contacts on the local stack: StartChatContact's sessions and the Participant Service.

A chat starts with Connect's StartChatContact (connect_emulator.op_StartChatContact): a live
contact on the CHAT channel runs through the flows (live.py), and the customer's client speaks the
Amazon Connect Participant Service (boto3 `connectparticipant`) with the ParticipantToken it got:

- CreateParticipantConnection (X-Amz-Bearer: ParticipantToken): CONNECTION_CREDENTIALS gives the
  ConnectionToken the other calls carry. No websocket is served here: a WEBSOCKET request gets no
  Websocket member, and the client reads the conversation with GetTranscript.
- SendMessage (text/plain): the customer's message; it answers the block waiting for the customer
  (a Lex turn), as a chat message does in Connect.
- GetTranscript: the conversation, paged as the API pages it (ScanDirection, SortOrder,
  MaxResults, StartPosition, NextToken).
- DisconnectParticipant: the customer leaves; the contact ends.

The transcript is written when things happen, not when the customer reads it: the live center
calls the session back (live.ContactEvents) when a flow step ends (its messages go out, from the
SYSTEM participant, display name SYSTEM_MESSAGE, all at once: a customer never sees half a step),
when an agent joins, and when the chat ends (the agent's leave, then chat.ended, after the flows'
last messages). Errors are the model's: AccessDeniedException for a token that is not a live
participant's, ValidationException for a bad parameter, ThrottlingException beyond the documented
rates.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.ratelimit import TokenBucket
from ..engine.interpreter import InputError
from .connect_protocol import PARTICIPANT, ConnectError

if TYPE_CHECKING:
    from .live import LiveCenter, LiveContact

# Amazon Connect Participant Service API throttling quotas (requests per second, burst), from
# Connect's service quotas page ("Amazon Connect Participant Service API throttling quotas"):
# https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html
# (shared/reference/connect-flow-language.md §7; DisconnectParticipant's 3/s burst 5 from a copy of
# the same table). They are per account, per Region and per API, not per instance: "The throttling
# limits are defined for each API separately at the AWS account level, not for the individual
# Amazon Connect instance" (https://docs.aws.amazon.com/connect/latest/APIReference/best-practices-connect-apis.html).
# The local stack is one account in one Region: one bucket per operation for the whole server.
PARTICIPANT_QUOTAS: dict[str, tuple[float, int]] = {
    "CreateParticipantConnection": (6.0, 9),
    "SendMessage": (10.0, 15),
    "SendEvent": (10.0, 15),
    "GetTranscript": (8.0, 12),
    "DisconnectParticipant": (3.0, 5),
}
# StartChatContact: "If not specified, the chat session duration defaults to 25 hour" (botocore's
# model, ChatDurationInMinutes); the participant token lasts as long as the chat.
DEFAULT_CHAT_MINUTES = 25 * 60
# "The expiry time for the connection token is different than the ChatDurationInMinutes. Expiry
# time for the connection token is 1 day." (API_connect-participant_CreateParticipantConnection.html)
CONNECTION_TOKEN_LIFETIME = timedelta(days=1)
DEFAULT_PAGE = 10  # GetTranscript's MaxResults when none is given ("Default: 10", the model)
SYSTEM_NAME = "SYSTEM_MESSAGE"
TEXT = "text/plain"
JOINED = "application/vnd.amazonaws.connect.event.participant.joined"
LEFT = "application/vnd.amazonaws.connect.event.participant.left"
ENDED = "application/vnd.amazonaws.connect.event.chat.ended"


def iso(instant: datetime) -> str:
    """The Participant Service's times: ISO-8601 UTC with milliseconds and a Z."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime | None:
    """An AbsoluteTime as the API writes it (ISO-8601, Z or an offset); None when it is not one."""
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


@dataclass
class ChatSession:
    """One chat contact: its customer participant, its tokens and its transcript."""

    contact_id: str
    participant_id: str
    participant_token: str
    display_name: str
    expires: datetime
    items: list[dict[str, Any]] = field(default_factory=list)
    sent: dict[str, str] = field(default_factory=dict)  # SendMessage ClientToken -> item Id
    prompts_seen: int = 0  # the engine transcript's prompts already in the chat
    agent: tuple[str, str] | None = None  # (login, user ID) of the agent who joined
    left: bool = False  # the customer left (DisconnectParticipant)
    ended: bool = False
    ended_mono: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        kind: str,
        content_type: str,
        content: str,
        role: str,
        name: str,
        pid: str,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Append an item (under `lock`, or before anyone else sees the session)."""
        item = {
            "Id": str(uuid.uuid4()),
            "AbsoluteTime": iso(at or datetime.now(UTC)),
            "Type": kind,
            "ContentType": content_type,
            "ParticipantId": pid,
            "DisplayName": name,
            "ParticipantRole": role,
            "ContactId": self.contact_id,
        }
        if content:
            item["Content"] = content
        self.items.append(item)
        return item

    @property
    def closed(self) -> bool:
        """The customer is no longer a participant: they left, or the chat ended."""
        return self.left or self.ended


class ParticipantService:
    """The Participant Service's operations over the chats StartChatContact started, and the live
    center's callbacks (live.ContactEvents) that write their transcripts.

    Sessions are shared with the Connect emulator (which creates them); `center` is the live
    center the customers' messages and departures go to. Ended sessions are forgotten after
    the center's keep_ended seconds, as the center forgets ended contacts."""

    def __init__(self, center: LiveCenter, *, throttle: bool = True) -> None:
        self.center = center
        self.sessions: dict[str, ChatSession] = {}  # participant token -> session
        self._by_connection: dict[str, tuple[ChatSession, datetime]] = {}  # token -> (session, expiry)
        self._by_contact: dict[str, ChatSession] = {}
        self._ended: deque[ChatSession] = deque()
        self.lock = threading.Lock()
        rates = PARTICIPANT_QUOTAS if throttle else {}
        self.buckets = {op: TokenBucket(rate, burst) for op, (rate, burst) in rates.items()}

    # ---- sessions (StartChatContact) ---------------------------------------------------------
    def prepare(self, display_name: str, minutes: int) -> ChatSession:
        """A new chat's session, before its contact starts (the contact takes its ID)."""
        self.prune()
        contact_id = str(uuid.uuid4())
        session = ChatSession(
            contact_id,
            str(uuid.uuid4()),
            f"pt-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            display_name,
            datetime.now(UTC) + timedelta(minutes=minutes),
        )
        session.add("EVENT", JOINED, "", "CUSTOMER", display_name, session.participant_id)
        with self.lock:
            self.sessions[session.participant_token] = session
            self._by_contact[contact_id] = session
        return session

    def forget(self, session: ChatSession) -> None:
        """Drop a session (its chat never started, or it ended long ago) and its tokens."""
        with self.lock:
            self.sessions.pop(session.participant_token, None)
            self._by_contact.pop(session.contact_id, None)
            for token in [t for t, (s, _) in self._by_connection.items() if s is session]:
                del self._by_connection[token]

    def prune(self) -> None:
        """Forget the sessions that ended more than the center's keep_ended seconds ago."""
        now = time.monotonic()
        while True:
            with self.lock:
                if not self._ended or now - self._ended[0].ended_mono <= self.center.keep_ended:
                    return
                session = self._ended.popleft()
            self.forget(session)

    def of_contact(self, contact_id: str) -> ChatSession | None:
        return self._by_contact.get(contact_id)

    # ---- the live center's callbacks (live.ContactEvents) -------------------------------------
    def step_ended(self, contact: LiveContact) -> None:
        """A flow step of the chat ended: the flows' new messages go out, all at once."""
        session = self._by_contact.get(contact.contact_id)
        result = contact.result
        if session is None or result is None:
            return
        prompts = [e["text"] for e in list(result.transcript) if e["kind"] == "prompt"]
        with session.lock:
            for text in prompts[session.prompts_seen :]:
                session.add("MESSAGE", TEXT, text, "SYSTEM", SYSTEM_NAME, "SYSTEM")
            session.prompts_seen = max(session.prompts_seen, len(prompts))

    def agent_joined(self, contact: LiveContact, at: datetime) -> None:
        session = self._by_contact.get(contact.contact_id)
        if session is None:
            return
        with session.lock:
            if session.agent is None and not session.ended:
                session.agent = (contact.agent_login, contact.agent_id)
                session.add("EVENT", JOINED, "", "AGENT", contact.agent_login, contact.agent_id, at)

    def chat_ended(self, contact: LiveContact, at: datetime) -> None:
        """The contact ended and its flows are done (live.py calls this once, after the last
        step's messages): the agent leaves, then the chat ends."""
        session = self._by_contact.get(contact.contact_id)
        if session is None:
            return
        with session.lock:
            if session.ended:
                return
            session.ended = True
            session.ended_mono = time.monotonic()
            if session.agent is not None:
                login, agent_id = session.agent
                session.add("EVENT", LEFT, "", "AGENT", login, agent_id, at)
            session.add("EVENT", ENDED, "", "SYSTEM", SYSTEM_NAME, "SYSTEM", at)
        with self.lock:
            self._ended.append(session)

    # ---- dispatch ----------------------------------------------------------------------------
    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self, f"op_{operation}", None)
        if method is None:
            raise ConnectError("ValidationException", f"{operation} is not implemented by the local stack")
        PARTICIPANT.check_input(operation, params)
        bucket = self.buckets.get(operation)
        if bucket is not None and not bucket.try_acquire():
            raise ConnectError("ThrottlingException", "Rate exceeded")
        result: dict[str, Any] = method(params) or {}
        return result

    def _by_participant_token(self, token: str) -> ChatSession:
        session = self.sessions.get(token)
        if session is None or session.expires < datetime.now(UTC):
            raise ConnectError("AccessDeniedException", "the participant token is not valid")
        return session

    def _by_connection_token(self, token: str) -> ChatSession:
        found = self._by_connection.get(token)  # an ended chat's customer may still read it
        if found is None or found[1] < datetime.now(UTC):
            raise ConnectError("AccessDeniedException", "the connection token is not valid")
        return found[0]

    # ---- operations --------------------------------------------------------------------------
    def op_CreateParticipantConnection(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_participant_token(p["ParticipantToken"])
        # "The participant token is valid for the lifetime of the participant – until they are
        # part of a contact" (API_connect-participant_CreateParticipantConnection.html).
        if session.closed:
            raise ConnectError("AccessDeniedException", "the participant is no longer in the chat")
        kinds = set(p["Type"])
        if "WEBRTC_CONNECTION" in kinds:
            raise ConnectError("ValidationException", "WEBRTC_CONNECTION is for calls, not a chat")
        out: dict[str, Any] = {}
        if "CONNECTION_CREDENTIALS" in kinds:
            token = f"ct-{uuid.uuid4().hex}{uuid.uuid4().hex}"
            expiry = datetime.now(UTC) + CONNECTION_TOKEN_LIFETIME
            with self.lock:
                self._by_connection[token] = (session, expiry)
            out["ConnectionCredentials"] = {"ConnectionToken": token, "Expiry": iso(expiry)}
        return out  # WEBSOCKET: no websocket is served locally (the module's docstring)

    def op_SendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_connection_token(p["ConnectionToken"])
        if p["ContentType"] != TEXT:
            why = f"ContentType {p['ContentType']!r}: the local stack takes {TEXT}"
            raise ConnectError("ValidationException", why)
        token = p.get("ClientToken")
        with session.lock:
            if session.closed:
                raise ConnectError("AccessDeniedException", "the participant is no longer in the chat")
            if token and token in session.sent:  # a retry of the same message
                item = next(i for i in session.items if i["Id"] == session.sent[token])
                return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
            item = session.add(
                "MESSAGE", TEXT, p["Content"], "CUSTOMER", session.display_name, session.participant_id
            )
            if token:
                session.sent[token] = item["Id"]
        self._to_flows(session, p["Content"])
        return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}

    def _to_flows(self, session: ChatSession, content: str) -> None:
        """The message answers the block waiting for the customer, if the flows still run the chat.
        A message the flows cannot take (the chat left them just now) stays in the transcript
        only, as in Connect; blank text is a message like any other (the model's Content takes
        it), and the flows make of it what Lex makes of it."""
        contact = self.center.contacts.get(session.contact_id)
        if contact is None or contact.state not in ("ivr", "waiting_input", "ringing"):
            return
        try:
            self.center.send_input(session.contact_id, f"text:{content}")
        except (InputError, KeyError):
            return  # queued, ended or forgotten between the look and the send

    def op_GetTranscript(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_connection_token(p["ConnectionToken"])
        if p.get("ContactId") and p["ContactId"] != session.contact_id:
            raise ConnectError("AccessDeniedException", "the contact is not this participant's")
        with session.lock:
            items = list(session.items)
        page, token = transcript_page(items, p)
        out: dict[str, Any] = {"InitialContactId": session.contact_id, "Transcript": page}
        if token:
            out["NextToken"] = token
        return out

    def op_DisconnectParticipant(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_connection_token(p["ConnectionToken"])
        with session.lock:
            # A participant who left, or whose chat ended, is no participant of the contact any
            # more: the API's AccessDeniedException (API_connect-participant_DisconnectParticipant.html).
            if session.closed:
                raise ConnectError("AccessDeniedException", "the participant is no longer in the chat")
            session.left = True
            session.add("EVENT", LEFT, "", "CUSTOMER", session.display_name, session.participant_id)
        if session.contact_id in self.center.contacts:
            self.center.hang_up(session.contact_id)  # the center calls chat_ended back
        return {}


def transcript_page(items: list[dict[str, Any]], p: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """One page of GetTranscript over the chat's items (oldest first), and the next page's token.

    BACKWARD reads from the newest item towards the oldest, FORWARD from the oldest; StartPosition
    (an item Id, a time, or the MostRecent N) moves where the scan starts. The model's defaults:
    "BACKWARD when no StartPosition is provided, FORWARD with StartPosition", SortOrder DESCENDING."""
    direction = p.get("ScanDirection") or ("FORWARD" if p.get("StartPosition") else "BACKWARD")
    backward = direction == "BACKWARD"
    size = int(p.get("MaxResults", DEFAULT_PAGE))
    token = p.get("NextToken")
    if token:
        try:
            direction, _, at = str(token).partition(":")
            position = int(at)
        except ValueError:
            raise ConnectError("ValidationException", "NextToken is invalid or expired") from None
        if direction != ("B" if backward else "F") or not 0 <= position <= len(items):
            raise ConnectError("ValidationException", "NextToken is invalid or expired")
    else:
        position = _start(items, p.get("StartPosition") or {}, backward)
    if backward:
        low = max(0, position - size)
        page, next_position = items[low:position], low
        more = low > 0
    else:
        high = min(len(items), position + size)
        page, next_position = items[position:high], high
        more = high < len(items)
    if p.get("SortOrder", "DESCENDING") == "DESCENDING":  # the items are in the order they happened
        page = page[::-1]
    return page, (f"{'B' if backward else 'F'}:{next_position}" if more and size else "")


def _start(items: list[dict[str, Any]], start: Mapping[str, Any], backward: bool) -> int:
    """Where a scan starts: an index into `items` (for BACKWARD, the end of the range, exclusive)."""
    if len(start) > 1:
        raise ConnectError("ValidationException", "StartPosition takes one of Id, AbsoluteTime, MostRecent")
    if "Id" in start:
        index = next((n for n, i in enumerate(items) if i["Id"] == start["Id"]), None)
        if index is None:
            why = f"StartPosition.Id {start['Id']} is not in the transcript"
            raise ConnectError("ValidationException", why)
        return index + 1 if backward else index
    if "AbsoluteTime" in start:
        # A time, not a string: "2026-11-25T01:00:00Z" and "...T10:00:00+09:00" are one instant.
        at = parse_time(str(start["AbsoluteTime"]))
        if at is None:
            why = f"StartPosition.AbsoluteTime {start['AbsoluteTime']!r} is not an ISO-8601 time"
            raise ConnectError("ValidationException", why)
        times = [parse_time(i["AbsoluteTime"]) or at for i in items]
        if backward:  # the items up to that time
            return next((n for n, t in enumerate(times) if t > at), len(items))
        return next((n for n, t in enumerate(times) if t >= at), len(items))
    if "MostRecent" in start:
        recent = int(start["MostRecent"])
        return len(items) if backward else max(0, len(items) - recent)
    return len(items) if backward else 0
