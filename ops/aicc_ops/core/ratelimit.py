"""Client-side token buckets that keep aicc-ops inside Amazon Connect's API quotas.

Connect throttles each API operation with a token bucket of its own, per account and Region (every
user and instance of the account shares it): the rate is the steady requests per second, the burst
the bucket's size. Most operations have 2/s with a burst of 5; `QUOTAS` lists the exceptions this
code can call. The buckets here mirror Connect's: one per operation, paced on every attempt of a
Connect client (botocore's `before-send`, so a retried attempt takes a token like any other).

The client paces at the quota's own rate, not below it: what it keeps back is one token of the
burst (`RESERVE`). The service's bucket then always holds a spare token for a request that reaches
it early (network jitter up to RESERVE / rate seconds, 0.5 s at 2/s) instead of throttling it, and
a long run costs one token's wait (0.5 s) more than the quota-bound minimum instead of the 11 % a
90 % pace cost. What is still throttled (another client of the account on the same operation) is
retried by botocore's adaptive mode (admin/context.py).

The local Connect emulator enforces the same buckets on its side (`reserve=0`), so a run against
`local up` meets Connect's throttling as it would in AWS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

# Connect Customer service quotas, "API throttling quotas": "all operations have a RateLimit of 2
# requests per second and a BurstLimit of 5 requests per second, with the following exceptions"
# (per account and Region; each API has its own quota, "Rate of CreateUser API requests"...):
# https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html#connect-api-quotas
# Burst = "the maximum bucket size":
# https://docs.aws.amazon.com/connect/latest/APIReference/best-practices-connect-apis.html#throttling


class Quota(NamedTuple):
    rate: float  # requests per second
    burst: int  # the bucket's size


DEFAULT_QUOTA = Quota(2.0, 5)
# The exceptions of that table for the operations aicc-ops and the handlers call, or may.
# GetCurrentUserData is not in the table (the page names it only for the Service Quotas console's
# display bug): it has the default.
QUOTAS: dict[str, Quota] = {
    "GetMetricData": Quota(5.0, 8),
    "GetMetricDataV2": Quota(10.0, 10),
    "GetCurrentMetricData": Quota(5.0, 8),
    "SearchContacts": Quota(0.5, 1),
    "StartContactStreaming": Quota(5.0, 8),
    "StopContactStreaming": Quota(5.0, 8),
    "StartChatContact": Quota(5.0, 8),
    "CreateParticipant": Quota(5.0, 8),
    "GetContactAttributes": Quota(10.0, 15),
    "UpdateContactAttributes": Quota(10.0, 15),
    "DescribeContact": Quota(10.0, 15),
    "StopContact": Quota(10.0, 15),
    "UpdateContact": Quota(10.0, 15),
    "TagContact": Quota(20.0, 25),
    "UntagContact": Quota(20.0, 25),
}
# Tokens of each burst the client leaves to the service (see the module's docstring).
RESERVE = 1


def quota(operation: str) -> Quota:
    """Connect's default quota of one API operation."""
    return QUOTAS.get(operation, DEFAULT_QUOTA)


@dataclass
class TokenBucket:
    rate: float  # tokens per second; 0 or less: unlimited
    burst: int
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)
        self._stamp = self.clock()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting, for the summary

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_acquire(self) -> bool:
        """Take a token if one is there, without waiting (the emulator's server side)."""
        if self.rate <= 0:
            return True
        with self._lock:
            self._refill()
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True

    def acquire(self) -> float:
        """Take one token, sleeping until one is there; returns the seconds waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            self._refill()
            self._tokens -= 1.0
            delay = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if delay:
            self.sleep(delay)
            self.waited += delay
        return delay


class ConnectLimiter:
    """The buckets of one account and Region: one per operation, each at Connect's quota.

    `rate` and `burst` are the default quota (a local stack may be started with another one: the
    exceptions scale with it; rate 0 is unlimited). `reserve`: tokens of each burst left to the
    service (the client's side); 0 for the service's own buckets (the emulator)."""

    def __init__(
        self, rate: float = DEFAULT_QUOTA.rate, burst: int = DEFAULT_QUOTA.burst, reserve: int = RESERVE
    ) -> None:
        self.rate, self.burst, self.reserve = rate, burst, reserve
        self.buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def quota(self, operation: str) -> Quota:
        """The operation's quota at this limiter's scale (Connect's, unless the default was changed)."""
        own = quota(operation)
        if operation not in QUOTAS:
            return Quota(self.rate, self.burst)
        scale = self.rate / DEFAULT_QUOTA.rate if self.rate > 0 else 0.0
        return Quota(own.rate * scale, max(own.burst, self.burst))

    def bucket(self, operation: str) -> TokenBucket:
        with self._lock:
            if operation not in self.buckets:
                rate, burst = self.quota(operation)
                self.buckets[operation] = TokenBucket(rate, max(1, burst - self.reserve))
            return self.buckets[operation]

    def seconds_for(self, calls: int, operation: str = "CreateUser") -> float:
        """The least time `calls` calls of one operation take at this pace, from a full bucket."""
        rate, burst = self.quota(operation)
        return max(0, calls - max(1, burst - self.reserve)) / rate if rate > 0 else 0.0

    def seconds_for_calls(self, calls: Mapping[str, int]) -> float:
        """The least time a mix of calls takes: each operation has its own bucket, so the slowest
        operation bounds it."""
        return max((self.seconds_for(n, op) for op, n in calls.items()), default=0.0)

    @property
    def waited(self) -> float:
        return sum(b.waited for b in list(self.buckets.values()))

    def attach(self, client: Any) -> Any:
        """Pace every attempt of `client` (a boto3 Connect client), retries included."""

        def before_send(event_name: str = "", **_: Any) -> None:
            self.bucket(event_name.rsplit(".", 1)[-1]).acquire()

        client.meta.events.register("before-send.connect", before_send)
        return client
