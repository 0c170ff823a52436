"""sla_monitor: every minute (EventBridge schedule, monitoring.yaml), each queue against its SLA;
a risk, a breach and its end told once each to Slack and by e-mail, the manager paged when a
breach finds no agent available (aicc.adapters.sla_monitor, runbooks/queue-sla-risk.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicc import clock
from aicc.adapters.sla_monitor import SlaMonitor
from aicc.handlers._prologue import count, logger, scheduled


@scheduled
def handler(event: Mapping[str, Any]) -> dict[str, Any]:
    outcomes = SlaMonitor().run(clock.now())
    for o in outcomes:
        if o.message is not None:
            count("SlaAlert")
        if o.paged:
            count("SlaManagerPaged")
    queues = [o.as_dict() for o in outcomes]
    logger.info("sla monitor", extra={"queues": queues})
    return {"queues": queues}
