"""Seed data for the local stack: customers.csv (required), agents.csv and rosters.csv (optional).

Every row is validated before anything is written, and every bad row is reported with its file and
line number. Files (UTF-8, header row first):

- customers.csv: company,contact_name,phone,account_id,tier
  optional columns: part,ts_primary,ts_secondary,sales_rep_name,sales_rep_phone,aliases (";"-separated)
  tier is MSP or GENERAL; account_id has 12 digits; phone is E.164 (+8210...) or Korean (010-...).
  An MSP customer without a part gets one from the rosters (by account ID), and the part's first
  two members as TS primary and secondary.
- agents.csv: login,name,email,team,part,skills,routing_profile,status[,mobile][,proficiencies]
  team TS|GENERAL|MANAGER; skills ";"-separated; status AVAILABLE|BUSY|AFTER_CONTACT_WORK|AWAY|OFFLINE;
  proficiencies ";"-separated attribute:value:level (level 1-5), the Connect user proficiencies
  routing criteria match (sentiment.yaml's prefer_proficiency names the one a negative caller needs).
- rosters.csv: part,name,members,manager   (members ";"-separated logins, in escalation order)

Without agents.csv / rosters.csv the bundled samples are used, so a customers-only directory works.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicc.domain import phones
from aicc.settings import TEAMS, Config

from ..core import connect_users

SAMPLE_DIR = Path(__file__).with_name("sample_data")
CUSTOMER_COLUMNS = ("company", "contact_name", "phone", "account_id", "tier")
CUSTOMER_OPTIONAL = ("part", "ts_primary", "ts_secondary", "sales_rep_name", "sales_rep_phone", "aliases")
AGENT_COLUMNS = ("login", "name", "email", "team", "part", "skills", "routing_profile", "status")
AGENT_OPTIONAL = (
    "mobile",  # E.164 or a Korean number: where the escalation pages one not signed in
    "proficiencies",  # ";"-separated attribute:value:level (Connect user proficiencies, routing criteria)
)
ROSTER_COLUMNS = ("part", "name", "members", "manager")
STATUSES = ("AVAILABLE", "BUSY", "AFTER_CONTACT_WORK", "AWAY", "OFFLINE")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SeedError(ValueError):
    """Bad seed data. `problems` lists every bad row as 'file:line: message'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("bad seed data:\n  " + "\n  ".join(problems))


@dataclass
class SeedData:
    customers: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    rosters: list[dict[str, Any]]


def normalize_phone(raw: str) -> str | None:
    """E.164 for a number the Lambdas accept (010-1234-5678, 02-123-4567, +8210...), else None."""
    try:
        return phones.normalize(raw)
    except phones.PhoneNumberError:
        return None


def _rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], problems: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        problems.append(f"{path.name}: cannot read ({exc.strerror})")
        return
    with handle:
        try:
            yield from _read(path, handle, required, optional, problems)
        except UnicodeDecodeError:
            problems.append(f"{path.name}: not UTF-8 text (in Excel: Save As > CSV UTF-8)")


def _read(
    path: Path, handle: Any, required: tuple[str, ...], optional: tuple[str, ...], problems: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    if missing:
        problems.append(
            f"{path.name}:1: missing column(s) {', '.join(missing)}; the header must be {','.join(required)}"
        )
        return
    if unknown:
        problems.append(
            f"{path.name}:1: unknown column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(required + optional)}"
        )
        return
    for row in reader:
        line = reader.line_num
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            problems.append(f"{path.name}:{line}: more values than columns")
            continue
        if not any(values.values()):
            continue
        yield line, values


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def customer_id(account_id: str, contact_name: str) -> str:
    digest = hashlib.sha256(f"{account_id}|{contact_name}".encode()).hexdigest()
    return f"C{digest[:10].upper()}"


def load(directory: Path, config: Config) -> SeedData:
    problems: list[str] = []
    customers_path = directory / "customers.csv"
    if not customers_path.is_file():
        raise SeedError([f"{directory}: customers.csv not found (header: {','.join(CUSTOMER_COLUMNS)})"])
    agents_path = directory / "agents.csv"
    rosters_path = directory / "rosters.csv"
    agents = _load_agents(
        agents_path if agents_path.is_file() else SAMPLE_DIR / "agents.csv", config, problems
    )
    logins = {a["login"] for a in agents}
    rosters = _load_rosters(
        rosters_path if rosters_path.is_file() else SAMPLE_DIR / "rosters.csv", logins, problems
    )
    customers = _load_customers(customers_path, rosters, logins, problems)
    if problems:
        raise SeedError(problems)
    return SeedData(customers, agents, rosters)


def _load_agents(path: Path, config: Config, problems: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, r in _rows(path, AGENT_COLUMNS, AGENT_OPTIONAL, problems):
        where = f"{path.name}:{line}"
        bad = []
        if not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", r["login"]):
            bad.append(f"login {r['login']!r} must be 1-64 of letters, digits, . _ @ -")
        elif r["login"] in seen:
            bad.append(f"login {r['login']!r} already on line {seen[r['login']]}")
        if not r["name"]:
            bad.append("name is empty")
        if not _EMAIL.match(r["email"]):
            bad.append(f"email {r['email']!r} is not an address")
        if r["team"] not in TEAMS:
            bad.append(f"team {r['team']!r} must be one of {', '.join(TEAMS)}")
        if r["routing_profile"] not in config.routing_profiles:
            bad.append(
                f"routing_profile {r['routing_profile']!r} is not in routing_profiles.yaml "
                f"({', '.join(config.routing_profiles)})"
            )
        if r["status"] not in STATUSES:
            bad.append(f"status {r['status']!r} must be one of {', '.join(STATUSES)}")
        mobile = normalize_phone(r["mobile"]) if r.get("mobile") else ""
        if mobile is None:
            bad.append(f"mobile {r['mobile']!r} is not a phone number (010-1234-5678 or +821012345678)")
        held = _split(r.get("proficiencies") or "")
        for text in held:
            try:
                connect_users.parse_proficiency(text)
            except ValueError as e:
                bad.append(str(e))
        if bad:
            problems.extend(f"{where}: {b}" for b in bad)
            continue
        seen[r["login"]] = line
        out.append(
            {
                "login": r["login"],
                "name": r["name"],
                "email": r["email"],
                "mobile": mobile or "",
                "team": r["team"],
                "part": r["part"],
                "skills": _split(r["skills"]),
                **({"proficiencies": held} if held else {}),
                "routing_profile": r["routing_profile"],
                "status": r["status"],
                "active_contacts": 1 if r["status"] == "BUSY" else 0,
                "handled_today": 0,
                "last_assigned_at": "",
            }
        )
    return out


def _load_rosters(path: Path, logins: set[str], problems: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line, r in _rows(path, ROSTER_COLUMNS, (), problems):
        where = f"{path.name}:{line}"
        members = _split(r["members"])
        unknown = [m for m in [*members, r["manager"]] if m and m not in logins]
        if not r["part"] or not members:
            problems.append(f"{where}: part and members are required")
        elif unknown:
            problems.append(f"{where}: unknown agent login(s) {', '.join(unknown)} (not in agents.csv)")
        else:
            out.append(
                {
                    "part": r["part"],
                    "name": r["name"] or r["part"],
                    "members": members,
                    "manager": r["manager"],
                }
            )
    return out


def _load_customers(
    path: Path, rosters: list[dict[str, Any]], logins: set[str], problems: list[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_part = {r["part"]: r for r in rosters if r["part"].startswith("TS")} or {r["part"]: r for r in rosters}
    parts = sorted(by_part)
    seen: dict[tuple[str, str], int] = {}
    for line, r in _rows(path, CUSTOMER_COLUMNS, CUSTOMER_OPTIONAL, problems):
        where = f"{path.name}:{line}"
        bad = []
        phone = normalize_phone(r["phone"])
        if not r["company"]:
            bad.append("company is empty")
        if not r["contact_name"]:
            bad.append("contact_name is empty")
        if phone is None:
            bad.append(f"phone {r['phone']!r} is not a phone number (E.164 +8210... or 010-...)")
        if not re.fullmatch(r"\d{12}", r["account_id"]):
            bad.append(f"account_id {r['account_id']!r} must be 12 digits")
        if r["tier"] not in ("MSP", "GENERAL"):
            bad.append(f"tier {r['tier']!r} must be MSP or GENERAL")
        key = (r["account_id"], r["contact_name"])
        if key in seen:
            bad.append(f"same account_id and contact_name as line {seen[key]}")
        for col in ("ts_primary", "ts_secondary"):
            if r.get(col) and r[col] not in logins:
                bad.append(f"{col} {r[col]!r} is not an agent login")
        rep_phone = normalize_phone(r["sales_rep_phone"]) if r.get("sales_rep_phone") else ""
        if rep_phone is None:
            bad.append(f"sales_rep_phone {r['sales_rep_phone']!r} is not a phone number")
        if bad:
            problems.extend(f"{where}: {b}" for b in bad)
            continue
        seen[key] = line
        part = r.get("part", "")
        primary, secondary = r.get("ts_primary", ""), r.get("ts_secondary", "")
        if r["tier"] == "MSP" and parts:
            part = part or parts[int(r["account_id"]) % len(parts)]
            members = by_part.get(part, {}).get("members", [])
            primary = primary or (members[0] if members else "")
            secondary = secondary or (members[1] if len(members) > 1 else "")
        out.append(
            {
                "customer_id": customer_id(r["account_id"], r["contact_name"]),
                "company": r["company"],
                "contact_name": r["contact_name"],
                "phone": phone,
                "account_id": r["account_id"],
                "account_last4": r["account_id"][-4:],
                "tier": r["tier"],
                "part": part,
                "ts_primary": primary,
                "ts_secondary": secondary,
                "sales_rep_name": r.get("sales_rep_name", ""),
                "sales_rep_phone": rep_phone or "",
                "aliases": _split(r.get("aliases", "")),
            }
        )
    return out


def write(data: SeedData, tables: dict[str, str], resource: Any, agent_arn: Any) -> None:
    """Put every item (idempotent: a re-seed overwrites with the same content)."""
    plan = [
        ("CUSTOMERS_TABLE", data.customers),
        ("ROSTERS_TABLE", data.rosters),
        ("AGENTS_TABLE", [{**a, "user_arn": agent_arn(a["login"])} for a in data.agents]),
    ]
    for env, items in plan:
        table = resource.Table(tables[env])
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item={k: v for k, v in item.items() if v not in ("", [])})
