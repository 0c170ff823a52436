"""Menus that listen: at the MSP menu a caller says what they need (or presses a key) and the
intent the bot recognises picks the route; two misunderstandings hand the caller to a person."""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import prompt

from aicc.domain.sentiment import Trend
from aicc.settings import config
from aicc_ops.engine.interpreter import CallResult
from aicc_ops.local.stack import LocalStack

from .conftest import ALL_BUSY, Caller
from .test_business_hours_calls import SAEBOM, SAEBOM_PHONE, UNKNOWN

AT = "2026-11-25T10:00:00+09:00"
SALTWARE = ["say:솔트웨어", "say:김민준입니다", "1234#"]  # MSP, part TS1, primary ts.park


def _intents_heard(r: CallResult) -> list[str]:
    return [s.detail.rsplit("-> ", 1)[1] for s in r.steps if s.identifier == "msp-menu" and "-> " in s.detail]


def test_saying_an_outage_at_the_msp_menu_takes_the_emergency_path(call: Caller) -> None:
    r = call([*SALTWARE, "say:긴급 장애예요", "say:운영 웹서버가 응답하지 않습니다"], hold=0)
    assert _intents_heard(r) == ["ReportOutage"]
    assert r.flows == ["Customer Authentication", "MSP Customer", "Emergency"]
    assert r.queue == "MSP Emergency" and r.attributes["emergency"] == "true"


@pytest.mark.parametrize(
    ("said", "intent", "inquiry_type"),
    [
        ("say:이씨투 설정하는 방법이 궁금해요", "TechnicalInquiry", "TECHNICAL"),
        ("say:이번 달 요금이 너무 많이 나왔어요", "BillingInquiry", "BILLING"),
        ("say:콘솔 로그인이 안 돼요 비밀번호를 잊어버렸어요", "AccountAccess", "ACCOUNT_ACCESS"),
        ("say:견적 좀 받아보고 싶어요", "SalesContact", "SALES_CONTACT"),
        ("say:상담원 연결해 주세요", "TalkToAgent", "AGENT_REQUEST"),
        ("0", "TalkToAgent", "AGENT_REQUEST"),
        ("2", "TechnicalInquiry", "TECHNICAL"),
    ],
)
def test_each_msp_menu_intent_reaches_the_msp_engineers(
    call: Caller, said: str, intent: str, inquiry_type: str
) -> None:
    r = call([*SALTWARE, said], hold=0)
    assert _intents_heard(r) == [intent]
    assert r.queue == "MSP General"
    assert r.attributes["inquiry_type"] == inquiry_type
    assert r.attributes["assigned_agent"] == "ts.park"


def test_asking_for_a_callback_at_the_msp_menu_registers_one(call: Caller, stack: LocalStack) -> None:
    r = call([*SALTWARE, "say:나중에 전화 좀 주세요", "1"], hold=0)
    assert _intents_heard(r) == ["RequestCallback"]
    assert r.flows[:3] == ["Customer Authentication", "MSP Customer", "Callback Request"]
    assert r.attributes["callback_reason"] == "CALLER_REQUEST"
    assert r.attributes["callback_queue_name"] == stack.config.queues["msp_general"].name


def test_asking_for_the_email_at_the_msp_menu_gets_the_address(call: Caller) -> None:
    r = call([*SALTWARE, "say:이메일 주소 좀 알려주세요"], hold=0)
    assert _intents_heard(r) == ["EmailSupport"]
    assert r.attributes["inquiry_type"] == "EMAIL_INFO"
    assert r.prompts[-1] == prompt("goodbye") and r.disconnected and r.queue is None


def test_asking_to_repeat_at_the_msp_menu_hears_it_again(call: Caller) -> None:
    r = call([*SALTWARE, "say:다시 한 번 말해 주세요", "*", "1", "silence"], hold=0)
    assert _intents_heard(r) == ["RepeatMenu", "RepeatMenu", "ReportOutage"]
    assert r.queue == "MSP Emergency"


def test_the_menu_turn_keeps_the_callers_sentiment(call: Caller) -> None:
    r = call([*SALTWARE, "say:진짜 짜증나네 몇 번째야 상담원 바꿔요"], hold=0)
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST"
    assert r.attributes.get("sentiment_trend"), "the menu's Lex turn must copy the sentiment back"


def test_an_msp_chat_reads_the_email_address(stack: LocalStack) -> None:
    # The spelled-out address is SSML (voice only): an MSP chat gets it as text too.
    chat = ["text:솔트웨어", "text:김민준", "text:1234", "text:이메일로 문의하고 싶어요"]
    r = stack.engine.run("+821012345678", datetime.fromisoformat(AT), chat, channel="CHAT")
    assert _intents_heard(r) == ["EmailSupport"]
    assert prompt("email_address_text") in r.prompts and prompt("email_address") not in r.prompts


def test_a_chat_reaches_the_msp_engineers_through_the_menu(stack: LocalStack) -> None:
    # A keypad menu takes its error branch on chat; the menu that listens reads the customer's text.
    chat = ["text:솔트웨어", "text:김민준", "text:1234", "text:이씨투 설정하는 방법이 궁금해요"]
    r = stack.engine.run("+821012345678", datetime.fromisoformat(AT), chat, channel="CHAT")
    assert _intents_heard(r) == ["TechnicalInquiry"]
    assert r.queue == "MSP General" and r.attributes["inquiry_type"] == "TECHNICAL"
    assert prompt("menu_not_understood") not in r.prompts


# ---- the general menu ----------------------------------------------------------------------------
DAON = ["say:다온로지스", "say:정하은", "3456#"]  # GENERAL


def _general_heard(r: CallResult) -> list[str]:
    flow = "General Customer"
    return [
        s.detail.rsplit("-> ", 1)[1]
        for s in r.steps
        if s.flow == flow and s.identifier == "menu" and "-> " in s.detail
    ]


@pytest.mark.parametrize(
    ("said", "intent", "inquiry_type"),
    [
        ("say:서비스가 다 멈췄어요 장애인 것 같아요", "ReportOutage", "OUTAGE"),
        ("say:이씨투 설정하는 방법이 궁금해요", "TechnicalInquiry", "TECHNICAL"),
        ("say:이번 달 요금이 너무 많이 나왔어요", "BillingInquiry", "BILLING"),
        ("say:콘솔 로그인이 안 돼요 비밀번호를 잊어버렸어요", "AccountAccess", "ACCOUNT_ACCESS"),
        ("say:견적 좀 받아보고 싶어요", "SalesContact", "SALES_CONTACT"),
        ("say:상담원 연결해 주세요", "TalkToAgent", "URGENT"),
        ("0", "TalkToAgent", "URGENT"),
        ("2", "TalkToAgent", "URGENT"),
    ],
)
def test_each_general_menu_intent_reaches_the_general_queue(
    call: Caller, said: str, intent: str, inquiry_type: str
) -> None:
    r = call([*DAON, said], number="+821045678901", hold=0)
    assert _general_heard(r) == [intent]
    assert r.queue == "General Customer"
    assert r.attributes["inquiry_type"] == inquiry_type
    assert prompt("general_connect") in r.prompts


@pytest.mark.parametrize("said", ["say:이메일 주소 좀 알려주세요", "1"])
def test_email_at_the_general_menu_gets_the_address(call: Caller, said: str) -> None:
    r = call([*DAON, said, "silence", "silence", "silence"], number="+821045678901", hold=0)
    assert _general_heard(r) == ["EmailSupport"]
    assert r.attributes["inquiry_type"] == "EMAIL_INFO" and r.queue is None


def test_a_callback_asked_for_at_the_general_menu_is_registered(call: Caller) -> None:
    r = call([*DAON, "say:나중에 전화 좀 주세요", "1"], number="+821045678901", hold=0)
    assert _general_heard(r) == ["RequestCallback"]
    assert "Callback Request" in r.flows and r.attributes["callback_reason"] == "CALLER_REQUEST"


def test_repeat_then_misheard_twice_at_the_general_menu_hands_over_to_an_agent(call: Caller) -> None:
    r = call(
        [*DAON, "say:다시 한 번 말해 주세요", "say:음 그 저기 뭐였더라", "silence"],
        number="+821045678901",
        hold=0,
    )
    assert _general_heard(r)[0] == "RepeatMenu"
    assert r.prompts.count(prompt("menu_not_understood")) == 1
    handover = r.prompts.index(prompt("menu_handover"))
    assert r.prompts[handover + 1] == prompt("general_connect")
    assert r.attributes["nlu_handover"] == "true" and r.attributes["caller_said"] == "음 그 저기 뭐였더라"
    assert r.queue == "General Customer"


def test_a_chat_reaches_an_agent_through_the_general_menu(stack: LocalStack) -> None:
    chat = ["text:다온로지스", "text:정하은", "text:3456", "text:상담원 연결해 주세요"]
    r = stack.engine.run("+821045678901", datetime.fromisoformat(AT), chat, channel="CHAT")
    assert _general_heard(r) == ["TalkToAgent"]
    assert r.queue == "General Customer" and r.attributes["inquiry_type"] == "URGENT"


# ---- after hours ---------------------------------------------------------------------------------
EVENING = "2026-11-25T20:30:00+09:00"


def _after_hours_heard(r: CallResult) -> list[str]:
    return [
        s.detail.rsplit("-> ", 1)[1]
        for s in r.steps
        if s.flow == "After Hours" and s.identifier == "menu" and "-> " in s.detail
    ]


def test_saying_an_outage_after_hours_takes_the_emergency_path(call: Caller) -> None:
    r = call(["say:긴급 장애예요", "say:운영 웹서버가 응답하지 않습니다"], at=EVENING, hold=10)
    assert _after_hours_heard(r) == ["ReportOutage"]
    assert r.attributes["inquiry_type"] == "EMERGENCY"


@pytest.mark.parametrize(
    ("said", "intent", "inquiry_type"),
    [
        ("say:이씨투 설정하는 방법이 궁금해요", "TechnicalInquiry", "TECHNICAL"),
        ("say:이번 달 요금이 너무 많이 나왔어요", "BillingInquiry", "BILLING"),
        ("say:콘솔 로그인이 안 돼요 비밀번호를 잊어버렸어요", "AccountAccess", "ACCOUNT_ACCESS"),
        ("say:상담원 연결해 주세요", "TalkToAgent", "AGENT_REQUEST"),
    ],
)
def test_after_hours_a_question_for_a_person_is_told_no_one_is_in_and_offered_a_callback(
    call: Caller, said: str, intent: str, inquiry_type: str
) -> None:
    r = call([said, "1", "1"], at=EVENING, number="+821045678901")
    assert _after_hours_heard(r) == [intent]
    assert r.attributes["inquiry_type"] == inquiry_type
    no_agent = r.prompts.index(prompt("after_hours_no_agent"))
    assert r.prompts[no_agent + 1] == prompt("after_hours_callback_offer")
    assert r.callbacks and r.callbacks[0]["queue"] == "After Hours"


def test_after_hours_callback_and_email_and_sales_by_voice(call: Caller) -> None:
    callback = call(["say:나중에 전화 좀 주세요", "1"], at=EVENING, number="+821045678901")
    assert _after_hours_heard(callback) == ["RequestCallback"] and callback.callbacks
    email = call(["say:이메일 주소 좀 알려주세요"], at=EVENING)
    assert _after_hours_heard(email) == ["EmailSupport"] and email.attributes["inquiry_type"] == "EMAIL_INFO"
    sales = call(["say:견적 좀 받아보고 싶어요", "2"], at=EVENING, number="+821045678901")
    assert (
        _after_hours_heard(sales) == ["SalesContact"] and sales.attributes["inquiry_type"] == "SALES_CONTACT"
    )


def test_after_hours_misheard_twice_is_told_the_truth_and_offered_a_callback(call: Caller) -> None:
    r = call(["say:음 그 저기 뭐였더라", "say:아 그러니까 그거", "1"], at=EVENING, number="+821045678901")
    handover = r.prompts.index(prompt("after_hours_menu_handover"))
    assert r.prompts[handover + 1] == prompt("after_hours_callback_offer")
    assert r.attributes["nlu_handover"] == "true" and r.attributes["caller_said"] == "아 그러니까 그거"
    assert r.callbacks and r.callbacks[0]["queue"] == "After Hours"


def test_asking_twice_for_a_person_after_hours_ends_with_the_email_route(stack: LocalStack) -> None:
    # Told once that no one is in, then offered the callback; asking again does not loop.
    inputs = ["say:상담원 연결해 주세요", "say:상담원이요", "say:상담원 바꿔 달라고요"]
    r = stack.engine.run("+821045678901", datetime.fromisoformat(EVENING), inputs)
    assert _ah_offer_heard(r) == ["TalkToAgent", "TalkToAgent"]
    assert r.prompts.count(prompt("after_hours_no_agent")) == 2
    assert r.prompts[-2:] == [prompt("after_hours_email"), prompt("goodbye")] and not r.callbacks


def test_an_after_hours_chat_asking_for_a_person_gets_the_email_route(stack: LocalStack) -> None:
    # A callback needs a phone number a chat cannot give: no offer, the e-mail route instead.
    r = stack.engine.run(
        "+821045678901", datetime.fromisoformat(EVENING), ["text:상담원 연결해 주세요"], channel="CHAT"
    )
    assert _after_hours_heard(r) == ["TalkToAgent"] and _heard(r, "After Hours", "callback-offer") == []
    told = r.prompts.index(prompt("after_hours_no_agent"))
    assert r.prompts[told + 1 :] == [prompt("after_hours_email"), prompt("goodbye")]
    assert not r.callbacks and r.queue is None


# ---- the e-mail repeat menu and the callback offers: keys, words, and chat ------------------------
# A callback offer's yes: key 1 and a spoken yes are Confirm (an offer answer the keys name),
# asking for the callback in words is RequestCallback; both take the callback.
ACCEPTED = [("1", "Confirm"), ("say:네 좋아요", "Confirm"), ("say:콜백 부탁해요", "RequestCallback")]


def _heard(r: CallResult, flow: str, block: str) -> list[str]:
    """The intents one Lex block of a flow closed, in order."""
    return [
        s.detail.rsplit("-> ", 1)[1]
        for s in r.steps
        if (s.flow, s.identifier) == (flow, block) and "-> " in s.detail
    ]


def _email_heard(r: CallResult) -> list[str]:
    return _heard(r, "General Customer", "email-repeat")


@pytest.mark.parametrize(
    ("again", "intent"), [("1", "RepeatMenu"), ("*", "RepeatMenu"), ("say:네 다시 들려주세요", "RepeatMenu")]
)
def test_the_email_address_again_by_key_or_words(call: Caller, again: str, intent: str) -> None:
    r = call([*DAON, "1", again, "say:아니요 괜찮아요"], number="+821045678901", hold=0)
    assert _email_heard(r) == [intent, "Decline"]
    assert r.prompts.count(prompt("email_address")) == 2
    assert r.prompts[-1] == prompt("goodbye") and r.queue is None


@pytest.mark.parametrize("answer", ["2", "0", "say:상담원 연결해 주세요"])
def test_after_the_email_address_a_person_by_key_or_words(call: Caller, answer: str) -> None:
    r = call([*DAON, "1", answer], number="+821045678901", hold=0)
    assert _email_heard(r) == ["TalkToAgent"]
    assert r.queue == "General Customer" and r.attributes["inquiry_type"] == "URGENT"


@pytest.mark.parametrize("done", ["3", "say:아니요"])
def test_after_the_email_address_no_thanks_ends_the_call(call: Caller, done: str) -> None:
    r = call([*DAON, "1", done], number="+821045678901", hold=0)
    assert _email_heard(r) == ["Decline"]
    assert (
        r.prompts[-1] == prompt("goodbye") and r.queue is None and prompt("menu_no_choice") not in r.prompts
    )


def test_words_the_email_repeat_menu_cannot_place_are_not_understood_not_a_wrong_key(call: Caller) -> None:
    r = call([*DAON, "1", "say:음 그 저기 뭐였더라", "say:아니요"], number="+821045678901", hold=0)
    assert _email_heard(r) == ["FallbackIntent", "Decline"]
    assert prompt("menu_not_understood") in r.prompts


def test_a_chat_reads_the_email_address_and_types_its_answer(stack: LocalStack) -> None:
    # The spelled-out address is SSML (voice only): a chat gets it as text, then answers by typing.
    chat = [
        "text:다온로지스",
        "text:정하은",
        "text:3456",
        "text:이메일 주소 좀 알려주세요",
        "text:다시 보여 주세요",
        "text:상담원 연결해 주세요",
    ]
    r = stack.engine.run("+821045678901", datetime.fromisoformat(AT), chat, channel="CHAT")
    assert _general_heard(r) == ["EmailSupport"] and _email_heard(r) == ["RepeatMenu", "TalkToAgent"]
    assert r.prompts.count(prompt("email_address_text")) == 2 and prompt("email_address") not in r.prompts
    assert r.queue == "General Customer"


# The general menu's route to a person when no one is free: the callback offer.
def _offer_heard(r: CallResult) -> list[str]:
    return _heard(r, "General Customer", "callback-offer")


@pytest.mark.parametrize(("wanted", "intent"), ACCEPTED)
def test_a_callback_accepted_at_the_offer_by_key_or_words(call: Caller, wanted: str, intent: str) -> None:
    r = call([*DAON, "2", wanted, "1"], number="+821045678901", agents=ALL_BUSY, hold=0)
    assert _offer_heard(r) == [intent]
    assert "Callback Request" in r.flows and r.attributes["callback_reason"] == "LONG_WAIT"
    assert r.callbacks and r.prompts[-1] == prompt("goodbye")


@pytest.mark.parametrize(
    ("answer", "intent"),
    [
        ("2", "Decline"),
        ("0", "TalkToAgent"),
        ("say:아니요", "Decline"),
        ("say:그냥 기다릴게요 상담원 연결해 주세요", "TalkToAgent"),
    ],
)
def test_declining_the_callback_offer_keeps_the_caller_waiting(
    call: Caller, answer: str, intent: str
) -> None:
    r = call([*DAON, "2", answer], number="+821045678901", agents=ALL_BUSY, hold=0)
    assert _offer_heard(r) == [intent]
    assert r.queue == "General Customer" and not r.callbacks


def test_the_callback_offer_again_by_star_or_words(call: Caller) -> None:
    r = call(
        [*DAON, "2", "*", "say:다시 한 번 말해 주세요", "2"], number="+821045678901", agents=ALL_BUSY, hold=0
    )
    assert _offer_heard(r) == ["RepeatMenu", "RepeatMenu", "Decline"]
    assert r.prompts.count(prompt("callback_offer")) == 3 and r.queue == "General Customer"


def test_a_chat_with_no_agent_free_waits_without_a_callback_offer(call: Caller) -> None:
    chat = ["text:다온로지스", "text:정하은", "text:3456", "text:상담원 연결해 주세요"]
    r = call(chat, number="+821045678901", agents=ALL_BUSY, hold=0, channel="CHAT")
    assert _offer_heard(r) == [] and prompt("callback_offer") not in r.prompts
    assert r.queue == "General Customer"


def test_a_chat_asking_for_a_callback_is_told_it_waits_instead(call: Caller) -> None:
    # A callback needs a number keyed on the phone: a chat is told so and waits for a person.
    chat = ["text:다온로지스", "text:정하은", "text:3456", "text:콜백 부탁해요"]
    r = call(chat, number="+821045678901", agents=ALL_BUSY, hold=0, channel="CHAT")
    assert _general_heard(r) == ["RequestCallback"]
    told = r.prompts.index(prompt("callback_chat_unavailable"))
    assert r.prompts[told + 1] == prompt("keep_waiting")
    assert not r.callbacks and r.queue == "General Customer"


# After hours: the callback for the next business day.
def _ah_offer_heard(r: CallResult) -> list[str]:
    return _heard(r, "After Hours", "callback-offer")


@pytest.mark.parametrize(("wanted", "intent"), ACCEPTED)
def test_after_hours_a_callback_accepted_by_key_or_words(call: Caller, wanted: str, intent: str) -> None:
    r = call(["say:상담원 연결해 주세요", wanted, "1"], at=EVENING, number="+821045678901")
    assert _ah_offer_heard(r) == [intent]
    assert r.callbacks and r.callbacks[0]["queue"] == "After Hours"


@pytest.mark.parametrize("declined", ["2", "say:아니요"])
def test_after_hours_declining_the_callback_ends_the_call(call: Caller, declined: str) -> None:
    r = call(["say:상담원 연결해 주세요", declined], at=EVENING, number="+821045678901")
    assert _ah_offer_heard(r) == ["Decline"]
    assert not r.callbacks and r.prompts[-1] == prompt("goodbye") and r.disconnected


@pytest.mark.parametrize("asked", ["0", "say:상담원 바꿔 주세요"])
def test_after_hours_asking_for_a_person_at_the_offer_is_told_no_one_is_in(call: Caller, asked: str) -> None:
    r = call(["say:상담원 연결해 주세요", asked, "2"], at=EVENING, number="+821045678901")
    assert _ah_offer_heard(r) == ["TalkToAgent", "Decline"]
    assert r.prompts.count(prompt("after_hours_no_agent")) == 2


def test_after_hours_the_offer_again_by_words(call: Caller) -> None:
    r = call(["say:상담원 연결해 주세요", "say:다시 들려주세요", "2"], at=EVENING, number="+821045678901")
    assert _ah_offer_heard(r) == ["RepeatMenu", "Decline"]
    assert r.prompts.count(prompt("after_hours_callback_offer")) == 2


def test_an_after_hours_chat_asking_for_a_callback_is_told_it_cannot_have_one(stack: LocalStack) -> None:
    r = stack.engine.run(
        "+821045678901", datetime.fromisoformat(EVENING), ["text:콜백 부탁해요"], channel="CHAT"
    )
    assert _after_hours_heard(r) == ["RequestCallback"] and _ah_offer_heard(r) == []
    assert prompt("callback_chat_unavailable") not in r.prompts and not r.callbacks
    assert r.prompts[-2:] == [prompt("after_hours_email"), prompt("goodbye")] and r.queue is None


# Waiting in the general queue: every 2 minutes the callback offer (General Customer Queue).
TO_A_PERSON = [*SAEBOM, "2"]  # the general menu's "2": a person (one is free: queued; else the offer)
ANGRY_NO = "say:아니요 필요 없어요 이게 말이 됩니까 너무 화가 나네요"


def _queue_offer_heard(r: CallResult) -> list[str]:
    return _heard(r, "General Customer Queue", "offer")


@pytest.mark.parametrize(("wanted", "intent"), ACCEPTED)
def test_a_callback_taken_in_the_queue_by_key_or_words(call: Caller, wanted: str, intent: str) -> None:
    r = call([*TO_A_PERSON, wanted], number=SAEBOM_PHONE, hold=130)
    assert _queue_offer_heard(r) == [intent]
    assert r.callbacks and r.callbacks[0]["queue"] == "General Customer"
    assert r.attributes["callback_requested"] == "true" and r.disconnected


@pytest.mark.parametrize(
    ("answer", "intent"),
    [
        ("2", "Decline"),
        ("0", "TalkToAgent"),
        ("say:아니요 괜찮아요", "Decline"),
        ("say:그냥 상담원 기다릴게요", "TalkToAgent"),
    ],
)
def test_declining_the_queue_callback_offer_keeps_the_caller_waiting(
    call: Caller, answer: str, intent: str
) -> None:
    r = call([*TO_A_PERSON, answer], number=SAEBOM_PHONE, hold=130)
    assert _queue_offer_heard(r) == [intent]
    assert r.in_queue and not r.callbacks and prompt("menu_not_understood") not in r.prompts


def test_the_queue_callback_offer_again_by_star_or_words_and_words_it_cannot_place(call: Caller) -> None:
    said = ["*", "say:다시 들려주세요", "say:음 그 저기 뭐였더라", "1"]
    r = call([*TO_A_PERSON, *said], number=SAEBOM_PHONE, hold=130)
    assert _queue_offer_heard(r) == ["RepeatMenu", "RepeatMenu", "FallbackIntent", "Confirm"]
    assert r.prompts.count(prompt("queue_callback_offer")) == 4
    assert prompt("menu_not_understood") in r.prompts and r.callbacks


def test_an_angry_no_at_the_queue_offer_keeps_its_sentiment_verdict(call: Caller) -> None:
    r = call([*TO_A_PERSON, ANGRY_NO], number=SAEBOM_PHONE, hold=130)
    assert _queue_offer_heard(r) == ["Decline"]
    assert Trend.decode(r.attributes.get("sentiment_trend")).turns == 3  # company, name, the answer
    assert r.attributes["sentiment_priority"] == str(config().sentiment.rules.negative_priority)


# The callback number question (Callback Request): "네 맞아요" confirms the number called from.
def _confirm_heard(r: CallResult) -> list[str]:
    return _heard(r, "Callback Request", "confirm-number")


@pytest.mark.parametrize(
    ("yes", "intent"),
    [
        ("1", "Confirm"),
        ("say:네 맞아요", "Confirm"),
        ("say:맞습니다", "Confirm"),
        ("say:네 이 번호로 연락 주세요", "RequestCallback"),
    ],
)
def test_the_callback_number_confirmed_by_key_or_words(call: Caller, yes: str, intent: str) -> None:
    r = call([*TO_A_PERSON, "1", yes], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert _confirm_heard(r) == [intent]
    assert r.callbacks and r.callbacks[0]["number"] == SAEBOM_PHONE


@pytest.mark.parametrize("other", ["2", "say:아니요"])
def test_another_callback_number_by_key_or_words(call: Caller, other: str) -> None:
    r = call([*TO_A_PERSON, "1", other, "01098765432#"], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert _confirm_heard(r) == ["Decline"]
    assert r.callbacks and r.callbacks[0]["number"] == "+821098765432"


@pytest.mark.parametrize("person", ["0", "say:상담원 연결해 주세요"])
def test_a_person_instead_of_the_callback_by_key_or_words(call: Caller, person: str) -> None:
    r = call([*TO_A_PERSON, "1", person], number=SAEBOM_PHONE, agents=ALL_BUSY, hold=0)
    assert _confirm_heard(r) == ["TalkToAgent"]
    assert prompt("keep_waiting") in r.prompts and r.queue == "General Customer" and not r.callbacks


def test_the_callback_number_question_again_and_words_it_cannot_place(call: Caller) -> None:
    r = call(
        [*TO_A_PERSON, "1", "*", "say:음 그 저기 뭐였더라", "say:네 맞아요"],
        number=SAEBOM_PHONE,
        agents=ALL_BUSY,
    )
    assert _confirm_heard(r) == ["RepeatMenu", "FallbackIntent", "Confirm"]
    assert r.prompts.count(prompt("callback_number_confirm")) == 3
    assert prompt("menu_not_understood") in r.prompts


def test_its_fine_at_the_number_question_is_never_taken_for_no(call: Caller) -> None:
    # "괜찮아요" alone is "yes, that's fine" to a question and "no, thanks" to an offer: asked again;
    # with "네" it is a yes.
    r = call([*TO_A_PERSON, "1", "say:괜찮아요", "say:네 괜찮아요"], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert _confirm_heard(r) == ["FallbackIntent", "Confirm"]
    assert prompt("menu_not_understood") in r.prompts
    assert r.callbacks and r.callbacks[0]["number"] == SAEBOM_PHONE


def test_an_angry_no_at_the_number_question_keeps_its_sentiment_verdict(call: Caller) -> None:
    r = call([*TO_A_PERSON, "1", ANGRY_NO, "01098765432#"], number=SAEBOM_PHONE, agents=ALL_BUSY)
    assert _confirm_heard(r) == ["Decline"]
    assert Trend.decode(r.attributes.get("sentiment_trend")).turns == 3
    assert r.attributes["sentiment_priority"] == str(config().sentiment.rules.negative_priority)


# ---- the authentication's menus: a caller not verified, or not found -----------------------------
UNVERIFIED = [*SALTWARE[:2], "12#", "12#", "12#"]  # digits that never verify, from a number no one has
NOT_FOUND = ["say:가나다상사", "say:홍길동", "9999#"]  # a company no one registered


def _unverified_heard(r: CallResult) -> list[str]:
    return _heard(r, "Customer Authentication", "unverified-menu")


def _not_found_heard(r: CallResult) -> list[str]:
    return _heard(r, "Customer Authentication", "not-found-menu")


@pytest.mark.parametrize("person", ["1", "0", "say:상담원 연결해 주세요"])
def test_a_person_at_the_unverified_menu_by_key_or_words(call: Caller, person: str) -> None:
    r = call([*UNVERIFIED, person], number=UNKNOWN)
    assert _unverified_heard(r) == ["TalkToAgent"]
    assert r.attributes["customer_class"] == "UNVERIFIED" and r.queue == "General Customer"


@pytest.mark.parametrize("again", ["2", "say:처음부터 다시 할게요", "say:다시 입력할게요"])
def test_starting_again_at_the_unverified_menu_by_key_or_words(call: Caller, again: str) -> None:
    r = call([*UNVERIFIED, again, *SALTWARE, "2"], number=UNKNOWN)
    assert _unverified_heard(r) == ["StartOver"]
    assert r.attributes["customer_class"] == "MSP" and r.queue == "MSP General"


def test_the_unverified_menu_again_by_star_or_words(call: Caller) -> None:
    r = call([*UNVERIFIED, "*", "say:다시 들려주세요", "1"], number=UNKNOWN)
    assert _unverified_heard(r) == ["RepeatMenu", "RepeatMenu", "TalkToAgent"]
    assert r.prompts.count(prompt("auth_unverified_menu")) == 3
    assert r.attributes["customer_class"] == "UNVERIFIED"


def test_words_the_unverified_menu_cannot_place_twice_then_a_person(call: Caller) -> None:
    said = ["say:음 그 저기 뭐였더라", "say:아 그러니까 그거", "say:상담원이요"]
    r = call([*UNVERIFIED, *said], number=UNKNOWN)
    assert _unverified_heard(r) == ["FallbackIntent", "FallbackIntent", "TalkToAgent"]
    assert r.prompts.count(prompt("menu_not_understood")) == 2
    assert r.attributes["caller_said"] == "아 그러니까 그거"
    assert r.attributes["customer_class"] == "UNVERIFIED" and r.queue == "General Customer"


def test_the_unverified_menu_not_understood_three_times_hands_over_to_a_person(call: Caller) -> None:
    said = ["say:음 그 저기 뭐였더라", "say:아 그러니까 그거", "say:어 잠깐만요 그게"]
    r = call([*UNVERIFIED, *said], number=UNKNOWN)
    assert _unverified_heard(r) == ["FallbackIntent"] * 3
    give_up = r.prompts.index(prompt("menu_no_choice"))
    assert r.prompts[give_up + 1] == prompt("connect_agent")
    assert r.attributes["customer_class"] == "UNVERIFIED" and r.queue == "General Customer"


def test_a_chat_not_verified_types_its_answer(stack: LocalStack) -> None:
    chat = ["text:솔트웨어", "text:김민준", "text:12", "text:12", "text:12", "text:처음부터 다시 할게요"]
    chat += ["text:솔트웨어", "text:김민준", "text:1234", "text:이씨투 설정하는 방법이 궁금해요"]
    r = stack.engine.run(UNKNOWN, datetime.fromisoformat(AT), chat, channel="CHAT")
    assert _unverified_heard(r) == ["StartOver"] and _intents_heard(r) == ["TechnicalInquiry"]
    assert r.attributes["customer_class"] == "MSP" and r.queue == "MSP General"


@pytest.mark.parametrize(
    ("new", "intent"),
    [
        ("1", "SalesContact"),
        ("say:신규 고객이에요", "SalesContact"),
        ("say:처음 거래하는 회사예요", "SalesContact"),
    ],
)
def test_a_new_customer_at_the_not_found_menu_by_key_or_words(call: Caller, new: str, intent: str) -> None:
    r = call([*NOT_FOUND, new], number=UNKNOWN)
    assert _not_found_heard(r) == [intent]
    assert r.attributes["inquiry_type"] == "NEW_CUSTOMER" and r.attributes["customer_class"] == "UNREGISTERED"
    assert prompt("new_customer") in r.prompts and r.queue == "General Customer"


@pytest.mark.parametrize("again", ["2", "say:정보 다시 입력할게요"])
def test_entering_the_details_again_at_the_not_found_menu_by_key_or_words(call: Caller, again: str) -> None:
    r = call([*NOT_FOUND, again, *SALTWARE, "2"], number=UNKNOWN)
    assert _not_found_heard(r) == ["StartOver"]
    assert r.attributes["customer_class"] == "MSP" and r.queue == "MSP General"


@pytest.mark.parametrize("person", ["0", "say:상담원 연결해 주세요"])
def test_a_person_at_the_not_found_menu_by_key_or_words(call: Caller, person: str) -> None:
    r = call([*NOT_FOUND, person], number=UNKNOWN)
    assert _not_found_heard(r) == ["TalkToAgent"]
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST" and r.queue == "General Customer"


def test_the_not_found_menu_again_and_words_it_cannot_place_twice(call: Caller) -> None:
    said = ["*", "say:다시 한 번 말해 주세요", "say:음 그 저기 뭐였더라", "say:아 그러니까 그거", "1"]
    r = call([*NOT_FOUND, *said], number=UNKNOWN)
    assert _not_found_heard(r) == [
        "RepeatMenu",
        "RepeatMenu",
        "FallbackIntent",
        "FallbackIntent",
        "SalesContact",
    ]
    assert r.prompts.count(prompt("auth_not_found_menu")) == 5
    assert r.prompts.count(prompt("menu_not_understood")) == 2
    assert r.attributes["inquiry_type"] == "NEW_CUSTOMER"


def test_an_angry_caller_at_the_not_found_menu_keeps_the_sentiment_verdict(call: Caller) -> None:
    r = call([*NOT_FOUND, "say:아니 왜 등록이 안 돼 있어요 진짜 화나네 상담원 바꿔요"], number=UNKNOWN)
    assert _not_found_heard(r) == ["TalkToAgent"]
    assert Trend.decode(r.attributes.get("sentiment_trend")).turns == 3  # company, name, the answer
    assert r.attributes["sentiment_priority"] == str(config().sentiment.rules.negative_priority)


def test_a_chat_not_found_types_its_answer(stack: LocalStack) -> None:
    chat = ["text:가나다상사", "text:홍길동", "text:9999", "text:상담원 연결해 주세요"]
    r = stack.engine.run(UNKNOWN, datetime.fromisoformat(AT), chat, channel="CHAT")
    assert _not_found_heard(r) == ["TalkToAgent"]
    assert r.attributes["inquiry_type"] == "AGENT_REQUEST" and r.queue == "General Customer"
