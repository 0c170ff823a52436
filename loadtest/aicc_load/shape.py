"""The arrival profile as a Locust LoadTestShape: the plan's profile (steady, ramp, surge) over
Locust's own --users, --spawn-rate and --run-time, then the drain.

Locust uses the one shape class a locustfile holds, on the master (or the only process); import
ProfileShape into each locustfile and no other shape.
"""

from __future__ import annotations

import time
from typing import Any

from locust import LoadTestShape

from . import profiles
from .callers import current_plan


class ProfileShape(LoadTestShape):
    use_common_options = True  # -u, -r and -t are the profile's peak, rate and duration
    phase = "starting"

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Locust's, untyped
        self._drain_started: float | None = None

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        environment: Any = self.runner.environment
        options, plan = environment.parsed_options, current_plan(environment)
        elapsed = time.perf_counter() - float(self.start_time)  # get_run_time(), typed
        wanted = profiles.target(
            plan.shape, elapsed, int(options.num_users), float(options.spawn_rate), float(options.run_time)
        )
        if wanted is not None:
            self.phase = wanted.phase
            return wanted.users, wanted.spawn_rate
        # The duration is over: no new call; the calls in progress finish (Locust's --stop-timeout
        # bounds how long a stopping user may take), then the run ends. Every user is told to stop
        # in one step: Locust stops a ramp-down's users step by step, waiting for each step's
        # users to finish their calls, and the users of later steps kept dialling meanwhile (a 60 s
        # run at 100 users/s went on placing calls for 260 s).
        if self._drain_started is None:
            self._drain_started = time.monotonic()
        self.phase = "drain"
        waited = time.monotonic() - self._drain_started
        if (waited > 0 and int(self.runner.user_count) == 0) or waited > plan.drain_s + 5:
            return None
        return 0, float(max(1, int(self.runner.user_count)))
