"""Where an aicc-ops command operates: an AWS account and Connect instance, or the local stack.

The same boto3 code serves both. Against AWS the usual chain applies (--profile, AWS_PROFILE,
AWS_ENDPOINT_URL*...); `--local` points every client at the running local stack server. The
Connect instance is --instance-id, else $AICC_INSTANCE_ID, else the `instance_id` Terraform output
of --env, else the local server's. Table names come the same way (`table_names` output, the
tables.yaml env variables, or the local server).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from aicc.settings import Config, config

from ..core.aws import SessionError, new_session, pages
from ..core.ratelimit import ConnectLimiter
from ..core.repository import TERRAFORM_DIR
from ..local.runtime import NotRunningError, ServerInfo, running_info

# Every Connect call is retried on throttling with botocore's adaptive mode (client-side rate
# measurement on top of exponential backoff).
MAX_ATTEMPTS = 8


class TargetError(Exception):
    """The command cannot tell where to operate, or cannot reach it; the message says what to fix."""


@dataclass(frozen=True)
class Target:
    profile: str | None = None
    region: str | None = None
    instance_id: str | None = None
    env: str | None = None
    local: bool = False
    state_dir: Path | None = None
    terraform_dir: Path = TERRAFORM_DIR

    def describe(self) -> str:
        if self.local:
            return "local stack"
        return f"env {self.env}" if self.env else "AWS"


class OpsContext:
    """Sessions and clients for one command run; everything is created on first use."""

    def __init__(self, target: Target, cfg: Config | None = None) -> None:
        self.target = target
        self.config = cfg or config()
        self._clients: dict[tuple[str, str | None, bool], Any] = {}
        self._tables: dict[str, Any] = {}

    # ---- where ----------------------------------------------------------------------------------
    @cached_property
    def server(self) -> ServerInfo | None:
        if not self.target.local:
            return None
        try:
            return running_info(self.target.state_dir)
        except NotRunningError as exc:
            raise TargetError(str(exc)) from None

    @cached_property
    def outputs(self) -> dict[str, Any]:
        """The Terraform outputs of --env (empty without --env)."""
        if not self.target.env:
            return {}
        return terraform_outputs(self.target.env, self.target.terraform_dir, self.target.profile)

    def output(self, name: str) -> Any:
        """The value of one Terraform output of --env (None without --env or such an output)."""
        entry = self.outputs.get(name)
        return entry.get("value") if isinstance(entry, dict) and "value" in entry else entry

    @cached_property
    def session(self) -> Any:
        import boto3

        if self.server:
            return boto3.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=self.server.region
            )
        try:
            return new_session(self.target.profile, self.target.region or self.output("region"))
        except SessionError as exc:
            raise TargetError(str(exc)) from None

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    @cached_property
    def instance_id(self) -> str:
        if self.target.instance_id:
            return self.target.instance_id
        if self.server:
            return self.server.instance_id
        if os.environ.get("AICC_INSTANCE_ID"):
            return os.environ["AICC_INSTANCE_ID"]
        try:
            found = self.output("instance_id")
        except TargetError as exc:  # the one output a command can be given instead
            raise TargetError(f"{exc}; or give --instance-id") from None
        if found:
            return str(found)
        raise TargetError(
            "which Connect instance? give --instance-id, --env ENV (reads its Terraform outputs), "
            "--local, or set AICC_INSTANCE_ID"
        )

    def table_name(self, key: str) -> str:
        schema = self.config.tables.get(key)
        if schema is None:
            raise TargetError(f"no table {key!r} in tables.yaml")
        if self.server:
            return self.server.tables[key]
        names = self.output("table_names") or {}
        if key in names:
            return str(names[key])
        if os.environ.get(schema.env):
            return os.environ[schema.env]
        raise TargetError(f"which {key} table? give --env ENV, --local, or set {schema.env}")

    # ---- clients --------------------------------------------------------------------------------
    @cached_property
    def limiter(self) -> ConnectLimiter:
        """The Connect quota of the home Region (another Region's clients have their own)."""
        if self.server:
            return ConnectLimiter(self.server.connect_rate, self.server.connect_burst)
        return ConnectLimiter()

    def client(self, service: str, region: str | None = None, *, adaptive: bool = False) -> Any:
        """A client of the command's session; `region`: another Region's (Global Resiliency), with
        its own Connect quota. The local stack answers for every Region. `adaptive`: botocore's
        adaptive retry mode for another service too (a bulk job that may be throttled: its sending
        rate drops after a throttle instead of every request retrying at full speed)."""
        if self.server or region == self.region:
            region = None
        adaptive = adaptive or service == "connect"
        if (service, region, adaptive) not in self._clients:
            from botocore.config import Config as BotoConfig

            kwargs: dict[str, Any] = {"region_name": region} if region else {}
            if self.server:
                kwargs["endpoint_url"] = (
                    self.server.connect_endpoint if service == "connect" else self.server.aws_endpoint
                )
            retries: Any = {"mode": "adaptive" if adaptive else "standard"}
            retries["max_attempts"] = MAX_ATTEMPTS
            boto_config = BotoConfig(retries=retries, connect_timeout=5, read_timeout=30)
            client = self.session.client(service, config=boto_config, **kwargs)
            if service == "connect":
                (ConnectLimiter() if region else self.limiter).attach(client)
            self._clients[service, region, adaptive] = client
        return self._clients[service, region, adaptive]

    def provide(self, service: str, client: Any, region: str | None = None) -> None:
        """Answer `client(service, region)` with this client, whatever its retry mode (a test's
        stubbed client)."""
        for adaptive in (False, True):
            self._clients[service, region, adaptive] = client

    def table(self, key: str) -> Any:
        if key not in self._tables:
            kwargs: dict[str, Any] = {}
            if self.server:
                kwargs["endpoint_url"] = self.server.aws_endpoint
            self._tables[key] = self.session.resource("dynamodb", **kwargs).Table(self.table_name(key))
        return self._tables[key]

    def paginate(self, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paginated Connect operation (ListQueues or list_queues; InstanceId set)."""
        return pages(self.client("connect"), operation, key, InstanceId=self.instance_id, **params)


def terraform_outputs(env: str, terraform_dir: Path, profile: str | None = None) -> dict[str, Any]:
    """`terraform output -json` of an environment (deploy.run.outputs), or a TargetError saying
    how to get them."""
    from ..deploy.environment import Environment
    from ..deploy.errors import DeployError
    from ..deploy.run import outputs

    try:
        data = outputs(Environment.load(env, terraform_dir), profile)
    except DeployError as exc:
        raise TargetError(
            f"the Terraform outputs of {env}: {exc}; with credentials for its Terraform state "
            f"(--profile) they are read, or deploy it with `make deploy ENV={env}` (it saves the outputs)"
        ) from None
    if not data:
        raise TargetError(f"{env} has no Terraform outputs: deploy it first (`make deploy ENV={env}`)")
    return data


def scan_all(table: Any, **params: Any) -> list[dict[str, Any]]:
    """Every item of a DynamoDB Table resource's Scan, page by page."""
    items: list[dict[str, Any]] = []
    while True:
        page = table.scan(**params)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
