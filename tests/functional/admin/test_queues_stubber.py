"""The Connect calls of `queues status|rebalance` against botocore's Stubber: every request's
parameters are checked against the real Connect service model (and our expected values), every
response against its output shape. The agents table is moto's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from helpers import REGION

from aicc.settings import config
from aicc_ops.admin import queues as q
from aicc_ops.admin.context import OpsContext, Target

INSTANCE = "aicc-test"
ARN = f"arn:aws:connect:{REGION}:111122223333:instance/{INSTANCE}"
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def queue_id(key: str) -> str:
    return f"q-{key}"


def profile_id(key: str) -> str:
    return f"rp-{key}"


def user_id(login: str) -> str:
    return f"u-{login.replace('.', '-')}"


def list_queues_response(extra: tuple[str, ...] = ()) -> dict[str, Any]:
    queues = [
        {"Id": queue_id(k), "Arn": f"{ARN}/queue/{queue_id(k)}", "Name": s.name, "QueueType": "STANDARD"}
        for k, s in config().queues.items()
    ]
    queues += [
        {"Id": f"q-{n}", "Arn": f"{ARN}/queue/q-{n}", "Name": n, "QueueType": "STANDARD"} for n in extra
    ]
    return {"QueueSummaryList": queues}


def metrics_request(ids: list[str], token: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "InstanceId": INSTANCE,
        "Filters": {"Queues": ids, "Channels": ["VOICE"]},
        "Groupings": ["QUEUE"],
        "CurrentMetrics": [
            {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"},
            {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"},
            {"Name": "AGENTS_ONLINE", "Unit": "COUNT"},
            {"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"},
            {"Name": "AGENTS_ON_CONTACT", "Unit": "COUNT"},
            {"Name": "AGENTS_STAFFED", "Unit": "COUNT"},
        ],
        "MaxResults": 100,
    }
    if token:
        request["NextToken"] = token
    return request


def metric_result(qid: str, **values: float) -> dict[str, Any]:
    units = {"OLDEST_CONTACT_AGE": "SECONDS"}
    return {
        "Dimensions": {"Queue": {"Id": qid, "Arn": f"{ARN}/queue/{qid}"}, "Channel": "VOICE"},
        "Collections": [
            {"Metric": {"Name": name, "Unit": units.get(name, "COUNT")}, "Value": float(value)}
            for name, value in values.items()
        ],
    }


def user_data(
    login: str, profile: str, status: str = "Available", on_contact: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "User": {"Id": user_id(login), "Arn": f"{ARN}/agent/{user_id(login)}"},
        "RoutingProfile": {"Id": profile_id(profile), "Arn": f"{ARN}/routing-profile/{profile_id(profile)}"},
        "Status": {
            "StatusStartTimestamp": NOW,
            "StatusArn": f"{ARN}/agent-state/{status}",
            "StatusName": status,
        },
        "AvailableSlotsByChannel": {"VOICE": 0 if on_contact else 1},
        "MaxSlotsByChannel": {"VOICE": 1},
        "ActiveSlotsByChannel": {"VOICE": 1 if on_contact else 0},
        "Contacts": [],
    }
    if on_contact:
        data["Contacts"] = [
            {
                "ContactId": "c-1",
                "Channel": "VOICE",
                "InitiationMethod": "INBOUND",
                "AgentContactState": "CONNECTED",
                "StateStartTimestamp": NOW,
                "ConnectedToAgentTimestamp": NOW,
                "Queue": {"Id": queue_id("msp_general"), "Arn": f"{ARN}/queue/{queue_id('msp_general')}"},
            }
        ]
    return data


AGENT_STATUSES = {
    "AgentStatusSummaryList": [
        {"Id": s, "Arn": f"{ARN}/agent-state/{s}", "Name": s, "Type": t}
        for s, t in [("Available", "ROUTABLE"), ("Offline", "OFFLINE"), ("Break", "CUSTOM")]
    ]
}


def routing_profiles_response() -> dict[str, Any]:
    return {
        "RoutingProfileSummaryList": [
            {"Id": profile_id(k), "Arn": f"{ARN}/routing-profile/{profile_id(k)}", "Name": p.name}
            for k, p in config().routing_profiles.items()
        ]
    }


def profile_queues_response(key: str) -> dict[str, Any]:
    return {
        "RoutingProfileQueueConfigSummaryList": [
            {
                "QueueId": queue_id(c.queue),
                "QueueArn": f"{ARN}/queue/{queue_id(c.queue)}",
                "QueueName": config().queues[c.queue].name,
                "Priority": c.priority,
                "Delay": c.delay,
                "Channel": "VOICE",
            }
            for c in config().routing_profiles[key].queues
        ]
    }


@pytest.fixture(scope="module")
def tables(aws_module: dict[str, str]) -> dict[str, str]:
    return aws_module


@pytest.fixture(scope="module")
def ops(tables: dict[str, str]) -> OpsContext:
    return OpsContext(Target(instance_id=INSTANCE, region=REGION))


@pytest.fixture
def connect(ops: OpsContext) -> Iterator[Stubber]:
    with Stubber(ops.client("connect")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def agents_table(tables: dict[str, str]) -> Any:
    table = boto3.resource("dynamodb", region_name=REGION).Table(tables["AGENTS_TABLE"])
    for old in table.scan()["Items"]:
        table.delete_item(Key={"login": old["login"]})
    for login, team, skills, profile in [
        ("ts.park", "TS", ["EC2"], "msp_ts_engineer"),
        ("ts.lent", "TS", ["EC2"], "general_agent"),
        ("ga.han", "GENERAL", ["Billing"], "general_agent"),
        ("ga.busy", "GENERAL", ["Billing"], "general_agent"),
        ("mgr.kim", "MANAGER", [], "manager"),
    ]:
        item: dict[str, Any] = {
            "login": login,
            "team": team,
            "routing_profile": profile,
            "status": "AVAILABLE",
        }
        if skills:
            item["skills"] = skills
        table.put_item(Item=item)
    return table


def test_status_is_one_metrics_call(ops: OpsContext, connect: Stubber) -> None:
    connect.add_response(
        "list_queues", list_queues_response(("VIP",)), {"InstanceId": INSTANCE, "QueueTypes": ["STANDARD"]}
    )
    ids = [queue_id(k) for k in ("general_customer", "msp_emergency", "msp_general")]  # by name
    ids = [queue_id("after_hours"), *ids, "q-VIP"]
    connect.add_response(
        "get_current_metric_data",
        {
            "MetricResults": [
                metric_result(
                    queue_id("msp_emergency"), CONTACTS_IN_QUEUE=2, OLDEST_CONTACT_AGE=500, AGENTS_ONLINE=3
                ),
                metric_result("q-VIP", CONTACTS_IN_QUEUE=1, OLDEST_CONTACT_AGE=30),
            ],
            "DataSnapshotTime": NOW,
        },
        metrics_request(ids),
    )
    refs = q.list_queues(ops)
    assert [r.key for r in refs] == ["after_hours", "general_customer", "msp_emergency", "msp_general", None]
    statuses = q.queue_statuses(ops, refs)
    assert [s.queue.name for s in statuses] == [
        "MSP Emergency",
        "MSP General",
        "General Customer",
        "After Hours",
        "VIP",
    ]
    emergency = statuses[0]
    assert (emergency.waiting, emergency.oldest, emergency.online, emergency.state) == (
        2,
        500.0,
        3,
        q.SlaState.AT_RISK,
    )
    assert statuses[1].state is q.SlaState.OK and statuses[1].waiting == 0  # no result: nothing waits
    assert statuses[4].state is None and statuses[4].waiting == 1
    assert q.missing_queues(config(), refs[:2]) == ["MSP Emergency", "MSP General"]


def test_metric_pages_are_followed(ops: OpsContext, connect: Stubber) -> None:
    refs = [q.QueueRef(queue_id(k), "", config().queues[k].name, k) for k in ("msp_emergency", "msp_general")]
    ids = [r.id for r in refs]
    page1 = {"MetricResults": [metric_result(ids[0], CONTACTS_IN_QUEUE=1)], "NextToken": "t2"}
    connect.add_response("get_current_metric_data", page1, metrics_request(ids))
    page2 = {"MetricResults": [metric_result(ids[1], CONTACTS_IN_QUEUE=4)]}
    connect.add_response("get_current_metric_data", page2, metrics_request(ids, "t2"))
    assert q.current_metrics(ops, refs) == {
        ids[0]: {"CONTACTS_IN_QUEUE": 1.0},
        ids[1]: {"CONTACTS_IN_QUEUE": 4.0},
    }


def stub_snapshot(connect: Stubber, general_waiting: int = 3) -> None:
    """A snapshot where MSP General is at risk and ts.lent (TS, on general_agent) is available."""
    connect.add_response(
        "list_queues", list_queues_response(), {"InstanceId": INSTANCE, "QueueTypes": ["STANDARD"]}
    )
    ids = [queue_id(k) for k in ("after_hours", "general_customer", "msp_emergency", "msp_general")]
    results = [
        metric_result(queue_id("msp_general"), CONTACTS_IN_QUEUE=general_waiting, OLDEST_CONTACT_AGE=600)
    ]
    connect.add_response("get_current_metric_data", {"MetricResults": results}, metrics_request(ids))
    users = [
        user_data("ga.busy", "general_agent", on_contact=True),
        user_data("ga.han", "general_agent"),
        user_data("mgr.kim", "manager", status="Break"),
        user_data("stranger", "general_agent"),
        user_data("ts.lent", "general_agent"),
        user_data("ts.park", "msp_ts_engineer", on_contact=True),
    ]
    connect.add_response(
        "get_current_user_data",
        {"UserDataList": users[:3], "NextToken": "more", "ApproximateTotalCount": 6},
        {"InstanceId": INSTANCE, "Filters": {"Queues": ids}, "MaxResults": 100},
    )
    connect.add_response(
        "get_current_user_data",
        {"UserDataList": users[3:], "ApproximateTotalCount": 6},
        {"InstanceId": INSTANCE, "Filters": {"Queues": ids}, "MaxResults": 100, "NextToken": "more"},
    )
    logins = ["ga.busy", "ga.han", "mgr.kim", "stranger", "ts.lent", "ts.park"]
    connect.add_response(
        "list_users",
        {
            "UserSummaryList": [
                {"Id": user_id(n), "Arn": f"{ARN}/agent/{user_id(n)}", "Username": n} for n in logins
            ]
        },
        {"InstanceId": INSTANCE},
    )
    connect.add_response("list_agent_statuses", AGENT_STATUSES, {"InstanceId": INSTANCE})
    connect.add_response("list_routing_profiles", routing_profiles_response(), {"InstanceId": INSTANCE})
    for key in config().routing_profiles:
        connect.add_response(
            "list_routing_profile_queues",
            profile_queues_response(key),
            {"InstanceId": INSTANCE, "RoutingProfileId": profile_id(key)},
        )


def test_snapshot_reads_agents_profiles_and_the_agents_table(
    ops: OpsContext, connect: Stubber, agents_table: Any
) -> None:
    stub_snapshot(connect)
    snap = q.snapshot(ops)
    by_login = {a.login: a for a in snap.agents}
    assert by_login["ts.lent"] == q.AgentState(
        "ts.lent",
        user_id("ts.lent"),
        profile_id("general_agent"),
        q.Activity.AVAILABLE,
        "TS",
        frozenset({"EC2"}),
    )
    assert by_login["ga.busy"].activity is q.Activity.ON_CONTACT
    assert by_login["mgr.kim"].activity is q.Activity.AWAY and by_login["mgr.kim"].skills == frozenset()
    assert by_login["stranger"].team is None and snap.unknown_users == ["stranger"]
    ts = snap.profiles[profile_id("msp_ts_engineer")]
    assert (ts.key, ts.team, ts.queues["msp_general"]) == ("msp_ts_engineer", "TS", q.Slot(2, 0))
    plan = q.plan_rebalance(snap.queues, snap.agents, snap.profiles)
    assert [(m.login, m.from_label, m.to_label) for m in plan.moves] == [
        ("ts.lent", "general_agent", "msp_ts_engineer")
    ]


def test_apply_moves_and_records_the_home_profile(
    ops: OpsContext, connect: Stubber, agents_table: Any
) -> None:
    stub_snapshot(connect)
    snap = q.snapshot(ops)
    plan = q.plan_rebalance(snap.queues, snap.agents, snap.profiles)
    connect.add_response(
        "update_user_routing_profile",
        {},
        {
            "InstanceId": INSTANCE,
            "UserId": user_id("ts.lent"),
            "RoutingProfileId": profile_id("msp_ts_engineer"),
        },
    )
    outcomes = q.apply_moves(ops, plan.moves)
    assert [(o.move.login, o.ok) for o in outcomes] == [("ts.lent", True)]
    item = agents_table.get_item(Key={"login": "ts.lent"})["Item"]
    assert (item["home_routing_profile"], item["routing_profile"]) == ("general_agent", "msp_ts_engineer")


def test_a_failed_move_leaves_no_home_record(ops: OpsContext, connect: Stubber, agents_table: Any) -> None:
    stub_snapshot(connect)
    snap = q.snapshot(ops)
    plan = q.plan_rebalance(snap.queues, snap.agents, snap.profiles)
    connect.add_client_error(
        "update_user_routing_profile",
        "ResourceNotFoundException",
        "User not found",
        404,
        expected_params={
            "InstanceId": INSTANCE,
            "UserId": user_id("ts.lent"),
            "RoutingProfileId": profile_id("msp_ts_engineer"),
        },
    )
    outcomes = q.apply_moves(ops, plan.moves)
    assert [(o.ok, o.error) for o in outcomes] == [
        (False, "UpdateUserRoutingProfile: ResourceNotFoundException: User not found")
    ]
    item = agents_table.get_item(Key={"login": "ts.lent"})["Item"]
    assert "home_routing_profile" not in item and item["routing_profile"] == "general_agent"


def test_a_second_move_keeps_the_first_home(ops: OpsContext, connect: Stubber, agents_table: Any) -> None:
    agents_table.update_item(
        Key={"login": "ts.lent"},
        UpdateExpression="SET home_routing_profile = :h",
        ExpressionAttributeValues={":h": "manager"},
    )
    move = q.Move(
        "ts.lent", user_id("ts.lent"), profile_id("general_agent"), "general_agent", "general_agent",
        profile_id("msp_ts_engineer"), "msp_ts_engineer", "msp_ts_engineer", "MSP General", "test",
    )  # fmt: skip
    back = q.Move(
        "ts.lent", user_id("ts.lent"), profile_id("msp_ts_engineer"), "msp_ts_engineer", "msp_ts_engineer",
        profile_id("manager"), "manager", "manager", "MSP Emergency", "test",
    )  # fmt: skip
    for m in (move, back):
        connect.add_response(
            "update_user_routing_profile",
            {},
            {"InstanceId": INSTANCE, "UserId": m.user_id, "RoutingProfileId": m.to_id},
        )
    q.apply_moves(ops, [move])
    item = agents_table.get_item(Key={"login": "ts.lent"})["Item"]
    assert (item["home_routing_profile"], item["routing_profile"]) == ("manager", "msp_ts_engineer")
    q.apply_moves(ops, [back])  # a move onto the home profile ends the loan
    item = agents_table.get_item(Key={"login": "ts.lent"})["Item"]
    assert "home_routing_profile" not in item and item["routing_profile"] == "manager"


def test_restore(ops: OpsContext, connect: Stubber, agents_table: Any) -> None:
    for login, home in [
        ("ts.lent", "msp_ts_engineer"),
        ("ga.han", "general_agent"),
        ("ga.busy", "general_agent"),
    ]:
        agents_table.update_item(
            Key={"login": login},
            UpdateExpression="SET home_routing_profile = :h",
            ExpressionAttributeValues={":h": home},
        )
    logins = ["ga.busy", "ga.han", "ts.lent"]
    connect.add_response(
        "list_users",
        {
            "UserSummaryList": [
                {"Id": user_id(n), "Arn": f"{ARN}/agent/{user_id(n)}", "Username": n} for n in logins
            ]
        },
        {"InstanceId": INSTANCE},
    )
    connect.add_response("list_agent_statuses", AGENT_STATUSES, {"InstanceId": INSTANCE})
    wanted = sorted(user_id(n) for n in logins)
    connect.add_response(
        "get_current_user_data",
        {
            "UserDataList": [
                user_data("ga.busy", "msp_ts_engineer", on_contact=True),
                user_data("ga.han", "general_agent"),
            ]
        },
        {"InstanceId": INSTANCE, "Filters": {"Agents": wanted}, "MaxResults": 100},
    )
    # ts.lent is signed out: GetCurrentUserData knows nothing of him, DescribeUser does.
    connect.add_response(
        "describe_user",
        {
            "User": {
                "Id": user_id("ts.lent"),
                "Username": "ts.lent",
                "RoutingProfileId": profile_id("general_agent"),
            }
        },
        {"InstanceId": INSTANCE, "UserId": user_id("ts.lent")},
    )
    connect.add_response("list_routing_profiles", routing_profiles_response(), {"InstanceId": INSTANCE})
    snap = q.restore_snapshot(ops)
    plan = q.plan_restore(snap.agents, snap.profiles)
    assert [(m.login, m.from_label, m.to_label) for m in plan.moves] == [
        ("ts.lent", "general_agent", "msp_ts_engineer")
    ]
    assert plan.already_home == [("ga.han", "general_agent")] and plan.on_contact == ["ga.busy"]
    connect.add_response(
        "update_user_routing_profile",
        {},
        {
            "InstanceId": INSTANCE,
            "UserId": user_id("ts.lent"),
            "RoutingProfileId": profile_id("msp_ts_engineer"),
        },
    )
    outcomes, uncleared = q.apply_restore(ops, plan)
    assert [o.ok for o in outcomes] == [True] and uncleared == []
    items = {i["login"]: i for i in agents_table.scan()["Items"]}
    assert (
        items["ts.lent"]["routing_profile"] == "msp_ts_engineer"
        and "home_routing_profile" not in items["ts.lent"]
    )
    assert "home_routing_profile" not in items["ga.han"]
    assert items["ga.busy"]["home_routing_profile"] == "general_agent"  # on a contact: next time


def test_restore_with_nobody_moved_calls_nothing(
    ops: OpsContext, connect: Stubber, agents_table: Any
) -> None:
    snap = q.restore_snapshot(ops)
    assert snap.agents == [] and snap.problems == []
