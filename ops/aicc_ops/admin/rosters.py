"""Escalation rosters: the part rosters and customers' TS engineers the emergency escalation reads.

The escalation Lambda walks TS primary -> TS secondary (per customer) -> the members of the
customer's part in roster order -> a general agent, and notifies the part's manager at the end
(escalation.yaml). This module keeps those inputs valid: the pure half checks and edits rosters
(every member and the manager an existing agent, the manager in team MANAGER, no duplicates, no
empty roster; TS engineers in team TS and two different people); `RosterStore` reads and writes
the tables. Every write is conditional on the item as it was read, so two operators changing a
roster at once cannot lose a change, and goes in one transaction with its roster_history item.
"""

from __future__ import annotations

import csv
import getpass
import os
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

# Read items exactly as the escalation Lambda reads them.
from aicc.adapters.agents import roster_from_item
from aicc.adapters.dynamodb import from_item, item_text
from aicc.domain.agents import Roster

from .context import OpsContext, scan_all

ROSTER_COLUMNS = ("part", "name", "members", "manager")
MANAGER_TEAM = "MANAGER"
TS_TEAM = "TS"
# Part keys end up in customer items and the history table's hash key: keep them plain.
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# The history hash key of TS changes for a customer that has no part.
NO_PART = "-"

_serializer = TypeSerializer()


class RosterError(Exception):
    """Input that cannot be applied; `problems` lists every reason, each saying what to fix."""

    def __init__(self, problems: Sequence[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ConflictError(RosterError):
    """The item changed between our read and our write (another operator): nothing was written."""


@dataclass(frozen=True)
class Person:
    """An agent as the roster checks need it (agents table)."""

    login: str
    name: str = ""
    team: str = ""
    part: str = ""


@dataclass(frozen=True)
class CustomerTS:
    """A customer's TS engineers (customers table); escalation tries them before the part."""

    customer_id: str
    company: str
    contact_name: str = ""
    tier: str = ""
    part: str = ""
    ts_primary: str = ""
    ts_secondary: str = ""


# ---- pure: parsing, validation, edits -------------------------------------------------------------
def split_logins(raw: str) -> list[str]:
    """Logins from "a,b,c" (CLI) or "a;b;c" (CSV cells, like the seed files)."""
    return [s.strip() for s in re.split(r"[;,]", raw) if s.strip()]


def part_problems(part: str) -> list[str]:
    if not _PART.fullmatch(part):
        return [f"part {part!r} must be 1-64 letters, digits, . _ - (e.g. TS1)"]
    return []


def roster_problems(roster: Roster, people: Mapping[str, Person]) -> list[str]:
    """Everything wrong with a roster against the agents that exist (empty list: valid)."""
    problems = part_problems(roster.part)
    if not roster.members:
        problems.append("an empty roster is refused: give at least one member (the first is on call)")
    seen: set[str] = set()
    for login in roster.members:
        if login in seen:
            problems.append(f"member {login!r} is listed twice (members are the escalation order)")
        seen.add(login)
    unknown = [m for m in dict.fromkeys(roster.members) if m not in people]
    if unknown:
        problems.append(
            f"unknown agent(s) {', '.join(unknown)}: not in the agents table (onboard them first)"
        )
    if not roster.manager:
        problems.append("a manager is required: escalation notifies them when the chain runs out")
    elif roster.manager not in people:
        problems.append(f"manager {roster.manager!r} is not in the agents table")
    elif people[roster.manager].team != MANAGER_TEAM:
        problems.append(
            f"manager {roster.manager!r} is in team {people[roster.manager].team or '(none)'}, "
            f"not {MANAGER_TEAM}"
        )
    return problems


def roster_flags(roster: Roster, people: Mapping[str, Person]) -> list[str]:
    """What `roster show` warns about in a stored roster (written before these checks, or by hand)."""
    flags = [f"{m}: not an agent" for m in roster.members if m not in people]
    if roster.manager and roster.manager not in people:
        flags.append(f"manager {roster.manager}: not an agent")
    elif roster.manager and people[roster.manager].team != MANAGER_TEAM:
        flags.append(f"manager {roster.manager}: team {people[roster.manager].team}, not {MANAGER_TEAM}")
    elif not roster.manager:
        flags.append("no manager")
    if not roster.members:
        flags.append("no members")
    return flags


def edit(
    current: Roster | None,
    part: str,
    *,
    name: str | None = None,
    members: Sequence[str] | None = None,
    manager: str | None = None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> Roster:
    """The roster after `roster set`: --members replaces, then --add appends, then --remove drops.

    Options not given keep the current value. Raises RosterError for an edit that cannot apply
    (the result is validated separately with `roster_problems`).
    """
    add, remove = list(add), list(remove)
    if current is None and members is None and not add:
        raise RosterError(f"part {part} has no roster yet: give --members (and --manager) to create it")
    result = list(members) if members is not None else list(current.members if current else ())
    problems: list[str] = []
    for login in add:
        if login in result:
            problems.append(f"--add {login}: already a member of {part}")
        else:
            result.append(login)
    for login in remove:
        if login in result:
            result.remove(login)
        else:
            problems.append(f"--remove {login}: not a member of {part} ({', '.join(result) or 'no members'})")
    if problems:
        raise RosterError(problems)
    return Roster(
        part,
        name if name is not None and name.strip() else (current.name if current and current.name else part),
        tuple(result),
        manager if manager is not None else (current.manager if current else ""),
    )


def rotate(roster: Roster, to: str | None = None) -> Roster:
    """On-call rotation: the first member goes to the end, or `to` comes first (cyclic order kept)."""
    members = list(roster.members)
    if to is None:
        start = 1 if members else 0
    elif to in members:
        start = members.index(to)
    else:
        raise RosterError(f"--to {to}: not a member of {roster.part} ({', '.join(members) or 'no members'})")
    return replace(roster, members=tuple(members[start:] + members[:start]))


def ts_problems(
    customer: CustomerTS, primary: str, secondary: str, people: Mapping[str, Person]
) -> list[str]:
    """Everything wrong with a customer's TS primary/secondary (empty list: valid)."""
    who = f"customer {customer.customer_id} ({customer.company})"
    if customer.tier and customer.tier != "MSP":
        return [f"{who} is {customer.tier} tier: only MSP customers have TS engineers"]
    problems: list[str] = []
    for role, login in (("TS primary", primary), ("TS secondary", secondary)):
        if not login:
            problems.append(f"{who} has no {role}: give --{role.split()[1]}")
        elif login not in people:
            problems.append(f"{role} {login!r} is not in the agents table")
        elif people[login].team != TS_TEAM:
            problems.append(f"{role} {login!r} is in team {people[login].team or '(none)'}, not {TS_TEAM}")
    if primary and primary == secondary:
        problems.append(f"TS primary and secondary must be different people (both {primary})")
    return problems


def escalation_chain(
    customer: CustomerTS, roster: Roster | None, chain: Sequence[str], general_team: str
) -> list[str]:
    """Who escalation tries for this customer, in order (escalation.yaml's chain)."""
    out: list[str] = []
    tried = {customer.ts_primary, customer.ts_secondary}
    for step in chain:
        if step == "ts_primary" and customer.ts_primary:
            out.append(customer.ts_primary)
        elif step == "ts_secondary" and customer.ts_secondary:
            out.append(customer.ts_secondary)
        elif step == "part_members" and roster:
            out.extend(m for m in roster.members if m not in tried)
        elif step == "general_agent":
            out.append(f"team {general_team}")
    if roster and roster.manager:
        out.append(f"manager {roster.manager} notified")
    return out


# ---- pure: changes ----------------------------------------------------------------------------------
def roster_doc(roster: Roster | None) -> dict[str, Any] | None:
    """A roster as history and JSON output record it."""
    if roster is None:
        return None
    return {"name": roster.name, "members": list(roster.members), "manager": roster.manager}


@dataclass(frozen=True)
class Change:
    before: Roster | None
    after: Roster

    @property
    def part(self) -> str:
        return self.after.part

    @property
    def status(self) -> str:
        if self.before is None:
            return "created"
        return "unchanged" if self.before == self.after else "updated"

    def describe(self) -> str:
        return describe(roster_doc(self.before), roster_doc(self.after) or {})

    def as_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "status": self.status,
            "before": roster_doc(self.before),
            "after": roster_doc(self.after),
        }


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " → ".join(str(v) for v in value) or "(none)"
    return str(value) if value not in (None, "") else "(none)"


def describe(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> str:
    """One line: "members: a → b → c  =>  b → c → a; manager: x => y" (only what differs)."""
    if before is None:
        return "; ".join(f"{k}: {_shown(v)}" for k, v in after.items())
    parts = [
        f"{key}: {_shown(before.get(key))}  =>  {_shown(after.get(key))}"
        for key in dict.fromkeys([*before, *after])
        if _norm(before.get(key)) != _norm(after.get(key))
    ]
    return "; ".join(parts) or "no change"


def _norm(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else (value or "")


def plan_import(rows: Sequence[Roster], current: Mapping[str, Roster]) -> list[Change]:
    """The change per CSV row; an empty name keeps the stored one (else the part key)."""
    changes: list[Change] = []
    for row in rows:
        before = current.get(row.part)
        name = row.name or (before.name if before and before.name else row.part)
        changes.append(Change(before, replace(row, name=name)))
    return changes


# ---- pure: the import file -------------------------------------------------------------------------
@dataclass(frozen=True)
class CsvRoster:
    line: int
    roster: Roster


def read_roster_csv(path: Path) -> list[CsvRoster]:
    """Parse rosters.csv (part,name,members,manager; members ";"-separated in escalation order).

    Raises RosterError listing every malformed row as `file:line: problem`.
    """
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{label}: no such file") from None
    except UnicodeDecodeError:
        raise RosterError(f"{label}: not UTF-8 text (in Excel: Save As > CSV UTF-8)") from None
    except OSError as exc:
        raise RosterError(f"{label}: cannot read ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        return _csv_rosters(label, reader)
    except csv.Error as exc:  # a cell over csv's size limit, a NUL byte...
        raise RosterError(f"{label}:{reader.reader.line_num}: not readable as CSV ({exc})") from None


def _csv_rosters(label: str, reader: csv.DictReader[str]) -> list[CsvRoster]:
    header = [(h or "").strip() for h in reader.fieldnames or []]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    unknown = [c for c in header if c not in ROSTER_COLUMNS]
    if missing or unknown:
        what = [f"missing column(s) {', '.join(missing)}"] if missing else []
        what += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise RosterError(f"{label}:1: {'; '.join(what)}; the header must be {','.join(ROSTER_COLUMNS)}")
    problems: list[str] = []
    out: list[CsvRoster] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(f"{label}:{line}: more values than columns (quote a members cell with commas)")
            continue
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        roster = Roster(
            values["part"], values["name"], tuple(split_logins(values["members"])), values["manager"]
        )
        out.append(CsvRoster(line, roster))
    if problems:
        raise RosterError(problems)
    if not out:
        raise RosterError(f"{label}: no roster rows below the header")
    return out


def import_problems(path: Path, rows: Sequence[CsvRoster], people: Mapping[str, Person]) -> list[str]:
    """Every bad row as `file:line: problem` (a part twice, unknown agents, bad manager...)."""
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for row in rows:
        where = f"{path}:{row.line}"
        roster = row.roster
        if not roster.part:
            problems.append(f"{where}: part is empty")
            continue
        if roster.part in first_line:
            problems.append(f"{where}: part {roster.part} is already on line {first_line[roster.part]}")
            continue
        first_line[roster.part] = row.line
        problems.extend(f"{where}: {p}" for p in roster_problems(roster, people))
    return problems


def load_import(path: Path, people: Mapping[str, Person]) -> list[Roster]:
    """The validated rows of an import file; RosterError with every bad row otherwise."""
    rows = read_roster_csv(path)
    problems = import_problems(path, rows, people)
    if problems:
        raise RosterError(problems)
    return [row.roster for row in rows]


# ---- history keys ----------------------------------------------------------------------------------
def history_key(now: datetime | None = None) -> str:
    """changed_at: ISO UTC to the millisecond (sorts as text) plus a suffix, unique per write."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z#{secrets.token_hex(3)}"


def operator_identity(ops: OpsContext) -> str:
    """Who changes the roster: the AWS caller ARN, else $USER (always $USER on the local stack)."""
    user = os.environ.get("USER") or _login_name()
    if ops.target.local:
        return f"{user} (local)"
    from botocore.config import Config as BotoConfig

    try:
        sts = ops.session.client(
            "sts", config=BotoConfig(retries={"max_attempts": 2}, connect_timeout=3, read_timeout=5)
        )
        return str(sts.get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError, KeyError):
        return user


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# ---- the tables ------------------------------------------------------------------------------------
def _dump(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v not in ("", None, [])}


def _customer(item: Mapping[str, Any]) -> CustomerTS:
    return CustomerTS(
        customer_id=item_text(item, "customer_id"),
        company=item_text(item, "company"),
        contact_name=item_text(item, "contact_name"),
        tier=item_text(item, "tier"),
        part=item_text(item, "part"),
        ts_primary=item_text(item, "ts_primary"),
        ts_secondary=item_text(item, "ts_secondary"),
    )


def _unchanged_since_read(raw: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A condition that each field still holds the value we read (as stored, or still absent)."""
    clauses: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for i, field_name in enumerate(fields):
        names[f"#c{i}"] = field_name
        if field_name in raw:
            values[f":c{i}"] = raw[field_name]
            clauses.append(f"#c{i} = :c{i}")
        else:
            clauses.append(f"attribute_not_exists(#c{i})")
    condition: dict[str, Any] = {
        "ConditionExpression": " AND ".join(clauses),
        "ExpressionAttributeNames": names,
    }
    if values:
        condition["ExpressionAttributeValues"] = values
    return condition


_ROSTER_FIELDS = ("name", "members", "manager")
_TS_FIELDS = ("ts_primary", "ts_secondary")


class RosterStore:
    """The rosters, agents, customers and roster_history tables of one target.

    Reads remember each item as stored; a write is conditional on exactly that, so it fails
    with ConflictError when someone changed the item in between.
    """

    def __init__(self, ops: OpsContext) -> None:
        self._ops = ops
        self._rosters_read: dict[str, dict[str, Any] | None] = {}
        self._customers_read: dict[str, dict[str, Any]] = {}

    @property
    def _client(self) -> Any:
        return self._ops.client("dynamodb")

    def _table(self, key: str) -> str:
        return self._ops.table_name(key)

    def _scan(self, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item as stored (typed attribute values: writes are conditional on them)."""
        # The client's Scan pages like a Table resource's, with LastEvaluatedKey as stored too.
        return scan_all(self._client, TableName=self._table(key), **params)

    # ---- reads --------------------------------------------------------------------------------------
    def people(self) -> dict[str, Person]:
        found = self._scan(
            "agents",
            ProjectionExpression="#l, #n, #t, #p",
            ExpressionAttributeNames={"#l": "login", "#n": "name", "#t": "team", "#p": "part"},
        )
        items = (from_item(i) for i in found)
        people = [Person(*(item_text(item, k) for k in ("login", "name", "team", "part"))) for item in items]
        return {p.login: p for p in people if p.login}

    def rosters(self) -> dict[str, Roster]:
        out: dict[str, Roster] = {}
        for raw in self._scan("rosters", ConsistentRead=True):
            roster = roster_from_item(from_item(raw))
            self._rosters_read[roster.part] = raw
            out[roster.part] = roster
        return dict(sorted(out.items()))

    def get(self, part: str) -> Roster | None:
        response = self._client.get_item(
            TableName=self._table("rosters"), Key=_dump({"part": part}), ConsistentRead=True
        )
        raw = response.get("Item")
        self._rosters_read[part] = raw
        return roster_from_item(from_item(raw)) if raw else None

    def customers(self) -> list[CustomerTS]:
        """Every MSP customer (the only ones with TS engineers and a part)."""
        found = self._scan(
            "customers",
            FilterExpression="#tier = :msp",
            ExpressionAttributeNames={"#tier": "tier"},
            ExpressionAttributeValues={":msp": {"S": "MSP"}},
        )
        return sorted((_customer(from_item(i)) for i in found), key=lambda c: (c.company, c.customer_id))

    def customer(self, customer_id: str) -> CustomerTS | None:
        response = self._client.get_item(
            TableName=self._table("customers"), Key=_dump({"customer_id": customer_id}), ConsistentRead=True
        )
        raw = response.get("Item")
        if not raw:
            return None
        self._customers_read[customer_id] = raw
        return _customer(from_item(raw))

    def history(self, part: str, limit: int) -> list[dict[str, Any]]:
        """The part's changes, newest first."""
        response = self._client.query(
            TableName=self._table("roster_history"),
            KeyConditionExpression="#p = :p",
            ExpressionAttributeNames={"#p": "part"},
            ExpressionAttributeValues={":p": {"S": part}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [from_item(i) for i in response.get("Items", [])]

    # ---- writes -------------------------------------------------------------------------------------
    def save(self, change: Change, action: str, by: str) -> str:
        """Write the roster and its history item in one transaction; returns changed_at."""
        part = change.part
        raw = self._rosters_read.get(part)
        if change.before is not None and raw is None:
            raise RuntimeError(f"roster {part} written without being read first")
        if raw is None:
            condition: dict[str, Any] = {
                "ConditionExpression": "attribute_not_exists(#part)",
                "ExpressionAttributeNames": {"#part": "part"},
            }
        else:
            condition = _unchanged_since_read(raw, _ROSTER_FIELDS)
        after = change.after
        item = _dump(
            {"part": part, "name": after.name, "members": list(after.members), "manager": after.manager}
        )
        changed_at = history_key()
        entry = {
            "part": part,
            "changed_at": changed_at,
            "by": by,
            "action": action,
            "before": roster_doc(change.before),
            "after": roster_doc(after),
        }
        self._transact(
            {"TableName": self._table("rosters"), "Item": item, **condition},
            entry,
            f"roster {part} changed meanwhile (another operator?): nothing was written; re-run to see "
            "the current roster and apply your change to it",
        )
        self._rosters_read[part] = item
        return changed_at

    def save_ts(self, before: CustomerTS, primary: str, secondary: str, by: str) -> str:
        """Set a customer's TS engineers (conditional on the values read) and record it."""
        raw = self._customers_read.get(before.customer_id)
        if raw is None:
            raise RuntimeError(f"customer {before.customer_id} written without being read first")
        condition = _unchanged_since_read(raw, _TS_FIELDS)
        condition["ConditionExpression"] = (
            f"attribute_exists(customer_id) AND {condition['ConditionExpression']}"
        )
        values = condition.setdefault("ExpressionAttributeValues", {})
        values.update(_dump({":p": primary, ":s": secondary}))
        condition["ExpressionAttributeNames"].update({"#p": "ts_primary", "#s": "ts_secondary"})
        changed_at = history_key()
        entry = {
            "part": before.part or NO_PART,
            "changed_at": changed_at,
            "by": by,
            "action": "set-ts",
            "customer_id": before.customer_id,
            "company": before.company,
            "before": {"ts_primary": before.ts_primary, "ts_secondary": before.ts_secondary},
            "after": {"ts_primary": primary, "ts_secondary": secondary},
        }
        update = {
            "TableName": self._table("customers"),
            "Key": _dump({"customer_id": before.customer_id}),
            "UpdateExpression": "SET #p = :p, #s = :s",
            **condition,
        }
        self._transact(
            update,
            entry,
            f"customer {before.customer_id} changed meanwhile (another operator?): nothing was written; "
            "re-run",
            kind="Update",
        )
        return changed_at

    def _transact(
        self, write: dict[str, Any], entry: Mapping[str, Any], conflict: str, kind: str = "Put"
    ) -> None:
        history = {
            "TableName": self._table("roster_history"),
            "Item": _dump(entry),
            "ConditionExpression": "attribute_not_exists(changed_at)",
        }
        try:
            self._client.transact_write_items(TransactItems=[{kind: write}, {"Put": history}])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            # The first item is the roster or customer write; a failed condition or another
            # transaction on the same item both mean someone else is changing it right now.
            first = reasons[0].get("Code") if reasons else ""
            if first in ("ConditionalCheckFailed", "TransactionConflict") or not reasons:
                raise ConflictError(conflict) from None
            raise
