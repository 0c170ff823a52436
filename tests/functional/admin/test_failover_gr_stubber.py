"""The AWS side of failover drills against the real service models (botocore Stubber): the Global
Resiliency traffic shift (UpdateTrafficDistribution step by step, verified, rolled back on every
path) and Lambda throttling by reserved concurrency (restored afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aicc.settings import config
from aicc_ops.admin import failover as fo
from aicc_ops.admin import throttle as th
from aicc_ops.admin import traffic_shift as ts

SOURCE, REPLICA = "ap-northeast-1", "ap-northeast-3"
ARN = "arn:aws:connect:ap-northeast-1:111122223333:traffic-distribution-group/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
INSTANCE_ARN = "arn:aws:connect:ap-northeast-1:111122223333:instance/4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d"


def split(source: int, *, agents: bool = True, sign_in: bool = True) -> dict[str, Any]:
    """A GetTrafficDistribution answer (and UpdateTrafficDistribution's configs) for source/replica %."""
    pct = [{"Region": SOURCE, "Percentage": source}, {"Region": REPLICA, "Percentage": 100 - source}]
    out: dict[str, Any] = {"TelephonyConfig": {"Distributions": pct}}
    if agents:
        out["AgentConfig"] = {"Distributions": [dict(d) for d in pct]}
    if sign_in:
        out["SignInConfig"] = {
            "Distributions": [{"Region": SOURCE, "Enabled": source > 0}, {"Region": REPLICA, "Enabled": True}]
        }
    return out


ORIGINAL = {
    **split(100),
    "SignInConfig": {
        "Distributions": [{"Region": SOURCE, "Enabled": True}, {"Region": REPLICA, "Enabled": False}]
    },
}


class Clock:
    """Simulated time: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Connect:
    """One stubbed Connect client per Region."""

    def __init__(self) -> None:
        self.clients = {
            r: boto3.client(
                "connect", region_name=r, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            for r in (SOURCE, REPLICA)
        }
        self.stubs = {r: Stubber(c) for r, c in self.clients.items()}

    def __getitem__(self, region: str) -> Stubber:
        return self.stubs[region]

    def client_for(self, region: str) -> Any:
        return self.clients[region]

    def update(self, region: str, configs: dict[str, Any]) -> None:
        self.stubs[region].add_response("update_traffic_distribution", {}, {"Id": ARN, **configs})

    def shows(self, region: str, configs: dict[str, Any], status: str = "ACTIVE") -> None:
        self.stubs[region].add_response(
            "get_traffic_distribution", {**configs, "Id": ARN.rsplit("/", 1)[1], "Arn": ARN}, {"Id": ARN}
        )
        self.stubs[region].add_response(
            "describe_traffic_distribution_group",
            {
                "TrafficDistributionGroup": {
                    "Id": ARN.rsplit("/", 1)[1],
                    "Arn": ARN,
                    "Name": "aicc-gr",
                    "InstanceArn": INSTANCE_ARN,
                    "Status": status,
                    "IsDefault": True,
                }
            },
            {"TrafficDistributionGroupId": ARN},
        )

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


@pytest.fixture
def connect() -> Iterator[Connect]:
    c = Connect()
    for stub in c.stubs.values():
        stub.activate()
    yield c
    c.done()  # a test that forgot to: a stubbed call the code never made fails it too
    for stub in c.stubs.values():
        stub.deactivate()


GROUP = ts.TrafficGroup(ARN.rsplit("/", 1)[1], ARN, "aicc-gr", "ACTIVE", True, INSTANCE_ARN)


def shift(connect: Connect, clock: Clock, shares: list[int], **kwargs: Any) -> ts.TrafficShift:
    original = ts.Distribution.from_api(ORIGINAL)
    steps = ts.shift_plan(original, REPLICA, shares, GROUP)
    return ts.TrafficShift(
        connect.client_for, GROUP, original, REPLICA, steps,
        timeout=kwargs.pop("timeout", 60), poll=kwargs.pop("poll", 5), sleep=clock.sleep, clock=clock, **kwargs,
    )  # fmt: skip


def test_find_group_picks_the_default_group_of_the_instance(connect: Connect) -> None:
    summary = {
        "Id": GROUP.id,
        "Arn": ARN,
        "Name": "aicc-gr",
        "InstanceArn": INSTANCE_ARN,
        "Status": "ACTIVE",
        "IsDefault": True,
    }
    other = {**summary, "Id": "9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "Name": "tests", "IsDefault": False}
    connect[SOURCE].add_response(
        "list_traffic_distribution_groups",
        {"TrafficDistributionGroupSummaryList": [other], "NextToken": "t"},
        {"InstanceId": "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d", "MaxResults": 10},
    )
    connect[SOURCE].add_response(
        "list_traffic_distribution_groups",
        {"TrafficDistributionGroupSummaryList": [summary]},
        {"InstanceId": "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d", "MaxResults": 10, "NextToken": "t"},
    )
    group = ts.find_group(connect.client_for(SOURCE), "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d", None)
    assert group == GROUP
    connect.done()


def test_a_group_that_is_not_active_is_refused(connect: Connect) -> None:
    connect[SOURCE].add_response(
        "list_traffic_distribution_groups",
        {
            "TrafficDistributionGroupSummaryList": [
                {
                    "Id": GROUP.id,
                    "Arn": ARN,
                    "Name": "aicc-gr",
                    "Status": "UPDATE_IN_PROGRESS",
                    "IsDefault": True,
                }
            ]
        },
        {"InstanceId": "i", "MaxResults": 10},
    )
    with pytest.raises(fo.DrillError, match="aicc-gr is UPDATE_IN_PROGRESS; it must be ACTIVE"):
        ts.find_group(connect.client_for(SOURCE), "i", None)


def test_shift_step_by_step_then_roll_back_in_the_source_region(connect: Connect) -> None:
    clock = Clock()
    connect.update(REPLICA, split(50))  # step 1, called in the Region that takes the traffic
    connect.shows(REPLICA, ORIGINAL, "UPDATE_IN_PROGRESS")
    connect.shows(REPLICA, split(50))
    connect.update(REPLICA, split(0))
    connect.shows(REPLICA, split(0))
    connect.update(SOURCE, ORIGINAL)  # rollback, called where the traffic goes back to
    connect.shows(SOURCE, ORIGINAL)
    report = shift(connect, clock, [50, 100]).run()
    connect.done()
    assert report.passed and report.rolled_back and not report.kept
    assert [s.applied_after for s in report.steps] == [5.0, 0.0]
    assert clock.slept == [5]
    assert report.rollback.steps == [
        "restored telephony ap-northeast-1 100% / ap-northeast-3 0%; agents ap-northeast-1 100% / "
        "ap-northeast-3 0%; sign-in ap-northeast-1 on, ap-northeast-3 off (applied after 0 s)"
    ]


def test_keep_leaves_a_clean_shift_in_place(connect: Connect) -> None:
    connect.update(REPLICA, split(0))
    connect.shows(REPLICA, split(0))
    report = shift(connect, Clock(), [100]).run(keep=True)
    connect.done()  # no rollback call was made
    assert report.passed and report.kept and not report.rolled_back


def test_a_refused_step_rolls_back_what_was_applied(connect: Connect) -> None:
    connect.update(REPLICA, split(50))
    connect.shows(REPLICA, split(50))
    connect[REPLICA].add_client_error(
        "update_traffic_distribution",
        service_error_code="ResourceConflictException",
        service_message="The traffic distribution group is being updated",
        http_status_code=409,
        expected_params={"Id": ARN, **split(0)},
    )
    connect.update(SOURCE, ORIGINAL)
    connect.shows(SOURCE, ORIGINAL)
    report = shift(connect, Clock(), [50, 100]).run(keep=True)  # --keep does not keep a failure
    connect.done()
    assert not report.passed and report.rolled_back and not report.kept
    assert report.aborted == (
        "UpdateTrafficDistribution: ResourceConflictException: The traffic distribution group is being updated"
    )
    assert report.steps[1].error == report.aborted


def test_a_first_update_the_service_refuses_changes_nothing_and_needs_no_rollback(connect: Connect) -> None:
    connect[REPLICA].add_client_error(
        "update_traffic_distribution",
        service_error_code="InvalidRequestException",
        service_message="Distributions must be in 10% increments",
        http_status_code=400,
    )
    report = shift(connect, Clock(), [100]).run()
    connect.done()
    assert not report.passed
    assert report.rollback.steps == ["nothing to roll back: the first update was refused"]


def test_a_step_not_applied_in_time_is_rolled_back(connect: Connect) -> None:
    clock = Clock()
    connect.update(REPLICA, split(0))
    for _ in range(4):  # at 0, 10, 20 and 30 s
        connect.shows(REPLICA, ORIGINAL, "UPDATE_IN_PROGRESS")
    connect.update(SOURCE, ORIGINAL)
    connect.shows(SOURCE, ORIGINAL)
    report = shift(connect, clock, [100], timeout=30, poll=10).run()
    connect.done()
    assert report.aborted.startswith(
        "step 1: not applied after 30 s (group UPDATE_IN_PROGRESS; now telephony"
    )
    assert report.rolled_back and not report.passed
    assert clock.slept == [10, 10, 10]


def test_queues_at_risk_in_the_replica_stop_the_shift(connect: Connect) -> None:
    queue_arn = "arn:aws:connect:ap-northeast-3:111122223333:instance/r/queue/q-msp-general"
    connect.update(REPLICA, split(50))
    connect.shows(REPLICA, split(50))
    connect[REPLICA].add_response(
        "list_queues",
        {
            "QueueSummaryList": [
                {"Id": "q-msp-general", "Arn": queue_arn, "Name": "MSP General", "QueueType": "STANDARD"}
            ]
        },
        {"InstanceId": "replica-id", "QueueTypes": ["STANDARD"]},
    )
    connect[REPLICA].add_response(
        "get_current_metric_data",
        {
            "MetricResults": [
                {
                    "Dimensions": {"Queue": {"Id": "q-msp-general", "Arn": queue_arn}},
                    "Collections": [
                        {"Metric": {"Name": "AGENTS_ONLINE", "Unit": "COUNT"}, "Value": 0.0},
                        {"Metric": {"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"}, "Value": 0.0},
                        {"Metric": {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"}, "Value": 2.0},
                        {"Metric": {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"}, "Value": 95.0},
                    ],
                }
            ]
        },
        {
            "InstanceId": "replica-id",
            "Filters": {"Queues": ["q-msp-general"], "Channels": ["VOICE"]},
            "Groupings": ["QUEUE"],
            "CurrentMetrics": [
                {"Name": "AGENTS_ONLINE", "Unit": "COUNT"},
                {"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"},
                {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"},
                {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"},
            ],
        },
    )
    connect.update(SOURCE, ORIGINAL)
    connect.shows(SOURCE, ORIGINAL)

    def health() -> list[ts.QueueHealth]:
        return ts.queue_health(connect.client_for(REPLICA), "replica-id", config())

    clock = Clock()
    report = shift(connect, clock, [50, 100], health=health, dwell=60).run()
    connect.done()
    assert clock.slept == [60]
    assert report.aborted == (
        "step 1: queues at risk in ap-northeast-3: MSP General: 2 caller(s) waiting, no agent online"
    )
    assert report.steps[0].health == [
        ts.QueueHealth("MSP General", 0, 0, 2, 95, 1800, report.steps[0].health[0].problem)
    ]
    assert len(report.steps) == 1 and report.rolled_back


def test_ctrl_c_during_a_step_still_rolls_back(connect: Connect) -> None:
    class Interrupting(Clock):
        def sleep(self, seconds: float) -> None:
            raise KeyboardInterrupt

    connect.update(REPLICA, split(50))
    connect.shows(REPLICA, split(50))
    connect.update(SOURCE, ORIGINAL)
    connect.shows(SOURCE, ORIGINAL)
    report = shift(connect, Interrupting(), [50, 100], dwell=30).run()
    connect.done()
    assert report.aborted == "interrupted (Ctrl-C)" and report.rolled_back


def test_a_failed_rollback_says_how_to_finish_it_by_hand(connect: Connect) -> None:
    connect.update(REPLICA, split(0))
    connect.shows(REPLICA, split(0))
    connect[SOURCE].add_client_error(
        "update_traffic_distribution", service_error_code="AccessDeniedException", http_status_code=403
    )
    s = shift(connect, Clock(), [100])
    report = s.run()
    connect.done()
    assert not report.passed and not report.rolled_back
    [problem] = report.rollback.problems
    assert (
        f"restore by hand: aws connect update-traffic-distribution --region {SOURCE} --id {ARN} " in problem
    )
    assert (
        '--telephony-config \'{"Distributions": [{"Region": "ap-northeast-1", "Percentage": 100}' in problem
    )
    assert "--agent-config" in problem and "--sign-in-config" in problem
    assert "INCOMPLETE" in report.to_markdown()


# ---- Lambda throttling by reserved concurrency --------------------------------------------------------------

FUNCTIONS = {"customer_lookup": "aicc-stg-customer-lookup", "call_log": "aicc-stg-call-log"}


@pytest.fixture
def lam() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "lambda", region_name="ap-northeast-2", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _reads(stub: Stubber) -> None:
    stub.add_response(
        "get_function_concurrency",
        {"ReservedConcurrentExecutions": 5},
        {"FunctionName": FUNCTIONS["customer_lookup"]},
    )
    stub.add_response("get_function_concurrency", {}, {"FunctionName": FUNCTIONS["call_log"]})


def _throttles(stub: Stubber) -> None:
    for name in FUNCTIONS.values():
        stub.add_response(
            "put_function_concurrency",
            {"ReservedConcurrentExecutions": 0},
            {"FunctionName": name, "ReservedConcurrentExecutions": 0},
        )


def _restores(stub: Stubber) -> None:
    lookup, log = FUNCTIONS["customer_lookup"], FUNCTIONS["call_log"]
    stub.add_response(
        "put_function_concurrency",
        {"ReservedConcurrentExecutions": 5},
        {"FunctionName": lookup, "ReservedConcurrentExecutions": 5},
    )
    stub.add_response(
        "get_function_concurrency", {"ReservedConcurrentExecutions": 5}, {"FunctionName": lookup}
    )
    stub.add_response("delete_function_concurrency", {}, {"FunctionName": log})
    stub.add_response("get_function_concurrency", {}, {"FunctionName": log})


def test_throttle_window_restores_each_functions_previous_concurrency(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    _reads(stub)
    _throttles(stub)
    _restores(stub)
    throttle = th.LambdaThrottle(client, FUNCTIONS)
    changes = throttle.read(["customer_lookup", "call_log"])
    assert [(c.function, c.previous) for c in changes] == [
        (FUNCTIONS["customer_lookup"], 5),
        (FUNCTIONS["call_log"], None),
    ]
    waited: list[bool] = []
    report = th.run_throttle_window(
        throttle, th.ThrottleReport("env stg", changes, []), lambda: waited.append(True)
    )
    stub.assert_no_pending_responses()
    assert waited == [True] and report.passed
    assert all(c.injected and c.restored for c in report.changes)
    assert report.rollback.steps == [
        "PutFunctionConcurrency aicc-stg-customer-lookup ReservedConcurrentExecutions=5",
        "DeleteFunctionConcurrency aicc-stg-call-log (no reservation before)",
    ]
    md = report.to_markdown()
    assert "| customer_lookup | aicc-stg-customer-lookup | 5 | True | True |  |" in md
    assert "placed by phone" in md


def test_a_failed_injection_still_restores_everything_touched(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    _reads(stub)
    stub.add_response(
        "put_function_concurrency",
        {"ReservedConcurrentExecutions": 0},
        {"FunctionName": FUNCTIONS["customer_lookup"], "ReservedConcurrentExecutions": 0},
    )
    stub.add_client_error(
        "put_function_concurrency",
        service_error_code="InvalidParameterValueException",
        service_message="Specified ReservedConcurrentExecutions is below the provisioned concurrency",
        http_status_code=400,
    )
    _restores(stub)
    throttle = th.LambdaThrottle(client, FUNCTIONS)
    changes = throttle.read(["customer_lookup", "call_log"])
    report = th.run_throttle_window(throttle, th.ThrottleReport("env stg", changes, []), lambda: None)
    stub.assert_no_pending_responses()
    assert report.aborted == (
        "PutFunctionConcurrency: InvalidParameterValueException: "
        "Specified ReservedConcurrentExecutions is below the provisioned concurrency"
    )
    assert report.rollback.done and not report.passed


def test_a_restore_that_does_not_hold_is_reported_with_the_command_to_fix_it(
    lam: tuple[Any, Stubber],
) -> None:
    client, stub = lam
    lookup = FUNCTIONS["customer_lookup"]
    stub.add_response(
        "get_function_concurrency", {"ReservedConcurrentExecutions": 5}, {"FunctionName": lookup}
    )
    stub.add_response(
        "put_function_concurrency",
        {"ReservedConcurrentExecutions": 0},
        {"FunctionName": lookup, "ReservedConcurrentExecutions": 0},
    )
    stub.add_response(
        "put_function_concurrency",
        {"ReservedConcurrentExecutions": 5},
        {"FunctionName": lookup, "ReservedConcurrentExecutions": 5},
    )
    stub.add_response(
        "get_function_concurrency", {"ReservedConcurrentExecutions": 0}, {"FunctionName": lookup}
    )
    throttle = th.LambdaThrottle(client, FUNCTIONS)
    report = th.run_throttle_window(
        throttle, th.ThrottleReport("env stg", throttle.read(["customer_lookup"]), []), lambda: None
    )
    assert not report.passed
    assert report.rollback.problems == [
        f"{lookup}: reserved concurrency is 0, expected 5; restore by hand: "
        f"aws lambda put-function-concurrency --function-name {lookup} --reserved-concurrent-executions 5"
    ]


def test_a_handler_that_is_not_deployed_is_named(lam: tuple[Any, Stubber]) -> None:
    client, _ = lam
    with pytest.raises(
        fo.DrillError, match=r"no deployed function for escalation .*deployed: call_log, customer_lookup"
    ):
        th.LambdaThrottle(client, FUNCTIONS).read(["escalation"])
