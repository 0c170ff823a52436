"""Calls in business hours: authentication, MSP and general customers, unregistered callers."""

from __future__ import annotations

import boto3
import pytest
from helpers import prompt, prompt_opening

from aicc_ops.local.stack import LocalStack

from .conftest import ALL_BUSY, Caller

SALTWARE = ["say:솔트웨어", "say:김민준입니다", "1234#"]  # MSP, part TS1, primary ts.park
DAON = ["say:다온로지스", "say:정하은", "3456#"]  # GENERAL
SAEBOM = ["say:새봄헬스케어", "say:강도현", "4567#"]  # GENERAL
SAEBOM_PHONE = "+821056789012"
UNKNOWN = "+821099990000"  # registered to no one


def test_msp_outage_reaches_msp_emergency_with_incident_and_flag(call: Caller, stack: LocalStack) -> None:
    r = call([*SALTWARE, "1", "say:운영 웹서버가 응답하지 않습니다"], hold=0)
    assert r.flows == ["Customer Authentication", "MSP Customer", "Emergency"]
    assert r.queue == "MSP Emergency"
    assert prompt("emergency_intro") in r.prompts
    assert r.attributes["emergency"] == "true"
    assert r.attributes["customer_class"] == "MSP"
    assert r.attributes["incident"] == "운영 웹서버가 응답하지 않습니다"
    log = (
        boto3.resource("dynamodb")
        .Table(stack.tables["CALL_LOGS_TABLE"])
        .get_item(Key={"contact_id": r.contact_id})
    )
    assert log["Item"]["emergency"] is True
    assert log["Item"]["inquiry_type"] == "EMERGENCY"


def test_msp_emergency_escalates_along_the_chain_while_waiting(call: Caller) -> None:
    # ts.park (primary) AVAILABLE, ts.choi (secondary) BUSY, ts.yoon (part) AVAILABLE, ga.han AVAILABLE.
    r = call([*SALTWARE, "1", "silence"], hold=300)
    assert r.flows[-1] == "MSP Emergency Queue"
    assert r.in_queue
    stages = [c.response["stage"] for c in r.lambda_calls if c.function == "escalation" and c.response]
    assert stages[:3] == ["TS_PRIMARY", "PART_MEMBER", "GENERAL_AGENT"]
    assert r.queue_transfers[:4] == ["MSP Emergency", "agent:ts.park", "agent:ts.yoon", "agent:ga.han"]
    general = next(c for c in r.lambda_calls if c.response and c.response.get("stage") == "GENERAL_AGENT")
    assert general.response is not None and general.response["manager_notified"] == "true"
    assert prompt("hold_msp_emergency_escalated") in r.prompts


def test_msp_emergency_with_nobody_available_stays_queued(call: Caller, stack: LocalStack) -> None:
    nobody = {login: "OFFLINE" for login in ("ts.park", "ts.yoon", "ga.han")}
    r = call([*SALTWARE, "1", "silence"], hold=150, agents=nobody)
    exhausted = [c for c in r.lambda_calls if c.function == "escalation" and c.response]
    assert {c.response["stage"] for c in exhausted if c.response} == {"EXHAUSTED"}  # asked each wait
    assert len(exhausted) > 1
    # The escalation logs the chain's end itself, with the manager's notice, once.
    log = (
        boto3.resource("dynamodb")
        .Table(stack.tables["CALL_LOGS_TABLE"])
        .get_item(Key={"contact_id": r.contact_id})
    )
    assert {"queued", "escalation_exhausted"} <= log["Item"]["events"]
    assert log["Item"]["escalation_exhausted_at"] == log["Item"]["escalation_started_at"]
    assert [c.parameters["event"] for c in r.lambda_calls if c.function == "call_log"] == ["queued"]
    assert r.in_queue and r.queue_transfers == ["MSP Emergency"]


def test_msp_technical_question_queues_msp_general_with_assigned_engineer(call: Caller) -> None:
    r = call([*SALTWARE, "2"])
    assert r.flows == ["Customer Authentication", "MSP Customer", "MSP General Queue"]
    assert r.queue == "MSP General"
    assert prompt("msp_general") in r.prompts
    assert r.attributes["inquiry_type"] == "TECHNICAL"
    assert r.attributes["assigned_agent"] == "ts.park"
    assert r.attributes["assignment_status"] == "ASSIGNED"


def test_msp_menu_misheard_twice_hands_over_with_what_the_caller_said(call: Caller) -> None:
    r = call([*SALTWARE, "say:음 그 저기 뭐였더라", "7"])
    assert r.prompts.count(prompt("menu_not_understood")) == 1
    assert r.queue == "MSP General"
    assert r.attributes["inquiry_type"] == "UNSPECIFIED"
    assert r.attributes["nlu_handover"] == "true"
    assert r.attributes["caller_said"] == "7"  # the latest words (or key) the menu could not place
    # One account of what happens next: the handover, then the connection the caller gets.
    handover = r.prompts.index(prompt("menu_handover"))
    assert r.prompts[handover + 1 :] == [prompt("msp_general"), prompt("hold_msp_general")]


def test_msp_menu_silence_then_misheard_hands_over(call: Caller) -> None:
    r = call([*SALTWARE, "silence", "say:음 그 저기 뭐였더라"])
    assert r.prompts.count(prompt("menu_no_input")) == 1
    assert r.attributes["nlu_handover"] == "true"
    assert r.attributes["caller_said"] == "음 그 저기 뭐였더라"


def test_msp_menu_zero_reaches_an_engineer_and_star_repeats(call: Caller) -> None:
    r = call([*SALTWARE, "*", "0"])
    menu = [p for p in r.prompts if p.endswith(prompt("msp_menu").split(". ", 1)[1])]
    assert len(menu) == 2
    assert prompt("menu_not_understood") not in r.prompts
    assert r.queue == "MSP General" and r.attributes["inquiry_type"] == "AGENT_REQUEST"


def test_msp_menu_second_try_works(call: Caller) -> None:
    r = call([*SALTWARE, "5", "1", "silence"], hold=0)
    assert r.prompts.count(prompt("menu_not_understood")) == 1
    assert r.queue == "MSP Emergency"


def test_speech_tolerates_recognition_errors_and_spacing(call: Caller) -> None:
    r = call(["say:쏠트 웨어", "say:김민쥰", "1234#", "2"])
    assert r.attributes["customer_class"] == "MSP"
    assert r.attributes["company"] == "솔트웨어"


def test_speech_fails_three_times_then_keypad_identifies_by_caller_number(call: Caller) -> None:
    r = call(["silence", "silence", "silence", "5678#", "2"], number="+82212345678")
    assert r.prompts.count(prompt("speech_retry")) == 2
    assert prompt("speech_fallback") in r.prompts
    assert r.attributes["auth_method"] == "dtmf"
    assert r.attributes["company"] == "누리커머스"
    assert r.queue == "MSP General"


def test_contact_name_fails_after_company_succeeds(call: Caller) -> None:
    r = call(["say:솔트웨어", "silence", "silence", "silence", "1234#", "2"])
    assert prompt("speech_fallback") in r.prompts
    assert r.attributes["customer_class"] == "MSP"


def test_keypad_digits_on_a_speech_prompt_count_as_an_answer(call: Caller) -> None:
    r = call(["1#", "1#", "1#", "1234#", "2"])  # Lex hears digits: not a company name, retries
    assert prompt("speech_fallback") in r.prompts


def test_account_digits_are_validated_and_reentered(call: Caller) -> None:
    r = call([*SALTWARE[:2], "12#", "12345#", "1234#", "2"], number=UNKNOWN)
    assert r.prompts.count(prompt("auth_account_invalid")) == 2
    assert r.queue == "MSP General"


@pytest.mark.parametrize("digits", ["say:일이삼사", "say:일 이 삼 사", "say:1 2 삼 사", "say:일이삼사입니다"])
def test_account_digits_may_be_spoken(call: Caller, digits: str) -> None:
    r = call([*SALTWARE[:2], digits, "2"], number=UNKNOWN)
    assert r.attributes["customer_class"] == "MSP" and r.attributes["matched_by"] == "name_last4"
    assert prompt("auth_account_invalid") not in r.prompts


def test_silence_at_the_digits_hears_a_no_input_prompt_not_a_wrong_digits_one(call: Caller) -> None:
    r = call([*SALTWARE[:2], "silence", "1234#", "2"], number=UNKNOWN)
    assert r.prompts.count(prompt("auth_account_no_input")) == 1
    assert prompt("auth_account_invalid") not in r.prompts
    assert r.attributes["customer_class"] == "MSP"


@pytest.mark.parametrize(
    "digits",
    [["silence"] * 3, ["say:음 잘 모르겠어요"] * 3, ["12#", "silence", "9#"]],
    ids=["silent", "unsure", "mixed"],
)
def test_failed_digits_never_demote_a_caller_identified_by_number_and_names(
    call: Caller, digits: list[str]
) -> None:
    # The registered MSP contact, from the registered number, gave company and name: still MSP.
    r = call([*SALTWARE[:2], *digits, "2"])
    assert (r.attributes["customer_class"], r.attributes["matched_by"]) == ("MSP", "phone_name")
    assert r.queue == "MSP General"


def test_star_cancels_digits_entered_so_far(call: Caller) -> None:
    r = call([*SALTWARE[:2], "99*1234#", "2"])
    assert r.attributes["customer_class"] == "MSP"


def test_unverifiable_digits_offer_an_agent(call: Caller) -> None:
    r = call([*SALTWARE[:2], "12#", "silence", "1#", "1"], number=UNKNOWN)
    assert prompt("auth_unverified_menu") in r.prompts
    assert r.queue == "General Customer"
    assert r.attributes["customer_class"] == "UNVERIFIED"


def test_unverified_caller_may_start_again_once(call: Caller) -> None:
    bad = ["12#", "12#", "12#"]
    r = call([*SALTWARE[:2], *bad, "2", *SALTWARE, "2"], number=UNKNOWN)
    assert r.attributes["customer_class"] == "MSP"
    r = call([*SALTWARE[:2], *bad, "2", *SALTWARE[:2], *bad, "2"], number=UNKNOWN)
    assert r.attributes["customer_class"] == "UNVERIFIED"
    assert r.queue == "General Customer"


def test_unregistered_caller_gets_the_new_customer_path(call: Caller) -> None:
    r = call(["say:가나다상사", "say:홍길동", "9999#", "1"], number="+821099990000")
    assert prompt("auth_not_found_menu") in r.prompts
    assert r.attributes["customer_class"] == "UNREGISTERED"
    assert r.attributes["inquiry_type"] == "NEW_CUSTOMER"
    assert r.queue == "General Customer"


def test_not_found_caller_can_reenter_details(call: Caller) -> None:
    r = call(["say:솔트웨어", "say:김민준", "9999#", "2", *SALTWARE, "2"], number="+821099990000")
    assert r.attributes["customer_class"] == "MSP"


def test_caller_asking_for_an_agent_is_connected(call: Caller) -> None:
    r = call(["say:상담원 연결해주세요"], number="+821099990000")
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST"
    assert r.queue == "General Customer"
    assert prompt("connect_agent") in r.prompts


def test_general_customer_hears_the_email_address_and_can_repeat_it(call: Caller) -> None:
    r = call([*DAON, "1", "1"], number="+821045678901")
    assert r.flows == ["Customer Authentication", "General Customer"]
    assert prompt("general_intro") in r.prompts
    spelled = [p for p in r.prompts if p == prompt("email_address")]
    assert len(spelled) == 2 and "골뱅이" in spelled[0] and "티켓이 자동으로 생성" in spelled[0]
    assert r.prompts[-1] == prompt("goodbye")
    assert r.disconnected and r.queue is None


def test_general_customer_email_then_person(call: Caller) -> None:
    r = call([*DAON, "1", "2"], number="+821045678901")
    assert r.queue == "General Customer"


def test_general_menu_two_wrong_keys_hand_over_to_an_agent(call: Caller) -> None:
    r = call([*DAON, "5", "6"], number="+821045678901", hold=0)
    assert r.prompts.count(prompt("menu_not_understood")) == 1
    handover = r.prompts.index(prompt("menu_handover"))
    assert r.prompts[handover + 1] == prompt("general_connect")
    assert r.queue == "General Customer" and r.attributes["caller_said"] == "6"


def test_general_urgent_with_an_agent_available_is_queued(call: Caller) -> None:
    r = call([*SAEBOM, "2"], number=SAEBOM_PHONE)
    assert prompt("general_connect") in r.prompts
    assert r.queue == "General Customer"
    assert not any(p == prompt("callback_offer") for p in r.prompts)


def test_general_urgent_with_no_agent_offers_a_callback_on_the_caller_number(call: Caller) -> None:
    r = call([*SAEBOM, "2", "1", "1"], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert any(p == prompt("callback_offer") for p in r.prompts)
    assert r.flows[-1] == "Callback Request"
    assert r.callbacks == [
        {
            "queue": "General Customer",
            "number": SAEBOM_PHONE,
            "initial_delay_seconds": "5",
            "max_attempts": "2",
        }
    ]
    assert r.attributes["callback_requested"] == "true"
    assert any(p.startswith(prompt_opening("callback_confirmed")) for p in r.prompts)


def test_callback_on_another_number(call: Caller, stack: LocalStack) -> None:
    r = call(
        [*SAEBOM, "2", "1", "2", "010-9876-5432#".replace("-", "")],
        number=SAEBOM_PHONE,
        agents=ALL_BUSY,
    )
    assert r.callbacks[0]["number"] == "+821098765432"
    item = (
        boto3.resource("dynamodb")
        .Table(stack.tables["CALLBACKS_TABLE"])
        .get_item(Key={"contact_id": r.contact_id})["Item"]
    )
    assert item["callback_number"] == "+821098765432"


def test_callback_number_entered_wrong_can_be_entered_again(call: Caller) -> None:
    r = call([*SAEBOM, "2", "1", "2", "123#", "01098765432#"], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert prompt("callback_number_invalid") in r.prompts
    assert r.callbacks[0]["number"] == "+821098765432"


def test_callback_number_wrong_twice_keeps_the_caller_in_queue(call: Caller) -> None:
    r = call([*SAEBOM, "2", "1", "2", "123#", "456#"], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=0)
    assert r.prompts.count(prompt("callback_number_invalid")) == 1
    assert prompt("keep_waiting") in r.prompts
    assert r.queue == "General Customer" and not r.callbacks


def test_declined_callback_waits_in_queue_with_periodic_offers(call: Caller) -> None:
    r = call([*SAEBOM, "2", "2"], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=300)
    assert r.in_queue and r.queue == "General Customer"
    offers = [p for p in r.prompts if p == prompt("queue_callback_offer")]
    assert len(offers) == 2  # at 120 s and 240 s of the 300 s wait


def test_callback_taken_while_waiting_in_queue(call: Caller) -> None:
    r = call([*SAEBOM, "2", "1"], number=SAEBOM_PHONE, hold=300)  # agent free: queued; "1" at the first offer
    assert r.queue == "General Customer"
    assert r.callbacks and r.callbacks[0]["queue"] == "General Customer"
    assert r.disconnected and not r.in_queue
    assert r.attributes["callback_requested"] == "true"


def test_agent_request_at_the_name_prompt(call: Caller) -> None:
    r = call(["say:솔트웨어", "say:상담원 연결해주세요"])
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST"
    assert r.queue == "General Customer"


def test_agent_request_during_incident_capture_queues_at_once(call: Caller) -> None:
    r = call([*SALTWARE, "1", "say:상담원 바꿔주세요"], hold=0)
    assert r.queue == "MSP Emergency"
    assert "incident" not in r.attributes


def test_emergency_general_step_without_agent_arn_uses_the_general_queue(call: Caller) -> None:
    r = call(
        [*SALTWARE, "1", "silence"],
        hold=250,
        agents={"ts.park": "OFFLINE", "ts.yoon": "OFFLINE"},
        without_arn=["ga.han"],
    )
    assert "General Customer" in r.queue_transfers


def test_repeated_callback_request_is_not_created_twice(call: Caller) -> None:
    r = call(
        [*SAEBOM, "2", "1", "1"],
        number=SAEBOM_PHONE,
        agents=ALL_BUSY,
        responses={"callback": {"status": "ALREADY_REQUESTED"}},
    )
    assert r.callbacks == []
    assert any(p.startswith(prompt_opening("callback_confirmed")) for p in r.prompts)


def test_callback_number_refused_by_the_lambda_asks_again_then_queues(call: Caller) -> None:
    r = call(
        [*SAEBOM, "2", "1", "1"],
        number=SAEBOM_PHONE,
        agents=ALL_BUSY,
        hold=0,
        responses={"callback": {"status": "INVALID_NUMBER"}},
    )
    assert prompt("callback_number_invalid") in r.prompts
    assert r.queue == "General Customer" and not r.callbacks


def test_queue_callback_already_requested_is_not_created_twice(call: Caller) -> None:
    r = call(
        [*SAEBOM, "2", "1"],
        number=SAEBOM_PHONE,
        hold=130,
        responses={"callback": {"status": "ALREADY_REQUESTED"}},
    )
    assert r.callbacks == [] and r.disconnected
    assert any(p.startswith(prompt_opening("callback_confirmed")) for p in r.prompts)


def test_queue_callback_with_unusable_number_keeps_waiting(call: Caller) -> None:
    r = call(
        [*SAEBOM, "2", "1"],
        number=SAEBOM_PHONE,
        hold=130,
        responses={"callback": {"status": "INVALID_NUMBER"}},
    )
    assert r.callbacks == [] and r.in_queue
    assert prompt("keep_waiting") in r.prompts


def test_emergency_chain_exhausted_returns_to_the_emergency_queue_and_stops_escalating(call: Caller) -> None:
    r = call([*SALTWARE, "1", "silence"], hold=600)
    stages = [c.response["stage"] for c in r.lambda_calls if c.function == "escalation" and c.response]
    assert stages[:4] == ["TS_PRIMARY", "PART_MEMBER", "GENERAL_AGENT", "EXHAUSTED"]
    assert set(stages[4:]) <= {"EXHAUSTED"}
    assert r.queue_transfers[-1] == "MSP Emergency"
    assert "담당 엔지니어와 연결되지 않아 담당 관리자에게 긴급 연락했습니다." in r.prompts
    assert r.in_queue


def test_zero_at_the_general_menu_reaches_a_person(call: Caller) -> None:
    r = call([*SAEBOM, "0"], number=SAEBOM_PHONE)
    assert r.attributes["inquiry_type"] == "URGENT" and r.queue == "General Customer"


def test_zero_at_the_not_found_menu_reaches_a_person(call: Caller) -> None:
    r = call(["say:가나다상사", "say:홍길동", "9999#", "0"], number=UNKNOWN)
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST" and r.queue == "General Customer"


def test_star_repeats_the_unverified_menu(call: Caller) -> None:
    r = call([*SALTWARE[:2], "12#", "12#", "12#", "*", "1"], number=UNKNOWN)
    assert r.prompts.count(prompt("auth_unverified_menu")) == 2
    assert r.attributes["customer_class"] == "UNVERIFIED"


def test_callback_number_menu_takes_zero_for_a_person(call: Caller) -> None:
    r = call([*SAEBOM, "2", "1", "0"], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=0)
    assert not r.callbacks
    assert r.queue == "General Customer"


def test_three_silent_answers_at_the_callback_offer_keep_the_caller_waiting(call: Caller) -> None:
    r = call([*SAEBOM, "2"], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=10)
    assert r.prompts.count(prompt("menu_no_input")) == 2
    giveup = r.prompts.index(prompt("menu_no_choice"))
    assert r.prompts[giveup + 1] == prompt("hold_general_customer")
    assert r.queue == "General Customer" and not r.callbacks
