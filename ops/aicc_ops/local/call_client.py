"""A client of the local stack's HTTP call API (docs/local-stack.md), for the CLI, drills and load tests."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlsplit


class CallApiError(Exception):
    """The call API refused a request (the message is its explanation) or did not answer."""

    def __init__(self, message: str, status: int = 0) -> None:
        self.status = status
        super().__init__(message)


class CallClient:
    """Requests over one keep-alive HTTP/1.1 connection per thread: no new TCP connection (and no
    new server thread) per request. Safe to share between threads."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        parts = urlsplit(self.base)
        self._host, self._port, self._prefix = parts.hostname or "127.0.0.1", parts.port, parts.path
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json"}
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request(method, f"{self._prefix}{path}", body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                conn.close()
                if reused and attempt == 1:
                    continue  # the server closed the idle connection before reading: send it again
                raise self._no_answer(exc) from None
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise self._no_answer(exc) from None
            break
        if response.status >= 400:
            try:
                answer = json.loads(raw)
                message = (
                    answer.get("error", response.reason) if isinstance(answer, dict) else response.reason
                )
            except ValueError:
                message = response.reason
            raise CallApiError(str(message), response.status)
        return json.loads(raw)

    def _no_answer(self, exc: Exception) -> CallApiError:
        return CallApiError(
            f"the call API at {self.base} does not answer ({exc}); is `aicc-ops local up` running?"
        )

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def place(
        self,
        caller: str,
        inputs: list[str] | None = None,
        at: str | None = None,
        *,
        wait: bool = False,
        hold_seconds: int = 0,
        talk_seconds: float | None = None,
        wait_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Start a call; with `wait`, answer once the flows are done with it (within `wait_seconds`;
        the server's default is 60 s)."""
        body: dict[str, Any] = {
            "caller": caller,
            "inputs": inputs or [],
            "wait": wait,
            "hold_seconds": hold_seconds,
        }
        if at:
            body["at"] = at
        if talk_seconds is not None:
            body["talk_seconds"] = talk_seconds
        if wait_seconds is not None:
            body["timeout"] = wait_seconds
        result: dict[str, Any] = self.request("POST", "/calls", body)
        return result

    def get(self, contact_id: str, transcript: bool = True) -> dict[str, Any]:
        """The call; without its transcript (`call`) when not asked for: a poll of a long call
        costs the server a fraction of the whole."""
        query = "" if transcript else "?transcript=false"
        result: dict[str, Any] = self.request("GET", f"/calls/{contact_id}{query}")
        return result

    def send_input(self, contact_id: str, value: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", f"/calls/{contact_id}/input", {"input": value})
        return result

    def hang_up(self, contact_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("DELETE", f"/calls/{contact_id}")
        return result

    def calls(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/calls")
        return result

    def agents(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/agents")
        return result

    def set_agent(self, login: str, status: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PUT", f"/agents/{login}", {"status": status})
        return result

    def set_faults(self, faults: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PUT", "/faults", faults)
        return result

    def clear_faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("DELETE", "/faults")
        return result

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/status")
        return result
