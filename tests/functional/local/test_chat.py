"""Chats on the local stack through boto3's own clients: StartChatContact (connect) and the
Participant Service (connectparticipant), on the wire protocol of botocore's models, through the
real flows, with the modelled errors."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import prompt_opening, wait_for

from aicc_ops.engine.interpreter import InputError
from aicc_ops.local import connect_emulator
from aicc_ops.local.chat import ENDED, JOINED, LEFT, ParticipantService, transcript_page
from aicc_ops.local.connect_emulator import CONTACT_TIME_HEADER
from aicc_ops.local.connect_protocol import ConnectError
from aicc_ops.local.live import Activity, LiveContact
from aicc_ops.local.server import running

INSTANCE = "aicc-local"
WEEKDAY = "2026-11-25T10:00:00+09:00"  # the flows check the hours
ONE_TRY = {"retries": {"mode": "standard", "max_attempts": 1}}


@pytest.fixture(scope="module")
def connect(local_server: Any) -> Any:
    return local_server.client("connect", **ONE_TRY)


@pytest.fixture(scope="module")
def participant(local_server: Any) -> Any:
    return local_server.client("connectparticipant", **ONE_TRY)


@pytest.fixture(scope="module")
def start(connect: Any) -> Callable[..., dict[str, Any]]:
    """StartChatContact at a time of the flows' (the local stack's own header), in the entry flow."""

    def started(at: str = WEEKDAY, **params: Any) -> dict[str, Any]:
        def stamp(request: Any, **_: Any) -> None:
            request.headers[CONTACT_TIME_HEADER] = at

        connect.meta.events.register_first("before-sign.connect.StartChatContact", stamp)
        try:
            answer: dict[str, Any] = connect.start_chat_contact(
                **{
                    "InstanceId": INSTANCE,
                    "ContactFlowId": "customer_authentication",
                    "ParticipantDetails": {"DisplayName": "김민준"},
                    **params,
                }
            )
        finally:
            connect.meta.events.unregister("before-sign.connect.StartChatContact", stamp)
        return answer

    return started


def token_of(participant: Any, chat: dict[str, Any]) -> str:
    connection = participant.create_participant_connection(
        Type=["CONNECTION_CREDENTIALS"], ParticipantToken=chat["ParticipantToken"]
    )
    credentials = connection["ConnectionCredentials"]
    assert datetime.fromisoformat(credentials["Expiry"].replace("Z", "+00:00")) > datetime.now(UTC)
    assert "Websocket" not in connection  # none is served locally (docs/local-stack.md)
    token: str = credentials["ConnectionToken"]
    return token


def transcript(participant: Any, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"ScanDirection": "FORWARD", "SortOrder": "ASCENDING", "MaxResults": 100}
    while True:
        page = participant.get_transcript(ConnectionToken=token, **params)
        items += page["Transcript"]
        if "NextToken" not in page:
            return items
        params["NextToken"] = page["NextToken"]


def said(items: list[dict[str, Any]]) -> list[str]:
    return [i["Content"] for i in items if i["ParticipantRole"] == "SYSTEM" and i["Type"] == "MESSAGE"]


@pytest.fixture
def chat(start: Any, participant: Any, local_server: Any) -> Iterator[tuple[dict[str, Any], str]]:
    started = start()
    token = token_of(participant, started)
    center = running(local_server).center
    wait_for(lambda: center.get(started["ContactId"]).state != "ivr")
    yield started, token
    if center.get(started["ContactId"]).state != "ended":
        center.hang_up(started["ContactId"])


def test_a_chat_runs_through_the_flows_to_an_agent(
    chat: tuple[dict[str, Any], str], participant: Any, local_server: Any
) -> None:
    started, token = chat
    center = running(local_server).center
    first = transcript(participant, token)
    assert first[0]["ContentType"] == JOINED and first[0]["ParticipantRole"] == "CUSTOMER"
    assert said(first)[0].startswith(prompt_opening("welcome"))  # the flows' Play prompt, as text
    assert all(i["DisplayName"] == "SYSTEM_MESSAGE" for i in first[1:])
    contact = center.get(started["ContactId"])
    assert contact.channel == "CHAT" and contact.state == "waiting_input"
    words = ("솔트웨어", "김민준입니다", "1234", "상담원 연결해 주세요")
    for text in words:  # the Lex turns (the authentication, the MSP menu) take the customer's text
        sent = participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=text)
        assert sent["Id"] and sent["AbsoluteTime"].endswith("Z")
        wait_for(lambda: contact.state != "ivr" and len(contact.steps) > 1 and contact.steps[-1].ended > 0)
    wait_for(lambda: contact.state in ("queued", "connected", "ended"))
    result = contact.result
    assert result is not None and "MSP Customer" in result.flows
    # The MSP menu listens (a Lex block): on chat it reads the text, where a keypad block would err.
    (menu,) = [s for s in result.steps if s.identifier == "msp-menu"]
    assert menu.outcome == "Equals:TalkToAgent" or menu.detail.endswith("-> TalkToAgent"), menu
    assert not [s for s in result.steps if s.type == "GetParticipantInput"]
    wait_for(lambda: any(i["ContentType"] == JOINED for i in transcript(participant, token)[1:]))
    items = transcript(participant, token)
    customer = [i["Content"] for i in items if i["ParticipantRole"] == "CUSTOMER" and i["Type"] == "MESSAGE"]
    assert customer == list(words)
    assert any(i["ContentType"] == JOINED and i["ParticipantRole"] == "AGENT" for i in items)
    participant.disconnect_participant(ConnectionToken=token)
    wait_for(lambda: contact.state == "ended")
    assert transcript(participant, token)[-1]["ContentType"] == ENDED
    with pytest.raises(ClientError) as ended:
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="여보세요")
    assert ended.value.response["Error"]["Code"] == "AccessDeniedException"


def test_botos_own_variable_points_the_participant_client_here(
    chat: tuple[dict[str, Any], str], local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", local_server.connect_endpoint)
    client = boto3.client(
        "connectparticipant",
        region_name=local_server.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert client.get_transcript(ConnectionToken=chat[1])["InitialContactId"] == chat[0]["ContactId"]


def test_transcript_pages_as_the_api_pages_it(chat: tuple[dict[str, Any], str], participant: Any) -> None:
    _, token = chat
    everything = transcript(participant, token)
    assert len(everything) >= 3
    forward, params = [], {"ScanDirection": "FORWARD", "SortOrder": "ASCENDING", "MaxResults": 2}
    while True:
        page = participant.get_transcript(ConnectionToken=token, **params)
        assert len(page["Transcript"]) <= 2
        forward += page["Transcript"]
        if "NextToken" not in page:
            break
        params["NextToken"] = page["NextToken"]
    assert [i["Id"] for i in forward] == [i["Id"] for i in everything]
    # The model's defaults: BACKWARD (the newest) without a StartPosition, DESCENDING, 10 items.
    newest = participant.get_transcript(ConnectionToken=token, MaxResults=2)
    assert [i["Id"] for i in newest["Transcript"]] == [i["Id"] for i in reversed(everything[-2:])]
    ascending = participant.get_transcript(ConnectionToken=token, MaxResults=2, SortOrder="ASCENDING")
    assert [i["Id"] for i in ascending["Transcript"]] == [i["Id"] for i in everything[-2:]]
    assert len(participant.get_transcript(ConnectionToken=token)["Transcript"]) == min(10, len(everything))
    after = participant.get_transcript(  # FORWARD from a StartPosition
        ConnectionToken=token, SortOrder="ASCENDING", StartPosition={"Id": everything[1]["Id"]}
    )
    assert after["Transcript"][0]["Id"] == everything[1]["Id"]
    assert newest["InitialContactId"] == chat[0]["ContactId"]


def test_a_token_that_is_no_participants_is_denied(
    participant: Any, chat: tuple[dict[str, Any], str]
) -> None:
    calls = {
        "create_participant_connection": {
            "Type": ["CONNECTION_CREDENTIALS"],
            "ParticipantToken": "pt-nobody",
        },
        "send_message": {"ConnectionToken": "ct-nobody", "ContentType": "text/plain", "Content": "안녕"},
        "get_transcript": {"ConnectionToken": "ct-nobody"},
        "disconnect_participant": {"ConnectionToken": "ct-nobody"},
    }
    for name, params in calls.items():
        with pytest.raises(ClientError) as denied:
            getattr(participant, name)(**params)
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException", name
        assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    _, token = chat
    with pytest.raises(ClientError) as mixed:  # the participant token is no connection token
        participant.get_transcript(ConnectionToken=chat[0]["ParticipantToken"])
    assert mixed.value.response["Error"]["Code"] == "AccessDeniedException"
    assert participant.get_transcript(ConnectionToken=token)["Transcript"]


def test_bad_parameters_are_the_models_errors(
    participant: Any, start: Any, connect: Any, chat: tuple[dict[str, Any], str]
) -> None:
    _, token = chat
    cases = [
        {"ContentType": "application/json", "Content": "{}"},  # the local stack takes text/plain
        {"ContentType": "text/plain", "Content": "가" * 16385},  # Content: at most 16384
    ]
    for params in cases:
        with pytest.raises(ClientError) as bad:
            participant.send_message(ConnectionToken=token, **params)
        assert bad.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as not_inbound:
        start(ContactFlowId="general_customer_queue")
    assert not_inbound.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as unknown:
        start(ContactFlowId="no-such-flow")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as bad_time:
        start(at="tomorrow")
    assert bad_time.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_client_token_starts_one_chat(start: Any, local_server: Any) -> None:
    token = str(uuid.uuid4())
    first, again = start(ClientToken=token), start(ClientToken=token)
    assert first["ContactId"] == again["ContactId"]
    assert first["ParticipantToken"] == again["ParticipantToken"]
    running(local_server).center.hang_up(first["ContactId"])


class NoContacts:
    """A live center without contacts: the Participant Service alone."""

    keep_ended = 900.0

    def __init__(self) -> None:
        self.contacts: dict[str, Any] = {}


def connected(service: ParticipantService) -> tuple[Any, str]:
    """A new chat's session and its connection token (around the throttle: op_ directly)."""
    session = service.prepare("김민준", 60)
    token = service.op_CreateParticipantConnection(
        {"ParticipantToken": session.participant_token, "Type": ["CONNECTION_CREDENTIALS"]}
    )["ConnectionCredentials"]["ConnectionToken"]
    return session, token


@pytest.mark.parametrize(("operation", "burst"), [("GetTranscript", 12), ("DisconnectParticipant", 5)])
def test_the_participant_service_throttles_at_its_documented_rate(operation: str, burst: int) -> None:
    """GetTranscript 8/s burst 12, DisconnectParticipant 3/s burst 5, per account and Region
    (chat.PARTICIPANT_QUOTAS): one bucket per operation for the whole local stack."""
    service = ParticipantService(NoContacts())  # type: ignore[arg-type]
    one = connected(service)[1]
    tokens = [connected(service)[1] if operation == "DisconnectParticipant" else one for _ in range(50)]
    answered = 0
    with pytest.raises(ConnectError) as throttled:
        for token in tokens:
            service.call(operation, {"ConnectionToken": token})
            answered += 1
    assert throttled.value.code == "ThrottlingException"
    assert burst <= answered < 50  # the burst, and the little the rate refilled meanwhile
    unthrottled = ParticipantService(NoContacts(), throttle=False)  # type: ignore[arg-type]
    session = unthrottled.prepare("김민준", 60)
    token = unthrottled.call(
        "CreateParticipantConnection",
        {"ParticipantToken": session.participant_token, "Type": ["CONNECTION_CREDENTIALS"]},
    )["ConnectionCredentials"]["ConnectionToken"]
    for _ in range(50):
        unthrottled.call("GetTranscript", {"ConnectionToken": token})


# ---- the transcript as things happen -----------------------------------------------------------


def customer_answers(participant: Any, token: str, contact: Any) -> None:
    """The customer authentication's three Lex turns, answered without reading the transcript."""
    for text in ("솔트웨어", "김민준입니다", "1234"):
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=text)
        wait_for(lambda: contact.state != "ivr" and len(contact.steps) > 1 and contact.steps[-1].ended > 0)


def stamp(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["AbsoluteTime"].replace("Z", "+00:00"))


def test_events_reach_the_transcript_when_they_happen_not_when_read(
    start: Any, participant: Any, local_server: Any
) -> None:
    started = start()
    token = token_of(participant, started)
    app = running(local_server)
    contact = app.center.get(started["ContactId"])
    wait_for(lambda: contact.state == "waiting_input")
    customer_answers(participant, token, contact)
    wait_for(
        lambda: contact.state == "ended", "the chat to end", 20
    )  # the agent talked 2 s; nobody read the chat
    session = app.emulator.chats.of_contact(contact.contact_id)
    wait_for(lambda: session.ended)  # the chat ended without a poll
    items = transcript(participant, token)
    agent = [i for i in items if i["ParticipantRole"] == "AGENT"]
    assert [i["ContentType"] for i in agent] == [JOINED, LEFT]
    assert contact.connected_at is not None and contact.ended_at is not None
    assert abs((stamp(agent[0]) - contact.connected_at).total_seconds()) < 0.01  # when it joined
    assert abs((stamp(items[-1]) - contact.ended_at).total_seconds()) < 1.0
    assert items[-1]["ContentType"] == ENDED
    assert stamp(agent[0]) < stamp(items[-1]) - timedelta(seconds=1)  # the talk between them
    with pytest.raises(ClientError) as ended:
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="여보세요")
    assert ended.value.response["Error"]["Code"] == "AccessDeniedException"


class Heard:
    """A live contact's events, in order (live.ContactEvents)."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def step_ended(self, contact: Any) -> None:
        self.heard.append("step")

    def agent_joined(self, contact: Any, at: datetime) -> None:
        self.heard.append("agent")

    def chat_ended(self, contact: Any, at: datetime) -> None:
        self.heard.append("ended")


def test_a_chat_ends_after_its_flows_last_messages(local_server: Any) -> None:
    """Hung up while its flows run: the end is told once the flows are done, after their last
    step's messages, never before (live.py's _tell_ended; chat.py writes chat.ended then)."""
    center = running(local_server).center
    heard = Heard()
    contact = LiveContact("c-order", "김민준", 1.0, state="ivr", channel="CHAT", events=heard)
    contact.begin_step("answer", time.monotonic())
    with center.emulator.lock:
        center._end(contact, "caller hung up")  # DisconnectParticipant, while the flows run
    assert heard.heard == []
    contact.end_step()  # the flows' thread: its last step's messages
    contact.done.set()
    with center.emulator.lock:
        center._tell_ended(contact)
        center._tell_ended(contact)
    assert heard.heard == ["step", "ended"]


def test_a_blank_message_or_one_the_flows_cannot_take_is_no_error(
    chat: tuple[dict[str, Any], str], participant: Any, local_server: Any
) -> None:
    started, token = chat
    contact = running(local_server).center.get(started["ContactId"])
    assert contact.state == "waiting_input"
    sent = participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="   ")
    wait_for(lambda: any(s.cause == "input" and s.ended for s in contact.steps))
    items = transcript(participant, token)
    assert any(i["Id"] == sent["Id"] and i["Content"] == "   " for i in items)  # it stays in the chat

    class Ended(NoContacts):
        """A chat whose contact ended between the service's look and its send."""

        def __init__(self) -> None:
            self.contacts = {"x": type("C", (), {"state": "ivr"})()}

        def send_input(self, contact_id: str, raw: str) -> None:
            raise InputError("call x is ended: it takes no more input")

    service = ParticipantService(Ended(), throttle=False)  # type: ignore[arg-type]
    session, connection = connected(service)
    service._by_contact["x"] = session
    session.contact_id = "x"
    answer = service.call(
        "SendMessage", {"ConnectionToken": connection, "ContentType": "text/plain", "Content": "네"}
    )
    assert answer["Id"] in [i["Id"] for i in session.items]


def test_a_participant_who_left_is_no_participant(
    chat: tuple[dict[str, Any], str], participant: Any, local_server: Any
) -> None:
    started, token = chat
    participant.disconnect_participant(ConnectionToken=token)
    for call, params in (
        (
            participant.create_participant_connection,
            {"Type": ["CONNECTION_CREDENTIALS"], "ParticipantToken": started["ParticipantToken"]},
        ),
        (participant.disconnect_participant, {"ConnectionToken": token}),
        (participant.send_message, {"ConnectionToken": token, "ContentType": "text/plain", "Content": "네"}),
    ):
        with pytest.raises(ClientError) as denied:
            call(**params)
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    items = transcript(participant, token)  # the customer may still read it
    assert [i["ContentType"] for i in items if i["ParticipantRole"] == "CUSTOMER"].count(LEFT) == 1
    assert items[-1]["ContentType"] == ENDED


def test_a_request_without_its_bearer_token_is_the_models_validation_error(local_server: Any) -> None:
    request = urllib.request.Request(
        f"{local_server.connect_endpoint}/participant/transcript",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    assert refused.value.headers["x-amzn-ErrorType"] == "ValidationException"


def test_ended_sessions_are_forgotten_after_keep_ended() -> None:
    center = NoContacts()
    center.keep_ended = 0.0
    service = ParticipantService(center, throttle=False)  # type: ignore[arg-type]
    session, token = connected(service)
    service.chat_ended(type("C", (), {"contact_id": session.contact_id})(), datetime.now(UTC))  # type: ignore[arg-type]
    assert session.items[-1]["ContentType"] == ENDED
    time.sleep(0.01)
    service.prune()
    assert service.of_contact(session.contact_id) is None and not service.sessions
    with pytest.raises(ConnectError) as gone:
        service.call("GetTranscript", {"ConnectionToken": token})
    assert gone.value.code == "AccessDeniedException"


def test_start_position_absolute_time_is_a_time_not_a_string() -> None:
    items = [
        {"Id": str(n), "AbsoluteTime": f"2026-11-25T0{n}:00:00.000Z"} for n in range(3)
    ]  # 00:00, 01:00, 02:00 UTC
    page, _ = transcript_page(
        items, {"StartPosition": {"AbsoluteTime": "2026-11-25T10:00:00+09:00"}, "SortOrder": "ASCENDING"}
    )  # 10:00 in Seoul is 01:00 UTC
    assert [i["Id"] for i in page] == ["1", "2"]
    with pytest.raises(ConnectError):
        transcript_page(items, {"StartPosition": {"AbsoluteTime": "yesterday"}})


# ---- StartChatContact under concurrency, StopContact -----------------------------------------


def test_concurrent_starts_keep_the_token_and_the_active_chats_limit(
    start: Any, connect: Any, local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = running(local_server)
    place = app.center.place

    def slow_place(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)  # a chat takes a while to start: every request is in flight at once
        return place(*args, **kwargs)

    monkeypatch.setattr(app.center, "place", slow_place)
    token = str(uuid.uuid4())
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: app.emulator.call("StartChatContact", params(ClientToken=token)), range(4))
        )
    assert len({a["ContactId"] for a in answers}) == 1
    app.center.hang_up(answers[0]["ContactId"])
    wait_for(lambda: app.center.get(answers[0]["ContactId"]).state == "ended")
    active = sum(1 for c in list(app.center.contacts.values()) if c.channel == "CHAT" and c.state != "ended")
    monkeypatch.setattr(connect_emulator, "MAX_ACTIVE_CHATS", active + 2)

    def one(_: int) -> str:
        try:
            return str(app.emulator.call("StartChatContact", params())["ContactId"])
        except ConnectError as exc:
            return exc.code

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(6)))
    assert results.count("LimitExceededException") == 4, results
    for contact_id in results:
        if contact_id != "LimitExceededException":
            app.center.hang_up(contact_id)


def test_a_chat_that_does_not_start_leaves_no_session(
    local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = running(local_server)
    before = dict(app.emulator.chats.sessions)

    def refuse(*_: Any, **__: Any) -> Any:
        raise InputError("no flow 'x' to start the contact in")

    monkeypatch.setattr(app.center, "place", refuse)
    with pytest.raises(ConnectError) as refused:
        app.emulator.call("StartChatContact", params(ClientToken=str(uuid.uuid4())))
    assert refused.value.code == "InvalidParameterException"
    assert app.emulator.chats.sessions.keys() == before.keys()
    assert app.emulator.chats_starting == 0


def test_stop_contact_ends_a_chat(start: Any, connect: Any, participant: Any, local_server: Any) -> None:
    started = start()
    token = token_of(participant, started)
    connect.stop_contact(ContactId=started["ContactId"], InstanceId=INSTANCE)
    wait_for(lambda: transcript(participant, token)[-1]["ContentType"] == ENDED)
    with pytest.raises(ClientError) as over:
        connect.stop_contact(ContactId=started["ContactId"], InstanceId=INSTANCE)
    assert over.value.response["Error"]["Code"] == "ContactNotFoundException"


def params(**extra: Any) -> dict[str, Any]:
    return {
        "InstanceId": INSTANCE,
        "ContactFlowId": "customer_authentication",
        "ParticipantDetails": {"DisplayName": "김민준"},
        CONTACT_TIME_HEADER: WEEKDAY,
        **extra,
    }


# ---- routing by channel ----------------------------------------------------------------------


def waiting(contact_id: str, queue_key: str, channel: str) -> LiveContact:
    contact = LiveContact(contact_id, "김민준", 1.0, state="queued", queue_key=queue_key, channel=channel)
    contact.queued_at = time.monotonic() - 5
    return contact


def test_agents_take_chats_up_to_their_profiles_concurrency(local_server: Any) -> None:
    app = running(local_server)
    center, emulator = app.center, app.emulator
    user = dict(next(u for u in emulator.users.values() if u["RoutingProfileId"] == "general_agent"))
    profile = emulator.routing_profiles["general_agent"]
    chats = dict(
        profile["MediaConcurrencies"]
        and {m["Channel"]: m["Concurrency"] for m in profile["MediaConcurrencies"]}
    )
    assert chats["VOICE"] == 1 and 1 < chats["CHAT"] <= 10  # routing_profiles.yaml media
    user["Id"] = "u-routing-test"  # no live work of a real agent
    chat, call = waiting("c-chat", "general_customer", "CHAT"), waiting("c-call", "general_customer", "VOICE")
    try:
        assert center.room(user) == {"VOICE": 1, "CHAT": chats["CHAT"]}
        for n in range(chats["CHAT"]):
            center.work.setdefault(user["Id"], {})[f"c{n}"] = Activity(
                f"c{n}", "CONNECTED", datetime.now(UTC), datetime.now(UTC), "general_customer", 1e12, "CHAT"
            )
            left = chats["CHAT"] - n - 1
            assert center.room(user) == {"CHAT": left}  # no call while chatting (current channel only)
            assert center._pick(user, [call, chat], center.room(user)) is (chat if left else None)
        center.work[user["Id"]] = {
            "v": Activity("v", "CONNECTED", datetime.now(UTC), datetime.now(UTC), "general_customer", 1e12)
        }
        assert center._pick(user, [chat, call], center.room(user)) is None  # on a call: nothing else
    finally:
        center.work.pop(user["Id"], None)


def test_a_voice_only_agent_never_gets_a_chat(local_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = running(local_server)
    center, emulator = app.center, app.emulator
    voice_only = {
        **emulator.routing_profiles["general_agent"],
        "MediaConcurrencies": [{"Channel": "VOICE", "Concurrency": 1}],
    }
    monkeypatch.setitem(emulator.routing_profiles, "voice_only", voice_only)
    monkeypatch.setitem(
        emulator.profile_queues,
        "voice_only",
        [c for c in emulator.profile_queues["general_agent"] if c["Channel"] == "VOICE"],
    )
    user = {"Id": "u-voice-only", "RoutingProfileId": "voice_only", "Username": "voice.only"}
    chat, call = waiting("c-chat", "general_customer", "CHAT"), waiting("c-call", "general_customer", "VOICE")
    assert center._pick(user, [chat], center.room(user)) is None
    assert center._pick(user, [chat, call], center.room(user)) is call
