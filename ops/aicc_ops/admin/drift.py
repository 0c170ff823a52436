"""Configuration drift of a Connect instance: export it, and compare it with the repository.

Both sides are brought to one normalized shape, a *view*: one JSON object per resource (flow,
queue, hours, routing profile, quick connect), keyed by kind and Connect name, with the volatile
fields dropped (timestamps, versions, user counts, ARNs and IDs) and every ARN or ID of the
instance's own resources replaced by a symbolic reference such as `{{queue:MSP General}}`,
`{{flow:Emergency}}`, `{{hours:Business Hours}}`, `{{lambda:customer_lookup}}` or `{{lex:bot}}`.
An export of dev, one of prod and the repository's own rendering then compare equal when they
agree, whatever IDs Connect gave each instance.

The repository's view is what Terraform creates (terraform/modules/connect/main.tf) from the data
files: flows rendered from terraform/flows, and the Connect resource set that
core/connect_resources.py derives from lambdas/aicc/config.
"""

from __future__ import annotations

import difflib
import errno
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aicc.clock import seoul_time
from aicc.settings import Config

from ..core.aws import pages
from ..core.connect_resources import derive
from ..core.repository import check_terraform_dir
from ..engine.flows import (
    LOCAL_FUNCTION_PREFIX,
    Resources,
    build_resources,
    handler_names,
    outbound_flow,
    render_all,
)
from ..engine.resource_map import local_names, symbolic_ref
from .context import OpsContext, Target

# A Connect client (boto3); left untyped like OpsContext.client.
ConnectClient = Any
ResourceKey = tuple[str, str]  # (kind, Connect name)
View = dict[ResourceKey, dict[str, Any]]

EXPORT_FORMAT = 1
MANIFEST = "manifest.json"


class DriftError(Exception):
    """An export directory or environment file cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    folder: str  # the export's sub-directory
    fields: tuple[str, ...]  # the fields compared with the repository (Tags etc. are exported only)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("flow", "flow", "flows", ("Name", "Type", "Description", "State", "Status", "Content")),
        Kind(
            "queue",
            "queue",
            "queues",
            (
                "Name",
                "Description",
                "HoursOfOperation",
                "MaxContacts",
                "OutboundCallerConfig",
                "OutboundEmailConfig",
                "Status",
                "QuickConnects",
            ),
        ),
        Kind(
            "hours",
            "hours",
            "hours",
            ("Name", "Description", "TimeZone", "Config", "ParentHoursOfOperations"),
        ),
        Kind(
            "routing_profile",
            "routing profile",
            "routing-profiles",
            ("Name", "Description", "DefaultOutboundQueue", "MediaConcurrencies", "Queues"),
        ),
        Kind(
            "quick_connect", "quick connect", "quick-connects", ("Name", "Description", "QuickConnectConfig")
        ),
    )
}
KIND_ORDER = tuple(KINDS)

IN_SYNC = "in sync"
DRIFTED = "drifted"
MISSING = "missing in instance"
ONLY = "only in instance"
STATES = (IN_SYNC, DRIFTED, MISSING, ONLY)


# The symbolic reference that stands for a resource's ARN or ID ({{kind:name}}): one home, which
# `flows lint` reads back (engine.resource_map.parse_symbolic).
ref = symbolic_ref


# ---- references -----------------------------------------------------------------------------------

_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
_LEX_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:lex:[a-z0-9-]+:(?P<account>\d{12}):bot-alias/[^/\s]+/[^/\s]+$")
_CONNECT_ARN = re.compile(r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:(?P<account>\d{12}):instance/")


def lambda_handler(function_name: str, handlers: Iterable[str], prefix: str | None) -> str | None:
    """The handler a function name deploys: `<prefix>-<handler with dashes>` when the environment's
    name prefix is known, else the longest handler the name ends with."""
    best: str | None = None
    for handler in handlers:
        dashed = handler.replace("_", "-")
        if prefix is not None:
            if function_name == f"{prefix}-{dashed}":
                return handler
        elif (function_name == dashed or function_name.endswith(f"-{dashed}")) and (
            best is None or len(handler) > len(best)
        ):
            best = handler
    return best


def lambda_ref(handler: str, qualifier: str | None = None) -> str:
    return ref("lambda", f"{handler}:{qualifier}" if qualifier else handler)


@dataclass
class InstanceRefs:
    """The instance's own resources by ID and ARN, as symbolic references."""

    handlers: tuple[str, ...]
    lambda_prefix: str | None = None
    account: str | None = None  # Lambdas and Lex aliases of other accounts stay as they are
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> id -> name
    arns: dict[str, str] = field(default_factory=dict)  # arn -> reference

    def add(self, kind: str, resource_id: str, arn: str, name: str) -> None:
        self.names.setdefault(kind, {})[resource_id] = name
        if arn:
            self.arns[arn] = ref(kind, name)
            found = _CONNECT_ARN.match(arn)
            if found and self.account is None:
                self.account = found["account"]

    def of_arn(self, value: str) -> str | None:
        """The reference for an ARN of this instance (or of its Lambdas and Lex bot), else None."""
        if value in self.arns:
            return self.arns[value]
        if not value.startswith("arn:"):
            return None
        found = _LAMBDA_ARN.match(value)
        if found and self.account in (None, found["account"]):
            handler = lambda_handler(found["name"], self.handlers, self.lambda_prefix)
            return lambda_ref(handler, found["qualifier"]) if handler else None
        found = _LEX_ALIAS_ARN.match(value)
        if found and self.account in (None, found["account"]):
            return ref("lex", "bot")
        return None

    def named(self, kind: str, resource_id: Any, name: Any) -> str:
        """The reference for a listed ID, else for the name the listing gave along with it."""
        known = self.names.get(kind, {}).get(str(resource_id))
        return ref(kind, known if known is not None else str(name))

    def of_id(self, kind: str, value: str | None) -> str | None:
        """The reference for an ID (or ARN) of a resource of `kind`; unknown values stay as they are."""
        if not value:
            return value
        name = self.names.get(kind, {}).get(value)
        if name is not None:
            return ref(kind, name)
        return self.of_arn(value) or value


# ---- normalization (pure) -------------------------------------------------------------------------


def substitute(value: Any, resolve: Callable[[str], str | None]) -> Any:
    """`value` with every string that `resolve` knows replaced by its reference."""
    if isinstance(value, str):
        return resolve(value) or value
    if isinstance(value, list):
        return [substitute(v, resolve) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, resolve) for k, v in value.items()}
    return value


def normalize_content(content: Any, resolve: Callable[[str], str | None]) -> Any:
    """A flow document with references substituted and its actions in a stable order.

    The console may save actions in any order; order carries no meaning in the Flow Language
    (StartAction and transitions do), so actions are sorted by Identifier."""
    out = substitute(content, resolve)
    if isinstance(out, dict) and isinstance(out.get("Actions"), list):
        out["Actions"] = sorted(
            out["Actions"], key=lambda a: str(a.get("Identifier", "")) if isinstance(a, dict) else ""
        )
    return out


def prune(value: Any) -> Any:
    """Drop None, "", {} and [] (Connect leaves out empty fields that Terraform never set)."""
    if isinstance(value, dict):
        items = ((k, prune(v)) for k, v in value.items())
        return {k: v for k, v in items if v not in (None, "", {}, [])}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def _resource(content: Any = None, **fields: Any) -> dict[str, Any]:
    """A view: pruned fields plus, for flows, the Content as is (empty values in it matter)."""
    out: dict[str, Any] = prune(fields)
    if content is not None:
        out["Content"] = content
    return out


_DAY_INDEX = {
    d: i for i, d in enumerate(("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"))
}


def _slice(obj: Any) -> dict[str, int]:
    obj = obj or {}
    return {"Hours": int(obj.get("Hours", 0)), "Minutes": int(obj.get("Minutes", 0))}


def _hours_config(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = [
        {"Day": e.get("Day"), "StartTime": _slice(e.get("StartTime")), "EndTime": _slice(e.get("EndTime"))}
        for e in entries
    ]
    return sorted(
        out,
        key=lambda e: (_DAY_INDEX.get(str(e["Day"]), 9), e["StartTime"]["Hours"], e["StartTime"]["Minutes"]),
    )


def flow_view(flow: Mapping[str, Any], refs: InstanceRefs) -> dict[str, Any]:
    """DescribeContactFlow's ContactFlow, normalized (Content parsed from its JSON string)."""
    raw = flow.get("Content")
    try:
        content: Any = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        content = raw  # not JSON: kept as the string it is, so it still diffs
    return _resource(
        normalize_content(content, refs.of_arn) if content is not None else None,
        Name=flow.get("Name"),
        Type=flow.get("Type"),
        Description=flow.get("Description"),
        State=flow.get("State"),
        Status=flow.get("Status"),
        Tags=flow.get("Tags"),
    )


def queue_view(
    queue: Mapping[str, Any], quick_connects: Iterable[Mapping[str, Any]], refs: InstanceRefs
) -> dict[str, Any]:
    """DescribeQueue's Queue with the queue's quick connects (ListQueueQuickConnects), normalized."""
    caller = queue.get("OutboundCallerConfig") or {}
    email = queue.get("OutboundEmailConfig") or {}
    offered = sorted(refs.named("quick_connect", qc.get("Id"), qc.get("Name")) for qc in quick_connects)
    return _resource(
        Name=queue.get("Name"),
        Description=queue.get("Description"),
        HoursOfOperation=refs.of_id("hours", queue.get("HoursOfOperationId")),
        MaxContacts=queue.get("MaxContacts"),
        OutboundCallerConfig={
            "OutboundCallerIdName": caller.get("OutboundCallerIdName"),
            "OutboundCallerIdNumberId": caller.get("OutboundCallerIdNumberId"),
            "OutboundFlow": refs.of_id("flow", caller.get("OutboundFlowId")),
        },
        OutboundEmailConfig={"OutboundEmailAddressId": email.get("OutboundEmailAddressId")},
        Status=queue.get("Status"),
        QuickConnects=offered,
        Tags=queue.get("Tags"),
    )


def hours_view(hours: Mapping[str, Any], refs: InstanceRefs) -> dict[str, Any]:
    """DescribeHoursOfOperation's HoursOfOperation, normalized (days in week order)."""
    parents = sorted(
        refs.of_id("hours", p.get("Id")) or str(p.get("Name"))
        for p in hours.get("ParentHoursOfOperations") or []
    )
    return _resource(
        Name=hours.get("Name"),
        Description=hours.get("Description"),
        TimeZone=hours.get("TimeZone"),
        Config=_hours_config(hours.get("Config") or []),
        ParentHoursOfOperations=parents,
        Tags=hours.get("Tags"),
    )


def routing_profile_view(
    profile: Mapping[str, Any], queue_configs: Iterable[Mapping[str, Any]], refs: InstanceRefs
) -> dict[str, Any]:
    """DescribeRoutingProfile's RoutingProfile with its queues (ListRoutingProfileQueues), normalized.

    User and queue counts change with every onboarding and say nothing about the design: dropped."""
    queues = [
        {
            "Queue": refs.named("queue", q.get("QueueId"), q.get("QueueName")),
            "Channel": q.get("Channel"),
            "Priority": q.get("Priority"),
            "Delay": q.get("Delay"),
        }
        for q in queue_configs
    ]
    media = sorted(
        (
            {
                k: m[k]
                for k in ("Channel", "Concurrency", "CrossChannelBehavior", "WorkloadTypeConcurrencies")
                if k in m
            }
            for m in profile.get("MediaConcurrencies") or []
        ),
        key=lambda m: str(m.get("Channel")),
    )
    return _resource(
        Name=profile.get("Name"),
        Description=profile.get("Description"),
        DefaultOutboundQueue=refs.of_id("queue", profile.get("DefaultOutboundQueueId")),
        MediaConcurrencies=media,
        Queues=sorted(queues, key=lambda q: (str(q["Channel"]), str(q["Queue"]))),
        AgentAvailabilityTimer=profile.get("AgentAvailabilityTimer"),
        IsDefault=profile.get("IsDefault"),
        Tags=profile.get("Tags"),
    )


def quick_connect_view(qc: Mapping[str, Any], refs: InstanceRefs) -> dict[str, Any]:
    """DescribeQuickConnect's QuickConnect, normalized."""
    config = qc.get("QuickConnectConfig") or {}
    queue = config.get("QueueConfig") or {}
    user = config.get("UserConfig") or {}
    flow = config.get("FlowConfig") or {}
    return _resource(
        Name=qc.get("Name"),
        Description=qc.get("Description"),
        QuickConnectConfig={
            "QuickConnectType": config.get("QuickConnectType"),
            "QueueConfig": {
                "Queue": refs.of_id("queue", queue.get("QueueId")),
                "ContactFlow": refs.of_id("flow", queue.get("ContactFlowId")),
            },
            "UserConfig": {
                "User": user.get("UserId"),
                "ContactFlow": refs.of_id("flow", user.get("ContactFlowId")),
            },
            "PhoneConfig": config.get("PhoneConfig"),
            "FlowConfig": {"ContactFlow": refs.of_id("flow", flow.get("ContactFlowId"))},
        },
        Tags=qc.get("Tags"),
    )


# ---- the repository's view ------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvSettings:
    """What an environment's instance holds beyond the data files (terraform.tfvars, outputs)."""

    name: str | None = None
    lambda_prefix: str | None = None  # name_prefix: functions are <prefix>-<handler with dashes>
    provisioned: frozenset[str] = frozenset()  # handlers invoked through their "live" alias
    # The support line's number ID, every queue's outbound caller ID (phone_number.existing_id, or
    # the claimed number's ID from the outputs `deploy apply` saved); None: the queues have none.
    phone_number_id: str | None = None


def env_settings(env: str, terraform_dir: Path) -> EnvSettings:
    """name_prefix, provisioned_concurrency and the phone number of terraform/envs/<env>."""
    from ..deploy.environment import Environment
    from ..deploy.errors import DeployError

    check_terraform_dir(terraform_dir, env)
    environment = Environment(env, terraform_dir)
    if not environment.tfvars_file.is_file():
        envs = terraform_dir / "envs"
        raise DriftError(
            f"{environment.tfvars_file}: cannot read it; is {env!r} an environment under {envs}?"
        )
    try:
        tfvars = environment.tfvars
        number = tfvars.get("phone_number") or {}
        number_id = number.get("existing_id")
        if number_id is None and number.get("claim"):
            # A claimed number's ID is known once `deploy apply` saved the outputs; before, none.
            outputs = environment.saved_outputs() or {}
            number_id = (outputs.get("phone_number_id") or {}).get("value")
    except DeployError as exc:
        raise DriftError(str(exc)) from None
    return EnvSettings(
        env,
        tfvars.get("name_prefix"),
        frozenset(tfvars.get("provisioned_concurrency") or {}),
        str(number_id) if number_id else None,
    )


LOCAL_SETTINGS = EnvSettings("local", LOCAL_FUNCTION_PREFIX)


def repository_view(
    cfg: Config, resources: Resources | None = None, settings: EnvSettings = EnvSettings()
) -> View:
    """What Terraform creates from the data files, in the normalized shape of an instance's view:
    the Connect resource set (core.connect_resources, which the Terraform gate checks against
    modules/connect) and the flows published from the rendered templates. Lambdas with provisioned
    concurrency in the environment are invoked through their "live" alias."""
    res = resources or build_resources(cfg)
    flows = render_all(res)
    outbound = outbound_flow(res.catalog)
    names = local_names(res)

    def resolve(arn: str) -> str | None:
        found = res.identify(arn)
        if found is None:
            return None
        kind, key = found
        if kind == "lambda":
            return lambda_ref(key, "live" if key in settings.provisioned else None)
        name = names.get(kind, {}).get(key)
        return ref(kind, name) if name is not None else None

    view: View = {}
    for key, defn in res.catalog.items():
        view["flow", defn.name] = _resource(
            normalize_content(flows[key].content, resolve),
            Name=defn.name,
            Type=defn.type,
            Description=defn.description,
            State="ACTIVE",
            Status="PUBLISHED",
        )
    rs = derive(cfg, outbound)

    def named(kind: str, key: str) -> str:
        names: Mapping[str, Any] = {
            "queue": rs.queues,
            "hours": rs.hours,
            "quick_connect": rs.quick_connects,
        }[kind]
        return ref(kind, names[key].name)

    for q in rs.queues.values():
        view["queue", q.name] = _resource(
            Name=q.name,
            Description=q.description,
            HoursOfOperation=named("hours", q.hours),
            MaxContacts=q.max_contacts,
            OutboundCallerConfig={
                "OutboundCallerIdName": q.outbound_caller_name,
                "OutboundCallerIdNumberId": settings.phone_number_id,
                "OutboundFlow": ref("flow", res.catalog[q.outbound_flow].name) if q.outbound_flow else None,
            },
            Status=q.status,
            QuickConnects=sorted(named("quick_connect", k) for k in q.quick_connects),
        )
    for qc in rs.quick_connects.values():
        view["quick_connect", qc.name] = _resource(
            Name=qc.name,
            Description=qc.description,
            QuickConnectConfig={
                "QuickConnectType": qc.type,
                "QueueConfig": {"Queue": named("queue", qc.queue), "ContactFlow": ref("flow", qc.flow)},
            },
        )
    for h in rs.hours.values():
        view["hours", h.name] = _resource(
            Name=h.name,
            Description=h.description,
            TimeZone=h.time_zone,
            Config=_hours_config(
                {
                    "Day": d.day,
                    "StartTime": {"Hours": d.start[0], "Minutes": d.start[1]},
                    "EndTime": {"Hours": d.end[0], "Minutes": d.end[1]},
                }
                for d in h.config
            ),
        )
    for rp in rs.routing_profiles.values():
        queues = [
            {
                "Queue": named("queue", rq.queue),
                "Channel": rq.channel,
                "Priority": rq.priority,
                "Delay": rq.delay,
            }
            for rq in rp.queues
        ]
        view["routing_profile", rp.name] = _resource(
            Name=rp.name,
            Description=rp.description,
            DefaultOutboundQueue=named("queue", rp.default_outbound_queue),
            MediaConcurrencies=[
                {"Channel": c, "Concurrency": n} for c, n in sorted(rp.media)
            ],  # as read back
            Queues=sorted(queues, key=lambda q: (str(q["Channel"]), str(q["Queue"]))),
        )
    return view


# ---- comparison (pure) ----------------------------------------------------------------------------


def comparable(kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a resource that is compared: the kind's fields, without layout data.

    A flow's Metadata is the designer's layout (positions, display names): moving a block in the
    console is not drift. Media concurrency compares channel and concurrency, which Terraform sets."""
    out = {k: body[k] for k in KINDS[kind].fields if k in body}
    content = out.get("Content")
    if isinstance(content, dict) and "Metadata" in content:
        out["Content"] = {k: v for k, v in content.items() if k != "Metadata"}
    if kind == "routing_profile" and isinstance(out.get("MediaConcurrencies"), list):
        out["MediaConcurrencies"] = [
            {k: m[k] for k in ("Channel", "Concurrency") if k in m} if isinstance(m, dict) else m
            for m in out["MediaConcurrencies"]
        ]
    return out


@dataclass(frozen=True)
class Change:
    path: str  # e.g. MaxContacts, Content.Actions[hold].Parameters.Text
    repository: Any  # None: not there
    instance: Any


# How list entries are matched for the change paths: the first key (or keys together) unique in
# the list. A routing profile holds one queue config per queue and channel (Queue, then Channel).
_LIST_KEYS: tuple[tuple[str, ...], ...] = (("Identifier",), ("Queue",), ("Queue", "Channel"), ("Day",))


def _list_key(items: list[Any]) -> tuple[str, ...] | None:
    for keys in _LIST_KEYS:
        values = [tuple(i.get(k) for k in keys) if isinstance(i, dict) else None for i in items]
        if all(v is not None and all(isinstance(x, str) for x in v) for v in values) and len(
            set(values)
        ) == len(values):
            return keys
    return None


def _entry(item: dict[str, Any], keys: tuple[str, ...]) -> str:
    return " ".join(str(item[k]) for k in keys)


def changes(repository: Any, instance: Any, path: str = "") -> list[Change]:
    """Field-by-field differences; list entries are matched by Identifier / Queue (and Channel) /
    Day when unique."""
    if repository == instance:
        return []
    if isinstance(repository, dict) and isinstance(instance, dict):
        out: list[Change] = []
        for k in sorted(set(repository) | set(instance), key=str):
            sub = f"{path}.{k}" if path else str(k)
            out.extend(changes(repository.get(k), instance.get(k), sub))
        return out
    if isinstance(repository, list) and isinstance(instance, list):
        key = _list_key(repository)
        if key and _list_key(instance) == key:
            left = {_entry(i, key): i for i in repository}
            right = {_entry(i, key): i for i in instance}
            out = []
            for k in list(left) + [k for k in right if k not in left]:
                out.extend(changes(left.get(k), right.get(k), f"{path}[{k}]"))
            return out
        if len(repository) == len(instance):
            return [
                c
                for i, (a, b) in enumerate(zip(repository, instance, strict=True))
                for c in changes(a, b, f"{path}[{i}]")
            ]
    return [Change(path or "(resource)", repository, instance)]


def pretty(value: Any) -> str:
    """The one JSON rendering of exports and diffs: indented, sorted keys, Korean kept readable."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def file_stem(name: str) -> str:
    """A file name for a Connect name (names may hold '/', and must not hide as dot-files)."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip() or "_"
    return f"_{stem}" if stem.startswith(".") else stem


@dataclass
class ResourceDrift:
    kind: str
    name: str
    state: str
    managed: bool
    changes: list[Change] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)  # unified diff lines, repository -> instance

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "state": self.state,
            "managed": self.managed,
            "changes": [c.__dict__ for c in self.changes],
            "diff": "\n".join(self.diff),
        }


def _sort_key(key: ResourceKey) -> tuple[int, str]:
    return KIND_ORDER.index(key[0]) if key[0] in KINDS else len(KINDS), key[1]


def compare(
    repository: View, instance: View, listed: Iterable[ResourceKey] = (), context: int = 3
) -> list[ResourceDrift]:
    """Every resource of either side with its state; `listed` adds instance resources that were
    listed but not described (unmanaged ones, when only the managed ones are read)."""
    keys = set(repository) | set(instance) | set(listed)
    out: list[ResourceDrift] = []
    for key in sorted(keys, key=_sort_key):
        kind, name = key
        if key not in repository:
            out.append(ResourceDrift(kind, name, ONLY, managed=False))
            continue
        if key not in instance:
            out.append(ResourceDrift(kind, name, MISSING, managed=True))
            continue
        left, right = comparable(kind, repository[key]), comparable(kind, instance[key])
        found = changes(left, right)
        if not found:
            out.append(ResourceDrift(kind, name, IN_SYNC, managed=True))
            continue
        rel = f"{KINDS[kind].folder}/{file_stem(name)}.json"
        diff = list(
            difflib.unified_diff(
                pretty(left).splitlines(),
                pretty(right).splitlines(),
                fromfile=f"repository/{rel}",
                tofile=f"instance/{rel}",
                n=context,
                lineterm="",
            )
        )
        out.append(ResourceDrift(kind, name, DRIFTED, True, found, diff))
    return out


def summary(results: Iterable[ResourceDrift]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for r in results:
        counts[r.state] += 1
    return counts


def has_drift(results: Iterable[ResourceDrift]) -> bool:
    """Drift is a managed resource that differs or is gone; unmanaged resources are not drift."""
    return any(r.state in (DRIFTED, MISSING) for r in results)


# ---- reading the instance -------------------------------------------------------------------------


@dataclass
class Snapshot:
    """An instance's view, read live or from an export."""

    resources: View
    instance_id: str
    region: str
    env: str | None = None
    exported_at: str = ""
    listed: set[ResourceKey] = field(default_factory=set)  # every resource listed, described or not


@dataclass
class _Item:
    kind: str
    name: str
    summary: dict[str, Any]


# kind -> (List operation, result key, extra List parameters)
_LISTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "flow": ("list_contact_flows", "ContactFlowSummaryList", {}),
    # Agent queues (one per user) are people, not call design.
    "queue": ("list_queues", "QueueSummaryList", {"QueueTypes": ["STANDARD"]}),
    "hours": ("list_hours_of_operations", "HoursOfOperationSummaryList", {}),
    "routing_profile": ("list_routing_profiles", "RoutingProfileSummaryList", {}),
    "quick_connect": ("list_quick_connects", "QuickConnectSummaryList", {}),
}


class InstanceReader:
    """Lists an instance's resources, then describes those wanted (one call or two per resource;
    the client's rate limiter keeps them inside Connect's quota)."""

    def __init__(
        self,
        client: ConnectClient,
        instance_id: str,
        *,
        lambda_prefix: str | None = None,
        env: str | None = None,
    ) -> None:
        self.client = client
        self.instance_id = instance_id
        self.env = env
        self.refs = InstanceRefs(tuple(handler_names()), lambda_prefix)
        self.items: list[_Item] = []
        self._listed = False

    def listing(self) -> list[_Item]:
        if self._listed:
            return self.items
        for kind, (operation, key, params) in _LISTS.items():
            seen: set[str] = set()
            for summary in pages(self.client, operation, key, InstanceId=self.instance_id, **params):
                name = str(summary.get("Name") or summary.get("Id"))
                unique, n = name, 1
                while unique in seen:  # Connect names are unique per kind; never lose one if not
                    n += 1
                    unique = f"{name} #{n}"
                seen.add(unique)
                self.refs.add(kind, str(summary.get("Id")), str(summary.get("Arn") or ""), unique)
                self.items.append(_Item(kind, unique, summary))
        self._listed = True
        return self.items

    def wanted(self, only: Callable[[ResourceKey], bool] | None = None) -> list[_Item]:
        return [i for i in self.listing() if only is None or only((i.kind, i.name))]

    def read(
        self, only: Callable[[ResourceKey], bool] | None = None, tick: Callable[[], None] | None = None
    ) -> Snapshot:
        """The instance's view: every listed resource, the `only` ones described."""
        view: View = {}
        for item in self.wanted(only):
            body = self._describe(item)
            if body is not None:
                body["Name"] = body.get("Name", item.name)
                view[item.kind, item.name] = body
            if tick:
                tick()
        listed = {(i.kind, i.name) for i in self.items}
        return Snapshot(view, self.instance_id, str(self.client.meta.region_name), self.env, _now(), listed)

    def _describe(self, item: _Item) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self._describe_one(item)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None  # deleted between the listing and now: it is simply not there
            raise

    def _describe_one(self, item: _Item) -> dict[str, Any]:
        c, iid, rid = self.client, self.instance_id, str(item.summary.get("Id"))
        if item.kind == "flow":
            return flow_view(
                c.describe_contact_flow(InstanceId=iid, ContactFlowId=rid)["ContactFlow"], self.refs
            )
        if item.kind == "queue":
            queue = c.describe_queue(InstanceId=iid, QueueId=rid)["Queue"]
            offered = pages(
                c, "list_queue_quick_connects", "QuickConnectSummaryList", InstanceId=iid, QueueId=rid
            )
            return queue_view(queue, offered, self.refs)
        if item.kind == "hours":
            hours = c.describe_hours_of_operation(InstanceId=iid, HoursOfOperationId=rid)["HoursOfOperation"]
            return hours_view(hours, self.refs)
        if item.kind == "routing_profile":
            profile = c.describe_routing_profile(InstanceId=iid, RoutingProfileId=rid)["RoutingProfile"]
            configs = pages(
                c,
                "list_routing_profile_queues",
                "RoutingProfileQueueConfigSummaryList",
                InstanceId=iid,
                RoutingProfileId=rid,
            )
            return routing_profile_view(profile, configs, self.refs)
        qc = c.describe_quick_connect(InstanceId=iid, QuickConnectId=rid)["QuickConnect"]
        return quick_connect_view(qc, self.refs)


def _now() -> str:
    return seoul_time(datetime.now(UTC))


# ---- export directories ---------------------------------------------------------------------------


def _manifest_entries(snapshot: Snapshot, managed: Iterable[ResourceKey]) -> Iterator[dict[str, Any]]:
    managed_set = set(managed)
    used: set[str] = set()
    for key in sorted(snapshot.resources, key=_sort_key):
        kind, name = key
        stem, n = file_stem(name), 1
        rel = f"{KINDS[kind].folder}/{stem}.json"
        while rel.casefold() in used:  # names that differ only in '/' or case on a case-blind disk
            n += 1
            rel = f"{KINDS[kind].folder}/{stem} #{n}.json"
        used.add(rel.casefold())
        yield {"kind": kind, "name": name, "file": rel, "managed": key in managed_set}


def _cannot_write(directory: Path, exc: OSError) -> DriftError:
    where = f"{exc.filename}: " if exc.filename else ""
    return DriftError(
        f"cannot write the export to {directory}: {where}{exc.strerror or exc}; give another --dir"
    )


def check_export_dir(directory: Path) -> None:
    """Refuse a directory that is neither new, empty, nor an earlier export, or that cannot be
    created (before any API call)."""
    if directory.exists() and not directory.is_dir():
        raise DriftError(f"{directory} is a file: give --dir a directory")
    try:
        if directory.is_dir() and any(directory.iterdir()) and not (directory / MANIFEST).is_file():
            raise DriftError(
                f"{directory} is not empty and holds no {MANIFEST}: give --dir a new or an export directory"
            )
        if not directory.exists():
            _probe_creatable(directory)
    except OSError as exc:
        raise _cannot_write(directory, exc) from None


def _probe_creatable(directory: Path) -> None:
    """Raise the OSError that creating `directory` would raise, leaving nothing behind: the nearest
    existing folder must take a new sub-directory (root's permission bits say nothing of /proc)."""
    parent = directory.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
    try:
        with tempfile.TemporaryDirectory(dir=parent, prefix=".aicc-export-"):
            pass
    except OSError as exc:  # named after the folder, not the probe
        raise OSError(exc.errno, exc.strerror, str(parent)) from None


def write_export(snapshot: Snapshot, directory: Path, managed: Iterable[ResourceKey]) -> dict[str, Any]:
    """One pretty JSON file per resource under <kind folder>/, and manifest.json; returns the manifest.

    Files of an earlier export in the same directory are replaced, so a deleted resource leaves."""
    check_export_dir(directory)
    entries = list(_manifest_entries(snapshot, managed))
    try:
        return _write_files(snapshot, directory, entries)
    except OSError as exc:  # a full disk, a read-only file left by someone...
        raise _cannot_write(directory, exc) from None


def _write_files(snapshot: Snapshot, directory: Path, entries: list[dict[str, Any]]) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    for kind in KINDS.values():
        folder = directory / kind.folder
        if folder.is_dir():
            for old in folder.glob("*.json"):
                old.unlink()
    for entry in entries:
        path = directory / entry["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pretty(snapshot.resources[entry["kind"], entry["name"]]) + "\n", encoding="utf-8")
    counts = {
        KINDS[k].folder: {
            "total": sum(1 for e in entries if e["kind"] == k),
            "managed": sum(1 for e in entries if e["kind"] == k and e["managed"]),
        }
        for k in KINDS
    }
    manifest = {
        "format": EXPORT_FORMAT,
        "instance_id": snapshot.instance_id,
        "region": snapshot.region,
        "env": snapshot.env,
        "exported_at": snapshot.exported_at or _now(),
        "counts": counts,
        "resources": entries,
    }
    (directory / MANIFEST).write_text(pretty(manifest) + "\n", encoding="utf-8")
    return manifest


def read_export(directory: Path) -> Snapshot:
    """The snapshot an export directory holds (as `write_export` wrote it)."""
    path = directory / MANIFEST
    manifest = _read_json(path, f"{directory} is not an export of `aicc-ops connect export`")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("resources"), list):
        raise DriftError(f"{path}: not a manifest of `aicc-ops connect export` (no resources list)")
    if manifest.get("format") != EXPORT_FORMAT:
        raise DriftError(
            f"{path}: format {manifest.get('format')!r}; this aicc-ops reads format {EXPORT_FORMAT}"
        )
    view: View = {}
    for i, entry in enumerate(manifest["resources"]):
        where = f"{path}: resources[{i}]"
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("kind"), str)
            or entry["kind"] not in KINDS
            or not isinstance(entry.get("file"), str)
        ):
            raise DriftError(f"{where}: needs kind (one of {', '.join(KINDS)}), name and file")
        body = _read_json(directory / entry["file"], f"{where}: file {entry['file']} is listed")
        if not isinstance(body, dict):
            raise DriftError(f"{directory / entry['file']}: must hold a JSON object")
        view[entry["kind"], str(entry.get("name") or body.get("Name"))] = body
    env = manifest.get("env")
    return Snapshot(
        view,
        str(manifest.get("instance_id") or ""),
        str(manifest.get("region") or ""),
        env if isinstance(env, str) and env else None,
        str(manifest.get("exported_at") or ""),
        set(view),
    )


def _read_json(path: Path, missing: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DriftError(f"{missing}, but {path} is missing") from None
    except OSError as exc:
        raise DriftError(f"{path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise DriftError(f"{path}: not valid JSON ({exc})") from None


# ---- where: the target's settings -----------------------------------------------------------------


def target_settings(target: Target) -> EnvSettings:
    """The environment the instance belongs to: local, --env's tfvars, or unknown (bare --instance-id)."""
    if target.local:
        return LOCAL_SETTINGS
    if target.env:
        return env_settings(target.env, target.terraform_dir)
    return EnvSettings()


def export_settings(snapshot: Snapshot, target: Target) -> EnvSettings:
    """For `diff --from-export`: --env when given, else the environment the export was taken from."""
    if target.env or target.local:
        return target_settings(target)
    if snapshot.env == LOCAL_SETTINGS.name:
        return LOCAL_SETTINGS
    if snapshot.env:
        # Its name prefix and phone number are in the repository: never compare without them.
        check_terraform_dir(
            target.terraform_dir,
            snapshot.env,
            f"the diff of an export taken from {snapshot.env!r} (its name prefix and phone number are in "
            f"terraform/envs/{snapshot.env})",
        )
    if snapshot.env and (target.terraform_dir / "envs" / snapshot.env / "terraform.tfvars").is_file():
        return env_settings(snapshot.env, target.terraform_dir)
    return EnvSettings(snapshot.env)


def default_export_dir(ops: OpsContext) -> Path:
    """connect-export/<env | local | instance id> under the current directory."""
    label = ops.target.env or ("local" if ops.target.local else ops.instance_id)
    return Path("connect-export") / file_stem(label)


def reader_for(ops: OpsContext, settings: EnvSettings) -> InstanceReader:
    return InstanceReader(
        ops.client("connect"), ops.instance_id, lambda_prefix=settings.lambda_prefix, env=settings.name
    )
