"""The abstract caller: a Locust User that makes one call after another from the plan's mix.

A scenario's User subclasses CallerUser and implements `dial(call, record)`: how this scenario
makes the call (through the call API, or by invoking the handlers as the flows would). Everything
else is shared: the plan, the weighted choice of the flow, the call record and the think time.
Each User is one line: it holds at most one call at a time, so the users on the line are the
concurrent calls.
"""

from __future__ import annotations

import functools
import random
import time
from typing import Any, ClassVar

from locust import User, between, task

from . import plan as plan_file
from .recorder import CallRecord, Recorder


def current_plan(environment: Any) -> plan_file.Plan:
    """The run's plan, read once per process from --aicc-plan."""
    path = getattr(environment.parsed_options, "aicc_plan", "")
    if not path:
        raise RuntimeError(
            "no plan: run the load tests with `aicc-ops loadtest run` (or give --aicc-plan FILE)"
        )
    return _read(path)


@functools.cache
def _read(path: str) -> plan_file.Plan:
    return plan_file.load(path)


class CallerUser(User):
    abstract = True
    # Between two calls of the same line: callers do not dial in lockstep.
    wait_time = between(0.0, 1.0)
    rng: ClassVar[random.Random] = random.Random()

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.plan = current_plan(environment)
        self.recorder = Recorder(environment.events.request)

    @task
    def make_call(self) -> None:
        share, call = self.plan.pick(self.rng)
        with self.recorder.call(share.name) as record:
            self.dial(call, record)

    def dial(self, call: plan_file.CallScript, record: CallRecord) -> None:
        raise NotImplementedError

    def think(self, prompts: int = 1) -> None:
        """The caller listens and answers: the plan's think time, per prompt answered."""
        low, high = self.plan.callers.think_s
        for _ in range(prompts):
            if high > 0:
                time.sleep(self.rng.uniform(low, high))
