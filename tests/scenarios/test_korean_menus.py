"""Korean IVR habits at every keypad menu: 0 for a person, * to hear the menu again."""

from __future__ import annotations

from helpers import prompt

from .conftest import ALL_BUSY, Caller
from .test_business_hours_calls import DAON, SAEBOM, SAEBOM_PHONE, SALTWARE, UNKNOWN

DAON_PHONE = "+821045678901"
EVENING = "2026-11-25T20:30:00+09:00"


def test_star_repeats_the_general_menu_and_zero_reaches_a_person(call: Caller) -> None:
    r = call([*DAON, "*", "0"], number=DAON_PHONE)
    assert r.prompts.count(prompt("general_menu")) == 2
    assert r.attributes["inquiry_type"] == "URGENT" and r.queue == "General Customer"


def test_star_rereads_the_email_address_and_zero_then_reaches_a_person(call: Caller) -> None:
    r = call([*DAON, "1", "*", "0"], number=DAON_PHONE)
    spelled = [p for p in r.prompts if p.startswith(prompt("email_address")[:12])]
    assert len(spelled) == 2
    assert r.queue == "General Customer"


def test_star_and_zero_at_the_busy_callback_offer(call: Caller) -> None:
    r = call([*SAEBOM, "2", "*", "0"], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=0)
    assert r.prompts.count(prompt("callback_offer")) == 2
    assert r.queue == "General Customer" and not r.callbacks


def test_star_repeats_the_callback_number_question(call: Caller) -> None:
    r = call([*SAEBOM, "2", "1", "*", "1"], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert r.prompts.count(prompt("callback_number_confirm")) == 2
    assert r.callbacks and r.callbacks[0]["number"] == SAEBOM_PHONE


def test_star_repeats_the_callback_offer_while_waiting_in_queue(call: Caller) -> None:
    r = call([*SAEBOM, "2", "2", "*", "1"], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=130)
    assert r.prompts.count(prompt("queue_callback_offer")) == 2
    assert r.callbacks and r.attributes["callback_requested"] == "true"


def test_zero_at_the_unverified_menu_reaches_a_person(call: Caller) -> None:
    r = call([*SALTWARE[:2], "12#", "12#", "12#", "0"], number=UNKNOWN)
    assert r.attributes["customer_class"] == "UNVERIFIED" and r.queue == "General Customer"


def test_star_repeats_the_not_found_menu(call: Caller) -> None:
    r = call(["say:가나다상사", "say:홍길동", "9999#", "*", "1"], number=UNKNOWN)
    assert r.prompts.count(prompt("auth_not_found_menu")) == 2
    assert r.attributes["inquiry_type"] == "NEW_CUSTOMER"


def test_asking_for_a_person_at_the_digits_prompt(call: Caller) -> None:
    r = call([*SALTWARE[:2], "say:상담원 연결해주세요"], number=UNKNOWN)
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST" and r.queue == "General Customer"


def test_digits_the_lookup_calls_malformed_are_asked_again(call: Caller) -> None:
    # Lex hands over 4 digits, but the lookup has the last word on their format.
    r = call(
        [*SALTWARE[:2], "1234#", "1234#", "1234#", "1"],
        number=UNKNOWN,
        responses={"customer_lookup": {"status": "INVALID_INPUT"}},
    )
    assert r.prompts.count(prompt("auth_account_invalid")) == 2
    r = call(
        ["2", "1234#", "1234#", "2"],
        at=EVENING,
        number=UNKNOWN,
        responses={"customer_lookup": {"status": "INVALID_INPUT"}},
    )
    assert r.prompts.count(prompt("auth_account_invalid")) == 1


def test_after_hours_callback_offer_takes_star_and_zero(call: Caller) -> None:
    r = call(["3", "*", "0", "2"], at=EVENING, number=DAON_PHONE)
    assert r.prompts.count(prompt("after_hours_callback_offer")) == 3
    assert prompt("after_hours_no_agent") in r.prompts
    assert not r.callbacks and r.disconnected
