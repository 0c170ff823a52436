"""The Connect resource set: queues, hours of operation, routing and security profiles and quick
connects, as the instance holds them, derived once from the configuration (lambdas/aicc/config).

Terraform builds them from the same data files (terraform/main.tf reads the YAML, and
terraform/modules/connect/main.tf maps each entry to its resource); `connect diff` (admin/drift.py)
compares an instance with this set, and the local Connect emulator is seeded from it. A gate test
(tests/terraform/test_connect_resources.py) evaluates the module's HCL over the data files and
compares the result with this set, so Terraform, drift and the emulator cannot disagree.

Resources refer to each other by their stable key (queues.yaml key, hours.yaml key...); each user
of the set turns the keys into what it needs (Connect IDs, drift references, local IDs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aicc.settings import Config

WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
VOICE = "VOICE"
VOICE_CONCURRENCY = 1  # one call at a time per agent (routing profiles' media concurrency)
QUEUE_ENABLED = "ENABLED"
# QUEUE quick connects transfer through the flow every instance is created with.
QUEUE_TRANSFER_FLOW = "Default queue transfer"
QUICK_CONNECT_QUEUE = "QUEUE"


def quick_connect_description(queue_name: str) -> str:
    return f"Transfer to the {queue_name} queue (escalation and agent transfers)."


@dataclass(frozen=True)
class DayConfig:
    day: str  # MONDAY..SUNDAY
    start: tuple[int, int]  # (hours, minutes)
    end: tuple[int, int]  # (0, 0) as an end: midnight at the end of the day, as Connect takes it


@dataclass(frozen=True)
class HoursOfOperation:
    key: str
    name: str
    description: str
    time_zone: str  # IANA name
    config: tuple[DayConfig, ...]  # in week order


@dataclass(frozen=True)
class Queue:
    key: str
    name: str
    description: str
    hours: str  # hours key
    max_contacts: int | None
    outbound_caller_name: str
    outbound_flow: str | None  # flow key of the catalog's OUTBOUND_WHISPER flow
    quick_connects: tuple[str, ...]  # keys of the quick connects the queue offers (every other queue's)
    status: str = QUEUE_ENABLED


@dataclass(frozen=True)
class QuickConnect:
    key: str  # the queue's key: one QUEUE quick connect per queue
    name: str
    description: str
    queue: str  # queue key
    flow: str = QUEUE_TRANSFER_FLOW  # by name: the instance's own flow, not one of the catalog
    type: str = QUICK_CONNECT_QUEUE


@dataclass(frozen=True)
class RoutingQueue:
    queue: str  # queue key
    priority: int
    delay: int
    channel: str = VOICE


@dataclass(frozen=True)
class RoutingProfile:
    key: str
    name: str
    description: str
    default_outbound_queue: str  # queue key
    queues: tuple[RoutingQueue, ...]
    media: tuple[tuple[str, int], ...] = ((VOICE, VOICE_CONCURRENCY),)  # (channel, concurrency)


@dataclass(frozen=True)
class SecurityProfile:
    key: str  # role
    name: str
    description: str
    permissions: tuple[str, ...]  # its own and those of the roles it includes


@dataclass(frozen=True)
class ConnectResourceSet:
    hours: Mapping[str, HoursOfOperation]
    queues: Mapping[str, Queue]
    quick_connects: Mapping[str, QuickConnect]
    routing_profiles: Mapping[str, RoutingProfile]
    security_profiles: Mapping[str, SecurityProfile]


def _hhmm(t: object) -> tuple[int, int]:
    return (int(getattr(t, "hour", 0)), int(getattr(t, "minute", 0)))


def derive(config: Config, outbound_flow: str | None) -> ConnectResourceSet:
    """The set Terraform creates from `config`; `outbound_flow` is the catalog's OUTBOUND_WHISPER
    flow key (engine.flows.outbound_flow), every queue's outbound flow."""
    hours = {
        key: HoursOfOperation(
            key,
            h.name,
            h.description,
            h.time_zone.key,
            tuple(
                DayConfig(day, _hhmm(h.schedule[day].start), _hhmm(h.schedule[day].end))
                for day in WEEK
                if day in h.schedule
            ),
        )
        for key, h in config.hours.items()
    }
    queues = {
        key: Queue(
            key,
            q.name,
            q.description,
            q.hours,
            q.max_contacts,
            q.outbound_caller_name,
            outbound_flow,
            tuple(other for other in config.queues if other != key),
        )
        for key, q in config.queues.items()
    }
    quick_connects = {
        key: QuickConnect(key, q.name, quick_connect_description(q.name), key)
        for key, q in config.queues.items()
    }
    routing_profiles = {
        key: RoutingProfile(
            key,
            rp.name,
            rp.description,
            rp.default_outbound_queue,
            # Connect keeps one queue config per queue and channel: every queue on every channel.
            tuple(
                RoutingQueue(qc.queue, qc.priority, qc.delay, channel)
                for channel, _ in rp.media
                for qc in rp.queues
            ),
            rp.media,
        )
        for key, rp in config.routing_profiles.items()
    }
    security_profiles = {
        key: SecurityProfile(key, sp.name, sp.description, tuple(dict.fromkeys(sp.permissions)))
        for key, sp in config.security_profiles.items()
    }
    return ConnectResourceSet(hours, queues, quick_connects, routing_profiles, security_profiles)
