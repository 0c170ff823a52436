"""The chat scenario's calls (loadtest/aicc_load/chat_api.py) against botocore's Stubber: a chat
lasts the model's shortest duration, a chat the customer could not leave is stopped, a failed
leave is recorded, and the pacer's waits do not count in a step's timeout.

The module is loaded from its file: pytest never imports Locust (see test_loadtest_profiles.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

CHAT_API_FILE = Path(__file__).resolve().parents[2] / "loadtest" / "aicc_load" / "chat_api.py"
INSTANCE, FLOW, CONTACT = "inst-1", "flow-1", "contact-1"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aicc_load_chat_api", CHAT_API_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


chat_api = _load()


class NoWait:
    """A pacer that says it waited `waited` seconds for GetTranscript, without waiting."""

    def __init__(self, waited: float = 0.0) -> None:
        self.waited = waited
        self.asked: list[str] = []

    def wait(self, operation: str) -> float:
        self.asked.append(operation)
        return self.waited if operation == "GetTranscript" else 0.0


def _clients() -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {
        "region_name": "ap-northeast-2",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("connect", **kwargs), boto3.client("connectparticipant", **kwargs)


def test_a_chat_lasts_the_shortest_duration_and_is_left() -> None:
    connect, participant = _clients()
    with Stubber(connect) as c, Stubber(participant) as p:
        c.add_response(
            "start_chat_contact",
            {"ContactId": CONTACT, "ParticipantId": "p-1", "ParticipantToken": "pt-1"},
            {
                "InstanceId": INSTANCE,
                "ContactFlowId": FLOW,
                "ParticipantDetails": {"DisplayName": "고객 5678"},
                "ClientToken": ANY,
                "ChatDurationInMinutes": 60,  # the model's minimum
            },
        )
        p.add_response(
            "create_participant_connection", {"ConnectionCredentials": {"ConnectionToken": "ct-1"}}
        )
        p.add_response("disconnect_participant", {}, {"ConnectionToken": "ct-1"})
        pace = NoWait()
        failures: list[str] = []
        api = chat_api.ChatApi(connect, participant, pace, INSTANCE, FLOW)
        api.run("고객 5678", lambda contact, token: None, failures.append, failures.append)
        c.assert_no_pending_responses()
        p.assert_no_pending_responses()
    assert failures == [] and "DisconnectParticipant" in pace.asked  # the leave is paced too


@pytest.mark.parametrize("failing", ["create_participant_connection", "converse", "disconnect_participant"])
def test_a_chat_that_fails_after_its_start_is_stopped(failing: str) -> None:
    connect, participant = _clients()
    with Stubber(connect) as c, Stubber(participant) as p:
        c.add_response(
            "start_chat_contact", {"ContactId": CONTACT, "ParticipantId": "p", "ParticipantToken": "pt"}
        )
        if failing == "create_participant_connection":
            p.add_client_error("create_participant_connection", "ThrottlingException", http_status_code=429)
        else:
            p.add_response(
                "create_participant_connection", {"ConnectionCredentials": {"ConnectionToken": "ct"}}
            )
        if failing == "converse":
            p.add_client_error("get_transcript", "InternalServerException", http_status_code=500)
        if failing == "disconnect_participant":
            p.add_client_error("disconnect_participant", "ThrottlingException", http_status_code=429)
        c.add_response("stop_contact", {}, {"ContactId": CONTACT, "InstanceId": INSTANCE})
        failures: list[str] = []
        api = chat_api.ChatApi(connect, participant, NoWait(), INSTANCE, FLOW)

        def converse(contact: str, token: str) -> None:
            if failing == "converse":
                api.read(token)

        api.run("고객", converse, failures.append, failures.append)
        c.assert_no_pending_responses()  # StopContact was called
    assert len(failures) == 1
    if failing == "disconnect_participant":
        assert failures[0].startswith("leave (DisconnectParticipant)")  # recorded, not swallowed


def test_a_chat_the_flows_ended_before_the_customer_connected_is_over() -> None:
    connect, participant = _clients()
    with Stubber(connect) as c, Stubber(participant) as p:
        c.add_response(
            "start_chat_contact", {"ContactId": CONTACT, "ParticipantId": "p", "ParticipantToken": "pt"}
        )
        p.add_client_error("create_participant_connection", "AccessDeniedException", http_status_code=403)
        failures: list[str] = []
        conversed: list[str] = []
        chat_api.ChatApi(connect, participant, NoWait(), INSTANCE, FLOW).run(
            "고객", lambda contact, token: conversed.append(token), failures.append, failures.append
        )
        c.assert_no_pending_responses()  # no StopContact: nothing to stop
    assert failures == [] and conversed == []


def test_a_leave_after_the_chat_ended_is_no_failure() -> None:
    connect, participant = _clients()
    with Stubber(participant) as p:
        p.add_client_error("disconnect_participant", "AccessDeniedException", http_status_code=403)
        failures: list[str] = []
        assert chat_api.ChatApi(connect, participant, NoWait(), INSTANCE, FLOW).leave("ct", failures.append)
    assert failures == []


def test_the_pacers_waits_do_not_count_in_the_step_timeout() -> None:
    """Each read waits (as the pacer says) longer than the whole timeout: the flows' message on
    the third read still counts as in time."""
    connect, participant = _clients()
    joined = {"Id": "1", "Type": "EVENT", "ParticipantRole": "CUSTOMER", "ContentType": "joined"}
    said = {"Id": "2", "Type": "MESSAGE", "ParticipantRole": "SYSTEM", "Content": "안녕하세요"}
    with Stubber(participant) as p:
        p.add_response("get_transcript", {"Transcript": [joined]})
        p.add_response("get_transcript", {"Transcript": [joined]})
        p.add_response("get_transcript", {"Transcript": [joined, said]})
        api = chat_api.ChatApi(connect, participant, SlowPacer(0.05), INSTANCE, FLOW)
        got = api.until_flows_answer("ct", 1, timeout_s=0.04, sleep=lambda s: None)
    assert got is not None and got[-1]["Content"] == "안녕하세요"


class SlowPacer(NoWait):
    """A pacer that really waits, as one does when the quota is spent."""

    def wait(self, operation: str) -> float:
        import time

        time.sleep(self.waited)
        return self.waited


def test_the_chats_end_answers_the_customer_but_its_own_items_do_not() -> None:
    assert chat_api.answers_customer(
        {"ParticipantRole": "SYSTEM", "Type": "EVENT", "ContentType": chat_api.ENDED}
    )
    assert chat_api.answers_customer({"ParticipantRole": "SYSTEM", "Type": "MESSAGE"})
    assert not chat_api.answers_customer(
        {"ParticipantRole": "SYSTEM", "Type": "EVENT", "ContentType": "typing"}
    )
    assert not chat_api.answers_customer({"ParticipantRole": "CUSTOMER", "Type": "MESSAGE"})
