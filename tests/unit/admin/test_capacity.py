"""Capacity arithmetic: each limit's quota and source, its load at a rate of calls, the binding one."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.settings import config_dir
from aicc_ops.admin import capacity as cap
from aicc_ops.admin.call_costs import CallCosts
from aicc_ops.core.repository import TERRAFORM_DIR
from aicc_ops.deploy.environment import read_hcl

FUNCTIONS = {
    "customer_lookup": cap.Function("customer_lookup", 3.0),
    "escalation": cap.Function("escalation", 3.0, pages=True),
    "lex_hook": cap.Function("lex_hook", 5.0),
}


def costs(**changes: object) -> CallCosts:
    values: dict[str, object] = {
        "calls": 4,
        "source": "test",
        "invocations": {"customer_lookup": 1.0, "escalation": 0.5, "lex_hook": 2.0},
        "connect_api": {},
        "lex_turns": 2.0,
        "tts_prompts": 10.0,
        "tts_characters": 400.0,
        "analytics": 0.5,
    }
    return CallCosts(**(values | changes))  # type: ignore[arg-type]


def plan(
    cps: float = 1.0,
    seconds: float = 200.0,
    deployment: cap.Deployment | None = None,
    quotas: cap.Quotas | None = None,
    durations_ms: dict[str, float] | None = None,
    **cost_changes: object,
) -> cap.Plan:
    timed = cap.durations(FUNCTIONS, durations_ms or {})
    return cap.plan(
        cap.Load(cps, seconds),
        deployment or cap.Deployment("none"),
        FUNCTIONS,
        costs(**cost_changes),
        timed,
        quotas,
    )


def limit(p: cap.Plan, key: str) -> cap.Limit:
    return next(x for x in p.limits if x.key == key)


def test_concurrent_calls_are_arrivals_times_handle_time_against_the_deployed_quota() -> None:
    p = plan(cps=0.5, seconds=200, deployment=cap.Deployment("prod.tfvars", concurrent_calls=40))
    calls = limit(p, "connect.concurrent_calls")
    assert calls.load(0.5) == pytest.approx(100)  # Little's law: 0.5/s x 200 s
    assert (calls.value, calls.source) == (40, "prod.tfvars (concurrent_calls_quota)")
    assert calls.max_calls_per_second == pytest.approx(0.2)
    assert p.binding is calls and p.exceeded == [calls]


def test_without_tfvars_the_documented_default_applies_and_a_quotas_file_wins(tmp_path: Path) -> None:
    default = limit(plan(), "connect.concurrent_calls")
    assert default.value == 10 and default.source.startswith(cap.CONNECT_QUOTAS)
    file = tmp_path / "quotas.yaml"
    file.write_text("connect.concurrent_calls: 500\n", encoding="utf-8")
    raised = limit(
        plan(deployment=cap.Deployment("prod.tfvars", concurrent_calls=40), quotas=cap.Quotas.load(file)),
        "connect.concurrent_calls",
    )
    assert (raised.value, raised.source) == (500, str(file))
    assert "prod.tfvars says 40" in raised.note  # the tfvars' alarms would fire on the old quota


def test_reserved_functions_have_their_own_cap_the_others_share_the_unreserved_pool() -> None:
    deployment = cap.Deployment("t", reserved={"customer_lookup": 20}, provisioned={"customer_lookup": 2})
    p = plan(deployment=deployment, durations_ms={"customer_lookup": 200})
    lookup = limit(p, "reserved_concurrency.customer_lookup")
    assert lookup.value == 20 and lookup.per_cps == pytest.approx(1.0 * 0.2)  # 1 per call x 0.2 s
    assert "2 provisioned" in lookup.note
    pool = limit(p, "lambda.concurrent_executions")
    assert pool.value == 1000 - 20
    # escalation at its 3 s timeout (0.5 per call) and lex_hook at 5 s (2 per call) share the rest.
    assert pool.per_cps == pytest.approx(0.5 * 3 + 2 * 5)


def test_reserving_below_lambdas_unreserved_minimum_is_reported() -> None:
    p = plan(deployment=cap.Deployment("t", reserved={"customer_lookup": 950}))
    assert "below Lambda's minimum of 100 unreserved" in limit(p, "lambda.concurrent_executions").note


def test_a_deployment_naming_an_unknown_function_is_refused() -> None:
    with pytest.raises(cap.CapacityError, match="names no function nope"):
        plan(deployment=cap.Deployment("t", reserved={"nope": 5}))


def test_durations_default_to_the_timeouts_and_unknown_handlers_are_refused() -> None:
    timed = cap.durations(FUNCTIONS, {"lex_hook": 40})
    assert timed["customer_lookup"].ms == 3000 and "upper bound" in timed["customer_lookup"].source
    assert timed["lex_hook"].ms == 40
    with pytest.raises(cap.CapacityError, match="no function nope"):
        cap.durations(FUNCTIONS, {"nope": 1})


def test_connect_api_rows_use_connects_per_operation_quota() -> None:
    p = plan(connect_api={"StartOutboundVoiceContact": 0.25})
    pages = limit(p, "connect.api.StartOutboundVoiceContact")
    assert pages.value == 2.0 and pages.max_calls_per_second == pytest.approx(8.0)
    idle = limit(plan(), "connect.api.StartOutboundVoiceContact")  # a function that pages, no page measured
    assert idle.per_cps == 0 and idle.max_calls_per_second is None and "not called" in idle.note


def test_analytics_lex_and_polly_loads() -> None:
    p = plan(cps=1.0, seconds=200)
    assert limit(p, "contact_lens.realtime_calls").load(1.0) == pytest.approx(0.5 * 200)
    assert limit(p, "contact_lens.post_call_jobs").load(1.0) == pytest.approx(0.5 * 200 * 0.4)
    lex = limit(p, "lex.concurrent_conversations")
    assert lex.per_cps == pytest.approx(2.0 * cap.LEX_TURN_SECONDS) and lex.value is None
    polly = limit(p, "polly.neural_tps")
    assert polly.per_cps == 10.0 and polly.value == 8 and not polly.confirmed


def test_the_binding_limit_is_the_confirmed_one_reached_first(tmp_path: Path) -> None:
    file = tmp_path / "quotas.yaml"
    file.write_text("connect.concurrent_calls: 100000\nlex.concurrent_conversations: 60\n", encoding="utf-8")
    p = plan(quotas=cap.Quotas.load(file))
    # Polly (8/s at 10 prompts per call: 0.8 calls/s) would be first, but is not confirmed to apply.
    assert limit(p, "polly.neural_tps").max_calls_per_second == pytest.approx(0.8)
    assert p.binding is not None and p.binding.key == "lex.concurrent_conversations"  # 60 / (2 x 15 s)
    assert p.to_json()["binding"]["max_calls_per_second"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("connect.calls: 5\n", "unknown quota 'connect.calls'"),
        ("polly.neural_tps: fast\n", "must be a number above 0"),
        ("lambda.concurrent_executions: 0\n", "must be a number above 0"),
        ("- 1\n", "must be a mapping"),
    ],
)
def test_a_bad_quotas_file_says_what_to_fix(tmp_path: Path, text: str, problem: str) -> None:
    file = tmp_path / "quotas.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(cap.CapacityError, match=problem):
        cap.Quotas.load(file)


def test_any_connect_operation_may_be_given_a_raised_rate(tmp_path: Path) -> None:
    file = tmp_path / "quotas.yaml"
    file.write_text("connect.api.StartOutboundVoiceContact: 10\n", encoding="utf-8")
    assert cap.Quotas.load(file).connect_api("StartOutboundVoiceContact") == (10.0, str(file))


def test_the_repositorys_environments_are_read_from_their_tfvars() -> None:
    prod = cap.Deployment.from_tfvars(read_hcl(TERRAFORM_DIR / "envs/prod/terraform.tfvars"), "prod")
    assert prod.concurrent_calls == 10
    assert prod.reserved["customer_lookup"] == 20 and prod.provisioned["business_hours"] == 2
    dev = cap.Deployment.from_tfvars(read_hcl(TERRAFORM_DIR / "envs/dev/terraform.tfvars"), "dev")
    assert dev.reserved == {} and dev.provisioned == {}
    with pytest.raises(cap.CapacityError, match="whole numbers"):
        cap.Deployment.from_tfvars({"reserved_concurrency": {"a": "many"}}, "x")


def test_functions_yaml_gives_every_function_and_its_timeout() -> None:
    functions = cap.read_functions(config_dir())
    assert functions["lex_hook"].timeout == 5 and functions["customer_lookup"].timeout == 3
    assert functions["escalation"].pages and not functions["call_log"].pages


def test_a_load_must_be_positive() -> None:
    with pytest.raises(cap.CapacityError, match="call-seconds must be a number above 0"):
        cap.Load(1.0, 0.0)
