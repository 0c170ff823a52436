"""AWS Lambda's Invoke API on the local stack, for our handlers: boto3's `lambda` client invokes them
as it would a deployed environment's functions (a load test of the handlers runs against both).

`POST /2015-03-31/functions/{FunctionName}/invocations` as botocore's lambda service model has it
(REST-JSON): the function by name (`aicc-local-customer-lookup`), ARN or partial ARN, `Qualifier`
`$LATEST` (no other version exists locally), `X-Amz-Invocation-Type` RequestResponse (the default),
Event (202, run in the background) or DryRun (204), the payload as the event. The handler runs in
the server's LocalLambdas, the same executions the flows use, within the function's timeout of
functions.yaml; injected faults apply. A handler that raises, times out or answers more than Lambda
returns is a function error (200, `X-Amz-Function-Error: Unhandled`, the error as the payload);
errors of the request are the modelled exceptions (ResourceNotFoundException,
TooManyRequestsException, InvalidRequestContentException, RequestTooLargeException).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from ..engine.flows import Resources, local_function_name
from ..engine.lambdas import LambdaInvokeError, LocalLambdas

log = logging.getLogger("aicc_ops.local.lambda_api")
# "Invocation payload (request and response): 6 MB each for synchronous" (Lambda quotas,
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
DEFAULT_TIMEOUT = 3.0  # Lambda's default function timeout, for a function functions.yaml gives none
_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def function_timeouts(config_dir: Path) -> dict[str, float]:
    """Each handler's timeout (seconds) from functions.yaml."""
    data = yaml.safe_load((config_dir / "functions.yaml").read_text(encoding="utf-8")) or {}
    return {
        str(name): float(entry.get("timeout", DEFAULT_TIMEOUT))
        for name, entry in (data.get("functions") or {}).items()
        if isinstance(entry, dict)
    }


def _split_name(requested: str) -> tuple[str, str]:
    """(name, ARN or partial ARN; the version or alias after it, if any)."""
    parts = requested.split(":")
    if parts[0] == "arn":  # arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        return ":".join(parts[:7]), ":".join(parts[7:])
    if len(parts) >= 3 and parts[1] == "function":  # ACCOUNT:function:NAME[:QUALIFIER]
        return ":".join(parts[:3]), ":".join(parts[3:])
    return parts[0], ":".join(parts[1:])  # NAME[:QUALIFIER]


def _error(status: int, code: str, message: str, **extra: str) -> Answer:
    body = {"Type": "User", "message": message, "Message": message, **extra}
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
    return Answer(status, json.dumps(body).encode("utf-8"), headers)


class LambdaApi:
    def __init__(self, lambdas: LocalLambdas, resources: Resources, timeouts: Mapping[str, float]) -> None:
        self.lambdas, self.resources, self.timeouts = lambdas, resources, dict(timeouts)
        # Every name a function answers to: its name, its ARN, and the partial ARN.
        self.names: dict[str, str] = {}
        for handler in resources.handlers:
            arn = resources.function_arn(handler)
            partial = arn.split(":", 4)[4]  # 000000000000:function:aicc-local-...
            for alias in (local_function_name(handler), arn, partial):
                self.names[alias] = handler

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        parts = urlsplit(path)
        found = _INVOKE.match(parts.path)
        if method != "POST" or found is None:
            return _error(
                404, "UnknownOperationException", f"this endpoint answers Invoke only, not {method} {path}"
            )
        requested = unquote(found["name"])
        base, version = _split_name(requested)
        version = (parse_qs(parts.query).get("Qualifier") or [""])[0] or version or "$LATEST"
        handler = self.names.get(base)
        if handler is None or version != "$LATEST":
            arn = self.resources.function_arn(handler) if handler else base
            return _error(404, "ResourceNotFoundException", f"Function not found: {arn}:{version}")
        if len(body) > MAX_PAYLOAD_BYTES:
            return _error(
                413, "RequestTooLargeException", f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes"
            )
        try:
            event = json.loads(body) if body.strip() else {}
        except ValueError:
            return _error(400, "InvalidRequestContentException", "Could not parse request body into json")
        kind = headers.get("x-amz-invocation-type") or "RequestResponse"  # names in lower case
        if kind == "DryRun":
            return Answer(204)
        if kind == "Event":
            threading.Thread(target=self._in_background, args=(handler, event), daemon=True).start()
            return Answer(202)
        if kind != "RequestResponse":
            return _error(
                400,
                "InvalidParameterValueException",
                f"X-Amz-Invocation-Type {kind!r}: RequestResponse, Event or DryRun",
            )
        return self._invoke(handler, event)

    def _invoke(self, handler: str, event: Any) -> Answer:
        headers = {"X-Amz-Executed-Version": "$LATEST", "Content-Type": "application/json"}
        timeout = self.timeouts.get(handler, DEFAULT_TIMEOUT)
        try:
            result = self.lambdas.run(handler, event, timeout)
        except LambdaInvokeError as exc:
            if exc.kind == "TooManyRequestsException":
                reason = (
                    "ReservedFunctionConcurrentInvocationLimitExceeded"
                    if handler in self.lambdas.reserved
                    else "ConcurrentInvocationLimitExceeded"
                )
                return _error(429, "TooManyRequestsException", "Rate Exceeded.", Reason=reason)
            if exc.kind == "Timeout":
                failure = {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {timeout:.2f} seconds",
                }
            else:
                cause = exc.__cause__
                failure = {
                    "errorType": type(cause).__name__ if cause else "Unhandled",
                    "errorMessage": str(cause) if cause else str(exc),
                }
            return Answer(
                200, json.dumps(failure).encode("utf-8"), {**headers, "X-Amz-Function-Error": "Unhandled"}
            )
        payload = json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
        if len(payload) > MAX_PAYLOAD_BYTES:
            failure = {
                "errorType": "Function.ResponseSizeTooLarge",
                "errorMessage": f"Response payload size exceeded the maximum of {MAX_PAYLOAD_BYTES} bytes.",
            }
            return Answer(
                200, json.dumps(failure).encode("utf-8"), {**headers, "X-Amz-Function-Error": "Unhandled"}
            )
        return Answer(200, payload, headers)

    def _in_background(self, handler: str, event: Any) -> None:
        try:
            self.lambdas.run(handler, event, self.timeouts.get(handler, DEFAULT_TIMEOUT))
        except LambdaInvokeError as exc:  # an asynchronous invocation's failure reaches no caller
            log.warning("asynchronous invocation of %s failed: %s", handler, exc)
