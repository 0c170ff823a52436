"""The local stack's HTTP serving: connections kept alive, and a WSGI application (moto's) served
over them as PEP 3333 says."""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.validate import validator

import pytest
from helpers import REGION

from aicc_ops.local.aws_process import moto_application, moto_process
from aicc_ops.local.http_serving import Listener, WsgiHandler

DYNAMODB_AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20261206/ap-northeast-2/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


@contextmanager
def serving(
    app: Callable[..., Iterable[bytes]], validate: bool = True, listener: type[Listener] = Listener
) -> Iterator[http.client.HTTPConnection]:
    """`app` served by WsgiHandler (checked by wsgiref's PEP 3333 validator unless told not to) on
    a free port, and a client connection to it."""
    handler = type("Handler", (WsgiHandler,), {"app": staticmethod(validator(app) if validate else app)})
    server = listener(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        yield connection
    finally:
        connection.close()
        server.shutdown()
        server.server_close()


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """What the application was given, as JSON."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "raw": environ["RAW_URI"],
        "type": environ.get("CONTENT_TYPE"),
        "target": environ.get("HTTP_X_AMZ_TARGET"),
        "body": body.decode("utf-8"),
    }
    payload = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def ask(
    connection: http.client.HTTPConnection, method: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, str], bytes]:
    connection.request(method, path, **kwargs)
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_the_aws_endpoint_keeps_a_connection_for_the_next_request() -> None:
    """moto's own server (werkzeug) answered every request with Connection: close, so each of a
    Lambda's DynamoDB requests opened a connection, and the endpoint a thread."""
    with moto_process() as aws:
        host, port = aws.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": DYNAMODB_AUTH,
        }
        sockets = []
        for _ in range(3):
            status, answer, body = ask(connection, "POST", "/", body=b"{}", headers=headers)
            assert status == 200 and json.loads(body) == {"TableNames": []}
            assert answer.get("connection", "").lower() != "close"
            sockets.append(connection.sock)
        connection.close()
    assert sockets[0] is not None and all(s is sockets[0] for s in sockets)


def test_the_endpoint_looks_up_a_hosts_service_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's dispatcher listed its package folder on every request to find the service."""
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    app = moto_application()
    hosts = ["dynamodb", "sns", f"dynamodb.{REGION}.amazonaws.com", "s3.amazonaws.com", "nowhere.example"]
    expected = [DomainDispatcherApplication.get_backend_for_host(app, host) for host in hosts]
    listed: list[int] = []
    listing = backends.list_of_moto_modules
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: listed.append(1) or listing())
    assert [app.get_backend_for_host(host) for host in hosts] == expected
    assert expected[:4] == ["dynamodb", "sns", "dynamodb", "s3"] and len(listed) == len(hosts)
    assert [app.get_backend_for_host(host) for host in hosts] == expected
    assert len(listed) == len(hosts) + 1  # only the host no service answers is looked up again


def test_requests_follow_one_another_on_one_connection() -> None:
    with serving(echo) as connection:
        first = ask(
            connection,
            "POST",
            "/a%20b/c?x=1&y=%2F",
            body=b'{"k": "v"}',
            headers={"Content-Type": "application/json"},
        )
        second = ask(connection, "GET", "/next")
        sock = connection.sock
        third = ask(connection, "DELETE", "/last", headers={"X-Amz-Target": "One", "x-amz-target": "Two"})
        assert connection.sock is sock
    assert first[0] == 200 and json.loads(first[2]) == {
        "method": "POST",
        "path": "/a b/c",
        "query": "x=1&y=%2F",
        "raw": "/a%20b/c?x=1&y=%2F",
        "type": "application/json",
        "target": None,
        "body": '{"k": "v"}',
    }
    assert json.loads(second[2])["path"] == "/next" and json.loads(second[2])["body"] == ""
    assert json.loads(third[2])["target"] == "One,Two"  # repeated headers joined, as CGI does


def test_a_chunked_body_reaches_the_application_whole() -> None:
    """The Go SDK behind Terraform's AWS provider sends some bodies chunked."""
    with serving(echo) as connection:
        connection.putrequest("PUT", "/bucket/key")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for chunk in (b"hello ", b"chunked ", b"world"):
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.send(b"0\r\nX-Trailer: 1\r\n\r\n")
        response = connection.getresponse()
        seen = json.loads(response.read())
        status, _, again = ask(connection, "GET", "/after")  # the connection is still in step
    assert seen["body"] == "hello chunked world" and seen["method"] == "PUT"
    assert status == 200 and json.loads(again)["path"] == "/after"


def test_the_answer_carries_its_length_and_a_head_answer_no_body() -> None:
    def streamed(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("201 Created", [("Content-Type", "text/plain"), ("Connection", "close")])
        yield b"part one, "
        yield b"part two"

    with serving(streamed) as connection:
        status, headers, body = ask(connection, "GET", "/")
        assert (status, body) == (201, b"part one, part two")
        assert headers["content-length"] == str(len(body))
        assert "close" not in headers.get("connection", "")  # the server frames the answer itself
        status, headers, body = ask(connection, "HEAD", "/")
        assert (status, body, headers["content-length"]) == (201, b"", "18")


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
def test_an_answer_without_a_body_sends_none_and_the_connection_serves_on(status: str) -> None:
    def stray(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/gone":  # a body the status allows none of (RFC 9110, 6.4.1)
            start_response(status, [("Content-Type", "text/plain")])
            return [b"stray bytes"]
        return echo(environ, start_response)

    with serving(stray, validate=False) as connection:  # the validator refuses such an application
        code, headers, body = ask(connection, "DELETE", "/gone")
        assert (code, body) == (int(status[:3]), b"") and "content-length" not in headers
        code, _, body = ask(connection, "GET", "/next")  # read from where the last answer ended
        assert code == 200 and json.loads(body)["path"] == "/next"


def test_an_answer_leaves_in_one_send() -> None:
    """Head and body written apart were two sends, and on loopback each wakes the reader once."""
    sends: list[int] = []

    class Counted(socket.socket):
        def send(self, data: Any, *args: Any) -> int:
            sends.append(len(data))
            return super().send(data, *args)

        def sendall(self, data: Any, *args: Any) -> None:
            sends.append(len(data))
            super().sendall(data, *args)

    class CountingListener(Listener):
        def get_request(self) -> tuple[Any, Any]:
            connection, address = super().get_request()
            return Counted(connection.family, connection.type, connection.proto, connection.detach()), address

    with serving(echo, listener=CountingListener) as connection:
        for path in ("/one", "/two"):
            status, _, body = ask(connection, "POST", path, body=b"x" * 3000)
            assert status == 200 and json.loads(body)["path"] == path
    assert len(sends) == 2, sends


def test_a_client_that_expects_100_continue_is_told_to_send_its_body() -> None:
    """botocore (S3 uploads) and Terraform's Go SDK send the body only after the interim answer."""
    with serving(echo) as connection:
        connection.putrequest("PUT", "/upload")
        connection.putheader("Content-Length", "4")
        connection.putheader("Expect", "100-continue")
        connection.endheaders()
        assert connection.sock is not None
        connection.sock.settimeout(5)  # the old serving held the 100 back: no answer until the body
        interim = connection.sock.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100 "), interim
        connection.send(b"body")
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["body"] == "body"


def test_an_application_error_is_a_500_and_the_connection_serves_on() -> None:
    def failing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("the backend broke")
        return echo(environ, start_response)

    with serving(failing) as connection:
        status, _, body = ask(connection, "GET", "/boom")
        assert status == 500 and b"RuntimeError: the backend broke" in body
        status, _, body = ask(connection, "GET", "/fine")
        assert status == 200 and json.loads(body)["path"] == "/fine"


@pytest.mark.parametrize("size", [0, 1, 70_000])
def test_bodies_of_any_size_round_trip(size: int) -> None:
    payload = ("가" * size).encode()
    with serving(echo) as connection:
        status, _, body = ask(connection, "POST", "/", body=payload)
    assert status == 200 and json.loads(body)["body"] == payload.decode()


def test_an_error_page_started_after_the_answer_replaces_it() -> None:
    """PEP 3333: until the headers are out, start_response with exc_info replaces the answer."""

    def changes_its_mind(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise LookupError("no such item")
        except LookupError:
            start_response("404 Not Found", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"not found"]

    with serving(changes_its_mind) as connection:
        status, _, body = ask(connection, "GET", "/item")
    assert (status, body) == (404, b"not found")


def test_a_body_framed_wrong_is_a_400_not_a_trace() -> None:
    with serving(echo) as connection:
        connection.putrequest("POST", "/")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        connection.send(b"zz\r\nnot hex\r\n0\r\n\r\n")
        response = connection.getresponse()
        assert response.status == 400 and b"not framed" in response.read()
