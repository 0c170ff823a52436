"""The SLA monitor end to end with moto (DynamoDB, SNS, Secrets Manager), Connect through
botocore's Stubber (its real service model checks every parameter) and the local Slack receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aicc.adapters import slack as slack_adapter
from aicc.adapters.sla_alerts import SlaAlertRepository
from aicc.adapters.sla_monitor import SlaMonitor
from aicc.domain import workload
from aicc.domain.sla import (
    CURRENT_METRICS,
    HEADLINES,
    MATCH_TOLERANCE,
    NOT_IN_LOG,
    QUEUE_DIMENSION,
    SLA_WAIT_SHARE,
    Level,
    Message,
)
from aicc.settings import config
from aicc_ops.local.slack_receiver import SlackReceiver

INSTANCE = "11111111-2222-3333-4444-555555555555"
NOW = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
QUEUES = {k: q for k, q in config().queues.items() if q.sla_seconds is not None}
IDS = {k: f"q-{i:02d}" for i, k in enumerate(sorted(QUEUES))}
TOKEN = "xoxb-test-token"
EMERGENCY = "msp_emergency"


@pytest.fixture
def receiver() -> Iterator[SlackReceiver]:
    with SlackReceiver(TOKEN) as r:
        yield r


@pytest.fixture
def slack_secret(aws: Mapping[str, str], receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> str:
    """The bot token in Secrets Manager, and slack-sdk pointed at the receiver (AICC_SLACK_BASE_URL)."""
    boto3.client("secretsmanager").create_secret(Name="aicc-test/slack", SecretString=TOKEN)
    monkeypatch.setenv(slack_adapter.TOKEN_SECRET_ENV, "aicc-test/slack")
    monkeypatch.setenv(slack_adapter.BASE_URL_ENV, receiver.base_url)
    slack_adapter.forget_token()
    return "aicc-test/slack"


def stubbed(waits: Mapping[str, tuple[float, int]], agents: Mapping[str, int] | None = None) -> Any:
    """A Connect client answering one run: ListQueues, then GetCurrentMetricData with, per queue
    key, (oldest wait in seconds, agents available); one caller waits where the wait is above 0.
    With `agents` (Connect user ID -> contacts), the handler's workload read too: GetCurrentUserData
    on the same queues (and no ListUsers: a call the stub does not expect fails the test)."""
    client = boto3.client("connect", region_name="ap-northeast-2")
    stub = Stubber(client)
    summaries = [
        {
            "Id": IDS[k],
            "Arn": f"arn:aws:connect:ap-northeast-2:123456789012:instance/{INSTANCE}/queue/{IDS[k]}",
            "Name": q.name,
            "QueueType": "STANDARD",
        }
        for k, q in QUEUES.items()
    ]
    stub.add_response(
        "list_queues",
        {"QueueSummaryList": summaries},
        {"InstanceId": INSTANCE, "QueueTypes": ["STANDARD"], "MaxResults": 100},
    )
    results = []
    for key in sorted(QUEUES):
        oldest, available = waits.get(key, (0.0, 1))
        values = {
            "CONTACTS_IN_QUEUE": 1 if oldest else 0,
            "OLDEST_CONTACT_AGE": oldest,
            "AGENTS_AVAILABLE": available,
            "AGENTS_ONLINE": max(available, 1),
        }
        results.append(
            {
                "Dimensions": {"Queue": {"Id": IDS[key], "Arn": f"arn:queue/{IDS[key]}"}},
                "Collections": [
                    {"Metric": {"Name": n, "Unit": u}, "Value": float(values.get(n, 0))}
                    for n, u in CURRENT_METRICS
                ],
            }
        )
    stub.add_response(
        "get_current_metric_data",
        {"MetricResults": results, "DataSnapshotTime": NOW},
        {
            "InstanceId": INSTANCE,
            "Filters": {"Queues": sorted(IDS.values()), "Channels": ["VOICE"]},
            "Groupings": ["QUEUE"],
            "CurrentMetrics": [{"Name": n, "Unit": u} for n, u in CURRENT_METRICS],
        },
    )
    if agents is not None:
        data = [
            {
                "User": {"Id": user_id, "Arn": f"arn:user/{user_id}"},
                "ActiveSlotsByChannel": {"VOICE": min(n, 1)},
                "MaxSlotsByChannel": {"VOICE": 1},
                "Contacts": [{"ContactId": f"c-{user_id}-{k}"} for k in range(n)],
            }
            for user_id, n in agents.items()
        ]
        stub.add_response(
            "get_current_user_data",
            {"UserDataList": data, "ApproximateTotalCount": len(data)},
            {"InstanceId": INSTANCE, "Filters": {"Queues": sorted(IDS.values())}, "MaxResults": 100},
        )
    stub.activate()
    return client


def monitor(waits: Mapping[str, tuple[float, int]], alerts: SlaAlertRepository | None = None) -> SlaMonitor:
    return SlaMonitor(connect=stubbed(waits), alerts=alerts, instance_id=INSTANCE)


def by_queue(outcomes: list[Any]) -> dict[str, Any]:
    return {o.queue.key: o for o in outcomes}


def test_a_breach_episode_sends_one_alert_and_one_resolve(
    slack_secret: str, receiver: SlackReceiver, topic: Any
) -> None:
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    runs = [
        {EMERGENCY: (sla + 5, 1)},
        {EMERGENCY: (sla + 65, 1)},  # still breached: nothing new
        {EMERGENCY: (sla * 0.9, 1)},  # eased to at-risk: the same episode
        {},  # answered: resolved
        {},
    ]
    sent = []
    for waits in runs:
        outcome = by_queue(monitor(waits).run(NOW))[EMERGENCY]
        sent.append(outcome.message)
    assert sent == [Message.BREACH, None, None, Message.RESOLVED, None]
    posted = receiver.taken()
    headlines = [HEADLINES[Message.BREACH], HEADLINES[Message.RESOLVED]]
    assert [m["text"][: len(h)] for m, h in zip(posted, headlines, strict=True)] == headlines
    assert all(m["channel"] == config().sla_monitor.slack_channel for m in posted)
    emails = [m for m in topic() if m["kind"] == "sla"]
    assert [m["event"] for m in emails] == ["breach", "resolved"]
    assert SlaAlertRepository().level(EMERGENCY) is Level.OK


def test_two_overlapping_runs_alert_once(slack_secret: str, receiver: SlackReceiver, topic: Any) -> None:
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    both_read = threading.Barrier(2, timeout=10)

    class Overlapping(SlaAlertRepository):
        """Both runs read the stored level before either writes."""

        def level(self, queue: str) -> Level:
            found = super().level(queue)
            if queue == EMERGENCY and found is Level.OK:
                both_read.wait()
            return found

    monitors = [monitor({EMERGENCY: (sla + 1, 1)}, Overlapping()) for _ in range(2)]
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda m=m: results.append(by_queue(m.run(NOW))[EMERGENCY])) for m in monitors
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.message is Message.BREACH for o in results) == [False, True]
    assert [o.raced for o in results].count(True) == 1
    assert len(receiver.taken()) == 1
    assert [m["event"] for m in topic() if m["kind"] == "sla"] == ["breach"]


def test_slack_rate_limit_is_waited_out_and_retried(
    slack_secret: str, receiver: SlackReceiver, topic: Any
) -> None:
    receiver.rate_limit(1, retry_after=1)
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    outcome = by_queue(monitor({EMERGENCY: (sla, 1)}).run(NOW))[EMERGENCY]
    assert outcome.message is Message.BREACH and "slack" in outcome.channels
    assert receiver.requests == 2 and len(receiver.taken()) == 1


def test_a_message_nobody_took_is_sent_again_next_run(
    aws: Mapping[str, str], receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(slack_adapter.BASE_URL_ENV, receiver.base_url)
    receiver.rate_limit(3 + slack_adapter.RATE_LIMIT_RETRIES, retry_after=0)  # every try refused
    poster = slack_adapter.SlackPoster("#sla", client=slack_adapter.web_client(TOKEN))
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    first = SlaMonitor(connect=stubbed({EMERGENCY: (sla, 1)}), slack=poster, instance_id=INSTANCE).run(NOW)
    assert by_queue(first)[EMERGENCY].message is None  # no topic either: nobody heard it
    assert SlaAlertRepository().level(EMERGENCY) is Level.OK
    receiver._limited.clear()
    again = SlaMonitor(connect=stubbed({EMERGENCY: (sla, 1)}), slack=poster, instance_id=INSTANCE).run(NOW)
    assert by_queue(again)[EMERGENCY].message is Message.BREACH and len(receiver.taken()) == 1


def test_the_manager_is_paged_once_when_a_breach_finds_no_agent(
    slack_secret: str, receiver: SlackReceiver, topic: Any
) -> None:
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    paged = [by_queue(monitor({EMERGENCY: (sla + s, 0)}).run(NOW))[EMERGENCY].paged for s in (0, 60)]
    assert paged == [True, False]
    pages = [m for m in topic() if m["kind"] == "manager"]
    assert len(pages) == 1 and pages[0]["queue"] == EMERGENCY and pages[0]["subject"].startswith("[PAGE]")
    # a later breach episode pages again
    monitor({}).run(NOW)
    assert by_queue(monitor({EMERGENCY: (sla, 0)}).run(NOW))[EMERGENCY].paged


def test_the_handler_runs_on_a_scheduled_event(
    slack_secret: str,
    receiver: SlackReceiver,
    topic: Any,
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from aicc.adapters import aws as aicc_aws
    from aicc.handlers import sla_monitor

    monkeypatch.setenv("CONNECT_INSTANCE_ID", INSTANCE)
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    user_id = "6c3f9a4e-0b1d-4c52-9e0f-3a7d2b8c1e55"
    client = stubbed({EMERGENCY: (sla, 2)}, agents={user_id: 1})
    monkeypatch.setattr(aicc_aws, "connect", lambda: client)
    event = {"id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    answer = sla_monitor.handler(event, lambda_context)
    rows = {r["queue"]: r for r in answer["queues"]}
    assert rows[EMERGENCY]["sent"] == "breach" and rows[EMERGENCY]["state"] == "BREACHED"
    assert len(receiver.taken()) == 1
    # The run's metrics: the agent on a call fully occupied (by user ID: no ListUsers, no login),
    # the breached queue past 100 % of its SLA.
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith('{"_aws"')]
    (agent,) = [m for m in emf if m.get(workload.AGENT_DIMENSION) == user_id]
    assert agent[workload.CONTACTS] == [1.0] and agent[workload.OCCUPANCY] == [100.0]
    (share,) = [m for m in emf if m.get(QUEUE_DIMENSION) == QUEUES[EMERGENCY].name]
    assert share[SLA_WAIT_SHARE] == [100.0]
    with pytest.raises(Exception, match="Scheduled Event"):
        sla_monitor.handler({"detail-type": "Object Created"}, lambda_context)


def test_an_alert_names_the_oldest_caller_the_call_log_has_entering_then(
    slack_secret: str, receiver: SlackReceiver, topic: Any
) -> None:
    """The metrics say how long; the call log says who: the emergency whose entry matches the
    oldest wait, how far its escalation got. A queue at risk with no matching entry says so."""
    from datetime import timedelta

    from aicc.adapters.call_logs import CallLogRepository
    from aicc.domain.call_log import build_update

    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    logs = CallLogRepository()
    entered = NOW - timedelta(seconds=sla + 5)
    for contact, at, company in (
        ("c-oldest", entered, "솔트웨어"),
        ("c-later", NOW - timedelta(seconds=90), "다른회사"),
    ):
        params = {"event": "queued", "queue": QUEUES[EMERGENCY].name, "emergency": "true", "company": company}
        logs.apply(build_update(contact, params, {}, "", at))
    logs.record_page("c-oldest", 0, "ts.park", entered, 0)
    logs.flush("c-oldest")
    general = next(k for k in QUEUES if k != EMERGENCY)
    general_sla = QUEUES[general].sla_seconds
    assert general_sla is not None
    outcomes = by_queue(monitor({EMERGENCY: (sla + 5, 1), general: (general_sla * 0.9, 1)}).run(NOW))
    oldest = outcomes[EMERGENCY].queue.oldest_caller
    assert oldest is not None and oldest.contact_id == "c-oldest"
    assert (oldest.emergency, oldest.pages, oldest.acknowledged) == (True, 1, False)
    assert outcomes[general].queue.log_checked and outcomes[general].queue.oldest_caller is None
    posted = receiver.taken()
    texts = {
        k: str([m["blocks"] for m in posted if QUEUES[k].name in m["text"]]) for k in (EMERGENCY, general)
    }
    assert "c-oldest" in texts[EMERGENCY] and "솔트웨어" in texts[EMERGENCY]
    assert "1 page(s), not acknowledged" in texts[EMERGENCY] and "c-later" not in texts[EMERGENCY]
    assert NOT_IN_LOG in texts[general] and "flow" not in NOT_IN_LOG  # no blame on a flow it cannot know
    emails = {m["queue"]: m["message"] for m in topic() if m["kind"] == "sla"}
    assert "Oldest caller (call log): 긴급 (emergency) · 솔트웨어" in emails[EMERGENCY]


def test_the_oldest_caller_is_found_in_a_busy_minute_and_not_among_callers_who_left(
    slack_secret: str, receiver: SlackReceiver, topic: Any
) -> None:
    """More callers than one page of the old read entered in the minute before the oldest one, one
    who entered nearer its time asked for a callback (left the queue), and one who entered at the
    same instant was answered (agent_events): the match is the oldest caller still waiting."""
    from datetime import timedelta

    from aicc.adapters.call_logs import CallLogRepository
    from aicc.domain.call_log import build_update

    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    logs, name = CallLogRepository(), QUEUES[EMERGENCY].name
    entered = NOW - timedelta(seconds=sla + 5)
    earliest = entered - MATCH_TOLERANCE + timedelta(seconds=1)
    for i in range(25):  # answered or gone since: inside the window, before the oldest caller
        logs.apply(
            build_update(
                f"c-busy-{i:02d}", {"event": "queued", "queue": name}, {}, "", earliest + timedelta(seconds=i)
            )
        )
    logs.apply(build_update("c-oldest", {"event": "queued", "queue": name}, {}, "", entered))
    logs.apply(
        build_update("c-left", {"event": "queued", "queue": name}, {}, "", entered + timedelta(seconds=1))
    )
    callback = {"event": "callback", "callback_requested": "true"}
    logs.apply(build_update("c-left", callback, {}, "", entered + timedelta(seconds=20)))
    # Entered at the same instant and sorts first by contact ID: only its answer rules it out.
    logs.apply(build_update("c-answered", {"event": "queued", "queue": name}, {}, "", entered))
    assert logs.record_answer("c-answered", entered + timedelta(seconds=30))

    outcomes = by_queue(monitor({EMERGENCY: (sla + 5, 1)}).run(NOW))

    oldest = outcomes[EMERGENCY].queue.oldest_caller
    assert oldest is not None and oldest.contact_id == "c-oldest"


def test_the_call_log_window_is_read_to_its_last_page(aws: Mapping[str, str]) -> None:
    """DynamoDB stops a Query page at 1 MB: the read follows LastEvaluatedKey (Stubber checks
    each request against the service model)."""
    from datetime import timedelta

    from aicc.adapters.call_logs import CallLogRepository
    from aicc.adapters.dynamodb import timestamp

    client = boto3.client("dynamodb", region_name="ap-northeast-2")
    logs = CallLogRepository(client)
    start, end = NOW - timedelta(minutes=1), NOW
    name = QUEUES[EMERGENCY].name
    request = {
        "TableName": logs.table,
        "IndexName": next(n for n, (k, _) in config().tables["call_logs"].indexes.items() if k == "queue"),
        "KeyConditionExpression": "#q = :q AND #t BETWEEN :start AND :end",
        "ExpressionAttributeNames": {"#q": "queue", "#t": "queued_at"},
        "ExpressionAttributeValues": {
            ":q": {"S": name},
            ":start": {"S": timestamp(start)},
            ":end": {"S": timestamp(end)},
        },
    }

    def item(contact: str) -> dict[str, Any]:
        return {"contact_id": {"S": contact}, "queue": {"S": name}, "queued_at": {"S": timestamp(start)}}

    last = {"contact_id": {"S": "c-1"}, "queue": {"S": name}, "queued_at": {"S": timestamp(start)}}
    with Stubber(client) as stub:
        stub.add_response("query", {"Items": [item("c-1")], "LastEvaluatedKey": last}, request)
        stub.add_response("query", {"Items": [item("c-2")]}, {**request, "ExclusiveStartKey": last})
        found = logs.queued(name, start, end)
        stub.assert_no_pending_responses()
    assert [c.contact_id for c in found] == ["c-1", "c-2"]


def test_a_rotated_token_is_read_again_when_slack_refuses_the_one_held(
    aws: Mapping[str, str], receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token rotation changes no function: a warm container holds the revoked token until Slack
    refuses it, then reads the secret again and posts."""
    from slack_sdk.errors import SlackApiError

    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="aicc-test/slack", SecretString="xoxb-revoked")
    monkeypatch.setenv(slack_adapter.TOKEN_SECRET_ENV, "aicc-test/slack")
    monkeypatch.setenv(slack_adapter.BASE_URL_ENV, receiver.base_url)
    slack_adapter.forget_token()
    poster = slack_adapter.SlackPoster("#sla")
    with pytest.raises(SlackApiError):  # the secret still holds the revoked token: refused twice
        poster.post("before", [])
    secrets.put_secret_value(SecretId="aicc-test/slack", SecretString=TOKEN)
    assert poster.post("after", [])
    assert [m["text"] for m in receiver.taken()] == ["after"]
