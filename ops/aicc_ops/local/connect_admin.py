# ruff: noqa: N802 - op_<Operation> methods carry the Connect operation names
"""Connect's write API on the local emulator: what Terraform's AWS provider and the deploy steps
call to build an instance (instances, storage, hours, queues, routing and security profiles,
quick connects, flows and modules, Lambda and Lex associations, tags, phone numbers).

Every instance keeps its own resources (InstanceState); the emulator's stores (`queues`, `flows`...)
are those of the instance the request names, else of the local stack's own instance, which the
live calls read. Created resources get UUIDs and ARNs of their instance, as in Connect; names are
unique per kind (DuplicateResourceException); flow content is checked as Connect checks it on
create and update (InvalidContactFlowException with its problems).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, cast

from ..engine import graph
from ..engine.actions import SPECS
from .connect_protocol import ConnectError, invalid, not_found, service_model

T = TypeVar("T")
# Connect builds an instance in the background (CreateInstance answers at once; DescribeInstance says
# CREATION_IN_PROGRESS, then ACTIVE), and claims a number the same way (IN_PROGRESS, then CLAIMED).
SETTLE_SECONDS = 1.0
FLOW_VERSION = "2019-10-30"
# The attributes' defaults when CreateInstance names none (the provider's defaults follow them).
ATTRIBUTE_DEFAULTS = {
    "CONTACTFLOW_LOGS": "false",
    "CONTACT_LENS": "true",
    "AUTO_RESOLVE_BEST_VOICES": "true",
    "USE_CUSTOM_TTS_VOICES": "false",
    "EARLY_MEDIA": "true",
    "MULTI_PARTY_CONFERENCE": "false",
}
# What Connect puts in a new instance (the names the console and the provider's data sources find).
DEFAULT_FLOW_TYPES = {
    "Default queue transfer": "QUEUE_TRANSFER",
    "Default agent transfer": "AGENT_TRANSFER",
    "Default customer queue": "CUSTOMER_QUEUE",
    "Default customer hold": "CUSTOMER_HOLD",
    "Default agent hold": "AGENT_HOLD",
    "Default customer whisper": "CUSTOMER_WHISPER",
    "Default agent whisper": "AGENT_WHISPER",
    "Default outbound": "OUTBOUND_WHISPER",
    "Sample inbound flow (first contact experience)": "CONTACT_FLOW",
}
DEFAULT_SECURITY_PROFILES = {
    "Admin": ["BasicAgentAccess", "OutboundCallAccess", "AccessMetrics", "RoutingPolicies.View"],
    "Agent": ["BasicAgentAccess", "OutboundCallAccess"],
    "CallCenterManager": ["BasicAgentAccess", "AccessMetrics", "Queues.View", "Users.View"],
    "QualityAnalyst": ["AccessMetrics", "ContactSearch.View"],
}
BASIC_HOURS, BASIC_QUEUE, BASIC_PROFILE = "Basic Hours", "BasicQueue", "Basic Routing Profile"
DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
# E.164 country calling codes of the countries a number may be searched in locally.
CALLING_CODES = {"KR": "82", "US": "1", "JP": "81", "GB": "44", "AU": "61", "CA": "1", "DE": "49"}


def _now() -> datetime:
    return datetime.now(UTC)


def _flow_content(action: str) -> str:
    """One-block content: what a default flow needs to be a valid flow."""
    return json.dumps(
        {
            "Version": FLOW_VERSION,
            "StartAction": "a",
            "Actions": [{"Identifier": "a", "Type": action, "Parameters": {}, "Transitions": {}}],
        }
    )


@dataclass
class InstanceState:
    """One instance's record and resources (what the emulator's stores hold)."""

    record: dict[str, Any]
    attributes: dict[str, str] = field(default_factory=dict)
    active_at: float = 0.0  # time.monotonic() after which it is ACTIVE
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    hours: dict[str, dict[str, Any]] = field(default_factory=dict)
    routing_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile_queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    quick_connects: dict[str, dict[str, Any]] = field(default_factory=dict)
    queue_quick_connects: dict[str, list[str]] = field(default_factory=dict)  # queue ID -> QC IDs
    security_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    predefined: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    storage: dict[str, dict[str, Any]] = field(default_factory=dict)  # association ID -> config
    lambdas: list[str] = field(default_factory=list)
    bots: list[dict[str, Any]] = field(default_factory=list)
    vocabularies: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.record["Id"])

    @property
    def arn(self) -> str:
        return str(self.record["Arn"])


class _Store(Generic[T]):
    """An emulator store that is the current instance's (ConnectAdmin.state)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        return cast(T, getattr(obj.state(), self.name))


def duplicate(operation: str, message: str) -> ConnectError:
    """The operation's modelled error for a name or association that exists already."""
    errors = {e.name for e in service_model().operation_model(operation).error_shapes}
    for code in ("DuplicateResourceException", "ResourceConflictException"):
        if code in errors:
            return ConnectError(code, message)
    return ConnectError("InvalidRequestException", message)


def flow_problems(content: str) -> list[str]:
    """Why Connect would refuse this flow content (InvalidContactFlowException's problems): JSON
    in the Flow Language, every action a known type with a unique Identifier, every transition to
    an action of the flow (the engine's own reading of a flow: actions.SPECS, graph.transitions)."""
    try:
        doc = json.loads(content)
    except ValueError as exc:
        return [f"Content is not JSON: {exc}"]
    if not isinstance(doc, dict):
        return ["Content must be a JSON object"]
    problems = []
    if doc.get("Version") != FLOW_VERSION:
        problems.append(f"Version must be {FLOW_VERSION!r}")
    actions = doc.get("Actions")
    if not isinstance(actions, list) or not actions:
        return [*problems, "Actions must be a non-empty list"]
    idents: list[str] = []
    for n, action in enumerate(actions):
        ident = action.get("Identifier") if isinstance(action, dict) else None
        if not isinstance(ident, str) or not ident:
            problems.append(f"Actions[{n}] has no Identifier")
            continue
        if ident in idents:
            problems.append(f"Identifier {ident} is used twice")
        idents.append(ident)
        if action.get("Type") not in SPECS:
            problems.append(f"{ident}: {action.get('Type')!r} is not an action type")
    for action in actions:
        if not isinstance(action, dict):
            continue
        t = graph.transitions(action)
        targets = [t.get("NextAction", "")] + [c["NextAction"] for c in t.get("Conditions", [])]
        targets += [e["NextAction"] for e in t.get("Errors", [])]
        problems += [
            f"{action.get('Identifier')}: transition to {target}, no action of this flow"
            for target in targets
            if target and target not in idents
        ]
    if doc.get("StartAction") not in idents:
        problems.append(f"StartAction {doc.get('StartAction')!r} is not an action of this flow")
    return problems


def _check_content(content: str, code: str = "InvalidContactFlowException", member: str = "problems") -> None:
    problems = flow_problems(content)
    if problems:
        raise ConnectError(code, "; ".join(problems), {member: [{"message": p} for p in problems]})


class ConnectAdmin:
    """Mixin of ConnectEmulator: the instances and the operations that build them."""

    region: str
    account: str
    instance_id: str
    lock: threading.RLock
    instances: dict[str, InstanceState]
    numbers: dict[str, dict[str, Any]]
    offered: dict[str, str]
    _current: threading.local

    queues: _Store[dict[str, dict[str, Any]]] = _Store()
    hours: _Store[dict[str, dict[str, Any]]] = _Store()
    routing_profiles: _Store[dict[str, dict[str, Any]]] = _Store()
    profile_queues: _Store[dict[str, list[dict[str, Any]]]] = _Store()
    flows: _Store[dict[str, dict[str, Any]]] = _Store()
    modules: _Store[dict[str, dict[str, Any]]] = _Store()
    quick_connects: _Store[dict[str, dict[str, Any]]] = _Store()
    queue_quick_connects: _Store[dict[str, list[str]]] = _Store()
    security_profiles: _Store[dict[str, dict[str, Any]]] = _Store()
    users: _Store[dict[str, dict[str, Any]]] = _Store()
    predefined: _Store[dict[str, dict[str, Any]]] = _Store()
    status: _Store[dict[str, tuple[str, datetime]]] = _Store()
    passwords: _Store[dict[str, str]] = _Store()
    vocabularies: _Store[dict[str, dict[str, Any]]] = _Store()

    # Of ConnectEmulator.
    _get: Callable[..., dict[str, Any]]
    _page: Callable[..., dict[str, Any]]
    _touch: Callable[[dict[str, Any]], None]
    _id: Callable[[str], str]
    _queue_configs: Callable[[Mapping[str, Any]], list[dict[str, Any]]]

    # ---- instances ---------------------------------------------------------------------------
    def _init_instances(self, instance_id: str, instance_arn: str, alias: str, identity: str) -> None:
        self.instances = {}
        self.numbers = {}  # phone numbers by ID: the account's, claimed to an instance
        self.offered = {}  # numbers SearchAvailablePhoneNumbers found -> their type
        self._current = threading.local()
        self._add_instance(instance_id, instance_arn, alias, identity, inbound=True, outbound=True)

    def _add_instance(
        self, ident: str, arn: str, alias: str, identity: str, *, inbound: bool, outbound: bool
    ) -> InstanceState:
        record = {
            "Id": ident,
            "Arn": arn,
            "IdentityManagementType": identity,
            "InstanceAlias": alias,
            "CreatedTime": _now(),
            "ServiceRole": f"arn:aws:iam::{self.account}:role/aws-service-role/connect.amazonaws.com/"
            f"AWSServiceRoleForAmazonConnect_{ident[:8]}",
            "InboundCallsEnabled": inbound,
            "OutboundCallsEnabled": outbound,
            "InstanceAccessUrl": f"https://{alias}.my.connect.aws",
        }
        attributes = {
            **ATTRIBUTE_DEFAULTS,
            "INBOUND_CALLS": str(inbound).lower(),
            "OUTBOUND_CALLS": str(outbound).lower(),
        }
        state = InstanceState(record, attributes)
        self.instances[ident] = state
        return state

    def state(self) -> InstanceState:
        """The instance of the request being served; else the local stack's own."""
        return getattr(self._current, "state", None) or self.instances[self.instance_id]

    def select(self, ident: str | None) -> None:
        """Serve this thread's request on instance `ident` (an ID or ARN; None: the local one)."""
        self._current.state = None if ident is None else self._instance_state(ident)

    def _instance_state(self, ident: str) -> InstanceState:
        state = self.instances.get(self._id(ident))
        if state is None or ident not in (state.id, state.arn):
            raise not_found(f"Instance {ident} not found")
        return state

    def _instance(self, ident: str) -> None:
        self.select(ident)

    def named(self, instance: str, store: str, name: str) -> dict[str, Any] | None:
        """A resource of an instance by its name (`store`: "queues", "flows"...): how the engine
        finds what Terraform created, whose IDs are Connect's UUIDs, from the data files' names."""
        with self.lock:
            records: Mapping[str, dict[str, Any]] = getattr(self._instance_state(instance), store)
            key = "SecurityProfileName" if store == "security_profiles" else "Name"
            return next((r for r in records.values() if r.get(key) == name), None)

    def _status(self, state: InstanceState) -> str:
        return "ACTIVE" if time.monotonic() >= state.active_at else "CREATION_IN_PROGRESS"

    def arn(self, kind: str, ident: str) -> str:
        return f"{self.state().arn}/{kind}/{ident}"

    def op_CreateInstance(self, p: dict[str, Any]) -> dict[str, Any]:
        identity = str(p["IdentityManagementType"])
        alias = p.get("InstanceAlias")
        if identity != "EXISTING_DIRECTORY" and not alias:
            raise ConnectError("InvalidRequestException", "InstanceAlias is required")
        alias = str(alias or p.get("DirectoryId"))
        if any(s.record["InstanceAlias"] == alias for s in self.instances.values()):
            raise ConnectError("InvalidRequestException", f"Alias {alias} is already in use")
        ident = str(uuid.uuid4())
        arn = f"arn:aws:connect:{self.region}:{self.account}:instance/{ident}"
        state = self._add_instance(
            ident,
            arn,
            alias,
            identity,
            inbound=bool(p["InboundCallsEnabled"]),
            outbound=bool(p["OutboundCallsEnabled"]),
        )
        state.active_at = time.monotonic() + SETTLE_SECONDS
        if p.get("Tags"):
            state.record["Tags"] = dict(p["Tags"])
        self._current.state = state
        self._seed_defaults()
        return {"Id": ident, "Arn": arn}

    def _seed_defaults(self) -> None:
        """What Connect creates in every new instance (its default flows, hours, queue, routing and
        security profiles)."""
        transfer = {"QUEUE_TRANSFER", "AGENT_TRANSFER"}
        for name, kind in DEFAULT_FLOW_TYPES.items():
            self._new_flow(
                name,
                kind,
                "Created by Amazon Connect",
                _flow_content("TransferContactToQueue" if kind in transfer else "MessageParticipant"),
            )
        hours = self._new_hours(
            BASIC_HOURS,
            "Basic Hours",
            "UTC",
            [
                {"Day": d, "StartTime": {"Hours": 0, "Minutes": 0}, "EndTime": {"Hours": 0, "Minutes": 0}}
                for d in DAYS
            ],
        )
        queue = self._new_queue({"Name": BASIC_QUEUE, "HoursOfOperationId": hours, "Description": ""})
        self.op_CreateRoutingProfile(
            {
                "Name": BASIC_PROFILE,
                "Description": "Basic routing profile",
                "DefaultOutboundQueueId": queue,
                "MediaConcurrencies": [{"Channel": "VOICE", "Concurrency": 1}],
                "QueueConfigs": [
                    {"QueueReference": {"QueueId": queue, "Channel": "VOICE"}, "Priority": 1, "Delay": 0}
                ],
            }
        )
        for name, permissions in DEFAULT_SECURITY_PROFILES.items():
            self.op_CreateSecurityProfile({"SecurityProfileName": name, "Permissions": permissions})

    def _describe(self, state: InstanceState) -> dict[str, Any]:
        return {**state.record, "InstanceStatus": self._status(state)}

    def op_DescribeInstance(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Instance": self._describe(self._instance_state(p["InstanceId"]))}

    def op_ListInstances(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [self._describe(s) for s in self.instances.values()]
        return self._page(items, p, "InstanceSummaryList", 10)

    def op_DeleteInstance(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._instance_state(p["InstanceId"])
        if state.id == self.instance_id:
            raise ConnectError("InvalidRequestException", "the local stack's own instance stays")
        for number in list(self.numbers.values()):
            if number["TargetArn"] == state.arn:
                del self.numbers[number["PhoneNumberId"]]  # released with the instance
        del self.instances[state.id]
        return {}

    def op_DescribeInstanceAttribute(self, p: dict[str, Any]) -> dict[str, Any]:
        kind = p["AttributeType"]
        value = self.state().attributes.get(kind, "false")
        return {"Attribute": {"AttributeType": kind, "Value": value}}

    def op_UpdateInstanceAttribute(self, p: dict[str, Any]) -> dict[str, Any]:
        if str(p["Value"]).lower() not in ("true", "false"):
            raise invalid(f"Value {p['Value']!r}: true or false")
        self.state().attributes[p["AttributeType"]] = str(p["Value"]).lower()
        return {}

    def op_ListInstanceAttributes(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [{"AttributeType": k, "Value": v} for k, v in sorted(self.state().attributes.items())]
        return self._page(items, p, "Attributes", 7)

    # ---- storage configs ---------------------------------------------------------------------
    def _storage(self, p: Mapping[str, Any]) -> dict[str, Any]:
        found = self.state().storage.get(str(p["AssociationId"]))
        if found is None or found["ResourceType"] != p["ResourceType"]:
            raise not_found(f"storage config {p['AssociationId']} of {p['ResourceType']} not found")
        return found

    @staticmethod
    def _storage_config(config: Mapping[str, Any]) -> dict[str, Any]:
        kind = str(config["StorageType"])
        needs = {
            "S3": "S3Config",
            "KINESIS_VIDEO_STREAM": "KinesisVideoStreamConfig",
            "KINESIS_STREAM": "KinesisStreamConfig",
            "KINESIS_FIREHOSE": "KinesisFirehoseConfig",
        }.get(kind)
        if needs and not config.get(needs):
            raise invalid(f"StorageType {kind} needs {needs}")
        return {k: v for k, v in config.items() if k != "AssociationId"}

    def op_AssociateInstanceStorageConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        storage = self.state().storage
        kind = p["ResourceType"]
        if any(s["ResourceType"] == kind for s in storage.values()):
            raise duplicate("AssociateInstanceStorageConfig", f"{kind} already has a storage config")
        ident = uuid.uuid4().hex + uuid.uuid4().hex  # Connect's association IDs: 64 hex digits
        storage[ident] = {"ResourceType": kind, **self._storage_config(p["StorageConfig"])}
        return {"AssociationId": ident}

    def op_DescribeInstanceStorageConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        found = self._storage(p)
        return {"StorageConfig": {"AssociationId": p["AssociationId"], **found}}

    def op_ListInstanceStorageConfigs(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [
            {"AssociationId": k, **v}
            for k, v in self.state().storage.items()
            if v["ResourceType"] == p["ResourceType"]
        ]
        return self._page(items, p, "StorageConfigs", 10)

    def op_UpdateInstanceStorageConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        found = self._storage(p)
        kind = found["ResourceType"]
        found.clear()
        found.update({"ResourceType": kind, **self._storage_config(p["StorageConfig"])})
        return {}

    def op_DisassociateInstanceStorageConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        self._storage(p)
        del self.state().storage[str(p["AssociationId"])]
        return {}

    # ---- names, tags -------------------------------------------------------------------------
    @staticmethod
    def _unique(
        operation: str,
        store: Mapping[str, dict[str, Any]],
        name: str,
        kind: str,
        own: str = "",
        key: str = "Name",
    ) -> None:
        if any(r.get(key) == name and i != own for i, r in store.items()):
            raise duplicate(operation, f"{kind} {name!r} already exists")

    @staticmethod
    def _tagged(record: dict[str, Any], p: Mapping[str, Any]) -> dict[str, Any]:
        if p.get("Tags"):
            record["Tags"] = dict(p["Tags"])
        return record

    def _tag_holder(self, arn: str) -> dict[str, Any]:
        """The record an ARN names: an instance, a resource of one, or a phone number."""
        for number in self.numbers.values():
            if number["PhoneNumberArn"] == arn:
                return number
        state = next((s for s in self.instances.values() if arn.startswith(s.arn)), None)
        if state is None:
            raise not_found(f"resource {arn} not found")
        if arn == state.arn:
            return state.record
        kind, _, ident = arn[len(state.arn) + 1 :].partition("/")
        stores: dict[str, Mapping[str, dict[str, Any]]] = {
            "queue": state.queues,
            "operating-hours": state.hours,
            "routing-profile": state.routing_profiles,
            "contact-flow": state.flows,
            "flow-module": state.modules,
            "transfer-destination": state.quick_connects,
            "security-profile": state.security_profiles,
            "agent": state.users,
            "vocabulary": state.vocabularies,
        }
        found = stores.get(kind, {}).get(ident)
        if found is None:
            raise not_found(f"resource {arn} not found")
        return found

    def op_TagResource(self, p: dict[str, Any]) -> dict[str, Any]:
        holder = self._tag_holder(p["resourceArn"])
        holder["Tags"] = {**holder.get("Tags", {}), **p["tags"]}
        return {}

    def op_UntagResource(self, p: dict[str, Any]) -> dict[str, Any]:
        holder = self._tag_holder(p["resourceArn"])
        tags = {k: v for k, v in holder.get("Tags", {}).items() if k not in set(p["tagKeys"])}
        if tags:
            holder["Tags"] = tags
        else:
            holder.pop("Tags", None)  # Connect leaves an empty map out
        return {}

    def op_ListTagsForResource(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"tags": dict(self._tag_holder(p["resourceArn"]).get("Tags", {}))}

    # ---- hours of operation ------------------------------------------------------------------
    @staticmethod
    def _hours_config(config: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for c in config:
            for edge in ("StartTime", "EndTime"):
                t = c[edge]
                if not (0 <= int(t["Hours"]) <= 23 and 0 <= int(t["Minutes"]) <= 59):
                    raise invalid(f"{c['Day']} {edge}: hours 0-23, minutes 0-59")
            out.append({"Day": c["Day"], "StartTime": dict(c["StartTime"]), "EndTime": dict(c["EndTime"])})
        return out

    def _new_hours(self, name: str, description: str, zone: str, config: list[dict[str, Any]]) -> str:
        ident = str(uuid.uuid4())
        record = {
            "HoursOfOperationId": ident,
            "HoursOfOperationArn": self.arn("operating-hours", ident),
            "Name": name,
            "Description": description,
            "TimeZone": zone,
            "Config": self._hours_config(config),
        }
        self._touch(record)
        self.hours[ident] = record
        return ident

    def op_CreateHoursOfOperation(self, p: dict[str, Any]) -> dict[str, Any]:
        self._unique("CreateHoursOfOperation", self.hours, p["Name"], "HoursOfOperation")
        ident = self._new_hours(p["Name"], p.get("Description", ""), p["TimeZone"], p["Config"])
        self._tagged(self.hours[ident], p)
        return {"HoursOfOperationId": ident, "HoursOfOperationArn": self.hours[ident]["HoursOfOperationArn"]}

    def op_UpdateHoursOfOperation(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self._get(self.hours, p["HoursOfOperationId"], "HoursOfOperation")
        if "Name" in p:
            own = record["HoursOfOperationId"]
            self._unique("UpdateHoursOfOperation", self.hours, p["Name"], "HoursOfOperation", own)
            record["Name"] = p["Name"]
        for key in ("Description", "TimeZone"):
            if key in p:
                record[key] = p[key]
        if "Config" in p:
            record["Config"] = self._hours_config(p["Config"])
        self._touch(record)
        return {}

    def op_DeleteHoursOfOperation(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self._get(self.hours, p["HoursOfOperationId"], "HoursOfOperation")
        ident = record["HoursOfOperationId"]
        users = [q["Name"] for q in self.queues.values() if q.get("HoursOfOperationId") == ident]
        if users:
            raise ConnectError("InvalidRequestException", f"hours {record['Name']} are used by {users}")
        del self.hours[ident]
        return {}

    # ---- queues ------------------------------------------------------------------------------
    def _caller_config(self, config: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if not config:
            return None
        if config.get("OutboundFlowId"):
            self._get(self.flows, config["OutboundFlowId"], "ContactFlow")
        number = config.get("OutboundCallerIdNumberId")
        if number and self._id(number) not in self.numbers:
            raise not_found(f"PhoneNumber {number} not found")
        return {k: v for k, v in config.items() if v}

    def _new_queue(self, p: Mapping[str, Any]) -> str:
        hours = self._get(self.hours, p["HoursOfOperationId"], "HoursOfOperation")
        ident = str(uuid.uuid4())
        record = {
            "QueueId": ident,
            "QueueArn": self.arn("queue", ident),
            "Name": p["Name"],
            "Description": p.get("Description"),
            "HoursOfOperationId": hours["HoursOfOperationId"],
            "MaxContacts": p.get("MaxContacts"),
            "Status": "ENABLED",
            "OutboundCallerConfig": self._caller_config(p.get("OutboundCallerConfig")),
        }
        self._touch(self._tagged(record, p))
        self.queues[ident] = record
        self.queue_quick_connects[ident] = []
        return ident

    def op_CreateQueue(self, p: dict[str, Any]) -> dict[str, Any]:
        self._unique("CreateQueue", self.queues, p["Name"], "Queue")
        for qc in p.get("QuickConnectIds") or []:
            self._get(self.quick_connects, qc, "QuickConnect")
        ident = self._new_queue(p)
        self.queue_quick_connects[ident] = [self._id(q) for q in p.get("QuickConnectIds") or []]
        return {"QueueId": ident, "QueueArn": self.queues[ident]["QueueArn"]}

    def _queue(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return self._get(self.queues, p["QueueId"], "Queue")

    def _update_queue(self, p: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
        queue = self._queue(p)
        queue.update(changes)
        self._touch(queue)
        return {}

    def op_UpdateQueueName(self, p: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(p)
        if "Name" in p:
            self._unique("UpdateQueueName", self.queues, p["Name"], "Queue", queue["QueueId"])
        changes = {k: p[k] for k in ("Name", "Description") if k in p}
        return self._update_queue(p, **changes)

    def op_UpdateQueueHoursOfOperation(self, p: dict[str, Any]) -> dict[str, Any]:
        hours = self._get(self.hours, p["HoursOfOperationId"], "HoursOfOperation")
        return self._update_queue(p, HoursOfOperationId=hours["HoursOfOperationId"])

    def op_UpdateQueueOutboundCallerConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_queue(p, OutboundCallerConfig=self._caller_config(p["OutboundCallerConfig"]))

    def op_UpdateQueueStatus(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_queue(p, Status=p["Status"])

    def op_UpdateQueueMaxContacts(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_queue(p, MaxContacts=p.get("MaxContacts"))

    def op_AssociateQueueQuickConnects(self, p: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(p)
        offered = self.queue_quick_connects.setdefault(queue["QueueId"], [])
        for qc in p["QuickConnectIds"]:
            ident = self._get(self.quick_connects, qc, "QuickConnect")["QuickConnectId"]
            if ident not in offered:
                offered.append(ident)
        return {}

    def op_DisassociateQueueQuickConnects(self, p: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(p)
        gone = {self._id(q) for q in p["QuickConnectIds"]}
        offered = self.queue_quick_connects.get(queue["QueueId"], [])
        self.queue_quick_connects[queue["QueueId"]] = [q for q in offered if q not in gone]
        return {}

    def op_ListQueueQuickConnects(self, p: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(p)
        offered = self.queue_quick_connects.get(queue["QueueId"], [])
        items = [
            self._quick_connect_summary(self.quick_connects[q]) for q in offered if q in self.quick_connects
        ]
        return self._page(items, p, "QuickConnectSummaryList")

    def op_DeleteQueue(self, p: dict[str, Any]) -> dict[str, Any]:
        ident = self._queue(p)["QueueId"]
        in_profiles = [
            r["Name"]
            for k, r in self.routing_profiles.items()
            if r.get("DefaultOutboundQueueId") == ident
            or any(c["QueueId"] == ident for c in self.profile_queues[k])
        ]
        if in_profiles:
            raise ConnectError(
                "ResourceInUseException",
                f"queue {ident} is used by routing profile(s) {', '.join(in_profiles)}",
                {"ResourceId": ident},  # its ResourceType enum has no ROUTING_PROFILE,
            )
        del self.queues[ident]
        self.queue_quick_connects.pop(ident, None)
        return {}

    # ---- routing profiles --------------------------------------------------------------------
    def op_CreateRoutingProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        self._unique("CreateRoutingProfile", self.routing_profiles, p["Name"], "RoutingProfile")
        default = self._get(self.queues, p["DefaultOutboundQueueId"], "Queue")
        configs = self._queue_configs(p)
        ident = str(uuid.uuid4())
        record = {
            "RoutingProfileId": ident,
            "RoutingProfileArn": self.arn("routing-profile", ident),
            "Name": p["Name"],
            "Description": p["Description"],
            "InstanceId": self.state().id,
            "MediaConcurrencies": self._media(p["MediaConcurrencies"]),
            "DefaultOutboundQueueId": default["QueueId"],
            "AgentAvailabilityTimer": p.get("AgentAvailabilityTimer", "TIME_SINCE_LAST_ACTIVITY"),
        }
        self._touch(self._tagged(record, p))
        self.routing_profiles[ident] = record
        self.profile_queues[ident] = configs
        return {"RoutingProfileId": ident, "RoutingProfileArn": record["RoutingProfileArn"]}

    @staticmethod
    def _media(media: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for m in media:
            if m["Channel"] in out:
                raise invalid(f"MediaConcurrencies names {m['Channel']} twice")
            out[m["Channel"]] = {
                k: v for k, v in m.items() if k in ("Channel", "Concurrency", "CrossChannelBehavior")
            }
        return list(out.values())

    def _profile(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")

    def op_UpdateRoutingProfileName(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        if "Name" in p:
            own = profile["RoutingProfileId"]
            self._unique("UpdateRoutingProfileName", self.routing_profiles, p["Name"], "RoutingProfile", own)
        profile.update({k: p[k] for k in ("Name", "Description") if k in p})
        self._touch(profile)
        return {}

    def op_UpdateRoutingProfileConcurrency(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        given = {m["Channel"]: m for m in self._media(p["MediaConcurrencies"])}
        kept = [m for m in profile["MediaConcurrencies"] if m["Channel"] not in given]
        profile["MediaConcurrencies"] = kept + list(given.values())
        self._touch(profile)
        return {}

    def op_UpdateRoutingProfileDefaultOutboundQueue(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        profile["DefaultOutboundQueueId"] = self._get(self.queues, p["DefaultOutboundQueueId"], "Queue")[
            "QueueId"
        ]
        self._touch(profile)
        return {}

    def op_DeleteRoutingProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        ident = self._profile(p)["RoutingProfileId"]
        if any(u["RoutingProfileId"] == ident for u in self.users.values()):
            raise ConnectError(
                "ResourceInUseException",
                f"routing profile {ident} has users",
                {"ResourceType": "USER", "ResourceId": ident},
            )
        del self.routing_profiles[ident]
        self.profile_queues.pop(ident, None)
        return {}

    # ---- security profiles -------------------------------------------------------------------
    def op_CreateSecurityProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        name = p["SecurityProfileName"]
        self._unique(
            "CreateSecurityProfile",
            self.security_profiles,
            name,
            "SecurityProfile",
            key="SecurityProfileName",
        )
        ident = str(uuid.uuid4())
        record = {
            "Id": ident,
            "Arn": self.arn("security-profile", ident),
            "SecurityProfileName": name,
            "Description": p.get("Description"),
            "OrganizationResourceId": self.state().id,
            "Permissions": list(dict.fromkeys(p.get("Permissions") or [])),
        }
        self._touch(self._tagged(record, p))
        self.security_profiles[ident] = record
        return {"SecurityProfileId": ident, "SecurityProfileArn": record["Arn"]}

    def op_DescribeSecurityProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "SecurityProfile": self._get(self.security_profiles, p["SecurityProfileId"], "SecurityProfile")
        }

    def op_ListSecurityProfiles(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [
            {
                "Id": k,
                "Arn": r["Arn"],
                "Name": r["SecurityProfileName"],
                "LastModifiedTime": r.get("LastModifiedTime"),
            }
            for k, r in self.security_profiles.items()
        ]
        return self._page(items, p, "SecurityProfileSummaryList")

    def op_ListSecurityProfilePermissions(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self._get(self.security_profiles, p["SecurityProfileId"], "SecurityProfile")
        out = self._page(list(record["Permissions"]), p, "Permissions")
        return {**out, "LastModifiedTime": record.get("LastModifiedTime"), "LastModifiedRegion": self.region}

    def op_UpdateSecurityProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self._get(self.security_profiles, p["SecurityProfileId"], "SecurityProfile")
        if "Description" in p:
            record["Description"] = p["Description"]
        if "Permissions" in p:
            record["Permissions"] = list(dict.fromkeys(p["Permissions"]))
        self._touch(record)
        return {}

    def op_DeleteSecurityProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        ident = self._get(self.security_profiles, p["SecurityProfileId"], "SecurityProfile")["Id"]
        if any(ident in u["SecurityProfileIds"] for u in self.users.values()):
            raise ConnectError(
                "ResourceInUseException",
                f"security profile {ident} has users",
                {"ResourceType": "USER", "ResourceId": ident},
            )
        del self.security_profiles[ident]
        return {}

    # ---- quick connects ----------------------------------------------------------------------
    def _quick_connect_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        kind = config["QuickConnectType"]
        needs = {"QUEUE": "QueueConfig", "USER": "UserConfig", "PHONE_NUMBER": "PhoneConfig"}[kind]
        target = config.get(needs)
        if not target:
            raise invalid(f"QuickConnectType {kind} needs {needs}")
        if kind in ("QUEUE", "USER"):
            flow = self._get(self.flows, target["ContactFlowId"], "ContactFlow")
            wanted = {"QUEUE": "QUEUE_TRANSFER", "USER": "AGENT_TRANSFER"}[kind]
            if flow["Type"] != wanted:
                raise invalid(f"a {kind} quick connect runs a {wanted} flow, not {flow['Type']}")
        if kind == "QUEUE":
            self._get(self.queues, target["QueueId"], "Queue")
        if kind == "USER":
            self._get(self.users, target["UserId"], "User")
        return {"QuickConnectType": kind, needs: dict(target)}

    def op_CreateQuickConnect(self, p: dict[str, Any]) -> dict[str, Any]:
        self._unique("CreateQuickConnect", self.quick_connects, p["Name"], "QuickConnect")
        ident = str(uuid.uuid4())
        record = {
            "QuickConnectId": ident,
            "QuickConnectARN": self.arn("transfer-destination", ident),
            "Name": p["Name"],
            "Description": p.get("Description"),
            "QuickConnectConfig": self._quick_connect_config(p["QuickConnectConfig"]),
        }
        self._touch(self._tagged(record, p))
        self.quick_connects[ident] = record
        return {"QuickConnectId": ident, "QuickConnectARN": record["QuickConnectARN"]}

    def _quick_connect(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return self._get(self.quick_connects, p["QuickConnectId"], "QuickConnect")

    @staticmethod
    def _quick_connect_summary(qc: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "Id": qc["QuickConnectId"],
            "Arn": qc["QuickConnectARN"],
            "Name": qc["Name"],
            "QuickConnectType": qc["QuickConnectConfig"]["QuickConnectType"],
            "LastModifiedTime": qc.get("LastModifiedTime"),
            "LastModifiedRegion": qc.get("LastModifiedRegion"),
        }

    def op_UpdateQuickConnectName(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self._quick_connect(p)
        if "Name" in p:
            own = record["QuickConnectId"]
            self._unique("UpdateQuickConnectName", self.quick_connects, p["Name"], "QuickConnect", own)
        record.update({k: p[k] for k in ("Name", "Description") if k in p})
        self._touch(record)
        return {}

    def op_UpdateQuickConnectConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self._quick_connect(p)
        record["QuickConnectConfig"] = self._quick_connect_config(p["QuickConnectConfig"])
        self._touch(record)
        return {}

    def op_DeleteQuickConnect(self, p: dict[str, Any]) -> dict[str, Any]:
        ident = self._quick_connect(p)["QuickConnectId"]
        del self.quick_connects[ident]
        for offered in self.queue_quick_connects.values():
            if ident in offered:
                offered.remove(ident)
        return {}

    # ---- contact flows and modules -----------------------------------------------------------
    def _new_flow(self, name: str, kind: str, description: str | None, content: str) -> dict[str, Any]:
        ident = str(uuid.uuid4())
        record = {
            "Id": ident,
            "Arn": self.arn("contact-flow", ident),
            "Name": name,
            "Type": kind,
            "State": "ACTIVE",
            "Status": "PUBLISHED",
            "Description": description,
            "Content": content,
        }
        self._touch(record)
        self.flows[ident] = record
        return record

    def op_CreateContactFlow(self, p: dict[str, Any]) -> dict[str, Any]:
        self._unique("CreateContactFlow", self.flows, p["Name"], "ContactFlow")
        _check_content(p["Content"])
        status = p.get("Status", "PUBLISHED")  # a SAVED flow is a draft (not run by contacts)
        record = self._new_flow(p["Name"], p["Type"], p.get("Description"), p["Content"])
        record["Status"] = status
        self._tagged(record, p)
        return {"ContactFlowId": record["Id"], "ContactFlowArn": record["Arn"]}

    def _flow(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return self._get(self.flows, p["ContactFlowId"], "ContactFlow")

    def op_UpdateContactFlowContent(self, p: dict[str, Any]) -> dict[str, Any]:
        flow = self._flow(p)
        _check_content(p["Content"])
        flow["Content"] = p["Content"]
        self._touch(flow)
        return {}

    def op_UpdateContactFlowName(self, p: dict[str, Any]) -> dict[str, Any]:
        flow = self._flow(p)
        if "Name" in p:
            self._unique("UpdateContactFlowName", self.flows, p["Name"], "ContactFlow", flow["Id"])
        flow.update({k: p[k] for k in ("Name", "Description") if k in p})
        self._touch(flow)
        return {}

    def op_UpdateContactFlowMetadata(self, p: dict[str, Any]) -> dict[str, Any]:
        flow = self._flow(p)
        if "Name" in p:
            self._unique("UpdateContactFlowMetadata", self.flows, p["Name"], "ContactFlow", flow["Id"])
        flow.update({k: p[k] for k in ("Name", "Description") if k in p})
        if "ContactFlowState" in p:
            flow["State"] = p["ContactFlowState"]
        self._touch(flow)
        return {}

    def op_DeleteContactFlow(self, p: dict[str, Any]) -> dict[str, Any]:
        flow = self._flow(p)
        del self.flows[flow["Id"]]
        return {}

    def op_CreateContactFlowModule(self, p: dict[str, Any]) -> dict[str, Any]:
        self._unique("CreateContactFlowModule", self.modules, p["Name"], "ContactFlowModule")
        _check_content(p["Content"], "InvalidContactFlowModuleException", "Problems")
        ident = str(uuid.uuid4())
        record = {
            "Id": ident,
            "Arn": self.arn("flow-module", ident),
            "Name": p["Name"],
            "Description": p.get("Description"),
            "Content": p["Content"],
            "State": "ACTIVE",
            "Status": "PUBLISHED",
        }
        self.modules[ident] = self._tagged(record, p)
        return {"Id": ident, "Arn": record["Arn"]}

    def _module(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return self._get(self.modules, p["ContactFlowModuleId"], "ContactFlowModule")

    def op_DescribeContactFlowModule(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ContactFlowModule": self._module(p)}

    def op_ListContactFlowModules(self, p: dict[str, Any]) -> dict[str, Any]:
        state = p.get("ContactFlowModuleState")
        items = [
            {k: m[k] for k in ("Id", "Arn", "Name", "State")}
            for m in self.modules.values()
            if not state or m["State"] == state
        ]
        return self._page(items, p, "ContactFlowModulesSummaryList")

    def op_UpdateContactFlowModuleContent(self, p: dict[str, Any]) -> dict[str, Any]:
        module = self._module(p)
        _check_content(p["Content"], "InvalidContactFlowModuleException", "Problems")
        module["Content"] = p["Content"]
        return {}

    def op_UpdateContactFlowModuleMetadata(self, p: dict[str, Any]) -> dict[str, Any]:
        module = self._module(p)
        if "Name" in p:
            own = module["Id"]
            self._unique("UpdateContactFlowModuleMetadata", self.modules, p["Name"], "ContactFlowModule", own)
        module.update({k: p[k] for k in ("Name", "Description", "State") if k in p})
        return {}

    def op_DeleteContactFlowModule(self, p: dict[str, Any]) -> dict[str, Any]:
        del self.modules[self._module(p)["Id"]]
        return {}

    # ---- custom vocabularies (Contact Lens) ---------------------------------------------------
    def op_CreateVocabulary(self, p: dict[str, Any]) -> dict[str, Any]:
        # Connect builds a vocabulary in the background; the provider waits for ACTIVE, which the
        # emulator reports at once.
        self._unique("CreateVocabulary", self.vocabularies, p["VocabularyName"], "Vocabulary")
        ident = str(uuid.uuid4())
        record = {
            "Name": p["VocabularyName"],
            "Id": ident,
            "Arn": self.arn("vocabulary", ident),
            "LanguageCode": p["LanguageCode"],
            "State": "ACTIVE",
            "LastModifiedTime": _now(),
            "Content": p["Content"],
        }
        self.vocabularies[ident] = self._tagged(record, p)
        return {"VocabularyArn": record["Arn"], "VocabularyId": ident, "State": "CREATION_IN_PROGRESS"}

    def op_DescribeVocabulary(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Vocabulary": self._get(self.vocabularies, p["VocabularyId"], "Vocabulary")}

    def op_DeleteVocabulary(self, p: dict[str, Any]) -> dict[str, Any]:
        record = self.vocabularies.pop(self._get(self.vocabularies, p["VocabularyId"], "Vocabulary")["Id"])
        return {"VocabularyArn": record["Arn"], "VocabularyId": record["Id"], "State": "DELETE_IN_PROGRESS"}

    # ---- Lambda and Lex associations ---------------------------------------------------------
    def op_AssociateLambdaFunction(self, p: dict[str, Any]) -> dict[str, Any]:
        arn = str(p["FunctionArn"])
        if not arn.startswith("arn:aws:lambda:"):
            raise invalid(f"FunctionArn {arn} is not a Lambda function ARN")
        lambdas = self.state().lambdas
        if arn in lambdas:
            raise duplicate("AssociateLambdaFunction", f"{arn} is already associated")
        lambdas.append(arn)
        return {}

    def op_DisassociateLambdaFunction(self, p: dict[str, Any]) -> dict[str, Any]:
        lambdas = self.state().lambdas
        if p["FunctionArn"] not in lambdas:
            raise not_found(f"{p['FunctionArn']} is not associated")
        lambdas.remove(p["FunctionArn"])
        return {}

    def op_ListLambdaFunctions(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._page(list(self.state().lambdas), p, "LambdaFunctions", 25)

    @staticmethod
    def _bot(p: Mapping[str, Any]) -> dict[str, Any]:
        if bool(p.get("LexBot")) == bool(p.get("LexV2Bot")):
            raise ConnectError("InvalidRequestException", "name one of LexBot and LexV2Bot")
        return {"LexBot": dict(p["LexBot"])} if p.get("LexBot") else {"LexV2Bot": dict(p["LexV2Bot"])}

    def op_AssociateBot(self, p: dict[str, Any]) -> dict[str, Any]:
        bot, bots = self._bot(p), self.state().bots
        if bot in bots:
            raise duplicate("AssociateBot", "the bot is already associated")
        bots.append(bot)
        return {}

    def op_DisassociateBot(self, p: dict[str, Any]) -> dict[str, Any]:
        bot, bots = self._bot(p), self.state().bots
        if bot not in bots:
            raise not_found("the bot is not associated")
        bots.remove(bot)
        return {}

    def op_ListBots(self, p: dict[str, Any]) -> dict[str, Any]:
        key = "LexV2Bot" if p["LexVersion"] == "V2" else "LexBot"
        return self._page([b for b in self.state().bots if key in b], p, "LexBots", 25)

    # ---- phone numbers (the account's; claimed to an instance) --------------------------------
    def _target(self, p: Mapping[str, Any]) -> InstanceState:
        ref = p.get("TargetArn") or p.get("InstanceId")
        if not ref or (p.get("TargetArn") and p.get("InstanceId")):
            raise invalid("name one of TargetArn and InstanceId")
        return self._instance_state(str(ref))

    def op_SearchAvailablePhoneNumbers(self, p: dict[str, Any]) -> dict[str, Any]:
        self._target(p)
        country, kind = p["PhoneNumberCountryCode"], p["PhoneNumberType"]
        code = CALLING_CODES.get(country)
        if code is None:
            raise invalid(f"PhoneNumberCountryCode {country}: no numbers locally")
        prefix = str(p.get("PhoneNumberPrefix") or f"+{code}")
        if not prefix.startswith(f"+{code}") or not prefix[1:].isdigit():
            raise invalid(f"PhoneNumberPrefix {prefix} is not a +{code} prefix")
        taken = {n["PhoneNumber"] for n in self.numbers.values()}
        width = 1 + len(code) + 10  # + the country code and a national number of 10 digits
        found = []
        for n in range(1000):
            tail = str(n).rjust(width - len(prefix), "0")
            if prefix == f"+{code}":
                tail = "2" + tail[1:]  # a national number starts with an area code, never 0
            number = prefix + tail
            self.offered[number] = kind
            if number not in taken:
                found.append(
                    {"PhoneNumber": number, "PhoneNumberCountryCode": country, "PhoneNumberType": kind}
                )
            if len(found) >= int(p.get("MaxResults") or 10):
                break
        return {"AvailableNumbersList": found}

    def op_ClaimPhoneNumber(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        number = str(p["PhoneNumber"])
        if any(n["PhoneNumber"] == number for n in self.numbers.values()):
            raise invalid(f"{number} is not available")
        country = next((c for c, code in CALLING_CODES.items() if number.startswith(f"+{code}")), None)
        if country is None or not number[1:].isdigit():
            raise invalid(f"PhoneNumber {number} is not an available E.164 number")
        ident = str(uuid.uuid4())
        record = {
            "PhoneNumberId": ident,
            "PhoneNumberArn": f"arn:aws:connect:{self.region}:{self.account}:phone-number/{ident}",
            "PhoneNumber": number,
            "PhoneNumberCountryCode": country,
            "PhoneNumberType": self.offered.get(number, "DID"),
            "PhoneNumberDescription": p.get("PhoneNumberDescription"),
            "TargetArn": state.arn,
            "InstanceId": state.id,
            "claimed_at": time.monotonic() + SETTLE_SECONDS,
        }
        self.numbers[ident] = self._tagged(record, p)
        return {"PhoneNumberId": ident, "PhoneNumberArn": record["PhoneNumberArn"]}

    def _number(self, ident: str) -> dict[str, Any]:
        found = self.numbers.get(self._id(ident))
        if found is None:
            raise not_found(f"PhoneNumber {ident} not found")
        return found

    def op_DescribePhoneNumber(self, p: dict[str, Any]) -> dict[str, Any]:
        number = dict(self._number(p["PhoneNumberId"]))
        claimed = time.monotonic() >= number.pop("claimed_at")
        number["PhoneNumberStatus"] = {"Status": "CLAIMED" if claimed else "IN_PROGRESS"}
        number.pop("flow", None)
        return {"ClaimedPhoneNumberSummary": number}

    def op_ReleasePhoneNumber(self, p: dict[str, Any]) -> dict[str, Any]:
        """Released even when it answers a flow (adminguide/release-phone-number.html: the flow is
        deactivated until another number is associated with it)."""
        del self.numbers[self._number(p["PhoneNumberId"])["PhoneNumberId"]]
        return {}

    def op_ListPhoneNumbersV2(self, p: dict[str, Any]) -> dict[str, Any]:
        target = self._target(p).arn if (p.get("TargetArn") or p.get("InstanceId")) else None
        items = [
            {
                k: n[k]
                for k in (
                    "PhoneNumberId",
                    "PhoneNumberArn",
                    "PhoneNumber",
                    "PhoneNumberCountryCode",
                    "PhoneNumberType",
                    "TargetArn",
                    "InstanceId",
                    "PhoneNumberDescription",
                )
            }
            for n in self.numbers.values()
            if target is None or n["TargetArn"] == target
        ]
        return self._page(items, p, "ListPhoneNumbersSummaryList")

    def op_AssociatePhoneNumberContactFlow(self, p: dict[str, Any]) -> dict[str, Any]:
        number = self._number(p["PhoneNumberId"])
        if number["InstanceId"] != self.state().id:
            raise not_found(f"PhoneNumber {p['PhoneNumberId']} is not claimed to this instance")
        flow = self._flow(p)
        if flow["Type"] != "CONTACT_FLOW":
            raise invalid(f"a number answers with a CONTACT_FLOW, not {flow['Type']}")
        number["flow"] = flow["Id"]
        return {}

    def op_DisassociatePhoneNumberContactFlow(self, p: dict[str, Any]) -> dict[str, Any]:
        number = self._number(p["PhoneNumberId"])
        if not number.pop("flow", None):
            raise not_found(f"PhoneNumber {p['PhoneNumberId']} answers no flow")
        return {}
