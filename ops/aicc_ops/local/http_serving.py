"""How the local stack's HTTP servers serve: a thread per connection, kept alive.

Every endpoint of the stack (the Connect API, the Lambda Invoke API, the call API and the AWS
endpoint, moto) is served the same way. A client's connection stays open across its requests, and
the thread that accepted it serves them all, so a request costs no TCP handshake, no server thread
and no hand-over between threads: under load each of those is a wait for the interpreter lock in
both processes. `WsgiHandler` serves a WSGI application (moto's) that way: werkzeug's own server
answers every request with `Connection: close` (werkzeug 2.1 and later), which made each of a
Lambda's DynamoDB requests a new connection and a new thread in the endpoint.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import unquote_to_bytes

from .runtime import listen_backlog

log = logging.getLogger("aicc_ops.local.http")
IDLE_SECONDS = 300.0
# Headers the server writes itself: the body is sent whole, with its length.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client's connection (and its thread) serves many requests
    server_version = "aicc-local"
    disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms for delayed ACKs
    timeout = IDLE_SECONDS  # a connection idle this long is closed, and its thread ends
    # An answer's head and body leave in one send (handle_one_request flushes after each request):
    # written unbuffered, they were two, and on loopback each wakes the reader once more.
    wbufsize = 64 * 1024

    def handle_expect_100(self) -> bool:
        """The interim 100 Continue goes out now: the client waits for it before sending the body
        (botocore up to 1 s, then sends it anyway), and the buffered wfile would hold it until the
        whole answer is written."""
        answered = super().handle_expect_100()
        self.wfile.flush()
        return answered

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _body(self) -> bytes:
        """The request's body: Content-Length bytes, or the chunks of a chunked one (the Go SDK
        that Terraform's AWS provider uses sends some uploads so)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunks()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _chunks(self) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
            if not size:
                while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                    pass
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline(8)  # the CRLF after the chunk

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Listener(ThreadingHTTPServer):
    """A thread per connection (kept alive), and a listen backlog that holds a burst of callers."""

    daemon_threads = True
    request_queue_size = listen_backlog()


class WsgiHandler(KeepAliveHandler):
    """A WSGI application (PEP 3333) behind a kept-alive connection: the whole answer is collected
    and sent with its length, so the next request may follow on the same connection."""

    app: Callable[[dict[str, Any], Any], Iterable[bytes]]

    def _serve(self) -> None:
        try:
            body = self._body()
        except ValueError:  # a Content-Length or chunk size that is no number
            self.close_connection = True  # the rest of the request cannot be found
            self._send(
                400, b"the request's body is not framed as HTTP/1.1 says", {"Content-Type": "text/plain"}
            )
            return
        reply: list[Any] = []
        written: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            # Nothing is sent before the application returns, so a later call (an error page,
            # with exc_info) replaces the answer, as PEP 3333 allows until the headers are out.
            reply[:] = [status, headers]
            return written.append  # the legacy write() callable

        try:
            result = self.app(self._environ(body), start_response)
            try:
                written.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as exc:  # a bug in the application: a 500 with the trace in the log
            log.exception("%s %s failed", self.command, self.path)
            self._send(500, f"{type(exc).__name__}: {exc}".encode(), {"Content-Type": "text/plain"})
            return
        status, headers = reply
        number, _, reason = status.partition(" ")
        code = int(number)
        # 1xx, 204 and 304 answers end at their headers (RFC 9110, 6.4.1): a body the application
        # returned anyway would be read as the start of the next answer on this connection.
        bodiless = code < 200 or code in (204, 304)
        payload = b"" if bodiless else b"".join(written)
        self.send_response(code, reason or None)
        for name, value in headers:
            if name.lower() not in _FRAMING:
                self.send_header(name, value)
        if not bodiless:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = cast("tuple[str, int]", self.server.server_address)[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),  # PEP 3333: bytes as latin-1
            "QUERY_STRING": query,
            "RAW_URI": self.path,
            "REQUEST_URI": self.path,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                continue  # the body is whole: its length is set above
            if key != "CONTENT_TYPE":
                key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    # http.server looks up do_<METHOD>: every method goes to the application.
    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve  # noqa: N815
