"""agent_events handler: Connect's agent events keep the agents table's status and live load."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import REGION, FakeLambdaContext, agent_event, kinesis_event, read_event

from aicc.handlers import agent_events
from aicc.handlers.agent_events import handler

from .conftest import Tables


@pytest.fixture
def agents_table(tables: Tables) -> str:
    return tables.names["AGENTS_TABLE"]


def test_a_call_makes_the_agent_busy_and_its_end_available_again(
    agents_table: str, lambda_context: FakeLambdaContext
) -> None:
    table = boto3.resource("dynamodb", region_name=REGION).Table(agents_table)
    out = handler(kinesis_event(agent_event("ts.park", "2026-11-25T01:00:05.181Z")), lambda_context)
    assert out == {"batchItemFailures": []}
    park = table.get_item(Key={"login": "ts.park"})["Item"]
    assert (park["status"], park["active_contacts"]) == ("BUSY", 1)
    assert park["presence_at"] == "2026-11-25T01:00:05.181+00:00"
    handler(kinesis_event(agent_event("ts.park", "2026-11-25T01:04:00.000Z", ("ENDED",))), lambda_context)
    assert table.get_item(Key={"login": "ts.park"})["Item"]["status"] == "AFTER_CONTACT_WORK"
    handler(kinesis_event(agent_event("ts.park", "2026-11-25T01:04:30.000Z", ())), lambda_context)
    park = table.get_item(Key={"login": "ts.park"})["Item"]
    assert (park["status"], park["active_contacts"]) == ("AVAILABLE", 0)
    assert park["handled_today"] == 0  # assignment's own counters are not touched


def test_an_older_event_delivered_late_does_not_win(
    agents_table: str, lambda_context: FakeLambdaContext
) -> None:
    table = boto3.resource("dynamodb", region_name=REGION).Table(agents_table)
    late = agent_event("ts.yoon", "2026-11-25T01:00:00.000Z")
    newer = agent_event("ts.yoon", "2026-11-25T01:05:00.000Z", ())
    handler(kinesis_event(newer, late), lambda_context)
    yoon = table.get_item(Key={"login": "ts.yoon"})["Item"]
    assert (yoon["status"], yoon["presence_at"]) == ("AVAILABLE", "2026-11-25T01:05:00.000+00:00")
    handler(kinesis_event(newer), lambda_context)  # a redelivery changes nothing
    assert table.get_item(Key={"login": "ts.yoon"})["Item"]["status"] == "AVAILABLE"


def test_events_of_the_same_millisecond_apply_in_stream_order(
    agents_table: str, lambda_context: FakeLambdaContext
) -> None:
    # After-contact work ends and the next call rings within one millisecond: the later record wins.
    table = boto3.resource("dynamodb", region_name=REGION).Table(agents_table)
    same = "2026-11-25T01:00:03.456Z"
    handler(
        kinesis_event(agent_event("ts.park", same, ()), agent_event("ts.park", same, ("CONNECTING",))),
        lambda_context,
    )
    park = table.get_item(Key={"login": "ts.park"})["Item"]
    assert (park["status"], park["active_contacts"]) == ("BUSY", 1)


def test_agents_unknown_to_the_table_and_bad_records_are_skipped(
    agents_table: str, lambda_context: FakeLambdaContext
) -> None:
    table = boto3.resource("dynamodb", region_name=REGION).Table(agents_table)
    out = handler(
        kinesis_event(
            b"not json",
            {"EventType": "HEART_BEAT"},
            agent_event("stranger", "2026-11-25T01:00:00Z"),
            agent_event("ga.han", "2026-11-25T01:00:00Z"),
        ),
        lambda_context,
    )
    assert out == {"batchItemFailures": []}  # nothing worth retrying
    assert "Item" not in table.get_item(Key={"login": "stranger"})
    assert table.get_item(Key={"login": "ga.han"})["Item"]["status"] == "BUSY"


def test_a_dynamodb_failure_fails_only_that_record(
    agents_table: str,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    handler_log: Callable[[], list[str]],
) -> None:
    real = agent_events.AgentRepository.record_presence

    def flaky(self: Any, presence: Any) -> bool:
        if presence.login == "ts.choi":
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                "UpdateItem",
            )
        return real(self, presence)

    monkeypatch.setattr(agent_events.AgentRepository, "record_presence", flaky)
    choi = agent_event("ts.choi", "2026-11-25T01:00:00Z")
    contact = "4a573372-1f28-4e26-b97b-0000000000bb"
    choi["CurrentAgentSnapshot"]["Contacts"][0]["ContactId"] = contact
    event = kinesis_event(agent_event("ts.park", "2026-11-25T01:00:00Z"), choi)
    out = handler(event, lambda_context)
    assert out == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][1]["kinesis"]["sequenceNumber"]}]
    }
    table = boto3.resource("dynamodb", region_name=REGION).Table(agents_table)
    assert table.get_item(Key={"login": "ts.park"})["Item"]["status"] == "BUSY"
    # The failure's line names the agent's contact (the record's own, not the one before it).
    (failure,) = [json.loads(line) for line in handler_log() if "record failed" in line]
    assert failure["contact_id"] == contact


def test_an_answered_contact_gets_answered_at_once_and_only_if_the_flows_logged_it(
    tables: Tables, lambda_context: FakeLambdaContext
) -> None:
    documented = read_event("connect_agent_event")["CurrentAgentSnapshot"]["Contacts"][0]
    logged, queued_at = documented["ContactId"], "2026-11-25T00:59:40.000+00:00"
    tables.put("CALL_LOGS_TABLE", {"contact_id": logged, "queue": "MSP Emergency", "queued_at": queued_at})
    ringing = agent_event("ts.park", "2026-11-25T01:00:01.000Z", ("CONNECTING",))
    handler(kinesis_event(ringing), lambda_context)
    assert "answered_at" not in (tables.call_log(logged) or {})  # offered is not answered
    handler(kinesis_event(agent_event("ts.park", "2026-11-25T01:00:05.181Z")), lambda_context)
    item = tables.call_log(logged)
    assert item is not None and item["answered_at"] == "2026-11-25T01:00:05.120+00:00"  # its connect time
    # Later snapshots restate the contact (on hold, after-contact work): the first answer stands.
    ended = agent_event("ts.park", "2026-11-25T01:04:00.000Z", ("ENDED",))
    ended["CurrentAgentSnapshot"]["Contacts"][0]["ConnectedToAgentTimestamp"] = "2026-11-25T01:03:00.000Z"
    assert handler(kinesis_event(ended), lambda_context) == {"batchItemFailures": []}
    item = tables.call_log(logged)
    assert item is not None and item["answered_at"] == "2026-11-25T01:00:05.120+00:00"
    assert item["queued_at"] == queued_at  # nothing else touched
    # A contact the flows never logged (an outbound call, a transfer's new contact): no item made.
    stranger = agent_event("ts.yoon", "2026-11-25T01:00:05.181Z")
    stranger["CurrentAgentSnapshot"]["Contacts"][0]["ContactId"] = "4a573372-1f28-4e26-b97b-0000000000cc"
    assert handler(kinesis_event(stranger), lambda_context) == {"batchItemFailures": []}
    assert tables.call_log("4a573372-1f28-4e26-b97b-0000000000cc") is None
