"""The local Connect emulator through boto3: the real client, the real wire protocol, modelled errors."""

from __future__ import annotations

import contextlib
import json
import time
import unicodedata
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from aicc.adapters.dynamodb import timestamp
from aicc.settings import config
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.connect_protocol import match, service_model

INSTANCE = "aicc-local"


@pytest.fixture(scope="module")
def connect(local_server: Any) -> Any:
    return local_server.client("connect", retries={"mode": "standard", "max_attempts": 1})


def call_api(info: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{info.calls_endpoint}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def user(connect: Any) -> Iterator[str]:
    created = connect.create_user(
        InstanceId=INSTANCE,
        Username="test.kim",
        Password="Str0ngPassw0rd!",
        IdentityInfo={"FirstName": "민수", "LastName": "김", "Email": "test.kim@example.com"},
        PhoneConfig={"PhoneType": "SOFT_PHONE"},
        SecurityProfileIds=["agent"],
        RoutingProfileId="general_agent",
    )
    yield created["UserId"]
    with contextlib.suppress(ClientError):
        connect.delete_user(InstanceId=INSTANCE, UserId=created["UserId"])


def test_every_emulated_operation_is_a_connect_operation() -> None:
    ops = {name[3:] for name in dir(ConnectEmulator) if name.startswith("op_")}
    assert ops <= set(service_model().operation_names)
    assert len(ops) >= 35


def test_routes_follow_the_model_most_specific_first() -> None:
    assert match("GET", "/users/aicc-local/u-1") == (
        "DescribeUser",
        {"InstanceId": "aicc-local", "UserId": "u-1"},
        {},
    )
    assert match("PUT", "/users/aicc-local/u-1/status")[0] == "PutUserStatus"  # type: ignore[index]
    assert match("GET", "/queues-summary/aicc-local?queueTypes=STANDARD")[2] == {"queueTypes": ["STANDARD"]}  # type: ignore[index]
    assert match("GET", "/no/such/route") is None


def test_instance_and_seeded_resources_match_the_repository(connect: Any) -> None:
    instance = connect.describe_instance(InstanceId=INSTANCE)["Instance"]
    assert instance["IdentityManagementType"] == "CONNECT_MANAGED"
    queues = {
        q["Name"]
        for q in connect.list_queues(InstanceId=INSTANCE, QueueTypes=["STANDARD"])["QueueSummaryList"]
    }
    assert queues == {"MSP Emergency", "MSP General", "General Customer", "After Hours"}
    flow = connect.describe_contact_flow(InstanceId=INSTANCE, ContactFlowId="customer_authentication")[
        "ContactFlow"
    ]
    assert json.loads(flow["Content"])["StartAction"]
    rp = connect.list_routing_profile_queues(InstanceId=INSTANCE, RoutingProfileId="msp_ts_engineer")
    assert next((c["QueueName"], c["Priority"]) for c in rp["RoutingProfileQueueConfigSummaryList"]) == (
        "MSP Emergency",
        1,
    )
    hours = connect.describe_hours_of_operation(InstanceId=INSTANCE, HoursOfOperationId="business")
    assert hours["HoursOfOperation"]["TimeZone"] == "Asia/Seoul"


def test_users_lifecycle_and_modelled_errors(connect: Any, user: str) -> None:
    described = connect.describe_user(InstanceId=INSTANCE, UserId=user)["User"]
    assert described["IdentityInfo"]["Email"] == "test.kim@example.com"
    with pytest.raises(connect.exceptions.DuplicateResourceException):
        connect.create_user(
            InstanceId=INSTANCE,
            Username="test.kim",
            Password="Str0ngPassw0rd!",
            PhoneConfig={"PhoneType": "SOFT_PHONE"},
            SecurityProfileIds=["agent"],
            RoutingProfileId="general_agent",
        )
    with pytest.raises(connect.exceptions.InvalidParameterException, match="Password"):
        connect.create_user(
            InstanceId=INSTANCE,
            Username="no.password",
            PhoneConfig={"PhoneType": "SOFT_PHONE"},
            SecurityProfileIds=["agent"],
            RoutingProfileId="general_agent",
        )
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.update_user_routing_profile(InstanceId=INSTANCE, UserId=user, RoutingProfileId="nope")
    connect.update_user_routing_profile(InstanceId=INSTANCE, UserId=user, RoutingProfileId="manager")
    assert connect.describe_user(InstanceId=INSTANCE, UserId=user)["User"]["RoutingProfileId"] == "manager"
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.list_users(InstanceId="another-instance")


def test_search_returns_only_what_the_model_returns(connect: Any, user: str) -> None:
    found = connect.search_users(
        InstanceId=INSTANCE,
        SearchCriteria={
            "StringCondition": {"FieldName": "Username", "Value": "test.kim", "ComparisonType": "EXACT"}
        },
    )["Users"]
    assert [u["Id"] for u in found] == [user]
    assert "Email" not in found[0]["IdentityInfo"]  # UserIdentityInfoLite, as in AWS
    pages = connect.get_paginator("search_users").paginate(
        InstanceId=INSTANCE, PaginationConfig={"PageSize": 4}
    )
    assert sum(len(p["Users"]) for p in pages) == len(
        connect.list_users(InstanceId=INSTANCE)["UserSummaryList"]
    )


def test_rate_limit_answers_throttling_like_connect(local_server: Any) -> None:
    from aicc_ops.local.server import running

    emulator = running(local_server).emulator
    saved = emulator.limiter
    from aicc_ops.core.ratelimit import ConnectLimiter

    emulator.limiter = ConnectLimiter(0.5, 2, reserve=0)
    try:
        client = local_server.client("connect", retries={"mode": "standard", "max_attempts": 1})
        client.list_queues(InstanceId=INSTANCE)
        client.list_queues(InstanceId=INSTANCE)
        with pytest.raises(ClientError) as caught:
            client.list_queues(InstanceId=INSTANCE)
        assert caught.value.response["Error"]["Code"] == "ThrottlingException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        # Each operation has its own bucket, as in Connect: ListQueues' throttling leaves DescribeQueue alone.
        client.describe_queue(InstanceId=INSTANCE, QueueId="msp_general")
    finally:
        emulator.limiter = saved


def test_live_call_waits_in_queue_then_an_agent_answers(connect: Any, local_server: Any) -> None:
    queues = [
        q["Id"] for q in connect.list_queues(InstanceId=INSTANCE, QueueTypes=["STANDARD"])["QueueSummaryList"]
    ]
    # Nobody is available: the call waits, and the metrics show it.
    users = connect.list_users(InstanceId=INSTANCE)["UserSummaryList"]
    for u in users:
        connect.put_user_status(InstanceId=INSTANCE, UserId=u["Id"], AgentStatusId="offline")
    call = call_api(
        local_server,
        "POST",
        "/calls",
        {
            "caller": "+821012345678",
            "inputs": ["say:솔트웨어", "say:김민준", "1234#", "2"],
            "at": "2026-11-25T10:00:00+09:00",
            "wait": True,
        },
    )
    assert call["state"] == "queued" and call["queue"] == "msp_general", call
    metrics = connect.get_current_metric_data(
        InstanceId=INSTANCE,
        Filters={"Queues": queues, "Channels": ["VOICE"]},
        Groupings=["QUEUE"],
        CurrentMetrics=[
            {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"},
            {"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"},
        ],
    )["MetricResults"]
    by_queue = {
        r["Dimensions"]["Queue"]["Id"]: {c["Metric"]["Name"]: c["Value"] for c in r["Collections"]}
        for r in metrics
    }
    assert by_queue["msp_general"] == {"CONTACTS_IN_QUEUE": 1.0, "AGENTS_AVAILABLE": 0.0}
    # A TS engineer signs in and takes it.
    ts = next(u for u in users if u["Username"] == "ts.park")
    connect.put_user_status(InstanceId=INSTANCE, UserId=ts["Id"], AgentStatusId="available")
    deadline = time.monotonic() + 5
    while call_api(local_server, "GET", f"/calls/{call['contact_id']}")["state"] != "connected":
        assert time.monotonic() < deadline, "no agent answered"
        time.sleep(0.05)
    data = connect.get_current_user_data(InstanceId=INSTANCE, Filters={"Agents": [ts["Id"]]})["UserDataList"]
    assert data[0]["Contacts"][0]["ContactId"] == call["contact_id"]
    assert data[0]["Contacts"][0]["AgentContactState"] == "CONNECTED"
    # Connect's agent events, through the agent_events handler, keep the agents table current.
    assert _agent_record(local_server, "ts.park", lambda a: a["status"]["S"] == "BUSY")[
        "active_contacts"
    ] == {"N": "1"}
    # ... and mark the contact's call-log item answered, at the time the agent took it.
    connected = call_api(local_server, "GET", f"/calls/{call['contact_id']}")["connected_at"]
    logged = _call_log(local_server, call["contact_id"], lambda item: "answered_at" in item)
    assert logged["answered_at"] == {"S": timestamp(datetime.fromisoformat(connected))}
    assert logged["queue"] == {"S": config().queues[call["queue"]].name}  # the flows' queued step's item
    deadline = time.monotonic() + 6
    while call_api(local_server, "GET", f"/calls/{call['contact_id']}")["state"] != "ended":
        assert time.monotonic() < deadline, "the simulated agent never finished"
        time.sleep(0.1)
    assert call_api(local_server, "GET", f"/calls/{call['contact_id']}")["end_reason"] == "completed"
    done = _agent_record(local_server, "ts.park", lambda a: a["status"]["S"] == "AVAILABLE")
    assert done["active_contacts"] == {"N": "0"} and done["presence_at"]["S"].endswith("+00:00")


def _call_log(info: Any, contact_id: str, ready: Any, seconds: float = 5) -> dict[str, Any]:
    """The contact's call-log item once `ready` holds for it (written from the agent event stream)."""
    table = info.tables["call_logs"]
    deadline = time.monotonic() + seconds
    while True:
        key = {"contact_id": {"S": contact_id}}
        item = info.client("dynamodb").get_item(TableName=table, Key=key).get("Item", {})
        if item and ready(item):
            return dict(item)
        assert time.monotonic() < deadline, f"{contact_id}: the call log still says {item}"
        time.sleep(0.05)


def _agent_record(info: Any, login: str, ready: Any, seconds: float = 5) -> dict[str, Any]:
    """The agent's item once `ready` holds for it (events reach the table asynchronously, as in AWS)."""
    table = info.tables["agents"]
    deadline = time.monotonic() + seconds
    while True:
        item = info.client("dynamodb").get_item(TableName=table, Key={"login": {"S": login}}).get("Item", {})
        if item and ready(item):
            return dict(item)
        assert time.monotonic() < deadline, f"{login}: the agents table still says {item}"
        time.sleep(0.05)


def test_interactive_caller_sends_input_while_the_flow_waits(local_server: Any) -> None:
    call = call_api(
        local_server, "POST", "/calls", {"caller": "+821012345678", "at": "2026-11-25T10:00:00+09:00"}
    )
    deadline = time.monotonic() + 5
    while call_api(local_server, "GET", f"/calls/{call['contact_id']}")["state"] != "waiting_input":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    call_api(local_server, "POST", f"/calls/{call['contact_id']}/input", {"input": "say:솔트웨어"})
    deadline = time.monotonic() + 5
    while True:
        got = call_api(local_server, "GET", f"/calls/{call['contact_id']}")
        if "say:솔트웨어" in got["call"]["inputs_used"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    ended = call_api(local_server, "DELETE", f"/calls/{call['contact_id']}")
    assert ended["state"] == "ended" and ended["end_reason"] == "caller hung up"


def test_call_api_rejects_bad_requests_with_what_to_fix(local_server: Any) -> None:
    for body, expected in (
        ({}, "caller"),
        ({"caller": "01012345678"}, "E.164"),
        ({"caller": "+821012345678", "inputs": ["hello"]}, "not a caller input"),
        ({"caller": "+821012345678", "hold_seconds": "x"}, "hold_seconds"),
        ({"caller": "+821012345678", "at": "tomorrow"}, "ISO-8601"),
    ):
        with pytest.raises(urllib.error.HTTPError) as caught:
            call_api(local_server, "POST", "/calls", body)
        assert caught.value.code == 400
        assert expected in json.loads(caught.value.read())["error"]
    with pytest.raises(urllib.error.HTTPError) as caught:
        call_api(local_server, "GET", "/calls/no-such-call")
    assert caught.value.code == 404


def test_faults_are_injected_and_cleared(local_server: Any) -> None:
    faults = call_api(
        local_server, "PUT", "/faults", {"lambdas": {"customer_lookup": "error"}, "agents_offline": True}
    )
    assert faults["lambdas"] == {"customer_lookup": "error"}
    assert call_api(local_server, "GET", "/status")["agents"].get("AVAILABLE", 0) == 0
    call = call_api(
        local_server,
        "POST",
        "/calls",
        {
            "caller": "+821012345678",
            "inputs": ["say:솔트웨어", "say:김민준", "1234#"],
            "at": "2026-11-25T10:00:00+09:00",
            "wait": True,
        },
    )
    assert call["call"]["dropped_silently"] is False
    assert any(c["error"] for c in call["call"]["lambda_calls"])
    assert call_api(local_server, "DELETE", "/faults") == {}
    with pytest.raises(urllib.error.HTTPError) as caught:
        call_api(local_server, "PUT", "/faults", {"lambdas": {"nope": "error"}})
    assert caught.value.code == 400


def test_operator_clients_are_paced_by_the_connect_quota(local_server: Any) -> None:
    from pathlib import Path

    from aicc_ops.admin.context import OpsContext, Target
    from aicc_ops.core.ratelimit import TokenBucket

    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    ops = OpsContext(Target(local=True, state_dir=Path(local_server.state_dir)))
    ops.limiter.buckets["ListQueues"] = TokenBucket(2.0, 5, clock=lambda: now[0], sleep=sleep)
    for _ in range(7):
        ops.client("connect").list_queues(InstanceId=ops.instance_id)
    assert slept == [pytest.approx(0.5), pytest.approx(0.5)]  # burst of 5, then 2 per second


def test_a_caller_who_hangs_up_in_the_flows_never_reaches_a_queue(local_server: Any) -> None:
    call = call_api(
        local_server, "POST", "/calls", {"caller": "+821012345678", "at": "2026-11-25T10:00:00+09:00"}
    )
    deadline = time.monotonic() + 5
    while call_api(local_server, "GET", f"/calls/{call['contact_id']}")["state"] != "waiting_input":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    call_api(local_server, "DELETE", f"/calls/{call['contact_id']}")
    time.sleep(1.5)  # longer than the input wait: a run that went on would have moved by now
    got = call_api(local_server, "GET", f"/calls/{call['contact_id']}")
    assert got["state"] == "ended" and got["queue"] is None and got["end_reason"] == "caller hung up"


def test_queue_capacity_holds_under_concurrent_calls(connect: Any, local_server: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    for u in connect.list_users(InstanceId=INSTANCE)["UserSummaryList"]:
        connect.put_user_status(InstanceId=INSTANCE, UserId=u["Id"], AgentStatusId="offline")
    connect.update_queue_max_contacts(InstanceId=INSTANCE, QueueId="msp_general", MaxContacts=2)
    body = {
        "caller": "+821012345678",
        "inputs": ["say:솔트웨어", "say:김민준", "1234#", "2"],
        "at": "2026-11-25T10:00:00+09:00",
        "wait": True,
    }
    try:
        with ThreadPoolExecutor(5) as pool:
            calls = list(pool.map(lambda _: call_api(local_server, "POST", "/calls", body), range(5)))
        queued = [c for c in calls if c["state"] == "queued"]
        assert len(queued) == 2, [c["state"] for c in calls]
        refused = [c for c in calls if c["state"] == "ended"]
        assert all(not c["call"]["dropped_silently"] for c in refused)  # the apology was spoken
    finally:
        connect.update_queue_max_contacts(InstanceId=INSTANCE, QueueId="msp_general", MaxContacts=8)
        for c in call_api(local_server, "GET", "/calls"):
            if c["state"] != "ended":
                call_api(local_server, "DELETE", f"/calls/{c['contact_id']}")


def test_paging_and_input_bounds_are_checked_like_connect(connect: Any) -> None:
    with pytest.raises(connect.exceptions.InvalidParameterException, match="NextToken"):
        connect.list_users(InstanceId=INSTANCE, NextToken="not-a-token")
    with pytest.raises(connect.exceptions.InvalidParameterException, match="MaxResults"):
        connect.list_users(InstanceId=INSTANCE, MaxResults=5000)
    with pytest.raises(connect.exceptions.InvalidParameterException, match="Unit"):
        connect.get_current_metric_data(
            InstanceId=INSTANCE,
            Filters={"Queues": ["msp_general"]},
            CurrentMetrics=[{"Name": "OLDEST_CONTACT_AGE", "Unit": "COUNT"}],
        )
    created = connect.create_user(  # PhoneConfig is optional in the model: a softphone
        InstanceId=INSTANCE,
        Username="no.phone.config",
        Password="Str0ngPassw0rd!",
        IdentityInfo={"FirstName": "폰", "LastName": "무"},
        SecurityProfileIds=["agent"],
        RoutingProfileId="general_agent",
    )
    user = connect.describe_user(InstanceId=INSTANCE, UserId=created["UserId"])["User"]
    assert user["PhoneConfig"]["PhoneType"] == "SOFT_PHONE"
    with pytest.raises(connect.exceptions.InvalidParameterException, match="DeskPhoneNumber"):
        connect.update_user_phone_config(
            InstanceId=INSTANCE, UserId=created["UserId"], PhoneConfig={"PhoneType": "DESK_PHONE"}
        )
    connect.delete_user(InstanceId=INSTANCE, UserId=created["UserId"])


def test_the_aws_endpoint_serves_the_other_services_the_toolkit_uses(local_server: Any) -> None:
    s3 = local_server.client("s3")
    s3.create_bucket(
        Bucket="aicc-local-exports", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
    )
    s3.put_object(Bucket="aicc-local-exports", Key="a.json", Body=b"{}")
    assert local_server.client("sqs").create_queue(QueueName="aicc-local-events")["QueueUrl"]
    local_server.client("cloudwatch").put_metric_data(
        Namespace="AICC", MetricData=[{"MetricName": "m", "Value": 1}]
    )
    secret = local_server.client("secretsmanager").create_secret(Name="aicc/test", SecretString="x")
    assert secret["ARN"].startswith("arn:aws:secretsmanager:ap-northeast-2:")
    sent = local_server.client("events").put_events(
        Entries=[{"Source": "aicc", "DetailType": "t", "Detail": "{}"}]
    )
    assert sent["FailedEntryCount"] == 0
    tables = local_server.client("dynamodb").list_tables()["TableNames"]
    assert set(local_server.tables.values()) <= set(tables)
    topics = local_server.client("sns").list_topics()["Topics"]
    assert local_server.topic_arn in {t["TopicArn"] for t in topics}


def test_create_user_refuses_what_connect_refuses(connect: Any, user: str) -> None:
    """Connect's own limits (connect_users): the user name length of the identity type, names
    required, in NFC and within their lengths; a user name is taken whatever its case."""
    base = {
        "InstanceId": INSTANCE,
        "Password": "Str0ngPassw0rd!",
        "PhoneConfig": {"PhoneType": "SOFT_PHONE"},
        "SecurityProfileIds": ["agent"],
        "RoutingProfileId": "general_agent",
    }
    names = {"FirstName": "민수", "LastName": "김", "Email": "x@example.com"}
    refused = [
        ({"Username": "a" * 21, "IdentityInfo": names}, "at most 20"),
        ({"Username": "no.names"}, "given name is empty"),
        (
            {
                "Username": "nfd.name",
                "IdentityInfo": {**names, "FirstName": unicodedata.normalize("NFD", "민수")},
            },
            "NFC",
        ),
        ({"Username": "long.last", "IdentityInfo": {**names, "LastName": "김" * 257}}, "at most 256"),
        (
            {"Username": "long.mail", "IdentityInfo": {**names, "Email": "x" * 250 + "@example.com"}},
            "at most 255",
        ),
    ]
    for params, message in refused:
        with pytest.raises(connect.exceptions.InvalidParameterException, match=message):
            connect.create_user(**base, **params)
    with pytest.raises(connect.exceptions.DuplicateResourceException):
        connect.create_user(**base, Username="Test.Kim", IdentityInfo=names)
    with pytest.raises(connect.exceptions.InvalidParameterException, match="family name is empty"):
        connect.update_user_identity_info(
            InstanceId=INSTANCE, UserId=user, IdentityInfo={"FirstName": "민수", "LastName": ""}
        )
    assert connect.describe_user(InstanceId=INSTANCE, UserId=user)["User"]["IdentityInfo"]["LastName"] == "김"
