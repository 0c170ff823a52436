"""The live page's HTTP server on loopback: GET / (the page), /static/dashboard.js (its script,
which polls /api/state and redraws without a reload) and /api/state (the snapshot as JSON).

Every tab polls, but the target is read at most once per interval: Snapshots keeps the last
snapshot (or the error that ended its read) and hands it to every request until it is `interval`
seconds old, so N tabs cost what one does against Connect's quotas (GetCurrentMetricData 5/s,
SearchContacts 0.5/s).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import jinja2

HOST = "127.0.0.1"  # loopback only: the page shows the center's live state

log = logging.getLogger("aicc_ops.dashboard")


class ReadError(Exception):
    """A read of the target failed; the message says why and what to do (shown on the page)."""


class Snapshots:
    """The last snapshot, read again once it is `interval` seconds old (one read at a time); a read
    that fails, whatever the error, is kept as its snapshot for the interval too."""

    def __init__(
        self,
        read: Callable[[datetime], dict[str, Any]],
        interval: float,
        now: Callable[[], datetime],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read, self.interval, self._now, self._clock = read, interval, now, clock
        self._lock = threading.Lock()
        self._taken: float | None = None
        self._last: dict[str, Any] = {}
        self.reads = 0

    def get(self) -> dict[str, Any]:
        with self._lock:
            if self._taken is None or self._clock() - self._taken >= self.interval:
                self._last = self._take()
                self._taken = self._clock()
            return self._last

    def _take(self) -> dict[str, Any]:
        self.reads += 1
        try:
            return {**self._read(self._now()), "interval": self.interval}
        except ReadError as exc:  # shown on the page; the next read may succeed (stack back up)
            return self._error(str(exc))
        except Exception as exc:  # a bug: kept for the interval like any error (quota), no dropped poll
            # The trace only when asked for, as the CLI does: an operator's terminal shows no trace.
            if os.environ.get("AICC_DEBUG"):
                log.exception("reading the target failed unexpectedly")
            name = type(exc).__name__
            return self._error(
                f"unexpected: {name}: {exc} (a bug in aicc-ops: run it again with AICC_DEBUG=1 "
                "for the trace and report it)"
            )

    def _error(self, text: str) -> dict[str, Any]:
        return {"error": text, "at": self._now().isoformat(timespec="seconds")}


def page(interval: float, target: str) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicc_ops.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("index.html.j2").render(interval_ms=int(interval * 1000), target=target)


def script() -> bytes:
    return resources.files("aicc_ops.dashboard").joinpath("static/dashboard.js").read_bytes()


def own_hosts(port: int) -> frozenset[str]:
    """The Host headers a browser sends for this server (the port left out when it is HTTP's 80).
    Any other name is refused: a page from another site that re-points its name at 127.0.0.1 (DNS
    rebinding) would be same-origin with us and could read /api/state, but its requests carry its
    own name as Host."""
    names = (HOST, "localhost")
    return frozenset({f"{n}:{port}" for n in names} | (set(names) if port == 80 else set()))


def make_server(snapshots: Snapshots, target: str, port: int) -> ThreadingHTTPServer:
    """The server bound to HOST:port (0: a free port); OSError when the port is taken."""
    html = page(snapshots.interval, target).encode("utf-8")
    js = script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            host = (self.headers.get("Host") or "").strip().lower()
            if host not in hosts:
                allowed = " or ".join(sorted(hosts))
                self._send(421, "text/plain; charset=utf-8", f"this server answers {allowed} only\n".encode())
            elif path in ("/", "/index.html"):
                self._send(200, "text/html; charset=utf-8", html)
            elif path == "/static/dashboard.js":
                self._send(200, "text/javascript; charset=utf-8", js)
            elif path == "/api/state":
                state = snapshots.get()
                body = json.dumps(state, ensure_ascii=False, default=str).encode("utf-8")
                self._send(503 if "error" in state else 200, "application/json; charset=utf-8", body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # every poll would print a line

    server = ThreadingHTTPServer((HOST, port), Handler)
    server.daemon_threads = True
    hosts = own_hosts(server.server_address[1])  # the port bound (port 0: the one picked)
    return server


def url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"
