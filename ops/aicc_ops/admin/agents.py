"""Agents: onboarding from a CSV, listing, offboarding (Connect users plus the agents table).

The onboarding CSV is the desired state of every agent it lists. Every row is validated, then the
names it uses are checked against the instance, before anything changes. Each agent is then
compared with its Connect user (SearchUsers, 100 per page) and its agents-table record, and only
the calls that close the difference are made: a re-run makes no write call at all. One agent is
finished (password secret, Connect user, table record) before the next starts, so an interrupted
run leaves finished agents finished and a re-run continues with the rest.

Connect quotas are kept by the OpsContext client (token bucket + adaptive retries); a call that
still fails after its retries fails that agent only.
"""

from __future__ import annotations

import csv
import re
import secrets
import string
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicc.domain import phones
from aicc.settings import TEAMS, Config

from ..core import connect_users
from ..core.agents import PHONE_CONFIG, full_name, split_name
from ..core.aws import error_text
from .context import OpsContext, scan_all
from .queues import HOME_ATTRIBUTE, agent_items

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

REQUIRED_COLUMNS = ("login", "name", "email", "team", "part", "role", "routing_profile")
# mobile: the engineer's own phone, for on-call pages (SMS and a page call) when not signed in.
# proficiencies: ";"-separated attribute:value:level, the Connect user proficiencies routing criteria
# match (AssociateUserProficiencies); sentiment.yaml's prefer_proficiency names what a negative
# caller's routing needs.
OPTIONAL_COLUMNS = ("security_profile", "skills", "mobile", "proficiencies")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
SAMPLE_CSV = Path(__file__).parents[1] / "local" / "sample_data" / "agents_200.csv"
MAX_SECURITY_PROFILES = 10  # per user (Connect's SecurityProfileIds limit)
SEARCH_PAGE = 100  # SearchUsers MaxResults
EXACT_SEARCH_MAX = 10  # up to this many logins: one exact SearchUsers each, else list every user
NEW_STATUS = "OFFLINE"  # an onboarded agent's status until Connect's agent events say otherwise
KMS_KEY_OUTPUT = "kms_key_arn"  # Terraform output: the key of the initial-password secrets
MOVED_NOTE = "moved by rebalance; `queues rebalance --restore` brings it home"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PART = re.compile(r"[A-Za-z0-9_-]{1,32}")
_PASSWORD_SYMBOLS = "!#%+-=?@^_"


class CsvError(ValueError):
    """A bad CSV. `problems` lists every problem as 'file:line: message'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def secret_name(login: str) -> str:
    return f"aicc/agents/{login}/initial-password"


# ---- the CSV --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentRow:
    line: int
    login: str
    name: str
    email: str
    team: str
    part: str
    role: str
    routing_profile: str  # routing_profiles.yaml key
    security_profiles: tuple[str, ...]  # names: the role's first, then the extra ones
    skills: tuple[str, ...]
    last_name: str  # family name (Connect LastName)
    first_name: str
    mobile: str | None = None  # E.164; "" to clear it; None: the file has no mobile column (kept)
    # (attribute, value) -> level; None: the file has no proficiencies column (the user's are kept)
    proficiencies: dict[tuple[str, str], float] | None = None


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


def routing_profile_key(value: str, config: Config) -> str | None:
    """The routing_profiles.yaml key for a key or a Connect name (case-insensitive)."""
    if value in config.routing_profiles:
        return value
    for key, profile in config.routing_profiles.items():
        if profile.name.casefold() == value.casefold():
            return key
    return None


def login_problem(login: str) -> str | None:
    """Why Connect refuses the login as a user name, whatever the instance's identity type."""
    return connect_users.username_problem(login)


def _table(path: Path, problems: list[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (lower-cased) and the (line, values) of every non-empty data row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            rows = [(reader.line_num, [v.strip() for v in r]) for r in reader if any(v.strip() for v in r)]
    except OSError as exc:
        problems.append(f"{path}: cannot read ({exc.strerror})")
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text (in Excel: Save As > CSV UTF-8)")
    except csv.Error as exc:
        problems.append(f"{path}: not a CSV file ({exc})")
    else:
        if any(header):
            return header, rows
        problems.append(f"{path}:1: empty file; the first line must be the header")
    return [], []


def _header_problems(
    path: Path, header: list[str], required: Collection[str], allowed: Collection[str]
) -> list[str]:
    out = []
    missing = [c for c in required if c not in header]
    if missing:
        out.append(f"{path}:1: missing column(s) {', '.join(missing)}; required: {', '.join(required)}")
    unknown = [c for c in header if c not in allowed]
    if unknown:
        out.append(f"{path}:1: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        out.append(f"{path}:1: column(s) {', '.join(duplicated)} appear more than once")
    return out


def read_csv(path: Path, config: Config) -> list[AgentRow]:
    """Every agent of an onboarding CSV; CsvError lists every problem of every row."""
    problems: list[str] = []
    header, table = _table(path, problems)
    if header:
        problems += _header_problems(path, header, REQUIRED_COLUMNS, COLUMNS)
    if header and not table:
        problems.append(f"{path}: only the header, no agents; add one line per agent under it")
    if problems:
        raise CsvError(problems)
    rows: list[AgentRow] = []
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    for line, values in table:
        if len(values) != len(header):
            problems.append(f"{path}:{line}: {len(values)} values, but the header has {len(header)} columns")
            continue
        bad, row = _check_row(dict(zip(header, values, strict=True)), line, config, seen, emails)
        problems.extend(f"{path}:{line}: {b}" for b in bad)
        if row is not None:
            rows.append(row)
    if problems:
        raise CsvError(problems)
    return rows


def _check_row(
    r: dict[str, str], line: int, config: Config, seen: dict[str, int], emails: dict[str, int]
) -> tuple[list[str], AgentRow | None]:
    bad: list[str] = []
    login = r["login"]
    problem = login_problem(login)
    if problem:
        bad.append(problem)
    elif login.casefold() in seen:
        bad.append(f"login {login!r} is a duplicate: already on line {seen[login.casefold()]}")
    else:
        seen[login.casefold()] = line
    names: tuple[str, str] = ("", "")
    # Connect takes names in Unicode NFC only; a file saved on macOS may hold decomposed Hangul.
    name = unicodedata.normalize("NFC", r["name"])
    if not name:
        bad.append("name is empty")
    else:
        try:
            names = split_name(name)
        except ValueError as exc:
            bad.append(str(exc))
    if not _EMAIL.fullmatch(r["email"]):
        bad.append(f"email {r['email']!r} is not an email address")
    elif r["email"].casefold() in emails:
        bad.append(f"email {r['email']!r} is a duplicate: already on line {emails[r['email'].casefold()]}")
    else:
        emails[r["email"].casefold()] = line
    bad += connect_users.identity_problems(names[1], names[0], r["email"])
    skills = _split(r.get("skills", ""))
    bad += _skill_problems(skills, config)
    mobile = None if "mobile" not in r else ""
    if (r.get("mobile") or "").strip():
        try:
            mobile = phones.normalize(r["mobile"])
        except phones.PhoneNumberError as exc:
            bad.append(f"mobile {r['mobile']!r} is not a phone number pages can reach: {exc}")
    given = []
    for text in _split(r.get("proficiencies") or ""):
        try:
            given.append(connect_users.parse_proficiency(text))
        except ValueError as exc:
            bad.append(str(exc))
    proficiencies = None if "proficiencies" not in r else connect_users.held_proficiencies(given)
    team = r["team"].upper()
    if team not in TEAMS:
        bad.append(f"team {r['team']!r} must be one of {', '.join(TEAMS)}")
    if not _PART.fullmatch(r["part"]):
        bad.append(f"part {r['part']!r} must be 1-32 letters, digits, _ or - (e.g. TS1, GEN)")
    # Role -> the security profile every agent of that role gets (security_profiles.yaml).
    roles = {key: sp.name for key, sp in config.security_profiles.items()}
    role = r["role"].lower()
    if role not in roles:
        bad.append(f"role {r['role']!r} must be one of {', '.join(roles)}")
    profile = routing_profile_key(r["routing_profile"], config)
    if profile is None:
        valid = ", ".join(f"{k} ({p.name})" for k, p in config.routing_profiles.items())
        bad.append(f"routing_profile {r['routing_profile']!r} is unknown; one of: {valid}")
    extra = _split(r.get("security_profile", ""))
    security = tuple(dict.fromkeys([roles.get(role, ""), *extra]))
    if len(security) > MAX_SECURITY_PROFILES:
        bad.append(f"{len(security)} security profiles; a user can have at most {MAX_SECURITY_PROFILES}")
    if bad:
        return bad, None
    return [], AgentRow(
        line=line,
        login=login,
        name=name,
        email=r["email"],
        team=team,
        part=r["part"],
        role=role,
        routing_profile=str(profile),
        security_profiles=security,
        skills=skills,
        last_name=names[0],
        first_name=names[1],
        mobile=mobile,
        proficiencies=proficiencies,
    )


def configured_skills(config: Config) -> dict[str, str]:
    """The skills queues.yaml names (required_skills), by their case-folded spelling."""
    return {s.casefold(): s for q in config.queues.values() for s in q.required_skills}


def _skill_problems(skills: Iterable[str], config: Config) -> list[str]:
    """Skills Connect refuses, and configured skills spelled otherwise (the rebalance would never
    find the agent: required_skills match exactly)."""
    known = configured_skills(config)
    out = []
    for skill in skills:
        problem = connect_users.skill_problem(skill)
        if problem:
            out.append(problem)
        elif skill.casefold() in known and known[skill.casefold()] != skill:
            out.append(f"skill {skill!r} is written {known[skill.casefold()]!r} in queues.yaml; use that")
    return out


def read_logins(path: Path) -> list[str]:
    """The login column of a CSV (other columns are ignored); CsvError lists every bad row."""
    problems: list[str] = []
    header, table = _table(path, problems)
    if header and "login" not in header:
        problems.append(f"{path}:1: no login column (header: {','.join(header)})")
    if problems:
        raise CsvError(problems)
    column = header.index("login")
    logins: list[str] = []
    for line, values in table:
        login = values[column] if column < len(values) else ""
        problem = login_problem(login)
        if problem:
            problems.append(f"{path}:{line}: {problem}")
        elif login not in logins:
            logins.append(login)
    if problems:
        raise CsvError(problems)
    return logins


# ---- the instance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    id: str
    arn: str
    identity: str  # CONNECT_MANAGED | SAML | EXISTING_DIRECTORY
    routing_ids: Mapping[str, str]  # Connect name -> Id
    security_ids: Mapping[str, str]

    @property
    def needs_password(self) -> bool:
        return self.identity == "CONNECT_MANAGED"

    def routing_name(self, profile_id: str) -> str:
        return next((n for n, i in self.routing_ids.items() if i == profile_id), profile_id)

    def security_names(self, ids: Iterable[str]) -> list[str]:
        by_id = {i: n for n, i in self.security_ids.items()}
        return sorted(by_id.get(i, i) for i in ids)


def load_instance(ops: OpsContext) -> Instance:
    """The instance's identity management and its routing and security profiles (3+ reads, once)."""
    described = ops.client("connect").describe_instance(InstanceId=ops.instance_id)["Instance"]
    routing = ops.paginate("list_routing_profiles", "RoutingProfileSummaryList")
    security = ops.paginate("list_security_profiles", "SecurityProfileSummaryList")
    return Instance(
        id=ops.instance_id,
        arn=str(described.get("Arn", "")),
        identity=str(described.get("IdentityManagementType", "")),
        routing_ids={p["Name"]: p["Id"] for p in routing},
        security_ids={p["Name"]: p["Id"] for p in security},
    )


def instance_problems(path: Path, rows: Iterable[AgentRow], instance: Instance, config: Config) -> list[str]:
    """Rows the instance refuses: a login or name its identity type does not allow, a routing or
    security profile it does not have."""
    problems = []
    for row in rows:
        refused = [connect_users.username_problem(row.login, instance.identity)]
        refused += connect_users.identity_problems(
            row.first_name, row.last_name, row.email, instance.identity
        )
        problems += [f"{path}:{row.line}: {p}" for p in refused if p]
        routing = config.routing_profiles[row.routing_profile].name
        if routing not in instance.routing_ids:
            problems.append(
                f"{path}:{row.line}: routing profile {routing!r} ({row.routing_profile}) does not exist in "
                f"instance {instance.id}; deploy the Terraform first"
            )
        missing = [s for s in row.security_profiles if s not in instance.security_ids]
        if missing:
            problems.append(
                f"{path}:{row.line}: security profile(s) {', '.join(map(repr, missing))} do not exist in "
                f"instance {instance.id}; there: {', '.join(sorted(instance.security_ids))}"
            )
    return problems


def search_users(ops: OpsContext, logins: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Connect users by lower-cased username: a few logins one exact search each, else every user."""
    if logins is not None and len(logins) <= EXACT_SEARCH_MAX:
        found: list[dict[str, Any]] = []
        for login in logins:
            criteria = {
                "StringCondition": {"FieldName": "Username", "Value": login, "ComparisonType": "EXACT"}
            }
            found += ops.paginate(
                "search_users", "Users", SearchCriteria=criteria, PaginationConfig={"PageSize": SEARCH_PAGE}
            )
    else:
        found = ops.paginate("search_users", "Users", PaginationConfig={"PageSize": SEARCH_PAGE})
    return {str(u["Username"]).casefold(): u for u in found if u.get("Username")}


def existing_user_problems(
    path: Path, rows: Iterable[AgentRow], users: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Logins that name an existing user in another case: Connect keeps its spelling, the agents
    table would key the record by the file's, and the two would no longer meet."""
    out = []
    for row in rows:
        user = users.get(row.login.casefold())
        if user is not None and user.get("Username") != row.login:
            out.append(
                f"{path}:{row.line}: login {row.login!r} is the existing user {user['Username']!r}; "
                "write it as Connect has it"
            )
    return out


agent_records = agent_items  # every agents-table record by login (`queues rebalance` reads them too)


# ---- onboarding: the plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str

    def __str__(self) -> str:
        if not self.before:
            return f"{self.field} {self.after}"
        return f"{self.field}: {self.before} -> {self.after}"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass
class Step:
    """What onboarding does for one agent."""

    row: AgentRow
    action: str  # create | update | unchanged
    changes: list[Change] = field(default_factory=list)
    user_id: str = ""
    user_arn: str = ""
    identity: dict[str, Any] | None = None  # IdentityInfo to send (update)
    routing: bool = False
    security: bool = False
    phone: bool = False
    record: bool = False  # write the agents-table record
    record_routing: str = ""  # the record's routing_profile ("": the row's)
    clear_home: bool = False  # remove the record's home_routing_profile (queues rebalance)
    # User proficiencies to associate (new), update (another level) and disassociate.
    associate: list[dict[str, Any]] = field(default_factory=list)
    update_levels: list[dict[str, Any]] = field(default_factory=list)
    disassociate: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _desired_record(row: AgentRow, user_id: str, user_arn: str, routing: str = "") -> dict[str, Any]:
    mobile = {} if row.mobile is None else {"mobile": row.mobile}
    return {
        "login": row.login,
        "name": row.name,
        "email": row.email,
        "team": row.team,
        "part": row.part,
        "skills": list(row.skills),
        **mobile,
        "routing_profile": routing or row.routing_profile,
        "user_arn": user_arn,
        "user_id": user_id,
    }


def _shown(value: Any) -> str:
    if isinstance(value, list | set | tuple):
        return ";".join(sorted(str(v) for v in value))
    return "" if value is None else str(value)


def _record_changes(desired: Mapping[str, Any], record: Mapping[str, Any] | None) -> list[Change]:
    if record is None:
        return [Change("agents record", "", "new")]
    out = []
    for key, want in desired.items():
        have = record.get(key)
        same = {str(s) for s in have or []} == set(want) if key == "skills" else (have or "") == want
        if not same:
            out.append(Change(key, _shown(have), _shown(want)))
    return out


def plan_onboarding(
    ops: OpsContext,
    rows: Iterable[AgentRow],
    instance: Instance,
    users: Mapping[str, Mapping[str, Any]],
    records: Mapping[str, Mapping[str, Any]],
    config: Config,
) -> list[Step]:
    """Compare every row with its Connect user and record; reads only (DescribeUser where needed)."""
    steps = []
    for row in rows:
        routing = config.routing_profiles[row.routing_profile].name
        user = users.get(row.login.casefold())
        record = records.get(row.login)
        home = str(record.get(HOME_ATTRIBUTE) or "") if record else ""
        if user is None:
            changes = [
                Change("routing_profile", "", routing),
                Change("security_profiles", "", ", ".join(sorted(row.security_profiles))),
            ]
            step = Step(row, "create", changes, routing=True, security=True, phone=True, record=True)
            step.clear_home = bool(home)  # a record left from an earlier user: nothing was moved
            _plan_proficiencies(ops, step, {})
            steps.append(step)
            continue
        step = Step(row, "update", user_id=str(user["Id"]), user_arn=str(user["Arn"]))
        _plan_identity(ops, step, user, record)
        _plan_routing(step, str(user.get("RoutingProfileId", "")), home, instance, config)
        want_security = {instance.security_ids[s] for s in row.security_profiles}
        have_security = set(user.get("SecurityProfileIds") or [])
        if have_security != want_security:
            step.security = True
            step.changes.append(
                Change(
                    "security_profiles",
                    ", ".join(instance.security_names(have_security)),
                    ", ".join(sorted(row.security_profiles)),
                )
            )
        phone = user.get("PhoneConfig") or {}
        differ = [k for k, v in PHONE_CONFIG.items() if phone.get(k) != v]
        if differ:
            step.phone = True
            step.changes.append(
                Change("phone", _phone_text(phone, differ), _phone_text(PHONE_CONFIG, differ))
            )
        if row.proficiencies is not None:
            _plan_proficiencies(
                ops, step, connect_users.held_proficiencies(_user_proficiencies(ops, step.user_id))
            )
        desired = _desired_record(row, step.user_id, step.user_arn, step.record_routing)
        record_changes = _record_changes(desired, record)
        step.record = bool(record_changes) or step.clear_home
        known = {c.field for c in step.changes}
        step.changes += [c for c in record_changes if c.field not in known]
        if not step.changes:
            step.action = "unchanged"
        steps.append(step)
    return steps


def connect_writes(steps: Iterable[Step]) -> int:
    """The Connect write calls the steps make (what the quota paces)."""
    calls = 0
    for step in steps:
        if step.action == "create":
            calls += 1
        elif step.action == "update":
            calls += sum((step.identity is not None, step.routing, step.security, step.phone))
        calls += sum(map(bool, (step.associate, step.update_levels, step.disassociate)))
    return calls


def _user_proficiencies(ops: Any, user_id: str) -> list[dict[str, Any]]:
    """Every UserProficiency of the user (ListUserProficiencies, all pages: one request for the
    few a user holds, at Connect's rate for the API)."""
    client, token = ops.client("connect"), None
    found: list[dict[str, Any]] = []
    while True:
        page = client.list_user_proficiencies(
            InstanceId=ops.instance_id, UserId=user_id, **({"NextToken": token} if token else {})
        )
        found += page.get("UserProficiencyList") or []
        token = page.get("NextToken")
        if not token:
            return found


def _plan_proficiencies(ops: OpsContext, step: Step, have: Mapping[tuple[str, str], float]) -> None:
    """What to send so the user holds exactly the row's proficiencies (when the file has them).
    One list of changes (ListUserProficiencies pages at most 100: agents hold a few)."""
    want = step.row.proficiencies
    if want is None or dict(have) == want:
        return

    def items(
        keys: Iterable[tuple[str, str]], levels: Mapping[tuple[str, str], float]
    ) -> list[dict[str, Any]]:
        return [{"AttributeName": n, "AttributeValue": v, "Level": levels[(n, v)]} for n, v in sorted(keys)]

    step.associate = items(want.keys() - have.keys(), want)
    step.update_levels = items((k for k in want.keys() & have.keys() if want[k] != have[k]), want)
    step.disassociate = [
        {"AttributeName": n, "AttributeValue": v} for n, v in sorted(have.keys() - want.keys())
    ]

    def shown(held: Mapping[tuple[str, str], float]) -> str:
        return ";".join(f"{n}:{v}:{int(level)}" for (n, v), level in sorted(held.items()))

    step.changes.append(Change("proficiencies", shown(have), shown(want) or "(none)"))


def roster_moves(ops: OpsContext, steps: Iterable[Step]) -> list[str]:
    """Engineers an escalation roster names whom the steps move to another team or part: the
    roster would page someone who no longer works there. One line each."""
    moving = {
        s.row.login: s for s in steps if any(c.field in ("team", "part") and c.before for c in s.changes)
    }
    out = []
    for login, where in references(ops, moving).items():
        rosters = [w for w in where if w.startswith("roster ")]
        if rosters:
            changes = "; ".join(str(c) for c in moving[login].changes if c.field in ("team", "part"))
            out.append(f"{login}: {changes} (named by {', '.join(rosters)})")
    return out


def _plan_routing(step: Step, current_id: str, home: str, instance: Instance, config: Config) -> None:
    """The routing profile: the row's, except for an agent `queues rebalance` moved away from the
    profile the row names (its record's home_routing_profile). That agent stays where it was moved
    (`queues rebalance --restore` brings it home); a row naming another profile wins, and ends the
    rebalance's claim on the agent."""
    row = step.row
    routing = config.routing_profiles[row.routing_profile].name
    wanted_id = instance.routing_ids[routing]
    if home and current_id != wanted_id and _is_profile(home, row.routing_profile, wanted_id, config):
        step.record_routing = _profile_ref(current_id, instance, config)
        step.note = MOVED_NOTE
        return
    if home:  # the row names another profile, or the agent is home already
        step.clear_home = True
        step.changes.append(Change(HOME_ATTRIBUTE, home, "(removed)"))
    if current_id != wanted_id:
        step.routing = True
        step.changes.append(Change("routing_profile", instance.routing_name(current_id), routing))


def _is_profile(ref: str, key: str, profile_id: str, config: Config) -> bool:
    """Whether a recorded profile reference (yaml key, Connect ID or name) is the profile `key`."""
    return ref in (key, profile_id) or ref.casefold() == config.routing_profiles[key].name.casefold()


def _profile_ref(profile_id: str, instance: Instance, config: Config) -> str:
    """How the agents table records a profile (as `queues rebalance` does): yaml key, else Connect ID."""
    return routing_profile_key(instance.routing_name(profile_id), config) or profile_id


def _phone_text(phone: Mapping[str, Any], keys: Iterable[str]) -> str:
    shown: dict[str, Callable[[Any], str]] = {
        "PhoneType": str,
        "AutoAccept": lambda v: f"auto-accept {'on' if v else 'off'}",
        "AfterContactWorkTimeLimit": lambda v: f"ACW {v} s",
    }
    return ", ".join(shown[k](phone.get(k, "?")) for k in keys)


def _plan_identity(
    ops: OpsContext, step: Step, user: Mapping[str, Any], record: Mapping[str, Any] | None
) -> None:
    """Names from SearchUsers; the email (which SearchUsers does not return) from the agents record
    this command wrote with it, else from DescribeUser, which also gives the fields to keep."""
    row = step.row
    lite = user.get("IdentityInfo") or {}
    names_same = lite.get("LastName") == row.last_name and lite.get("FirstName") == row.first_name
    if names_same and record is not None and record.get("email") == row.email:
        return
    described = ops.client("connect").describe_user(InstanceId=ops.instance_id, UserId=step.user_id)
    identity = dict(described["User"].get("IdentityInfo") or {})
    wanted = {"FirstName": row.first_name, "LastName": row.last_name, "Email": row.email}
    if all(identity.get(k) == v for k, v in wanted.items()):
        return
    if (identity.get("LastName"), identity.get("FirstName")) != (row.last_name, row.first_name):
        before = full_name(str(identity.get("LastName", "")), str(identity.get("FirstName", "")))
        step.changes.append(Change("name", before, f"{row.name} ({row.last_name} / {row.first_name})"))
    if identity.get("Email") != row.email:
        step.changes.append(Change("email", str(identity.get("Email", "")), row.email))
    step.identity = {**identity, **wanted}  # keeps Mobile and SecondaryEmail


# ---- onboarding: the run ------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    login: str
    outcome: str  # created | updated | unchanged | failed | deleted
    changes: tuple[Change, ...] = ()
    error: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"login": self.login, "outcome": self.outcome}
        out["changes"] = [c.as_dict() for c in self.changes]
        if self.error:
            out["error"] = self.error
        if self.note:
            out["note"] = self.note
        return out


def _aws_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError)


def _unreachable() -> tuple[type[Exception], ...]:
    """Errors that say the endpoint itself is gone: every later agent would fail the same way."""
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    return (EndpointConnectionError, ConnectionClosedError)


class EndpointDownError(Exception):
    """An AWS endpoint stopped answering in the middle of a run (at `login`, which is not done)."""

    def __init__(self, login: str, error: str) -> None:
        self.login = login
        super().__init__(f"{error} (at {login})")


def _gone(exc: ClientError) -> bool:
    """Whether the call failed because the resource is not there (any more)."""
    return exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException"


def onboard(
    ops: OpsContext,
    instance: Instance,
    steps: Iterable[Step],
    config: Config,
    kms_key_id: str | None = None,
) -> Iterator[Result]:
    """Apply the steps one agent at a time, yielding each agent's outcome as it is done.

    `kms_key_id` encrypts the initial-password secrets (None: Secrets Manager's AWS-managed key)."""
    errors, unreachable = _aws_errors(), _unreachable()
    table = ops.table("agents")  # one resource for the run (building one loads its model)
    for step in steps:
        if step.action == "unchanged":
            yield Result(step.row.login, "unchanged", note=step.note)
            continue
        try:
            _apply(ops, table, instance, step, config, kms_key_id)
        except unreachable as exc:
            raise EndpointDownError(step.row.login, error_text(exc)) from None
        except errors as exc:
            yield Result(step.row.login, "failed", tuple(step.changes), error_text(exc), step.note)
            continue
        outcome = "created" if step.action == "create" else "updated"
        yield Result(step.row.login, outcome, tuple(step.changes), note=step.note)


def _apply(
    ops: OpsContext, table: Any, instance: Instance, step: Step, config: Config, kms_key_id: str | None
) -> None:
    connect = ops.client("connect")
    row = step.row
    routing_id = instance.routing_ids[config.routing_profiles[row.routing_profile].name]
    security_ids = [instance.security_ids[s] for s in row.security_profiles]
    base = {"InstanceId": instance.id}
    if step.action == "create":
        params: dict[str, Any] = {
            **base,
            "Username": row.login,
            "IdentityInfo": {"FirstName": row.first_name, "LastName": row.last_name, "Email": row.email},
            "PhoneConfig": PHONE_CONFIG,
            "SecurityProfileIds": security_ids,
            "RoutingProfileId": routing_id,
        }
        if instance.needs_password:
            params["Password"] = initial_password(ops, row.login, kms_key_id)
        created = connect.create_user(**params)
        step.user_id, step.user_arn = created["UserId"], created["UserArn"]
        user = {**base, "UserId": step.user_id}
    else:
        user = {**base, "UserId": step.user_id}
        if step.identity is not None:
            connect.update_user_identity_info(**user, IdentityInfo=step.identity)
        if step.routing:
            connect.update_user_routing_profile(**user, RoutingProfileId=routing_id)
        if step.security:
            connect.update_user_security_profiles(**user, SecurityProfileIds=security_ids)
        if step.phone:
            connect.update_user_phone_config(**user, PhoneConfig=PHONE_CONFIG)
    # AssociateUserProficiencies / UpdateUserProficiencies / DisassociateUserProficiencies: the
    # attribute and value must be a predefined attribute of the instance (the deploy creates it).
    if step.associate:
        connect.associate_user_proficiencies(**user, UserProficiencies=step.associate)
    if step.update_levels:
        connect.update_user_proficiencies(**user, UserProficiencies=step.update_levels)
    if step.disassociate:
        connect.disassociate_user_proficiencies(**user, UserProficiencies=step.disassociate)
    if step.record:
        write_record(table, row, step.user_id, step.user_arn, step.record_routing, step.clear_home)


def write_record(
    table: Any, row: AgentRow, user_id: str, user_arn: str, routing: str = "", clear_home: bool = False
) -> None:
    """Set the agent's profile fields; status and the assignment counters are kept (new: OFFLINE, 0).

    `routing`: the routing_profile to record ("": the row's); `clear_home` removes the record's
    home_routing_profile."""
    fields = _desired_record(row, user_id, user_arn, routing)
    del fields["login"]
    if not fields["skills"]:
        del fields["skills"]  # the seeder's shape: no empty lists or texts (removed below)
    if fields.get("mobile") == "":
        del fields["mobile"]
    names = {f"#{k}": k for k in fields} | {"#status": "status"}
    removed = ([] if row.skills else ["skills"]) + ([HOME_ATTRIBUTE] if clear_home else [])
    removed += ["mobile"] if row.mobile == "" else []
    values: dict[str, Any] = {f":{k}": v for k, v in fields.items()} | {":offline": NEW_STATUS, ":zero": 0}
    sets = [f"#{k} = :{k}" for k in fields] + [
        "#status = if_not_exists(#status, :offline)",
        "active_contacts = if_not_exists(active_contacts, :zero)",
        "handled_today = if_not_exists(handled_today, :zero)",
    ]
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removed) if removed else "")
    table.update_item(
        Key={"login": row.login},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def new_password(length: int = 20) -> str:
    """A random password Connect accepts (8-64, lower, upper and digit) with a symbol as well."""
    alphabet = string.ascii_letters + string.digits + _PASSWORD_SYMBOLS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        classes = (str.islower, str.isupper, str.isdigit, lambda c: c in _PASSWORD_SYMBOLS)
        if all(any(test(c) for c in password) for test in classes):
            return password


def secrets_kms_key(ops: OpsContext) -> str | None:
    """The customer-managed KMS key for the initial-password secrets: the `kms_key_arn` Terraform
    output of --env; None locally, without --env, or when the deployment does not export it."""
    if ops.target.local:
        return None
    value = ops.output(KMS_KEY_OUTPUT)
    return str(value) if value else None


def initial_password(ops: OpsContext, login: str, kms_key_id: str | None = None) -> str:
    """The agent's initial password, stored once in Secrets Manager (a re-run reuses it), encrypted
    with `kms_key_id` (None: Secrets Manager's AWS-managed key)."""
    from botocore.exceptions import ClientError

    client = ops.client("secretsmanager")
    name = secret_name(login)
    password = new_password()
    key: dict[str, str] = {"KmsKeyId": kms_key_id} if kms_key_id else {}
    try:
        client.create_secret(
            Name=name,
            SecretString=password,
            Description=f"Initial Amazon Connect password of agent {login} (aicc-ops agents onboard)",
            Tags=[{"Key": "aicc:agent", "Value": login}],
            **key,
        )
        return password
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "ResourceExistsException":  # an earlier, interrupted run stored it
            return str(client.get_secret_value(SecretId=name)["SecretString"])
        if error.get("Code") == "InvalidRequestException" and "deletion" in str(error.get("Message")):
            client.restore_secret(SecretId=name)  # offboarded with a recovery window, now back
            client.update_secret(SecretId=name, SecretString=password, **key)  # the key, too
            return password
        raise


# ---- listing ------------------------------------------------------------------------------------


def list_agents(ops: OpsContext, team: str | None = None, part: str | None = None) -> list[dict[str, Any]]:
    """Connect users joined with their agents-table records (records without a user too)."""
    instance = load_instance(ops)
    users = search_users(ops)
    records = agent_records(ops)
    by_login = {login.casefold(): login for login in records}
    out = []
    for key in sorted(set(users) | set(by_login)):
        user, record = users.get(key), records.get(by_login.get(key, ""), {})
        if team and str(record.get("team", "")).casefold() != team.casefold():
            continue
        if part and str(record.get("part", "")).casefold() != part.casefold():
            continue
        out.append(_listed(instance, user, record))
    return out


def _listed(instance: Instance, user: Mapping[str, Any] | None, record: Mapping[str, Any]) -> dict[str, Any]:
    lite = (user or {}).get("IdentityInfo") or {}
    return {
        "login": str(user["Username"]) if user else str(record["login"]),
        "name": str(record.get("name") or full_name(lite.get("LastName", ""), lite.get("FirstName", ""))),
        "team": str(record.get("team", "")),
        "part": str(record.get("part", "")),
        "routing_profile": instance.routing_name(str(user.get("RoutingProfileId", ""))) if user else "",
        "security_profiles": ", ".join(instance.security_names(user.get("SecurityProfileIds") or []))
        if user
        else "",
        "status": str(record.get("status", "")),
        "email": str(record.get("email", "")),
        "skills": sorted(str(s) for s in record.get("skills") or []),
        "user_id": str(user["Id"]) if user else "",
        "in_connect": user is not None,
        "in_table": bool(record),
    }


# ---- offboarding --------------------------------------------------------------------------------


@dataclass
class Departure:
    """What offboarding finds for one login."""

    login: str
    user_id: str = ""
    record: bool = False
    secret: bool = False
    references: list[str] = field(default_factory=list)  # rosters and customers naming the login

    @property
    def found(self) -> bool:
        return bool(self.user_id or self.record or self.secret)

    def parts(self) -> list[str]:
        return [
            p
            for p, present in (
                ("Connect user", bool(self.user_id)),
                ("agents record", self.record),
                ("initial-password secret", self.secret),
            )
            if present
        ]


def plan_offboarding(ops: OpsContext, logins: list[str]) -> list[Departure]:
    """What exists of each login, and who still names it (rosters, customers). Reads only."""
    from botocore.exceptions import ClientError

    users = search_users(ops, logins)
    table = ops.table("agents")
    sm = ops.client("secretsmanager")
    out = []
    for login in logins:
        user = users.get(login.casefold())
        record = "Item" in table.get_item(Key={"login": login}, ProjectionExpression="login")
        try:
            described = sm.describe_secret(SecretId=secret_name(login))
            secret = "DeletedDate" not in described
        except ClientError as exc:
            if not _gone(exc):
                raise
            secret = False
        out.append(Departure(login, str(user["Id"]) if user else "", record, secret))
    found = {d.login: d for d in out if d.found}
    for login, where in references(ops, found).items():
        found[login].references = where
    return out


def references(ops: OpsContext, logins: Collection[str]) -> dict[str, list[str]]:
    """Where the escalation data names each login: roster members and managers, customers' TS
    primary and secondary (what the emergency escalation reads)."""
    if not logins:
        return {}
    out: dict[str, list[str]] = {}
    for roster in scan_all(ops.table("rosters"), ProjectionExpression="part, members, manager"):
        for login in roster.get("members") or []:
            if login in logins:
                out.setdefault(login, []).append(f"roster {roster['part']}: members")
        if roster.get("manager") in logins:
            out.setdefault(str(roster["manager"]), []).append(f"roster {roster['part']}: manager")
    projection = "customer_id, company, contact_name, ts_primary, ts_secondary"
    for customer in scan_all(ops.table("customers"), ProjectionExpression=projection):
        for attr in ("ts_primary", "ts_secondary"):
            login = customer.get(attr)
            if isinstance(login, str) and login in logins:
                who = f"{customer.get('company', '')} {customer.get('contact_name', '')}".strip()
                out.setdefault(login, []).append(f"customer {who} ({customer.get('customer_id')}): {attr}")
    return out


def offboard(ops: OpsContext, departures: Iterable[Departure]) -> Iterator[Result]:
    """Delete each found login's Connect user, agents record and secret; the absent are unchanged."""
    errors, unreachable = _aws_errors(), _unreachable()
    table = ops.table("agents")
    for d in departures:
        if not d.found:
            yield Result(d.login, "unchanged", note="not found: no Connect user, agents record or secret")
            continue
        changes = tuple(Change(p, "present", "deleted") for p in d.parts())
        try:
            _depart(ops, table, d)
        except unreachable as exc:
            raise EndpointDownError(d.login, error_text(exc)) from None
        except errors as exc:
            yield Result(d.login, "failed", changes, error_text(exc))
            continue
        yield Result(d.login, "deleted", changes)


def _depart(ops: OpsContext, table: Any, d: Departure) -> None:
    from botocore.exceptions import ClientError

    if d.user_id:
        try:
            ops.client("connect").delete_user(InstanceId=ops.instance_id, UserId=d.user_id)
        except ClientError as exc:
            if not _gone(exc):
                raise
    if d.record:
        table.delete_item(Key={"login": d.login})
    if d.secret:
        try:
            # No recovery window: the initial password is worthless once the user is gone, and a
            # secret pending deletion would block re-onboarding the same login.
            ops.client("secretsmanager").delete_secret(
                SecretId=secret_name(d.login), ForceDeleteWithoutRecovery=True
            )
        except ClientError as exc:
            if not _gone(exc):
                raise
