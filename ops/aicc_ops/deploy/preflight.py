"""Checks before Terraform runs: whose credentials these are, and whether the account's Lambda
concurrency can hold what the environment reserves.

A reserved-concurrency setting that the account cannot give fails the apply half-way, with Lambda's
"decreases account's UnreservedConcurrentExecution below its minimum value" on some function; the
check says it before anything changes, with the quota to raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..core.aws import SessionError, error_code, error_text, new_session
from ..engine.flows import function_name_of
from .environment import Environment
from .errors import DeployError

# Lambda keeps this many concurrent executions unreserved in every account and Region
# (PutFunctionConcurrency: "leave at least 100 simultaneous executions unreserved").
MIN_UNRESERVED = 100
CONCURRENCY_QUOTA = "Concurrent executions (Service Quotas: lambda L-B99A9384)"


def session_for(env: Environment, profile: str | None) -> Any:
    """The session of --profile (else the usual credential chain) in the environment's Region."""
    try:
        return new_session(profile, env.region)
    except SessionError as exc:
        raise DeployError(str(exc)) from None


def check_account(env: Environment, session: Any) -> str:
    """The account of the credentials; refused unless it is the environment's."""
    expected = env.account_id  # the environment's own files first: they are quicker to fix
    try:
        if session.get_credentials() is None:
            raise DeployError(
                "no AWS credentials: set AWS_PROFILE (or --profile), run `aws sso login`, "
                "or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        account = str(session.client("sts", region_name=env.region).get_caller_identity()["Account"])
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"AWS credentials do not work: {error_text(exc)}") from None
    if account != expected:
        raise DeployError(
            f"the credentials are for account {account}, but envs/{env.name} deploys to {expected}: "
            f"switch profile (--profile) or fix account_id in envs/{env.name}/terraform.tfvars"
        )
    return account


def function_name(env: Environment, handler: str) -> str:
    """The deployed name of a handler's function (modules/lambdas: <name_prefix>-<handler with dashes>)."""
    prefix = env.tfvars.get("name_prefix")
    if not prefix:
        raise DeployError(
            f'envs/{env.name}/terraform.tfvars: name_prefix is missing (e.g. "aicc-{env.name}")'
        )
    return function_name_of(str(prefix), handler)


@dataclass(frozen=True)
class ConcurrencyBudget:
    account_limit: int
    unreserved_now: int
    held_by_us_now: int  # reserved now by this environment's functions (given back when re-set)
    wanted: int

    @property
    def available(self) -> int:
        return self.unreserved_now + self.held_by_us_now - MIN_UNRESERVED

    @property
    def fits(self) -> bool:
        return self.wanted <= self.available


def _counts(env: Environment, name: str) -> dict[str, int]:
    value = env.tfvars.get(name) or {}
    if not isinstance(value, dict) or not all(isinstance(v, int) and v >= 0 for v in value.values()):
        raise DeployError(
            f"envs/{env.name}/terraform.tfvars: {name} must map handlers to whole numbers, e.g. "
            "{ customer_lookup = 20 }"
        )
    return {str(k): int(v) for k, v in value.items()}


def wanted_concurrency(env: Environment) -> tuple[dict[str, int], dict[str, int], int]:
    """(reserved, provisioned, total taken from the account's unreserved pool) from the tfvars."""
    reserved = _counts(env, "reserved_concurrency")
    provisioned = _counts(env, "provisioned_concurrency")
    over = sorted(
        f"{k} ({provisioned[k]} > {reserved[k]})"
        for k in provisioned
        if provisioned[k] > reserved.get(k, 10**9)
    )
    if over:
        raise DeployError(
            f"envs/{env.name}/terraform.tfvars: provisioned_concurrency exceeds reserved_concurrency for "
            f"{', '.join(over)}; Lambda refuses provisioned concurrency above a function's reservation"
        )
    # Provisioned concurrency of a function without a reservation comes from the unreserved pool too.
    total = sum(reserved.values()) + sum(v for k, v in provisioned.items() if k not in reserved)
    return reserved, provisioned, total


def concurrency_budget(env: Environment, session: Any) -> ConcurrencyBudget | None:
    """What the account can give against what the environment wants; None when it wants nothing."""
    reserved, provisioned, total = wanted_concurrency(env)
    if total == 0:
        return None
    client = session.client("lambda", region_name=env.region)
    try:
        limit = client.get_account_settings()["AccountLimit"]
        held = 0
        for handler in sorted(set(reserved) | set(provisioned)):
            name = function_name(env, handler)
            try:
                now = client.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
            except ClientError as exc:
                if error_code(exc) != "ResourceNotFoundException":
                    raise
                now = None  # not deployed yet
            held += int(now or 0)
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"cannot read the account's Lambda concurrency: {error_text(exc)}") from None
    return ConcurrencyBudget(
        int(limit["ConcurrentExecutions"]), int(limit["UnreservedConcurrentExecutions"]), held, total
    )


def check_concurrency(env: Environment, session: Any) -> str:
    """A line for the operator; DeployError when the account cannot hold the reservations."""
    budget = concurrency_budget(env, session)
    if budget is None:
        return "Lambda concurrency: nothing reserved"
    if not budget.fits:
        needed = budget.account_limit + budget.wanted - budget.available
        raise DeployError(
            f"envs/{env.name} reserves {budget.wanted} concurrent Lambda executions, but the account "
            f"(limit {budget.account_limit}, {budget.unreserved_now} unreserved now) can give "
            f"{max(budget.available, 0)} while keeping the {MIN_UNRESERVED} that Lambda never lets go: "
            f"raise {CONCURRENCY_QUOTA} to at least {needed}, or lower reserved_concurrency / "
            f"provisioned_concurrency in envs/{env.name}/terraform.tfvars"
        )
    return (
        f"Lambda concurrency: {budget.wanted} reserved of {budget.available} the account can give "
        f"(limit {budget.account_limit})"
    )
