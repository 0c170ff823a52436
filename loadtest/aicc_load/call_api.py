"""The local stack's call API client (aicc_ops.local.call_client) on a kept-alive connection.

The operators' client opens a connection per request (urllib). A thousand callers polling their
calls that way would spend loopback's ephemeral ports in seconds (each closed connection waits in
TIME_WAIT), so here every simulated caller keeps its own HTTP/1.1 connection, as a phone line,
through gevent's HTTP client. The requests, answers and errors are those of CallClient.

Newer stacks measure the flow steps of a live call themselves (the call's `steps`, each with its
`ms`) and, asked with `wait_step`, answer a dial or an input once the step it starts is over: the
caller needs no polling then. Older stacks ignore the field and answer at once.
"""

from __future__ import annotations

import json
from http.client import HTTPException
from typing import Any

from geventhttpclient import HTTPClient
from geventhttpclient.url import URL

from aicc_ops.local.call_client import CallApiError, CallClient


class KeepAliveCallClient(CallClient):
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        super().__init__(base_url, timeout)
        url = URL(self.base)
        self._prefix = url.path.rstrip("/")
        self._http = HTTPClient.from_url(
            url, concurrency=1, connection_timeout=timeout, network_timeout=timeout
        )

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        try:
            response = self._http.request(
                method, f"{self._prefix}{path}", body=data, headers={"Content-Type": "application/json"}
            )
            payload = response.read()
            status = response.status_code
        except (OSError, HTTPException) as exc:  # socket errors, timeouts, a connection closed mid-answer
            raise CallApiError(f"the call API at {self.base} does not answer ({exc})") from None
        try:
            answer = json.loads(payload) if payload else None
        except ValueError:
            raise CallApiError(f"the call API answered {status} without JSON", status) from None
        if status >= 400:
            message = answer.get("error") if isinstance(answer, dict) else None
            raise CallApiError(str(message or f"HTTP {status}"), status)
        return answer

    def dial(self, caller: str, at: str, talk_seconds: float, step_timeout: float) -> dict[str, Any]:
        """A live call (the caller answers through `answer`). A stack that measures its flow steps
        answers once the first step is over (`wait_step`); an older one at once."""
        body = {"caller": caller, "inputs": [], "at": at, "talk_seconds": talk_seconds}
        result: dict[str, Any] = self.request("POST", "/calls", {**body, **self._step(step_timeout)})
        return result

    def answer(self, contact_id: str, value: str, step_timeout: float) -> dict[str, Any]:
        """The caller's answer; as `dial`, once the step it starts is over on a stack that says so."""
        body = {"input": value, **self._step(step_timeout)}
        result: dict[str, Any] = self.request("POST", f"/calls/{contact_id}/input", body)
        return result

    @staticmethod
    def _step(timeout: float) -> dict[str, Any]:
        return {"wait_step": True, "timeout": timeout}

    def close(self) -> None:
        self._http.close()


def sign_in_agents(endpoint: str) -> None:
    """Every simulated agent of the local stack available: the contacts in the queues are answered."""
    client = KeepAliveCallClient(endpoint)
    try:
        for agent in client.agents():
            if agent["state"] == "OFFLINE":
                client.set_agent(agent["login"], "AVAILABLE")
    finally:
        client.close()
