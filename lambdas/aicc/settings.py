"""The contact center's configuration: loads and validates the data files in aicc/config.

The same YAML files are read by Terraform (yamldecode) and by the Lambdas and the local engine, so
every check here names the file and the field, and nothing downstream has to re-validate.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import date, time
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aicc.domain.proficiency import CONDITION_TEXT_MAX, LEVELS_TEXT, is_level

if TYPE_CHECKING:
    from aicc.domain.knowledge_rules import KnowledgeRules
    from aicc.domain.sentiment import SentimentRules

DEFAULT_CONFIG_DIR = Path(__file__).with_name("config")
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_LEX_LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")


class ConfigError(ValueError):
    """A data file is missing, malformed, or inconsistent. The message names file and field."""

    def __init__(self, file: str, fieldpath: str, problem: str) -> None:
        self.file, self.field, self.problem = file, fieldpath, problem
        super().__init__(f"{file}: {fieldpath}: {problem}")


# The records are NamedTuples, not frozen dataclasses: every Lambda imports this module at cold
# start, and a dataclass generates and compiles its methods at import (4 ms for these eleven).
class Queue(NamedTuple):
    """A queue of queues.yaml."""

    key: str
    name: str
    description: str
    priority: int
    sla_seconds: int | None
    sla_next_business_day: bool
    hours: str
    customer_queue_flow: str
    outbound_caller_name: str  # shown with the support line's number on callbacks
    max_contacts: int | None = None
    # `aicc-ops queues rebalance` rules: agents a move must leave online in the queue, and the
    # skills that let an agent of another team serve it (empty: only the profile's own team).
    min_staffing: int = 0
    required_skills: tuple[str, ...] = ()


class DayHours(NamedTuple):
    """One day's opening window."""

    start: time
    end: time  # time(0, 0) means midnight at the end of the day

    def contains(self, t: time) -> bool:
        if self.end == time(0, 0):
            return t >= self.start
        return self.start <= t < self.end


class Hours(NamedTuple):
    """Hours of operation of hours.yaml."""

    key: str
    name: str
    description: str
    time_zone: ZoneInfo
    holidays: bool
    schedule: Mapping[str, DayHours]  # day name -> hours; missing day = closed


class SpecialDay(NamedTuple):
    """An operator's closed or special open day (holidays.yaml)."""

    day: date
    name: str
    hours: DayHours | None = None  # for special open days; None = the usual business hours


class HolidayCalendar(NamedTuple):
    """Public holidays (country, categories) and the operator's overrides."""

    country: str
    categories: tuple[str, ...]
    closed: Mapping[date, SpecialDay]
    open: Mapping[date, SpecialDay]


class QueueConfig(NamedTuple):
    """A queue's priority and delay in a routing profile."""

    queue: str
    priority: int
    delay: int


class RoutingProfile(NamedTuple):
    """A routing profile of routing_profiles.yaml."""

    key: str
    name: str
    description: str
    team: str
    default_outbound_queue: str
    queues: tuple[QueueConfig, ...]  # served on every channel of `media`
    media: tuple[tuple[str, int], ...] = (("VOICE", 1),)  # (channel, contacts per agent at once)


# MediaConcurrency's range per channel: "Valid Range for VOICE: Minimum value of 1. Maximum value of
# 1. Valid Range for CHAT: Minimum value of 1. Maximum value of 10."
# (https://docs.aws.amazon.com/connect/latest/APIReference/API_MediaConcurrency.html)
MEDIA_CONCURRENCY = {"VOICE": (1, 1), "CHAT": (1, 10)}


class EscalationPolicy(NamedTuple):
    """The emergency chain of escalation.yaml."""

    wait_seconds: int
    chain: tuple[str, ...]
    notify_manager_at: frozenset[str]
    general_team: str
    queue: str  # the emergency queue: its SLA bounds the wait before a callback is offered
    ack_wait_seconds: int  # a paged engineer's time to acknowledge before the next step
    ack_grace_seconds: int  # after an acknowledgement, the time to log in and go AVAILABLE
    callback_before_sla_seconds: int  # the callback is offered this long before the SLA ends


class Prompt(NamedTuple):
    """A caller-facing prompt of prompts.yaml, by locale."""

    key: str
    texts: Mapping[str, str]  # locale -> text

    def text(self, locale: str = "ko-KR") -> str:
        return self.texts.get(locale) or self.texts["ko-KR"]


class TableSchema(NamedTuple):
    """A DynamoDB table of tables.yaml: keys and indexes."""

    name: str
    env: str
    hash_key: str
    attributes: Mapping[str, str]
    range_key: str | None = None
    indexes: Mapping[str, tuple[str, str | None]] = MappingProxyType({})
    ttl_attribute: str | None = None


class SecurityProfile(NamedTuple):
    """A security profile of security_profiles.yaml."""

    key: str  # role: agent, supervisor, admin
    name: str
    description: str
    permissions: tuple[str, ...]  # its own and those of the roles it includes, in order


class _CoreFiles(NamedTuple):
    """The data files load_config() reads and cross-checks: Config's fields."""

    directory: Path
    queues: Mapping[str, Queue]
    hours: Mapping[str, Hours]
    holidays: HolidayCalendar
    routing_profiles: Mapping[str, RoutingProfile]
    escalation: EscalationPolicy
    prompts: Mapping[str, Prompt]
    tables: Mapping[str, TableSchema]
    intents: Mapping[str, Any]


class Config(_CoreFiles):
    """Every data file, loaded and cross-checked. Its fields are a NamedTuple's (like the records
    above); the subclass has an instance __dict__ for the files read on first use."""

    # Read on first use, not by load_config(): only the ops side (agents onboard, the emulator, the
    # call commands) needs these files, and every Lambda's cold start loads the config.
    @cached_property
    def security_profiles(self) -> Mapping[str, SecurityProfile]:
        return _load_security_profiles(self.directory)

    @cached_property
    def sentiment(self) -> SentimentSettings:
        """sentiment.yaml: read by the Lex code hook only, on first use."""
        return _load_sentiment(self.directory)

    @cached_property
    def knowledge(self) -> KnowledgeRules:
        """knowledge.yaml: read by the knowledge_answer handler only, on first use."""
        return _load_knowledge(self.directory)

    @cached_property
    def sla_monitor(self) -> SlaMonitorSettings:
        """monitoring.yaml: read by the sla_monitor handler only, on first use."""
        return _load_monitoring(self.directory)

    @cached_property
    def report_slack_channel(self) -> str:
        """monitoring.yaml's reports.slack_channel: where the scheduled reports' summaries go."""
        r = _Reader(self.directory, "monitoring.yaml")
        channel = r.get(r.mapping(r.data.get("reports"), "reports"), "slack_channel", "reports", str)
        if not channel.strip():
            raise r.fail("reports.slack_channel", "must name a Slack channel")
        return str(channel).strip()

    @cached_property
    def invoked_by(self) -> Mapping[str, str]:
        """Each function of functions.yaml (a handler module) -> what invokes it: INVOKERS."""
        return self._functions[0]

    @cached_property
    def function_returns(self) -> Mapping[str, frozenset[str]]:
        """Each flow-invoked function of functions.yaml -> the keys of its answer (`returns`)."""
        return self._functions[1]

    @cached_property
    def _functions(self) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
        return _load_functions(self.directory)

    def queue_by_name(self, name: str) -> Queue:
        for q in self.queues.values():
            if q.name == name:
                return q
        raise KeyError(name)


ESCALATION_STEPS = ("ts_primary", "ts_secondary", "part_members", "general_agent")
TEAMS = ("TS", "GENERAL", "MANAGER")
LOCALES = ("ko-KR", "en-US")
INVOKERS = ("connect", "lex", "kinesis", "schedule")


class _Reader:
    """Typed access to one file's parsed YAML, raising ConfigError with the field path."""

    def __init__(self, directory: Path, file: str) -> None:
        self.file = file
        import yaml  # here, not at module import: handler cold starts load config on first use

        path = directory / file
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(file, "-", f"file not found in {directory}") from None
        try:
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "-"
            raise ConfigError(file, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
        if not isinstance(self.data, dict):
            raise ConfigError(file, "-", "must be a mapping at the top level")

    def entries(self, section: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(key, field path, mapping) for each entry of a top-level section keyed by snake_case names."""
        for key, obj in self.mapping(self.data.get(section), section).items():
            path = f"{section}.{self.key(key, f'{section}.{key}')}"
            yield key, path, self.mapping(obj, path)

    def fail(self, path: str, problem: str) -> ConfigError:
        return ConfigError(self.file, path, problem)

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise self.fail(path, "must be a non-empty mapping")
        return value

    def get(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
    ) -> Any:
        if key not in obj or obj[key] is None:
            if default is ...:
                raise self.fail(f"{path}.{key}", "is required")
            return default
        value = obj[key]
        if isinstance(value, bool) and kind is int:
            raise self.fail(f"{path}.{key}", f"must be an integer, got {value!r}")
        if not isinstance(value, kind):
            want = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(f"{path}.{key}", f"must be {want}, got {value!r}")
        return value

    def key(self, key: Any, path: str) -> str:
        if not isinstance(key, str) or not _KEY.match(key):
            raise self.fail(path, f"key {key!r} must be snake_case (a-z, 0-9, _)")
        return key

    def hhmm(self, value: Any, path: str) -> time:
        if not isinstance(value, str) or not _HHMM.match(value):
            raise self.fail(path, f'must be a time "HH:MM" (24h), got {value!r}')
        h, m = value.split(":")
        return time(int(h), int(m))

    def day_hours(self, obj: Any, path: str) -> DayHours:
        obj = self.mapping(obj, path)
        start = self.hhmm(obj.get("start"), f"{path}.start")
        end = self.hhmm(obj.get("end"), f"{path}.end")
        if end != time(0, 0) and end <= start:
            raise self.fail(path, f"end {end:%H:%M} must be after start {start:%H:%M} (00:00 = midnight)")
        return DayHours(start, end)

    def iso_date(self, value: Any, path: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(path, f"must be a date YYYY-MM-DD, got {value!r}") from None


def _load_hours(d: Path) -> dict[str, Hours]:
    r = _Reader(d, "hours.yaml")
    out: dict[str, Hours] = {}
    for key, p, obj in r.entries("hours"):
        tz_name = r.get(obj, "time_zone", p, str)
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise r.fail(f"{p}.time_zone", f"unknown time zone {tz_name!r} (e.g. Asia/Seoul)") from None
        schedule: dict[str, DayHours] = {}
        for day, dh in r.mapping(obj.get("schedule"), f"{p}.schedule").items():
            if day not in DAYS:
                raise r.fail(f"{p}.schedule.{day}", f"day must be one of {', '.join(DAYS)}")
            schedule[day] = r.day_hours(dh, f"{p}.schedule.{day}")
        out[key] = Hours(
            key,
            r.get(obj, "name", p, str),
            r.get(obj, "description", p, str, ""),
            tz,
            r.get(obj, "holidays", p, bool, False),
            schedule,
        )
    return out


def _load_holidays(d: Path) -> HolidayCalendar:
    import holidays as holidays_lib

    r = _Reader(d, "holidays.yaml")
    country = r.get(r.data, "country", "", str)
    if country not in holidays_lib.list_supported_countries():
        raise r.fail("country", f"{country!r} is not a country the holidays library knows (e.g. KR)")
    categories = tuple(r.get(r.data, "categories", "", list, ["public"]))
    supported = holidays_lib.country_holidays(country).supported_categories
    for i, c in enumerate(categories):
        if c not in supported:
            raise r.fail(f"categories[{i}]", f"{c!r} is not one of {sorted(supported)}")

    def days(section: str, with_hours: bool) -> dict[date, SpecialDay]:
        items = r.get(r.data, section, "", list, [])
        out: dict[date, SpecialDay] = {}
        for i, obj in enumerate(items):
            p = f"{section}[{i}]"
            obj = r.mapping(obj, p)
            day = r.iso_date(obj.get("date"), f"{p}.date")
            if day in out:
                raise r.fail(f"{p}.date", f"{day} is listed twice")
            hours = None
            if with_hours and ("start" in obj or "end" in obj):
                hours = r.day_hours({"start": obj.get("start"), "end": obj.get("end")}, p)
            out[day] = SpecialDay(day, r.get(obj, "name", p, str), hours)
        return out

    closed, opened = days("closed", False), days("open", True)
    both = sorted(set(closed) & set(opened))
    if both:
        raise r.fail("open", f"{both[0]} is also in closed; a day is either closed or open")
    return HolidayCalendar(country, categories, closed, opened)


def _load_queues(d: Path, hours: Mapping[str, Hours]) -> dict[str, Queue]:
    r = _Reader(d, "queues.yaml")
    out: dict[str, Queue] = {}
    names: set[str] = set()
    for key, p, obj in r.entries("queues"):
        name = r.get(obj, "name", p, str)
        if name in names:
            raise r.fail(f"{p}.name", f"queue name {name!r} is used twice")
        names.add(name)
        priority = r.get(obj, "priority", p, int)
        if not 1 <= priority <= 99:
            raise r.fail(f"{p}.priority", "must be between 1 (highest) and 99")
        sla = r.get(obj, "sla_seconds", p, int, None)
        nbd = r.get(obj, "sla_next_business_day", p, bool, False)
        if (sla is None) == (not nbd):
            raise r.fail(p, "set exactly one of sla_seconds or sla_next_business_day: true")
        if sla is not None and sla <= 0:
            raise r.fail(f"{p}.sla_seconds", "must be positive")
        hours_key = r.get(obj, "hours", p, str)
        if hours_key not in hours:
            raise r.fail(f"{p}.hours", f"unknown hours {hours_key!r}; defined in hours.yaml: {sorted(hours)}")
        max_contacts = r.get(obj, "max_contacts", p, int, None)
        if max_contacts is not None and max_contacts < 1:
            raise r.fail(f"{p}.max_contacts", "must be at least 1 (leave it out for no limit)")
        min_staffing = r.get(obj, "min_staffing", p, int, 0)
        if min_staffing < 0:
            raise r.fail(f"{p}.min_staffing", "must be 0 or more agents")
        skills = r.get(obj, "required_skills", p, list, [])
        for i, skill in enumerate(skills):
            if not isinstance(skill, str) or not skill.strip():
                raise r.fail(f"{p}.required_skills[{i}]", f"must be a skill name, got {skill!r}")
            if skill in skills[:i]:
                raise r.fail(f"{p}.required_skills[{i}]", f"{skill!r} is listed twice")
        caller_name = r.get(obj, "outbound_caller_name", p, str)
        if not 1 <= len(caller_name) <= 255:
            raise r.fail(f"{p}.outbound_caller_name", "must be 1-255 characters (Connect's caller ID name)")
        out[key] = Queue(
            key,
            name,
            r.get(obj, "description", p, str, ""),
            priority,
            sla,
            nbd,
            hours_key,
            r.get(obj, "customer_queue_flow", p, str),
            caller_name,
            max_contacts,
            min_staffing,
            tuple(skills),
        )
    return out


def _load_routing_profiles(d: Path, queues: Mapping[str, Queue]) -> dict[str, RoutingProfile]:
    r = _Reader(d, "routing_profiles.yaml")
    out: dict[str, RoutingProfile] = {}
    for key, p, obj in r.entries("routing_profiles"):
        team = r.get(obj, "team", p, str)
        if team not in TEAMS:
            raise r.fail(f"{p}.team", f"must be one of {', '.join(TEAMS)}")
        outbound = r.get(obj, "default_outbound_queue", p, str)
        if outbound not in queues:
            raise r.fail(f"{p}.default_outbound_queue", f"unknown queue {outbound!r}")
        configs: list[QueueConfig] = []
        for i, qc in enumerate(r.get(obj, "queues", p, list)):
            qp = f"{p}.queues[{i}]"
            qc = r.mapping(qc, qp)
            qkey = r.get(qc, "queue", qp, str)
            if qkey not in queues:
                raise r.fail(
                    f"{qp}.queue", f"unknown queue {qkey!r}; defined in queues.yaml: {sorted(queues)}"
                )
            delay = r.get(qc, "delay", qp, int, 0)
            if delay < 0:
                raise r.fail(f"{qp}.delay", "must be 0 or more seconds")
            configs.append(QueueConfig(qkey, r.get(qc, "priority", qp, int), delay))
        media: list[tuple[str, int]] = []
        for channel, concurrency in r.get(obj, "media", p, dict).items():
            low, high = MEDIA_CONCURRENCY.get(str(channel), (0, -1))
            if (low, high) == (0, -1):
                raise r.fail(f"{p}.media.{channel}", f"must be one of {', '.join(MEDIA_CONCURRENCY)}")
            if not isinstance(concurrency, int) or not low <= concurrency <= high:
                raise r.fail(f"{p}.media.{channel}", f"contacts at once: {low}-{high} for {channel}")
            media.append((str(channel), concurrency))
        if not media:
            raise r.fail(f"{p}.media", "needs at least one channel, e.g. { VOICE: 1, CHAT: 3 }")
        out[key] = RoutingProfile(
            key,
            r.get(obj, "name", p, str),
            r.get(obj, "description", p, str),
            team,
            outbound,
            tuple(configs),
            tuple(media),
        )
    return out


def _load_escalation(d: Path, queues: Mapping[str, Queue]) -> EscalationPolicy:
    r = _Reader(d, "escalation.yaml")
    obj = r.mapping(r.data.get("escalation"), "escalation")
    wait = r.get(obj, "wait_seconds", "escalation", int)
    if not 20 <= wait <= 600:
        # Connect needs > 20 s (the agent-accept window) between queue-flow interrupts.
        raise r.fail("escalation.wait_seconds", "must be between 20 and 600 seconds")
    chain = r.get(obj, "chain", "escalation", list)
    for i, step in enumerate(chain):
        if step not in ESCALATION_STEPS:
            raise r.fail(
                f"escalation.chain[{i}]", f"unknown step {step!r}; one of {', '.join(ESCALATION_STEPS)}"
            )
    if len(set(chain)) != len(chain) or not chain:
        raise r.fail("escalation.chain", "must list each step once, at least one")
    notify = r.get(obj, "notify_manager_at", "escalation", list, [])
    for i, step in enumerate(notify):
        if step not in chain:
            raise r.fail(f"escalation.notify_manager_at[{i}]", f"{step!r} is not in the chain")
    team = r.get(obj, "general_team", "escalation", str)
    if team not in TEAMS:
        raise r.fail("escalation.general_team", f"must be one of {', '.join(TEAMS)}")
    queue = r.get(obj, "queue", "escalation", str)
    sla = queues[queue].sla_seconds if queue in queues else None
    if sla is None:
        raise r.fail("escalation.queue", f"{queue!r} must be a queue of queues.yaml with sla_seconds")
    page = r.mapping(obj.get("page"), "escalation.page")
    ack_wait = r.get(page, "ack_wait_seconds", "escalation.page", int)
    if ack_wait < wait:
        # The chain is looked at once per wait: a shorter time could never be waited.
        raise r.fail("escalation.page.ack_wait_seconds", f"must be at least wait_seconds ({wait})")
    grace = r.get(page, "ack_grace_seconds", "escalation.page", int)
    if grace < wait:
        raise r.fail("escalation.page.ack_grace_seconds", f"must be at least wait_seconds ({wait})")
    before = r.get(obj, "callback_before_sla_seconds", "escalation", int)
    if not wait <= before < sla:
        raise r.fail(
            "escalation.callback_before_sla_seconds",
            f"must be at least wait_seconds ({wait}) and less than {queue}'s sla_seconds ({sla})",
        )
    return EscalationPolicy(wait, tuple(chain), frozenset(notify), team, queue, ack_wait, grace, before)


def _load_prompts(d: Path) -> dict[str, Prompt]:
    r = _Reader(d, "prompts.yaml")
    out: dict[str, Prompt] = {}
    for key, p, obj in r.entries("prompts"):
        texts = {loc: r.get(obj, loc, p, str) for loc in LOCALES if loc in obj}
        if "ko-KR" not in texts:
            raise r.fail(f"{p}.ko-KR", "is required (ko-KR is the primary language)")
        for loc in obj:
            if loc not in LOCALES:
                raise r.fail(f"{p}.{loc}", f"unknown locale; one of {', '.join(LOCALES)}")
        for loc, text in texts.items():
            if len(text) > 3000:
                raise r.fail(f"{p}.{loc}", "longer than Connect's 3000-character prompt limit")
            if text.lstrip().startswith("<speak>") and not text.rstrip().endswith("</speak>"):
                raise r.fail(f"{p}.{loc}", "SSML must end with </speak>")
        out[key] = Prompt(key, texts)
    return out


def _load_tables(d: Path) -> dict[str, TableSchema]:
    r = _Reader(d, "tables.yaml")
    out: dict[str, TableSchema] = {}
    for key, p, obj in r.entries("tables"):
        attributes = r.get(obj, "attributes", p, dict)
        for a, t in attributes.items():
            if t not in ("S", "N", "B"):
                raise r.fail(f"{p}.attributes.{a}", "type must be S, N or B")
        hash_key = r.get(obj, "hash_key", p, str)
        range_key = r.get(obj, "range_key", p, str, None)
        indexes: dict[str, tuple[str, str | None]] = {}
        for name, idx in r.get(obj, "global_secondary_indexes", p, dict, {}).items():
            ip = f"{p}.global_secondary_indexes.{name}"
            idx = r.mapping(idx, ip)
            indexes[name] = (r.get(idx, "hash_key", ip, str), r.get(idx, "range_key", ip, str, None))
        for k in [hash_key, range_key, *(x for pair in indexes.values() for x in pair)]:
            if k is not None and k not in attributes:
                raise r.fail(f"{p}.attributes", f"key attribute {k!r} is not declared")
        out[key] = TableSchema(
            key,
            r.get(obj, "env", p, str),
            hash_key,
            attributes,
            range_key,
            indexes,
            r.get(obj, "ttl_attribute", p, str, None),
        )
    return out


def _load_intents(d: Path) -> dict[str, Any]:
    r = _Reader(d, "intents.yaml")
    locales = r.get(r.data, "locales", "", list)
    for i, locale in enumerate(locales):
        if not isinstance(locale, str) or not _LEX_LOCALE.match(locale):
            raise r.fail(f"locales[{i}]", f"must be a Lex locale ID such as ko_KR, got {locale!r}")
    if not locales or len(set(locales)) != len(locales):
        raise r.fail("locales", "must list each bot locale once, at least one")
    slot_types = r.get(r.data, "slot_types", "", dict, {})
    for name, spec in slot_types.items():
        resolution = r.mapping(spec, f"slot_types.{name}").get("resolution", "OriginalValue")
        if resolution not in ("OriginalValue", "TopResolution", "Concatenation"):
            raise r.fail(
                f"slot_types.{name}.resolution",
                f"must be OriginalValue, TopResolution or Concatenation, got {resolution!r}",
            )
        digits = spec.get("digits")
        if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool) or digits < 1):
            raise r.fail(f"slot_types.{name}.digits", f"must be a positive whole number, got {digits!r}")
        synonyms = {str(s) for said in (spec.get("synonyms") or {}).values() for s in said or []}
        for i, said in enumerate(r.get(spec, "transliterations", f"slot_types.{name}", list, [])):
            if said not in synonyms:
                where = f"slot_types.{name}.transliterations[{i}]"
                raise r.fail(where, f"{said!r} is not one of the synonyms")
    intents = r.mapping(r.data.get("intents"), "intents")
    for name, obj in intents.items():
        p = f"intents.{name}"
        obj = r.mapping(obj, p)
        slots = r.get(obj, "slots", p, dict, {})
        r.get(obj, "only_when_offered", p, bool, False)
        for slot, spec in slots.items():
            stype = r.get(r.mapping(spec, f"{p}.slots.{slot}"), "type", f"{p}.slots.{slot}", str)
            if stype not in slot_types:
                raise r.fail(f"{p}.slots.{slot}.type", f"unknown slot type {stype!r}")
        utterances = r.mapping(obj.get("utterances"), f"{p}.utterances")
        for locale, items in utterances.items():
            if locale not in locales:
                raise r.fail(f"{p}.utterances.{locale}", f"not a bot locale (locales: {', '.join(locales)})")
            for i, u in enumerate(items):
                for ref in re.findall(r"\{(\w+)\}", u):
                    if ref not in slots:
                        raise r.fail(f"{p}.utterances.{locale}[{i}]", f"uses undefined slot {{{ref}}}")
    return {"locales": locales, "slot_types": slot_types, "intents": intents}


def _load_security_profiles(d: Path) -> dict[str, SecurityProfile]:
    r = _Reader(d, "security_profiles.yaml")
    raw = {key: (p, obj) for key, p, obj in r.entries("security_profiles")}
    out: dict[str, SecurityProfile] = {}
    names: set[str] = set()
    for key, (p, obj) in raw.items():
        name = r.get(obj, "name", p, str)
        if name in names:
            raise r.fail(f"{p}.name", f"{name!r} is used twice")
        names.add(name)
        permissions: list[str] = []
        for i, role in enumerate(r.get(obj, "includes", p, list, [])):
            if role not in raw or role == key:
                raise r.fail(f"{p}.includes[{i}]", f"{role!r} is not another role of this file")
            permissions += r.get(raw[role][1], "permissions", raw[role][0], list)
        own = r.get(obj, "permissions", p, list)
        for i, perm in enumerate(own):
            if not isinstance(perm, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9.]*", perm):
                raise r.fail(f"{p}.permissions[{i}]", f"must be a Connect permission name, got {perm!r}")
        if len(own) + len(permissions) > 500:
            raise r.fail(f"{p}.permissions", "Connect takes at most 500 permissions per profile")
        out[key] = SecurityProfile(
            key, name, r.get(obj, "description", p, str, ""), tuple(dict.fromkeys([*permissions, *own]))
        )
    return out


def _load_functions(d: Path) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """What the Python side reads of functions.yaml, in one pass: each function's invoker, and each
    flow-invoked function's answer keys. The rest of the file is Terraform's and the plan gate's.
    (A tuple, not a dataclass: this module is on every cold start.)"""
    r = _Reader(d, "functions.yaml")
    invoked_by: dict[str, str] = {}
    returns: dict[str, frozenset[str]] = {}
    for key, p, obj in r.entries("functions"):
        invoker = r.get(obj, "invoked_by", p, str)
        if invoker not in INVOKERS:
            raise r.fail(f"{p}.invoked_by", f"must be one of {', '.join(INVOKERS)}, got {invoker!r}")
        invoked_by[key] = invoker
        if invoker != "connect":
            continue
        keys = r.get(obj, "returns", p, list)
        if not keys or not all(isinstance(k, str) and k for k in keys):
            raise r.fail(f"{p}.returns", "must list the keys of the function's answer (non-empty names)")
        returns[key] = frozenset(keys)
    return invoked_by, returns


class SentimentSettings(NamedTuple):
    """sentiment.yaml: Comprehend's language code and the rules (aicc.domain.sentiment)."""

    language_code: str
    rules: SentimentRules


SENTIMENT_PRIORITIES = range(1, 5)  # the flows set QueuePriority statically: one block per value


def _load_sentiment(d: Path) -> SentimentSettings:
    from aicc.domain.sentiment import SentimentRules

    r = _Reader(d, "sentiment.yaml")
    obj = r.mapping(r.data.get("sentiment"), "sentiment")
    language = r.get(obj, "language_code", "sentiment", str)
    if language != "ko":
        raise r.fail("sentiment.language_code", f"the callers speak Korean: must be ko, got {language!r}")
    trend = r.mapping(obj.get("trend"), "sentiment.trend")
    smoothing = r.get(trend, "smoothing", "sentiment.trend", (int, float))
    if not 0 < smoothing <= 1:
        raise r.fail("sentiment.trend.smoothing", "must be above 0 and at most 1")
    below = r.get(trend, "negative_below", "sentiment.trend", (int, float))
    if not -1 < below < 0:
        raise r.fail("sentiment.trend.negative_below", "must be between -1 and 0 (scores run -1 to 1)")
    drop = r.get(trend, "sharp_drop", "sentiment.trend", (int, float))
    if not 0 < drop <= 2:
        raise r.fail("sentiment.trend.sharp_drop", "must be above 0 and at most 2 (the whole scale)")
    prio = r.mapping(obj.get("priority"), "sentiment.priority")
    levels = {}
    for key in ("negative", "vip", "vip_negative"):
        value = r.get(prio, key, "sentiment.priority", int)
        if value not in SENTIMENT_PRIORITIES:
            raise r.fail(f"sentiment.priority.{key}", "must be 1-4: the flows have a block for each")
        levels[key] = value
    if not levels["vip_negative"] <= min(levels["negative"], levels["vip"]):
        raise r.fail("sentiment.priority.vip_negative", "must be at most negative and vip (lower is sooner)")
    classes = r.get(obj, "vip_classes", "sentiment", list, [])
    if not all(isinstance(c, str) and c for c in classes):
        raise r.fail("sentiment.vip_classes", "must list customer_class names such as MSP")
    prefer = r.mapping(obj.get("prefer_proficiency"), "sentiment.prefer_proficiency")
    # Connect's limits: a routing step's AttributeCondition Name and Value 1-64 characters, a
    # ProficiencyLevel 1.0-5.0 (flow-control-actions-updateroutingcriteria.html); the flow writes
    # "name:value:level" into a contact attribute, so ":" would make it ambiguous, and a deploy
    # step's command line (predefined-attribute) takes them as words.
    attribute = {}
    for key in ("name", "value"):
        text = r.get(prefer, key, "sentiment.prefer_proficiency", str)
        if not 1 <= len(text) <= CONDITION_TEXT_MAX or ":" in text or text.split() != [text]:
            raise r.fail(
                f"sentiment.prefer_proficiency.{key}",
                f"must be 1-{CONDITION_TEXT_MAX} characters without ':' or spaces",
            )
        attribute[key] = text
    level = r.get(prefer, "level", "sentiment.prefer_proficiency", int)
    if not is_level(level):
        raise r.fail(
            "sentiment.prefer_proficiency.level", f"must be {LEVELS_TEXT} (Connect's proficiency levels)"
        )
    expiry = r.get(prefer, "expiry_seconds", "sentiment.prefer_proficiency", int)
    if expiry <= 0:
        raise r.fail(
            "sentiment.prefer_proficiency.expiry_seconds",
            "must be above 0: a step that never expires strands the caller when no such agent comes",
        )
    rules = SentimentRules(
        float(smoothing),
        float(below),
        float(drop),
        levels["negative"],
        levels["vip"],
        levels["vip_negative"],
        frozenset(classes),
        attribute["name"],
        attribute["value"],
        level,
        expiry,
    )
    return SentimentSettings(language, rules)


def _load_knowledge(d: Path) -> KnowledgeRules:
    from aicc.domain.knowledge_rules import KnowledgeRules

    r = _Reader(d, "knowledge.yaml")
    obj = r.mapping(r.data.get("knowledge"), "knowledge")
    counts = {}
    for key in ("top_k", "spoken_max_chars", "max_turns", "question_chars"):
        counts[key] = r.get(obj, key, "knowledge", int)
        if counts[key] < 1:
            raise r.fail(f"knowledge.{key}", "must be at least 1")
    if counts["spoken_max_chars"] > 1000:
        raise r.fail("knowledge.spoken_max_chars", "must be at most 1000: a caller listens to it")
    confidence = r.get(obj, "min_confidence", "knowledge", (int, float))
    if not 0 < confidence < 1:
        raise r.fail("knowledge.min_confidence", "must be above 0 and below 1")
    min_support = r.get(obj, "min_support", "knowledge", (int, float))
    if not 0 < min_support <= 1:
        raise r.fail("knowledge.min_support", "must be above 0 and at most 1")
    handover = r.mapping(obj.get("handover"), "knowledge.handover")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("incident_intents", "own_account_intents", "incident_words", "own_account_words"):
        values = r.get(handover, key, "knowledge.handover", list)
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise r.fail(f"knowledge.handover.{key}", "must list non-empty texts")
        if key.endswith("_words") and any(len(v.split()) != 1 for v in values):
            raise r.fail(f"knowledge.handover.{key}", "write the words without spaces (matched without them)")
        lists[key] = tuple(v.strip().lower() if key.endswith("_words") else v.strip() for v in values)
    closing = r.get(obj, "closing_words", "knowledge", list)
    if not closing or not all(isinstance(v, str) and v.strip() and len(v.split()) == 1 for v in closing):
        raise r.fail("knowledge.closing_words", "must list words without spaces (matched without them)")
    return KnowledgeRules(
        top_k=counts["top_k"],
        min_confidence=float(confidence),
        spoken_max_chars=counts["spoken_max_chars"],
        max_turns=counts["max_turns"],
        question_chars=counts["question_chars"],
        min_support=float(min_support),
        incident_intents=frozenset(lists["incident_intents"]),
        own_account_intents=frozenset(lists["own_account_intents"]),
        incident_words=lists["incident_words"],
        own_account_words=lists["own_account_words"],
        closing_words=tuple(v.strip() for v in closing),
    )


class SlaMonitorSettings(NamedTuple):
    """monitoring.yaml's sla_monitor: when a queue is at risk, where Slack messages go, and how
    many agents' workload metrics a run publishes at most."""

    risk_share: float
    slack_channel: str
    max_agents: int


def _load_monitoring(d: Path) -> SlaMonitorSettings:
    r = _Reader(d, "monitoring.yaml")
    obj = r.mapping(r.data.get("sla_monitor"), "sla_monitor")
    share = r.get(obj, "risk_share", "sla_monitor", (int, float))
    if not 0 < share < 1:
        raise r.fail("sla_monitor.risk_share", "must be above 0 and below 1 (at 1 the SLA is breached)")
    channel = r.get(obj, "slack_channel", "sla_monitor", str)
    if not channel.strip():
        raise r.fail("sla_monitor.slack_channel", "must name a Slack channel")
    max_agents = r.get(obj, "max_agents", "sla_monitor", int)
    if isinstance(max_agents, bool) or max_agents < 0:
        raise r.fail("sla_monitor.max_agents", "must be a whole number of agents, 0 or more")
    return SlaMonitorSettings(float(share), channel.strip(), max_agents)


def config_dir() -> Path:
    """Where the data files are read from: AICC_CONFIG_DIR, else the package's own config/."""
    return Path(os.environ.get("AICC_CONFIG_DIR", DEFAULT_CONFIG_DIR))


def load_config(directory: Path | str | None = None) -> Config:
    """Load and cross-check every data file. Raises ConfigError naming file and field."""
    d = Path(directory) if directory else config_dir()
    hours = _load_hours(d)
    queues = _load_queues(d, hours)
    prompts = _load_prompts(d)
    return Config(
        directory=d,
        queues=queues,
        hours=hours,
        holidays=_load_holidays(d),
        routing_profiles=_load_routing_profiles(d, queues),
        escalation=_load_escalation(d, queues),
        prompts=prompts,
        tables=_load_tables(d),
        intents=_load_intents(d),
    )


@cache
def config() -> Config:
    """The process-wide configuration, loaded once (at first use, not at import: cold starts)."""
    return load_config()
