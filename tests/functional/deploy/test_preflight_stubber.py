"""The Lambda concurrency check before an apply, against botocore's Stubber (Lambda's real model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aicc_ops.deploy import preflight
from aicc_ops.deploy.environment import Environment
from aicc_ops.deploy.errors import DeployError

PROD_TFVARS = Path(__file__).resolve().parents[3] / "terraform" / "envs" / "prod" / "terraform.tfvars"


class _Session:
    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, region_name: str | None = None) -> Any:
        assert service == "lambda"
        return self._client


def _env(tmp_path: Path, tfvars: str) -> Environment:
    env_dir = tmp_path / "terraform" / "envs" / "prod"
    env_dir.mkdir(parents=True)
    (env_dir / "terraform.tfvars").write_text(tfvars, encoding="utf-8")
    (env_dir / "backend.hcl").write_text('region = "ap-northeast-2"\n', encoding="utf-8")
    return Environment.load("prod", tmp_path / "terraform")


def _stubbed(limit: int, unreserved: int, held: dict[str, int | None]) -> tuple[Any, Stubber]:
    client = boto3.client(
        "lambda", region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    stub.add_response(
        "get_account_settings",
        {"AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved}},
        {},
    )
    for name, value in sorted(held.items()):
        if value is None:
            stub.add_client_error(
                "get_function_concurrency",
                "ResourceNotFoundException",
                "no such function",
                404,
                {"FunctionName": name},
            )
        else:
            stub.add_response(
                "get_function_concurrency", {"ReservedConcurrentExecutions": value}, {"FunctionName": name}
            )
    return client, stub


def _deployed(handler: str) -> str:
    """prod's function of a handler, as modules/lambdas names it (name_prefix "aicc-prod")."""
    return "aicc-prod-" + handler.replace("_", "-")


def test_prods_reservations_fit_an_account_with_the_default_limit(tmp_path: Path) -> None:
    env = _env(tmp_path, PROD_TFVARS.read_text(encoding="utf-8"))
    reserved, _, total = preflight.wanted_concurrency(env)
    held = {_deployed(h): None for h in reserved}  # a first deploy: nothing yet
    client, stub = _stubbed(1000, 1000, held)
    with stub:
        line = preflight.check_concurrency(env, _Session(client))
        stub.assert_no_pending_responses()
    assert line == f"Lambda concurrency: {total} reserved of 900 the account can give (limit 1000)"


def test_a_new_account_with_10_concurrent_executions_is_stopped_before_the_apply(tmp_path: Path) -> None:
    env = _env(tmp_path, PROD_TFVARS.read_text(encoding="utf-8"))
    reserved, _, total = preflight.wanted_concurrency(env)
    client, stub = _stubbed(10, 10, {_deployed(h): None for h in reserved})
    with stub, pytest.raises(DeployError) as stopped:
        preflight.check_concurrency(env, _Session(client))
    message = str(stopped.value)
    assert f"envs/prod reserves {total} concurrent Lambda executions" in message
    assert (
        "(limit 10, 10 unreserved now) can give 0 while keeping the 100 that Lambda never lets go" in message
    )
    assert (
        f"raise Concurrent executions (Service Quotas: lambda L-B99A9384) to at least {10 + total + 90}"
        in message
    )


def test_what_our_functions_hold_already_counts_as_available(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        'account_id = "222222222222"\nname_prefix = "aicc-prod"\nreserved_concurrency = { call_log = 50 }\n',
    )
    # 150 limit, 100 unreserved: 50 held by call_log itself, re-set to the same 50.
    client, stub = _stubbed(150, 100, {"aicc-prod-call-log": 50})
    with stub:
        assert "50 reserved of 50" in preflight.check_concurrency(env, _Session(client))


def test_provisioned_above_reserved_is_refused_without_a_call(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        'account_id = "222222222222"\nreserved_concurrency = { call_log = 2 }\nprovisioned_concurrency = { call_log = 5 }\n',
    )
    with pytest.raises(
        DeployError, match=r"provisioned_concurrency exceeds reserved_concurrency for call_log \(5 > 2\)"
    ):
        preflight.check_concurrency(env, _Session(None))


def test_nothing_reserved_asks_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path, 'account_id = "111111111111"\nreserved_concurrency = {}\n')
    assert preflight.check_concurrency(env, _Session(None)) == "Lambda concurrency: nothing reserved"
