"""`aicc-ops failover shift`: a Connect Global Resiliency traffic shift, step by step, verified, rolled back.

`TrafficShift` moves telephony traffic (and agents) between the two Regions of a traffic
distribution group, waits until each step shows in GetTrafficDistribution, checks the replica's
queues, and restores the original distribution at the end unless told to keep it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from aicc.settings import Config

from ..core.aws import error_text, iter_pages, pages
from ..core.signals import Terminated, held, what_stopped
from .failover import DrillError, Rollback, md_report, md_table, now

# ---- AWS: Connect Global Resiliency traffic shift ---------------------------------------------------------


class ShiftError(RuntimeError):
    """A step of the traffic shift failed (not applied in time, unhealthy queues, API error)."""


@dataclass(frozen=True)
class TrafficGroup:
    id: str
    arn: str
    name: str
    status: str
    is_default: bool
    instance_arn: str


@dataclass(frozen=True)
class Distribution:
    """A traffic distribution group's split: Region -> percent (telephony, agents), Region -> sign-in."""

    telephony: Mapping[str, int]
    agents: Mapping[str, int] | None = None
    sign_in: Mapping[str, bool] | None = None

    @classmethod
    def from_api(cls, response: Mapping[str, Any]) -> Distribution:
        def pct(config: Any) -> dict[str, int] | None:
            if not config:
                return None
            return {d["Region"]: int(d["Percentage"]) for d in config.get("Distributions") or []}

        sign_in = response.get("SignInConfig")
        return cls(
            pct(response.get("TelephonyConfig")) or {},
            pct(response.get("AgentConfig")),
            {d["Region"]: bool(d["Enabled"]) for d in sign_in.get("Distributions") or []}
            if sign_in
            else None,
        )

    def params(self) -> dict[str, Any]:
        """UpdateTrafficDistribution's configs (only the parts this distribution sets)."""

        def config(split: Mapping[str, Any], key: str) -> dict[str, Any]:
            return {"Distributions": [{"Region": r, key: v} for r, v in sorted(split.items())]}

        out = {"TelephonyConfig": config(self.telephony, "Percentage")}
        if self.agents is not None:
            out["AgentConfig"] = config(self.agents, "Percentage")
        if self.sign_in is not None:
            out["SignInConfig"] = config(self.sign_in, "Enabled")
        return out

    def applied_in(self, current: Distribution) -> bool:
        return (
            dict(current.telephony) == dict(self.telephony)
            and (self.agents is None or dict(current.agents or {}) == dict(self.agents))
            and (self.sign_in is None or dict(current.sign_in or {}) == dict(self.sign_in))
        )

    def text(self) -> str:
        def split(shares: Mapping[str, int]) -> str:
            return " / ".join(f"{r} {p}%" for r, p in sorted(shares.items()))

        parts = ["telephony " + split(self.telephony)]
        if self.agents is not None:
            parts.append("agents " + split(self.agents))
        if self.sign_in is not None:
            parts.append(
                "sign-in " + ", ".join(f"{r} {'on' if e else 'off'}" for r, e in sorted(self.sign_in.items()))
            )
        return "; ".join(parts)

    def majority_region(self) -> str:
        return max(sorted(self.telephony), key=lambda r: self.telephony[r])


def parse_steps(text: str, current: int) -> list[int]:
    """The target Region's share after each step: a count of even steps to 100% (`2`: 50, 100), or
    the shares themselves (`30,60,100`; a single share with %: `50%`)."""
    text = text.strip()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= 10:
            raise DrillError(f"--steps {text}: give 1 to 10 steps, or shares like 50% or 30,60,100")
        shares = [round((current + (100 - current) * i / count) / 10) * 10 for i in range(1, count + 1)]
    else:
        try:
            shares = [int(p.strip().rstrip("%")) for p in text.split(",") if p.strip()]
        except ValueError:
            raise DrillError(
                f"--steps {text!r}: a number of steps (2) or shares (50% or 30,60,100)"
            ) from None
    out: list[int] = []
    for s in shares:
        if s % 10 or not 0 <= s <= 100:
            raise DrillError(
                f"--steps: {s}% is not a multiple of 10 between 0 and 100 (Connect's increments)"
            )
        if s <= (out[-1] if out else current):
            if text.isdigit():
                continue  # rounding made two even steps equal
            raise DrillError(f"--steps: shares must rise above the current {current}%, got {text}")
        out.append(s)
    if not out:
        raise DrillError(f"--steps {text}: the target Region already has {current}%")
    return out


def shift_plan(
    original: Distribution, to_region: str, shares: Sequence[int], group: TrafficGroup
) -> list[Distribution]:
    regions = sorted(original.telephony)
    if to_region not in regions:
        raise DrillError(f"--to-region {to_region}: the group {group.name} spans {', '.join(regions)}")
    if len(regions) != 2:
        raise DrillError(f"the group {group.name} spans {len(regions)} Regions; the drill shifts between two")
    other = next(r for r in regions if r != to_region)
    out = []
    for share in shares:
        split = {to_region: share, other: 100 - share}
        sign_in = None
        # Sign-in can only change on the default group; agents may sign in where calls arrive.
        if group.is_default and original.sign_in is not None:
            sign_in = {to_region: True, other: 100 - share > 0}
        out.append(Distribution(split, dict(split) if original.agents is not None else None, sign_in))
    return out


@dataclass
class QueueHealth:
    queue: str
    agents_online: int
    agents_available: int
    waiting: int
    oldest_seconds: int
    sla_seconds: int | None
    problem: str = ""


def queue_health(client: Any, instance_id: str, config: Config) -> list[QueueHealth]:
    """Per queue of the (replica) instance: agents, callers waiting and the oldest wait against the SLA."""
    queues = pages(client, "list_queues", "QueueSummaryList", InstanceId=instance_id, QueueTypes=["STANDARD"])
    queues = queues[:100]  # GetCurrentMetricData filters at most 100 queues
    values: dict[str, dict[str, float]] = {}
    metrics = [
        {"Name": "AGENTS_ONLINE", "Unit": "COUNT"},
        {"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"},
        {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"},
        {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"},
    ]
    results = (
        iter_pages(
            client,
            "get_current_metric_data",
            "MetricResults",
            InstanceId=instance_id,
            Filters={"Queues": [q["Id"] for q in queues], "Channels": ["VOICE"]},
            Groupings=["QUEUE"],
            CurrentMetrics=metrics,
        )
        if queues
        else ()
    )
    for result in results:
        qid = ((result.get("Dimensions") or {}).get("Queue") or {}).get("Id", "")
        values[qid] = {
            c["Metric"]["Name"]: float(c.get("Value") or 0) for c in result.get("Collections") or []
        }
    sla = {q.name: q.sla_seconds for q in config.queues.values()}
    out = []
    for q in sorted(queues, key=lambda q: str(q.get("Name", ""))):
        v = values.get(q["Id"], {})
        name = str(q.get("Name") or q["Id"])
        h = QueueHealth(
            name,
            int(v.get("AGENTS_ONLINE", 0)),
            int(v.get("AGENTS_AVAILABLE", 0)),
            int(v.get("CONTACTS_IN_QUEUE", 0)),
            int(v.get("OLDEST_CONTACT_AGE", 0)),
            sla.get(name),
        )
        if h.waiting and not h.agents_online:
            h.problem = f"{h.waiting} caller(s) waiting, no agent online"
        elif h.sla_seconds is not None and h.oldest_seconds > h.sla_seconds:
            h.problem = f"oldest caller waits {h.oldest_seconds} s, SLA {h.sla_seconds} s"
        out.append(h)
    return out


def find_group(client: Any, instance_id: str, wanted: str | None) -> TrafficGroup:
    groups = pages(
        client,
        "list_traffic_distribution_groups",
        "TrafficDistributionGroupSummaryList",
        InstanceId=instance_id,
        PaginationConfig={"PageSize": 10},
    )
    if not groups:
        raise DrillError(
            f"instance {instance_id} has no traffic distribution group: Global Resiliency needs a replica "
            "instance (ReplicateInstance) and a group (CreateTrafficDistributionGroup) first"
        )
    if wanted:
        found = [g for g in groups if wanted in (g.get("Id"), g.get("Arn"), g.get("Name"))]
    else:
        found = [g for g in groups if g.get("IsDefault")] or (groups if len(groups) == 1 else [])
    if len(found) != 1:
        listing = ", ".join(
            f"{g.get('Name')} ({g.get('Id')}{', default' if g.get('IsDefault') else ''})" for g in groups
        )
        raise DrillError(
            f"which traffic distribution group? give --group ID|ARN|NAME; the instance has: {listing}"
        )
    g = found[0]
    group = TrafficGroup(
        str(g["Id"]),
        str(g["Arn"]),
        str(g.get("Name", "")),
        str(g.get("Status", "")),
        bool(g.get("IsDefault")),
        str(g.get("InstanceArn", "")),
    )
    if group.status != "ACTIVE":
        raise DrillError(f"the traffic distribution group {group.name} is {group.status}; it must be ACTIVE")
    return group


@dataclass
class ShiftStep:
    number: int
    distribution: Distribution
    region: str  # where UpdateTrafficDistribution was called
    applied_after: float | None = None
    health: list[QueueHealth] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "distribution": asdict(self.distribution),
            "called_in": self.region,
            "applied_after_seconds": self.applied_after,
            "health": [asdict(h) for h in self.health],
            "error": self.error,
        }


@dataclass
class ShiftReport:
    group: TrafficGroup
    original: Distribution
    to_region: str
    steps: list[ShiftStep] = field(default_factory=list)
    planned: int = 0
    rollback: Rollback = field(default_factory=Rollback)
    rolled_back: bool = False
    kept: bool = False
    aborted: str = ""
    started_at: str = ""
    finished_at: str = ""

    @property
    def passed(self) -> bool:
        steps_ok = len(self.steps) == self.planned and not any(s.error for s in self.steps)
        return steps_ok and not self.aborted and self.rollback.done

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": "PASS" if self.passed else "FAIL",
            "group": asdict(self.group),
            "original": asdict(self.original),
            "to_region": self.to_region,
            "steps": [s.to_json() for s in self.steps],
            "steps_planned": self.planned,
            "rolled_back": self.rolled_back,
            "kept": self.kept,
            "rollback": self.rollback.to_json(),
            "aborted": self.aborted,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }

    def to_markdown(self) -> str:
        if self.kept:
            back = f"kept at the last step (--keep); the original was {self.original.text()}"
        elif self.rolled_back:
            back = (
                "rolled back to "
                + self.original.text()
                + ("" if self.rollback.done else " — INCOMPLETE: " + "; ".join(self.rollback.problems))
            )
        else:
            back = "INCOMPLETE: " + "; ".join(self.rollback.problems or ["not rolled back"])
        facts = [
            f"Verdict: **{'PASS' if self.passed else 'FAIL'}**",
            f"Traffic distribution group: {self.group.name} ({self.group.arn})",
            f"Shift to: {self.to_region}; started {self.started_at}, finished {self.finished_at}",
            f"Original: {self.original.text()}",
            f"Rollback: {back}",
        ]
        rows = [
            [
                s.number,
                s.distribution.text(),
                s.region,
                "-" if s.applied_after is None else round(s.applied_after, 1),
                health_text(s.health),
                s.error,
            ]
            for s in self.steps
        ]
        headers = ["step", "distribution", "called in", "applied after s", "queues", "error"]
        title = "Failover drill report: Global Resiliency traffic shift"
        return md_report(title, facts, self.aborted, [md_table(headers, rows)])


def _health_problems(health: Sequence[QueueHealth]) -> list[str]:
    return [f"{h.queue}: {h.problem}" for h in health if h.problem]


def health_text(health: Sequence[QueueHealth]) -> str:
    if not health:
        return "not checked"
    bad = _health_problems(health)
    online = sum(h.agents_online for h in health)
    return "; ".join(bad) if bad else f"{len(health)} healthy, {online} agent(s) online"


def _refused(exc: BaseException) -> bool:
    """A 4xx answer: the service refused the request and changed nothing."""
    response = getattr(exc, "response", None)
    status = ((response or {}).get("ResponseMetadata") or {}).get("HTTPStatusCode", 0)
    return 400 <= int(status) < 500 and "Throttling" not in str((response or {}).get("Error", {}).get("Code"))


class TrafficShift:
    """Shift step by step, verify each step, roll back (unless kept after a clean run)."""

    def __init__(
        self,
        client_for: Callable[[str], Any],
        group: TrafficGroup,
        original: Distribution,
        to_region: str,
        steps: Sequence[Distribution],
        *,
        health: Callable[[], list[QueueHealth]] | None = None,
        timeout: float = 300.0,
        poll: float = 10.0,
        dwell: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        echo: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.client_for = client_for
        self.group, self.original, self.to_region = group, original, to_region
        self.targets = list(steps)
        self.health = health
        self.timeout, self.poll, self.dwell = timeout, poll, dwell
        self.sleep, self.clock, self.echo = sleep, clock, echo
        self.accepted = 0  # updates the service took
        self.unchanged = False  # the first update was refused: nothing to roll back

    def rollback_target(self) -> Distribution:
        """The original distribution, with only the parts the steps changed."""
        first = self.targets[0] if self.targets else Distribution({})
        return Distribution(
            self.original.telephony,
            None if first.agents is None else self.original.agents,
            None if first.sign_in is None else self.original.sign_in,
        )

    def rollback_params(self) -> dict[str, Any]:
        return self.rollback_target().params()

    def run(self, keep: bool = False) -> ShiftReport:
        report = ShiftReport(
            self.group, self.original, self.to_region, planned=len(self.targets), started_at=now()
        )
        try:
            for number, target in enumerate(self.targets, 1):
                step = ShiftStep(number, target, self.to_region)
                report.steps.append(step)
                try:
                    self._step(step)
                except ShiftError as exc:
                    step.error = str(exc)
                    raise
        except ShiftError as exc:
            report.aborted = f"step {len(report.steps)}: {exc}"
        except (KeyboardInterrupt, Terminated) as stopped:
            report.aborted = what_stopped(stopped)
        except Exception as exc:  # an API error: the shift stops, the rollback still runs
            report.aborted = error_text(exc)
            if report.steps:
                report.steps[-1].error = report.aborted
        finally:
            if keep and report.passed:
                report.kept = True
            elif self.unchanged:
                report.rollback = Rollback(["nothing to roll back: the first update was refused"])
            else:
                with held():
                    report.rollback = self._rollback()
                report.rolled_back = report.rollback.done
            report.finished_at = now()
        return report

    def _step(self, step: ShiftStep) -> None:
        self.echo(
            f"step {step.number}: {step.distribution.text()} (UpdateTrafficDistribution in {step.region})"
        )
        client = self.client_for(step.region)
        try:
            client.update_traffic_distribution(Id=self.group.arn, **step.distribution.params())
        except Exception as exc:
            if not self.accepted and _refused(exc):
                self.unchanged = True  # the service said no before anything moved
            raise
        self.accepted += 1
        step.applied_after = self._wait_applied(client, step.distribution)
        self.echo(f"step {step.number}: applied after {step.applied_after:.0f} s")
        if self.dwell:
            self.sleep(self.dwell)
        if self.health is not None:
            step.health = self.health()
            bad = _health_problems(step.health)
            if bad:
                raise ShiftError("queues at risk in " + self.to_region + ": " + "; ".join(bad))

    def _wait_applied(self, client: Any, want: Distribution) -> float:
        start = self.clock()
        while True:
            got = Distribution.from_api(client.get_traffic_distribution(Id=self.group.arn))
            described = client.describe_traffic_distribution_group(TrafficDistributionGroupId=self.group.arn)
            status = str((described.get("TrafficDistributionGroup") or {}).get("Status", ""))
            if want.applied_in(got) and status == "ACTIVE":
                return self.clock() - start
            if status.endswith("FAILED") or status == "PENDING_DELETION":
                raise ShiftError(f"the group went {status}")
            waited = self.clock() - start
            if waited >= self.timeout:
                raise ShiftError(f"not applied after {self.timeout:.0f} s (group {status}; now {got.text()})")
            self.sleep(min(self.poll, max(0.0, self.timeout - waited)))

    def _rollback(self) -> Rollback:
        out = Rollback()
        region = self.original.majority_region()
        want = self.rollback_target()
        try:
            self.echo(f"rollback: {self.original.text()} (UpdateTrafficDistribution in {region})")
            client = self.client_for(region)
            client.update_traffic_distribution(Id=self.group.arn, **want.params())
            after = self._wait_applied(client, want)
            out.steps.append(f"restored {want.text()} (applied after {after:.0f} s)")
        except Exception as exc:  # say how to finish it by hand
            out.problems.append(f"{error_text(exc)}; restore by hand: {self.cli_restore()}")
        return out

    def cli_restore(self) -> str:
        """The rollback as an AWS CLI command, for doing it by hand."""
        flags = " ".join(
            f"--{re.sub(r'(?<!^)(?=[A-Z])', '-', k).lower()} '{json.dumps(v)}'"
            for k, v in self.rollback_params().items()
        )
        region = self.original.majority_region()
        return f"aws connect update-traffic-distribution --region {region} --id {self.group.arn} {flags}"
