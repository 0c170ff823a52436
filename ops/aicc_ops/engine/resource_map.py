"""Resource maps: what the ARNs and IDs a flow names are, checked against one instance's resources.

A flow names queues, flows, flow modules, hours, prompts, agents, quick connects, views, Lambda
functions and Lex bots, by ARN or by ID. `flows lint` resolves each reference against one map:

- `local_map(resources)`: this repository's instance, as the templates render it (the default);
- `file_map(path)`: a YAML or JSON file listing an instance's resources (`--resources FILE`);
- `connect_map(client, instance_id)`: a live instance read with Connect's List APIs (`--env`,
  `--instance-id`: admin.instance_map.live_map finds the instance and builds the client);
- `no_resolve_map()`: nothing is looked up, only the ARN's shape and kind (`--no-resolve`);
- `with_flows(base, flows)`: the flows and modules given alongside, then `base`. What a given flow
  answers to (its ARN, the ID at its end, `{{flow:NAME}}`) is `flow_references`, which the
  rehearsal and the simulator use too (`find_flow`).

A reference resolves to one status. Connect refuses a flow that names a resource its instance does
not have: moving flows between instances means "replace every ARN in the source flow with the
corresponding ARN from the target instance. Otherwise UpdateContactFlowContent fails with
InvalidContactFlow error" (https://docs.aws.amazon.com/connect/latest/adminguide/migrate-contact-flows.html).
So `missing` (the map's own instance, account and Region, but no such resource) and `malformed`
are errors; `foreign` (another instance, account or Region: that instance is not the map's to
know), `dynamic` (a part is a JSONPath such as `$.AwsRegion`, known only mid-call, or a deploy-time
placeholder `${...}` of a CloudFormation or Terraform template, known only at deploy time) and
`unchecked` (the map does not list that kind, or cannot know the resource) are not.

Which instance a bare ID names: the flow's own. The default map is this repository's instance, so
it checks the bare IDs of our flows, but a bare ID in someone else's flow (Flow.foreign) names a
resource of the instance that flow was exported from, which the default map cannot know
(`local_map(resources, foreign=True)`: unchecked). A resources file or a live instance is the
flows' instance: bare IDs are checked against it.

`aicc-ops connect export` (admin.drift) writes the instance's own resources as symbolic references,
`{{queue:MSP General}}`, `{{flow:Emergency}}`, `{{lambda:customer_lookup}}`, `{{lex:bot}}`
(`symbolic_ref`): the default map finds them by this repository's names or keys (`local_names`, the
names the export gives them); another map by the names it lists; the flows given by their names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from ..core.aws import error_text, iter_pages
from .actions import MODULE

if TYPE_CHECKING:
    from .flows import Flow, Resources

FOUND, MISSING, FOREIGN, DYNAMIC, UNCHECKED, MALFORMED = (
    "found",
    "missing",
    "foreign",
    "dynamic",
    "unchecked",
    "malformed",
)
STATUSES = (FOUND, MISSING, FOREIGN, DYNAMIC, UNCHECKED, MALFORMED)

# What each kind is called in a message.
KIND_NAMES = {
    "queue": "queue",
    "agent": "agent",
    "flow": "flow",
    "module": "flow module",
    "hours": "hours of operation",
    "prompt": "prompt",
    "quick_connect": "quick connect",
    "view": "view",
    "lambda": "Lambda function",
    "lex": "Lex bot alias",
    "lex_v1": "Lex (V1) bot",
    "routing_profile": "routing profile",
    "security_profile": "security profile",
    "task_template": "task template",
    "agent_status": "agent status",
    "phone_number": "phone number",
    "instance": "Connect instance",
}

# The segment of a Connect ARN after instance/<id>/, and the kind it names (the service
# authorization reference's resource types for Amazon Connect).
CONNECT_SEGMENTS = {
    "queue": "queue",
    "agent": "agent",
    "contact-flow": "flow",
    "flow-module": "module",
    "operating-hours": "hours",
    "prompt": "prompt",
    "transfer-destination": "quick_connect",
    "view": "view",
    "routing-profile": "routing_profile",
    "security-profile": "security_profile",
    "task-template": "task_template",
    "agent-state": "agent_status",
}
_SEGMENT_OF = {kind: segment for segment, kind in CONNECT_SEGMENTS.items()}

# The documented shape of each kind's ARN, for the message of a malformed one.
_INSTANCE_ARN = "arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID"
SHAPES = {
    **{kind: f"{_INSTANCE_ARN}/{segment}/ID" for segment, kind in CONNECT_SEGMENTS.items()},
    "view": f"{_INSTANCE_ARN}/view/VIEW_ID[:VERSION], or arn:aws:connect:REGION:aws:view/NAME[:VERSION]",
    "lambda": "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS_OR_VERSION]",
    "lex": "arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID",
    "lex_v1": "the bot's name",
    "instance": _INSTANCE_ARN,
}
# Parameters that take an ARN only (LambdaFunctionARN, LexV2Bot.AliasArn); the others take an ID
# or an ARN (connect-flow-language.md §2.3, §2.4).
ARN_ONLY = frozenset({"lambda", "lex"})
# Kinds a map knows by ARN only: a flow names an AWS managed view by a short ID ("form", "cards" in
# the public step-by-step guides) that neither ListViews nor a resources file gives.
BY_ARN_ONLY = frozenset({"view"})

_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*|\x00\d+\x00):(?P<service>[a-z0-9-]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$"
)
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ID = re.compile(r"^[A-Za-z0-9_.$-]+$")
_LAMBDA = re.compile(r"^function:(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$")
_LEX_ALIAS = re.compile(r"^bot-alias/(?P<bot>[A-Za-z0-9_-]+)/(?P<alias>[A-Za-z0-9_-]+)$")
_LEX_V1 = re.compile(r"^bot:(?P<name>[A-Za-z0-9_]+)(?::(?P<alias>[A-Za-z0-9_$]+))?$")


class ResourceMapError(ValueError):
    """A map cannot be built (a bad resources file, an instance that cannot be read); the message
    says what to fix."""


class MalformedArnError(ValueError):
    """Not an ARN of the shape its service documents."""


@dataclass(frozen=True)
class Resolution:
    """What one reference is, as one map sees it.

    status: found, missing, foreign, dynamic, unchecked or malformed; kind: queue, flow, module,
    hours, prompt, agent, quick_connect, view, lambda, lex... when the reference says (None when
    it does not: a bare ID the map does not know, a whole JSONPath); key: the map's key of a found
    resource (a flow key, a handler, a Connect ID); message: why, for the finding's text."""

    status: str
    kind: str | None = None
    key: str | None = None
    message: str = ""


class ResourceMap(Protocol):
    def resolve(self, ref: str, expected_kind: str | None = None) -> Resolution:
        """What `ref` (an ARN or ID) is; `expected_kind`: the kind its parameter takes."""
        ...

    def describe(self) -> str:
        """The map in a message: "this repository's instance", "resources.yaml"..."""
        ...


def kind_name(kind: str | None) -> str:
    if kind is None:
        return "resource"
    return KIND_NAMES.get(kind, kind.replace("_", " "))


# ---- ARNs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arn:
    """A parsed ARN: `kind` from KIND_NAMES for the resources flows name, else the service's name."""

    text: str
    service: str
    region: str
    account: str
    kind: str
    instance: str = ""  # a Connect instance's ID
    ident: str = ""  # the resource's ID (a function's name, a bot alias's ID...)
    qualifier: str = ""  # a Lambda alias or version, a flow or view version

    @property
    def unqualified(self) -> str:
        return self.text[: -len(self.qualifier) - 1] if self.qualifier else self.text

    @property
    def aws_managed(self) -> bool:
        return self.account == "aws"


# A deploy-time placeholder: what flow_files leaves of a CloudFormation `${Var}` or a Terraform
# `${expr}` whose value only the deployment knows. It is not Flow Language syntax (a dynamic
# reference is `$.Namespace...`, connect-flow-language.md §1.5), so it cannot be mistaken for one.
PLACEHOLDER = re.compile(r"\$\{[^{}]*\}")
# How parse_arn hides a placeholder while it splits an ARN: `${AWS::Region}` holds colons.
_HOLE = re.compile(r"\x00(\d+)\x00")


def has_placeholder(value: str) -> bool:
    """Whether a value holds a deploy-time placeholder `${...}`."""
    return bool(PLACEHOLDER.search(value))


def is_dynamic(ref: str) -> bool:
    """A value known only when the flow runs or is deployed: a JSONPath in it ($.AwsRegion,
    $['Attributes']...) or a deploy-time placeholder (${AWS::Region}, ${sales_queue_arn}...)."""
    return "$." in ref or "$[" in ref or has_placeholder(ref)


def parse_arn(text: str) -> Arn:
    """The parts of an ARN; raises MalformedArnError saying what is wrong. A dynamic part (a
    JSONPath, a deploy-time placeholder) is taken as it is: only what is static is checked, and a
    kind is read only from a static part (Arn.kind is "" when a placeholder stands for it)."""
    holes: list[str] = []

    def hide(m: re.Match[str]) -> str:
        holes.append(m.group(0))
        return f"\x00{len(holes) - 1}\x00"

    def shown(part: str) -> str:
        return _HOLE.sub(lambda h: holes[int(h.group(1))], part)

    try:
        arn = _parse_masked(text, PLACEHOLDER.sub(hide, text), shown)
    except MalformedArnError as exc:
        raise MalformedArnError(shown(str(exc))) from None
    if not holes:
        return arn
    return replace(arn, instance=shown(arn.instance), ident=shown(arn.ident), qualifier=shown(arn.qualifier))


def _parse_masked(text: str, masked: str, shown: Callable[[str], str]) -> Arn:
    """parse_arn on `masked`: `text` with each placeholder hidden (`shown` shows them again)."""
    m = _ARN.match(masked)
    if not m:
        raise MalformedArnError("an ARN is arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE")
    service, resource = m["service"], m["resource"]
    region, account = shown(m["region"]), shown(m["account"])
    if service in ("connect", "lambda", "lex"):
        if not is_dynamic(region) and not _REGION.match(region):
            raise MalformedArnError(f"{region!r} is not an AWS Region")
        if not is_dynamic(account) and not (
            _ACCOUNT.match(account) or (service == "connect" and account == "aws")
        ):
            raise MalformedArnError(f"{account!r} is not an AWS account (12 digits)")
    dynamic = is_dynamic(shown(resource))
    if service == "connect":
        return _connect_arn(text, region, account, resource, dynamic)
    if service == "lambda":
        found = _LAMBDA.match(resource)
        if not found and not dynamic:
            raise MalformedArnError(f"a Lambda function ARN is {SHAPES['lambda']}")
        if found is None:  # a dynamic name or qualifier
            name, _, qualifier = resource.partition(":")[2].partition(":")
            return Arn(text, service, region, account, "lambda", ident=name, qualifier=qualifier)
        qualifier = found["qualifier"] or ""
        return Arn(text, service, region, account, "lambda", ident=found["name"], qualifier=qualifier)
    if service == "lex":
        if found := _LEX_ALIAS.match(resource):
            return Arn(text, service, region, account, "lex", ident=f"{found['bot']}/{found['alias']}")
        if found := _LEX_V1.match(resource):
            return Arn(text, service, region, account, "lex_v1", ident=found["name"])
        if dynamic and resource.startswith("bot-alias/"):
            return Arn(text, service, region, account, "lex", ident=resource[len("bot-alias/") :])
        if dynamic and resource.startswith("bot:"):
            return Arn(text, service, region, account, "lex_v1", ident=resource[len("bot:") :])
        raise MalformedArnError(f"a Lex V2 bot alias ARN is {SHAPES['lex']}")
    return Arn(text, service, region, account, service, ident=resource)


def _connect_arn(text: str, region: str, account: str, resource: str, dynamic: bool) -> Arn:
    parts = resource.split("/")
    if account == "aws":  # an AWS managed view, the same in every instance of a Region
        if len(parts) == 2 and parts[0] == "view" and parts[1]:
            ident, _, qualifier = parts[1].partition(":")
            return Arn(text, "connect", region, account, "view", ident=ident, qualifier=qualifier)
        raise MalformedArnError(
            f"an AWS managed view's ARN is arn:aws:connect:REGION:aws:view/NAME[:VERSION], got {resource!r}"
        )
    if parts[0] == "phone-number" and len(parts) == 2:
        return Arn(text, "connect", region, account, "phone_number", ident=parts[1])
    if parts[0] != "instance" or len(parts) < 2 or not parts[1]:
        raise MalformedArnError(f"a Connect resource's ARN starts {_INSTANCE_ARN}/, got {resource!r}")
    instance = parts[1]
    if len(parts) == 2:
        return Arn(text, "connect", region, account, "instance", instance=instance, ident=instance)
    segment, rest = parts[2], "/".join(parts[3:])
    if _HOLE.search(segment):  # the kind itself is a placeholder: no kind to check
        return Arn(text, "connect", region, account, "", instance=instance, ident=rest)
    kind = CONNECT_SEGMENTS.get(segment, f"connect:{segment}")
    if not rest:
        shape = SHAPES.get(kind, f"{_INSTANCE_ARN}/{segment}/ID")
        raise MalformedArnError(f"no ID after {segment}/ (a {kind_name(kind)} ARN is {shape})")
    ident, _, qualifier = rest.partition(":")
    # An agent's queue is queue/agent/<user ID>; every other resource has one ID segment.
    one_segment = "/" not in ident or (
        segment == "queue" and ident.startswith("agent/") and ident.count("/") == 1
    )
    if not dynamic and (not one_segment or not all(_ID.match(p) for p in ident.split("/"))):
        raise MalformedArnError(f"{rest!r} is not a {kind_name(kind)} ID")
    return Arn(text, "connect", region, account, kind, instance=instance, ident=ident, qualifier=qualifier)


# ---- the maps --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """The instance a map describes: references elsewhere are foreign to it."""

    region: str
    account: str
    instance: str

    def foreign(self, arn: Arn) -> str:
        """Why `arn` is not this instance's to know ("" when it is)."""
        if arn.region != self.region:
            return f"Region {arn.region}, not {self.region}"
        if arn.aws_managed:
            return ""
        if arn.account != self.account:
            return f"account {arn.account}, not {self.account}"
        if (
            arn.service == "connect"
            and arn.instance
            and arn.kind != "phone_number"
            and arn.instance != self.instance
        ):
            return f"instance {arn.instance}, not {self.instance}"
        return ""


@dataclass
class Index:
    """The resources of one kind a map knows: by ARN (without a version qualifier), by ID, by name."""

    arns: dict[str, str] = field(default_factory=dict)  # ARN -> key
    ids: dict[str, str] = field(default_factory=dict)  # ID -> key
    names: dict[str, str] = field(default_factory=dict)  # key -> display name
    by_id: bool = True  # False: a bare ID cannot be told missing (known by ARN only)

    def add(self, key: str, arn: str = "", ident: str = "", name: str = "") -> None:
        if arn:
            self.arns[_unqualified(arn)] = key
        if ident:
            self.ids[ident] = key
        if name:
            self.names[key] = name

    def find(self, arn: Arn | None, ident: str) -> str | None:
        if arn is not None:
            return self.arns.get(arn.unqualified) or self.arns.get(arn.text)
        return self.ids.get(ident)

    @property
    def keys(self) -> set[str]:
        return {*self.arns.values(), *self.ids.values(), *self.names}

    def find_name(self, name: str) -> str | None:
        """The key of the resource with this name, or whose key it is."""
        if name in self.keys:
            return name
        return next((key for key, shown in self.names.items() if shown == name), None)

    @property
    def all_named(self) -> bool:
        """Every resource has its name here, so a name not found is none of them."""
        return all(key in self.names for key in self.keys)


def _unqualified(text: str) -> str:
    try:
        return parse_arn(text).unqualified
    except MalformedArnError:
        return text


# ---- symbolic references (`aicc-ops connect export`) -----------------------------------------------

_SYMBOLIC = re.compile(r"^\{\{(?P<kind>[a-z_]+):(?P<name>[^{}]+)\}\}$")


def symbolic_ref(kind: str, name: str) -> str:
    """The reference `connect export` writes for a resource of the exported instance: {{kind:name}}
    (kind: queue, flow, hours, lambda, lex, quick_connect, routing_profile)."""
    return "{{" + kind + ":" + name + "}}"


def parse_symbolic(value: str) -> tuple[str, str] | None:
    """(kind, name) of a symbolic reference (symbolic_ref), else None. A Lambda's name is its
    handler, with the alias `connect export` saw (customer_lookup:live): the handler is returned."""
    m = _SYMBOLIC.match(value.strip())
    if not m or m["kind"] not in KIND_NAMES:
        return None
    kind, name = m["kind"], m["name"]
    return kind, name.partition(":")[0] if kind == "lambda" else name


def local_names(resources: Resources) -> dict[str, dict[str, str]]:
    """kind -> key -> the name this repository gives its resources in Connect, as `connect export`
    writes them in symbolic references (admin.drift builds its view with it): a Lambda by its
    handler, the Lex bot as "bot"."""
    config = resources.config
    return {
        "queue": {key: queue.name for key, queue in config.queues.items()},
        "flow": {key: defn.name for key, defn in resources.catalog.items()},
        "hours": {key: hours.name for key, hours in config.hours.items()},
        "lambda": {handler: handler for handler in resources.handlers},
        "lex": {"bot": "bot"},
    }


def ours(resources: Resources, ref: str, local: LocalMap | None = None) -> tuple[str, str] | None:
    """(kind, key) when `ref` names one of this repository's resources, else None: an ARN the
    templates render (Resources.identify), or a symbolic reference `connect export` writes of it
    ({{queue:MSP General}}, {{lambda:business_hours}}, {{lex:bot}}), found as lint finds it
    (LocalMap.named). The simulator asks this wherever a flow names a resource, with the LocalMap
    it built once."""
    value = ref.strip()
    symbolic = parse_symbolic(value)
    if symbolic is None:
        return resources.identify(value) if value else None
    found = (local or LocalMap(resources)).named(*symbolic)
    if found.status == FOUND and found.kind and found.key is not None:
        return found.kind, found.key
    return None


# ---- what a reference's text says -----------------------------------------------------------------


@dataclass(frozen=True)
class Symbolic:
    """A symbolic reference, {{kind:name}}."""

    kind: str
    name: str


def _shape(ref: str, expected: str | None) -> Resolution | Arn | Symbolic | str:
    """What a reference's text alone says: a Resolution when that settles it (dynamic, malformed),
    else the parsed ARN, the symbolic reference, or the bare ID."""
    value = ref.strip()
    if not value:
        return Resolution(MALFORMED, expected, message="empty")
    if is_dynamic(value):  # never an error: what it names is known only mid-call or at deploy time
        try:
            kind = (parse_arn(value).kind or None) if value.startswith("arn:") else None
        except MalformedArnError:
            kind = None
        if is_dynamic(PLACEHOLDER.sub("", value)):
            return Resolution(DYNAMIC, kind, message="a JSONPath part, known only mid-call")
        return Resolution(DYNAMIC, kind, message="a deploy-time placeholder, known only at deploy time")
    if value.startswith("arn:"):
        try:
            return parse_arn(value)
        except MalformedArnError as exc:
            return Resolution(MALFORMED, expected, message=str(exc))
    symbolic = parse_symbolic(value)
    if symbolic is not None:
        return Symbolic(*symbolic)
    if expected in ARN_ONLY:
        return Resolution(
            MALFORMED, expected, message=f"not an ARN: a {kind_name(expected)} ARN is {SHAPES[expected]}"
        )
    return value


class _InstanceMap:
    """A map of one instance (its Home) that knows some kinds: resolve() is the same for all; each
    map says which kinds it knows and where a reference is."""

    home: Home

    def describe(self) -> str:
        raise NotImplementedError

    def index(self, kind: str) -> Index | str:
        """The Index of `kind`, or why this map does not know that kind."""
        raise NotImplementedError

    def no_ids(self, kind: str) -> str:
        """Why a bare ID of `kind` is not checked (its Index is known by ARN only)."""
        return f"{kind_name(kind)}s are known by ARN only"

    def unknown_name(self, kind: str, name: str, known: Index) -> Resolution:
        """A symbolic reference whose name the Index lacks."""
        # A Lambda's symbolic name is our handler and the Lex bot's "bot": not names a listing gives.
        if known.all_named and kind not in ("lambda", "lex"):
            message = f"no {kind_name(kind)} named {name!r} of {self.describe()}"
            return Resolution(MISSING, kind, message=message)
        message = f"{self.describe()} does not name every {kind_name(kind)}: {name!r} not checked"
        return Resolution(UNCHECKED, kind, message=message)

    def resolve(self, ref: str, expected_kind: str | None = None) -> Resolution:
        shape = _shape(ref, expected_kind)
        if isinstance(shape, Resolution):
            return shape
        if isinstance(shape, Symbolic):
            return self.named(shape.kind, shape.name)
        if isinstance(shape, Arn):
            why = self.home.foreign(shape)
            if why:
                return Resolution(FOREIGN, shape.kind, message=why)
            kind, arn, ident = shape.kind, shape, shape.ident
        elif expected_kind is None:
            return Resolution(UNCHECKED, None, message="not an ARN")
        else:
            kind, arn, ident = expected_kind, None, shape
        known = self.index(kind)
        if isinstance(known, str):
            return Resolution(UNCHECKED, kind, message=known)
        if arn is None and not known.by_id:
            return Resolution(UNCHECKED, kind, message=self.no_ids(kind))
        key = known.find(arn, ident)
        if key is None:
            return Resolution(MISSING, kind, message=f"no {kind_name(kind)} of {self.describe()}")
        return Resolution(FOUND, kind, key, known.names.get(key, ""))

    def named(self, kind: str, name: str) -> Resolution:
        """A symbolic reference {{kind:name}}, found by the name the map gives the resource."""
        known = self.index(kind)
        if isinstance(known, str):
            return Resolution(UNCHECKED, kind, message=known)
        key = known.find_name(name)
        if key is None:
            return self.unknown_name(kind, name, known)
        return Resolution(FOUND, kind, key, known.names.get(key, ""))


class LocalMap(_InstanceMap):
    """This repository's instance, as the templates render it (flows.Resources): queues, flows,
    hours, the handlers' functions and the Lex bot by ARN and by the names `connect export` gives
    them (local_names); any agent of the instance (logins are not data here); queues, flows and
    hours also by their local ID (the data file's key), in our own flows only (`foreign`: the map
    of someone else's flows, whose bare IDs name their own instance's resources)."""

    def __init__(self, resources: Resources, *, foreign: bool = False) -> None:
        self.resources, self.foreign = resources, foreign
        self.home = Home(resources.region, resources.account, resources.instance)
        self.names = local_names(resources)
        self.ids_by_kind = {
            "queue": set(resources.config.queues),
            "flow": set(resources.catalog),
            "hours": set(resources.config.hours),
        }

    def describe(self) -> str:
        return "this repository's instance"

    def index(self, kind: str) -> Index | str:
        if kind in ("queue", "flow", "hours", "lambda", "lex", "agent"):
            return _LocalIndex(self, kind)
        return f"this repository does not list its instance's {kind_name(kind)}s"

    def no_ids(self, kind: str) -> str:
        if self.foreign and kind in self.ids_by_kind:
            return (
                f"a bare {kind_name(kind)} ID in a flow given to lint names a resource of the instance the "
                "flow comes from, not this repository's (check it with --resources FILE or --env ENV)"
            )
        return super().no_ids(kind)

    def unknown_name(self, kind: str, name: str, known: Index) -> Resolution:
        # `connect export` names only what the exported instance has; that instance may hold
        # resources this repository does not manage (Connect's BasicQueue...): not an error here.
        return Resolution(
            UNCHECKED,
            kind,
            message=f"no {kind_name(kind)} named {name!r} in this repository (check it with --env ENV)",
        )


class _LocalIndex(Index):
    def __init__(self, owner: LocalMap, kind: str) -> None:
        super().__init__(
            names=dict(owner.names.get(kind, {})), by_id=kind in owner.ids_by_kind and not owner.foreign
        )
        self.owner, self.kind = owner, kind

    def find(self, arn: Arn | None, ident: str) -> str | None:
        if arn is None:
            return ident if ident in self.owner.ids_by_kind.get(self.kind, ()) else None
        found = self.owner.resources.identify(arn.text) or self.owner.resources.identify(arn.unqualified)
        return found[1] if found and found[0] == self.kind else None


class InventoryMap(_InstanceMap):
    """An instance whose resources are listed per kind (a resources file, a live instance)."""

    def __init__(self, home: Home, label: str, indexes: Mapping[str, Index] | None = None) -> None:
        self.home, self.label = home, label
        self.indexes: dict[str, Index] = dict(indexes or {})

    def describe(self) -> str:
        return self.label

    def index(self, kind: str) -> Index | str:
        found = self.indexes.get(kind)
        return found if found is not None else f"{self.label} does not list {kind_name(kind)}s"


class NoResolveMap:
    """`--no-resolve`: nothing is looked up; an ARN's shape and kind are still checked."""

    def describe(self) -> str:
        return "no resolution"

    def resolve(self, ref: str, expected_kind: str | None = None) -> Resolution:
        shape = _shape(ref, expected_kind)
        if isinstance(shape, Resolution):
            return shape
        kind = shape.kind if isinstance(shape, Arn | Symbolic) else expected_kind
        return Resolution(UNCHECKED, kind, message="not resolved (--no-resolve)")


# ---- the flows given alongside ---------------------------------------------------------------------


def reference_forms(ref: str) -> list[str]:
    """The forms a reference to a flow or module is looked up under, the most exact first: an ARN as
    it is and without its version qualifier, then the ID at its end (a flow's ID names it in any
    ARN); anything else as it is (a bare ID, {{flow:NAME}}, ${Logical.ContactFlowArn})."""
    value = ref.strip()
    if not value.startswith("arn:"):
        return [value] if value else []
    try:
        arn = parse_arn(value)
    except MalformedArnError:
        return [value]
    forms = [value, arn.unqualified]
    if arn.kind in ("flow", "module") and arn.ident and not is_dynamic(arn.ident):
        forms.append(arn.ident)
    return list(dict.fromkeys(forms))


def flow_references(flows: Iterable[Flow]) -> dict[str, str]:
    """Every reference a given flow or module answers to -> its key (the first flow wins): the ARN or
    ID it is known by (Flow.arn) in each of its reference_forms, and, for a flow, `{{flow:NAME}}`,
    as `aicc-ops connect export` writes a reference to it. `flows lint` (with_flows), the rehearsal
    and the simulator all find the flows given with this (find_flow)."""
    out: dict[str, str] = {}
    for flow in flows:
        for form in reference_forms(flow.arn):
            out.setdefault(form, flow.key)
        if flow.type != MODULE:
            out.setdefault(symbolic_ref("flow", flow.name), flow.key)
    return out


def find_flow(ref: str, references: Mapping[str, str]) -> str | None:
    """The key a reference (ContactFlowId, FlowModuleId, an event hook's flow) names among
    `references` (flow_references), or None."""
    return next((references[f] for f in reference_forms(ref) if f in references), None)


class FlowsMap:
    """The flows and modules given alongside (flow_references), then `base`."""

    def __init__(self, base: ResourceMap, flows: Mapping[str, Flow]) -> None:
        self.base, self.flows = base, flows
        self.references = flow_references(flows.values())

    def describe(self) -> str:
        return f"{self.base.describe()} nor among the flows given"

    def resolve(self, ref: str, expected_kind: str | None = None) -> Resolution:
        value = ref.strip()
        # A bare ID names a resource of the kind its parameter takes: a queue's ID is no flow's.
        flow_like = expected_kind in (None, "flow", "module") or value.startswith(("arn:", "{{"))
        key = find_flow(value, self.references) if flow_like else None
        if key is not None and key in self.flows:
            kind = "module" if self.flows[key].type == MODULE else "flow"
            return Resolution(FOUND, kind, key, "given alongside")
        resolution = self.base.resolve(ref, expected_kind)
        if resolution.status == MISSING and resolution.kind in ("flow", "module"):
            return Resolution(
                MISSING, resolution.kind, message=f"no {kind_name(resolution.kind)} of {self.describe()}"
            )
        return resolution


def local_map(resources: Resources, *, foreign: bool = False) -> ResourceMap:
    """This repository's instance (the default). `foreign`: the map of flows given to lint from
    elsewhere, whose bare IDs name resources of their own instance (left unchecked)."""
    return LocalMap(resources, foreign=foreign)


def no_resolve_map() -> ResourceMap:
    return NoResolveMap()


def with_flows(base: ResourceMap, flows: Mapping[str, Flow]) -> ResourceMap:
    """`base`, with the flows and modules given alongside found first (flow_references)."""
    return FlowsMap(base, flows)


# ---- --resources FILE ------------------------------------------------------------------------------

# The file's keys: one list per kind (a kind left out is not checked; an empty list means none).
FILE_KINDS = {
    "queues": "queue",
    "flows": "flow",
    "modules": "module",
    "hours": "hours",
    "prompts": "prompt",
    "agents": "agent",
    "quick_connects": "quick_connect",
    "views": "view",
    "lambdas": "lambda",
    "lex_bots": "lex",
    "lex_v1_bots": "lex_v1",
}
FILE_FORMAT = """\
instance: arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID   # required
queues:                  # a kind left out is not checked; [] means the instance has none
  - arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID/queue/QUEUE_ID
  - id: QUEUE_ID         # or a mapping: arn or id, and an optional name
    name: Sales
flows, modules, hours, prompts, agents, quick_connects: the same
views:                   # view ARNs (a bare view ID in a flow is not checked)
lambdas:                 # function ARNs (or names, in the instance's account and Region)
lex_bots:                # Lex V2 bot alias ARNs
lex_v1_bots:             # Lex V1 bot names"""


def file_map(path: Path) -> ResourceMap:
    """The instance a resources file describes (`--resources FILE`, format in FILE_FORMAT)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResourceMapError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceMapError(f"{path}: cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ResourceMapError(f"{path}: not valid YAML or JSON: {exc}") from None
    return read_resources(data, path.name)


def read_resources(data: Any, label: str) -> InventoryMap:
    """The map of a resources document (the parsed file); errors name the field."""

    def fail(where: str, message: str) -> ResourceMapError:
        return ResourceMapError(f"{label}: {where}: {message}")

    if not isinstance(data, dict):
        raise ResourceMapError(
            f"{label}: must be a mapping with instance: and a list per kind\n{FILE_FORMAT}"
        )
    unknown = sorted(set(data) - {"instance", *FILE_KINDS})
    if unknown:
        raise fail(unknown[0], f"unknown key (the keys are instance, {', '.join(FILE_KINDS)})")
    instance = data.get("instance")
    try:
        arn = parse_arn(str(instance)) if isinstance(instance, str) else None
    except MalformedArnError as exc:
        raise fail("instance", str(exc)) from None
    if arn is None or arn.kind != "instance" or is_dynamic(arn.text):
        raise fail("instance", f"give the instance's ARN ({_INSTANCE_ARN})")
    home = Home(arn.region, arn.account, arn.instance)
    indexes: dict[str, Index] = {}
    for field_name, kind in FILE_KINDS.items():
        if field_name not in data:
            continue
        entries = data[field_name]
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise fail(field_name, "must be a list")
        index = indexes[kind] = Index(by_id=kind not in BY_ARN_ONLY)
        for i, entry in enumerate(entries):
            _file_entry(index, kind, home, entry, f"{label}: {field_name}[{i}]")
    return InventoryMap(home, label, indexes)


def _file_entry(index: Index, kind: str, home: Home, entry: Any, where: str) -> None:
    def fail(message: str) -> ResourceMapError:
        return ResourceMapError(f"{where}: {message}")

    name = ""
    if isinstance(entry, dict):
        extra = sorted(set(entry) - {"arn", "id", "name"})
        if extra:
            raise fail(f"unknown key {extra[0]!r} (an entry has arn or id, and name)")
        given = [k for k in ("arn", "id") if entry.get(k)]
        if len(given) != 1:
            raise fail("give one of arn or id")
        value, name = entry[given[0]], entry.get("name") or ""
        if not isinstance(value, str) or not isinstance(name, str):
            raise fail("arn, id and name are text")
    elif isinstance(entry, str) and entry:
        value = entry
    else:
        raise fail("an entry is an ARN, an ID, or a mapping with arn or id")
    value = value.strip()
    if kind == "lambda" and not value.startswith("arn:"):
        value = f"arn:aws:lambda:{home.region}:{home.account}:function:{value}"
    if kind == "lex_v1":
        index.add(value, ident=value, name=name or value)
        return
    if not value.startswith("arn:"):
        if kind in ARN_ONLY:
            raise fail(f"{value!r} is not an ARN ({SHAPES[kind]})")
        if not _ID.match(value):
            raise fail(f"{value!r} is not an ID")
        index.add(value, ident=value, name=name)
        return
    try:
        arn = parse_arn(value)
    except MalformedArnError as exc:
        raise fail(str(exc)) from None
    if is_dynamic(value):
        raise fail("a resource listed here has no JSONPath in it")
    if arn.kind != kind:
        raise fail(f"{value} is a {kind_name(arn.kind)}, not a {kind_name(kind)}")
    why = home.foreign(arn)
    if why:
        raise fail(f"{value} is not of the instance ({why})")
    index.add(arn.ident if kind not in ARN_ONLY else arn.unqualified, arn=value, ident=arn.ident, name=name)


# ---- a live instance -------------------------------------------------------------------------------

# kind -> (List operation, result key, parameters, the largest page the operation gives): read
# once, on the first reference of the kind. Full pages keep the calls few: 2 000 users are two
# ListUsers calls, inside Connect's 2 requests/s.
LISTS: dict[str, tuple[str, str, dict[str, Any], int]] = {
    "queue": ("ListQueues", "QueueSummaryList", {}, 1000),
    "flow": ("ListContactFlows", "ContactFlowSummaryList", {}, 1000),
    "module": ("ListContactFlowModules", "ContactFlowModulesSummaryList", {}, 1000),
    "hours": ("ListHoursOfOperations", "HoursOfOperationSummaryList", {}, 1000),
    "prompt": ("ListPrompts", "PromptSummaryList", {}, 1000),
    "quick_connect": ("ListQuickConnects", "QuickConnectSummaryList", {}, 1000),
    "agent": ("ListUsers", "UserSummaryList", {}, 1000),
    "view": ("ListViews", "ViewsSummaryList", {}, 100),
    "lambda": ("ListLambdaFunctions", "LambdaFunctions", {}, 25),
    "lex": ("ListBots", "LexBots", {"LexVersion": "V2"}, 25),
    "lex_v1": ("ListBots", "LexBots", {"LexVersion": "V1"}, 25),
}


class LiveMap(InventoryMap):
    """A live instance, read through a Connect client: each kind is listed once, when a reference
    first needs it. The client paces the calls (OpsContext's clients: Connect's 2 requests/s with
    a burst of 5, botocore's adaptive retries on a throttle). A kind that cannot be listed (no
    permission for ListViews, say) is left unchecked, with the reason in each resolution."""

    def __init__(self, client: Any, home: Home, label: str) -> None:
        super().__init__(home, label)
        self.client = client
        self.unlisted: dict[str, str] = {}
        self.calls: list[str] = []  # the List operations made, in order (for the summary and tests)

    def index(self, kind: str) -> Index | str:
        if kind in self.indexes:
            return self.indexes[kind]
        if kind in self.unlisted:
            return self.unlisted[kind]
        if kind not in LISTS:
            return f"{kind_name(kind)}s are not listed"
        operation, key, params, page = LISTS[kind]
        from botocore.exceptions import BotoCoreError, ClientError

        self.calls.append(f"{operation}{''.join(f' {k}={v}' for k, v in params.items())}")
        try:
            items = list(
                iter_pages(
                    self.client,
                    operation,
                    key,
                    InstanceId=self.home.instance,
                    PaginationConfig={"PageSize": page},
                    **params,
                )
            )
        except (BotoCoreError, ClientError) as exc:
            self.unlisted[kind] = f"not checked: {error_text(exc)}"
            return self.unlisted[kind]
        index = self.indexes[kind] = _index_of(kind, items)
        return index


def _index_of(kind: str, items: Iterable[Any]) -> Index:
    index = Index(by_id=kind not in BY_ARN_ONLY)
    for item in items:
        if kind == "lambda":
            arn = str(item)
            index.add(_unqualified(arn), arn=arn, name=arn.rsplit(":function:", 1)[-1])
        elif kind == "lex":
            alias = str((item.get("LexV2Bot") or {}).get("AliasArn") or "")
            if alias:
                index.add(alias, arn=alias, name=alias.split("bot-alias/", 1)[-1])
        elif kind == "lex_v1":
            name = str((item.get("LexBot") or {}).get("Name") or "")
            if name:
                index.add(name, ident=name, name=name)
        else:
            ident = str(item.get("Id") or "")
            index.add(
                ident,
                arn=str(item.get("Arn") or ""),
                ident=ident,
                name=str(item.get("Name") or item.get("Username") or ""),
            )
    return index


def connect_map(client: Any, instance_id: str, label: str | None = None) -> LiveMap:
    """The live instance `instance_id` (an ID or ARN), read through `client` (a boto3 Connect
    client). DescribeInstance gives its ARN: its account and Region. Raises ResourceMapError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        found = client.describe_instance(InstanceId=instance_id)["Instance"]
    except (BotoCoreError, ClientError) as exc:
        raise ResourceMapError(f"Connect instance {instance_id}: {error_text(exc)}") from None
    try:
        arn = parse_arn(str(found.get("Arn") or ""))
    except MalformedArnError:
        arn = None
    if arn is None or arn.kind != "instance":
        raise ResourceMapError(f"Connect instance {instance_id}: DescribeInstance gave no instance ARN")
    home = Home(arn.region, arn.account, arn.instance)
    return LiveMap(client, home, label or f"instance {home.instance} in {home.region} (live)")
