"""boto3 clients, created on first use and then reused for the life of the process.

Not at import: importing a handler must stay cheap (cold starts), and a client created later sees
the environment as it is then (AWS_ENDPOINT_URL_* for the local stack, the region, moto in tests).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

# Every flow gives its Lambda 3 s (InvocationTimeLimitSeconds "3"); past that Connect takes the
# error branch while the Lambda would keep writing. So one call must end inside 3 s: 2 attempts
# (the first try and one retry, standard mode) x (0.5 s connect + 0.8 s read), plus the backoff
# before the retry (random, at most 25 ms for DynamoDB and 50 ms for SNS after a timeout or 5xx;
# up to 1 s after throttling, which is answered at once), is at worst about 2.6 s per call.
# `total_max_attempts`, not `max_attempts`: botocore's `max_attempts` counts retries only, so
# `max_attempts: 2` would mean 3 attempts (about 3.9 s). A healthy call takes milliseconds; the
# bound is per call, and a handler makes a few in a row, so two calls that both hit it in one
# invocation still overrun the flow's 3 s.
_CONFIG = Config(connect_timeout=0.5, read_timeout=0.8, retries={"total_max_attempts": 2, "mode": "standard"})
# The knowledge flow alone waits 8 s for its Lambda (knowledge_answer, InvocationTimeLimitSeconds
# "8"), and a generated answer takes seconds, not milliseconds. Every call the handler makes
# counts, at worst (the sum is in tests/functional/test_knowledge_adapter.py, the arithmetic in
# docs/knowledge.md "In AWS"): the conversation's GetItem and UpdateItem, 1 attempt x (0.3 s
# connect + 0.5 s read) each = 1.6 s; Retrieve 1 attempt x (0.5 s + 1.0 s) = 1.5 s; Converse 1
# attempt (a second generation would not fit) x (0.5 s + 3.5 s) = 4.0 s; together 7.1 s, which
# leaves about 0.9 s of the 8 s for the cold start and the handler's own work. The conversation's
# calls are best-effort: a failed one costs the follow-up's context, never the answer.
KNOWLEDGE_TABLE_CONFIG = Config(
    connect_timeout=0.3, read_timeout=0.5, retries={"total_max_attempts": 1, "mode": "standard"}
)
KNOWLEDGE_RETRIEVE_CONFIG = Config(
    connect_timeout=0.5, read_timeout=1.0, retries={"total_max_attempts": 1, "mode": "standard"}
)
KNOWLEDGE_ANSWER_CONFIG = Config(
    connect_timeout=0.5, read_timeout=3.5, retries={"total_max_attempts": 1, "mode": "standard"}
)
# Scheduled jobs (the report handler) answer to no caller: a page of a scan or an S3 object may
# take seconds, and a throttled call is worth retrying within the function's timeout.
JOB_CONFIG = Config(connect_timeout=2, read_timeout=20, retries={"total_max_attempts": 4, "mode": "standard"})
# Creating clients on boto3's shared session is not thread-safe; the local engine runs handlers
# in worker threads.
_lock = threading.Lock()


@cache
def _dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


@cache
def _sns() -> SNSClient:
    return boto3.client("sns", config=_CONFIG)


@cache
def _connect() -> ConnectClient:
    return boto3.client("connect", config=_CONFIG)


@cache
def _secretsmanager() -> Any:
    return boto3.client("secretsmanager", config=_CONFIG)


@cache
def _comprehend() -> Any:
    return boto3.client("comprehend", config=_CONFIG)


@cache
def _knowledge_dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=KNOWLEDGE_TABLE_CONFIG)


@cache
def _bedrock_agent_runtime() -> Any:
    return boto3.client("bedrock-agent-runtime", config=KNOWLEDGE_RETRIEVE_CONFIG)


@cache
def _bedrock_runtime() -> Any:
    return boto3.client("bedrock-runtime", config=KNOWLEDGE_ANSWER_CONFIG)


@cache
def _s3() -> Any:
    return boto3.client("s3", config=JOB_CONFIG)


@cache
def _job_dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=JOB_CONFIG)


def s3() -> Any:
    """S3 for scheduled jobs (contact records in, reports out); untyped: no stubs package is pinned."""
    with _lock:
        return _s3()


def job_dynamodb() -> DynamoDBClient:
    """DynamoDB for scheduled jobs (the report's call-log scan): JOB_CONFIG, not a flow's 3 s."""
    with _lock:
        return _job_dynamodb()


def dynamodb() -> DynamoDBClient:
    with _lock:
        return _dynamodb()


def sns() -> SNSClient:
    with _lock:
        return _sns()


def connect() -> ConnectClient:
    with _lock:
        return _connect()


def secretsmanager() -> Any:
    """Secrets Manager (the Slack token, adapters/slack.py); untyped: no stubs package is pinned."""
    with _lock:
        return _secretsmanager()


def comprehend() -> Any:
    """Comprehend (DetectSentiment for the Lex code hook); untyped: no stubs package is pinned."""
    with _lock:
        return _comprehend()


def knowledge_dynamodb() -> DynamoDBClient:
    """DynamoDB for the knowledge conversation: one short attempt (the 8 s budget above)."""
    with _lock:
        return _knowledge_dynamodb()


def bedrock_agent_runtime() -> Any:
    """Bedrock Knowledge Bases' runtime (Retrieve, adapters/knowledge.py); untyped: no stubs pinned."""
    with _lock:
        return _bedrock_agent_runtime()


def bedrock_runtime() -> Any:
    """Bedrock's runtime (Converse, adapters/knowledge.py); untyped: no stubs package is pinned."""
    with _lock:
        return _bedrock_runtime()


def reset() -> None:
    """Forget the clients (tests, or the local stack after changing endpoints)."""
    with _lock:
        _dynamodb.cache_clear()
        _knowledge_dynamodb.cache_clear()
        _sns.cache_clear()
        _connect.cache_clear()
        _comprehend.cache_clear()
        _secretsmanager.cache_clear()
        _bedrock_agent_runtime.cache_clear()
        _bedrock_runtime.cache_clear()
        _s3.cache_clear()
        _job_dynamodb.cache_clear()
