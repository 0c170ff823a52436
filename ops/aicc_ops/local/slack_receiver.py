"""A local HTTP receiver that speaks Slack's Web API as far as the SLA monitor uses it.

POST /api/chat.postMessage (JSON or form body) with `Authorization: Bearer <token>`: the message is
recorded and answered {"ok": true, "channel": ..., "ts": ...}; a wrong or missing token is answered
{"ok": false, "error": "invalid_auth"} (HTTP 200, as Slack does). `rate_limit(n, retry_after)` makes
the next n requests get HTTP 429 with Retry-After, as Slack's rate limits do, to test retries.
Point slack-sdk at it with base_url (AICC_SLACK_BASE_URL) = `receiver.base_url`.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


class SlackReceiver:
    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.requests = 0  # chat.postMessage requests, 429s included
        self._limited: list[int] = []  # Retry-After seconds of the next 429 answers
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-receiver", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def start(self) -> SlackReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SlackReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def rate_limit(self, count: int, retry_after: int = 1) -> None:
        with self._lock:
            self._limited.extend([retry_after] * count)

    def taken(self) -> list[dict[str, Any]]:
        """The recorded messages so far, and forget them."""
        with self._lock:
            out, self.messages = self.messages, []
        return out

    def _answer(
        self, path: str, auth: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if path.rstrip("/") != "/api/chat.postMessage":
            return 404, {}, {"ok": False, "error": "unknown_method"}
        with self._lock:
            self.requests += 1
            if self._limited:
                return 429, {"Retry-After": str(self._limited.pop(0))}, {"ok": False, "error": "ratelimited"}
            if auth != f"Bearer {self.token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            if not body.get("channel"):
                return 200, {}, {"ok": False, "error": "channel_not_found"}
            if not body.get("text") and not body.get("blocks"):
                return 200, {}, {"ok": False, "error": "no_text"}
            ts = f"{time.time():.6f}"
            self.messages.append({**body, "ts": ts})
        return 200, {}, {"ok": True, "channel": body["channel"], "ts": ts, "message": body}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = dict(parse_qsl(raw))
                    if isinstance(body.get("blocks"), str):
                        body["blocks"] = json.loads(body["blocks"])
                status, headers, answer = receiver._answer(
                    self.path, self.headers.get("Authorization", ""), body
                )
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                for k, v in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        return Handler
