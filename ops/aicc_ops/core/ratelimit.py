"""Client-side token buckets that keep aicc-ops inside Amazon Connect's API quotas.

Connect throttles per account and region: most operations share 2 requests/s with a burst of 5;
GetCurrentMetricData and GetCurrentUserData have 5/s, burst 8 each. The buckets pace every call of
a Connect client (botocore's `before-call` event); retries of a throttled call are paced by
botocore's adaptive retry mode, which measures the rate the service accepts and backs off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_RATE = (2.0, 5)
# The client paces itself a little under the quota: at exactly the quota, clock jitter between
# client and service turns every few calls into a throttle and a retry.
HEADROOM = 0.9
# Operations with a quota of their own (requests/s, burst).
OWN_QUOTAS: dict[str, tuple[float, int]] = {
    "GetCurrentMetricData": (5.0, 8),
    "GetCurrentUserData": (5.0, 8),
}


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

    def try_acquire(self) -> bool:
        """Take a token if one is there, without waiting (the emulator's server side)."""
        if self.rate <= 0:
            return True
        with self._lock:
            now = self.clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True

    def acquire(self) -> float:
        """Take one token, sleeping until one is there; returns the seconds waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            delay = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if delay:
            self.sleep(delay)
            self.waited += delay
        return delay


class ConnectLimiter:
    """The buckets of one account and region: a shared one, and one per operation with its own quota."""

    def __init__(
        self, rate: float = DEFAULT_RATE[0], burst: int = DEFAULT_RATE[1], headroom: float = HEADROOM
    ) -> None:
        self.rate, self.burst = rate, burst
        self.shared = TokenBucket(rate * headroom, burst)
        scale = rate / DEFAULT_RATE[0] if rate > 0 else 0.0  # a raised local limit raises all
        self.own = {op: TokenBucket(r * scale * headroom, max(b, burst)) for op, (r, b) in OWN_QUOTAS.items()}

    def seconds_for(self, calls: int) -> float:
        """How long `calls` calls of the shared quota take, starting with a full burst."""
        bucket = self.shared
        return max(0, calls - bucket.burst) / bucket.rate if bucket.rate > 0 else 0.0

    def bucket(self, operation: str) -> TokenBucket:
        return self.own.get(operation, self.shared)

    @property
    def waited(self) -> float:
        return self.shared.waited + sum(b.waited for b in self.own.values())

    def attach(self, client: Any) -> Any:
        def before_call(model: Any, **_: Any) -> None:
            self.bucket(model.name).acquire()

        client.meta.events.register("before-call.connect", before_call)
        return client
