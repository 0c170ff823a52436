"""Pages for an MSP emergency: an SMS and an outbound voice call through Connect
(StartOutboundVoiceContact) that runs the Emergency Page flow, for an on-call engineer who is not
signed in to the CCP; and the notices of a routed step or a manager alert (SNS topic)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from aicc.adapters import aws
from aicc.adapters.notifier import Notifier, send_once
from aicc.domain import notices
from aicc.domain.agents import Agent
from aicc.domain.call_log import RETENTION, build_update
from aicc.domain.escalation import Action, EscalationContext, EscalationDecision, Stage, next_target
from aicc.domain.masking import mask_phone
from aicc.domain.pages import Page

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

    from aicc.adapters.call_logs import CallLogRepository
    from aicc.domain.customers import Customer
    from aicc.settings import EscalationPolicy

MANAGER_ROLE = "긴급 에스컬레이션 담당 관리자"

# Connect dials for at most this long (15-60 s): a phone that rings out is not answered at night.
RING_SECONDS = 30

logger = Logger(child=True)


def resource_id(ref: str) -> str:
    """The ID of a Connect resource given as its ARN or its ID (flows pass ARNs)."""
    return ref.strip().rsplit("/", 1)[-1]


@dataclass(frozen=True)
class PageLine:
    """Where page calls come from: the instance, the page flow, and the queue whose outbound
    caller ID the engineer sees (Connect wants a queue or a source number)."""

    instance: str  # ID or ARN
    flow: str  # ID or ARN of the Emergency Page flow
    queue: str  # ID or ARN

    @property
    def complete(self) -> bool:
        return bool(self.instance and self.flow and self.queue)


class PageCaller:
    def __init__(self, line: PageLine, client: ConnectClient | None = None) -> None:
        self.line = line
        self._client = client

    def call(self, phone: str, attributes: Mapping[str, str], token: str) -> str:
        """Dial `phone` into the page flow with `attributes`; the outbound contact's ID. `token`
        makes a retried request start no second call (Connect's ClientToken, 7 days)."""
        client = self._client or aws.connect()
        response = client.start_outbound_voice_contact(
            InstanceId=resource_id(self.line.instance),
            ContactFlowId=resource_id(self.line.flow),
            QueueId=resource_id(self.line.queue),
            DestinationPhoneNumber=phone,
            Attributes=dict(attributes),
            ClientToken=token,
            RingTimeoutInSeconds=RING_SECONDS,
        )
        logger.info(
            "page call started", extra={"to": mask_phone(phone), "page_contact_id": response["ContactId"]}
        )
        return response["ContactId"]


@dataclass(frozen=True)
class Pager:
    """What one escalation step sends for one emergency contact. Every SMS, page call and notice
    goes out once per contact and step (claimed in the call log); a failed one is logged and left
    out of the result, never raised: the caller is routed whether or not a page went out."""

    contact_id: str
    customer: Customer | None
    incident: str
    line: PageLine
    logs: CallLogRepository
    notifier: Notifier
    now: datetime
    # The contact's attributes: the call log's fields, as the call_log handler takes them.
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def expires_at(self) -> int:
        """The call log's expiry (TTL) for an item this step creates."""
        return int((self.now + RETENTION).timestamp())

    def walk(
        self, policy: EscalationPolicy, step: int, ctx: EscalationContext
    ) -> tuple[EscalationDecision, frozenset[str]]:
        """The chain's decision from `step` and what its page delivered. A page that reached no one
        (every channel failed) leaves its step at once: the walk goes on to the next target now,
        not after a wait for an acknowledgement that cannot come."""
        while True:
            decision = next_target(policy, step, ctx)
            self.log_outcome(decision)
            delivered = self.step(decision)
            if decision.action is not Action.PAGE or delivered or decision.agent is None:
                return decision, delivered
            failed = Page(decision.agent.login, self.now, frozenset())
            ctx = replace(ctx, pages={**ctx.pages, decision.step: failed})

    def log_outcome(self, decision: EscalationDecision) -> None:
        """A route or the chain's end in the call log (`escalated`, `escalation_exhausted`), once per
        contact, as call_log records an event; held for the claim of the notice that follows."""
        event = {Action.ROUTE: "escalated", Action.EXHAUSTED: "escalation_exhausted"}.get(decision.action)
        if event is None:
            return
        params = {"event": event, "emergency": "true"}
        try:
            # The caller number is the call log's already: the flow's first call_log wrote it.
            update = build_update(self.contact_id, params, self.attributes, "", self.now)
        except ValueError:  # an attribute the log cannot take (a flow bug): the caller is routed anyway
            logger.exception("call log not recorded", extra={"event": event})
            return
        self.logs.hold_update(update, once=True)

    def step(self, decision: EscalationDecision) -> frozenset[str]:
        """Page the step's engineer (the CHANNELS that went out), or notify the one it routes to."""
        agent = decision.agent
        if decision.action is Action.PAGE and agent is not None:
            self.logs.record_page(self.contact_id, decision.step, agent.login, self.now, self.expires_at)
            delivered = self.page(agent, notices.STAGE_LABELS[decision.stage], decision.step)
            self.logs.record_page_channels(self.contact_id, decision.step, delivered)
            return delivered
        if decision.action is Action.ROUTE and agent is not None:
            notice = notices.escalation_page(decision, self.customer, self.contact_id, self.incident)
            self.notifier.send_once(notice, self.contact_id, f"page:{decision.step}", self.logs, self.now)
        return frozenset()

    def manager(self, decision: EscalationDecision, manager: Agent | None, chain_length: int) -> bool:
        """Alert the part's manager when the decision asks for it; True only if it really went out."""
        if not decision.notify_manager:
            return False
        alert = notices.escalation_manager(decision, self.customer, self.contact_id, manager)
        key = f"manager:{decision.stage}"
        alerted = self.notifier.send_once(alert, self.contact_id, key, self.logs, self.now)
        notified = alerted and bool(self.notifier.topic_arn)  # without a topic it is only logged
        if decision.stage is Stage.EXHAUSTED and manager is not None and manager.mobile:
            # At night the manager does not watch the topic either: the mobile is paged too, as
            # the step after the chain (recorded like an engineer's page, so 1 acknowledges it).
            self.logs.record_page(self.contact_id, chain_length, manager.login, self.now, self.expires_at)
            delivered = self.page(manager, MANAGER_ROLE, chain_length)
            self.logs.record_page_channels(self.contact_id, chain_length, delivered)
            notified = bool(delivered) or notified
        return notified

    def page(self, person: Agent, role: str, step: int) -> frozenset[str]:
        """The CHANNELS that went out, each sent once per contact and step (chain index; the
        manager's page is len(chain)). A failed channel is logged and left out, never raised."""
        key, sent = f"page:{step}", set()
        text = notices.page_sms(role, self.customer, self.contact_id, self.incident)
        if self._once(lambda: self.notifier.send_sms(person.mobile, text), f"{key}:sms"):
            sent.add("sms")
        if self.line.complete:  # without the page flow's parameters, SMS only
            attributes = notices.page_call_attributes(
                self.contact_id, step, person.login, self.customer, self.incident, self.now
            )
            caller, token = PageCaller(self.line), f"{self.contact_id}:{key}"  # a retry places no second call
            if self._once(lambda: caller.call(person.mobile, attributes, token), f"{key}:call"):
                sent.add("call")
        return frozenset(sent)

    def _once(self, deliver: Callable[[], object], key: str) -> bool:
        return send_once(deliver, self.contact_id, key, self.logs, self.now)
