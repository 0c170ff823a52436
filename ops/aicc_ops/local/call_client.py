"""A client of the local stack's HTTP call API (docs/local-stack.md), for the CLI, drills and load tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class CallApiError(Exception):
    """The call API refused a request (the message is its explanation) or did not answer."""

    def __init__(self, message: str, status: int = 0) -> None:
        self.status = status
        super().__init__(message)


class CallClient:
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        req = urllib.request.Request(
            f"{self.base}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read())
                message = body.get("error", exc.reason) if isinstance(body, dict) else exc.reason
            except ValueError:
                message = exc.reason
            raise CallApiError(str(message), exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            raise CallApiError(
                f"the call API at {self.base} does not answer ({exc}); is `aicc-ops local up` running?"
            ) from None

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

    def get(self, contact_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/calls/{contact_id}")
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
