"""Reading Connect events and writing STRING_MAP results (handlers/_connect.py, no AWS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import EventLoader

from aicc.domain.identification import LookupStatus
from aicc.handlers._connect import EventError, parse, result


def test_parse_reads_parameters_attributes_and_caller(connect_event: EventLoader) -> None:
    contact = parse(connect_event("connect_escalation"))
    assert contact.contact_id == "4a573372-1f28-4e26-b97b-000000000004"
    assert contact.caller == "+821012345678"
    assert contact.param("step") == "0"
    assert contact.param("missing", "dflt") == "dflt"
    assert contact.attr("company") == "솔트웨어"
    assert contact.queue_name == "MSP Emergency"
    assert contact.queue_arn.endswith("/queue/aaaaaaaa-0000-4000-8000-000000000001")


def test_parse_tolerates_null_endpoint_queue_and_attributes(connect_event: EventLoader) -> None:
    event = connect_event("connect_customer_lookup", caller=None)
    event["Details"]["ContactData"]["Attributes"] = None
    contact = parse(event)
    assert (contact.caller, contact.queue_name, dict(contact.attributes)) == ("", "", {})


def test_log_view_is_the_parameters_and_the_caller_the_log_formatter_masks(
    connect_event: EventLoader,
) -> None:
    event = connect_event("connect_customer_lookup")
    view = parse(event).log_view()
    assert view == {**event["Details"]["Parameters"], "caller": "+821012345678"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e.clear(), "no Details"),
        (lambda e: e["Details"].pop("ContactData"), "no Details.ContactData"),
        (lambda e: e["Details"].pop("Parameters"), "no Details.Parameters"),
        (lambda e: e["Details"].__setitem__("Parameters", ["mode"]), "Details.Parameters must be an object"),
        (lambda e: e["Details"]["ContactData"].pop("ContactId"), "no Details.ContactData.ContactId"),
        (lambda e: e["Details"]["ContactData"].__setitem__("Queue", "MSP"), "Queue must be an object"),
    ],
)
def test_malformed_events_raise_a_clear_value_error(
    connect_event: EventLoader, mutate: Any, message: str
) -> None:
    event = connect_event("connect_customer_lookup")
    mutate(event)
    with pytest.raises(EventError, match=message) as err:
        parse(event)
    assert isinstance(err.value, ValueError)


def test_non_object_event() -> None:
    with pytest.raises(EventError, match="expected a Connect ContactFlowEvent"):
        parse(["not", "an", "event"])


def test_require_names_the_parameter(connect_event: EventLoader) -> None:
    contact = parse(connect_event("connect_customer_lookup", parameters={"mode": "  "}))
    with pytest.raises(EventError, match="parameter 'mode' is required"):
        contact.require("mode")


def test_result_is_a_flat_string_map() -> None:
    instant = datetime(2026, 12, 28, 9, 0, 0, 123, tzinfo=ZoneInfo("Asia/Seoul"))
    assert result(
        {"a": True, "b": False, "c": None, "d": 3, "e": instant, "f": LookupStatus.FOUND, "g": "x"}
    ) == {
        "a": "true",
        "b": "false",
        "c": "",
        "d": "3",
        "e": "2026-12-28T09:00:00+09:00",
        "f": "FOUND",
        "g": "x",
    }
