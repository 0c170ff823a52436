"""The engine's queue model: agent presence per queue and the callers waiting, for CheckMetricData /
GetMetricData and a queue's capacity (max_contacts) in the local engine.

The engine takes one model at construction. `SimulatedQueues` serves a simulated call (the CLI's
`call simulate`, demo, drills, scenario tests): agents and their status from the agents table (the
same table the assignment and escalation Lambdas read), a routing profile's queues from
routing_profiles.yaml, and the callers already waiting as a drill or test sets them. The local stack
server's live queues (local/live.py) are the other model: what waits and who talks right now.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import boto3

from aicc.settings import Config

ONLINE = frozenset({"AVAILABLE", "BUSY", "AFTER_CONTACT_WORK", "AWAY"})


@dataclass(frozen=True)
class AgentCounts:
    available: int = 0
    online: int = 0
    staffed: int = 0


class QueueModel(Protocol):
    """What the engine asks about queues and agents while a call runs."""

    def refresh(self) -> None:
        """Re-read the agents (once per call, when it first asks about agents)."""

    def counts(self, queue_key: str) -> AgentCounts: ...

    def agent_status(self, login: str) -> str: ...

    def backlog(self) -> Mapping[str, tuple[int, int]]:
        """Per queue key: contacts waiting and the oldest wait in seconds."""
        ...

    def admit(self, contact_id: str, queue_key: str, limit: int | None) -> bool:
        """Whether the queue has room for the contact (None: no limit); may take the place."""
        ...


class AgentPresence:
    def __init__(self, config: Config, agents: list[Mapping[str, Any]] | None = None) -> None:
        self.config = config
        self._agents = agents
        self._client: Any = None  # created on first refresh, once: client creation costs ~20 ms

    def refresh(self) -> None:
        """Re-read the agents table (once per simulated call)."""
        table = os.environ.get(self.config.tables["agents"].env)
        if not table:
            self._agents = []
            return
        if self._client is None:
            self._client = boto3.client("dynamodb")
        client = self._client
        items: list[Mapping[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": table,
            # Only what counts and agent_status read: a smaller answer to send and parse.
            "ProjectionExpression": "#l, #r, #s",
            "ExpressionAttributeNames": {"#l": "login", "#r": "routing_profile", "#s": "status"},
        }
        while True:
            page = client.scan(**kwargs)
            items.extend(
                {k: next(iter(v.values())) for k, v in item.items()} for item in page.get("Items", [])
            )
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self._agents = items

    def counts(self, queue_key: str) -> AgentCounts:
        if self._agents is None:
            self.refresh()
        available = online = 0
        for agent in self._agents or []:
            profile = self.config.routing_profiles.get(str(agent.get("routing_profile", "")))
            if profile is None or all(qc.queue != queue_key for qc in profile.queues):
                continue
            status = str(agent.get("status", "OFFLINE"))
            online += status in ONLINE
            available += status == "AVAILABLE"
        return AgentCounts(available, online, online)

    def agent_status(self, login: str) -> str:
        if self._agents is None:
            self.refresh()
        for agent in self._agents or []:
            if agent.get("login") == login:
                return str(agent.get("status", "OFFLINE"))
        return "OFFLINE"


class SimulatedQueues(AgentPresence):
    """A simulated call's queues: agents from the agents table, and the contacts already waiting per
    queue key as `waiting` says (a call is alone unless a drill or test sets some)."""

    def __init__(self, config: Config, agents: list[Mapping[str, Any]] | None = None) -> None:
        super().__init__(config, agents)
        self.waiting: dict[str, tuple[int, int]] = {}  # queue key -> (count, oldest age in s)

    def backlog(self) -> Mapping[str, tuple[int, int]]:
        return self.waiting

    def admit(self, contact_id: str, queue_key: str, limit: int | None) -> bool:
        count, _ = self.waiting.get(queue_key, (0, 0))
        return limit is None or count < limit
