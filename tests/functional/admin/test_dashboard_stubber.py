"""The live page against AWS (`aicc-ops dashboard --env ENV`): every request it sends, checked by
botocore's Stubber against the real service models (parameter names, enums, metric units, limits),
and the queue IDs taken from the env's Terraform outputs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aicc.domain import sla
from aicc.settings import config
from aicc_ops.admin.context import OpsContext, Target, TargetError
from aicc_ops.dashboard import state
from aicc_ops.local.connect_protocol import ConnectError, check_members

REGION = "ap-northeast-2"
INSTANCE = "c8c0e68d-2200-4265-82c0-000000000000"
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
CALL_LOGS, SLA_ALERTS = "aicc-dev-call-logs", "aicc-dev-sla-alerts"
GUIDE = Path(__file__).parents[3] / "docs" / "dashboard.md"


def _client(service: str) -> Any:
    """A client whose every request is checked against the whole model first (enums, lengths,
    ranges: botocore checks only some client side), as the service would."""
    client = boto3.client(service, region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")

    def check(params: dict[str, Any], model: Any, **_: Any) -> None:
        check_members(model.input_shape, params, "InvalidParameterException")

    client.meta.events.register("before-parameter-build", check)
    return client


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[OpsContext, Stubber, Stubber, Stubber]]:
    for key in ("call_logs", "sla_alerts"):  # the reader sets them for read_items
        monkeypatch.delenv(config().tables[key].env, raising=False)
    ops = OpsContext(Target(env="dev", region=REGION))
    queue_ids = {k: f"q-{k}" for k in config().queues}
    ops.__dict__["outputs"] = {  # `terraform output -json`'s shape
        "instance_id": {"value": INSTANCE},
        "queue_ids": {"value": queue_ids},
        "table_names": {"value": {"call_logs": CALL_LOGS, "sla_alerts": SLA_ALERTS}},
    }
    connect, dynamodb = _client("connect"), _client("dynamodb")
    table = boto3.resource(
        "dynamodb", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s"
    ).Table(SLA_ALERTS)
    ops.provide("connect", connect)
    ops.provide("dynamodb", dynamodb)
    ops._tables["sla_alerts"] = table
    with Stubber(connect) as c, Stubber(dynamodb) as d, Stubber(table.meta.client) as t:
        yield ops, c, d, t
        c.assert_no_pending_responses()
        d.assert_no_pending_responses()
        t.assert_no_pending_responses()


def test_one_snapshot_reads_connect_within_its_model(
    stubbed: tuple[OpsContext, Stubber, Stubber, Stubber],
) -> None:
    ops, connect, dynamodb, table = stubbed
    actions: set[str] = set()  # every request's IAM action, for the guide's permissions

    def record(model: Any, **_: Any) -> None:
        actions.add(f"{model.service_model.signing_name}:{model.name}")

    for client in (connect.client, dynamodb.client, table.client):
        client.meta.events.register("before-parameter-build", record)
    users = [{"Id": "u-1", "Username": "ts.choi"}, {"Id": "u-2", "Username": "ts.yoon"}]
    connect.add_response("list_users", {"UserSummaryList": users}, {"InstanceId": INSTANCE})
    statuses = [{"Arn": "arn:available", "Type": "ROUTABLE"}]
    connect.add_response(
        "list_agent_statuses", {"AgentStatusSummaryList": statuses}, {"InstanceId": INSTANCE}
    )
    reader = state.Reader(ops)
    assert [r.id for r in reader.refs] == sorted(f"q-{k}" for k in config().queues)

    key = next(k for k, q in config().queues.items() if q.sla_seconds)
    breached = config().queues[key].sla_seconds
    metric = [
        {
            "Dimensions": {"Queue": {"Id": f"q-{key}", "Arn": "arn:q"}},
            "Collections": [
                {"Metric": {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"}, "Value": 2.0},
                {"Metric": {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"}, "Value": float(breached or 0)},
            ],
        }
    ]
    connect.add_response(
        "get_current_metric_data",
        {"MetricResults": metric},
        {"InstanceId": INSTANCE, "MaxResults": 100, **sla.metric_request([r.id for r in reader.refs])},
    )
    on_call = {
        "User": {"Id": "u-1", "Arn": "arn:u-1"},
        "Status": {"StatusArn": "arn:available", "StatusName": "Available"},
        "Contacts": [{"ContactId": "c-1", "AgentContactState": "CONNECTED"}],
    }
    connect.add_response(
        "get_current_user_data",
        {"UserDataList": [on_call]},
        {"InstanceId": INSTANCE, "MaxResults": 100, "Filters": {"Agents": ["u-1", "u-2"]}},
    )
    contacts = [
        {
            "Id": "c-1",
            "QueueInfo": {"Id": f"q-{key}", "EnqueueTimestamp": NOW},
            "AgentInfo": {"ConnectedToAgentTimestamp": NOW},
        },
        {"Id": "c-2", "QueueInfo": {"Id": f"q-{key}", "EnqueueTimestamp": NOW}},
    ]
    connect.add_response("search_contacts", {"Contacts": contacts}, state.search_request(INSTANCE, NOW))
    log = {
        "contact_id": {"S": "c-2"},
        "created_at": {"S": "2026-12-07T00:59:00+00:00"},
        "path": {"L": [{"S": "auth"}, {"S": "msp_general"}]},
        "sentiment": {"M": {"overall": {"S": "NEGATIVE"}}},
    }
    dynamodb.add_response(
        "batch_get_item",
        {"Responses": {CALL_LOGS: [log]}},
        {
            "RequestItems": {
                CALL_LOGS: {
                    "Keys": [{"contact_id": {"S": "c-1"}}, {"contact_id": {"S": "c-2"}}],
                    "ConsistentRead": False,
                }
            }
        },
    )
    alert = {"queue": {"S": key}, "level": {"N": "2"}, "changed_at": {"S": "2026-12-07T00:58:00+00:00"}}
    table.add_response("scan", {"Items": [alert]}, {"TableName": SLA_ALERTS})

    snap = reader.snapshot(NOW)
    row = next(r for r in snap["queues"] if r["key"] == key)
    assert row["waiting"] == 2 and row["state"] == sla.SlaState.BREACHED.value
    assert snap["agents"]["on_contact"] == 1 and snap["agents"]["offline"] == 1
    assert [(c["contact_id"], c["stage"], c["step"]) for c in snap["calls"]] == [
        ("c-1", state.WITH_AGENT, ""),
        ("c-2", state.QUEUED, "msp_general"),
    ]
    assert snap["calls_count"] == "2"
    permissions = GUIDE.read_text(encoding="utf-8").split("## Permissions", 1)[1].split("\n## ", 1)[0]
    assert actions and {a for a in actions if f"`{a}`" not in permissions} == set()
    assert "`kms:Decrypt` on the `data` key" in permissions  # the tables are encrypted with it
    assert snap["alerts"][0]["episode"] == "BREACH"


def test_one_search_contacts_page_a_snapshot_and_the_rest_counted(
    stubbed: tuple[OpsContext, Stubber, Stubber, Stubber],
) -> None:
    """SearchContacts' quota (0.5/s, account-wide) allows one request per 2 s snapshot: a next page is
    never read (the Stubber refuses a request it was not given), the page says how many there are."""
    ops, connect, _, _ = stubbed
    connect.add_response("list_users", {"UserSummaryList": []}, {"InstanceId": INSTANCE})
    connect.add_response("list_agent_statuses", {"AgentStatusSummaryList": []}, {"InstanceId": INSTANCE})
    reader = state.Reader(ops)
    size = state.search_request(INSTANCE, NOW)["MaxResults"]
    listed = [{"Id": f"c-{n}"} for n in range(size)]
    page = {"Contacts": listed, "NextToken": "t", "TotalCount": 312}
    connect.add_response("search_contacts", page, state.search_request(INSTANCE, NOW))
    live = reader.live(NOW)
    assert len(live.calls) == size and live.count() == f"312 (the first {size} listed)"

    del page["TotalCount"]
    connect.add_response("search_contacts", page, state.search_request(INSTANCE, NOW))
    assert reader.live(NOW).count() == f"{size}+"  # no TotalCount: more, not how many


def test_search_contacts_asks_for_the_contacts_not_yet_disconnected() -> None:
    """Stubber validates the request against the model: a wrong enum or shape fails here."""
    connect = _client("connect")
    params = state.search_request(INSTANCE, NOW)
    with Stubber(connect) as stub:
        stub.add_response("search_contacts", {"Contacts": []}, params)
        connect.search_contacts(**params)
    criteria = params["SearchCriteria"]["AdditionalTimeRange"]["Criteria"]
    assert criteria == [
        {"TimestampCondition": {"Type": "DISCONNECT_TIMESTAMP", "ConditionType": "NOT_EXISTS"}}
    ]
    criteria[0]["TimestampCondition"]["ConditionType"] = "ABSENT"  # the check does fail on a mistake
    with pytest.raises(ConnectError, match="ABSENT"):
        connect.search_contacts(**params)


def test_an_env_without_queue_ids_says_what_to_do() -> None:
    ops = OpsContext(Target(env="dev", region=REGION))
    ops.__dict__["outputs"] = {"instance_id": {"value": INSTANCE}}
    with pytest.raises(TargetError, match="no queue_ids Terraform output"):
        state.queue_refs(ops)
