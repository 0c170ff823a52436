"""Locust scenario `lambdas`: the call logic's handlers invoked directly, as the flows invoke them.

Run it with `aicc-ops loadtest run --scenario lambdas --target ENV` (docs/loadtest.md). The plan
holds, for each demo scenario of the mix, the Lambda invocations its call made when it ran through
the flows offline: the handler, the block's time limit (InvocationTimeLimitSeconds) and the real
Connect event the block sent. A simulated call replays them in order, with a new contact ID, and
with the caller's think time where the caller answered prompts between two of them.

Each invocation is a step named after its handler. It fails when the function fails (Connect
takes the block's error branch), when its answer is not what the block accepts (a flat map of
strings for STRING_MAP), or when it took longer than the block's time limit. Throttling is
retried by botocore's adaptive mode, and the retries count in the time.

Locust is imported before boto3 (the locustfile is loaded by Locust, after gevent patched the
standard library), as the repository's traps require.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
from aicc_load import report
from aicc_load.callers import CallerUser, current_plan
from aicc_load.plan import CallScript, Invocation, Plan
from aicc_load.recorder import CallError, CallRecord
from aicc_load.shape import ProfileShape
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from locust import events

__all__ = ["HandlerCaller", "ProfileShape"]

report.register(events)

MAX_ATTEMPTS = 5  # botocore's adaptive retry mode: client-side rate limiting on top of backoff
POOL = 200  # connections per process: one per concurrent invocation, up to this
_CLIENTS: dict[str, Any] = {}


def lambda_client(plan: Plan) -> Any:
    """One client per process (boto3 clients are safe to share; creating one per user is slow)."""
    if "lambda" not in _CLIENTS:
        limit = max(plan.limits().values(), default=8.0)
        config = Config(
            retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
            max_pool_connections=POOL,
            connect_timeout=limit,
            read_timeout=limit * 2,  # longer than the block allows: a late answer is measured, not cut
        )
        kwargs: dict[str, Any] = {"region_name": plan.target.region, "config": config}
        if plan.target.lambda_endpoint:
            kwargs["endpoint_url"] = plan.target.lambda_endpoint
        _CLIENTS["lambda"] = boto3.client("lambda", **kwargs)
    return _CLIENTS["lambda"]


class HandlerCaller(CallerUser):
    def on_start(self) -> None:
        self.client = lambda_client(current_plan(self.environment))

    def dial(self, call: CallScript, record: CallRecord) -> None:
        contact_id = str(uuid.uuid4())
        for invocation in call.invocations:
            self.think(invocation.inputs_before)
            self.invoke(invocation, invocation.event_for(call.contact_id, contact_id), record)

    def invoke(self, invocation: Invocation, event: dict[str, Any], record: CallRecord) -> None:
        name = self.plan.target.functions.get(invocation.handler)
        if name is None:
            raise CallError(f"{invocation.handler}: the target has no function for this handler")
        payload = json.dumps(event, ensure_ascii=False).encode("utf-8")
        started = time.perf_counter()
        try:
            answer = self.client.invoke(FunctionName=name, InvocationType="RequestResponse", Payload=payload)
            body = answer["Payload"].read()
        except (ClientError, BotoCoreError) as exc:
            record.step(invocation.handler, record.elapsed_ms(started), f"{invocation.handler}: {exc}")
            return
        elapsed = time.perf_counter() - started
        error = answer_error(answer.get("FunctionError"), body, invocation.response_type)
        if error is None and elapsed > invocation.limit_s:
            error = (
                f"took {elapsed:.2f} s, over the {invocation.limit_s:g} s limit of {invocation.flow} / "
                f"{invocation.block}: Connect takes the error branch"
            )
        record.step(
            invocation.handler, elapsed * 1000, f"{invocation.handler}: {error}" if error else None, len(body)
        )


def answer_error(function_error: str | None, body: bytes, response_type: str) -> str | None:
    """Why Connect would not accept the answer (None: it would)."""
    if function_error:
        try:
            detail = json.loads(body).get("errorMessage", "")
        except (ValueError, AttributeError):
            detail = ""
        return f"function error ({function_error}) {detail}".strip()
    try:
        answer = json.loads(body)
    except ValueError:
        return "the answer is not JSON"
    if response_type == "STRING_MAP" and not (
        isinstance(answer, dict) and all(isinstance(v, str) for v in answer.values())
    ):
        return "the answer is not a flat map of strings (STRING_MAP)"
    return None
