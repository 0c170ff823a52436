"""escalation handler: chain walk over DynamoDB state, pages and manager alerts once per contact."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from helpers import REGION, EventLoader, FakeLambdaContext, read_event

from aicc import clock
from aicc.adapters import aws
from aicc.adapters.notifier import Notifier
from aicc.handlers._connect import EventError
from aicc.handlers.escalation import handler
from aicc.handlers.page_ack import handler as page_ack
from aicc.settings import config

from .aws_requests import handler_requests
from .conftest import Tables, agent_arn

# `people`: the customer's part (TS1) other than its TS engineers, for the flow to pass back.
ROUTED = {
    "action": "ROUTE",
    "caller_notice": "NONE",
    "moved_on": "false",
    "offer_callback": "false",
    "people": "ts.yoon,mgr.kim",
}
KEYS = {
    "stage",
    "target_type",
    "target_arn",
    "target_login",
    "target_name",
    "next_step",
    "manager_notified",
    *ROUTED,
}
PARAMS = read_event("connect_escalation")["Details"]["Parameters"]
FALLBACK, GENERAL = PARAMS["fallback_queue_arn"], PARAMS["general_queue_arn"]
CONTACT = "4a573372-1f28-4e26-b97b-000000000004"
Sent = Callable[[], list[dict[str, Any]]]


def escalate(
    connect_event: EventLoader, ctx: FakeLambdaContext, step: str = "0", **overrides: Any
) -> dict[str, str]:
    params = {"step": step, **overrides.pop("parameters", {})}
    out: dict[str, str] = handler(connect_event("connect_escalation", parameters=params, **overrides), ctx)
    assert set(out) == KEYS
    return out


def test_primary_engineer_is_paged_once(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    expected = {
        "stage": "TS_PRIMARY",
        "target_type": "AGENT",
        "target_arn": agent_arn("ts.park"),
        "target_login": "ts.park",
        "target_name": "박준영",
        "next_step": "1",
        "manager_notified": "false",
        **ROUTED,
    }
    assert escalate(connect_event, lambda_context) == expected
    assert escalate(connect_event, lambda_context) == expected  # Connect retried the Lambda
    pages = topic()
    assert [(p["kind"], p["login"]) for p in pages] == [("page", "ts.park")]
    assert pages[0]["subject"] == "[긴급 장애] 솔트웨어 호출 - 1차 주 담당 TS 엔지니어"
    assert "운영 EC2 인스턴스에 접속이 안 됩니다" in pages[0]["message"]
    log = tables.call_log(CONTACT)
    assert log is not None and log["notified"] == {"page:0"}


def test_a_step_reads_in_two_requests_and_its_first_write_carries_the_start(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    with handler_requests() as sent:
        escalate(connect_event, lambda_context)
    # Customer, roster and call log; the people; the page's claim, which also records when the
    # escalation started and logs the route as call_log would; the page.
    assert sent == ["BatchGetItem", "BatchGetItem", "UpdateItem", "Publish"]
    log = tables.call_log(CONTACT)
    assert log is not None
    assert log["escalation_started_at"] == log["escalated_at"] == log["created_at"]
    assert (log["events"], log["emergency"], log["company"]) == ({"escalated"}, True, "솔트웨어")
    assert log["path"] == ["main", "auth", "msp_menu", "emergency"]  # from the contact's attributes
    with handler_requests() as sent:
        escalate(connect_event, lambda_context)  # Connect retried: the call log shows the page claimed
    assert sent == ["BatchGetItem", "BatchGetItem"]
    assert len(topic()) == 1


def test_with_the_engineers_in_the_attributes_a_route_to_the_primary_is_one_read(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    engineers = {"ts_primary": "ts.park", "ts_secondary": "ts.choi"}  # as the lookup's flow copies them
    with handler_requests() as sent:
        out = escalate(connect_event, lambda_context, attributes=engineers)
    assert out["target_login"] == "ts.park"
    assert sent == ["BatchGetItem", "UpdateItem"]  # no topic here: the notice is only logged
    # Stale attributes only cost the read of the people the walk needs.
    tables.set_status("ts.park", "BUSY")
    tables.set_status("ts.choi", "BUSY")
    with handler_requests() as sent:
        stale = {"ts_primary": "ts.yoon", "ts_secondary": "ts.yoon"}
        out = escalate(connect_event, lambda_context, attributes=stale, contact_id="another-contact")
    assert (out["stage"], out["target_login"]) == ("PART_MEMBER", "ts.yoon")
    assert sent.count("BatchGetItem") == 2


def test_with_the_people_of_the_previous_step_a_walk_to_the_part_and_the_manager_is_one_read(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    for login in ("ts.park", "ts.choi", "ts.yoon"):
        tables.set_status(login, "OFFLINE")
    engineers = {"ts_primary": "ts.park", "ts_secondary": "ts.choi"}
    first = escalate(connect_event, lambda_context, attributes=engineers)
    assert (first["stage"], first["people"]) == ("GENERAL_AGENT", "ts.yoon,mgr.kim")
    tables.set_status("ts.yoon", "AVAILABLE")  # the part's member is back: read fresh, not remembered
    with handler_requests() as sent:
        hinted = {**engineers, "escalation_people": first["people"]}  # as the flow passes it back
        out = escalate(connect_event, lambda_context, "2", attributes=hinted, contact_id="another-contact")
    assert (out["stage"], out["target_login"]) == ("PART_MEMBER", "ts.yoon")
    assert sent == ["BatchGetItem", "UpdateItem", "Publish"]
    tables.set_status("ts.yoon", "OFFLINE")
    with handler_requests() as sent:
        out = escalate(connect_event, lambda_context, "4", attributes=hinted)  # the manager's alert
    assert (out["stage"], out["manager_notified"]) == ("EXHAUSTED", "true")
    assert sent == ["BatchGetItem", "UpdateItem", "Publish"]
    assert "김현우" in topic()[-1]["message"]  # the manager, read with the step
    # A stale hint (another part's people) costs the read of the roster's people, not a wrong one.
    with handler_requests() as sent:
        stale = {**engineers, "escalation_people": "ts.jung,mgr.lee"}
        out = escalate(connect_event, lambda_context, "4", attributes=stale, contact_id="third-contact")
    assert sent == ["BatchGetItem", "BatchGetItem", "UpdateItem", "Publish"]
    assert "김현우" in topic()[-1]["message"] and "mgr.lee" not in topic()[-1]["message"]


def test_a_walk_past_the_ts_steps_does_not_read_their_engineers(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    engineers = {"ts_primary": "ts.park", "ts_secondary": "ts.choi"}
    with handler_requests() as sent:
        out = escalate(connect_event, lambda_context, "2", attributes=engineers)
    assert (out["stage"], out["target_login"]) == ("PART_MEMBER", "ts.yoon")
    first = next(params for name, params in sent.params if name == "BatchGetItem")
    agents_table = tables.names["AGENTS_TABLE"]
    assert agents_table not in first["RequestItems"]  # customer, roster, call log only


def test_a_stale_part_attribute_costs_one_more_read_not_a_wrong_roster(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    tables.set_status("ts.park", "BUSY")
    tables.set_status("ts.choi", "BUSY")
    with handler_requests() as sent:
        out = escalate(connect_event, lambda_context, attributes={"part": "TS2"})  # the customer's is TS1
    assert (out["stage"], out["target_login"]) == ("PART_MEMBER", "ts.yoon")  # TS1's member, not TS2's
    assert sent.count("BatchGetItem") == 3


def test_the_general_team_is_read_only_when_the_walk_reaches_it(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    with handler_requests() as sent:
        escalate(connect_event, lambda_context)
    assert "Query" not in sent
    for login in ("ts.park", "ts.choi", "ts.yoon"):
        tables.set_status(login, "OFFLINE")
    with handler_requests() as sent:
        out = escalate(connect_event, lambda_context, contact_id="another-contact")
    assert out["stage"] == "GENERAL_AGENT"
    assert sent.count("Query") == 1


def test_each_step_walks_on(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    assert escalate(connect_event, lambda_context, "1")["target_login"] == "ts.choi"
    out = escalate(connect_event, lambda_context, "2")
    assert (out["stage"], out["target_login"], out["next_step"]) == ("PART_MEMBER", "ts.yoon", "3")
    assert [p["login"] for p in topic()] == ["ts.choi", "ts.yoon"]


def test_unavailable_targets_are_skipped_at_once(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    tables.set_status("ts.park", "BUSY")
    tables.set_status("ts.choi", "AFTER_CONTACT_WORK")
    out = escalate(connect_event, lambda_context)
    assert (out["stage"], out["target_login"], out["next_step"]) == ("PART_MEMBER", "ts.yoon", "3")


def test_general_agent_stage_routes_to_the_agent_and_alerts_the_manager(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    for login in ("ts.park", "ts.choi", "ts.yoon"):
        tables.set_status(login, "OFFLINE")
    expected = {
        "stage": "GENERAL_AGENT",
        "target_type": "AGENT",
        "target_arn": agent_arn("ga.han"),
        "target_login": "ga.han",
        "target_name": "한소희",
        "next_step": "4",
        "manager_notified": "true",
        **ROUTED,
    }
    assert escalate(connect_event, lambda_context) == expected
    assert escalate(connect_event, lambda_context) == expected
    sent = topic()
    assert [(n["kind"], n["login"]) for n in sent] == [("page", "ga.han"), ("manager", "mgr.kim")]
    assert "김현우" in sent[1]["message"]


def test_exhausted_goes_to_the_fallback_queue(
    tables: Tables, topic: Sent, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    for login in ("ts.park", "ts.choi", "ts.yoon", "ga.han"):
        tables.set_status(login, "OFFLINE")
    expected = {
        "stage": "EXHAUSTED",
        "target_type": "QUEUE",
        "target_arn": FALLBACK,
        "target_login": "",
        "target_name": "",
        "next_step": "4",
        "manager_notified": "true",
        **ROUTED,
        "action": "EXHAUSTED",
        "caller_notice": "MANAGER_PAGED",
    }
    with handler_requests() as first:
        assert escalate(connect_event, lambda_context) == expected
    with handler_requests() as again:
        assert escalate(connect_event, lambda_context, "4") == expected
    sent = topic()
    assert [(n["kind"], n["subject"]) for n in sent] == [
        ("manager", "[긴급 에스컬레이션] 솔트웨어 - 가용 담당자 없음")
    ]
    # The chain's end is logged with the manager's claim, once: the next wait writes nothing.
    assert first.count("UpdateItem") == 1 and "UpdateItem" not in again
    log = tables.call_log(CONTACT)
    assert log is not None and log["events"] == {"escalation_exhausted"}


def test_general_agent_without_a_user_arn_goes_through_the_general_queue(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    tables.put(
        "AGENTS_TABLE", {"login": "ga.han", "name": "한소희", "team": "GENERAL", "status": "AVAILABLE"}
    )
    out = escalate(connect_event, lambda_context, "3")
    assert (out["stage"], out["target_type"], out["target_arn"], out["target_login"]) == (
        "GENERAL_AGENT",
        "QUEUE",
        GENERAL,
        "ga.han",
    )


def test_unknown_customer_still_reaches_a_person(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = escalate(connect_event, lambda_context, attributes={"customer_id": "C-NOBODY"})
    assert (out["stage"], out["target_arn"]) == ("GENERAL_AGENT", agent_arn("ga.han"))
    out = escalate(connect_event, lambda_context, attributes={"customer_id": None})
    assert out["stage"] == "GENERAL_AGENT"


def test_without_a_topic_notices_are_only_logged(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    escalate(connect_event, lambda_context)
    assert any(r.getMessage() == "notification (no topic configured, not sent)" for r in caplog.records)
    log = tables.call_log(CONTACT)
    assert log is not None and log["notified"] == {"page:0"}


def test_a_failed_page_does_not_stop_routing(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for login in ("ts.park", "ts.choi", "ts.yoon", "ga.han"):
        tables.set_status(login, "OFFLINE")
    monkeypatch.setenv("NOTIFY_TOPIC_ARN", "arn:aws:sns:ap-northeast-2:123456789012:no-such-topic")
    out = escalate(connect_event, lambda_context)
    assert (out["stage"], out["target_arn"], out["manager_notified"]) == ("EXHAUSTED", FALLBACK, "false")
    log = tables.call_log(CONTACT)
    assert log is not None and not log.get("notified")  # released: the next call tries again


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"fallback_queue_arn": None}, EventError, "parameter 'fallback_queue_arn' is required"),
        ({"general_queue_arn": ""}, EventError, "parameter 'general_queue_arn' is required"),
        ({"step": "next"}, ValueError, "step must be a non-negative integer"),
    ],
)
def test_bad_parameters(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    params: dict[str, str | None],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        handler(connect_event("connect_escalation", parameters=params), lambda_context)


# ---- night: the on-call engineer is not signed in and is paged ---------------------------------
HANBIT = {"customer_id": "C-HANBIT", "incident": "운영 DB 장애"}
JUNG_MOBILE, KANG_MOBILE = "+821077001001", "+821077001002"
INSTANCE_ID = PARAMS["instance_arn"].rsplit("/", 1)[-1]
PAGE_FLOW_ID = PARAMS["page_flow_id"].rsplit("/", 1)[-1]
QUEUE_ID = PARAMS["page_queue_id"].rsplit("/", 1)[-1]
POLICY = config().escalation


@pytest.fixture
def night(tables: Tables) -> Tables:
    """Part TS2 off shift: ts.jung (primary) and ts.kang (secondary) OFFLINE, with mobiles."""
    for login, name, mobile in (("ts.jung", "정민호", JUNG_MOBILE), ("ts.kang", "강하늘", KANG_MOBILE)):
        tables.put(
            "AGENTS_TABLE",
            {
                "login": login,
                "name": name,
                "team": "TS",
                "part": "TS2",
                "status": "OFFLINE",
                "mobile": mobile,
                "user_arn": agent_arn(login),
            },
        )
    tables.put(
        "ROSTERS_TABLE",
        {"part": "TS2", "name": "기술지원 2파트", "members": ["ts.jung", "ts.kang"], "manager": "mgr.lee"},
    )
    return tables


def sms() -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """Connect as the pager's client, through botocore's Stubber (parameters checked against the model)."""
    client = boto3.client("connect", region_name=REGION)
    stubber = Stubber(client)
    monkeypatch.setattr(aws, "connect", lambda: client)
    with stubber:
        yield stubber


def expect_page_call(
    connect: Stubber, mobile: str, login: str, step: int = 0, at: datetime | None = None
) -> None:
    connect.add_response(
        "start_outbound_voice_contact",
        {"ContactId": f"page-call-{login}"},
        {
            "InstanceId": INSTANCE_ID,
            "ContactFlowId": PAGE_FLOW_ID,
            "QueueId": QUEUE_ID,
            "DestinationPhoneNumber": mobile,
            "Attributes": {
                "emergency_contact_id": CONTACT,
                "escalation_step": str(step),
                "paged_login": login,
                "company": "한빛금융",
                "incident": "운영 DB 장애",
                "paged_at": (at or NIGHT).isoformat(),
            },
            "ClientToken": f"{CONTACT}:page:{step}",
            "RingTimeoutInSeconds": 30,
        },
    )


def night_escalate(
    connect_event: EventLoader, ctx: FakeLambdaContext, at: datetime, step: str = "0"
) -> dict[str, str]:
    with clock.frozen_at(at):
        return escalate(connect_event, ctx, step, attributes=HANBIT)


NIGHT = datetime(2026, 11, 26, 2, 30, tzinfo=ZoneInfo("Asia/Seoul"))


def test_offline_engineer_is_paged_by_sms_and_call_once(
    night: Tables,
    topic: Sent,
    connect: Stubber,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
) -> None:
    expect_page_call(connect, JUNG_MOBILE, "ts.jung")
    with handler_requests() as sent:
        out = night_escalate(connect_event, lambda_context, NIGHT)
    # To the call log: the SMS's claim carrying the page record and the escalation's start (both
    # before anything goes out), the call's claim, and the channels that went out.
    assert sent.count("UpdateItem") == 3
    assert (out["action"], out["caller_notice"], out["target_login"], out["next_step"]) == (
        "PAGE",
        "PAGED",
        "ts.jung",
        "0",
    )
    assert (out["target_type"], out["target_arn"]) == ("QUEUE", FALLBACK)  # the call waits in the queue
    [(number, text)] = sms()
    assert number == JUNG_MOBILE and "한빛금융" in text and "운영 DB 장애" in text and CONTACT in text
    page = (night.call_log(CONTACT) or {})["page_0"]
    assert (page["login"], page["sms"], page["call"]) == ("ts.jung", "sent", "sent")
    # A minute later: no second SMS or call (the Stubber would fail on an unexpected call).
    out = night_escalate(connect_event, lambda_context, NIGHT + timedelta(seconds=POLICY.wait_seconds))
    assert (out["action"], out["caller_notice"], out["next_step"]) == ("AWAIT_ACK", "AWAITING_ACK", "0")
    assert len(sms()) == 1
    connect.assert_no_pending_responses()


def test_failed_sms_is_not_announced(
    night: Tables,
    connect: Stubber,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(self: Notifier, phone: str, text: str) -> str:
        raise ClientError({"Error": {"Code": "OptedOut", "Message": "opted out"}}, "Publish")

    monkeypatch.setattr(Notifier, "send_sms", refuse)
    expect_page_call(connect, JUNG_MOBILE, "ts.jung")
    out = night_escalate(connect_event, lambda_context, NIGHT)
    assert (out["action"], out["caller_notice"]) == ("PAGE", "PAGED_CALL")
    page = (night.call_log(CONTACT) or {})["page_0"]
    assert (page["sms"], page["call"]) == ("failed", "sent")


def test_failed_page_call_is_not_announced(
    night: Tables, connect: Stubber, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    connect.add_client_error("start_outbound_voice_contact", "DestinationNotAllowedException")
    out = night_escalate(connect_event, lambda_context, NIGHT)
    assert (out["action"], out["caller_notice"]) == ("PAGE", "PAGED_SMS")
    assert [n for n, _ in sms()] == [JUNG_MOBILE]


def test_acknowledged_page_holds_the_step_then_the_next_engineer_is_paged(
    night: Tables, connect: Stubber, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    expect_page_call(connect, JUNG_MOBILE, "ts.jung")
    night_escalate(connect_event, lambda_context, NIGHT)
    ack = connect_event("connect_page_ack")
    with clock.frozen_at(NIGHT + timedelta(seconds=POLICY.wait_seconds)):
        assert page_ack(ack, lambda_context) == {"status": "ACKNOWLEDGED"}
    later = NIGHT + timedelta(seconds=POLICY.ack_wait_seconds)  # past the ack wait: the ack holds
    out = night_escalate(connect_event, lambda_context, later)
    assert (out["action"], out["caller_notice"], out["moved_on"]) == ("ACKNOWLEDGED", "ACKNOWLEDGED", "false")
    # The grace runs out without ts.jung signing in: ts.kang is paged and the caller told so.
    gone = NIGHT + timedelta(seconds=POLICY.wait_seconds + POLICY.ack_grace_seconds)
    expect_page_call(connect, KANG_MOBILE, "ts.kang", step=1, at=gone)
    out = night_escalate(connect_event, lambda_context, gone)
    assert (out["action"], out["target_login"], out["moved_on"], out["next_step"]) == (
        "PAGE",
        "ts.kang",
        "true",
        "1",
    )


def test_an_ack_from_someone_else_is_not_recorded(
    night: Tables, connect: Stubber, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    expect_page_call(connect, JUNG_MOBILE, "ts.jung")
    night_escalate(connect_event, lambda_context, NIGHT)
    wrong = connect_event("connect_page_ack", attributes={"paged_login": "ts.kang"})
    assert page_ack(wrong, lambda_context) == {"status": "NOT_FOUND"}
    assert "acked_at" not in (night.call_log(CONTACT) or {})["page_0"]
    with pytest.raises(EventError, match="emergency_contact_id"):
        page_ack(connect_event("connect_page_ack", attributes={"emergency_contact_id": None}), lambda_context)


def test_callback_is_offered_before_the_sla(
    night: Tables, connect: Stubber, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    expect_page_call(connect, JUNG_MOBILE, "ts.jung")
    assert night_escalate(connect_event, lambda_context, NIGHT)["offer_callback"] == "false"
    sla = config().queues[POLICY.queue].sla_seconds or 0
    near = NIGHT + timedelta(seconds=sla - POLICY.callback_before_sla_seconds - POLICY.wait_seconds)
    expect_page_call(connect, KANG_MOBILE, "ts.kang", step=1, at=near)
    assert night_escalate(connect_event, lambda_context, near)["offer_callback"] == "true"
