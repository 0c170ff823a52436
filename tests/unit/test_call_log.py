"""Building the call-log merge from parameters and contact attributes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aicc.domain.call_log import RETENTION, build_update, parse_flag, parse_path

NOW = datetime(2026, 11, 25, 1, 2, 3, tzinfo=UTC)
ATTRIBUTES = {
    "customer_id": "C-SALT",
    "company": "솔트웨어",
    "contact_name": "김민준",
    "customer_class": "MSP",
    "tier": "MSP",
    "part": "TS1",
    "path": "main>auth>msp_menu",
    "inquiry_type": "general",
    "emergency": "false",
    "unrelated": "x",
}


def test_parse_path() -> None:
    assert parse_path("main > auth>msp_menu >") == ("main", "auth", "msp_menu")
    assert parse_path("") == ()


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("FALSE", False), (" True ", True), ("", None)])
def test_parse_flag(raw: str, value: bool | None) -> None:
    assert parse_flag(raw, "emergency") is value


def test_parse_flag_rejects_other_values() -> None:
    with pytest.raises(ValueError, match="emergency must be true or false"):
        parse_flag("yes", "emergency")


def test_fields_come_from_attributes_unless_given() -> None:
    params = {"event": "Queued", "queue": "MSP General", "emergency": "true", "incident": "EC2 접속 불가"}
    update = build_update("c-1", params, ATTRIBUTES, "+821012345678", NOW)
    assert update.event == "queued" and update.event_attribute == "queued_at"
    assert update.fields == {
        "customer_id": "C-SALT",
        "company": "솔트웨어",
        "contact_name": "김민준",
        "customer_class": "MSP",
        "tier": "MSP",
        "part": "TS1",
        "queue": "MSP General",
        "inquiry_type": "general",
        "incident": "EC2 접속 불가",
        "emergency": True,  # the parameter wins over the attribute
        "caller": "+82-10-****-5678",  # stored masked
    }
    assert update.path == ("main", "auth", "msp_menu")
    assert update.expires_at == int((NOW + RETENTION).timestamp())


def test_the_assignment_comes_from_the_attributes_the_flow_kept() -> None:
    attributes = {**ATTRIBUTES, "assignment_status": "ASSIGNED", "assigned_agent": "ts.park"}
    update = build_update("c-1", {"event": "queued"}, attributes, "", NOW)
    assert (update.fields["assignment_status"], update.fields["assigned_agent"]) == ("ASSIGNED", "ts.park")


def test_unknown_values_are_left_out_so_they_do_not_erase() -> None:
    update = build_update("c-1", {"event": "disconnected"}, {}, "", NOW)
    assert update.fields == {}
    assert update.path == ()


def test_path_parameter_overrides_the_attribute() -> None:
    assert build_update("c-1", {"event": "x", "path": "a>b"}, ATTRIBUTES, "", NOW).path == ("a", "b")


def test_same_input_same_update() -> None:
    params = {"event": "queued", "queue": "MSP General"}
    assert build_update("c-1", params, ATTRIBUTES, "", NOW) == build_update(
        "c-1", dict(params), dict(ATTRIBUTES), "", NOW
    )


@pytest.mark.parametrize("event", ["", "Queued Now", "1st", "created", "assigned", "x" * 41])
def test_bad_event_names(event: str) -> None:
    with pytest.raises(ValueError, match="event must be"):
        build_update("c-1", {"event": event}, {}, "", NOW)


def test_bad_flag_and_missing_contact() -> None:
    with pytest.raises(ValueError, match="callback_requested"):
        build_update("c-1", {"event": "queued", "callback_requested": "maybe"}, {}, "", NOW)
    with pytest.raises(ValueError, match="contact_id"):
        build_update("", {"event": "queued"}, {}, "", NOW)
