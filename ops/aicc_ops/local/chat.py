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

The flows' messages (Play prompt, a block's prompt) appear as Connect shows them: from the SYSTEM
participant, display name SYSTEM_MESSAGE, stamped when the flows next wait for the customer,
queue the chat or end it (a flow step's end). The simulated agent's join and leave are events.
Errors are the model's: AccessDeniedException for a token that is not a live participant's,
ValidationException for a bad parameter, ThrottlingException beyond the documented rates.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core.ratelimit import TokenBucket
from .connect_protocol import PARTICIPANT, ConnectError

# Amazon Connect Participant Service API throttling quotas, per instance (requests per second,
# burst), from the Connect service quotas page ("Amazon Connect Participant Service API throttling
# quotas"): https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html
# (shared/reference/connect-flow-language.md §7). DisconnectParticipant is not in that list here:
# it is not throttled locally.
PARTICIPANT_QUOTAS: dict[str, tuple[float, int]] = {
    "CreateParticipantConnection": (6.0, 9),
    "SendMessage": (10.0, 15),
    "SendEvent": (10.0, 15),
    "GetTranscript": (8.0, 12),
}
# StartChatContact: "If not specified, the chat session duration defaults to 25 hour" (botocore's
# model, ChatDurationInMinutes); the participant's credentials last as long as the chat.
DEFAULT_CHAT_MINUTES = 25 * 60
DEFAULT_PAGE = 10  # GetTranscript's MaxResults when none is given ("Default: 10", the model)
SYSTEM_NAME = "SYSTEM_MESSAGE"
TEXT = "text/plain"
JOINED = "application/vnd.amazonaws.connect.event.participant.joined"
LEFT = "application/vnd.amazonaws.connect.event.participant.left"
ENDED = "application/vnd.amazonaws.connect.event.chat.ended"


def iso(instant: datetime) -> str:
    """The Participant Service's times: ISO-8601 UTC with milliseconds and a Z."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class ChatSession:
    """One chat contact: its customer participant, its tokens and its transcript."""

    contact_id: str
    participant_id: str
    participant_token: str
    display_name: str
    expires: datetime
    items: list[dict[str, Any]] = field(default_factory=list)
    connection_tokens: set[str] = field(default_factory=set)
    sent: dict[str, str] = field(default_factory=dict)  # SendMessage ClientToken -> item Id
    prompts_seen: int = 0  # the engine transcript's prompts already in the chat
    agent_joined: bool = False
    ended: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, kind: str, content_type: str, content: str, role: str, name: str, pid: str
    ) -> dict[str, Any]:
        item = {
            "Id": str(uuid.uuid4()),
            "AbsoluteTime": iso(datetime.now(UTC)),
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

    def system(self, text: str) -> None:
        self.add("MESSAGE", TEXT, text, "SYSTEM", SYSTEM_NAME, "SYSTEM")

    def sync(self, contact: Any, step_over: bool = False) -> None:
        """What the live contact did since the last look (contact: live.LiveContact): with
        `step_over` (a flow step just ended), the flows' new messages; then the agent's join and
        leave, and the chat's end. The messages go out only at a step's end, all at once: a
        customer never sees half a step and answers a question the flows have not asked yet."""
        with self.lock:
            result = contact.result
            if step_over and result is not None:
                prompts = [e["text"] for e in result.transcript if e["kind"] == "prompt"]
                for text in prompts[self.prompts_seen :]:
                    self.system(text)
                self.prompts_seen = len(prompts)
            if contact.agent_login and not self.agent_joined:
                self.agent_joined = True
                self.add("EVENT", JOINED, "", "AGENT", contact.agent_login, contact.agent_id)
            if contact.state == "ended" and not self.ended:
                self.ended = True
                if self.agent_joined:
                    self.add("EVENT", LEFT, "", "AGENT", contact.agent_login, contact.agent_id)
                self.add("EVENT", ENDED, "", "SYSTEM", SYSTEM_NAME, "SYSTEM")


class ParticipantService:
    """The Participant Service's operations over the chats StartChatContact started.

    `sessions` is shared with the Connect emulator (which creates them); `center` is the live
    center the customers' messages and departures go to (live.LiveCenter)."""

    def __init__(self, center: Any, *, throttle: bool = True) -> None:
        self.center = center
        self.sessions: dict[str, ChatSession] = {}  # participant token -> session
        self._by_connection: dict[str, ChatSession] = {}
        self._by_contact: dict[str, ChatSession] = {}
        self.lock = threading.Lock()
        rates = PARTICIPANT_QUOTAS if throttle else {}
        self.buckets = {op: TokenBucket(rate, burst) for op, (rate, burst) in rates.items()}

    # ---- sessions (StartChatContact) ---------------------------------------------------------
    def prepare(self, display_name: str, minutes: int) -> ChatSession:
        """A new chat's session, before its contact starts (the contact takes its ID)."""
        contact_id = str(uuid.uuid4())
        session = ChatSession(
            contact_id,
            str(uuid.uuid4()),
            f"pt-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            display_name,
            datetime.now(UTC) + timedelta(minutes=minutes),
        )
        with self.lock:
            self.sessions[session.participant_token] = session
            self._by_contact[contact_id] = session
        session.add("EVENT", JOINED, "", "CUSTOMER", display_name, session.participant_id)
        return session

    def of_contact(self, contact_id: str) -> ChatSession | None:
        return self._by_contact.get(contact_id)

    def step_ended(self, contact: Any) -> None:
        """live.LiveContact's hook: a flow step of a chat ended (its messages are now out)."""
        session = self._by_contact.get(contact.contact_id)
        if session is not None:
            session.sync(contact, step_over=True)

    # ---- dispatch ----------------------------------------------------------------------------
    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self, f"op_{operation}", None)
        if method is None:
            raise ConnectError("ValidationException", f"{operation} is not implemented by the local stack")
        check_members(PARTICIPANT.model.operation_model(operation).input_shape, params)
        bucket = self.buckets.get(operation)
        if bucket is not None and not bucket.try_acquire():
            raise ConnectError("ThrottlingException", "Rate exceeded")
        result: dict[str, Any] = method(params) or {}
        return result

    def _by_participant_token(self, token: str) -> ChatSession:
        session = self.sessions.get(token)  # an ended chat's customer may still read it
        if session is None or session.expires < datetime.now(UTC):
            raise ConnectError("AccessDeniedException", "the participant token is not valid")
        return session

    def _by_connection_token(self, token: str) -> ChatSession:
        session = self._by_connection.get(token)
        if session is None or session.expires < datetime.now(UTC):
            raise ConnectError("AccessDeniedException", "the connection token is not valid")
        return session

    def _live(self, session: ChatSession) -> Any:
        contact = self.center.contacts.get(session.contact_id)
        if contact is not None:
            session.sync(contact)
        return contact

    # ---- operations --------------------------------------------------------------------------
    def op_CreateParticipantConnection(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_participant_token(p["ParticipantToken"])
        kinds = set(p["Type"])
        if "WEBRTC_CONNECTION" in kinds:
            raise ConnectError("ValidationException", "WEBRTC_CONNECTION is for calls, not a chat")
        out: dict[str, Any] = {}
        if "CONNECTION_CREDENTIALS" in kinds:
            token = f"ct-{uuid.uuid4().hex}{uuid.uuid4().hex}"
            with self.lock:
                session.connection_tokens.add(token)
                self._by_connection[token] = session
            out["ConnectionCredentials"] = {"ConnectionToken": token, "Expiry": iso(session.expires)}
        return out  # WEBSOCKET: no websocket is served locally (the module's docstring)

    def op_SendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_connection_token(p["ConnectionToken"])
        if p["ContentType"] != TEXT:
            why = f"ContentType {p['ContentType']!r}: the local stack takes {TEXT}"
            raise ConnectError("ValidationException", why)
        token = p.get("ClientToken")
        with session.lock:
            if session.ended:
                raise ConnectError("AccessDeniedException", "the chat has ended")
            if token and token in session.sent:  # a retry of the same message
                item = next(i for i in session.items if i["Id"] == session.sent[token])
                return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
            item = session.add(
                "MESSAGE", TEXT, p["Content"], "CUSTOMER", session.display_name, session.participant_id
            )
            if token:
                session.sent[token] = item["Id"]
        contact = self.center.contacts.get(session.contact_id)
        if contact is not None and contact.state in ("ivr", "waiting_input", "ringing"):
            self.center.send_input(session.contact_id, f"text:{p['Content']}")
        return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}

    def op_GetTranscript(self, p: dict[str, Any]) -> dict[str, Any]:
        session = self._by_connection_token(p["ConnectionToken"])
        if p.get("ContactId") and p["ContactId"] != session.contact_id:
            raise ConnectError("AccessDeniedException", "the contact is not this participant's")
        self._live(session)
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
            if session.ended:
                return {}
            session.add("EVENT", LEFT, "", "CUSTOMER", session.display_name, session.participant_id)
        if session.contact_id in self.center.contacts:
            self.center.hang_up(session.contact_id)
            self._live(session)
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
        at = str(start["AbsoluteTime"])
        if backward:  # the items up to that time
            return next((n for n, i in enumerate(items) if i["AbsoluteTime"] > at), len(items))
        return next((n for n, i in enumerate(items) if i["AbsoluteTime"] >= at), len(items))
    if "MostRecent" in start:
        recent = int(start["MostRecent"])
        return len(items) if backward else max(0, len(items) - recent)
    return len(items) if backward else 0


def check_members(shape: Any, value: Any, path: str = "") -> None:
    """The model's constraints on an input (string lengths, enums, integer ranges), as the service
    checks them: botocore checks only some of them client side, and not every client is botocore."""
    if shape is None or value is None:
        return
    kind, meta, where = shape.type_name, shape.metadata, path or shape.name
    if kind == "structure" and isinstance(value, Mapping):
        missing = [m for m in shape.required_members if m not in value]
        if missing:
            raise ConnectError("ValidationException", f"{where}: missing {', '.join(missing)}")
        for name, member in shape.members.items():
            if name in value:
                check_members(member, value[name], f"{path}.{name}" if path else name)
    elif kind == "list" and isinstance(value, list):
        for n, item in enumerate(value):
            check_members(shape.member, item, f"{where}[{n}]")
        _bounds(where, len(value), meta, "items")
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            why = f"{where}: {value!r} is not one of {', '.join(shape.enum)}"
            raise ConnectError("ValidationException", why)
        _bounds(where, len(value), meta, "characters")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConnectError("ValidationException", f"{where}: {value!r} is not a whole number")
        _bounds(where, value, meta, "")
    elif kind in ("structure", "list", "string"):
        raise ConnectError("ValidationException", f"{where}: not a {kind}")


def _bounds(where: str, size: int, meta: Mapping[str, Any], unit: str) -> None:
    low, high = meta.get("min"), meta.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        raise ConnectError("ValidationException", f"{where}: {size} {unit} is outside {low}-{high}".strip())
