"""The chat scenario's calls to Amazon Connect and the Participant Service, without Locust: the
pacing of the quotas, the start, the reading of the conversation, the leave, and the StopContact
that keeps a failed chat from outliving the run (loadtest/chat.py drives it; pytest loads this
file on its own, as it never imports Locust).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from aicc_ops.admin.loadtest.chat_polling import POLL_FACTOR, POLL_FIRST_S, POLL_MAX_S
from aicc_ops.core.ratelimit import RESERVE, TokenBucket, quota
from aicc_ops.local.chat import ENDED, PARTICIPANT_QUOTAS

TRANSCRIPT_PAGE = 100  # GetTranscript's largest MaxResults
# StartChatContact's ChatDurationInMinutes: "Minimum value of 60" (botocore's model): a chat the
# load test loses ends within the hour rather than after the default 25 hours.
CHAT_MINUTES = 60


class Pacer:
    """This process's share of the quotas: one bucket per operation, waited on before each call.
    The quotas are the account's in the Region, shared by every process of the run."""

    def __init__(self, processes: int) -> None:
        rates = {
            "StartChatContact": tuple(quota("StartChatContact")),
            "StopContact": tuple(quota("StopContact")),
            **PARTICIPANT_QUOTAS,
        }
        self.buckets = {
            op: TokenBucket(float(rate) / processes, max(1, (int(burst) - RESERVE) // processes))
            for op, (rate, burst) in rates.items()
        }

    def wait(self, operation: str) -> float:
        """Seconds waited for the operation's turn."""
        bucket = self.buckets.get(operation)
        if bucket is None:
            return 0.0
        began = time.perf_counter()
        bucket.acquire()
        return time.perf_counter() - began


def answers_customer(item: dict[str, Any]) -> bool:
    """The flows' message, an agent's item, or the chat's end (which the service writes after the
    flows' last messages): anything but the customer's own items and the SYSTEM's other events."""
    if item.get("ParticipantRole") == "AGENT":
        return True
    return item.get("ParticipantRole") == "SYSTEM" and (
        item.get("Type") == "MESSAGE" or item.get("ContentType") == ENDED
    )


def denied(exc: ClientError) -> bool:
    """AccessDeniedException: the customer is no participant of the chat any more (it ended)."""
    return bool(exc.response.get("Error", {}).get("Code") == "AccessDeniedException")


class ChatApi:
    """One customer's clients (boto3 `connect` and `connectparticipant`) and the process's pacer."""

    def __init__(self, connect: Any, participant: Any, pace: Pacer, instance_id: str, flow_id: str) -> None:
        self.connect, self.participant, self.pace = connect, participant, pace
        self.instance_id, self.flow_id = instance_id, flow_id

    def start(self, display_name: str) -> dict[str, Any]:
        """StartChatContact in the chat flow: ContactId and ParticipantToken."""
        self.pace.wait("StartChatContact")
        started: dict[str, Any] = self.connect.start_chat_contact(
            InstanceId=self.instance_id,
            ContactFlowId=self.flow_id,
            ParticipantDetails={"DisplayName": display_name},
            ClientToken=str(uuid.uuid4()),
            ChatDurationInMinutes=CHAT_MINUTES,
        )
        return started

    def connect_participant(self, participant_token: str) -> str:
        """The customer's connection (CreateParticipantConnection): its ConnectionToken."""
        self.pace.wait("CreateParticipantConnection")
        connection = self.participant.create_participant_connection(
            Type=["CONNECTION_CREDENTIALS"], ParticipantToken=participant_token
        )
        return str(connection["ConnectionCredentials"]["ConnectionToken"])

    def read(self, token: str) -> tuple[list[dict[str, Any]], float]:
        """The whole conversation, oldest first, page by page, and the seconds the pacer held the
        reads back."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"ScanDirection": "FORWARD", "SortOrder": "ASCENDING"}
        params["MaxResults"] = TRANSCRIPT_PAGE
        paced = 0.0
        while True:
            paced += self.pace.wait("GetTranscript")
            page = self.participant.get_transcript(ConnectionToken=token, **params)
            items.extend(page["Transcript"])
            if not page.get("NextToken"):
                return items, paced
            params["NextToken"] = page["NextToken"]

    def until_flows_answer(
        self, token: str, known: int, timeout_s: float, sleep: Callable[[float], None] = time.sleep
    ) -> list[dict[str, Any]] | None:
        """The transcript once the flows answered after its first `known` items (answers_customer);
        None when nothing came within `timeout_s`. The pacer's waits for GetTranscript's quota are
        the load test's own, not the flows': they do not count in the timeout."""
        deadline = time.perf_counter() + timeout_s
        wait = POLL_FIRST_S
        while time.perf_counter() < deadline:
            items, paced = self.read(token)
            deadline += paced
            if any(answers_customer(i) for i in items[known:]):
                return items
            sleep(wait)
            wait = min(POLL_MAX_S, wait * POLL_FACTOR)
        return None

    def leave(self, token: str, fail: Callable[[str], None]) -> bool:
        """The customer leaves (DisconnectParticipant, paced); False when the chat may still be
        live. AccessDeniedException: the customer is no participant any more (the chat ended)."""
        try:
            self.pace.wait("DisconnectParticipant")
            self.participant.disconnect_participant(ConnectionToken=token)
        except ClientError as exc:
            if denied(exc):
                return True
            fail(f"leave (DisconnectParticipant): {exc}")
            return False
        except BotoCoreError as exc:
            fail(f"leave (DisconnectParticipant): {exc}")
            return False
        return True

    def stop(self, contact_id: str, fail: Callable[[str], None]) -> None:
        """End a chat the customer could not leave (StopContact, paced), so that none outlives the
        run; ContactNotFoundException: it is over already."""
        try:
            self.pace.wait("StopContact")
            self.connect.stop_contact(ContactId=contact_id, InstanceId=self.instance_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ContactNotFoundException":
                fail(f"StopContact {contact_id}: {exc}")
        except BotoCoreError as exc:
            fail(f"StopContact {contact_id}: {exc}")

    def run(
        self,
        display_name: str,
        converse: Callable[[str, str], None],
        fail: Callable[[str], None],
        start_failed: Callable[[str], None],
    ) -> None:
        """A whole chat: start it, connect, `converse(contact_id, connection_token)`, leave; on any
        failure after the start (the connection, the conversation, the leave) the chat is stopped
        (StopContact) instead.
        The start's error goes to `start_failed`, the others' to `fail`; anything else is raised,
        once the chat is stopped."""
        try:
            started = self.start(display_name)
        except (ClientError, BotoCoreError) as exc:
            start_failed(f"StartChatContact: {exc}")
            return
        contact_id = str(started["ContactId"])
        try:
            try:
                token = self.connect_participant(started["ParticipantToken"])
            except ClientError as exc:
                if denied(exc):  # the flows ended the chat before the customer connected: over
                    return
                raise
            converse(contact_id, token)
        except (ClientError, BotoCoreError) as exc:
            fail(f"participant API: {exc}")
            self.stop(contact_id, fail)
            return
        except BaseException:
            self.stop(contact_id, fail)  # Locust stopping the user, a call API error, a bug
            raise
        if not self.leave(token, fail):
            self.stop(contact_id, fail)
