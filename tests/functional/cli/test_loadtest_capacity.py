"""`aicc-ops loadtest capacity`: the `capacity` command object, run with CliRunner (the `loadtest`
group registers it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc_ops.admin.call_costs import CallCosts
from aicc_ops.cli.loadtest_capacity import capacity
from aicc_ops.local.scenarios import DEMO_CALLS


@pytest.fixture
def costs_file(tmp_path: Path) -> Path:
    costs = CallCosts(
        calls=16,
        source="test",
        invocations={"business_hours": 1.0, "customer_lookup": 1.0, "call_log": 1.5, "lex_hook": 2.0},
        connect_api={},
        lex_turns=2.0,
        tts_prompts=10.0,
        tts_characters=400.0,
        analytics=1.0,
    )
    path = tmp_path / "costs.json"
    costs.save(path)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(capacity, list(args))
    return result.exit_code, result.output


def test_prod_is_bound_by_its_concurrent_call_quota(costs_file: Path) -> None:
    code, out = run(
        "--env", "prod", "--costs", str(costs_file), "--calls-per-second", "1", "--call-seconds", "300"
    )
    assert code == 0, out
    assert "deployment: envs/prod/terraform.tfvars" in out
    assert "Binding: Connect concurrent active calls at 0.0333 calls/s" in out  # 10 calls / 300 s
    assert "Lambda customer_lookup: reserved concurrency" in out
    assert "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html" in out


def test_json_gives_every_limit_and_the_binding_one(costs_file: Path, tmp_path: Path) -> None:
    quotas = tmp_path / "quotas.yaml"
    quotas.write_text("connect.concurrent_calls: 1000\n", encoding="utf-8")
    code, out = run(
        "--env", "dev", "--costs", str(costs_file), "--quotas", str(quotas), "--call-seconds", "200", "--json"
    )
    assert code == 0, out
    data = json.loads(out)
    limits = {x["key"]: x for x in data["limits"]}
    assert limits["connect.concurrent_calls"]["quota"] == 1000
    assert limits["connect.concurrent_calls"]["max_calls_per_second"] == 5.0  # 1000 / 200 s
    # dev reserves nothing: every handler shares the unreserved 1000, each at its timeout.
    assert limits["lambda.concurrent_executions"]["quota"] == 1000
    # Contact Lens real-time: 300 concurrent, every call for 200 s -> 1.5 calls/s, before the calls quota.
    assert data["binding"]["key"] == "contact_lens.realtime_calls"
    assert data["binding"]["max_calls_per_second"] == 1.5
    assert data["concurrent_calls"] == 200.0


def test_durations_shrink_the_lambda_load(costs_file: Path) -> None:
    code, out = run("--env", "dev", "--costs", str(costs_file), "--duration", "lex_hook=50", "--json")
    assert code == 0, out
    pool = next(x for x in json.loads(out)["limits"] if x["key"] == "lambda.concurrent_executions")
    # business_hours 1 x 3 s, customer_lookup 1 x 3 s, call_log 1.5 x 3 s at their timeouts; lex_hook 2 x 0.05 s.
    assert pool["load"] == pytest.approx(3 + 3 + 4.5 + 0.1)


def test_a_tfvars_file_can_stand_for_an_environment(costs_file: Path, tmp_path: Path) -> None:
    tfvars = tmp_path / "my.tfvars"
    tfvars.write_text(
        "concurrent_calls_quota = 250\nreserved_concurrency = { call_log = 40 }\n", encoding="utf-8"
    )
    code, out = run("--tfvars", str(tfvars), "--costs", str(costs_file), "--json")
    assert code == 0, out
    limits = {x["key"]: x for x in json.loads(out)["limits"]}
    assert limits["connect.concurrent_calls"]["quota"] == 250
    assert limits["reserved_concurrency.call_log"]["quota"] == 40
    assert limits["lambda.concurrent_executions"]["quota"] == 960


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env", "prod", "--tfvars", "x.tfvars"), "give --env or --tfvars, not both"),
        (("--env", "staging"), "'staging' is not an environment"),
        (("--duration", "nope=5"), "no function nope"),
        (("--duration", "lex_hook"), "give HANDLER=MS"),
        (("--call-seconds", "0"), "call-seconds must be a number above 0"),
    ],
)
def test_operator_errors_say_what_to_fix(costs_file: Path, args: tuple[str, ...], message: str) -> None:
    code, out = run(*args, "--costs", str(costs_file))
    assert code != 0
    assert message in out and "Traceback" not in out


def test_without_costs_the_demo_calls_are_measured_and_can_be_saved(tmp_path: Path) -> None:
    saved = tmp_path / "measured.json"
    code, out = run("--env", "prod", "--save-costs", str(saved), "--json")
    assert code == 0, out
    data = json.loads(out[out.index("{") :])  # after the "Measuring..." line on stderr
    demo = len(DEMO_CALLS)  # every demo call is measured once
    assert data["per_call"]["calls"] == demo and data["per_call"]["invocations"]["business_hours"] == 1.0
    assert CallCosts.load(saved).invocations == data["per_call"]["invocations"]
