"""The call log: one record per contact, written at several points of the call.

Every write is a merge that can be repeated: the first time an event happened is kept, fields
are only set when a value is known (a later write without the company does not erase it), and
the same input always produces the same item. Phone numbers are stored masked (personal
information policy: records keep only part of a number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aicc.domain.masking import mask_phone

# Call recordings are kept three years; the log that indexes them lives as long.
RETENTION = timedelta(days=3 * 366)
PATH_SEPARATOR = ">"

CUSTOMER_FIELDS = ("customer_id", "company", "contact_name", "customer_class", "tier", "part")
# agent_assignment's outcome, which the flow keeps in the contact attributes: recorded by the call
# log's next write rather than by a write of the assignment's own.
ASSIGNMENT_FIELDS = ("assignment_status", "assigned_agent")
_TEXT_PARAMS = ("queue", "inquiry_type", "incident")
_FLAG_PARAMS = ("emergency", "callback_requested")
# Read from the contact attributes when the flow did not pass them as parameters.
_FROM_ATTRIBUTES = frozenset({*CUSTOMER_FIELDS, *ASSIGNMENT_FIELDS, "path", "inquiry_type", "emergency"})
QUEUED = "queued"  # the event the flows log as a contact enters a queue (with `queue`)
_EVENT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# `<event>_at` must not collide with the record's own timestamps (answered_at: agent_events).
_RESERVED_EVENTS = frozenset({"created", "assigned", "expires", "answered"})


@dataclass(frozen=True)
class CallLogUpdate:
    """One call_log invocation, as the fields it merges into the contact's item."""

    contact_id: str
    event: str
    at: datetime
    fields: Mapping[str, str | bool]  # only known values
    path: tuple[str, ...]  # () = unknown, leave the stored path alone
    expires_at: int  # epoch seconds (DynamoDB TTL)

    @property
    def event_attribute(self) -> str:
        return f"{self.event}_at"

    @property
    def queue_entered(self) -> str:
        """The queue the contact entered with this write ("" when the event is not an entry)."""
        return str(self.fields.get("queue", "")) if self.event == QUEUED else ""


def parse_path(raw: str) -> tuple[str, ...]:
    """`"main > auth>msp_menu >"` → ("main", "auth", "msp_menu")."""
    return tuple(step.strip() for step in raw.split(PATH_SEPARATOR) if step.strip())


def parse_flag(raw: str, name: str) -> bool | None:
    """ "true"/"false" (any case) → bool; "" → None (unknown); anything else is a flow bug."""
    text = raw.strip().lower()
    if not text:
        return None
    if text in ("true", "false"):
        return text == "true"
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def parse_event(raw: str) -> str:
    event = raw.strip().lower()
    if not _EVENT.match(event) or event in _RESERVED_EVENTS:
        raise ValueError(
            f"event must be a snake_case name such as queued or disconnected "
            f"(not {', '.join(sorted(_RESERVED_EVENTS))}), got {raw!r}"
        )
    return event


def build_update(
    contact_id: str,
    params: Mapping[str, str],
    attributes: Mapping[str, str],
    caller: str,
    at: datetime,
) -> CallLogUpdate:
    """The merge for one call_log invocation (parameters win over contact attributes)."""
    if not contact_id:
        raise ValueError("contact_id is required")

    def value(key: str) -> str:
        given = params.get(key, "").strip()
        if given or key not in _FROM_ATTRIBUTES:
            return given
        return attributes.get(key, "").strip()

    fields: dict[str, str | bool] = {}
    for key in (*CUSTOMER_FIELDS, *ASSIGNMENT_FIELDS, *_TEXT_PARAMS):
        if text := value(key):
            fields[key] = text
    for key in _FLAG_PARAMS:
        flag = parse_flag(value(key), key)
        if flag is not None:
            fields[key] = flag
    if caller:
        fields["caller"] = mask_phone(caller)
    return CallLogUpdate(
        contact_id=contact_id,
        event=parse_event(params.get("event", "")),
        at=at,
        fields=fields,
        path=parse_path(value("path")),
        expires_at=int((at + RETENTION).timestamp()),
    )
