"""The call API client keeps its connection alive: one TCP connection (one server thread) for many
requests, and a request that finds the connection closed by the server goes out again on a new one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from aicc_ops.local.call_client import CallApiError, CallClient


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: ClassVar[list[int]] = []  # the client port of each connection accepted
    close_after: ClassVar[bool] = False  # close each connection once it answered, as an idle timeout

    def setup(self) -> None:
        super().setup()
        self.connections.append(self.client_address[1])

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path}).encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.close_after:
            self.close_connection = True
            self.wfile.flush()
            self.connection.shutdown(2)  # without a Connection: close header: the client must cope


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    Recorder.connections = []
    Recorder.close_after = False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_many_requests_share_one_connection(server: ThreadingHTTPServer) -> None:
    client = CallClient(url(server))

    answers = [client.request("GET", f"/calls/{n}") for n in range(5)]

    assert [a["path"] for a in answers] == [f"/calls/{n}" for n in range(5)]
    assert len(Recorder.connections) == 1
    client.close()


def test_a_connection_the_server_closed_is_replaced_without_an_error(server: ThreadingHTTPServer) -> None:
    Recorder.close_after = True
    client = CallClient(url(server))

    answers = [client.request("GET", "/status") for _ in range(3)]

    assert all(a == {"path": "/status"} for a in answers)
    assert len(Recorder.connections) == 3
    client.close()


def test_each_thread_has_its_own_connection(server: ThreadingHTTPServer) -> None:
    client = CallClient(url(server))
    threads = [
        threading.Thread(target=lambda: [client.request("GET", "/x") for _ in range(3)]) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(Recorder.connections) == 2


def test_an_error_answer_and_no_answer_are_call_api_errors(server: ThreadingHTTPServer) -> None:
    client = CallClient(url(server))
    with pytest.raises(CallApiError) as refused:
        client.request("GET", "/missing")
    assert refused.value.status == 404

    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    client.close()
    with pytest.raises(CallApiError, match=f"the call API at http://127.0.0.1:{port} does not answer"):
        client.request("GET", "/status")
