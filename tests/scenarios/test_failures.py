"""Failures never drop a caller: Lambda errors and timeouts, bad responses, full queues, and a
sweep that forces every error branch of every flow in turn."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import prompt

from aicc_ops.local.stack import LocalStack

from .conftest import ALL_BUSY, Caller

SALTWARE = ["say:솔트웨어", "say:김민준", "1234#"]
DAON_AUTH = ["say:다온로지스", "say:정하은", "3456#"]  # GENERAL
SAEBOM = ["say:새봄헬스케어", "say:강도현", "4567#"]
WEEKDAY_CHUSEOK = "2026-09-25T10:00:00+09:00"  # a Friday, but 추석
NIGHT, HANBIT = "2026-11-26T02:30:00+09:00", "+821023456789"  # MSP, part TS2: engineers off shift


@pytest.fixture
def faults(stack: LocalStack) -> Iterator[LocalStack]:
    yield stack
    stack.engine.queue_limits.clear()


@pytest.mark.parametrize("kind", ["error", "timeout", "bad_response", "throttle"])
def test_hours_lambda_failure_falls_back_to_weekly_hours(call: Caller, kind: str) -> None:
    # On 추석 the Lambda would say closed; Connect's weekly hours only know it is a Friday.
    r = call(["say:상담원"], at=WEEKDAY_CHUSEOK, faults={"business_hours": kind})
    assert r.lambda_calls[0].error is not None
    assert r.prompts[0] == prompt("welcome")
    r = call(["1"], at="2026-11-25T22:00:00+09:00", faults={"business_hours": kind})
    assert r.flows[:2] == ["Customer Authentication", "After Hours"]


def test_lookup_failure_speaks_and_connects_an_agent(call: Caller) -> None:
    r = call(SALTWARE, faults={"customer_lookup": "timeout"})
    assert prompt("system_error") in r.prompts
    assert r.queue == "General Customer"


def test_call_log_failure_does_not_block_the_queue(call: Caller) -> None:
    r = call([*SALTWARE, "2"], faults={"call_log": "error"})
    assert r.queue == "MSP General"


def test_assignment_failure_still_queues_msp_general(call: Caller) -> None:
    r = call([*SALTWARE, "2"], faults={"agent_assignment": "error"})
    assert r.queue == "MSP General"
    assert "assigned_agent" not in r.attributes


def test_escalation_failure_keeps_the_caller_waiting(call: Caller) -> None:
    r = call([*SALTWARE, "1", "silence"], faults={"escalation": "error"}, hold=150)
    assert r.in_queue and r.queue_transfers == ["MSP Emergency"]


def test_callback_lambda_failure_still_creates_the_callback(call: Caller) -> None:
    r = call(
        ["say:새봄헬스케어", "say:강도현", "4567#", "2", "1", "1"],
        number="+821056789012",
        agents=ALL_BUSY,
        faults={"callback": "error"},
    )
    assert r.callbacks
    assert prompt("callback_confirmed", callback_due="담당자 확인 후 정해질 예정") in r.prompts


def test_full_emergency_queue_falls_back_to_msp_general(call: Caller, faults: LocalStack) -> None:
    faults.engine.queue_limits["msp_emergency"] = 0
    r = call([*SALTWARE, "1", "silence"], hold=0)
    assert prompt("emergency_unavailable") in r.prompts
    assert r.queue == "MSP General"


def test_every_queue_full_ends_with_a_spoken_message(call: Caller, faults: LocalStack) -> None:
    for key in faults.config.queues:
        faults.engine.queue_limits[key] = 0
    r = call([*SALTWARE, "2"])
    assert r.prompts[-1] == prompt("queue_full")
    assert r.disconnected and r.queue is None


# Calls that, with the faults the sweep adds on top, visit every action of every flow.
KB_QUESTION, KB_FOLLOW_UP = "삭제한 S3 객체를 복구할 수 있나요", "버전 관리가 꺼져 있으면요?"  # answered
SWEEP_CALLS: list[dict[str, Any]] = [
    # First: the after-hours callback, so the forced CreateCallbackContact failure is this call's
    # and the caller waits in the after-hours queue (the only way its hold message is reached).
    {
        "inputs": ["say:나중에 전화 좀 주세요", "1"],
        "at": "2026-11-25T20:30:00+09:00",
        "number": "+821045678901",
        "hold": 10,
    },
    {"inputs": [*SALTWARE, "1", "say:장애"], "hold": 130},
    {"inputs": [*SALTWARE, "7", "8", "9"], "hold": 10},
    {"inputs": [*SALTWARE, "2"], "hold": 10},
    {"inputs": ["say:솔트웨어", "silence", "silence", "silence", "12#", "12#", "12#", "1"], "hold": 10},
    {"inputs": ["say:가나다", "say:홍길동", "9999#", "1"], "number": "+821099990000", "hold": 10},
    {
        "inputs": ["say:가나다", "say:홍길동", "9999#", "2", "say:상담원"],
        "number": "+821099990000",
        "hold": 10,
    },
    {"inputs": [*SAEBOM, "5", "1", "1"], "number": "+821056789012"},
    {"inputs": [*SAEBOM, "2", "1", "2", "01098765432#"], "number": "+821056789012", "agents": ALL_BUSY},
    {"inputs": [*SAEBOM, "2", "1"], "number": "+821056789012", "hold": 130},
    {
        "inputs": [*SALTWARE, "1", "silence"],
        "hold": 250,
        "agents": {"ts.park": "OFFLINE", "ts.yoon": "OFFLINE"},
        "without_arn": ["ga.han"],
    },
    # The MSP menu that listens: each route an intent takes, and the handover after two misses.
    *(
        {"inputs": [*SALTWARE, said, "1"], "hold": 0}
        for said in (
            "say:이번 달 요금이 너무 많이 나왔어요",
            "say:콘솔 로그인이 안 돼요 비밀번호를 잊어버렸어요",
            "say:견적 좀 받아보고 싶어요",
            "say:이씨투 설정하는 방법이 궁금해요",
            "say:나중에 전화 좀 주세요",
            "say:이메일 주소 좀 알려주세요",
            "0",
        )
    ),
    {"inputs": [*SALTWARE, "say:음 그 저기 뭐였더라", "7"], "hold": 0},
    {"inputs": [*SALTWARE, "silence", "silence"], "hold": 0},
    # The general and after-hours menus that listen: the routes only an intent takes.
    *(
        {"inputs": [*DAON_AUTH, said, "1"], "number": "+821045678901", "hold": 0}
        for said in (
            "say:서비스가 다 멈췄어요 장애인 것 같아요",
            "say:이씨투 설정하는 방법이 궁금해요",
            "say:이번 달 요금이 너무 많이 나왔어요",
            "say:콘솔 로그인이 안 돼요 비밀번호를 잊어버렸어요",
            "say:견적 좀 받아보고 싶어요",
            "say:나중에 전화 좀 주세요",
        )
    ),
    {"inputs": [*DAON_AUTH, "say:음 그 저기 뭐였더라", "silence"], "number": "+821045678901", "hold": 0},
    *(
        {"inputs": [said, "1", "1"], "at": "2026-11-25T20:30:00+09:00", "number": "+821045678901", "hold": 10}
        for said in (
            "say:이씨투 설정하는 방법이 궁금해요",
            "say:이번 달 요금이 너무 많이 나왔어요",
            "say:콘솔 로그인이 안 돼요 비밀번호를 잊어버렸어요",
            "say:상담원 연결해 주세요",
            "say:나중에 전화 좀 주세요",
        )
    ),
    {
        "inputs": ["say:음 그 저기 뭐였더라", "say:아 그러니까 그거", "1", "1"],
        "at": "2026-11-25T20:30:00+09:00",
        "number": "+821045678901",
        "hold": 10,
    },
    {"inputs": ["2", "say:장애"], "at": "2026-11-25T20:30:00+09:00", "hold": 10},
    {
        "inputs": ["4", "3", "1", "1"],
        "at": "2026-11-25T20:30:00+09:00",
        "number": "+821045678901",
        "hold": 10,
    },
    {"inputs": ["2", "1", "1"], "at": "2026-11-25T20:30:00+09:00", "number": "+821099990000", "hold": 10},
    {"inputs": ["1"], "at": "2026-11-25T20:30:00+09:00"},
    {"inputs": ["1"], "at": "2026-10-09T10:00:00+09:00"},  # 한글날: a named closed day
    {"inputs": ["1"], "at": "2026-11-28T10:00:00+09:00"},  # Saturday
    {"inputs": ["2", "0000#", "2"], "at": "2026-11-25T20:30:00+09:00", "number": "+821099990000", "hold": 10},
    {"inputs": ["0", "2"], "at": "2026-11-25T20:30:00+09:00", "number": "+821045678901", "hold": 10},
    # Closed by the weekly hours after the hours Lambda failed (no closing reason to copy).
    {"inputs": ["1"], "at": "2026-11-25T22:00:00+09:00", "faults": {"business_hours": "error"}},
    {
        "inputs": [*SAEBOM, "2", "1", "1"],
        "number": "+821056789012",
        "agents": ALL_BUSY,
        "responses": {"callback": {"status": "ALREADY_REQUESTED"}},
    },
    {
        "inputs": [*SAEBOM, "2", "1"],
        "number": "+821056789012",
        "hold": 130,
        "responses": {"callback": {"status": "ALREADY_REQUESTED"}},
    },
    # Night emergency, engineers off shift: paged by SMS (the local stack places no page call),
    # no acknowledgement, the next engineer, the queue position, the callback offer before the SLA.
    {
        "inputs": ["2", "say:DB 장애", "silence"],
        "at": NIGHT,
        "number": HANBIT,
        "hold": 700,
        "backlog": {"msp_emergency": (1, 60)},
    },
    {"inputs": ["2", "say:DB 장애", "1"], "at": NIGHT, "number": HANBIT, "hold": 700},
    {
        "inputs": ["2", "say:DB 장애", "1"],
        "at": NIGHT,
        "number": HANBIT,
        "hold": 700,
        "responses": {"callback": {"status": "ALREADY_REQUESTED"}},
    },
    *(
        {
            "inputs": ["2", "say:DB 장애"],
            "at": NIGHT,
            "number": HANBIT,
            "hold": 10,
            "responses": {"escalation": {"caller_notice": n}},
        }
        for n in ("PAGED", "PAGED_CALL", "ACKNOWLEDGED")
    ),
    # The answers that copy the sentiment verdict back (one block per heard branch): each reached once.
    {"inputs": [*SALTWARE, "*", "2"], "hold": 10},  # MSP menu again
    {"inputs": [*DAON_AUTH, "*", "1", "3"], "number": "+821045678901", "hold": 0},  # menu again; e-mail, done
    {"inputs": [*DAON_AUTH, "2", "*", "2"], "number": "+821045678901", "agents": ALL_BUSY, "hold": 0},
    {
        "inputs": [
            "say:새봄헬스케어",
            "say:강도현입니다 진짜 너무 화가 나네요 이게 말이 됩니까",
            "4567#",
            "2",
            "2",
        ],
        "number": "+821056789012",
        "agents": ALL_BUSY,
        "hold": 0,
    },  # an angry caller: the experienced agents preferred
    {
        "inputs": ["*", "say:상담원 연결해 주세요", "*", "0", "2"],
        "at": "2026-11-25T20:30:00+09:00",
        "number": "+821045678901",
        "hold": 10,
    },
    # The authentication's menus again (unverified, then a person; not found, then a person).
    {"inputs": [*SALTWARE[:2], "12#", "12#", "12#", "*", "1"], "number": "+821099990000", "hold": 10},
    {"inputs": ["say:가나다", "say:홍길동", "9999#", "*", "0"], "number": "+821099990000", "hold": 10},
    # A question answered from the knowledge base (General and MSP): the answer, the follow-up
    # question and its every branch (again, a follow-up question, done, a person, silence twice).
    *(
        {"inputs": [*auth, f"say:{KB_QUESTION}", *after], "number": number, "hold": 0}
        for auth, number in ((DAON_AUTH, "+821045678901"), (SALTWARE, "+821012345678"))
        for after in (["*", f"say:{KB_FOLLOW_UP}", "2"], ["0"], ["silence", "silence"])
    ),
    # The callback number question again, then a person; the queue offers again, then declined.
    {"inputs": [*SAEBOM, "2", "1", "*", "0"], "number": "+821056789012", "agents": ALL_BUSY, "hold": 10},
    {"inputs": [*SAEBOM, "2", "*", "2"], "number": "+821056789012", "hold": 130},
    {"inputs": ["2", "say:DB 장애", "*", "2"], "at": NIGHT, "number": HANBIT, "hold": 700},
    # A chat asking for a callback: told it cannot have one (no number to call) and waits.
    {
        "inputs": ["text:다온로지스", "text:정하은", "text:3456", "text:콜백 부탁해요"],
        "number": "+821045678901",
        "agents": ALL_BUSY,
        "hold": 10,
        "channel": "CHAT",
    },
]
MAX_STACKED_FAULTS = 3


def _error_branches(stack: LocalStack) -> set[tuple[str, str, str]]:
    """(flow key, action, ErrorType) for every error branch of every flow an inbound call runs
    (the outbound whisper runs for callbacks: test_contact_language covers it; the Emergency Page
    flow runs for page calls: test_night_emergency covers it)."""
    return {
        (key, ident, str(e.get("ErrorType")))
        for key, flow in stack.flows.items()
        if flow.type in ("CONTACT_FLOW", "CUSTOMER_QUEUE") and key != "emergency_page"
        for ident, a in flow.actions.items()
        for e in (a.get("Transitions") or {}).get("Errors") or []
    }


@pytest.mark.slow
def test_forcing_any_error_branch_never_drops_the_caller(call: Caller, faults: LocalStack) -> None:
    """Force each error branch of each action on a call that reaches it.

    Breadth-first: a forced error leads to fallback actions (other queues, spoken apologies), whose own
    error branches are then forced on top, up to MAX_STACKED_FAULTS at once.
    """
    pending = _error_branches(faults)
    scheduled: set[tuple[str, str, str]] = set()
    by_name = {f.name: k for k, f in faults.flows.items()}
    todo: deque[tuple[dict[str, Any], dict[tuple[str, str], str]]] = deque((spec, {}) for spec in SWEEP_CALLS)
    while todo:
        spec, injected = todo.popleft()
        kwargs = {k: v for k, v in spec.items() if k != "inputs"}
        # A failing message can leave the caller unspoken to; any other failure must not.
        speaks = any(faults.flows[f].actions[i]["Type"] == "MessageParticipant" for f, i in injected)
        run = call(spec["inputs"], may_end_silently=speaks, action_faults=injected, **kwargs)
        if injected:
            forced = {(by_name[s.flow], s.identifier) for s in run.steps if s.detail == "injected fault"}
            last = next(reversed(injected))
            assert last in forced, injected
            pending.discard((*last, injected[last]))
        visited = {(by_name[s.flow], s.identifier) for s in run.steps}
        for branch in sorted(b for b in pending - scheduled if b[:2] in visited and b[:2] not in injected):
            if len(injected) < MAX_STACKED_FAULTS:
                scheduled.add(branch)
                todo.append((spec, {**injected, branch[:2]: branch[2]}))
    assert pending == set(), f"no sweep call reaches: {sorted(pending)}"


def test_a_full_queue_by_its_configured_limit_gets_the_apology(call: Caller, stack: LocalStack) -> None:
    limit = stack.config.queues["general_customer"].max_contacts
    assert limit is not None
    stack.engine.queues.waiting["general_customer"] = (limit, 600)
    try:
        r = call(["say:상담원"], number="+821099990000")
    finally:
        stack.engine.queues.waiting.clear()
    assert r.prompts[-1] == prompt("queue_full")
    assert r.disconnected and r.queue is None
