"""Queue status against SLA, and rebalancing available agents towards queues at risk.

The planners are pure (no boto3): `sla_state`, `plan_rebalance` and `plan_restore` take what was
read and return what to do. The AWS part reads the queues (ListQueues), their current metrics (one
GetCurrentMetricData), the agents (GetCurrentUserData, ListUsers, ListAgentStatuses and the agents
table), the routing profiles (ListRoutingProfiles, ListRoutingProfileQueues), and applies moves
with UpdateUserRoutingProfile through OpsContext's rate-limited client. The rules are explained
for operators in docs/queues.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aicc.domain.agent_events import ccp_status
from aicc.domain.agents import AgentStatus
from aicc.domain.sla import (
    CHANNEL,
    FILTER_LIMIT,
    SlaRules,
    SlaState,
    chunks,
    metric_request,
    metric_values,
    mmss,
    sla_state,
)
from aicc.settings import Config

from ..core.aws import error_text, iter_pages
from .context import OpsContext, scan_all

# The status table warns early (half the SLA, a quarter with a backlog, nobody online): it is
# what rebalancing acts on (docs/queues.md). The SLA monitor alerts at monitoring.yaml's share.
AT_RISK_SHARE = 0.5
BACKLOG_AT_RISK_SHARE = 0.25
STATUS_RULES = SlaRules(AT_RISK_SHARE, BACKLOG_AT_RISK_SHARE, unstaffed_is_risk=True)
MANAGER = "MANAGER"
HOME_ATTRIBUTE = "home_routing_profile"


# ---- queue status -------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRef:
    id: str
    arn: str
    name: str
    key: str | None = None  # queues.yaml key; None: a queue queues.yaml does not know

    @property
    def ref(self) -> str:
        """How plans and profiles name the queue: its queues.yaml key, else its Connect ID."""
        return self.key or self.id


@dataclass(frozen=True)
class QueueStatus:
    queue: QueueRef
    waiting: int = 0
    oldest: float = 0.0  # seconds
    online: int = 0
    available: int = 0
    on_contact: int = 0
    staffed: int = 0
    priority: int | None = None  # from queues.yaml (1 = most important)
    sla_seconds: int | None = None
    next_business_day: bool = False
    min_staffing: int = 0
    required_skills: frozenset[str] = frozenset()

    @property
    def state(self) -> SlaState | None:
        return sla_state(
            self.oldest,
            self.waiting,
            self.available,
            self.sla_seconds,
            online=self.online,
            rules=STATUS_RULES,
        )

    @property
    def at_risk(self) -> bool:
        return self.state in (SlaState.AT_RISK, SlaState.BREACHED)

    @property
    def sla_text(self) -> str:
        if self.next_business_day:
            return "next business day"
        return mmss(self.sla_seconds) if self.sla_seconds is not None else "-"

    def summary(self) -> str:
        """One line for plans: state, oldest wait against SLA, backlog."""
        return (
            f"{self.queue.name} {self.state}: oldest {mmss(self.oldest)} of SLA {self.sla_text}, "
            f"{self.waiting} waiting, {self.available} available"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.queue.name,
            "key": self.queue.key,
            "queue_id": self.queue.id,
            "contacts_in_queue": self.waiting,
            "oldest_contact_age_seconds": round(self.oldest, 1),
            "sla_seconds": self.sla_seconds,
            "sla_next_business_day": self.next_business_day,
            "sla_state": self.state.value if self.state else None,
            "agents_online": self.online,
            "agents_available": self.available,
            "agents_on_contact": self.on_contact,
            "agents_staffed": self.staffed,
        }

    def row(self) -> list[Any]:
        return [
            self.queue.name,
            self.waiting,
            mmss(self.oldest) if self.waiting else "-",
            self.sla_text,
            self.state.value if self.state else "-",
            self.online,
            self.available,
            self.on_contact,
        ]


STATUS_HEADERS = ("queue", "waiting", "oldest", "SLA", "state", "online", "available", "on contact")


def queue_status(queue: QueueRef, values: Mapping[str, float], cfg: Config) -> QueueStatus:
    """A queue's metrics joined with its queues.yaml entry (SLA, priority, rebalance rules)."""
    spec = cfg.queues.get(queue.key) if queue.key else None

    def count(name: str) -> int:
        return int(values.get(name, 0))

    return QueueStatus(
        queue=queue,
        waiting=count("CONTACTS_IN_QUEUE"),
        oldest=float(values.get("OLDEST_CONTACT_AGE", 0.0)),
        online=count("AGENTS_ONLINE"),
        available=count("AGENTS_AVAILABLE"),
        on_contact=count("AGENTS_ON_CONTACT"),
        staffed=count("AGENTS_STAFFED"),
        priority=spec.priority if spec else None,
        sla_seconds=spec.sla_seconds if spec else None,
        next_business_day=spec.sla_next_business_day if spec else False,
        min_staffing=spec.min_staffing if spec else 0,
        required_skills=frozenset(spec.required_skills) if spec else frozenset(),
    )


def status_order(status: QueueStatus) -> tuple[bool, int, str]:
    """queues.yaml priority first, queues it does not know last (by name)."""
    return (status.priority is None, status.priority or 0, status.queue.name)


# ---- the rebalance planner (pure) ---------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    priority: int
    delay: int  # seconds a contact waits before this profile's agents are offered it


@dataclass(frozen=True, eq=False)
class Profile:
    id: str
    name: str
    key: str | None = None  # routing_profiles.yaml key; None: not in routing_profiles.yaml
    team: str | None = None  # routing_profiles.yaml team; None: unknown, never a move's target
    queues: Mapping[str, Slot] = field(default_factory=dict)  # queue ref -> its VOICE slot

    @property
    def label(self) -> str:
        return self.key or self.name

    @property
    def ref(self) -> str:
        """What the agents table records: the routing_profiles.yaml key, else the Connect ID."""
        return self.key or self.id


class Activity(StrEnum):
    AVAILABLE = "AVAILABLE"  # routable status, no contact
    ON_CONTACT = "ON_CONTACT"  # a contact (incoming, connected, on hold or in after-contact work)
    AWAY = "AWAY"  # a custom non-routable status (break, training...)
    OFFLINE = "OFFLINE"


@dataclass(frozen=True)
class AgentState:
    login: str
    user_id: str
    profile_id: str  # current routing profile (Connect ID)
    activity: Activity
    team: str | None = None  # agents table; None: no item there, never moved
    skills: frozenset[str] = frozenset()
    home_profile: str | None = None  # agents table home_routing_profile (key or Connect ID)


@dataclass(frozen=True)
class Move:
    login: str
    user_id: str
    from_id: str
    from_label: str
    from_ref: str
    to_id: str
    to_label: str
    to_ref: str
    queue: str  # name of the queue the move helps ("" for a restore)
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent": self.login,
            "user_id": self.user_id,
            "from_profile": self.from_label,
            "to_profile": self.to_label,
            "queue": self.queue,
            "reason": self.reason,
        }


@dataclass
class Plan:
    at_risk: list[QueueStatus]  # in the order they are served
    moves: list[Move]
    shortfalls: list[str]  # at-risk queues the plan cannot fully help, and why


def risk_order(status: QueueStatus) -> tuple[bool, int, float, str]:
    """Most important queue first (queues.yaml priority), then the one closest to breaching."""
    share = status.oldest / status.sla_seconds if status.sla_seconds else 0.0
    return (status.priority is None, status.priority or 0, -share, status.queue.ref)


def _move(
    agent: AgentState, from_id: str, profiles: Mapping[str, Profile], to: Profile, queue: str, reason: str
) -> Move:
    """The agent's move from profile `from_id` (labelled by its Connect ID when unknown) to `to`."""
    current = profiles.get(from_id)
    return Move(
        login=agent.login,
        user_id=agent.user_id,
        from_id=from_id,
        from_label=current.label if current else from_id,
        from_ref=current.ref if current else from_id,
        to_id=to.id,
        to_label=to.label,
        to_ref=to.ref,
        queue=queue,
        reason=reason,
    )


def plan_rebalance(
    queues: Sequence[QueueStatus],
    agents: Sequence[AgentState],
    profiles: Mapping[str, Profile],
    max_moves: int = 5,
) -> Plan:
    """Moves of AVAILABLE agents to profiles offering them the at-risk queues' waiting callers.

    Greedy and deterministic: the most important at-risk queue that still needs agents gets the
    best candidate, until no queue needs one, nobody can move, or `max_moves` is reached. Rules
    (docs/queues.md): a queue needs `waiting - agents available and already offered its callers`;
    a target profile lists the queue with a delay no longer than the oldest wait; the agent's team
    is the profile's team, or it has every `required_skills` of the queue; a move never leaves a
    queue below its `min_staffing` of online agents, nor takes an agent from another at-risk queue;
    managers move only when no one else can. Applying the plan and planning again proposes nothing.
    """
    return _Planner(queues, agents, profiles).plan(max_moves)


class _Planner:
    def __init__(
        self, queues: Sequence[QueueStatus], agents: Sequence[AgentState], profiles: Mapping[str, Profile]
    ) -> None:
        self.queues = {q.queue.ref: q for q in queues}
        self.at_risk = sorted((q for q in queues if q.at_risk), key=risk_order)
        self.agents = sorted(agents, key=lambda a: (a.login, a.user_id))
        self.profiles = profiles
        self.current = {a.user_id: a.profile_id for a in agents}
        self.moved: set[str] = set()
        # Online agents per queue ref, kept up to date as moves are planned.
        self.staffed: Counter[str] = Counter()
        for a in agents:
            profile = self.profile(a)
            if profile is not None and a.activity is not Activity.OFFLINE:
                self.staffed.update(profile.queues.keys())

    def plan(self, max_moves: int) -> Plan:
        moves: list[Move] = []
        while len(moves) < max_moves:
            move = next((m for q in self.at_risk if self.need(q) > 0 and (m := self.best(q))), None)
            if move is None:
                break
            before = self.profiles.get(move.from_id)
            self.staffed.subtract(before.queues.keys() if before else ())
            self.staffed.update(self.profiles[move.to_id].queues.keys())
            self.current[move.user_id] = move.to_id
            self.moved.add(move.user_id)
            moves.append(move)
        capped = len(moves) >= max_moves
        shortfalls = [self.shortfall(q, capped) for q in self.at_risk if self.need(q) > 0]
        return Plan(self.at_risk, moves, shortfalls)

    # -- what the simulated state says
    def profile(self, agent: AgentState) -> Profile | None:
        return self.profiles.get(self.current[agent.user_id])

    @staticmethod
    def offers(profile: Profile | None, queue: QueueStatus) -> Slot | None:
        """The profile's slot for the queue if its agents are offered the waiting callers now."""
        slot = profile.queues.get(queue.queue.ref) if profile else None
        return slot if slot is not None and slot.delay <= queue.oldest else None

    def need(self, queue: QueueStatus) -> int:
        helping = sum(
            1 for a in self.agents if a.activity is Activity.AVAILABLE and self.offers(self.profile(a), queue)
        )
        return queue.waiting - helping

    def manager(self, agent: AgentState) -> bool:
        current = self.profile(agent)
        return agent.team == MANAGER or (current is not None and current.team == MANAGER)

    # -- choosing
    def candidates(self, queue: QueueStatus) -> list[AgentState]:
        return [
            a
            for a in self.agents
            if a.activity is Activity.AVAILABLE
            and a.user_id not in self.moved
            and not self.offers(self.profile(a), queue)
        ]

    def targets(self, queue: QueueStatus) -> list[tuple[Profile, Slot]]:
        found = [
            (p, slot)
            for p in self.profiles.values()
            if p.team is not None and (slot := self.offers(p, queue)) is not None
        ]
        return sorted(found, key=lambda ps: (ps[1].priority, ps[1].delay, ps[0].label, ps[0].id))

    def refusal(self, agent: AgentState, target: Profile, queue: QueueStatus) -> str | None:
        """Why the agent may not move to the target for this queue (None: it may)."""
        skills = queue.required_skills
        if agent.team != target.team and not (skills and skills <= agent.skills):
            if not skills:
                return f"not team {target.team} ({queue.queue.name} has no required_skills)"
            return f"not team {target.team} and lacks skill {', '.join(sorted(skills - agent.skills))}"
        current = self.profile(agent)
        for ref in sorted(current.queues if current else {}):
            if ref in target.queues:
                continue
            rule = self.queues.get(ref)
            if rule and self.staffed[ref] - 1 < rule.min_staffing:
                return f"{rule.queue.name} would drop below its minimum of {rule.min_staffing} online"
        for other in self.at_risk:
            if other is not queue and self.offers(current, other) and not self.offers(target, other):
                return f"{other.queue.name} is at risk too"
        return None

    def options(self, agent: AgentState, queue: QueueStatus) -> tuple[Profile | None, str]:
        """The best target for the agent (own team first, then priority), else why none."""
        targets = [t for t, _ in self.targets(queue) if t.id != self.current[agent.user_id]]
        targets.sort(key=lambda t: t.team != agent.team)  # stable: priority order within each
        first_refusal = "no routing profile offers the queue now"
        for i, target in enumerate(targets):
            why = self.refusal(agent, target, queue)
            if why is None:
                return target, ""
            if i == 0:
                first_refusal = why
        return None, first_refusal

    def best(self, queue: QueueStatus) -> Move | None:
        ranked: list[tuple[tuple[bool, bool, str], AgentState, Profile]] = []
        for agent in self.candidates(queue):
            if agent.team is None:
                continue
            target, _ = self.options(agent, queue)
            if target is not None:
                ranked.append(((self.manager(agent), agent.team != target.team, agent.login), agent, target))
        if not ranked:
            return None
        _, agent, target = min(ranked, key=lambda r: r[0])
        return _move(
            agent, self.current[agent.user_id], self.profiles, target, queue.queue.name, queue.summary()
        )

    def shortfall(self, queue: QueueStatus, capped: bool) -> str:
        head = f"{queue.queue.name}: {self.need(queue)} more agent(s) needed"
        if capped:
            return f"{head}; --max-moves reached"
        if not self.targets(queue):
            return f"{head}; no routing profile offers its callers to a known team now"
        reasons: Counter[str] = Counter()
        for agent in self.candidates(queue):
            reasons[self.options(agent, queue)[1] if agent.team else "not in the agents table"] += 1
        if not reasons:
            return f"{head}; no other agent is available"
        detail = "; ".join(f"{n} agent(s): {why}" for why, n in sorted(reasons.items(), key=lambda r: -r[1]))
        return f"{head}; available agents cannot move ({detail})"


# ---- the restore planner (pure) -----------------------------------------------------------------
@dataclass
class RestorePlan:
    moves: list[Move]
    already_home: list[tuple[str, str]]  # (login, home profile ref): the home attribute is only cleared
    on_contact: list[str]  # logins left for a later run
    problems: list[str]


def find_profile(profiles: Mapping[str, Profile], ref: str) -> Profile | None:
    """A profile by its routing_profiles.yaml key, Connect ID or name."""
    ordered = sorted(profiles.values(), key=lambda p: p.id)
    for attribute in ("key", "id", "name"):
        found = next((p for p in ordered if getattr(p, attribute) == ref), None)
        if found:
            return found
    return None


def plan_restore(agents: Sequence[AgentState], profiles: Mapping[str, Profile]) -> RestorePlan:
    """Moves that put agents with a home_routing_profile back on it; agents on a contact wait."""
    plan = RestorePlan([], [], [], [])
    for agent in sorted(agents, key=lambda a: a.login):
        if not agent.home_profile:
            continue
        home = find_profile(profiles, agent.home_profile)
        if home is None:
            plan.problems.append(
                f"{agent.login}: {HOME_ATTRIBUTE} {agent.home_profile!r} is not a routing profile of the "
                "instance; fix the agents table item"
            )
        elif agent.profile_id == home.id:
            plan.already_home.append((agent.login, home.ref))
        elif agent.activity is Activity.ON_CONTACT:
            plan.on_contact.append(agent.login)
        else:
            plan.moves.append(
                _move(agent, agent.profile_id, profiles, home, "", "back to the home routing profile")
            )
    return plan


# ---- reading Connect ----------------------------------------------------------------------------
def list_queues(ops: OpsContext) -> list[QueueRef]:
    """The instance's STANDARD queues, matched to queues.yaml by name."""
    keys = {q.name: q.key for q in ops.config.queues.values()}
    found = ops.paginate("list_queues", "QueueSummaryList", QueueTypes=["STANDARD"])
    refs = [
        QueueRef(q["Id"], q.get("Arn", ""), q.get("Name", q["Id"]), keys.get(q.get("Name", "")))
        for q in found
    ]
    return sorted(refs, key=lambda r: r.name)


def missing_queues(cfg: Config, queues: Iterable[QueueRef]) -> list[str]:
    """queues.yaml queues the instance does not have (by name)."""
    present = {q.name for q in queues}
    return [q.name for q in sorted(cfg.queues.values(), key=lambda q: q.priority) if q.name not in present]


def _token_pages(ops: OpsContext, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    """The `key` items of every page of GetCurrentMetricData / GetCurrentUserData (no boto3
    paginator: core.aws.iter_pages follows NextToken), FILTER_LIMIT per page."""
    params = {"InstanceId": ops.instance_id, **params, "MaxResults": FILTER_LIMIT}
    return iter_pages(ops.client("connect"), operation, key, **params)


def current_metrics(ops: OpsContext, queues: Sequence[QueueRef]) -> dict[str, dict[str, float]]:
    """Queue ID -> metric name -> value: one GetCurrentMetricData per 100 queues (and result page)."""
    out: dict[str, dict[str, float]] = {q.id: {} for q in queues}
    for ids in chunks([q.id for q in queues]):
        out.update(
            metric_values(
                _token_pages(ops, "get_current_metric_data", "MetricResults", **metric_request(ids))
            )
        )
    return out


def queue_statuses(ops: OpsContext, queues: Sequence[QueueRef]) -> list[QueueStatus]:
    metrics = current_metrics(ops, queues) if queues else {}
    found = [queue_status(q, metrics.get(q.id, {}), ops.config) for q in queues]
    return sorted(found, key=status_order)


def load_profiles(
    ops: OpsContext, queues: Sequence[QueueRef], include_ids: Iterable[str] = (), with_queues: bool = True
) -> dict[str, Profile]:
    """Routing profiles by Connect ID: those of routing_profiles.yaml (by name) and `include_ids`,
    with their VOICE queue slots read from the instance (the instance is what routes)."""
    yaml_by_name = {p.name: p for p in ops.config.routing_profiles.values()}
    ref_of = {q.id: q.ref for q in queues}
    wanted = set(include_ids)
    out: dict[str, Profile] = {}
    for summary in ops.paginate("list_routing_profiles", "RoutingProfileSummaryList"):
        spec = yaml_by_name.get(summary.get("Name", ""))
        if spec is None and summary["Id"] not in wanted:
            continue
        slots: dict[str, Slot] = {}
        if with_queues:
            configs = ops.paginate(
                "list_routing_profile_queues",
                "RoutingProfileQueueConfigSummaryList",
                RoutingProfileId=summary["Id"],
            )
            for c in configs:
                if c.get("Channel", CHANNEL) == CHANNEL:
                    slots[ref_of.get(c["QueueId"], c["QueueId"])] = Slot(int(c["Priority"]), int(c["Delay"]))
        out[summary["Id"]] = Profile(
            id=summary["Id"],
            name=summary.get("Name", summary["Id"]),
            key=spec.key if spec else None,
            team=spec.team if spec else None,
            queues=slots,
        )
    return out


def current_user_data(ops: OpsContext, filter_name: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    """GetCurrentUserData for up to 100 queue / agent IDs per call, every page, users once each."""
    users: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for data in _token_pages(ops, "get_current_user_data", "UserDataList", Filters={filter_name: chunk}):
            users.setdefault(data["User"]["Id"], data)
    return list(users.values())


def status_types(ops: OpsContext) -> dict[str, str]:
    """Agent status ARN -> ROUTABLE | CUSTOM | OFFLINE."""
    found = ops.paginate("list_agent_statuses", "AgentStatusSummaryList")
    return {s["Arn"]: s.get("Type", "CUSTOM") for s in found if s.get("Arn")}


def activity_of(data: Mapping[str, Any], types: Mapping[str, str]) -> Activity:
    if data.get("Contacts") or any(int(v) > 0 for v in (data.get("ActiveSlotsByChannel") or {}).values()):
        return Activity.ON_CONTACT
    status = data.get("Status") or {}
    found = ccp_status(types.get(str(status.get("StatusArn") or "")), status.get("StatusName"))
    return {AgentStatus.AVAILABLE: Activity.AVAILABLE, AgentStatus.OFFLINE: Activity.OFFLINE}.get(
        found, Activity.AWAY
    )


def usernames(ops: OpsContext) -> dict[str, str]:
    """Connect user ID -> username (the agents table's login)."""
    return {
        u["Id"]: u["Username"] for u in ops.paginate("list_users", "UserSummaryList") if u.get("Username")
    }


def agent_items(ops: OpsContext, only_moved: bool = False) -> dict[str, dict[str, Any]]:
    """login -> agents table item (only those with a home_routing_profile when `only_moved`)."""
    params: dict[str, Any] = {}
    if only_moved:
        params["FilterExpression"] = "attribute_exists(#h)"
        params["ExpressionAttributeNames"] = {"#h": HOME_ATTRIBUTE}
    return {str(item["login"]): item for item in scan_all(ops.table("agents"), **params)}


def _agent(
    login: str, data: Mapping[str, Any], item: Mapping[str, Any] | None, activity: Activity
) -> AgentState:
    skills = item.get("skills") if item else None
    home = item.get(HOME_ATTRIBUTE) if item else None
    return AgentState(
        login=login,
        user_id=str(data["User"]["Id"]),
        profile_id=str((data.get("RoutingProfile") or {}).get("Id", "")),
        activity=activity,
        team=str(item["team"]) if item and item.get("team") else None,
        skills=frozenset(str(s) for s in skills) if isinstance(skills, list | set | tuple) else frozenset(),
        home_profile=str(home) if home else None,
    )


@dataclass
class Snapshot:
    queues: list[QueueStatus]
    agents: list[AgentState]
    profiles: dict[str, Profile]
    unknown_users: list[str]  # online users without an agents table item (never moved)


def snapshot(ops: OpsContext) -> Snapshot:
    """Everything the rebalance planner needs, read once."""
    queues = list_queues(ops)
    statuses = queue_statuses(ops, queues)
    data = current_user_data(ops, "Queues", [q.id for q in queues]) if queues else []
    names = usernames(ops) if data else {}
    types = status_types(ops) if data else {}
    items = agent_items(ops) if data else {}
    agents: list[AgentState] = []
    unknown: list[str] = []
    for d in data:
        login = names.get(d["User"]["Id"], d["User"]["Id"])
        if login not in items:
            unknown.append(login)
        agents.append(_agent(login, d, items.get(login), activity_of(d, types)))
    profiles = load_profiles(ops, queues, {a.profile_id for a in agents})
    return Snapshot(statuses, agents, profiles, sorted(unknown))


@dataclass
class RestoreSnapshot:
    agents: list[AgentState]
    profiles: dict[str, Profile]
    problems: list[str]


def restore_snapshot(ops: OpsContext) -> RestoreSnapshot:
    """The agents the agents table records as moved, with their current profile and activity."""
    items = agent_items(ops, only_moved=True)
    if not items:
        return RestoreSnapshot([], {}, [])
    ids = {name: user_id for user_id, name in usernames(ops).items()}
    problems = [
        f"{login}: has {HOME_ATTRIBUTE} but no Connect user of that name"
        for login in sorted(items)
        if login not in ids
    ]
    wanted = sorted(ids[login] for login in items if login in ids)
    types = status_types(ops)
    data = {d["User"]["Id"]: d for d in current_user_data(ops, "Agents", wanted)} if wanted else {}
    connect = ops.client("connect")
    agents: list[AgentState] = []
    for login, item in sorted(items.items()):
        if login not in ids:
            continue
        found = data.get(ids[login])
        if found is None:  # logged out: GetCurrentUserData has nothing on it
            user = connect.describe_user(InstanceId=ops.instance_id, UserId=ids[login])["User"]
            found = {"User": {"Id": ids[login]}, "RoutingProfile": {"Id": user.get("RoutingProfileId", "")}}
            agents.append(_agent(login, found, item, Activity.OFFLINE))
        else:
            agents.append(_agent(login, found, item, activity_of(found, types)))
    refs = {a.profile_id for a in agents} | {a.home_profile for a in agents if a.home_profile}
    profiles = load_profiles(ops, [], refs, with_queues=False)
    return RestoreSnapshot(agents, profiles, problems)


# ---- applying -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    move: Move
    ok: bool
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**self.move.as_dict(), "result": "applied" if self.ok else "failed", "error": self.error}


def apply_moves(ops: OpsContext, moves: Sequence[Move]) -> list[Outcome]:
    """Apply rebalance moves; each records the agent's first profile as home_routing_profile
    before the change (so --restore finds it even after an interruption)."""
    from botocore.exceptions import BotoCoreError, ClientError

    table, connect = ops.table("agents"), ops.client("connect")
    outcomes: list[Outcome] = []
    for move in moves:
        key = {"login": move.login}
        try:
            before = table.update_item(
                Key=key,
                UpdateExpression="SET #h = if_not_exists(#h, :home)",
                ConditionExpression="attribute_exists(login)",
                ExpressionAttributeNames={"#h": HOME_ATTRIBUTE},
                ExpressionAttributeValues={":home": move.from_ref},
                ReturnValues="ALL_OLD",
            ).get("Attributes", {})
            home = before.get(HOME_ATTRIBUTE) or move.from_ref
            try:
                connect.update_user_routing_profile(
                    InstanceId=ops.instance_id, UserId=move.user_id, RoutingProfileId=move.to_id
                )
            except (ClientError, BotoCoreError):
                if HOME_ATTRIBUTE not in before:  # undo our record: the agent did not move
                    table.update_item(
                        Key=key, UpdateExpression="REMOVE #h", ExpressionAttributeNames={"#h": HOME_ATTRIBUTE}
                    )
                raise
            _record_profile(table, move.login, move.to_ref, back_home=move.to_ref == home)
            outcomes.append(Outcome(move, True))
        except (ClientError, BotoCoreError) as exc:
            outcomes.append(Outcome(move, False, error_text(exc)))
    return outcomes


def apply_restore(ops: OpsContext, plan: RestorePlan) -> tuple[list[Outcome], list[str]]:
    """Move agents back home and clear their home attribute (only cleared for those already home).

    Returns the moves' outcomes, and the logins whose attribute could not be cleared."""
    from botocore.exceptions import BotoCoreError, ClientError

    table, connect = ops.table("agents"), ops.client("connect")
    outcomes: list[Outcome] = []
    for move in plan.moves:
        try:
            connect.update_user_routing_profile(
                InstanceId=ops.instance_id, UserId=move.user_id, RoutingProfileId=move.to_id
            )
            _record_profile(table, move.login, move.to_ref, back_home=True)
            outcomes.append(Outcome(move, True))
        except (ClientError, BotoCoreError) as exc:
            outcomes.append(Outcome(move, False, error_text(exc)))
    uncleared: list[str] = []
    for login, home_ref in plan.already_home:
        try:
            _record_profile(table, login, home_ref, back_home=True)
        except (ClientError, BotoCoreError) as exc:
            uncleared.append(f"{login}: {error_text(exc)}")
    return outcomes, uncleared


def _record_profile(table: Any, login: str, profile_ref: str, back_home: bool) -> None:
    """Keep the agents table's routing_profile in step with Connect."""
    expression = "SET routing_profile = :p" + (" REMOVE #h" if back_home else "")
    params: dict[str, Any] = {
        "Key": {"login": login},
        "UpdateExpression": expression,
        "ExpressionAttributeValues": {":p": profile_ref},
    }
    if back_home:
        params["ExpressionAttributeNames"] = {"#h": HOME_ATTRIBUTE}
    table.update_item(**params)
