"""Notices to engineers and managers: SNS to NOTIFY_TOPIC_ARN (or only a log line without it), and
SMS straight to a mobile number (an on-call page)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from aicc.adapters import aws
from aicc.domain.call_log import RETENTION
from aicc.domain.masking import mask_phone, mask_text

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

    from aicc.adapters.call_logs import CallLogRepository
    from aicc.domain.notices import Notice

TOPIC_ENV = "NOTIFY_TOPIC_ARN"

logger = Logger(child=True)


def send_once(
    deliver: Callable[[], object], contact_id: str, key: str, logs: CallLogRepository, at: datetime
) -> bool:
    """Deliver unless the contact's call log shows `key` as sent; True once it is out.

    The claim comes first so that concurrent or repeated invocations deliver once. A failed
    delivery releases the claim (a retry delivers it) and returns False without raising: the
    caller is routed whether or not a notice or page went out.
    """
    if not logs.claim_notification(contact_id, key, at, int((at + RETENTION).timestamp())):
        logger.info("notification already sent for this contact", extra={"key": key})
        return True
    try:
        deliver()
    except Exception:
        logger.exception("notification failed", extra={"key": key})
        logs.release_notification(contact_id, key)
        return False
    return True


class Notifier:
    def __init__(self, client: SNSClient | None = None, topic_arn: str | None = None) -> None:
        self._client = client
        self.topic_arn = os.environ.get(TOPIC_ENV, "").strip() if topic_arn is None else topic_arn

    def send(self, notice: Notice) -> str:
        """Publish; returns the SNS message ID, or "" when no topic is configured (logged only)."""
        # The text may quote the caller's incident description: logged by length only.
        summary = {
            "kind": notice.kind,
            "subject": notice.subject,
            "attributes": dict(notice.attributes),
            "text": mask_text(notice.message),
        }
        if not self.topic_arn:
            logger.info("notification (no topic configured, not sent)", extra=summary)
            return ""
        client = self._client or aws.sns()
        response = client.publish(
            TopicArn=self.topic_arn,
            Subject=notice.subject,
            Message=notice.message,
            MessageAttributes={
                k: {"DataType": "String", "StringValue": v} for k, v in notice.attributes.items() if v
            },
        )
        logger.info("notification sent", extra={**summary, "message_id": response["MessageId"]})
        return response["MessageId"]

    def send_sms(self, phone: str, text: str) -> str:
        """One SMS to an E.164 number (SNS direct publish, transactional: delivered at night too).
        Returns the SNS message ID; raises on failure (send_once records it)."""
        client = self._client or aws.sns()
        response = client.publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        logger.info("sms sent", extra={"to": mask_phone(phone), "message_id": response["MessageId"]})
        return response["MessageId"]

    def send_once(
        self, notice: Notice, contact_id: str, key: str, logs: CallLogRepository, at: datetime
    ) -> bool:
        """The notice to the topic, once per contact and key (see the module's send_once)."""
        return send_once(lambda: self.send(notice), contact_id, key, logs, at)
