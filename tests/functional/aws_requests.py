"""The AWS requests the handlers' own clients send (aicc.adapters.aws), in order, for tests that
pin how many a handler needs: each one is latency a caller waits through in AWS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aicc.adapters import aws


class Requests(list[str]):
    """Operation names ("UpdateItem", "Publish"...) of every request sent, retries too; `params`
    holds each API call's parameters, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.params: list[tuple[str, dict[str, Any]]] = []


@contextmanager
def handler_requests() -> Iterator[Requests]:
    """The requests the handlers' clients send meanwhile."""
    sent = Requests()

    def record(event_name: str, **_: Any) -> None:
        sent.append(event_name.rsplit(".", 1)[1])

    def called(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent.params.append((model.name, dict(params)))

    clients = [aws.dynamodb(), aws.knowledge_dynamodb(), aws.sns()]
    for client in clients:
        client.meta.events.register("before-send", record)
        client.meta.events.register("before-parameter-build", called)
    try:
        yield sent
    finally:
        for client in clients:
            client.meta.events.unregister("before-send", record)
            client.meta.events.unregister("before-parameter-build", called)
