"""Live calls through the call API under load: flow steps timed by the server, answers that wait
for a step, callers admitted as a carrier admits them (ringing, never reset), a burst of callers
dialling at the same moment."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import prompt

from aicc_ops.local.call_client import CallClient
from aicc_ops.local.server import serve

WEEKDAY = "2026-11-25T10:00:00+09:00"  # business hours: the flows ask for the company first


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server whose callers are waited for long enough that a test never races the input wait."""
    with serve(tmp_path_factory.mktemp("live"), input_seconds=60, talk_seconds=1, acw_seconds=0.2) as info:
        yield info


@pytest.fixture
def client(server: Any) -> Iterator[CallClient]:
    client = CallClient(server.calls_endpoint)
    yield client
    for call in client.calls():
        if call["state"] != "ended":
            client.hang_up(call["contact_id"])
    client.close()


def test_an_answer_waits_for_the_step_and_the_call_shows_each_step_timed(client: CallClient) -> None:
    call = client.request("POST", "/calls", {"caller": "+821012345678", "at": WEEKDAY, "wait_step": True})

    assert call["state"] == "waiting_input" and call["prompt"] == prompt("auth_company")
    [answer] = call["steps"]
    assert answer["cause"] == "answer" and answer["until"] == "waiting_input" and answer["ms"] >= 0
    assert call["answered_at"] >= call["arrived_at"]

    after = client.request(
        "POST", f"/calls/{call['contact_id']}/input", {"input": "say:솔트웨어", "wait_step": True}
    )

    assert after["state"] == "waiting_input" and after["prompt"] == prompt("auth_contact")
    assert [s["cause"] for s in after["steps"]] == ["answer", "input"]
    step = after["steps"][1]
    assert step["input"] == "say:솔트웨어" and step["until"] == "waiting_input" and step["ms"] >= 0
    assert datetime.fromisoformat(step["started_at"]) >= datetime.fromisoformat(answer["started_at"])
    assert after["lambda_errors"] == 0


def test_without_wait_step_an_input_is_accepted_at_once(client: CallClient) -> None:
    call = client.request("POST", "/calls", {"caller": "+821012345678", "at": WEEKDAY, "wait_step": True})

    accepted = client.send_input(call["contact_id"], "say:솔트웨어")

    assert accepted["contact_id"] == call["contact_id"]  # 202 before the flows took it, as before
    assert client.get(call["contact_id"])["steps"][0]["cause"] == "answer"


def test_the_last_step_ends_where_the_flows_leave_the_caller(client: CallClient) -> None:
    """A caller who asks for an agent: the step ends with the call in its queue."""
    call = client.request(
        "POST", "/calls", {"caller": "+821099990000", "at": WEEKDAY, "wait_step": True, "inputs": []}
    )
    call = client.request(
        "POST", f"/calls/{call['contact_id']}/input", {"input": "say:상담원 연결해주세요", "wait_step": True}
    )

    assert call["state"] in ("queued", "connected")
    assert call["steps"][-1]["until"] == "queued" and call["steps"][-1]["ms"] is not None


def test_a_poll_may_leave_the_transcript_out(client: CallClient) -> None:
    """A caller waiting in a queue polls its state every half second: the transcript, which grows
    with the call, is left out when not asked for."""
    call = client.request("POST", "/calls", {"caller": "+821012345678", "at": WEEKDAY, "wait_step": True})

    whole, light = client.get(call["contact_id"]), client.get(call["contact_id"], transcript=False)

    assert whole["call"]["prompts"] and "call" not in light
    assert {k: v for k, v in whole.items() if k not in ("call", "waited_seconds")} == {
        k: v for k, v in light.items() if k != "waited_seconds"
    }
    status, answer = raw(client, "GET", f"/calls/{call['contact_id']}?transcript=no", {})
    assert status == 400 and "transcript=no: true or false" in answer["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"wait_step": "yes"}, '"wait_step" is true or false'),
        ({"wait_step": True, "timeout": 0}, '"timeout" is a number of seconds'),
    ],
)
def test_a_bad_wait_is_refused(client: CallClient, body: dict[str, Any], message: str) -> None:
    status, answer = raw(client, "POST", "/calls", {"caller": "+821012345678", **body})
    assert status == 400 and message in answer["error"]


def raw(client: CallClient, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(client._host, client._port, timeout=30)
    try:
        conn.request(method, path, json.dumps(body).encode(), {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_callers_beyond_the_answer_rate_ring_and_may_hang_up_unanswered(tmp_path: Path) -> None:
    # One call answered in 1,000 s: the second caller rings for as long as the test runs.
    with serve(tmp_path, answer_rate=0.001) as info:
        client = CallClient(info.calls_endpoint)
        first = client.place("+821012345678", at=WEEKDAY)
        second = client.place("+821023456789", at=WEEKDAY)

        assert first["state"] != "ringing" and first["answered_at"]
        assert second["state"] == "ringing" and second["answered_at"] is None
        status = client.status()
        assert status["calls"]["ringing"] == 1 and status["admission"]["answer_rate"] == 0.001

        gone = client.hang_up(second["contact_id"])

        assert gone["state"] == "ended" and gone["end_reason"] == "caller hung up"
        later = client.get(second["contact_id"])
        assert later["answered_at"] is None and later["steps"] == []
        client.hang_up(first["contact_id"])
        client.close()


def test_a_burst_of_callers_dialling_at_the_same_moment_is_taken_whole(tmp_path: Path) -> None:
    """300 connections open and POST /calls at once: every one is accepted (the listen backlog
    holds them; Python's default of 5 resets most), the calls beyond the answer rate ring."""
    callers = 300
    with serve(tmp_path) as info:
        client = CallClient(info.calls_endpoint)
        start = threading.Barrier(callers)
        answers: list[tuple[int, str]] = []

        def dial(n: int) -> None:
            conn = http.client.HTTPConnection(client._host, client._port, timeout=120)
            start.wait()
            try:
                conn.request(
                    "POST", "/calls", json.dumps({"caller": f"+8210{n:08d}", "at": WEEKDAY}).encode()
                )
                response = conn.getresponse()
                answers.append((response.status, json.loads(response.read())["state"]))
            except OSError as exc:
                answers.append((0, type(exc).__name__))
            finally:
                conn.close()

        threads = [threading.Thread(target=dial, args=(n,)) for n in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)

        assert len(answers) == callers and {status for status, _ in answers} == {201}, answers[:5]
        assert "ringing" in {state for _, state in answers}  # more than the answer rate at once
        for call in client.calls():
            client.hang_up(call["contact_id"])
        client.close()
