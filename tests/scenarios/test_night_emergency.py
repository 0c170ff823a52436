"""Night emergencies (issue 9 item 3): the on-call engineers are not signed in to Connect, so the
escalation pages them (SMS and a page call), waits for the acknowledgement, moves on, and in the
end pages the manager; the caller hears only what was really done, the queue position, and a
callback offer before the SLA.

The Connect emulator takes the escalation's StartOutboundVoiceContact; an engineer who answers
runs the Emergency Page flow through the engine (pressing 1 or not), and the caller's next
interval shows the outcome.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from aicc.adapters import aws
from aicc.adapters.notifier import Notifier
from aicc.adapters.pager import PageCaller
from aicc.domain.sentiment import Trend
from aicc_ops.engine.interpreter import CallResult
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.server import ConnectHandler, _bind, _serve_in_thread
from aicc_ops.local.stack import LocalStack

from .conftest import COVERAGE, Caller, engine_for
from .test_spoken_menus import ACCEPTED

NIGHT = "2026-11-26T02:30:00+09:00"  # a Thursday, 02:30 in Seoul
HANBIT = "+821023456789"  # 한빛금융, MSP, part TS2: ts.jung (primary), ts.kang (secondary), ts.lim; mgr.lee
OUTAGE = ["2", "say:DB 장애"]  # after-hours menu: emergency line; the incident
NOBODY_ON_SHIFT = {"ga.han": "OFFLINE"}  # the general agent has gone home too
ANSWER_AFTER = timedelta(seconds=20)  # the engineer picks up the page call


class Engineers:
    """The on-call engineers' phones. A page call to a number in `answers` is answered after
    ANSWER_AFTER and the page flow runs with those keys; any other page call rings out."""

    def __init__(self, stack: LocalStack, emulator: ConnectEmulator) -> None:
        self.stack, self.emulator = stack, emulator
        self.engine = engine_for(stack, entry="emergency_page")
        self.answers: dict[str, list[str]] = {}
        self.calls: list[CallResult] = []

    def mobile(self, login: str) -> str:
        return next(str(a["mobile"]) for a in self.stack.seeded.agents if a["login"] == login)

    def answer(self, login: str, keys: list[str]) -> None:
        self.answers[self.mobile(login)] = keys

    def paged(self) -> list[tuple[str, str]]:
        """(login paged, flow run) for every page call placed."""
        return [(c["Attributes"]["paged_login"], c["ContactFlowId"]) for c in self.emulator.outbound_contacts]

    def __call__(self, contact: dict[str, Any]) -> None:
        keys = self.answers.get(contact["DestinationPhoneNumber"])
        if keys is None:
            return
        at = datetime.fromisoformat(contact["Attributes"]["paged_at"]) + ANSWER_AFTER
        result = self.engine.run(
            contact["DestinationPhoneNumber"],
            at,
            keys,
            contact_id=contact["ContactId"],
            attributes=contact["Attributes"],
        )
        COVERAGE.exercised.update(result.transitions)
        self.calls.append(result)


@pytest.fixture(scope="module")
def connect_emulator(stack: LocalStack) -> Iterator[ConnectEmulator]:
    """The Connect emulator on loopback as the handlers' Connect endpoint, for this module."""
    emulator = ConnectEmulator(stack.config, stack.resources, stack.flows)
    server = _bind(0, type("ConnectHandler", (ConnectHandler,), {"emulator": emulator}), "Connect API")
    url = _serve_in_thread(server, "connect")
    previous = os.environ.get("AWS_ENDPOINT_URL_CONNECT")
    os.environ["AWS_ENDPOINT_URL_CONNECT"] = url
    aws.reset()
    try:
        yield emulator
    finally:
        if previous is None:
            os.environ.pop("AWS_ENDPOINT_URL_CONNECT", None)
        else:
            os.environ["AWS_ENDPOINT_URL_CONNECT"] = previous
        aws.reset()
        server.shutdown()
        server.server_close()


@pytest.fixture
def engineers(stack: LocalStack, connect_emulator: ConnectEmulator) -> Iterator[Engineers]:
    phones = Engineers(stack, connect_emulator)
    connect_emulator.outbound_contacts.clear()
    connect_emulator.outbound_listeners.append(phones)
    try:
        yield phones
    finally:
        connect_emulator.outbound_listeners.remove(phones)


def prompt(stack: LocalStack, key: str) -> str:
    return stack.config.prompts[key].text()


def page_record(stack: LocalStack, contact_id: str, step: int) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(stack.tables["CALL_LOGS_TABLE"])
    item: dict[str, Any] = table.get_item(Key={"contact_id": contact_id})["Item"]
    return dict(item[f"page_{step}"])


def escalations(r: CallResult) -> list[tuple[str, str]]:
    return [
        (c.response["action"], c.response["target_login"])
        for c in r.lambda_calls
        if c.function == "escalation" and c.response
    ]


def test_night_call_pages_the_offline_primary_by_sms_and_call(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    r = call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT)
    assert r.queue == "MSP Emergency" and r.in_queue
    assert escalations(r)[0] == ("PAGE", "ts.jung")
    assert engineers.paged() == [("ts.jung", "emergency_page")]
    page = page_record(stack, r.contact_id, 0)
    assert (page["login"], page["sms"], page["call"]) == ("ts.jung", "sent", "sent")
    assert prompt(stack, "emergency_paged") in r.prompts


def test_acknowledged_page_is_what_the_caller_hears_next(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    engineers.answer("ts.jung", ["1"])
    wait = stack.config.escalation.wait_seconds
    r = call(OUTAGE, at=NIGHT, number=HANBIT, hold=wait + 10, agents=NOBODY_ON_SHIFT)
    [page_call] = engineers.calls
    assert page_call.flows == ["Emergency Page"]
    assert any("한빛금융" in p and "DB 장애" in p for p in page_call.prompts)
    assert prompt(stack, "emergency_page_acknowledged") in page_call.prompts
    assert "acked_at" in page_record(stack, r.contact_id, 0)
    # The caller was told of the page, and at the next interval of the acknowledgement.
    assert [a for a, _ in escalations(r)] == ["PAGE", "ACKNOWLEDGED"]
    told = r.prompts.index(prompt(stack, "emergency_paged"))
    assert prompt(stack, "emergency_acknowledged") in r.prompts[told:]


def test_engineer_who_does_not_press_1_is_not_reported_as_acknowledged(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    engineers.answer("ts.jung", ["silence", "silence", "silence"])
    wait = stack.config.escalation.wait_seconds
    r = call(OUTAGE, at=NIGHT, number=HANBIT, hold=wait + 10, agents=NOBODY_ON_SHIFT)
    [page_call] = engineers.calls
    assert prompt(stack, "emergency_page_unacknowledged") in page_call.prompts
    assert [a for a, _ in escalations(r)] == ["PAGE", "AWAIT_ACK"]
    assert prompt(stack, "emergency_acknowledged") not in r.prompts


def test_no_acknowledgement_pages_the_secondary(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    policy = stack.config.escalation
    r = call(OUTAGE, at=NIGHT, number=HANBIT, hold=policy.ack_wait_seconds + 10, agents=NOBODY_ON_SHIFT)
    assert [login for login, _ in engineers.paged()] == ["ts.jung", "ts.kang"]
    assert escalations(r)[-1] == ("PAGE", "ts.kang")
    moved = r.prompts.index(prompt(stack, "emergency_next_engineer"))
    assert r.prompts[moved + 1] == prompt(stack, "emergency_paged")


def test_everyone_unanswered_pages_the_manager_and_the_caller_is_told(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    policy = stack.config.escalation
    hold = 3 * policy.ack_wait_seconds + 2 * policy.wait_seconds
    r = call([*OUTAGE, "silence"], at=NIGHT, number=HANBIT, hold=hold, agents=NOBODY_ON_SHIFT)
    assert [login for login, _ in engineers.paged()] == ["ts.jung", "ts.kang", "ts.lim", "mgr.lee"]
    assert ("EXHAUSTED", "") in escalations(r)
    assert prompt(stack, "emergency_manager_paged") in r.prompts
    assert r.in_queue and r.queue_transfers[-1] == "MSP Emergency"
    # Told of the manager, the caller is not also told a "next engineer" is being paged.
    manager = r.prompts.index(prompt(stack, "emergency_manager_paged"))
    assert r.prompts[manager - 1] != prompt(stack, "emergency_next_engineer")


def test_the_managers_page_can_be_acknowledged(call: Caller, stack: LocalStack, engineers: Engineers) -> None:
    engineers.answer("mgr.lee", ["1"])
    policy = stack.config.escalation
    hold = 3 * policy.ack_wait_seconds + 3 * policy.wait_seconds
    r = call([*OUTAGE, "silence"], at=NIGHT, number=HANBIT, hold=hold, agents=NOBODY_ON_SHIFT)
    manager_call = next(c for c in engineers.calls if c.attributes.get("paged_login") == "mgr.lee")
    assert prompt(stack, "emergency_page_acknowledged") in manager_call.prompts
    assert "acked_at" in page_record(stack, r.contact_id, len(policy.chain))


def test_a_page_that_reaches_no_one_moves_on_at_once_and_is_not_called_unanswered(
    call: Caller, stack: LocalStack, engineers: Engineers, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = engineers.mobile("ts.jung")

    def sms(self: Notifier, phone: str, text: str) -> str:
        if phone == unreachable:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "SMS failed"}}, "Publish")
        return "sms-id"

    def page_call(self: PageCaller, phone: str, attributes: Any, token: str) -> str:
        if phone == unreachable:
            raise ClientError({"Error": {"Code": "DestinationNotAllowedException", "Message": "no"}}, "Start")
        return "page-contact-id"

    monkeypatch.setattr(Notifier, "send_sms", sms)
    monkeypatch.setattr(PageCaller, "call", page_call)
    r = call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT)
    # The same invocation pages the secondary: no minute lost on a page that reached no one.
    assert escalations(r)[0] == ("PAGE", "ts.kang")
    assert (
        page_record(stack, r.contact_id, 0)["sms"] == page_record(stack, r.contact_id, 0)["call"] == "failed"
    )
    assert prompt(stack, "emergency_paged") in r.prompts
    assert prompt(stack, "emergency_next_engineer") not in r.prompts  # ts.jung was never reached


def test_failed_sms_is_never_announced(
    call: Caller, stack: LocalStack, engineers: Engineers, monkeypatch: pytest.MonkeyPatch
) -> None:
    def undeliverable(self: Notifier, phone: str, text: str) -> str:
        raise ClientError({"Error": {"Code": "InternalError", "Message": "SMS failed"}}, "Publish")

    monkeypatch.setattr(Notifier, "send_sms", undeliverable)
    r = call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT)
    assert page_record(stack, r.contact_id, 0)["sms"] == "failed"
    assert prompt(stack, "emergency_paged_call") in r.prompts
    assert not any("문자" in p for p in r.prompts)


def test_the_waiting_caller_hears_the_queue_position(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    wait = stack.config.escalation.wait_seconds
    r = call(
        OUTAGE,
        at=NIGHT,
        number=HANBIT,
        hold=wait + 10,
        agents=NOBODY_ON_SHIFT,
        backlog={"msp_emergency": (2, 90)},
    )
    assert prompt(stack, "emergency_queue_size").replace("$.Metrics.Queue.Size", "3") in r.prompts
    alone = call(OUTAGE, at=NIGHT, number=HANBIT, hold=wait + 10, agents=NOBODY_ON_SHIFT)
    assert prompt(stack, "emergency_queue_first") in alone.prompts


def test_callback_is_offered_before_the_sla_runs_out(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    policy = stack.config.escalation
    sla = stack.config.queues[policy.queue].sla_seconds or 0
    r = call([*OUTAGE, "1"], at=NIGHT, number=HANBIT, hold=sla, agents=NOBODY_ON_SHIFT)
    offer = next(e for e in r.transcript if e["text"] == prompt(stack, "emergency_callback_offer"))
    queued = next(e for e in r.transcript if e["kind"] == "queue")
    waited = datetime.fromisoformat(offer["at"]) - datetime.fromisoformat(queued["at"])
    assert timedelta(seconds=sla - policy.callback_before_sla_seconds) <= waited < timedelta(seconds=sla)
    assert r.callbacks == [
        {"queue": "MSP Emergency", "number": HANBIT, "initial_delay_seconds": "5", "max_attempts": "2"}
    ]
    assert r.disconnected and r.attributes["callback_requested"] == "true"


def test_declined_callback_keeps_the_caller_waiting_and_is_offered_once(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    sla = stack.config.queues[stack.config.escalation.queue].sla_seconds or 0
    r = call([*OUTAGE, "silence"], at=NIGHT, number=HANBIT, hold=sla + 120, agents=NOBODY_ON_SHIFT)
    assert r.prompts.count(prompt(stack, "emergency_callback_offer")) == 1
    assert r.in_queue and not r.callbacks


@pytest.mark.parametrize("failing", ["voice", "language", "intro", "ask", "acknowledge", "acknowledged"])
def test_page_flow_errors_still_tell_the_engineer_what_to_do(
    call: Caller, stack: LocalStack, engineers: Engineers, failing: str
) -> None:
    engineers.answer("ts.jung", ["1", "1", "1"])
    engineers.engine.action_faults = {("emergency_page", failing): "NoMatchingError"}
    call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT)
    [page_call] = engineers.calls
    assert page_call.disconnected and page_call.prompts
    assert "CCP에 로그인" in page_call.prompts[-1] or failing == "acknowledged"


def test_the_engineer_may_hear_the_page_again_and_a_wrong_key_is_asked_again(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    engineers.answer("ts.jung", ["*", "5", "1"])
    call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT)
    [page_call] = engineers.calls
    assert page_call.prompts.count(prompt(stack, "emergency_page_ack")) == 3
    assert prompt(stack, "emergency_page_acknowledged") in page_call.prompts


def test_an_acknowledgement_matching_no_page_still_sends_the_engineer_to_the_ccp(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    engineers.answer("ts.jung", ["1"])
    responses = {"page_ack": {"status": "NOT_FOUND"}}
    call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT, responses=responses)
    [page_call] = engineers.calls
    assert page_call.prompts[-1] == prompt(stack, "emergency_page_not_recorded")


@pytest.mark.parametrize(
    ("keys", "failing", "responses"),
    [(["silence"] * 3, "unacknowledged", {}), (["1"], "not-recorded", {"page_ack": {"status": "NOT_FOUND"}})],
)
def test_a_failing_last_word_to_the_engineer_still_ends_the_page_call(
    call: Caller,
    stack: LocalStack,
    engineers: Engineers,
    keys: list[str],
    failing: str,
    responses: dict[str, dict[str, str]],
) -> None:
    engineers.answer("ts.jung", keys)
    engineers.engine.action_faults = {("emergency_page", failing): "NoMatchingError"}
    call(OUTAGE, at=NIGHT, number=HANBIT, hold=30, agents=NOBODY_ON_SHIFT, responses=responses)
    [page_call] = engineers.calls
    assert page_call.disconnected


def test_a_callback_number_the_registry_refuses_keeps_the_caller_waiting(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    sla = stack.config.queues[stack.config.escalation.queue].sla_seconds or 0
    responses = {"callback": {"status": "INVALID_NUMBER"}}
    r = call([*OUTAGE, "1"], at=NIGHT, number=HANBIT, hold=sla, agents=NOBODY_ON_SHIFT, responses=responses)
    assert not r.callbacks and r.in_queue


def _emergency_offer_heard(r: CallResult) -> list[str]:
    return [
        s.detail.rsplit("-> ", 1)[1]
        for s in r.steps
        if (s.flow, s.identifier) == ("MSP Emergency Queue", "offer") and "-> " in s.detail
    ]


@pytest.mark.parametrize(("wanted", "intent"), ACCEPTED)
def test_the_emergency_callback_taken_by_key_or_words(
    call: Caller, stack: LocalStack, engineers: Engineers, wanted: str, intent: str
) -> None:
    sla = stack.config.queues[stack.config.escalation.queue].sla_seconds or 0
    r = call([*OUTAGE, wanted], at=NIGHT, number=HANBIT, hold=sla, agents=NOBODY_ON_SHIFT)
    assert _emergency_offer_heard(r) == [intent]
    assert r.callbacks and r.callbacks[0]["queue"] == "MSP Emergency" and r.disconnected


@pytest.mark.parametrize(
    ("answer", "heard"),
    [
        ("2", ["Decline"]),
        ("say:아니요 그냥 기다릴게요", ["Decline"]),
        ("say:엔지니어 연결될 때까지 기다릴게요 상담원 바꿔 주세요", ["TalkToAgent"]),
        ("*", ["RepeatMenu"]),  # then silence: the offer again, and no answer keeps the caller waiting
        ("say:음 그 저기 뭐였더라", ["FallbackIntent"]),  # not understood, asked again; silence then
    ],
)
def test_the_emergency_callback_declined_by_key_or_words_is_offered_once(
    call: Caller, stack: LocalStack, engineers: Engineers, answer: str, heard: list[str]
) -> None:
    sla = stack.config.queues[stack.config.escalation.queue].sla_seconds or 0
    r = call([*OUTAGE, answer], at=NIGHT, number=HANBIT, hold=sla + 120, agents=NOBODY_ON_SHIFT)
    assert _emergency_offer_heard(r) == heard
    offers = r.prompts.count(prompt(stack, "emergency_callback_offer"))
    assert offers == (2 if heard[0] in ("RepeatMenu", "FallbackIntent") else 1)
    assert r.in_queue and not r.callbacks
    assert r.attributes["escalation_callback_offered"] == "true"


def test_an_angry_no_at_the_emergency_callback_offer_keeps_its_sentiment_verdict(
    call: Caller, stack: LocalStack, engineers: Engineers
) -> None:
    sla = stack.config.queues[stack.config.escalation.queue].sla_seconds or 0
    angry = "say:아니요 필요 없어요 이게 말이 됩니까 너무 화가 나네요"
    r = call([*OUTAGE, angry], at=NIGHT, number=HANBIT, hold=sla, agents=NOBODY_ON_SHIFT)
    calm = call([*OUTAGE, "say:아니요 괜찮아요"], at=NIGHT, number=HANBIT, hold=sla, agents=NOBODY_ON_SHIFT)
    assert _emergency_offer_heard(r) == _emergency_offer_heard(calm) == ["Decline"]
    heard, calmly = (Trend.decode(x.attributes.get("sentiment_trend")) for x in (r, calm))
    assert heard.turns == calmly.turns and heard.value < calmly.value  # the answer was scored and kept
    assert int(r.attributes["sentiment_priority"]) < int(calm.attributes.get("sentiment_priority") or "5")
