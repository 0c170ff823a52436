"""agent_assignment: pick and claim an agent, race-safe (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc import clock
from aicc.adapters.dynamodb import AgentRepository, CallLogRepository, RosterRepository
from aicc.adapters.notifier import Notifier
from aicc.domain import notices
from aicc.domain.agents import Agent
from aicc.domain.assignment import MAX_CLAIM_ATTEMPTS, AssignmentRequest, rank, split_list
from aicc.domain.call_log import RETENTION
from aicc.handlers._connect import ContactEvent, EventError, parse, result
from aicc.settings import TEAMS

logger = Logger()
metrics = Metrics(namespace="AICC")

ASSIGNED, NO_AGENT = "ASSIGNED", "NO_AGENT"


# The event carries the caller's number and names: never log or trace it whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    request = _request(contact)
    agents = AgentRepository()
    now = clock.now()

    chosen: Agent | None = None
    # At most MAX_CLAIM_ATTEMPTS claims, and the loop stops at the first that succeeds: one agent
    # per invocation. A claim lost to a concurrent call returns False (never raises), so losing
    # them all ends as NO_AGENT below.
    for candidate in rank(agents.by_team(request.team), request, now)[:MAX_CLAIM_ATTEMPTS]:
        if agents.claim(candidate, contact.contact_id, now):
            chosen = candidate
            break
        logger.info("agent taken by a concurrent call, trying the next", extra={"login": candidate.login})

    logs = CallLogRepository()
    escalated = False
    if chosen is None:
        roster = RosterRepository().get(request.part) if request.part else None
        manager = agents.get(roster.manager) if roster and roster.manager else None
        notice = notices.assignment_failed(request.team, request.part, contact.contact_id, manager)
        key = f"assignment:{request.team}:{request.part}"
        escalated = Notifier().send_once(notice, contact.contact_id, key, logs, now)
    status = ASSIGNED if chosen else NO_AGENT
    logs.record_assignment(
        contact.contact_id, status, chosen.login if chosen else "", now, int((now + RETENTION).timestamp())
    )

    out = result(
        {
            "status": status,
            "agent_login": chosen.login if chosen else "",
            "agent_name": chosen.name if chosen else "",
            "agent_arn": chosen.user_arn if chosen else "",
            "escalated": escalated,
        }
    )
    metrics.add_dimension(name="status", value=status)
    metrics.add_metric(name="AgentAssignment", unit=MetricUnit.Count, value=1)
    logger.info(
        "agent assignment",
        extra={"request": contact.log_view(), "status": status, "agent_login": out["agent_login"]},
    )
    return out


def _request(contact: ContactEvent) -> AssignmentRequest:
    team = contact.require("team").upper()
    if team not in TEAMS:
        raise EventError(f"team must be one of {', '.join(TEAMS)}, got {contact.param('team')!r}")
    return AssignmentRequest(
        team=team,
        part=contact.param("part"),
        skills=split_list(contact.param("skills")),
        preferred=contact.param("preferred"),
        exclude=split_list(contact.param("exclude")),
    )
