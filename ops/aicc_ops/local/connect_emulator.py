# ruff: noqa: N802 - op_<Operation> methods carry the Connect operation names
"""A local Amazon Connect instance: the admin and real-time metrics API the operators' CLI uses.

Seeded from the repository's data files, as Terraform would build the instance (queues, hours,
routing profiles, rendered contact flows, quick connects, security profiles), with the sample
agents as users. Readable IDs (the data-file keys) keep the local flows' ARNs stable; users get
UUIDs as in AWS. Real-time metrics come from the live calls and simulated agents (live.py).
Responses are filtered through the service model's output shapes, so a field AWS does not return
(an email in SearchUsers, say) is not returned here either.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aicc.domain.proficiency import LEVELS_TEXT, is_level
from aicc.settings import Config

from ..core import connect_users
from ..core.agents import PHONE_CONFIG
from ..core.connect_resources import QUEUE_TRANSFER_FLOW, derive
from ..core.ratelimit import ConnectLimiter
from ..engine.flows import Flow, Resources, outbound_flow
from ..engine.interpreter import InputError
from .connect_admin import ConnectAdmin
from .connect_protocol import CONNECT, ConnectError, invalid, not_found, service_model

if TYPE_CHECKING:
    from .chat import ParticipantService

# "Concurrent active chats per instance": 100, waiting chats included (Connect's service quotas,
# https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html);
# beyond it StartChatContact answers LimitExceededException (the API reference).
MAX_ACTIVE_CHATS = 100
# A local-only request header of StartChatContact: the time the chat's flows see (ISO-8601 with an
# offset), as the call API's "at" gives a call's; the load test's chats use the demo calls' times.
# AWS has no such header; only clients of the local stack send it.
CONTACT_TIME_HEADER = "X-Aicc-Contact-Time"
# Operations that start live contacts: they run without the emulator's lock, which the contact's
# own thread takes while the operation waits for the flows to start.
UNLOCKED = frozenset({"StartChatContact"})
AGENT_STATUSES = {"available": ("Available", "ROUTABLE"), "offline": ("Offline", "OFFLINE")}
DEFAULT_FLOWS = {"default-queue-transfer": (QUEUE_TRANSFER_FLOW, "QUEUE_TRANSFER")}
REPLICA_REGION = "ap-northeast-1"


def _now() -> datetime:
    return datetime.now(UTC)


def _event_time(instant: datetime) -> str:
    """Connect's agent-event timestamps: ISO-8601 UTC with milliseconds and a Z."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ConnectEmulator(ConnectAdmin):
    """Connect's state for the local instance (and those created through the API: connect_admin),
    and one method per implemented operation."""

    def __init__(
        self,
        config: Config,
        resources: Resources,
        flows: Mapping[str, Flow],
        *,
        rate: float = 0.0,
        burst: int = 5,
        identity_management: str = "CONNECT_MANAGED",
    ) -> None:
        self.config, self.resources = config, resources
        self.region, self.account = resources.region, resources.account
        self.instance_id = resources.instance
        self.instance_arn = resources.instance_arn
        self.identity_management = identity_management
        self.lock = threading.RLock()
        # Connect's token buckets, one per operation, full: the service side keeps no reserve.
        self.limiter = ConnectLimiter(rate, burst, reserve=0)
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []  # user status changes
        self.live: Any = None  # live.LiveCenter, for real-time metrics; set by the server
        # The stores (queues, flows, users...) are the instance's (connect_admin.InstanceState).
        # Predefined attributes (CreatePredefinedAttribute) by name; users' proficiencies are kept on
        # the user record ("Proficiencies": UserProficiency objects), which DescribeUser leaves out;
        # status: user ID -> (agent status ID, since).
        self._init_instances(self.instance_id, self.instance_arn, "aicc-local", identity_management)
        self.tdg: dict[str, Any] = {}
        self.resource_set = derive(config, outbound_flow(resources.catalog))  # as Terraform builds it
        # StartOutboundVoiceContact: the contacts placed, and who answers them (tests, drills).
        self.outbound_contacts: list[dict[str, Any]] = []
        self.outbound_listeners: list[Callable[[dict[str, Any]], None]] = []
        # StartChatContact: the Participant Service of the chats (chat.ParticipantService, set by
        # the server with the live center), and the answers by ClientToken (idempotent retries).
        self.chats: ParticipantService | None = None
        # ClientToken -> the chat's answer, or the Event a first request with it sets once done.
        self.chat_starts: dict[str, dict[str, Any] | threading.Event] = {}
        self.chats_starting = 0  # chats reserved under the lock whose contacts are not live yet
        self._seed(flows)
        self._seed_predefined()

    # ---- seed --------------------------------------------------------------------------------
    @staticmethod
    def quick_connect_id(key: str) -> str:
        return f"qc-{key}"

    def _seed(self, flows: Mapping[str, Flow]) -> None:
        created = _now()
        rs = self.resource_set
        for key, h in rs.hours.items():
            self.hours[key] = {
                "HoursOfOperationId": key,
                "HoursOfOperationArn": self.resources.hours_arn(key),
                "Name": h.name,
                "Description": h.description,
                "TimeZone": h.time_zone,
                "Config": [
                    {
                        "Day": d.day,
                        "StartTime": {"Hours": d.start[0], "Minutes": d.start[1]},
                        "EndTime": {"Hours": d.end[0], "Minutes": d.end[1]},
                    }
                    for d in h.config
                ],
            }
        for key, q in rs.queues.items():
            caller: dict[str, Any] = {"OutboundCallerIdName": q.outbound_caller_name}  # no phone number here
            if q.outbound_flow:
                caller["OutboundFlowId"] = q.outbound_flow
            self.queues[key] = {
                "QueueId": key,
                "QueueArn": self.resources.queue_arn(key),
                "Name": q.name,
                "Description": q.description,
                "HoursOfOperationId": q.hours,
                "MaxContacts": q.max_contacts,
                "Status": q.status,
                "OutboundCallerConfig": caller,
            }
            self.queue_quick_connects[key] = [self.quick_connect_id(k) for k in q.quick_connects]
        transfer_flow = next(k for k, (name, _) in DEFAULT_FLOWS.items() if name == QUEUE_TRANSFER_FLOW)
        for key, qc in rs.quick_connects.items():
            ident = self.quick_connect_id(key)
            self.quick_connects[ident] = {
                "QuickConnectId": ident,
                "QuickConnectARN": self.arn("transfer-destination", ident),
                "Name": qc.name,
                "Description": qc.description,
                "QuickConnectConfig": {
                    "QuickConnectType": qc.type,
                    "QueueConfig": {"QueueId": qc.queue, "ContactFlowId": transfer_flow},
                },
            }
        for key, sp in rs.security_profiles.items():
            self.security_profiles[key] = {
                "Id": key,
                "Arn": self.arn("security-profile", key),
                "SecurityProfileName": sp.name,
                "Description": sp.description,
                "OrganizationResourceId": self.instance_id,
                "Permissions": list(sp.permissions),
            }
        # What the connect module associates: the functions the flows call, the Lex V2 alias.
        state = self.state()
        state.lambdas.extend(
            self.resources.function_arn(h)
            for h in self.resources.handlers
            if self.config.invoked_by.get(h) == "connect"
        )
        state.bots.append({"LexV2Bot": {"AliasArn": self.resources.lex_alias_arn}})
        for key, rp in rs.routing_profiles.items():
            self.routing_profiles[key] = {
                "RoutingProfileId": key,
                "RoutingProfileArn": self.arn("routing-profile", key),
                "Name": rp.name,
                "Description": rp.description,
                "InstanceId": self.instance_id,
                "MediaConcurrencies": [{"Channel": c, "Concurrency": n} for c, n in rp.media],
                "DefaultOutboundQueueId": rp.default_outbound_queue,
            }
            self.profile_queues[key] = [
                {"QueueId": rq.queue, "Channel": rq.channel, "Priority": rq.priority, "Delay": rq.delay}
                for rq in rp.queues
            ]
        for key, flow in flows.items():
            self.flows[key] = {
                "Id": key,
                "Arn": self.resources.flow_arn(key),
                "Name": flow.name,
                "Type": flow.type,
                "State": "ACTIVE",
                "Status": "PUBLISHED",
                "Description": self.resources.catalog[key].description
                if key in self.resources.catalog
                else "",
                "Content": json.dumps(flow.content, ensure_ascii=False),
            }
        for key, (name, kind) in DEFAULT_FLOWS.items():
            content = {
                "Version": "2019-10-30",
                "StartAction": "t",
                "Actions": [
                    {"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {}}
                ],
            }
            self.flows[key] = {
                "Id": key,
                "Arn": self.arn("contact-flow", key),
                "Name": name,
                "Type": kind,
                "State": "ACTIVE",
                "Status": "PUBLISHED",
                "Description": "Created by Amazon Connect",
                "Content": json.dumps(content),
            }
        self.tdg = {
            "Id": "aicc-local-tdg",
            "Arn": f"arn:aws:connect:{self.region}:{self.account}:traffic-distribution-group/aicc-local-tdg",
            "Name": "aicc-local",
            "Description": "Local stand-in for a Global Resiliency traffic distribution group",
            "InstanceArn": self.instance_arn,
            "Status": "ACTIVE",
            "IsDefault": True,
            "TelephonyConfig": {
                "Distributions": [
                    {"Region": self.region, "Percentage": 100},
                    {"Region": REPLICA_REGION, "Percentage": 0},
                ]
            },
            "SignInConfig": {
                "Distributions": [
                    {"Region": self.region, "Enabled": True},
                    {"Region": REPLICA_REGION, "Enabled": True},
                ]
            },
            "AgentConfig": {
                "Distributions": [
                    {"Region": self.region, "Percentage": 100},
                    {"Region": REPLICA_REGION, "Percentage": 0},
                ]
            },
            "created": created,
        }

    def add_user(
        self, username: str, first: str, last: str, email: str, profile: str, security: Iterable[str]
    ) -> str:
        """A user as onboarding would create it (the server seeds the sample agents this way)."""
        return str(
            self.op_CreateUser(
                {
                    "InstanceId": self.instance_id,
                    "Username": username,
                    "Password": uuid.uuid4().hex + "Aa1!",
                    "IdentityInfo": {"FirstName": first, "LastName": last, "Email": email},
                    "PhoneConfig": dict(PHONE_CONFIG),  # as `agents onboard` sets it
                    "SecurityProfileIds": list(security),
                    "RoutingProfileId": profile,
                }
            )["UserId"]
        )

    def _seed_predefined(self) -> None:
        """The predefined attribute the routing criteria of the flows name (sentiment.yaml's
        prefer_proficiency), as a deploy creates it before any user is given a proficiency."""
        rules = self.config.sentiment.rules
        self.op_CreatePredefinedAttribute(
            {"Name": rules.proficiency_name, "Values": {"StringList": [rules.proficiency_value]}}
        )

    # ---- dispatch ----------------------------------------------------------------------------
    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self, f"op_{operation}", None)
        if method is None:
            raise ConnectError(
                "InvalidRequestException", f"{operation} is not implemented by the local Connect emulator"
            )
        if not self.limiter.bucket(operation).try_acquire():
            raise ConnectError("ThrottlingException", "Rate exceeded")
        CONNECT.check_input(operation, params)
        try:
            with self.lock:
                self.select(params.get("InstanceId"))  # the stores are this instance's
                result: dict[str, Any] = {} if operation in UNLOCKED else method(params) or {}
            if operation in UNLOCKED:
                result = method(params) or {}
        finally:
            self.select(None)
        shape = service_model().operation_model(operation).output_shape
        return _filter(result, shape) if shape is not None else {}

    # ---- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _id(value: str) -> str:
        return value.rsplit("/", 1)[-1]  # an ID or an ARN

    def _get(self, store: Mapping[str, dict[str, Any]], ident: str, kind: str) -> dict[str, Any]:
        found = store.get(self._id(ident))
        if found is None:
            raise not_found(f"{kind} {ident} not found")
        return found

    def _user(self, ident: str) -> dict[str, Any]:
        return self._get(self.users, ident, "User")

    @staticmethod
    def _page(items: list[Any], params: Mapping[str, Any], key: str, default: int = 100) -> dict[str, Any]:
        token = str(params.get("NextToken") or "0")
        if not token.isdigit() or int(token) > len(items):
            raise invalid("NextToken is invalid or expired")
        start = int(token)
        size = int(params.get("MaxResults") or default)
        out: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def _touch(self, record: dict[str, Any]) -> None:
        record["LastModifiedTime"] = _now()
        record["LastModifiedRegion"] = self.region

    # ---- users -------------------------------------------------------------------------------
    def _check_user_refs(self, p: Mapping[str, Any]) -> None:
        if "RoutingProfileId" in p:
            self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")
        for sp in p.get("SecurityProfileIds") or []:
            self._get(self.security_profiles, sp, "SecurityProfile")

    def op_CreateUser(self, p: dict[str, Any]) -> dict[str, Any]:
        username = str(p["Username"])
        problem = connect_users.username_problem(username, self.identity_management)
        if problem:
            raise invalid(f"Username: {problem}")
        if any(u["Username"].casefold() == username.casefold() for u in self.users.values()):
            raise ConnectError("DuplicateResourceException", f"User {username} already exists")
        if self.identity_management == "CONNECT_MANAGED":
            password = str(p.get("Password") or "")
            if len(password) < 8 or password.isalpha() or password.isdigit():
                raise invalid("Password is required: 8-64 characters with letters and digits")
        if not p.get("SecurityProfileIds"):
            raise invalid("SecurityProfileIds must name at least one security profile")
        self._check_identity(p.get("IdentityInfo") or {})
        self._check_user_refs(p)
        user_id = str(uuid.uuid4())
        user = {
            "Id": user_id,
            "Arn": self.arn("agent", user_id),
            "Username": username,
            "IdentityInfo": dict(p.get("IdentityInfo") or {}),
            "PhoneConfig": self._phone_config(p.get("PhoneConfig")),
            "DirectoryUserId": p.get("DirectoryUserId"),
            "SecurityProfileIds": [self._id(s) for s in p["SecurityProfileIds"]],
            "RoutingProfileId": self._id(p["RoutingProfileId"]),
            "HierarchyGroupId": p.get("HierarchyGroupId"),
            "Tags": dict(p.get("Tags") or {}),
        }
        self._touch(user)
        self.users[user_id] = user
        self.status[user_id] = ("offline", _now())
        return {"UserId": user_id, "UserArn": user["Arn"]}

    def _check_identity(self, info: Mapping[str, Any]) -> None:
        problems = connect_users.identity_problems(
            str(info.get("FirstName", "")),
            str(info.get("LastName", "")),
            str(info.get("Email", "")),
            self.identity_management,
        )
        if problems:
            raise invalid(f"IdentityInfo: {'; '.join(problems)}")

    @staticmethod
    def _phone_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
        phone = dict(config or {"PhoneType": "SOFT_PHONE"})
        phone.setdefault("PhoneType", "SOFT_PHONE")
        if phone["PhoneType"] == "DESK_PHONE" and not phone.get("DeskPhoneNumber"):
            raise invalid("a DESK_PHONE needs DeskPhoneNumber")
        return phone

    def op_DescribeUser(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"User": self._user(p["UserId"])}

    def op_DeleteUser(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        if self.live is not None and self.live.busy(user["Id"]):
            raise ConnectError("InvalidRequestException", f"User {user['Username']} is on a contact")
        del self.users[user["Id"]]
        self.status.pop(user["Id"], None)
        self._notify(user, "deleted")
        return {}

    def op_ListUsers(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [
            {k: u[k] for k in ("Id", "Arn", "Username", "LastModifiedTime", "LastModifiedRegion")}
            for u in sorted(self.users.values(), key=lambda u: u["Username"])
        ]
        return self._page(items, p, "UserSummaryList")

    def op_SearchUsers(self, p: dict[str, Any]) -> dict[str, Any]:
        users = sorted(self.users.values(), key=lambda u: u["Username"])
        criteria = p.get("SearchCriteria") or {}
        condition = criteria.get("StringCondition")
        if condition:
            field, value = condition.get("FieldName"), condition.get("Value", "")
            kind = condition.get("ComparisonType", "EXACT")
            if field != "Username":
                raise invalid(f"the local emulator searches by Username only, not {field}")
            tests: dict[str, Callable[[str], bool]] = {
                "EXACT": lambda u: u == value,
                "STARTS_WITH": lambda u: u.startswith(value),
                "CONTAINS": lambda u: value in u,
            }
            if kind not in tests:
                raise invalid(f"ComparisonType {kind} is not one of EXACT, STARTS_WITH, CONTAINS")
            users = [u for u in users if tests[kind](u["Username"])]
        elif criteria:
            raise invalid("the local emulator supports a StringCondition on Username only")
        out = self._page(users, p, "Users")
        out["ApproximateTotalCount"] = len(users)
        return out

    def op_UpdateUserIdentityInfo(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        self._check_identity(p["IdentityInfo"])
        user["IdentityInfo"] = dict(p["IdentityInfo"])
        self._touch(user)
        return {}

    def op_UpdateUserRoutingProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        self._check_user_refs(p)
        user["RoutingProfileId"] = self._id(p["RoutingProfileId"])
        self._touch(user)
        self._notify(user, "routing_profile")
        return {}

    def op_UpdateUserSecurityProfiles(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        self._check_user_refs(p)
        user["SecurityProfileIds"] = [self._id(s) for s in p["SecurityProfileIds"]]
        self._touch(user)
        return {}

    def op_UpdateUserPhoneConfig(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        user["PhoneConfig"] = self._phone_config(p["PhoneConfig"])
        self._touch(user)
        return {}

    # ---- predefined attributes and user proficiencies (routing criteria) --------------------------
    # API_CreatePredefinedAttribute.html, API_UserProficiency.html: a proficiency's AttributeName and
    # AttributeValue "must use name [and value] of predefined attribute present in the Amazon Connect
    # instance"; Level "The valid values are 1, 2, 3, 4 and 5".
    def op_CreatePredefinedAttribute(self, p: dict[str, Any]) -> dict[str, Any]:
        name = str(p["Name"])
        if name in self.predefined:
            raise ConnectError("DuplicateResourceException", f"Predefined attribute {name} already exists")
        values = [str(v) for v in (p.get("Values") or {}).get("StringList") or []]
        if not values:
            raise invalid("Values.StringList must name at least one value")
        record = {"Name": name, "Values": {"StringList": values}, "LastModifiedRegion": self.region}
        self._touch(record)
        self.predefined[name] = record
        return {}

    def op_DescribePredefinedAttribute(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"PredefinedAttribute": self._get(self.predefined, p["Name"], "PredefinedAttribute")}

    def op_UpdatePredefinedAttribute(self, p: dict[str, Any]) -> dict[str, Any]:
        """The values given replace the attribute's (the deploy step sends the old ones and the new)."""
        record = self._get(self.predefined, p["Name"], "PredefinedAttribute")
        values = [str(v) for v in (p.get("Values") or {}).get("StringList") or []]
        if not values:
            raise invalid("Values.StringList must name at least one value")
        record["Values"] = {"StringList": values}
        self._touch(record)
        return {}

    def _proficiency_key(self, item: Mapping[str, Any]) -> tuple[str, str]:
        name, value = str(item["AttributeName"]), str(item["AttributeValue"])
        attribute = self.predefined.get(name)
        if attribute is None:
            raise invalid(f"AttributeName {name!r} is not a predefined attribute of the instance")
        if value not in attribute["Values"]["StringList"]:
            raise invalid(f"AttributeValue {value!r} is not a value of predefined attribute {name!r}")
        return name, value

    def _proficiencies(self, p: Mapping[str, Any]) -> dict[tuple[str, str], float]:
        """The request's UserProficiencies by attribute, levels checked."""
        out = {}
        for item in p["UserProficiencies"]:
            level = float(item["Level"])
            if not is_level(level):
                raise invalid(f"Level {item['Level']!r}: the valid values are {LEVELS_TEXT}")
            out[self._proficiency_key(item)] = level
        return out

    def _keep(self, user: dict[str, Any], held: Mapping[tuple[str, str], float]) -> None:
        user["Proficiencies"] = [
            {"AttributeName": n, "AttributeValue": v, "Level": level}
            for (n, v), level in sorted(held.items())
        ]
        self._touch(user)

    def op_AssociateUserProficiencies(self, p: dict[str, Any]) -> dict[str, Any]:
        # Whether Connect refuses one already associated is not documented: the level is set, so
        # re-running onboarding changes nothing.
        user = self._user(p["UserId"])
        self._keep(
            user,
            {**connect_users.held_proficiencies(user.get("Proficiencies", [])), **self._proficiencies(p)},
        )
        return {}

    def op_UpdateUserProficiencies(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        held, given = connect_users.held_proficiencies(user.get("Proficiencies", [])), self._proficiencies(p)
        missing = [f"{n}:{v}" for n, v in given if (n, v) not in held]
        if missing:
            raise invalid(f"User {user['Username']} has no proficiency {', '.join(missing)} to update")
        self._keep(user, {**held, **given})
        return {}

    def op_DisassociateUserProficiencies(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        gone = {(str(i["AttributeName"]), str(i["AttributeValue"])) for i in p["UserProficiencies"]}
        self._keep(
            user,
            {
                k: v
                for k, v in connect_users.held_proficiencies(user.get("Proficiencies", [])).items()
                if k not in gone
            },
        )
        return {}

    def op_ListUserProficiencies(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        out = self._page(list(user.get("Proficiencies", [])), p, "UserProficiencyList")
        return {**out, "LastModifiedTime": user["LastModifiedTime"], "LastModifiedRegion": self.region}

    # ---- agent status ------------------------------------------------------------------------
    def op_ListAgentStatuses(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [
            {"Id": k, "Arn": self.arn("agent-state", k), "Name": name, "Type": kind}
            for k, (name, kind) in AGENT_STATUSES.items()
        ]
        return self._page(items, p, "AgentStatusSummaryList")

    def op_PutUserStatus(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p["UserId"])
        status = self._id(p["AgentStatusId"])
        if status not in AGENT_STATUSES:
            raise not_found(f"AgentStatus {p['AgentStatusId']} not found")
        if self.status.get(user["Id"], ("",))[0] != status:
            self.status[user["Id"]] = (status, _now())
            self._notify(user, "status")
        return {}

    def set_status(self, user_id: str, status: str) -> None:
        self.op_PutUserStatus({"UserId": user_id, "AgentStatusId": status})

    def user_by_login(self, login: str) -> dict[str, Any] | None:
        with self.lock:
            return next((u for u in self.users.values() if u["Username"] == login), None)

    def routable(self, user_id: str) -> bool:
        return self.status.get(user_id, ("offline",))[0] == "available"

    def _notify(self, user: dict[str, Any], change: str) -> None:
        for listener in self.listeners:
            listener(change, user)

    # ---- routing profiles --------------------------------------------------------------------
    def op_ListRoutingProfiles(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [
            {"Id": k, "Arn": r["RoutingProfileArn"], "Name": r["Name"]}
            for k, r in self.routing_profiles.items()
        ]
        return self._page(items, p, "RoutingProfileSummaryList")

    def op_DescribeRoutingProfile(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")
        key = profile["RoutingProfileId"]
        return {
            "RoutingProfile": {
                **profile,
                "NumberOfAssociatedQueues": len(self.profile_queues[key]),
                "NumberOfAssociatedUsers": sum(u["RoutingProfileId"] == key for u in self.users.values()),
            }
        }

    def op_ListRoutingProfileQueues(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")
        items = [
            {
                "QueueId": c["QueueId"],
                "QueueArn": self.queues[c["QueueId"]]["QueueArn"],
                "QueueName": self.queues[c["QueueId"]]["Name"],
                "Priority": c["Priority"],
                "Delay": c["Delay"],
                "Channel": c["Channel"],
            }
            for c in self.profile_queues[profile["RoutingProfileId"]]
        ]
        return self._page(items, p, "RoutingProfileQueueConfigSummaryList")

    def _queue_configs(self, p: Mapping[str, Any]) -> list[dict[str, Any]]:
        out = []
        for c in p.get("QueueConfigs") or []:
            ref = c["QueueReference"]
            queue = self._get(self.queues, ref["QueueId"], "Queue")
            priority, delay = int(c["Priority"]), int(c["Delay"])
            if not 1 <= priority <= 99 or not 0 <= delay <= 9999:
                raise invalid("Priority is 1-99 and Delay 0-9999 seconds")
            out.append(
                {"QueueId": queue["QueueId"], "Channel": ref["Channel"], "Priority": priority, "Delay": delay}
            )
        return out

    def op_UpdateRoutingProfileQueues(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")
        current = self.profile_queues[profile["RoutingProfileId"]]
        for new in self._queue_configs(p):
            match = [c for c in current if (c["QueueId"], c["Channel"]) == (new["QueueId"], new["Channel"])]
            if not match:
                raise invalid(f"queue {new['QueueId']} is not associated with the routing profile")
            match[0].update(new)
        return {}

    def op_AssociateRoutingProfileQueues(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")
        current = self.profile_queues[profile["RoutingProfileId"]]
        for new in self._queue_configs(p):
            if any((c["QueueId"], c["Channel"]) == (new["QueueId"], new["Channel"]) for c in current):
                raise ConnectError(
                    "DuplicateResourceException", f"queue {new['QueueId']} is already associated"
                )
            current.append(new)
        return {}

    def op_DisassociateRoutingProfileQueues(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._get(self.routing_profiles, p["RoutingProfileId"], "RoutingProfile")
        drop = {(self._id(r["QueueId"]), r["Channel"]) for r in p.get("QueueReferences") or []}
        key = profile["RoutingProfileId"]
        self.profile_queues[key] = [
            c for c in self.profile_queues[key] if (c["QueueId"], c["Channel"]) not in drop
        ]
        return {}

    # ---- queues, hours, flows, quick connects, security profiles ------------------------------
    def op_ListQueues(self, p: dict[str, Any]) -> dict[str, Any]:
        types = p.get("QueueTypes") or ["STANDARD", "AGENT"]
        items: list[dict[str, Any]] = []
        if "STANDARD" in types:
            items += [
                {"Id": k, "Arn": q["QueueArn"], "Name": q["Name"], "QueueType": "STANDARD"}
                for k, q in self.queues.items()
            ]
        if "AGENT" in types:
            items += [
                {"Id": u["Id"], "Arn": self.arn("queue", f"agent/{u['Id']}"), "QueueType": "AGENT"}
                for u in self.users.values()
            ]
        return self._page(items, p, "QueueSummaryList")

    def op_DescribeQueue(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Queue": self._get(self.queues, p["QueueId"], "Queue")}

    def op_ListHoursOfOperations(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [{"Id": k, "Arn": h["HoursOfOperationArn"], "Name": h["Name"]} for k, h in self.hours.items()]
        return self._page(items, p, "HoursOfOperationSummaryList")

    def op_DescribeHoursOfOperation(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"HoursOfOperation": self._get(self.hours, p["HoursOfOperationId"], "HoursOfOperation")}

    def op_ListContactFlows(self, p: dict[str, Any]) -> dict[str, Any]:
        types = p.get("ContactFlowTypes")
        items = [
            {
                "Id": k,
                "Arn": f["Arn"],
                "Name": f["Name"],
                "ContactFlowType": f["Type"],
                "ContactFlowState": f["State"],
                "ContactFlowStatus": f["Status"],
            }
            for k, f in self.flows.items()
            if not types or f["Type"] in types
        ]
        return self._page(items, p, "ContactFlowSummaryList")

    def op_DescribeContactFlow(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ContactFlow": self._get(self.flows, p["ContactFlowId"], "ContactFlow")}

    def op_ListQuickConnects(self, p: dict[str, Any]) -> dict[str, Any]:
        items = [self._quick_connect_summary(qc) for qc in self.quick_connects.values()]
        return self._page(items, p, "QuickConnectSummaryList")

    def op_DescribeQuickConnect(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"QuickConnect": self._get(self.quick_connects, p["QuickConnectId"], "QuickConnect")}

    # ---- real-time metrics -------------------------------------------------------------------
    def _queue_filter(self, filters: Mapping[str, Any]) -> list[str]:
        wanted = filters.get("Queues")
        if not wanted:
            raise invalid("Filters.Queues is required (1-100 queue IDs or ARNs)")
        out = []
        for ref in wanted:
            key = self._id(ref)
            if key not in self.queues:
                raise invalid(f"queue {ref} is not a queue of this instance")
            out.append(key)
        return out

    def op_GetCurrentMetricData(self, p: dict[str, Any]) -> dict[str, Any]:
        filters = p.get("Filters") or {}
        queues = self._queue_filter(filters)
        groupings = p.get("Groupings") or []
        if "ROUTING_PROFILE" in groupings or "AGENT" in groupings:
            raise invalid("the local emulator groups by QUEUE and CHANNEL only")
        snapshot = self.live.snapshot() if self.live is not None else None
        results = []
        by_queue = "QUEUE" in groupings
        groups = [[q] for q in queues] if by_queue else [queues]
        for group in groups:
            values = self._current_values(group, snapshot)
            dims: dict[str, Any] = {}
            if by_queue:
                q = self.queues[group[0]]
                dims["Queue"] = {"Id": q["QueueId"], "Arn": q["QueueArn"]}
            if "CHANNEL" in groupings:
                dims["Channel"] = "VOICE"
            collections = []
            for metric in p["CurrentMetrics"]:
                name, unit = metric["Name"], metric.get("Unit")
                if name not in values:
                    raise invalid(f"metric {name} is not supported by the local emulator")
                expected = "SECONDS" if name == "OLDEST_CONTACT_AGE" else "COUNT"
                if unit != expected:
                    raise invalid(f"metric {name} takes Unit {expected}, not {unit}")
                value = float(values[name])
                if name == "OLDEST_CONTACT_AGE" and not groupings:
                    value *= 1000  # Connect: "SECONDS" without groupings is returned in milliseconds
                collections.append({"Metric": metric, "Value": value})
            results.append({"Dimensions": dims, "Collections": collections})
        out = self._page(results, p, "MetricResults")
        out["DataSnapshotTime"] = _now()
        out["ApproximateTotalCount"] = len(results)
        return out

    def _serves(self, user: Mapping[str, Any], queues: Iterable[str]) -> bool:
        served = {c["QueueId"] for c in self.profile_queues.get(user["RoutingProfileId"], [])}
        return bool(served.intersection(queues))

    def _current_values(self, queues: list[str], snapshot: Any) -> dict[str, float]:
        online = available = on_contact = acw = 0
        for user in self.users.values():
            if not self._serves(user, queues):
                continue
            status = self.status.get(user["Id"], ("offline",))[0]
            activity = snapshot.agents.get(user["Id"]) if snapshot else None
            if status == "offline" and activity is None:
                continue
            online += 1
            if activity is None:
                available += status == "available"
            elif activity.state == "CONNECTED":
                on_contact += 1
            else:
                acw += 1
        waiting = [c for c in (snapshot.waiting if snapshot else []) if c.queue_key in queues]
        oldest = max((c.waited for c in waiting), default=0.0)
        return {
            "AGENTS_ONLINE": online,
            "AGENTS_AVAILABLE": available,
            "AGENTS_ON_CALL": on_contact,
            "AGENTS_ON_CONTACT": on_contact,
            "AGENTS_STAFFED": online,
            "AGENTS_AFTER_CONTACT_WORK": acw,
            "AGENTS_NON_PRODUCTIVE": 0,
            "AGENTS_ERROR": 0,
            "CONTACTS_IN_QUEUE": len(waiting),
            "CONTACTS_SCHEDULED": 0,
            "OLDEST_CONTACT_AGE": round(oldest),
            "SLOTS_ACTIVE": on_contact,
            "SLOTS_AVAILABLE": available,
        }

    def op_GetCurrentUserData(self, p: dict[str, Any]) -> dict[str, Any]:
        filters = p.get("Filters") or {}
        if not any(filters.get(k) for k in ("Queues", "RoutingProfiles", "Agents", "UserHierarchyGroups")):
            raise invalid("Filters needs Queues, RoutingProfiles, Agents or UserHierarchyGroups")
        queues = {self._id(q) for q in filters.get("Queues") or []}
        profiles = {self._id(r) for r in filters.get("RoutingProfiles") or []}
        agents = {self._id(a) for a in filters.get("Agents") or []}
        activities = self._activities()
        items = []
        for user in sorted(self.users.values(), key=lambda u: u["Username"]):
            if queues and not self._serves(user, queues):
                continue
            if profiles and user["RoutingProfileId"] not in profiles:
                continue
            if agents and user["Id"] not in agents:
                continue
            status, since, activity = self._presence(user["Id"], activities)
            if status == "offline" and activity is None:
                continue  # Connect lists signed-in agents only
            contacts = []
            if activity is not None:
                contacts.append(
                    {
                        "ContactId": activity.contact_id,
                        "Channel": activity.channel,
                        "InitiationMethod": _initiation(activity.channel),
                        "AgentContactState": activity.state,
                        "StateStartTimestamp": activity.since,
                        "ConnectedToAgentTimestamp": activity.connected_at,
                        "Queue": {"Id": activity.queue_id, "Arn": self.arn("queue", activity.queue_id)},
                    }
                )
            items.append(
                {
                    "User": {"Id": user["Id"], "Arn": user["Arn"]},
                    "RoutingProfile": {
                        "Id": user["RoutingProfileId"],
                        "Arn": self.arn("routing-profile", user["RoutingProfileId"]),
                    },
                    "Status": {
                        "StatusStartTimestamp": since,
                        "StatusArn": self.arn("agent-state", status),
                        "StatusName": AGENT_STATUSES[status][0],
                    },
                    "AvailableSlotsByChannel": {"VOICE": int(activity is None and status == "available")},
                    "MaxSlotsByChannel": {"VOICE": 1},
                    "ActiveSlotsByChannel": {"VOICE": int(activity is not None)},
                    "Contacts": contacts,
                }
            )
        out = self._page(items, p, "UserDataList")
        out["ApproximateTotalCount"] = len(items)
        return out

    # ---- agents' presence: GetCurrentUserData and the agent event stream ---------------------
    def _activities(self) -> dict[str, Any]:
        """What each agent is doing (user ID -> live.Activity): the live calls', when they run."""
        return self.live.snapshot().agents if self.live is not None else {}

    def _presence(self, user_id: str, activities: Mapping[str, Any]) -> tuple[str, datetime, Any]:
        """An agent's status ID, since when, and the contact they are on (a live.Activity) or None."""
        status, since = self.status.get(user_id, ("offline", _now()))
        return status, since, activities.get(user_id)

    def agent_event(self, user_id: str) -> dict[str, Any]:
        """The agent's STATE_CHANGE record of Connect's agent event stream (its data model)."""
        user = self.users[user_id]
        status, since, activity = self._presence(user_id, self._activities())
        name, kind = AGENT_STATUSES[status]
        contacts = []
        if activity is not None:
            queue = self.config.queues.get(activity.queue_id)  # None: an agent's own queue
            contacts.append(
                {
                    "ContactId": activity.contact_id,
                    "InitialContactId": None,
                    "Channel": activity.channel,
                    "InitiationMethod": _initiation(activity.channel),
                    "State": activity.state,
                    "StateStartTimestamp": _event_time(activity.since),
                    "ConnectedToAgentTimestamp": _event_time(activity.connected_at),
                    "QueueTimestamp": None,
                    "Queue": {
                        "ARN": self.arn("queue", activity.queue_id),
                        "Name": queue.name if queue else None,
                    },
                }
            )
        profile = self.routing_profiles.get(user["RoutingProfileId"], {})
        identity = user.get("IdentityInfo", {})
        return {
            "AWSAccountId": self.account,
            "AgentARN": user["Arn"],
            "EventId": str(uuid.uuid4()),
            "EventTimestamp": _event_time(_now()),
            "EventType": "STATE_CHANGE",
            "InstanceARN": self.instance_arn,
            "Version": "2019-05-25",
            "CurrentAgentSnapshot": {
                "AgentStatus": {
                    "ARN": self.arn("agent-state", status),
                    "Name": name,
                    "Type": kind,
                    "StartTimestamp": _event_time(since),
                },
                "Configuration": {
                    "Username": user["Username"],
                    "FirstName": identity.get("FirstName"),
                    "LastName": identity.get("LastName"),
                    "AgentHierarchyGroups": None,
                    "RoutingProfile": {"ARN": profile.get("RoutingProfileArn"), "Name": profile.get("Name")},
                },
                "Contacts": contacts,
            },
        }

    # ---- Global Resiliency -------------------------------------------------------------------
    def _tdg(self, ident: str) -> dict[str, Any]:
        if ident not in (self.tdg["Id"], self.tdg["Arn"]):
            raise not_found(f"TrafficDistributionGroup {ident} not found")
        return self.tdg

    def op_ListTrafficDistributionGroups(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("InstanceId"):
            self._instance(p["InstanceId"])
        t = self.tdg
        summary = {k: t[k] for k in ("Id", "Arn", "Name", "InstanceArn", "Status", "IsDefault")}
        return self._page([summary], p, "TrafficDistributionGroupSummaryList", 10)

    def op_DescribeTrafficDistributionGroup(self, p: dict[str, Any]) -> dict[str, Any]:
        t = self._tdg(p["TrafficDistributionGroupId"])
        return {"TrafficDistributionGroup": {k: v for k, v in t.items() if k not in ("created",)}}

    def op_GetTrafficDistribution(self, p: dict[str, Any]) -> dict[str, Any]:
        t = self._tdg(p["Id"])
        return {k: t[k] for k in ("Id", "Arn", "TelephonyConfig", "SignInConfig", "AgentConfig")}

    def op_UpdateTrafficDistribution(self, p: dict[str, Any]) -> dict[str, Any]:
        t = self._tdg(p["Id"])
        regions = {self.region, REPLICA_REGION}
        for key in ("TelephonyConfig", "AgentConfig"):
            config = p.get(key)
            if not config:
                continue
            dist = config.get("Distributions") or []
            if {d["Region"] for d in dist} - regions or sum(int(d["Percentage"]) for d in dist) != 100:
                raise invalid(f"{key}: percentages over {sorted(regions)} must add up to 100")
            t[key] = {
                "Distributions": [{"Region": d["Region"], "Percentage": int(d["Percentage"])} for d in dist]
            }
        if p.get("SignInConfig"):
            t["SignInConfig"] = p["SignInConfig"]
        return {}

    # ---- outbound voice contacts -------------------------------------------------------------
    def op_StartOutboundVoiceContact(self, p: dict[str, Any]) -> dict[str, Any]:
        """Record the outbound call and hand it to the listeners (who answer it); nothing is dialled.
        botocore checks the required members client side; the rest is checked as Connect does."""
        token = p.get("ClientToken")
        for placed in self.outbound_contacts:
            if token and placed["ClientToken"] == token:
                return {"ContactId": placed["ContactId"]}  # idempotent within the token's 7 days
        flow = self._get(self.flows, p["ContactFlowId"], "ContactFlow")
        if flow["Type"] != "CONTACT_FLOW":
            raise invalid(f"ContactFlowId {p['ContactFlowId']} is a {flow['Type']} flow, not a CONTACT_FLOW")
        if not p.get("QueueId") and not p.get("SourcePhoneNumber"):
            raise invalid("QueueId or SourcePhoneNumber is required (the caller ID the callee sees)")
        queue = self._get(self.queues, p["QueueId"], "Queue") if p.get("QueueId") else None
        number = str(p["DestinationPhoneNumber"])
        if not (number.startswith("+") and number[1:].isdigit() and 8 <= len(number) <= 16):
            raise invalid(f"DestinationPhoneNumber {number} is not in E.164 format")
        attributes = {str(k): str(v) for k, v in (p.get("Attributes") or {}).items()}
        if sum(len(k.encode()) + len(v.encode()) for k, v in attributes.items()) > 32 * 1024:
            raise invalid("Attributes exceed 32 KB")
        contact = {
            "ContactId": str(uuid.uuid4()),
            "ClientToken": token,
            "ContactFlowId": flow["Id"],
            "QueueId": queue["QueueId"] if queue else None,
            "DestinationPhoneNumber": number,
            "Attributes": attributes,
            "InitiatedAt": _now(),
        }
        self.outbound_contacts.append(contact)
        for listener in list(self.outbound_listeners):
            listener(dict(contact))
        return {"ContactId": contact["ContactId"]}

    def op_StopContact(self, p: dict[str, Any]) -> dict[str, Any]:
        """Ends a live contact (a call or a chat), as Connect's StopContact does; one that is over
        or unknown is ContactNotFoundException."""
        contact = self.live.contacts.get(p["ContactId"]) if self.live is not None else None
        if contact is None or contact.state == "ended":
            raise ConnectError("ContactNotFoundException", f"contact {p['ContactId']} is not active")
        self.live.hang_up(contact.contact_id)
        return {}

    # ---- chat contacts -----------------------------------------------------------------------
    def op_StartChatContact(self, p: dict[str, Any]) -> dict[str, Any]:
        """A live chat through the flows (chat.py): the customer's participant and its token.
        The InitialMessage is the transcript's first customer message; the flows start on their
        own, as for any chat, and read the customer's messages sent after it.

        Runs without the emulator's lock (UNLOCKED): the chat's place among the active chats and
        its ClientToken are reserved under the lock first, so that concurrent requests cannot
        overrun the quota or start one token's chat twice."""
        if self.live is None or self.chats is None:
            raise ConnectError("InvalidRequestException", "chats run on the local stack server (local up)")
        with self.lock:
            flow = self._get(self.flows, p["ContactFlowId"], "ContactFlow")
        if flow["Type"] != "CONTACT_FLOW" or flow["Id"] not in self.live.engine.flows:
            raise invalid(f"ContactFlowId {p['ContactFlowId']} is not an inbound flow (CONTACT_FLOW) of ours")
        attributes = {str(k): str(v) for k, v in (p.get("Attributes") or {}).items()}
        if sum(len(k.encode()) + len(v.encode()) for k, v in attributes.items()) > 32 * 1024:
            raise invalid("Attributes exceed 32 KB")
        message = p.get("InitialMessage")
        if message and message["ContentType"] != "text/plain":
            raise invalid(f"InitialMessage.ContentType {message['ContentType']!r}: text/plain locally")
        at = _contact_time(p)
        token = p.get("ClientToken")
        answer = self._reserve_chat(token)
        if answer is not None:
            return answer
        try:
            answer = self._start_chat(p, flow["Id"], attributes, at)
        except BaseException:
            with self.lock:
                self.chats_starting -= 1
                pending = self.chat_starts.pop(token, None) if token else None
            if isinstance(pending, threading.Event):
                pending.set()  # a retry waiting on this one tries again
            raise
        with self.lock:
            self.chats_starting -= 1
            pending = self.chat_starts.get(token) if token else None
            if token:
                self.chat_starts[token] = answer
        if isinstance(pending, threading.Event):
            pending.set()
        return dict(answer)

    def _reserve_chat(self, token: str | None) -> dict[str, Any] | None:
        """Under the lock: the answer of an earlier request with this ClientToken (waiting for it
        while it starts), else a place among the active chats for this one, and its token.
        "Concurrent active chats per instance" (waiting chats included): MAX_ACTIVE_CHATS."""
        while True:
            with self.lock:
                earlier = self.chat_starts.get(token) if token else None
                if isinstance(earlier, dict):
                    return dict(earlier)  # the same request again: the same chat
                if earlier is None:
                    assert self.live is not None
                    live = sum(
                        1
                        for c in list(self.live.contacts.values())
                        if c.channel == "CHAT" and c.state != "ended"
                    )
                    if live + self.chats_starting >= MAX_ACTIVE_CHATS:
                        raise ConnectError(
                            "LimitExceededException", f"{MAX_ACTIVE_CHATS} chats are active on the instance"
                        )
                    self.chats_starting += 1
                    if token:
                        self.chat_starts[token] = threading.Event()
                    return None
            earlier.wait(timeout=10)  # the first request with the token is starting the chat

    def _start_chat(
        self, p: Mapping[str, Any], flow_id: str, attributes: dict[str, str], at: datetime | None
    ) -> dict[str, Any]:
        from .chat import DEFAULT_CHAT_MINUTES

        assert self.live is not None and self.chats is not None
        name = str(p["ParticipantDetails"]["DisplayName"])
        session = self.chats.prepare(name, int(p.get("ChatDurationInMinutes") or DEFAULT_CHAT_MINUTES))
        message = p.get("InitialMessage")
        if message:
            session.add("MESSAGE", "text/plain", message["Content"], "CUSTOMER", name, session.participant_id)
        try:
            self.live.place(
                name,
                at=at,
                channel="CHAT",
                entry=flow_id,
                attributes=attributes,
                contact_id=session.contact_id,
                events=self.chats,
            )
        except InputError as exc:
            self.chats.forget(session)  # no chat started: nobody may use its token
            raise invalid(str(exc)) from None
        except BaseException:
            self.chats.forget(session)
            raise
        return {
            "ContactId": session.contact_id,
            "ParticipantId": session.participant_id,
            "ParticipantToken": session.participant_token,
        }


def _contact_time(p: Mapping[str, Any]) -> datetime | None:
    """The local-only CONTACT_TIME_HEADER: the time the chat's flows see."""
    if not p.get(CONTACT_TIME_HEADER):
        return None
    try:
        at = datetime.fromisoformat(str(p[CONTACT_TIME_HEADER]))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise invalid(f"{CONTACT_TIME_HEADER}: ISO-8601 with an offset (2026-11-25T10:00:00+09:00)")
    return at


def _initiation(channel: str) -> str:
    """A live contact's InitiationMethod: a chat is StartChatContact's (API), a call inbound."""
    return "API" if channel == "CHAT" else "INBOUND"


def _filter(value: Any, shape: Any) -> Any:
    """Keep what the output shape has: AWS returns no field its model does not define."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        return {
            k: _filter(v, shape.members[k]) for k, v in value.items() if k in shape.members and v is not None
        }
    if kind == "list" and isinstance(value, (list, tuple)):
        return [_filter(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, Mapping):
        return {k: _filter(v, shape.value) for k, v in value.items()}
    return value
