"""A seeded run of synthetic support-line traffic for the local stack's reports (the demo).

Deterministic: the same days give the same contacts, IDs included, so seeding again rewrites the
same items and objects. Shaped like the line's traffic: weekday peaks at 10-11 and 14-16 h, a
quiet weekend and holidays, MSP emergencies around the clock (escalated, some paged up the chain),
callers who give up when the wait outlasts their patience, callbacks asked for and made.
Contacts come as Connect contact records and call-log items, as the real line writes them.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from aicc.adapters.dynamodb import created_day, timestamp
from aicc.clock import seoul
from aicc.domain.business_hours import status
from aicc.domain.call_log import RETENTION
from aicc.domain.masking import mask_phone
from aicc.settings import Config

from ..local.seed import SAMPLE_DIR

# Calls an hour on a weekday (Asia/Seoul), 0-23 h: the morning and afternoon peaks.
WEEKDAY_HOURLY = (
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.2,
    0.4,
    1,
    3,
    9,
    12,
    11,
    6,
    8,
    10,
    10,
    9,
    6,
    2,
    1,
    0.8,
    0.6,
    0.4,
    0.3,
)
WEEKEND_SHARE = 0.12  # of a weekday's calls, on a weekend day or holiday
# Of calls in business hours, by what the caller needs: (queue key or "" = served by the bot, share).
BUSINESS_MIX = (("msp_emergency", 0.07), ("msp_general", 0.33), ("general_customer", 0.40), ("", 0.20))
AFTER_HOURS_MIX = (("msp_emergency", 0.30), ("after_hours", 0.55), ("", 0.15))
# Mean wait before an agent takes the call (s), off-peak; peaks double it.
MEAN_WAIT = {"msp_emergency": 90.0, "msp_general": 240.0, "general_customer": 420.0, "after_hours": 0.0}
MEAN_PATIENCE = {"msp_emergency": 3600.0, "msp_general": 2400.0, "general_customer": 1800.0}
MEAN_TALK = {"msp_emergency": 900.0, "msp_general": 480.0, "general_customer": 300.0, "after_hours": 240.0}
# Who answers each queue: the sample agents (local/sample_data) of the team that serves it.
TEAMS = {"msp_emergency": "TS", "msp_general": "TS", "general_customer": "GENERAL", "after_hours": "GENERAL"}
# Chain steps an escalation reached (escalation.yaml's chain: engineer, second, part, general).
DEPTHS = ((1, 0.6), (2, 0.25), (3, 0.1), (4, 0.05))
CALLERS = (
    "+821012345678",
    "+821023456789",
    "+82212345678",
    "+821034567890",
    "+821045678901",
    "+821056789012",
)
SENTIMENT_CALM = (("POSITIVE", 0.35), ("NEUTRAL", 0.5), ("NEGATIVE", 0.15))
SENTIMENT_UPSET = (("POSITIVE", 0.1), ("NEUTRAL", 0.4), ("NEGATIVE", 0.5))


@cache
def _people() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The sample customers' phone numbers, and the sample agents' logins by team."""
    with (SAMPLE_DIR / "customers.csv").open(encoding="utf-8") as f:
        phones = tuple(row["phone"] for row in csv.DictReader(f))
    teams: dict[str, list[str]] = {}
    with (SAMPLE_DIR / "agents.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            teams.setdefault(row["team"], []).append(row["login"])
    return phones, {team: tuple(logins) for team, logins in teams.items()}


@dataclass
class Traffic:
    """Contact records (Connect's JSON) and call-log items (DynamoDB's attribute values)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    call_logs: list[dict[str, Any]] = field(default_factory=list)


def generate(cfg: Config, days: Sequence[date], instance_arn: str) -> Traffic:
    traffic = Traffic()
    for day in days:
        _day(cfg, day, instance_arn, random.Random(f"aicc-report-{day.isoformat()}"), traffic)
    return traffic


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _day(cfg: Config, day: date, arn: str, rng: random.Random, out: Traffic) -> None:
    hours, calendar = cfg.hours["business"], cfg.holidays
    closed_day = not status(hours, calendar, datetime.combine(day, time(12), tzinfo=seoul())).open
    for hour, rate in enumerate(WEEKDAY_HOURLY):
        expected = rate * (WEEKEND_SHARE if closed_day else 1.0)
        # Poisson arrivals: as many exponential gaps as fit in the hour.
        at = 0.0
        while True:
            at += rng.expovariate(expected / 3600.0) if expected else 3600.0
            if at >= 3600.0:
                break
            start = datetime.combine(day, time(hour), tzinfo=seoul()) + timedelta(seconds=at)
            is_open = status(hours, calendar, start).open
            _contact(cfg, start.astimezone(UTC), is_open, hour, arn, rng, out)


def _contact(
    cfg: Config, start: datetime, is_open: bool, hour: int, arn: str, rng: random.Random, out: Traffic
) -> None:
    contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    key = _pick(rng, BUSINESS_MIX if is_open else AFTER_HOURS_MIX)
    caller = rng.choice(_people()[0])
    ivr = rng.uniform(40, 150)  # authentication and menus before the queue
    record: dict[str, Any] = {
        "ContactId": contact_id,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InstanceARN": arn,
        "InitiationTimestamp": _ts(start),
        "ConnectedToSystemTimestamp": _ts(start),
        "CustomerEndpoint": {"Type": "TELEPHONE_NUMBER", "Address": caller},
        "Agent": None,
        "Queue": None,
    }
    log: dict[str, Any] = {
        "contact_id": contact_id,
        "created_at": timestamp(start),
        "created_day": created_day(start),
        "expires_at": int((start + RETENTION).timestamp()),
        "caller": mask_phone(caller),
        "events": {"queued"} if key else {"email_info"},
    }
    upset = False
    if not key:  # the bot answered it (knowledge, email address, after-hours message)
        end = start + timedelta(seconds=ivr + rng.uniform(20, 90))
        record["DisconnectReason"] = "CUSTOMER_DISCONNECT"
    else:
        queue = cfg.queues[key]
        log["queue"] = key
        enqueued = start + timedelta(seconds=ivr)
        record["Queue"] = {"ARN": f"{arn}/queue/{key}", "Name": queue.name, "EnqueueTimestamp": _ts(enqueued)}
        if key == "msp_emergency":
            log["emergency"] = True
            _escalation(log, enqueued, rng)
        if key == "after_hours":  # the caller leaves a callback request; we call back next morning
            log["callback_requested"] = True
            log["events"] = {"after_hours", "callback"}
            end = enqueued + timedelta(seconds=rng.uniform(20, 60))
            record["Queue"]["DequeueTimestamp"] = _ts(end)
            record["DisconnectReason"] = "CUSTOMER_DISCONNECT"
            _callback(cfg, contact_id, end, key, arn, rng, out)
        else:
            peak = 2.0 if hour in (10, 11, 14, 15) else 1.0
            wait = rng.expovariate(1.0 / (MEAN_WAIT[key] * peak))
            patience = rng.expovariate(1.0 / MEAN_PATIENCE[key])
            upset = wait > 600
            if key == "general_customer" and wait > 900 and rng.random() < 0.6:
                # offered a callback while waiting: the caller takes it and hangs up
                log["callback_requested"] = True
                log["events"] = {"queued", "callback"}
                end = enqueued + timedelta(seconds=rng.uniform(60, 180))
                record["Queue"]["DequeueTimestamp"] = _ts(end)
                _callback(cfg, contact_id, end, key, arn, rng, out)
            elif wait > patience:  # abandoned in the queue
                end = enqueued + timedelta(seconds=patience)
                record["Queue"]["DequeueTimestamp"] = _ts(end)
                record["DisconnectReason"] = "CUSTOMER_DISCONNECT"
            else:
                connected = enqueued + timedelta(seconds=wait)
                talk = int(rng.expovariate(1.0 / MEAN_TALK[key])) + 30
                end = connected + timedelta(seconds=talk)
                record["Queue"]["DequeueTimestamp"] = _ts(connected)
                record["Agent"] = _agent(key, connected, talk, rng)
                record["DisconnectReason"] = rng.choice(("CUSTOMER_DISCONNECT", "AGENT_DISCONNECT"))
            record["Queue"]["Duration"] = int(
                (_parse(record["Queue"]["DequeueTimestamp"]) - enqueued).total_seconds()
            )
    record["DisconnectTimestamp"] = _ts(end)
    record["LastUpdateTimestamp"] = _ts(end + timedelta(seconds=rng.uniform(30, 120)))
    mood = _pick(rng, SENTIMENT_UPSET if upset or log.get("emergency") else SENTIMENT_CALM)
    log["sentiment"] = {
        "overall": mood,
        "direction": "worsening" if upset and mood == "NEGATIVE" else "steady",
    }
    out.records.append(record)
    out.call_logs.append(log)


def _escalation(log: dict[str, Any], at: datetime, rng: random.Random) -> None:
    log["escalation_started_at"] = timestamp(at)
    depth = _pick(rng, DEPTHS)
    for step in range(1, depth):  # the first step found its engineer signed in: no page
        paged = at + timedelta(seconds=60 * step)
        page: dict[str, Any] = {"login": _agent_of("msp_emergency", rng), "paged_at": timestamp(paged)}
        page.update(sms="sent", call="sent")
        if rng.random() < 0.7:
            page["acked_at"] = timestamp(paged + timedelta(seconds=rng.uniform(20, 170)))
        log[f"page_{step}"] = page


def _callback(
    cfg: Config, origin: str, asked: datetime, key: str, arn: str, rng: random.Random, out: Traffic
) -> None:
    """The CALLBACK contact that returns a caller's request: at the next opening, or within the hour."""
    status_now = status(cfg.hours["business"], cfg.holidays, asked)
    start = asked + timedelta(minutes=rng.uniform(10, 50))
    if not status_now.open and status_now.next_open is not None:
        start = status_now.next_open + timedelta(minutes=rng.uniform(0, 40))
    queue = cfg.queues["general_customer" if key == "after_hours" else key]
    talk = int(rng.expovariate(1.0 / MEAN_TALK[key])) + 30
    connected = start + timedelta(seconds=rng.uniform(5, 40))
    answered = rng.random() < 0.85
    end = connected + timedelta(seconds=talk if answered else 30)
    out.records.append(
        {
            "ContactId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "PreviousContactId": origin,
            "Channel": "VOICE",
            "InitiationMethod": "CALLBACK",
            "InstanceARN": arn,
            "InitiationTimestamp": _ts(start),
            "Queue": {"ARN": f"{arn}/queue/{queue.key}", "Name": queue.name, "EnqueueTimestamp": _ts(start)},
            "Agent": _agent(queue.key, connected, talk, rng) if answered else None,
            "DisconnectTimestamp": _ts(end),
            "LastUpdateTimestamp": _ts(end + timedelta(seconds=60)),
        }
    )


def _agent(key: str, connected: datetime, talk: int, rng: random.Random) -> dict[str, Any]:
    return {
        "Username": _agent_of(key, rng),
        "ConnectedToAgentTimestamp": _ts(connected),
        "AgentInteractionDuration": talk,
        "AfterContactWorkDuration": int(rng.uniform(30, 120)),
    }


def _agent_of(queue: str, rng: random.Random) -> str:
    return rng.choice(_people()[1][TEAMS[queue]])


def _ts(instant: datetime) -> str:
    """Connect's contact-record timestamps: UTC, seconds, Z."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
