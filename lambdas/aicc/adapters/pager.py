"""Page calls: an outbound voice call through Connect (StartOutboundVoiceContact) that runs the
Emergency Page flow for an on-call engineer who is not signed in to the CCP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from aicc.adapters import aws
from aicc.domain.masking import mask_phone

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

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
