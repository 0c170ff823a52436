"""The AWS requests the handlers' own clients send (aicc.adapters.aws), in order, for tests that
pin how many a handler needs: each one is latency a caller waits through in AWS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aicc.adapters import aws


@contextmanager
def handler_requests() -> Iterator[list[str]]:
    """Operation names ("UpdateItem", "Publish"...) of every request sent meanwhile, retries too."""
    sent: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        sent.append(event_name.rsplit(".", 1)[1])

    clients = [aws.dynamodb(), aws.sns()]
    for client in clients:
        client.meta.events.register("before-send", record)
    try:
        yield sent
    finally:
        for client in clients:
            client.meta.events.unregister("before-send", record)
