"""What every Connect handler shares: reading the ContactFlowEvent, writing the flat result.

Connect sends `Details.ContactData` (contact attributes, caller endpoint, queue) and
`Details.Parameters` (the block's resolved LambdaInvocationAttributes, `{}` when none). The
answer is a STRING_MAP: string keys, string values, "" for unknown, "true"/"false" for flags.

Read here rather than through Powertools' ConnectContactFlowEvent: importing that one class runs the
data_classes package, about 30 event classes (9 ms of every cold start), for two dictionary reads
that the checks below make anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any


class EventError(ValueError):
    """The event is not a usable Connect ContactFlowEvent (a flow or wiring bug): error branch."""


@dataclass(frozen=True)
class ContactEvent:
    """The parts of a Connect ContactFlowEvent the handlers read."""

    contact_id: str
    initial_contact_id: str  # the first contact of the call (transfers, callbacks): its correlation id
    parameters: Mapping[str, str]
    attributes: Mapping[str, str]
    caller: str  # CustomerEndpoint.Address, "" when Connect sends none (tasks, anonymous)
    queue_name: str
    queue_arn: str

    def param(self, key: str, default: str = "") -> str:
        return self.parameters.get(key, "").strip() or default

    def attr(self, key: str) -> str:
        return self.attributes.get(key, "").strip()

    def log_view(self) -> dict[str, object]:
        """Parameters and caller for a log line (attributes stay out: mostly copies); the log
        formatter masks their PII (handlers._prologue)."""
        return {**self.parameters, "caller": self.caller}

    def require(self, key: str) -> str:
        value = self.param(key)
        if not value:
            raise EventError(f"parameter {key!r} is required (set it in the flow's Lambda block)")
        return value


def _strings(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise EventError(f"{where} must be an object of strings, got {type(value).__name__}")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _object(parent: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise EventError(f"{where}.{key} must be an object, got {type(value).__name__}")
    return value


def parse(event: Any) -> ContactEvent:
    """Validate and read a ContactFlowEvent; raises EventError naming what is missing."""
    if not isinstance(event, Mapping):
        raise EventError(f"expected a Connect ContactFlowEvent object, got {type(event).__name__}")
    details = _object(event, "Details", "event")
    if details is None:
        raise EventError("event has no Details: not a Connect ContactFlowEvent")
    data = _object(details, "ContactData", "Details")
    if data is None:
        raise EventError("event has no Details.ContactData: not a Connect ContactFlowEvent")
    if "Parameters" not in details:
        raise EventError("event has no Details.Parameters (Connect sends {} when the block sets none)")
    contact_id = str(data.get("ContactId") or "").strip()
    if not contact_id:
        raise EventError("event has no Details.ContactData.ContactId")
    endpoint = _object(data, "CustomerEndpoint", "Details.ContactData") or {}
    queue = _object(data, "Queue", "Details.ContactData") or {}
    return ContactEvent(
        contact_id=contact_id,
        initial_contact_id=str(data.get("InitialContactId") or "").strip() or contact_id,
        parameters=_strings(details["Parameters"], "Details.Parameters"),
        attributes=_strings(data.get("Attributes"), "Details.ContactData.Attributes"),
        caller=str(endpoint.get("Address") or "").strip(),
        queue_name=str(queue.get("Name") or ""),
        queue_arn=str(queue.get("ARN") or ""),
    )


Value = str | bool | int | datetime | Enum | None


def text(value: Value) -> str:
    """One STRING_MAP value: "" for None, "true"/"false", decimal numbers, ISO-8601 with offset."""
    if type(value) is str:  # most answers' values: as they are
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def result(values: Mapping[str, Value]) -> dict[str, str]:
    """The handler's answer as Connect's STRING_MAP."""
    return {key: text(value) for key, value in values.items()}
