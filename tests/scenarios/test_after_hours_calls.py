"""Calls outside business hours: nights, weekends, Korean public holidays, operator overrides."""

from __future__ import annotations

import pytest
from helpers import prompt, prompt_opening

from aicc.domain.business_hours import spoken_schedule
from aicc.settings import config

from .conftest import Caller

EVENING = "2026-11-25T20:30:00+09:00"
INTRO = prompt("after_hours_intro")
MENU = prompt("after_hours_menu")
HOURS = prompt("after_hours_hours", business_hours=spoken_schedule(config().hours["business"]))


@pytest.mark.parametrize(
    ("at", "heard"),
    [
        ("2026-09-25T10:00:00+09:00", prompt("closed_day", closed_day="추석으로")),
        ("2026-02-17T11:00:00+09:00", prompt("closed_day", closed_day="설날로")),
        ("2026-03-02T10:00:00+09:00", prompt("closed_day", closed_day="삼일절 대체 휴일로")),
        ("2026-06-03T10:00:00+09:00", prompt("closed_day", closed_day="지방선거일로")),
        ("2026-10-09T10:00:00+09:00", prompt("closed_day", closed_day="한글날로")),
        ("2026-12-31T10:00:00+09:00", prompt("closed_day", closed_day="연말로")),
        ("2026-11-28T10:00:00+09:00", prompt("closed_weekend")),
        ("2026-11-25T18:00:00+09:00", INTRO),
        ("2026-11-25T08:59:00+09:00", INTRO),
    ],
)
def test_closed_times_say_why_and_the_hours(call: Caller, at: str, heard: str) -> None:
    r = call(["1"], at=at)
    assert r.flows == ["Customer Authentication", "After Hours"]
    assert r.prompts[:2] == [heard, HOURS]


def test_closed_day_wording_is_natural_korean(call: Caller) -> None:
    r = call(["1"], at="2026-10-09T10:00:00+09:00")
    assert r.prompts[:2] == [
        "오늘은 한글날로 휴무입니다.",
        "업무시간은 평일 오전 9시부터 오후 6시까지입니다.",
    ]
    assert r.prompts[2] == "다음 업무 시작은 10월 12일 월요일 오전 9시입니다."


@pytest.mark.parametrize(
    "at", ["2026-11-25T09:00:00+09:00", "2026-11-25T17:59:00+09:00", "2026-12-30T10:00:00+09:00"]
)
def test_open_times_authenticate(call: Caller, at: str) -> None:
    r = call(["say:상담원"], at=at)
    assert r.prompts[0] == prompt("welcome")


def test_after_hours_says_when_we_open_again(call: Caller) -> None:
    r = call(["1"], at=EVENING)
    assert r.prompts[2] == prompt("after_hours_next_open", next_open="11월 26일 목요일 오전 9시")
    r = call(["1"], at="2026-09-24T20:00:00+09:00")  # 추석 연휴 전날 밤: 24~26 holidays, 27 Sunday
    assert r.prompts[2] == prompt("after_hours_next_open", next_open="9월 28일 월요일 오전 9시")


def test_after_hours_email(call: Caller) -> None:
    r = call(["1"], at=EVENING)
    assert any("support@saltware.co.kr" in p and "다음 업무일" in p for p in r.prompts)
    assert r.prompts[-1] == prompt("goodbye")
    assert r.disconnected


def test_after_hours_menu_repeats_on_star_and_reprompts_invalid_input(call: Caller) -> None:
    r = call(["*", "4", "1"], at=EVENING)
    assert r.prompts.count(MENU) == 3
    assert r.prompts.count(prompt("menu_not_understood")) == 1
    assert r.attributes["inquiry_type"] == "EMAIL_INFO"


def test_after_hours_silence_twice_is_told_no_one_is_in_and_offered_a_callback(call: Caller) -> None:
    r = call([], at=EVENING)
    assert r.prompts.count(prompt("menu_no_input")) >= 1
    assert prompt("menu_not_understood") not in r.prompts
    handover = r.prompts.index(prompt("after_hours_menu_handover"))
    assert r.prompts[handover + 1] == prompt("after_hours_callback_offer")
    assert r.attributes["nlu_handover"] == "true"
    assert r.disconnected


def test_zero_after_hours_is_told_no_agent_works_now_and_offered_a_callback(call: Caller) -> None:
    r = call(["0", "1", "1"], at=EVENING, number="+821045678901")
    no_agent = r.prompts.index(prompt("after_hours_no_agent"))
    assert r.prompts[no_agent + 1] == prompt("after_hours_callback_offer")
    assert r.callbacks and r.callbacks[0]["queue"] == "After Hours"


def test_after_hours_msp_emergency_is_recognised_by_caller_number(call: Caller) -> None:
    r = call(["2", "say:DB 접속이 안 됩니다"], at=EVENING, hold=0)
    assert r.flows == ["Customer Authentication", "After Hours", "Emergency"]
    assert any(p == prompt("after_hours_msp_emergency") for p in r.prompts)
    assert r.queue == "MSP Emergency"
    assert r.attributes["emergency"] == "true"


def test_after_hours_shared_office_line_is_told_apart_by_account_digits(call: Caller) -> None:
    # +82212345678 belongs to two customers (누리커머스 MSP, 누리페이 GENERAL): the digits decide.
    r = call(["2", "5678#", "say:장애"], at=EVENING, number="+82212345678", hold=0)
    assert prompt("after_hours_identify") in r.prompts
    assert r.attributes["company"] == "누리커머스"
    assert r.queue == "MSP Emergency"


def test_after_hours_digits_alone_do_not_identify_an_unknown_number(call: Caller) -> None:
    # Last 4 digits alone would page an engineer at night on a 1-in-10,000 guess.
    r = call(["2", "1234#", "2"], at=EVENING, number="+821099990000")
    assert r.attributes["customer_class"] == "UNREGISTERED"
    assert r.queue is None and r.disconnected


def test_after_hours_general_emergency_gets_sales_rep_and_callback(call: Caller) -> None:
    r = call(["2", "1", "1"], at=EVENING, number="+821045678901")
    assert prompt("sales_rep_contact", sales_rep_name="김도윤", sales_rep_phone="010-5550-1003") in r.prompts
    assert r.callbacks[0]["queue"] == "After Hours"
    assert r.attributes["callback_reason"] == "AFTER_HOURS_EMERGENCY"
    confirmed = next(p for p in r.prompts if p.startswith(prompt_opening("callback_confirmed")))
    assert "11월 26일" in confirmed  # next business day


def test_after_hours_sales_contact_declines_callback(call: Caller) -> None:
    r = call(["3", "2"], at=EVENING, number="+821045678901")
    assert any(
        p == prompt("sales_rep_contact", sales_rep_name="김도윤", sales_rep_phone="010-5550-1003")
        for p in r.prompts
    )
    assert not r.callbacks and r.disconnected


def test_after_hours_customer_without_sales_rep(call: Caller) -> None:
    r = call(["3", "2"], at=EVENING, number="+821067890123")
    assert any(p == prompt("after_hours_unknown") for p in r.prompts)


def test_after_hours_unknown_caller(call: Caller) -> None:
    r = call(["2", "0000#", "2"], at=EVENING, number="+821099990000")
    assert r.attributes["customer_class"] == "UNREGISTERED"
    assert any(p == prompt("after_hours_unknown") for p in r.prompts)
    assert r.disconnected and not r.callbacks


def test_after_hours_bad_digits_twice(call: Caller) -> None:
    r = call(["2", "12#", "123#", "2"], at=EVENING, number="+821099990000")
    assert r.prompts.count(prompt("auth_account_invalid")) == 1
    assert r.attributes["customer_class"] == "UNREGISTERED"


def test_after_hours_spoken_digits_identify_the_caller(call: Caller) -> None:
    # +82212345678 is shared; "오육칠팔" (5678) said aloud tells 누리커머스 apart.
    r = call(["2", "say:오육칠팔", "say:장애"], at=EVENING, number="+82212345678", hold=0)
    assert r.attributes["company"] == "누리커머스"
    assert r.queue == "MSP Emergency"


def test_after_hours_silence_at_the_digits_hears_the_no_input_prompt(call: Caller) -> None:
    r = call(["2", "silence", "silence", "2"], at=EVENING, number="+821099990000")
    assert r.prompts.count(prompt("auth_account_no_input")) == 1
    assert prompt("auth_account_invalid") not in r.prompts


def test_after_hours_callback_when_the_caller_number_cannot_be_called_back(call: Caller) -> None:
    r = call(["2", "0000#", "1", "1", "01098765432#"], at=EVENING, number="+447700900123")
    assert prompt("callback_caller_number_unusable") in r.prompts
    assert r.callbacks == [
        {"queue": "After Hours", "number": "+821098765432", "initial_delay_seconds": "5", "max_attempts": "2"}
    ]
