"""agent_assignment: pick and claim an agent, race-safe (docs/handlers.md)."""

from __future__ import annotations

from aicc import clock
from aicc.adapters.agents import AgentRepository, RosterRepository
from aicc.adapters.call_logs import CallLogRepository
from aicc.adapters.notifier import Notifier
from aicc.domain.agents import Agent
from aicc.domain.assignment import MAX_CLAIM_ATTEMPTS, AssignmentRequest, rank, split_list
from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import TEAMS

ASSIGNED, NO_AGENT = "ASSIGNED", "NO_AGENT"


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
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

    escalated = False
    if chosen is None:
        roster = RosterRepository().get(request.part) if request.part else None
        manager = agents.get(roster.manager) if roster and roster.manager else None
        from aicc.domain import notices  # only when nobody took the call: it imports the escalation chain

        notice = notices.assignment_failed(request.team, request.part, contact.contact_id, manager)
        key = f"assignment:{request.team}:{request.part}"
        escalated = Notifier().send_once(notice, contact.contact_id, key, CallLogRepository(), now)
    # The outcome reaches the call log through the contact attributes (domain.call_log).
    status = ASSIGNED if chosen else NO_AGENT

    count("AgentAssignment", status=status)
    return {
        "status": status,
        "agent_login": chosen.login if chosen else "",
        "agent_name": chosen.name if chosen else "",
        "agent_arn": chosen.user_arn if chosen else "",
        "escalated": escalated,
    }


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
