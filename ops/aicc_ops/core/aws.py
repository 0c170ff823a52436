"""AWS call helpers every layer uses: one line for a failed call, and one paginator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class SessionError(Exception):
    """No usable AWS session (unknown profile, no Region); the message says what to give."""


def new_session(profile: str | None, region: str | None) -> Any:
    """A boto3 session of `profile` (else the usual credential chain) in `region` (else the
    profile's or the environment's Region)."""
    import boto3

    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except Exception as exc:  # botocore ProfileNotFound and friends
        raise SessionError(f"AWS profile: {exc}") from None
    if not session.region_name:
        raise SessionError("no AWS region: give --region, set AWS_DEFAULT_REGION, or --env")
    return session


def error_code(exc: BaseException) -> str:
    """The AWS error code of a failed call (ResourceNotFoundException...), "" for other errors."""
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def error_text(exc: BaseException) -> str:
    """One line for a failed AWS call, `Operation: Code: message` (never the request parameters:
    they may hold a password), else the exception type and text."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        operation = getattr(exc, "operation_name", "")
        # A service (or a stand-in) that answers with an HTML page: its first line is enough.
        message = str(error.get("Message", "")).strip().split("\n", 1)[0][:200]
        return f"{operation}: {error.get('Code', 'error')}: {message}".strip(": ")
    return f"{type(exc).__name__}: {exc}"


def iter_pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    """The `key` items of every page of a List/Search/Get operation (list_queues or ListQueues).

    boto3's paginator where the service model has one; else (GetCurrentMetricData,
    GetCurrentUserData) NextToken is followed by hand, with the same parameters."""
    from botocore import xform_name

    name = xform_name(operation)
    if client.can_paginate(name):
        for page in client.get_paginator(name).paginate(**params):
            yield from page.get(key) or []
        return
    call = getattr(client, name)
    params = dict(params)
    while True:
        page = call(**params)
        yield from page.get(key) or []
        if not page.get("NextToken"):
            return
        params["NextToken"] = page["NextToken"]


def pages(client: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every `key` item of every page (see iter_pages)."""
    return list(iter_pages(client, operation, key, **params))
