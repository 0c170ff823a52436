"""Locust scenario `chat`: customers chat through the flows with StartChatContact and the
Amazon Connect Participant Service, as a web chat client does.

Run it with `aicc-ops loadtest run --scenario chat` (docs/loadtest.md). Each customer takes a
caller of the plan's mix (the demo scenarios), starts a chat in the inbound flow, opens its
connection (CreateParticipantConnection) and reads the conversation with GetTranscript. It
answers the flows' questions with the caller's script as a person types it: spoken answers as
their words, keys as digits, a silence as no message until the flows ask again; now and then
first a message the flows do not understand. Once the flows queued the chat, the customer waits
for the simulated agent (at most its patience), chats for the talk time and leaves
(DisconnectParticipant).

Records (aicc_load.recorder): one `step` per flow step, from the customer's message (or the
chat's start) until the flows' messages that end it (they ask again, queue the chat or end it),
timed by the service's own AbsoluteTime stamps, so the client's polling does not count; one
`call` per whole chat, named after its flow of the mix. On the local stack the call API says
where the flows are (waiting for the customer, queued, ended); on AWS the transcript alone does.

Every request is paced within Connect's documented rates, shared by the run's processes:
StartChatContact 5/s (burst 8) and StopContact per account and Region, and the Participant
Service's quotas, per account and Region too (chat.PARTICIPANT_QUOTAS); one token of each burst is
left to the service. The pacer's waits do not count in a step's timeout. GetTranscript's quota
bounds how many customers can poll (admin/loadtest/chat_polling.py: the run notes it).

No chat is left behind on an instance: a chat lasts ChatDurationInMinutes 60 (the model's
minimum, not the default 25 hours), and a chat the customer could not leave (any failure after
StartChatContact, or a failed DisconnectParticipant) is stopped with StopContact; a failed leave
is recorded, not swallowed.
"""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from aicc_load import call_api, report
from aicc_load.answers import typed_script
from aicc_load.call_api import KeepAliveCallClient
from aicc_load.callers import CallerUser
from aicc_load.chat_api import ChatApi, Pacer
from aicc_load.plan import CallScript
from aicc_load.recorder import QUEUE, CallError, CallRecord
from aicc_load.shape import ProfileShape
from locust import events
from locust.runners import WorkerRunner

from aicc_ops.admin.loadtest.chat_polling import POLL_MAX_S
from aicc_ops.local.call_client import CallApiError
from aicc_ops.local.chat import ENDED, JOINED
from aicc_ops.local.connect_emulator import CONTACT_TIME_HEADER

__all__ = ["ChatCustomer", "ProfileShape"]

report.register(events)

DONE_WITH_IVR = ("queued", "connected", "ended")
MISTAKES = ("?", "네?")  # what a confused customer types instead of the answer
EXTRA_WAITS = 5  # times the flows may ask again once the script is spent, before giving up


def _extras(environment: Any) -> dict[str, Any]:
    """What the chat scenario reads from the plan beyond aicc_load.plan: the target's Connect
    endpoint, instance and chat flow, and how many Locust processes share the quotas."""
    return _read_extras(str(environment.parsed_options.aicc_plan))


@functools.cache
def _read_extras(path: str) -> dict[str, Any]:
    """Once per process, as aicc_load.callers reads the plan itself: every customer starts here."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    target = data["target"]
    return {
        "connect_endpoint": target.get("connect_endpoint"),
        "calls_endpoint": target.get("calls_endpoint"),
        "instance_id": target["instance_id"],
        "flow_id": target["chat_flow_id"],
        "local": target["kind"] == "local",
        "processes": int(data.get("processes") or 1),
    }


@functools.cache
def pacer(processes: int) -> Pacer:
    """The process's one Pacer: every customer of the process draws from the same buckets."""
    return Pacer(processes)


def sign_in_agents(environment: Any, **_: Any) -> None:
    """Every simulated agent available (local stack): the chats in the queues are answered."""
    extras = _extras(environment)
    if not isinstance(environment.runner, WorkerRunner) and extras["local"] and extras["calls_endpoint"]:
        call_api.sign_in_agents(extras["calls_endpoint"])


events.test_start.add_listener(sign_in_agents)  # type: ignore[no-untyped-call]  # Locust: untyped


def stamp(item: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(item["AbsoluteTime"]).replace("Z", "+00:00")).timestamp()


class ChatCustomer(CallerUser):
    def on_start(self) -> None:
        extras = _extras(self.environment)
        self.extras = extras
        self.pace = pacer(extras["processes"])
        # boto3 after locust (its import patches the sockets gevent-style first): shared/design.md
        import boto3
        from botocore.config import Config

        retries = Config(retries={"mode": "standard", "max_attempts": 3})
        key = "testing" if extras["local"] else None  # the local stack takes any credentials
        local = extras["connect_endpoint"] if extras["local"] else None

        def client(service: str) -> Any:
            # botocore's own variable wins when set (AWS_ENDPOINT_URL_<SERVICE>), as for any tool
            return boto3.client(
                service,
                region_name=self.plan.target.region,
                endpoint_url=os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or local,
                config=retries,
                aws_access_key_id=key,
                aws_secret_access_key=key,
            )

        self.connect = client("connect")
        self.participant = client("connectparticipant")
        self.api = ChatApi(
            self.connect, self.participant, self.pace, extras["instance_id"], extras["flow_id"]
        )
        self.contact_time: str | None = None
        if extras["local"]:
            self.connect.meta.events.register_first(
                "before-sign.connect.StartChatContact", self.add_contact_time
            )
        self.calls = KeepAliveCallClient(extras["calls_endpoint"]) if extras["local"] else None

    def on_stop(self) -> None:
        if self.calls is not None:
            self.calls.close()

    # ---- one chat -----------------------------------------------------------------------------
    def dial(self, call: CallScript, record: CallRecord) -> None:
        def converse(contact_id: str, token: str) -> None:
            try:
                self.converse(contact_id, token, call, record)
            except CallApiError as exc:
                record.fail(f"call API: {exc}")
                raise

        self.contact_time = call.at  # the local stack's header (add_contact_time)
        try:
            self.api.run(
                f"고객 {call.caller[-4:]}",
                converse,
                record.fail,
                lambda error: record.step("start chat", record.elapsed_ms(), error),
            )
        except CallApiError:
            pass  # recorded, and the chat stopped
        finally:
            self.contact_time = None

    def add_contact_time(self, request: Any, **_: Any) -> None:
        """The demo call's time on a local chat: the flows check the hours (local stack only)."""
        if self.contact_time:
            request.headers[CONTACT_TIME_HEADER] = self.contact_time

    def converse(self, contact_id: str, token: str, call: CallScript, record: CallRecord) -> None:
        callers = self.plan.callers
        answers = typed_script(call.inputs)
        seen = self.transcript(token)
        since: dict[str, Any] | None = seen[0]  # the customer's joined event: the first step's start
        # What the flows said may be there already: the first step is over once they said anything.
        known = next((n for n, i in enumerate(seen) if i.get("ParticipantRole") != "CUSTOMER"), len(seen))
        waits = 0
        while True:
            got = self.until_flows_answer(token, known)
            if got is None:
                record.step(self.step_name(contact_id), record.elapsed_ms(), self.timeout_error())
                return
            new, seen = got[known:], got
            known = len(seen)
            system = [i for i in new if i.get("ParticipantRole") == "SYSTEM" and i["Type"] == "MESSAGE"]
            if system and since is not None:
                record.step(self.step_name(contact_id), max(0.0, stamp(system[-1]) - stamp(since)) * 1000)
            if self.ended(new) or self.agent_joined(new) or self.ivr_over(contact_id):
                break
            if not answers:
                waits += 1
                if waits > EXTRA_WAITS:
                    raise CallError(f"the flows kept asking after the answers and {EXTRA_WAITS} waits")
                since = None  # no message: the flows' own input timeout is no step of theirs
                continue
            if answers[0] is None:  # silent: the flows ask again after their own input time
                answers.pop(0)
                since = None
                continue
            self.think()
            text = self.rng.choice(MISTAKES) if self.rng.random() < callers.mistakes else answers.pop(0)
            self.pace.wait("SendMessage")
            sent = self.participant.send_message(
                ConnectionToken=token, ContentType="text/plain", Content=text, ClientToken=str(uuid.uuid4())
            )
            since = {"AbsoluteTime": sent["AbsoluteTime"]}
        self.with_agent(token, seen, record)

    def until_flows_answer(self, token: str, known: int) -> list[dict[str, Any]] | None:
        return self.api.until_flows_answer(token, known, self.plan.callers.step_timeout_s)

    def transcript(self, token: str) -> list[dict[str, Any]]:
        """The whole conversation, oldest first."""
        return self.api.read(token)[0]

    @staticmethod
    def ended(items: list[dict[str, Any]]) -> bool:
        return any(i.get("ContentType") == ENDED for i in items)

    @staticmethod
    def agent_joined(items: list[dict[str, Any]]) -> bool:
        return any(i.get("ContentType") == JOINED and i.get("ParticipantRole") == "AGENT" for i in items)

    def ivr_over(self, contact_id: str) -> bool:
        """Whether the flows are done with the chat (queued or ended): the call API says so on the
        local stack; on AWS the customer answers while the script lasts."""
        if self.calls is None:
            return False
        return str(self.calls.get(contact_id)["state"]) in DONE_WITH_IVR

    def step_name(self, contact_id: str) -> str:
        """The flow the step ended in (the local stack's transcript), else `chat`."""
        if self.calls is None:
            return "chat"
        flows = (self.calls.get(contact_id).get("call") or {}).get("flows") or []
        return f"chat: {flows[-1]}" if flows else "chat"

    def timeout_error(self) -> str:
        return f"no message, queue or end within {self.plan.callers.step_timeout_s:g} s"

    # ---- the queue and the agent --------------------------------------------------------------
    def with_agent(self, token: str, seen: list[dict[str, Any]], record: CallRecord) -> None:
        """Wait for the agent (at most the patience), chat for the talk time, and leave."""
        callers = self.plan.callers
        if self.ended(seen):
            last = [i for i in seen if i["Type"] == "MESSAGE"]
            if not last or last[-1].get("ParticipantRole") != "SYSTEM":
                record.fail("the chat ended without a word from the flows")
            return
        queued = time.perf_counter()
        while not self.agent_joined(seen):
            if time.perf_counter() - queued > callers.patience_s:
                record.recorder.record(QUEUE, "chat (abandoned)", record.elapsed_ms(queued))
                return
            time.sleep(POLL_MAX_S)
            seen = self.transcript(token)
            if self.ended(seen):
                record.fail("the chat ended in the queue")
                return
        record.recorder.record(QUEUE, "chat (answered)", record.elapsed_ms(queued))
        time.sleep(callers.talk_s)
