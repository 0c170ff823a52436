"""Slack through slack-sdk's WebClient (chat.postMessage with Block Kit blocks).

The bot token is read from Secrets Manager (the secret named by SLACK_TOKEN_SECRET_ID) once per
container. AICC_SLACK_BASE_URL points the client elsewhere than https://slack.com/api/ (the local
stack's receiver, ops/aicc_ops/local/slack_receiver.py). Slack answers HTTP 429 with Retry-After
when a method's rate limit is hit (chat.postMessage: about one message a second per channel): the
client waits that long and tries again, at most RATE_LIMIT_RETRIES times.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from aicc.adapters import aws

if TYPE_CHECKING:
    from slack_sdk import WebClient

TOKEN_SECRET_ENV = "SLACK_TOKEN_SECRET_ID"
BASE_URL_ENV = "AICC_SLACK_BASE_URL"
RATE_LIMIT_RETRIES = 2
TIMEOUT_SECONDS = 5
# Slack's errors for a token it no longer takes (chat.postMessage's errors, api.slack.com/methods).
TOKEN_REFUSED = frozenset(
    {"invalid_auth", "token_revoked", "token_expired", "account_inactive", "not_authed"}
)

logger = Logger(child=True)


class SlackNotConfiguredError(RuntimeError):
    """No token secret is named: messages are logged, not posted."""


@cache
def _token(secret_id: str) -> str:
    """The bot token (the secret's SecretString), cached for the container's life."""
    return str(aws.secretsmanager().get_secret_value(SecretId=secret_id)["SecretString"]).strip()


def forget_token() -> None:
    """Read the secret again next time (a rotated token; tests)."""
    _token.cache_clear()


def web_client(token: str, base_url: str | None = None) -> WebClient:
    # slack-sdk (with asyncio) costs a cold start ~20 % of `import boto3`: loaded by the first
    # message, which most SLA monitor runs never send.
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

    retries = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES), ConnectionErrorRetryHandler()]
    url = base_url or os.environ.get(BASE_URL_ENV, "").strip() or WebClient.BASE_URL
    return WebClient(
        token=token, base_url=url.rstrip("/") + "/", timeout=TIMEOUT_SECONDS, retry_handlers=retries
    )


class SlackPoster:
    def __init__(self, channel: str, client: WebClient | None = None, secret_id: str | None = None) -> None:
        self.channel = channel
        self._client = client
        self._given = client is not None  # a client of the caller's: its token is not ours to re-read
        self._secret_id = os.environ.get(TOKEN_SECRET_ENV, "").strip() if secret_id is None else secret_id

    @property
    def configured(self) -> bool:
        return self._client is not None or bool(self._secret_id)

    def client(self) -> WebClient:
        if self._client is None:
            if not self._secret_id:
                raise SlackNotConfiguredError(f"{TOKEN_SECRET_ENV} is not set")
            self._client = web_client(_token(self._secret_id))
        return self._client

    def post(self, text: str, blocks: list[dict[str, Any]]) -> str:
        """Post to the channel; the message's ts. Raises SlackApiError when Slack refuses it (after
        the retries on 429). A token Slack no longer accepts (rotated and revoked) is read again
        from the secret and the post tried once more: a rotation changes no function, so nothing
        else would replace the token a warm container holds."""
        from slack_sdk.errors import SlackApiError

        try:
            response = self.client().chat_postMessage(channel=self.channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            if self._given or not self._secret_id or exc.response.get("error") not in TOKEN_REFUSED:
                raise
            logger.warning(
                "slack token refused: reading the secret again", extra={"error": exc.response.get("error")}
            )
            forget_token()
            self._client = None
            response = self.client().chat_postMessage(channel=self.channel, text=text, blocks=blocks)
        ts = str(response.get("ts", ""))
        logger.info("slack message posted", extra={"channel": self.channel, "ts": ts})
        return ts
