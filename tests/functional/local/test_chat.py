"""Chats on the local stack through boto3's own clients: StartChatContact (connect) and the
Participant Service (connectparticipant), on the wire protocol of botocore's models, through the
real flows, with the modelled errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import prompt_opening

from aicc_ops.local.chat import ENDED, JOINED, ParticipantService
from aicc_ops.local.connect_emulator import CONTACT_TIME_HEADER
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


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


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
    for text in ("솔트웨어", "김민준입니다", "1234"):  # the Lex turns take the customer's text
        sent = participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=text)
        assert sent["Id"] and sent["AbsoluteTime"].endswith("Z")
        wait_for(lambda: contact.state != "ivr" and len(contact.steps) > 1 and contact.steps[-1].ended > 0)
    wait_for(lambda: contact.state in ("queued", "connected", "ended"))
    result = contact.result
    assert result is not None and "MSP Customer" in result.flows
    # The MSP menu is a keypad block: on chat it takes its error branch (block-support-by-channel).
    menus = [s for s in result.steps if s.type == "GetParticipantInput"]
    assert menus and all(s.outcome == "error:NoMatchingError" and "CHAT" in s.detail for s in menus)
    wait_for(lambda: any(i["ContentType"] == JOINED for i in transcript(participant, token)[1:]))
    items = transcript(participant, token)
    customer = [i["Content"] for i in items if i["ParticipantRole"] == "CUSTOMER" and i["Type"] == "MESSAGE"]
    assert customer == ["솔트웨어", "김민준입니다", "1234"]
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
    assert "ContinuedFromContactId" not in first
    running(local_server).center.hang_up(first["ContactId"])


def test_the_participant_service_throttles_at_its_documented_rate() -> None:
    """GetTranscript: 8 requests per second, burst 12, per instance (chat.PARTICIPANT_QUOTAS)."""

    class NoContacts:
        def __init__(self) -> None:
            self.contacts: dict[str, Any] = {}

    service = ParticipantService(NoContacts())
    session = service.prepare("김민준", 60)
    token = service.call(
        "CreateParticipantConnection",
        {"ParticipantToken": session.participant_token, "Type": ["CONNECTION_CREDENTIALS"]},
    )["ConnectionCredentials"]["ConnectionToken"]
    answered = 0
    with pytest.raises(Exception) as throttled:
        for _ in range(50):
            service.call("GetTranscript", {"ConnectionToken": token})
            answered += 1
    assert getattr(throttled.value, "code", "") == "ThrottlingException"
    assert 12 <= answered < 50  # the burst, and the little the rate refilled meanwhile
    unthrottled = ParticipantService(NoContacts(), throttle=False)
    session = unthrottled.prepare("김민준", 60)
    token = unthrottled.call(
        "CreateParticipantConnection",
        {"ParticipantToken": session.participant_token, "Type": ["CONNECTION_CREDENTIALS"]},
    )["ConnectionCredentials"]["ConnectionToken"]
    for _ in range(50):
        unthrottled.call("GetTranscript", {"ConnectionToken": token})
