"""Failover drill logic: the fault catalogue, scenarios, the plan, the verification rule (a dropped
caller fails the drill), the runner loop that always removes its faults, and the reports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from aicc.settings import config
from aicc_ops.admin import drill as dr
from aicc_ops.admin import failover as fo
from aicc_ops.admin import throttle as th
from aicc_ops.admin import traffic_shift as ts
from aicc_ops.engine.flows import handler_names
from aicc_ops.local.call_client import CallApiError, CallClient

HANDLERS = handler_names()
QUEUES = list(config().queues)
QUEUE_NAMES = {k: q.name for k, q in config().queues.items()}


def fault(text: str) -> dr.Fault:
    return dr.parse_fault(text, HANDLERS, QUEUES)


# ---- catalogue ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lambda-error:customer_lookup", {"lambdas": {"customer_lookup": "error"}}),
        ("lambda-timeout:escalation", {"lambdas": {"escalation": "timeout"}}),
        ("lambda-throttle:call_log", {"lambdas": {"call_log": "throttle"}}),
        ("lambda-bad-response:callback", {"lambdas": {"callback": "bad_response"}}),
        ("dynamodb-throttle", {"services": ["dynamodb"]}),
        ("no-agents", {"agents_offline": True}),
        ("queue-full:msp_emergency", {"queue_limits": {"msp_emergency": 0}}),
        ("lex-down", {"lambdas": {"lex_hook": "error"}}),
        ("none", {}),
    ],
)
def test_each_fault_is_the_server_api_body(text: str, expected: dict[str, Any]) -> None:
    assert fault(text).faults.to_json() == expected


def test_all_means_every_handler() -> None:
    assert fault("lambda-timeout:all").faults.lambdas == dict.fromkeys(HANDLERS, "timeout")


def test_plus_joins_faults_into_one_set() -> None:
    f = fault("lambda-error:customer_lookup+no-agents+queue-full:msp_general")
    assert f.name == "lambda-error:customer_lookup+no-agents+queue-full:msp_general"
    assert f.faults.to_json() == {
        "lambdas": {"customer_lookup": "error"},
        "agents_offline": True,
        "queue_limits": {"msp_general": 0},
    }


def test_worst_day_is_everything_at_once() -> None:
    f = fault("worst-day")
    assert f.faults.to_json() == {
        "lambdas": {"business_hours": "timeout", "lex_hook": "error"},
        "services": ["dynamodb"],
        "agents_offline": True,
        "queue_limits": {"msp_emergency": 0},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lambda-error:lookup", "use lambda-error:HANDLER or lambda-error:all; handlers: agent_assignment"),
        ("queue-full:vip", "use queue-full:QUEUE; queues: msp_emergency, msp_general"),
        ("no-agents:now", "no-agents takes no argument"),
        ("meteor", "'meteor' is not a fault; one of lambda-error:HANDLER|all"),
        ("+", "an empty --fault"),
    ],
)
def test_bad_faults_say_what_to_give(text: str, message: str) -> None:
    with pytest.raises(fo.DrillError, match=message.replace("|", r"\|")):
        fault(text)


def test_catalogue_has_every_fault_once_and_ends_with_the_worst_day() -> None:
    names = [f.name for f in dr.catalogue(HANDLERS, QUEUES)]
    assert len(names) == len(set(names))
    for handler in HANDLERS:
        if handler != "lex_hook":  # its failure is lex-down
            assert f"lambda-error:{handler}" in names and f"lambda-timeout:{handler}" in names
    for prefix in dr.LAMBDA_FAULTS:
        assert f"{prefix}:all" in names
    assert {"dynamodb-throttle", "no-agents", "lex-down"} <= set(names)
    assert {f"queue-full:{q}" for q in QUEUES} <= set(names)
    assert names[-1] == "worst-day"
    assert "none" not in names


# ---- scenarios --------------------------------------------------------------------------------------------


def test_default_scenarios_are_the_demo_mix_without_its_own_faults() -> None:
    from aicc_ops.local.scenarios import DEMO_CALLS

    scenarios = dr.default_scenarios()
    assert [s.name for s in scenarios] == [c.name for c in DEMO_CALLS if not c.faults]
    keys = [s.key for s in scenarios]
    assert len(keys) == len(set(keys)) and all(k.isascii() for k in keys)
    names = " ".join(s.name for s in scenarios)
    for kind in ("MSP", "General", "Unregistered", "After hours", "emergency", "Holiday"):
        assert kind in names
    instants = {s.at for s in scenarios}
    assert {"2026-11-25T10:00:00+09:00", "2026-11-25T20:30:00+09:00", "2026-09-25T10:00:00+09:00"} <= instants


def test_scenarios_by_key_or_number_in_the_order_given() -> None:
    known = dr.default_scenarios()
    picked = dr.select_scenarios(["holiday-email", "1", "HOLIDAY-EMAIL"], known)
    assert [s.key for s in picked] == ["holiday-email", known[0].key]
    assert dr.select_scenarios([], known) == known


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(
        fo.DrillError, match=r"'lunch' is not a scenario; one of: 1 msp-outage-speech-auth, 2 "
    ):
        dr.select_scenarios(["lunch"], dr.default_scenarios())


# ---- plan -------------------------------------------------------------------------------------------------


def test_the_plan_puts_the_baseline_first_and_counts_calls() -> None:
    runner = FakeRunner()
    scenarios = dr.default_scenarios()[:3]
    plan = dr.build_plan(runner, [fault("no-agents"), fault("none")], scenarios, 60)
    assert [f.name for f in plan.faults] == ["none", "no-agents"]
    assert plan.calls == 6
    data = plan.to_json()
    assert data["faults"][1]["injected"] == ["fake: {'agents_offline': True}"]
    assert data["scenarios"][0]["number"] == 1 and data["rollback"] == ["fake: clear"]


def test_in_process_plan_names_where_each_fault_goes_without_a_stack() -> None:
    runner = dr.InProcessRunner()
    points = runner.injection_points(fault("worst-day").faults)
    assert points == [
        "LocalLambdas.faults: business_hours=timeout, lex_hook=error",
        "LocalLambdas.service_faults += 'dynamodb' (botocore before-send)",
        "agents table: every agent's status = OFFLINE",
        "Engine.queue_limits['msp_emergency'] = 0",
    ]


# ---- verification ---------------------------------------------------------------------------------------


def prompt(text: str) -> dict[str, str]:
    return {"kind": "prompt", "text": text, "at": "", "flow": ""}


def said(text: str) -> dict[str, str]:
    return {"kind": "input", "text": text, "at": "", "flow": ""}


def test_a_caller_waiting_in_a_queue_passes() -> None:
    v = dr.verify(
        {"in_queue": True, "queue": "MSP General", "queue_transfers": ["MSP General", "agent:ts.park"]}
    )
    assert v == dr.Verdict("queue", "agent:ts.park")


def test_a_callback_passes_even_when_the_call_ends() -> None:
    v = dr.verify({"disconnected": True, "callbacks": [{"queue": "General Customer", "number": "+8210"}]})
    assert (v.outcome, v.ended) == ("callback", "General Customer")


def test_a_call_ending_on_a_spoken_explanation_passes() -> None:
    v = dr.verify(
        {"disconnected": True, "transcript": [said("1"), prompt("죄송합니다. 메일로 문의해 주세요.")]}
    )
    assert v == dr.Verdict("explained", "죄송합니다. 메일로 문의해 주세요.")


@pytest.mark.parametrize(
    ("result", "detail"),
    [
        (
            {"disconnected": True, "transcript": [prompt("안녕하세요"), said("1")]},
            "nothing after the caller's '1'",
        ),
        ({"disconnected": True, "transcript": []}, "no word at all"),
        # Queued once, then cut off in silence: still a dropped caller.
        (
            {"disconnected": True, "queue": "MSP General", "transcript": [prompt("대기"), said("2")]},
            "nothing after the caller's '2'",
        ),
        (
            {"disconnected": False, "in_queue": False, "end_reason": "flow ended"},
            "neither queued nor explained",
        ),
        # The engine's own judgement wins over a last prompt.
        ({"disconnected": True, "transcript": [prompt("x")], "dropped_silently": True}, "disconnected with"),
    ],
)
def test_anything_else_is_a_dropped_caller(result: dict[str, Any], detail: str) -> None:
    v = dr.verify(result)
    assert v.outcome == "DROPPED"
    assert detail in v.detail


def test_exercised_tells_whether_the_call_met_its_fault() -> None:
    lookup_failed = {"lambda_calls": [{"function": "customer_lookup", "error": "Unhandled: x"}]}
    assert dr.exercised(fault("lambda-error:customer_lookup").faults, lookup_failed, None, QUEUE_NAMES)
    assert dr.exercised(fault("lambda-error:escalation").faults, lookup_failed, None, QUEUE_NAMES) is False
    lex = {"steps": [{"type": "ConnectParticipantWithLexBot", "detail": "lex code hook: Unhandled: x"}]}
    assert dr.exercised(fault("lex-down").faults, lex, None, QUEUE_NAMES)
    full = {"steps": [{"type": "TransferContactToQueue", "detail": "MSP Emergency holds 0"}]}
    assert dr.exercised(fault("queue-full:msp_emergency").faults, full, None, QUEUE_NAMES)
    assert dr.exercised(fault("queue-full:msp_general").faults, full, None, QUEUE_NAMES) is False
    assert dr.exercised(fault("dynamodb-throttle").faults, {}, 3, QUEUE_NAMES)
    assert dr.exercised(fault("dynamodb-throttle").faults, {}, 0, QUEUE_NAMES) is False
    assert dr.exercised(fault("dynamodb-throttle").faults, {}, None, QUEUE_NAMES) is None  # over HTTP
    assert dr.exercised(fault("no-agents").faults, {}, None, QUEUE_NAMES)


# ---- the drill loop ---------------------------------------------------------------------------------------

QUEUED = {"in_queue": True, "queue": "MSP General", "queue_transfers": ["MSP General"], "flows": ["A", "B"]}
SILENT = {"disconnected": True, "transcript": [prompt("안녕하세요"), said("1")], "flows": ["A"]}


class FakeRunner:
    """Records what the drill asks; answers from a table keyed by (fault set JSON, scenario key)."""

    description = "fake"

    def __init__(
        self,
        answers: Mapping[str, dict[str, Any]] | None = None,
        fail_on: str = "",
        problems: list[str] | None = None,
    ) -> None:
        self.answers = dict(answers or {})
        self.fail_on = fail_on
        self.problems = problems or []
        self.log: list[str] = []
        self.active = dr.FaultSet()

    def injection_points(self, faults: dr.FaultSet) -> list[str]:
        return [f"fake: {faults.to_json()}"]

    def rollback_plan(self) -> list[str]:
        return ["fake: clear"]

    def inject(self, faults: dr.FaultSet) -> None:
        self.active = faults
        self.log.append(f"inject {json.dumps(faults.to_json(), sort_keys=True)}")

    def place(self, scenario: dr.Scenario, hold_seconds: int) -> dr.Placed:
        self.log.append(f"place {scenario.key}")
        if scenario.key == self.fail_on == "ctrl-c":
            raise KeyboardInterrupt
        if scenario.key == self.fail_on:
            raise dr.RunnerError("call API gone")
        key = f"{json.dumps(self.active.to_json(), sort_keys=True)} {scenario.key}"
        return dr.Placed(self.answers.get(key, QUEUED), 1.0, 0)

    def clear(self) -> fo.Rollback:
        self.log.append("clear")
        self.active = dr.FaultSet()
        return fo.Rollback(["faults off"], list(self.problems))


def scenario(key: str) -> dr.Scenario:
    return dr.Scenario(key, key, "+821012345678", "2026-11-25T10:00:00+09:00", ("1",))


def drill(runner: FakeRunner, faults: list[str], keys: list[str]) -> dr.DrillReport:
    plan = dr.build_plan(runner, [fault(f) for f in faults], [scenario(k) for k in keys], 60)
    return dr.run_drill(plan, runner, QUEUE_NAMES)


def test_every_fault_is_injected_then_removed_around_its_calls() -> None:
    runner = FakeRunner()
    report = drill(runner, ["no-agents"], ["a", "b"])
    assert runner.log == [
        "inject {}",
        "place a",
        "place b",
        "clear",
        'inject {"agents_offline": true}',
        "place a",
        "place b",
        "clear",
        "clear",  # the final safety net
    ]
    assert report.passed and report.verdict() == "PASS"
    assert report.totals() == {"queue": 4, "callback": 0, "explained": 0, "DROPPED": 0}
    assert report.rollback.done and report.rollback.steps == ["faults off"]


def test_one_dropped_caller_fails_the_drill() -> None:
    runner = FakeRunner({'{"agents_offline": true} b': SILENT})
    report = drill(runner, ["no-agents"], ["a", "b"])
    assert not report.passed
    assert report.verdict() == "FAIL (1 caller(s) dropped)"
    [dropped] = report.dropped
    assert (dropped.fault, dropped.scenario, dropped.baseline) == ("no-agents", "b", "queue (MSP General)")
    data = report.to_json()
    assert data["verdict"] == "FAIL" and data["totals"]["DROPPED"] == 1
    md = report.to_markdown()
    assert "- Verdict: **FAIL (1 caller(s) dropped)**" in md
    assert (
        "## Dropped callers" in md
        and "| no-agents | b | disconnected with nothing after the caller's '1' | A |" in md
    )


def test_a_fault_that_changes_where_callers_land_is_shown_against_the_baseline() -> None:
    explained = {"disconnected": True, "transcript": [prompt("죄송합니다")]}
    runner = FakeRunner({'{"lambdas": {"customer_lookup": "error"}} a': explained})
    report = drill(runner, ["lambda-error:customer_lookup"], ["a"])
    assert report.passed
    [changed] = report.changed
    assert (changed.baseline, changed.landing) == ("queue (MSP General)", "explained")
    row = report.by_fault()[1]
    assert row["changed"] == 1 and row["exercised"] == 0 and row["result"] == "pass"
    assert report.never_exercised() == ["lambda-error:customer_lookup"]
    md = report.to_markdown()
    assert "| lambda-error:customer_lookup | a | queue (MSP General) | explained: 죄송합니다 |" in md
    assert "No scenario met these faults" in md


def test_a_runner_failure_stops_the_drill_and_still_removes_the_faults() -> None:
    runner = FakeRunner(fail_on="b")
    report = drill(runner, ["dynamodb-throttle"], ["a", "b", "c"])
    assert runner.log[-2:] == ["clear", "clear"]
    assert "place c" not in runner.log
    assert report.aborted == "call API gone"
    assert not report.passed and "stopped early: call API gone" in report.verdict()


def test_ctrl_c_removes_the_faults_and_reports_what_ran() -> None:
    runner = FakeRunner(fail_on="ctrl-c")
    report = drill(runner, ["no-agents"], ["a", "ctrl-c"])
    assert report.aborted == "interrupted (Ctrl-C)"
    assert runner.log.count("clear") == 2
    assert len(report.runs) == 1 and not report.passed


def test_a_failed_removal_fails_the_drill_and_says_so() -> None:
    runner = FakeRunner(problems=["DELETE failed; remove the faults by hand"])
    report = drill(runner, ["no-agents"], ["a"])
    assert not report.passed and "rollback incomplete" in report.verdict()
    # Said once, though the removal after the fault and the final safety net both failed.
    assert report.rollback.problems == ["DELETE failed; remove the faults by hand"]
    assert "- Rollback: INCOMPLETE: DELETE failed; remove the faults by hand\n" in report.to_markdown()


# ---- HTTP runner: the call API contract ------------------------------------------------------------------


class Recorder(CallClient):
    """The call API as the runner sees it: records requests, answers a call and the agents."""

    def __init__(
        self, call: Any = None, state: str = "queued", agents: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__("http://127.0.0.1:4567")
        self.calls: list[tuple[str, str, Any]] = []
        self.answer: dict[str, Any] = {"contact_id": "c-1", "state": state, "call": call, "error": None}
        self.agents_now = agents or []

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        self.calls.append((method, path, body))
        if method == "POST":
            return self.answer
        if method == "GET":
            return self.agents_now
        return {}


class Refusing(CallClient):
    """A call API that answers every request with an error (`status` 0: it does not answer at all)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__("http://x")
        self.message, self.status_code = message, status

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        raise CallApiError(self.message, self.status_code)


def test_http_runner_speaks_the_documented_call_api() -> None:
    api = Recorder(QUEUED)
    runner = dr.HttpRunner("http://127.0.0.1:4567/", client=api)
    runner.inject(fault("lambda-error:customer_lookup+no-agents").faults)
    placed = runner.place(dr.default_scenarios()[0], 90)
    assert placed.result == QUEUED and placed.service_hits is None
    assert runner.clear().steps == ["DELETE http://127.0.0.1:4567/faults"]
    assert api.calls == [
        ("PUT", "/faults", {"lambdas": {"customer_lookup": "error"}, "agents_offline": True}),
        (
            "POST",
            "/calls",
            {
                "caller": "+821012345678",
                "inputs": [
                    "say:솔트웨어",
                    "say:김민준입니다",
                    "1234#",
                    "1",
                    "say:운영 웹서버가 응답하지 않습니다",
                ],
                "at": "2026-11-25T10:00:00+09:00",
                "hold_seconds": 90,
                "wait": True,
                "timeout": 110.0,
            },
        ),
        ("DELETE", "/calls/c-1", None),  # the queued drill caller hangs up
        ("DELETE", "/faults", None),
    ]
    assert runner.injection_points(fault("no-agents").faults) == [
        'PUT http://127.0.0.1:4567/faults {"agents_offline": true}'
    ]


def test_http_runner_sets_scenario_agents_through_the_api_and_restores_them() -> None:
    api = Recorder(SILENT, state="ended", agents=[{"login": "ts.park", "state": "AVAILABLE"}])
    runner = dr.HttpRunner("http://127.0.0.1:4567", client=api)
    busy = dr.Scenario("s", "s", "+821056789012", "2026-11-25T10:00:00+09:00", ("2",), {"ts.park": "BUSY"})
    runner.place(busy, 0)
    assert [(m, u, b) for m, u, b in api.calls if m != "POST"] == [
        ("GET", "/agents", None),
        ("PUT", "/agents/ts.park", {"status": "OFFLINE"}),  # not available, as BUSY means
        ("GET", "/agents", None),
        ("PUT", "/agents/ts.park", {"status": "AVAILABLE"}),
    ]  # an ended call is not hung up again
    api.calls.clear()
    runner.inject(fault("no-agents").faults)
    runner.place(busy, 0)  # with everyone offline, the scenario's statuses stay out
    assert [m for m, _, _ in api.calls] == ["PUT", "POST"]


def test_a_call_the_server_could_not_run_is_judged_with_its_error() -> None:
    api = Recorder({"disconnected": False, "transcript": []}, state="ended")
    api.answer["error"] = "FlowRunError: MSP Customer / x: error:NoMatchingError has no branch"
    placed = dr.HttpRunner("http://x", client=api).place(scenario("a"), 0)
    verdict = dr.verify(placed.result)
    assert verdict.outcome == "DROPPED"
    assert verdict.ended == "flow error: FlowRunError: MSP Customer / x: error:NoMatchingError has no branch"


def test_http_runner_refuses_an_answer_that_is_not_a_call() -> None:
    api = Recorder()
    api.answer = {"error": "no route"}
    with pytest.raises(dr.RunnerError, match="did not answer a call with its flow result"):
        dr.HttpRunner("http://x", client=api).place(scenario("a"), 10)


def test_a_request_the_call_api_refuses_stops_the_drill_naming_it() -> None:
    api = Refusing("no call or agent ts.park", 404)
    busy = dr.Scenario("s", "s", "+821056789012", "2026-11-25T10:00:00+09:00", ("2",), {"ts.park": "BUSY"})
    with pytest.raises(dr.RunnerError) as caught:
        dr.HttpRunner("http://x", client=api).place(busy, 0)
    assert str(caught.value) == "GET http://x/agents: HTTP 404: no call or agent ts.park"


def test_http_runner_that_cannot_remove_faults_says_how_to() -> None:
    api = Refusing("the call API at http://x does not answer (refused); is `aicc-ops local up` running?")
    rollback = dr.HttpRunner("http://x", client=api).clear()
    assert rollback.problems == [
        "DELETE http://x/faults: the call API at http://x does not answer (refused); is `aicc-ops local "
        "up` running?; remove the faults by hand: curl -X DELETE http://x/faults"
    ]


def test_unreachable_call_api_is_a_clear_runner_error() -> None:
    runner = dr.HttpRunner("http://127.0.0.1:9", timeout=2)
    with pytest.raises(
        dr.RunnerError,
        match=r"^PUT http://127.0.0.1:9/faults: the call API at http://127.0.0.1:9 does not answer .*"
        r"is `aicc-ops local up` running\?$",
    ):
        runner.inject(fault("no-agents").faults)


# ---- AWS: which faults can go there ------------------------------------------------------------------------


def test_only_lambda_throttling_can_be_injected_on_aws() -> None:
    deployed = ["call_log", "customer_lookup"]
    faults = [
        dr.parse_fault(f, deployed, QUEUES)
        for f in ("lambda-throttle:customer_lookup", "lambda-throttle:all")
    ]
    assert th.lambda_throttle_handlers(faults) == ["customer_lookup", "call_log"]
    with pytest.raises(fo.DrillError, match="'no-agents' cannot be injected on AWS: only lambda-throttle"):
        th.lambda_throttle_handlers([fault("no-agents")])
    with pytest.raises(fo.DrillError, match="cannot be injected on AWS"):
        th.lambda_throttle_handlers([fault("lambda-error:customer_lookup")])


def test_phone_script_tells_testers_what_to_do() -> None:
    lines = th.phone_script(dr.default_scenarios()[:3])
    assert lines[0] == (
        "1. MSP outage (speech auth) (in Seoul: 10:00 on 2026-11-25): say '솔트웨어', say '김민준입니다', "
        "press 1234#, press 1, say '운영 웹서버가 응답하지 않습니다'"
    )
    assert "stay silent, stay silent, stay silent, press 5678#" in lines[2]


# ---- AWS: Global Resiliency plan -----------------------------------------------------------------------------

GROUP = ts.TrafficGroup("id", "arn:tdg", "aicc", "ACTIVE", True, "arn:instance")
ORIGINAL = ts.Distribution(
    {"ap-northeast-1": 100, "ap-northeast-3": 0},
    {"ap-northeast-1": 100, "ap-northeast-3": 0},
    {"ap-northeast-1": True, "ap-northeast-3": False},
)


@pytest.mark.parametrize(
    ("text", "current", "shares"),
    [
        ("2", 0, [50, 100]),
        ("3", 0, [30, 70, 100]),
        ("1", 50, [100]),
        ("30,60,100", 0, [30, 60, 100]),
        ("50%", 0, [50]),
        ("10", 0, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]),
    ],
)
def test_steps_are_shares_of_the_target_region(text: str, current: int, shares: list[int]) -> None:
    assert ts.parse_steps(text, current) == shares


@pytest.mark.parametrize(
    ("text", "current", "message"),
    [
        ("35,100", 0, "35% is not a multiple of 10"),
        ("60,30", 0, "shares must rise above the current 0%"),
        ("2", 100, "already has 100%"),
        ("half", 0, "a number of steps"),
        ("50", 0, "give 1 to 10 steps, or shares like 50%"),
    ],
)
def test_bad_steps_say_what_connect_accepts(text: str, current: int, message: str) -> None:
    with pytest.raises(fo.DrillError, match=message):
        ts.parse_steps(text, current)


def test_shift_moves_telephony_agents_and_sign_in_together_on_the_default_group() -> None:
    steps = ts.shift_plan(ORIGINAL, "ap-northeast-3", [50, 100], GROUP)
    assert steps[0].params() == {
        "TelephonyConfig": {
            "Distributions": [
                {"Region": "ap-northeast-1", "Percentage": 50},
                {"Region": "ap-northeast-3", "Percentage": 50},
            ]
        },
        "AgentConfig": {
            "Distributions": [
                {"Region": "ap-northeast-1", "Percentage": 50},
                {"Region": "ap-northeast-3", "Percentage": 50},
            ]
        },
        "SignInConfig": {
            "Distributions": [
                {"Region": "ap-northeast-1", "Enabled": True},
                {"Region": "ap-northeast-3", "Enabled": True},
            ]
        },
    }
    assert steps[1].sign_in == {"ap-northeast-1": False, "ap-northeast-3": True}
    assert steps[1].text() == (
        "telephony ap-northeast-1 0% / ap-northeast-3 100%; agents ap-northeast-1 0% / ap-northeast-3 100%; "
        "sign-in ap-northeast-1 off, ap-northeast-3 on"
    )


def test_a_non_default_group_keeps_its_sign_in_and_a_group_without_agents_moves_telephony_only() -> None:
    group = ts.TrafficGroup("id", "arn:tdg", "aicc", "ACTIVE", False, "arn:instance")
    telephony_only = ts.Distribution({"ap-northeast-1": 100, "ap-northeast-3": 0})
    [step] = ts.shift_plan(telephony_only, "ap-northeast-3", [100], group)
    assert set(step.params()) == {"TelephonyConfig"}
    [step] = ts.shift_plan(ORIGINAL, "ap-northeast-3", [100], group)
    assert set(step.params()) == {"TelephonyConfig", "AgentConfig"}


def test_the_target_region_must_belong_to_the_group() -> None:
    with pytest.raises(
        fo.DrillError, match="--to-region us-west-2: the group aicc spans ap-northeast-1, ap-northeast-3"
    ):
        ts.shift_plan(ORIGINAL, "us-west-2", [100], GROUP)


def test_distribution_reads_the_api_answer_and_compares() -> None:
    answer = {"TelephonyConfig": ORIGINAL.params()["TelephonyConfig"], "Id": "id", "Arn": "arn:tdg"}
    read = ts.Distribution.from_api(answer)
    assert read == ts.Distribution({"ap-northeast-1": 100, "ap-northeast-3": 0})
    assert ts.Distribution(dict(ORIGINAL.telephony)).applied_in(read)
    assert not ORIGINAL.applied_in(read)  # agents asked for, none shown yet
    assert ORIGINAL.majority_region() == "ap-northeast-1"


def test_shift_report_markdown_says_what_happened() -> None:
    report = ts.ShiftReport(GROUP, ORIGINAL, "ap-northeast-3", planned=1, started_at="s", finished_at="f")
    step = ts.ShiftStep(1, ts.shift_plan(ORIGINAL, "ap-northeast-3", [100], GROUP)[0], "ap-northeast-3", 12.0)
    step.health = [ts.QueueHealth("MSP General", 3, 1, 0, 0, 1800)]
    report.steps.append(step)
    report.rollback, report.rolled_back = fo.Rollback(["restored"]), True
    md = report.to_markdown()
    assert "- Verdict: **PASS**" in md
    assert "- Rollback: rolled back to telephony ap-northeast-1 100% / ap-northeast-3 0%" in md
    assert "| 1 healthy, 3 agent(s) online |" in md
    assert json.loads(json.dumps(report.to_json()))["steps"][0]["applied_after_seconds"] == 12.0


@pytest.mark.usefixtures("fresh_signals")
def test_ctrl_c_during_a_rollback_lets_it_finish_then_stops_the_drill() -> None:
    import os
    import signal

    class InterruptedRollback(FakeRunner):
        def clear(self) -> fo.Rollback:
            if len([e for e in self.log if e == "clear"]) == 0:
                os.kill(os.getpid(), signal.SIGINT)  # the operator presses Ctrl-C while faults come off
            return super().clear()

    runner = InterruptedRollback()
    report = drill(runner, ["no-agents", "dynamodb-throttle"], ["a"])
    # the rollback finished, no further fault set was injected, the safety net still ran
    assert runner.log == ["inject {}", "place a", "clear", "clear"]
    assert report.aborted == "interrupted (Ctrl-C)"
    assert report.rollback.done


@pytest.mark.usefixtures("fresh_signals")
def test_sigterm_during_a_rollback_lets_it_finish_then_stops_the_drill_and_says_so() -> None:
    """As with Ctrl-C, once aicc-ops ends on SIGTERM (core/signals.py): held while faults come off,
    then no further fault set; the report says what ended it."""
    import os
    import signal

    from aicc_ops.core.signals import end_on_signals

    class TerminatedRollback(FakeRunner):
        def clear(self) -> fo.Rollback:
            if len([e for e in self.log if e == "clear"]) == 0:
                os.kill(os.getpid(), signal.SIGTERM)  # a CI timeout while faults come off
            return super().clear()

    end_on_signals(lambda name: None)
    runner = TerminatedRollback()
    report = drill(runner, ["no-agents", "dynamodb-throttle"], ["a"])
    assert runner.log == ["inject {}", "place a", "clear", "clear"]
    assert report.aborted == "terminated (SIGTERM)"
    assert report.rollback.done
