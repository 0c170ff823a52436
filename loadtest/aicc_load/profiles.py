"""Arrival profiles of the load tests, as plain arithmetic (the LoadTestShape in shape.py asks them).

Every profile is given the peak number of callers (`--users`), the spawn rate (`--spawn-rate`,
callers dialling in per second) and the duration (`--duration`), and answers, at each second of
the run, how many callers should be on the line and how fast to get there:

- steady: the peak from the start (reached at the spawn rate) until the end;
- ramp:   a straight climb from nothing to the peak over the first 80 % of the run (faster than
          the spawn rate when the slope needs it), then the peak held for the rest: where the
          latency bends and the failures start;
- surge:  a Monday opening. Before 09:00 a tenth of the peak (callers of the night and the early
          birds), at 09:00 everyone who waited for the opening dials in within one second whatever
          the spawn rate (the burst the local stack must not drop), and once the wave has been
          answered the line settles at 60 % of the peak.

After the duration the profile stops admitting calls, and the calls in progress may finish (the
drain, bounded by Locust's --stop-timeout): every call that started is judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PROFILES = ("steady", "ramp", "surge")
RAMP_CLIMB = 0.8  # share of the run the ramp climbs for


@dataclass(frozen=True)
class Phase:
    name: str
    ends: float  # share of the run
    share: float  # of the peak on the line
    burst: bool = False  # everyone of the phase dials in within one second


SURGE = (
    Phase("before 09:00", 0.2, 0.1),
    Phase("09:00 wave", 0.7, 1.0, burst=True),
    Phase("after the wave", 1.0, 0.6),
)


@dataclass(frozen=True)
class Target:
    users: int
    spawn_rate: float
    phase: str


def target(profile: str, elapsed: float, users: int, spawn_rate: float, duration: float) -> Target | None:
    """Callers wanted `elapsed` seconds into the run; None once the duration is over."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; one of {', '.join(PROFILES)}")
    if elapsed >= duration:
        return None
    if profile == "steady":
        return Target(users, spawn_rate, "steady")
    if profile == "ramp":
        climb = duration * RAMP_CLIMB
        if elapsed >= climb:
            return Target(users, spawn_rate, "peak")
        # ceil: the first caller is there from the first second; the rate keeps up with the slope
        wanted = min(users, math.ceil(users * (elapsed + 1) / climb))
        return Target(wanted, max(spawn_rate, users / climb), "climb")
    phase = next(p for p in SURGE if elapsed < duration * p.ends)
    wanted = max(1, round(users * phase.share))
    return Target(wanted, max(spawn_rate, float(wanted)) if phase.burst else spawn_rate, phase.name)
