"""moto in this process as the AWS endpoint: the same boto3 code, without HTTP.

Every client of boto3's default session created while `moto_in_process()` is active sends its
requests to moto's request dispatcher instead of a socket: moto takes the place of the HTTP
connection (the client's `http_session`), not of a botocore event hook. So a request is served
only when it would reach the endpoint: a `before-send` hook that answers first (the throttling a
drill injects, engine.lambdas) keeps it from moto, as it keeps it from the wire. moto's own mock
(`mock_aws`) answers `before-send` too, and botocore calls every `before-send` handler, so a
throttled write would still be applied there.

moto's state is global to the process (as it is for a moto server in this process): tables live
until the process ends or moto is reset.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders

# Recorded as LocalStack.endpoint when moto runs in this process.
IN_PROCESS = "moto:in-process"
# Settings that would send a client elsewhere: AWS_ENDPOINT_URL(_<SERVICE>) and a named profile.
_ELSEWHERE = ("AWS_ENDPOINT_URL", "AWS_PROFILE")


class _MotoFirst:
    """What an endpoint sends a prepared request with (botocore's `http_session` interface): moto
    answers the AWS URLs it serves; any other URL (a Connect emulator a test or the server puts in
    AWS_ENDPOINT_URL_CONNECT) goes over the network as before."""

    def __init__(self, network: Any) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        self._moto = BotocoreStubber()  # moto's dispatcher of a request to its backends (mock_aws's)
        self._network = network

    def send(self, request: AWSPreparedRequest) -> AWSResponse:
        from moto.core.botocore_stubber import MockRawResponse

        answer = self._moto.process_request(request)
        if answer is None:
            response: AWSResponse = self._network.send(request)
            return response
        status, headers, body = answer
        # AWSResponse copies any mapping into its HeadersDict: no need to build an HTTPHeaders.
        return AWSResponse(request.url, status, cast("HTTPHeaders", headers), MockRawResponse(body))

    def close(self) -> None:
        self._network.close()


class _ServedByMoto:
    """Mixin of the client classes created meanwhile: the client's endpoint sends through moto."""

    _endpoint: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._endpoint.http_session = _MotoFirst(self._endpoint.http_session)


def _add_mixin(base_classes: list[type], **_: Any) -> None:
    if _ServedByMoto not in base_classes:
        base_classes.insert(0, _ServedByMoto)


class _Registration:
    """The mixin's hook on the default session, registered while any moto_in_process() is open (a
    stack may start inside another: a test's, a drill's)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0

    def enter(self, events: Any) -> None:
        with self.lock:
            if not self.open:
                events.register("creating-client-class", _add_mixin)
            self.open += 1

    def leave(self, events: Any) -> None:
        with self.lock:
            self.open -= 1
            if not self.open:
                events.unregister("creating-client-class", _add_mixin)


_registration = _Registration()


@contextmanager
def moto_in_process() -> Iterator[str]:
    """moto as the endpoint of the clients the default boto3 session creates meanwhile; yields
    IN_PROCESS. Endpoint URLs and profiles are removed from the environment meanwhile (clients go
    to AWS's own URLs, which moto serves) and restored after. moto is the local stack's moto (with
    moto_extensions), as a moto server of the local stack is."""
    import boto3

    from .moto_extensions import patch_moto

    patch_moto()
    saved = {k: v for k, v in os.environ.items() if k.startswith(_ELSEWHERE)}
    for key in saved:
        del os.environ[key]
    events = boto3._get_default_session().events
    _registration.enter(events)
    try:
        yield IN_PROCESS
    finally:
        _registration.leave(events)
        os.environ.update(saved)
