"""sla_monitor: every minute (EventBridge schedule, monitoring.yaml), each queue against its SLA;
a risk, a breach and its end told once each to Slack and by e-mail, the manager paged when a
breach finds no agent available (aicc.adapters.sla_monitor, runbooks/queue-sla-risk.md).

Each run also publishes what the CloudWatch dashboard draws and Connect does not publish: per
queue the share of its SLA its oldest caller has waited (domain.sla.SLA_WAIT_SHARE), per agent
the workload by Connect user ID (domain.workload). A failed workload read is logged; the alerts
do not depend on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicc import clock
from aicc.adapters.sla_monitor import SlaMonitor
from aicc.domain import sla, workload
from aicc.handlers._prologue import Unit, count, logger, measure, scheduled


@scheduled
def handler(event: Mapping[str, Any]) -> dict[str, Any]:
    monitor = SlaMonitor()
    outcomes = monitor.run(clock.now())
    for o in outcomes:
        if o.message is not None:
            count("SlaAlert")
        if o.paged:
            count("SlaManagerPaged")
        share = {sla.SLA_WAIT_SHARE: (Unit.Percent, o.queue.wait_share)}
        measure(share, **{sla.QUEUE_DIMENSION: o.queue.name})
    queues = [o.as_dict() for o in outcomes]
    agents = publish_workload(monitor)
    logger.info("sla monitor", extra={"queues": queues, "agents": agents})
    return {"queues": queues, "agents": agents}


def publish_workload(monitor: SlaMonitor) -> int:
    """Each signed-in agent's workload as metrics; the number of agents published."""
    try:
        loads, left_out = monitor.workload()
    except Exception:
        logger.exception("agents' workload not read: no agent metrics this run")
        return 0
    if left_out:
        logger.warning("agents over monitoring.yaml max_agents: not published", extra={"left_out": left_out})
    for a in loads:
        values = {
            workload.CONTACTS: (Unit.Count, float(a.contacts)),
            workload.OCCUPANCY: (Unit.Percent, a.occupancy),
        }
        measure(values, **{workload.AGENT_DIMENSION: a.agent})
    return len(loads)
