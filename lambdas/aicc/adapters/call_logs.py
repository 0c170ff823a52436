"""Call logs: one item per contact, merged repeatably; notifications claimed once per contact and key;
an emergency's pages (recorded before they go out, acknowledged by the paged engineer only).

One invocation's writes to a contact's item are merged where they can be, since each request is
latency the caller waits through: what a handler records without a condition of its own (`hold`:
when the escalation started, a page before it goes out, an assignment) rides on the repository's
next write to that item, typically a notification's claim, or is written by `flush`. A write that
sets an attribute held for it too writes the held value first, on its own; a write whose condition
fails carries nothing, and what it would have carried stays held. A consistent read of the item
(`remember`) spares the claims it already shows: claiming them again could only fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import (
    ItemKey,
    Repository,
    condition_failed,
    created_day,
    from_item,
    item_text,
    timestamp,
    to_item,
)
from aicc.clock import parse_instant
from aicc.domain.pages import CHANNELS, Page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from aicc.domain.call_log import CallLogUpdate
    from aicc.domain.sla import LoggedCaller

_PAGE_PREFIX = "page_"
ANSWERED_AT = "answered_at"  # when an agent accepted the contact (agent_events), set once


class _Update:
    """An UpdateExpression and its placeholders, built clause by clause; `touched` holds the
    top-level attributes it writes."""

    def __init__(self) -> None:
        self.clauses: dict[str, list[str]] = {"SET": [], "ADD": [], "DELETE": []}
        self.names: dict[str, str] = {}
        self._placeholders: dict[str, str] = {}  # the inverse of `names`: an attribute's placeholder
        self.values: dict[str, Any] = {}
        self.touched: set[str] = set()

    def name(self, attribute: str) -> str:
        placeholder = self._placeholders.get(attribute)
        if placeholder is None:
            placeholder = self._placeholders[attribute] = f"#n{len(self.names)}"
            self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def set(self, attribute: str, value: Any, *, keep_first: bool = False, path: str = "") -> _Update:
        """SET the attribute (or its map field `path`); `keep_first`: only if it has no value yet."""
        self.touched.add(attribute)
        target = self.name(attribute) + (f".{self.name(path)}" if path else "")
        given = self.value(value)
        self.clauses["SET"].append(
            f"{target} = if_not_exists({target}, {given})" if keep_first else f"{target} = {given}"
        )
        return self

    def created(self, at: datetime, expires_at: int) -> _Update:
        """The item's creation time, its day (the reports' created-index) and expiry (TTL), kept
        from its first write."""
        return (
            self.set("created_at", timestamp(at), keep_first=True)
            .set("created_day", created_day(at), keep_first=True)
            .set("expires_at", expires_at, keep_first=True)
        )

    def add(self, attribute: str, value: Any, *, remove: bool = False) -> _Update:
        self.touched.add(attribute)
        self.clauses["DELETE" if remove else "ADD"].append(f"{self.name(attribute)} {self.value(value)}")
        return self

    def expression(self) -> str:
        return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in self.clauses.items() if parts)


_SET, _FIRST, _ADD = "set", "first", "add"  # how a held value is written: SET, SET if absent, ADD


@dataclass
class _Held:
    """What waits for a contact's next write: (attribute, value, how), with the instant and expiry
    its own write would create the item with."""

    at: datetime
    expires_at: int
    values: list[tuple[str, Any, str]] = field(default_factory=list)


class CallLogRepository(Repository):
    table_key = "call_logs"

    def __init__(self, client: DynamoDBClient | None = None) -> None:
        super().__init__(client)
        self._held: dict[str, _Held] = {}
        self._notified: dict[str, set[str]] = {}  # keys claimed for a contact, as last known
        self._events: dict[str, set[str]] = {}  # events logged for a contact, as last read
        self._paged: dict[str, set[int]] = {}  # steps whose page a consistent read showed recorded
        self._exists: set[str] = set()  # contacts whose item exists: no created_at/expires_at to keep

    # ---- merging -----------------------------------------------------------------------------
    def key(self, contact_id: str, pages: int = 0) -> ItemKey:
        """The contact's item for a batch read: consistent, so that it shows every earlier write;
        with `pages`, only what an escalation reads: its start, its pages (steps 0 to pages - 1),
        the notices claimed and the events logged."""
        wanted = (
            "escalation_started_at",
            "notified",
            "events",
            *(f"{_PAGE_PREFIX}{i}" for i in range(pages)),
        )
        return ItemKey(self.table_key, contact_id, consistent=True, attributes=wanted if pages else ())

    def remember(self, contact_id: str, item: Mapping[str, Any]) -> None:
        """The contact's item as just read consistently: its claimed notifications are not claimed
        again (the claim could only fail)."""
        notified, events = item.get("notified"), item.get("events")
        self._notified[contact_id] = {str(k) for k in notified} if isinstance(notified, set) else set()
        self._events[contact_id] = {str(e) for e in events} if isinstance(events, set) else set()
        if item:
            self._exists.add(contact_id)

    def hold(
        self,
        contact_id: str,
        attribute: str,
        value: Any,
        at: datetime,
        expires_at: int,
        *,
        keep_first: bool = False,
        add: bool = False,
    ) -> None:
        """Write `attribute` with the next write to the contact's item (or at `flush`): SET, SET
        only if it has no value (`keep_first`), or ADD to a set (`add`)."""
        held = self._held.setdefault(contact_id, _Held(at, expires_at))
        held.values.append((attribute, value, _ADD if add else _FIRST if keep_first else _SET))

    def hold_update(self, update: CallLogUpdate, *, once: bool = False) -> None:
        """A call_log invocation's merge (domain.call_log), held for the next write to the item;
        `once`: not when the item as last read (`remember`) already shows the event."""
        if once and update.event in self._events.get(update.contact_id, ()):
            return
        contact, at, expires = update.contact_id, update.at, update.expires_at
        self.hold(contact, update.event_attribute, timestamp(at), at, expires, keep_first=True)
        for key, value in sorted(update.fields.items()):
            self.hold(contact, key, value, at, expires)
        if update.path:
            self.hold(contact, "path", list(update.path), at, expires)
        self.hold(contact, "events", {update.event}, at, expires, add=True)

    def flush(self, contact_id: str) -> None:
        """Write what no write has carried yet."""
        held = self._held.get(contact_id)
        if held is not None and held.values:
            self._write(contact_id, self._new(contact_id, held.at, held.expires_at))

    def _new(self, contact_id: str, at: datetime, expires_at: int) -> _Update:
        """A write to the contact's item; one that may create it sets its creation time and expiry."""
        update = _Update()
        return update if contact_id in self._exists else update.created(at, expires_at)

    def _write(self, contact_id: str, update: _Update, condition: str = "") -> None:
        held = self._held.pop(contact_id, None)
        if held is not None:
            if any(attribute in update.touched for attribute, _, _ in held.values):
                self._held[contact_id] = held
                self.flush(contact_id)  # on its own first: one expression cannot set a path twice
                held = None
            else:
                for attribute, value, how in held.values:
                    if how == _ADD:
                        update.add(attribute, value)
                    else:
                        update.set(attribute, value, keep_first=how == _FIRST)
                if contact_id not in self._exists and not {"created_at", "expires_at"} & update.touched:
                    update.created(held.at, held.expires_at)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "Key": to_item({"contact_id": contact_id}),
            "UpdateExpression": update.expression(),
            "ExpressionAttributeNames": update.names,
        }
        if update.values:
            kwargs["ExpressionAttributeValues"] = to_item(update.values)
        if condition:
            kwargs["ConditionExpression"] = condition
        try:
            self.client.update_item(**kwargs)
        except ClientError:
            if held is not None and contact_id not in self._held:
                self._held[contact_id] = held  # nothing was written: still to carry
            raise
        self._exists.add(contact_id)

    # ---- the call_log handler ------------------------------------------------------------------
    def apply(self, update: CallLogUpdate) -> None:
        """Merge one call_log invocation into the contact's item (repeatable: see domain.call_log)."""
        self.hold_update(update)
        self.flush(update.contact_id)

    def get(self, contact_id: str) -> dict[str, Any] | None:
        return self._get("contact_id", contact_id)

    # ---- the SLA monitor -------------------------------------------------------------------------
    def queued(self, queue: str, start: datetime, end: datetime) -> list[LoggedCaller]:
        """Contacts logged entering `queue` (its Connect name) from `start` to `end`: a Query on the
        sparse queue-queued-index, every page of it (a busy queue logs many entries a minute, and the
        one wanted may be the last)."""
        params: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": self._index("queue"),
            "KeyConditionExpression": "#q = :q AND #t BETWEEN :start AND :end",
            "ExpressionAttributeNames": {"#q": "queue", "#t": "queued_at"},
            "ExpressionAttributeValues": to_item(
                {":q": queue, ":start": timestamp(start), ":end": timestamp(end)}
            ),
        }
        found: list[LoggedCaller] = []
        while True:
            response = self.client.query(**params)
            found.extend(
                c for c in (_caller(from_item(i)) for i in response.get("Items", [])) if c is not None
            )
            if not response.get("LastEvaluatedKey"):
                return found
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # ---- the agent event stream -------------------------------------------------------------------
    def record_answer(self, contact_id: str, at: datetime) -> bool:
        """The contact was answered at `at`: `answered_at`, written once (the first answer stands;
        each later snapshot of the agent restates it) and only on an item the flows created. False
        when it was set already or the contact was never logged."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"contact_id": contact_id}),
                UpdateExpression="SET #a = :at",
                ConditionExpression="attribute_exists(#k) AND attribute_not_exists(#a)",
                ExpressionAttributeNames={"#a": ANSWERED_AT, "#k": "contact_id"},
                ExpressionAttributeValues=to_item({":at": timestamp(at)}),
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    # ---- assignment and notifications ----------------------------------------------------------
    def claim_notification(self, contact_id: str, key: str, at: datetime, expires_at: int) -> bool:
        """True the first time `key` is claimed for the contact; False on every repeat (or race)."""
        if key in self._notified.get(contact_id, ()):
            return False
        write = self._new(contact_id, at, expires_at).add("notified", {key})
        notified = write.name("notified")
        condition = f"attribute_not_exists({notified}) OR NOT contains({notified}, {write.value(key)})"
        try:
            self._write(contact_id, write, condition)
        except ClientError as exc:
            if condition_failed(exc):
                self._notified.setdefault(contact_id, set()).add(key)
                return False
            raise
        self._notified.setdefault(contact_id, set()).add(key)
        return True

    def release_notification(self, contact_id: str, key: str) -> None:
        """Undo a claim whose notice could not be sent, so that a retry sends it."""
        self._write(contact_id, _Update().add("notified", {key}, remove=True))
        self._notified.get(contact_id, set()).discard(key)

    # ---- an emergency's escalation and pages ----------------------------------------------------
    def escalation_state(
        self, contact_id: str, item: Mapping[str, Any], at: datetime, expires_at: int
    ) -> EscalationState:
        """When the contact's escalation started and its pages so far, from its item as just read
        consistently (`key`); the first call sets the start (`at`), with its next write."""
        self.remember(contact_id, item)
        started = parse_instant(item.get("escalation_started_at"))
        if started is None:
            self.hold(contact_id, "escalation_started_at", timestamp(at), at, expires_at, keep_first=True)
        pages: dict[int, Page] = {}
        for key, value in item.items():
            index = key.removeprefix(_PAGE_PREFIX)
            if key.startswith(_PAGE_PREFIX) and index.isdigit() and isinstance(value, Mapping):
                page = _page(value)
                if page is not None:
                    pages[int(index)] = page
        self._paged[contact_id] = set(pages)
        return EscalationState(started or at, pages)

    def record_page(self, contact_id: str, step: int, login: str, at: datetime, expires_at: int) -> None:
        """A chain step's page, before it goes out (the engineer may acknowledge at once): held for
        the claim of its first channel, which precedes the delivery. The first record of a step
        stands: a retried invocation does not move its clock."""
        if step in self._paged.get(contact_id, ()):
            return
        page = {"login": login, "paged_at": timestamp(at)}
        self.hold(contact_id, f"{_PAGE_PREFIX}{step}", page, at, expires_at, keep_first=True)

    def record_page_channels(self, contact_id: str, step: int, delivered: Iterable[str]) -> None:
        """Each channel's outcome for the step's page: sent or failed."""
        sent, write = set(delivered), _Update()
        for channel in CHANNELS:
            write.set(f"{_PAGE_PREFIX}{step}", "sent" if channel in sent else "failed", path=channel)
        self._write(contact_id, write)

    def acknowledge_page(self, contact_id: str, step: int, login: str, at: datetime) -> bool:
        """The paged engineer pressed 1; False when no page of that step went to `login`."""
        write = _Update().set(f"{_PAGE_PREFIX}{step}", timestamp(at), keep_first=True, path="acked_at")
        condition = f"{write.name(f'{_PAGE_PREFIX}{step}')}.{write.name('login')} = {write.value(login)}"
        try:
            self._write(contact_id, write, condition)
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True


@dataclass(frozen=True)
class EscalationState:
    """When an emergency contact's escalation started, and its pages by chain step."""

    started_at: datetime
    pages: Mapping[int, Page]


def _caller(item: Mapping[str, Any]) -> LoggedCaller | None:
    from aicc.domain.sla import LoggedCaller  # the SLA monitor's alone: not every handler's cold start

    queued_at = parse_instant(item.get("queued_at"))
    if queued_at is None:
        return None
    pages = [v for k, v in item.items() if k.startswith(_PAGE_PREFIX) and isinstance(v, Mapping)]
    return LoggedCaller(
        contact_id=item_text(item, "contact_id"),
        queued_at=queued_at,
        emergency=item.get("emergency") is True,
        company=item_text(item, "company"),
        pages=len(pages),
        acknowledged=any(p.get("acked_at") for p in pages),
        left=item.get("callback_requested") is True or "callback" in (item.get("events") or ()),
        answered=parse_instant(item.get(ANSWERED_AT)) is not None,
    )


def _page(item: Mapping[str, Any]) -> Page | None:
    paged_at = parse_instant(item.get("paged_at"))
    if paged_at is None:
        return None
    delivered = frozenset(ch for ch in CHANNELS if item.get(ch) == "sent")
    return Page(item_text(item, "login"), paged_at, delivered, parse_instant(item.get("acked_at")))
