"""escalation handler: chain walk over DynamoDB state, pages and manager alerts once per contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import EventLoader, FakeLambdaContext, read_event

from aicc.handlers._connect import EventError
from aicc.handlers.escalation import handler

from .conftest import Tables, agent_arn

ROUTED = {"action": "ROUTE", "caller_notice": "NONE", "moved_on": "false", "offer_callback": "false"}
KEYS = {"stage", "target_type", "target_arn", "target_login", "target_name", "next_step", "manager_notified", *ROUTED}
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
    assert escalate(connect_event, lambda_context) == expected
    assert escalate(connect_event, lambda_context, "4") == expected
    sent = topic()
    assert [(n["kind"], n["subject"]) for n in sent] == [
        ("manager", "[긴급 에스컬레이션] 솔트웨어 - 가용 담당자 없음")
    ]


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
