"""Calls outside business hours: nights, weekends, Korean public holidays, operator overrides."""

from __future__ import annotations

import pytest

from .conftest import Caller

EVENING = "2026-11-25T20:30:00+09:00"
INTRO = "현재 업무시간 외입니다. 업무시간은 평일 09:00~18:00입니다."


@pytest.mark.parametrize(
    ("at", "why"),
    [
        ("2026-09-25T10:00:00+09:00", "추석 (lunar)"),
        ("2026-02-17T11:00:00+09:00", "설날 (lunar)"),
        ("2026-03-02T10:00:00+09:00", "삼일절 대체 휴일 (alternative)"),
        ("2026-06-03T10:00:00+09:00", "지방선거일 (election)"),
        ("2026-12-31T10:00:00+09:00", "operator closed day (holidays.yaml)"),
        ("2026-11-28T10:00:00+09:00", "Saturday"),
        ("2026-11-25T18:00:00+09:00", "18:00 sharp"),
        ("2026-11-25T08:59:00+09:00", "before 09:00"),
    ],
)
def test_closed_times_go_to_after_hours(call: Caller, at: str, why: str) -> None:
    r = call(["1"], at=at)
    assert r.flows == ["Customer Authentication", "After Hours"], why
    assert r.prompts[0] == INTRO


@pytest.mark.parametrize(
    "at", ["2026-11-25T09:00:00+09:00", "2026-11-25T17:59:00+09:00", "2026-12-30T10:00:00+09:00"]
)
def test_open_times_authenticate(call: Caller, at: str) -> None:
    r = call(["say:상담원"], at=at)
    assert r.prompts[0] == "안녕하세요, 솔트웨어 AWS 기술지원 센터입니다."


def test_after_hours_says_when_we_open_again(call: Caller) -> None:
    r = call(["1"], at=EVENING)
    assert r.prompts[1] == "다음 업무 시작은 11월 26일 목요일 오전 9시 입니다."
    r = call(["1"], at="2026-09-24T20:00:00+09:00")  # 추석 연휴 전날 밤: 24~26 holidays, 27 Sunday
    assert r.prompts[1] == "다음 업무 시작은 9월 28일 월요일 오전 9시 입니다."


def test_after_hours_email(call: Caller) -> None:
    r = call(["1"], at=EVENING)
    assert any("support@saltware.co.kr" in p and "다음 업무일" in p for p in r.prompts)
    assert r.prompts[-1] == "이용해 주셔서 감사합니다. 안녕히 계십시오."
    assert r.disconnected


def test_after_hours_menu_repeats_on_9_and_invalid_input(call: Caller) -> None:
    r = call(["9", "4", "1"], at=EVENING)
    assert r.prompts.count(INTRO) == 2
    assert "잘못 누르셨습니다. 다시 선택해주세요." in r.prompts


def test_after_hours_silence_ends_with_the_email_address(call: Caller) -> None:
    r = call([], at=EVENING)
    assert r.prompts.count("잘못 누르셨습니다. 다시 선택해주세요.") == 2
    assert any("support@saltware.co.kr" in p for p in r.prompts[-3:])
    assert r.disconnected


def test_after_hours_msp_emergency_is_recognised_by_caller_number(call: Caller) -> None:
    r = call(["2", "say:DB 접속이 안 됩니다"], at=EVENING, hold=0)
    assert r.flows == ["Customer Authentication", "After Hours", "Emergency"]
    assert any(p.startswith("MSP 고객님의 긴급 장애는 24시간 긴급 연락망으로") for p in r.prompts)
    assert r.queue == "MSP Emergency"
    assert r.attributes["emergency"] == "true"


def test_after_hours_shared_office_line_is_told_apart_by_account_digits(call: Caller) -> None:
    # +82212345678 belongs to two customers (누리커머스 MSP, 누리페이 GENERAL): the digits decide.
    r = call(["2", "5678#", "say:장애"], at=EVENING, number="+82212345678", hold=0)
    assert "고객 확인을 위해 AWS Account ID 마지막 4자리를 입력해주세요." in r.prompts
    assert r.attributes["company"] == "누리커머스"
    assert r.queue == "MSP Emergency"


def test_after_hours_digits_alone_do_not_identify_an_unknown_number(call: Caller) -> None:
    # Last 4 digits alone would page an engineer at night on a 1-in-10,000 guess.
    r = call(["2", "1234#", "2"], at=EVENING, number="+821099990000")
    assert r.attributes["customer_class"] == "UNREGISTERED"
    assert r.queue is None and r.disconnected


def test_after_hours_general_emergency_gets_sales_rep_and_callback(call: Caller) -> None:
    r = call(["2", "1", "1"], at=EVENING, number="+821045678901")
    assert "담당 영업대표 김도윤 님의 연락처는 010-5550-1003 입니다." in r.prompts
    assert r.callbacks[0]["queue"] == "After Hours"
    assert r.attributes["callback_reason"] == "AFTER_HOURS_EMERGENCY"
    confirmed = next(p for p in r.prompts if p.startswith("콜백 요청이 접수되었습니다."))
    assert "11월 26일" in confirmed  # next business day


def test_after_hours_sales_contact_declines_callback(call: Caller) -> None:
    r = call(["3", "2"], at=EVENING, number="+821045678901")
    assert any(p.startswith("담당 영업대표 김도윤") for p in r.prompts)
    assert not r.callbacks and r.disconnected


def test_after_hours_customer_without_sales_rep(call: Caller) -> None:
    r = call(["3", "2"], at=EVENING, number="+821067890123")
    assert any(p.startswith("등록된 담당 영업대표 정보를 찾을 수 없습니다") for p in r.prompts)


def test_after_hours_unknown_caller(call: Caller) -> None:
    r = call(["2", "0000#", "2"], at=EVENING, number="+821099990000")
    assert r.attributes["customer_class"] == "UNREGISTERED"
    assert any(p.startswith("등록된 담당 영업대표 정보를 찾을 수 없습니다") for p in r.prompts)
    assert r.disconnected and not r.callbacks


def test_after_hours_bad_digits_twice(call: Caller) -> None:
    r = call(["2", "12#", "123#", "2"], at=EVENING, number="+821099990000")
    assert r.prompts.count("입력하신 번호가 4자리 숫자가 아닙니다. 다시 입력해주세요.") == 1
    assert r.attributes["customer_class"] == "UNREGISTERED"


def test_after_hours_callback_when_the_caller_number_cannot_be_called_back(call: Caller) -> None:
    r = call(["2", "0000#", "1", "1", "01098765432#"], at=EVENING, number="+447700900123")
    assert "지금 거신 번호로는 콜백을 드릴 수 없습니다." in r.prompts
    assert r.callbacks == [
        {"queue": "After Hours", "number": "+821098765432", "initial_delay_seconds": "5", "max_attempts": "2"}
    ]
