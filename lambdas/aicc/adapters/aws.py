"""boto3 clients, created on first use and then reused for the life of the process.

Not at import: importing a handler must stay cheap (cold starts), and a client created later sees
the environment as it is then (AWS_ENDPOINT_URL_* for the local stack, the region, moto in tests).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

# A flow waits at most 8 s for the Lambda (the caller hears silence): fail fast, retry once.
_CONFIG = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"})
# Creating clients on boto3's shared session is not thread-safe; the local engine runs handlers
# in worker threads.
_lock = threading.Lock()


@cache
def _dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


@cache
def _sns() -> SNSClient:
    return boto3.client("sns", config=_CONFIG)


def dynamodb() -> DynamoDBClient:
    with _lock:
        return _dynamodb()


def sns() -> SNSClient:
    with _lock:
        return _sns()


def reset() -> None:
    """Forget the clients (tests, or the local stack after changing endpoints)."""
    with _lock:
        _dynamodb.cache_clear()
        _sns.cache_clear()
