"""The boto3 clients give up inside the 3 s every flow allows its Lambda (InvocationTimeLimitSeconds)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from helpers import REGION

from aicc.adapters import aws

FLOW_LIMIT_SECONDS = 3.0
# Standard mode's largest backoff before a retry after a timeout or 5xx (SNS; DynamoDB's is 25 ms).
MAX_BACKOFF_SECONDS = 0.05


@pytest.fixture
def silent_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[socket.socket]]:
    """A local endpoint that accepts connections and never answers; yields the accepted connections."""
    for key in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL") or k == "AWS_PROFILE"]:
        monkeypatch.delenv(key)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{server.getsockname()[1]}")
    aws.reset()
    try:
        yield accepted
    finally:
        aws.reset()
        done.set()
        thread.join()
        server.close()
        for conn in accepted:
            conn.close()


@pytest.mark.parametrize("client", [aws.dynamodb, aws.sns], ids=["dynamodb", "sns"])
def test_worst_case_per_call_is_under_the_flow_limit(
    client: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws.reset()
    config = client().meta.config
    attempts = config.retries["total_max_attempts"]
    assert (config.retries["mode"], attempts) == ("standard", 2)  # the first try and one retry
    worst = attempts * (config.connect_timeout + config.read_timeout) + (attempts - 1) * MAX_BACKOFF_SECONDS
    assert worst < FLOW_LIMIT_SECONDS
    aws.reset()


def test_a_silent_dynamodb_is_tried_twice_then_fails_inside_the_flow_limit(
    silent_endpoint: list[socket.socket],
) -> None:
    start = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        aws.dynamodb().get_item(TableName="agents", Key={"login": {"S": "ts.park"}})
    elapsed = time.monotonic() - start
    assert len(silent_endpoint) == 2  # the first try and one retry, each on a fresh connection
    assert elapsed < FLOW_LIMIT_SECONDS
