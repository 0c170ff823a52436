"""What one step of an emergency's escalation reads, in as few requests as DynamoDB allows.

The flow calls the escalation at every wait, so each request here is repeated many times per call:

1. one BatchGetItem for the customer, the roster of the part the contact's `part` attribute names,
   the TS engineers its `ts_primary` / `ts_secondary` attributes name (the flow copied them from the
   customer lookup), the part's members and manager its `escalation_people` attribute names (the
   flow copied them from the previous step's `people`: see `people_hint`), all checked against the
   customer and the roster and read again only when stale, and the contact's call log, read
   consistently: when the escalation started, its pages, the notices already claimed and the events
   logged;
2. the other people the walk looks at (the part's members, its manager, when no attribute named
   them: the first step) in one BatchGetItem, only when it looks at one of them: a walk that routes
   to the primary engineer reads nothing more;
3. the general team (one Query) only if the walk gets that far.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, overload

from aicc.adapters.agents import AgentRepository, RosterRepository, roster_from_item
from aicc.adapters.call_logs import CallLogRepository, EscalationState
from aicc.adapters.customers import CustomerRepository, customer_from_item
from aicc.adapters.dynamodb import read_items
from aicc.domain.agents import Agent, Roster
from aicc.domain.call_log import RETENTION
from aicc.domain.customers import Customer
from aicc.settings import EscalationPolicy


class TeamOnDemand(Sequence[Agent]):
    """A team's agents, read (one Query) the first time anyone looks at them."""

    def __init__(self, agents: AgentRepository, team: str) -> None:
        self._agents, self._team = agents, team

    @cached_property
    def _members(self) -> list[Agent]:
        return self._agents.by_team(self._team)

    @overload
    def __getitem__(self, index: int) -> Agent: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Agent]: ...
    def __getitem__(self, index: int | slice) -> Agent | Sequence[Agent]:
        return self._members[index]

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[Agent]:
        return iter(self._members)


class PeopleOnDemand(Mapping[str, Agent]):
    """The agents a walk may look at, by login: those whose items were read already, made Agents
    when first asked for, and the others read together (one BatchGetItem) the first time one of
    them is asked for. A walk that routes to the customer's primary engineer reads no one else."""

    def __init__(
        self, agents: AgentRepository, items: Mapping[str, Mapping[str, Any]], wanted: Iterable[str]
    ) -> None:
        logins = [login for login in dict.fromkeys(wanted) if login]
        self._agents = agents
        self._items = {login: items[login] for login in logins if login in items}
        self._known: dict[str, Agent] = {}
        self._unread = [login for login in logins if login not in items]

    def _read(self) -> None:
        if self._unread:
            self._known.update(self._agents.get_many(self._unread))
            self._unread = []

    def __getitem__(self, login: str) -> Agent:
        if login not in self._known:
            if login in self._items:
                self._known[login] = self._agents.from_item(self._items[login])
            elif login in self._unread:
                self._read()
        return self._known[login]

    def __iter__(self) -> Iterator[str]:
        self._read()
        # Those read first, in the order wanted, then the others.
        return iter({**{login: self[login] for login in self._items}, **self._known})

    def __len__(self) -> int:
        self._read()
        return len(self._items.keys() | self._known.keys())


@dataclass(frozen=True)
class StepReads:
    customer: Customer | None
    roster: Roster | None
    people: Mapping[str, Agent]  # by login: the TS engineers, the part's members and manager
    general: Sequence[Agent]  # the general team, read on first use
    state: EscalationState


# Chain steps whose engineer the flow copied into an attribute of the same name.
_HINTED = ("ts_primary", "ts_secondary")
# The attribute the flow copies the previous step's `people` into: the part's members and manager.
PEOPLE_ATTRIBUTE = "escalation_people"


def people_hint(customer: Customer | None, roster: Roster | None) -> str:
    """The logins of the part's members and manager, other than the customer's TS engineers (their
    own attributes name them), for the flow to pass to the next step: each step reads them with the
    customer and the roster instead of in a second request."""
    if roster is None:
        return ""
    engineers = {customer.ts_primary, customer.ts_secondary} if customer else set()
    logins = dict.fromkeys(login for login in (*roster.members, roster.manager) if login)
    return ",".join(login for login in logins if login not in engineers)


def read_step(
    contact_id: str,
    attributes: Mapping[str, str],
    policy: EscalationPolicy,
    step: int,
    logs: CallLogRepository,
    now: datetime,
) -> StepReads:
    """Everything a walk from `step` decides on, for the contact with these attributes
    (`customer_id`; `part`, `ts_primary` and `ts_secondary` to read the roster and the engineers with
    it when the walk can reach them; `escalation_people` for the part's members and manager). `logs`
    remembers the call log it read (its claims are not repeated) and holds the escalation's start
    for its next write when this is the first step."""
    agents, customers, rosters = AgentRepository(), CustomerRepository(), RosterRepository()
    part = attributes.get("part", "").strip()
    pages = len(policy.chain) + 1  # a page per chain step, then the manager's
    keys = (
        customers.key(attributes.get("customer_id", "").strip()),
        rosters.key(part),
        logs.key(contact_id, pages),
    )
    # The TS engineers the flow copied from the customer lookup and the part's people from the
    # previous step, read with them (checked below; the manager is wanted at any step, since the
    # chain's end notifies the manager, and a few members more cost no request).
    steps = [name for name in policy.chain[step:] if name in _HINTED]  # the TS steps still ahead
    logins = [attributes.get(name, "") for name in steps] + attributes.get(PEOPLE_ATTRIBUTE, "").split(",")
    hinted = [agents.key(login) for login in dict.fromkeys(login.strip() for login in logins) if login]
    items = read_items(agents.client, [*keys, *hinted])
    customer = customer_from_item(items[keys[0]]) if keys[0] in items else None
    roster_item = items.get(keys[1])
    if customer is not None and customer.part != part:  # the attribute was stale
        key = rosters.key(customer.part)
        roster_item = read_items(agents.client, [key]).get(key)
    roster = roster_from_item(roster_item) if roster_item is not None and customer is not None else None
    expires_at = int((now + RETENTION).timestamp())
    state = logs.escalation_state(contact_id, items.get(keys[2], {}), now, expires_at)
    tried = [customer.ts_primary, customer.ts_secondary] if customer else []
    read = {key.value: items[key] for key in hinted if key in items}  # an agent's key is its login
    wanted = [*tried, *(roster.members if roster else ()), roster.manager if roster else ""]
    people = PeopleOnDemand(agents, read, wanted)
    return StepReads(customer, roster, people, TeamOnDemand(agents, policy.general_team), state)
