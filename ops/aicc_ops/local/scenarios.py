"""Scripted calls over every flow: the demo, the drills, the benchmarks and `call place --mix` use them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..engine.interpreter import CallResult
from .stack import LocalStack

WEEKDAY = "2026-11-25T10:00:00+09:00"  # Wednesday, business hours
EVENING = "2026-11-25T20:30:00+09:00"
CHUSEOK = "2026-09-25T10:00:00+09:00"  # 추석 (lunar holiday)


@dataclass(frozen=True)
class DemoCall:
    name: str
    number: str
    at: str
    inputs: Sequence[str]
    faults: Mapping[str, str] = field(default_factory=dict)
    agent_status: Mapping[str, str] = field(default_factory=dict)  # set before the call, restored after


DEMO_CALLS: tuple[DemoCall, ...] = (
    DemoCall(
        "MSP outage (speech auth)",
        "+821012345678",
        WEEKDAY,
        ["say:솔트웨어", "say:김민준입니다", "1234#", "1", "say:운영 웹서버가 응답하지 않습니다"],
    ),
    DemoCall(
        "MSP technical question", "+821023456789", WEEKDAY, ["say:한빛금융", "say:이서연", "4321#", "2"]
    ),
    DemoCall(
        "MSP, speech fails → DTMF", "+82212345678", WEEKDAY, ["silence", "silence", "silence", "5678#", "2"]
    ),
    DemoCall(
        "MSP, menu not understood ×2 → engineer",  # two misunderstandings in a row hand over
        "+821034567890",
        WEEKDAY,
        ["say:미래 캐피탈", "say:최수아", "2345#", "7", "8"],
    ),
    DemoCall(
        "General: email address",
        "+821045678901",
        WEEKDAY,
        ["say:다온로지스", "say:정하은", "3456#", "1", "1"],
    ),
    DemoCall(  # a spoken, sourced answer, a follow-up on it, then "2": done
        "General: question answered from the knowledge base",
        "+821045678901",
        WEEKDAY,
        [
            "say:다온로지스",
            "say:정하은",
            "3456#",
            "say:삭제한 S3 객체를 복구할 수 있나요",
            "say:버전 관리가 꺼져 있으면요?",
            "2",
        ],
    ),
    DemoCall(
        "General: urgent, agent free",
        "+821056789012",
        WEEKDAY,
        ["say:새봄헬스케어", "say:강도현", "4567#", "2"],
    ),
    DemoCall(
        "General: urgent, callback",
        "+821056789012",
        WEEKDAY,
        ["say:새봄헬스케어", "say:강도현", "4567#", "2", "1", "2", "01098765432#"],
        agent_status={"ts.park": "BUSY", "ts.yoon": "BUSY", "ga.han": "BUSY", "mgr.kim": "BUSY"},
    ),
    DemoCall(
        "Unregistered → new customer",
        "+821099990000",
        WEEKDAY,
        ["say:가나다상사", "say:홍길동", "9999#", "1"],
    ),
    DemoCall(
        "Bad digits ×3 → agent",
        "+821099990000",
        WEEKDAY,
        ["say:솔트웨어", "say:김민준", "12#", "12345#", "1#", "1"],
    ),
    DemoCall("Caller asks for an agent", "+821099990000", WEEKDAY, ["say:상담원 연결해주세요"]),
    DemoCall("After hours: MSP emergency", "+821012345678", EVENING, ["2", "say:DB 접속 장애"]),
    DemoCall("After hours: sales rep + callback", "+821045678901", EVENING, ["3", "1", "1"]),
    DemoCall("After hours: unknown caller", "+821099990000", EVENING, ["2", "0000#", "2"]),
    DemoCall("Holiday (추석): email", "+821045678901", CHUSEOK, ["9", "1"]),
    DemoCall(
        "Lookup Lambda fails",
        "+821012345678",
        WEEKDAY,
        ["say:솔트웨어", "say:김민준", "1234#"],
        faults={"customer_lookup": "error"},
    ),
    DemoCall(
        "Hours Lambda times out",
        "+821012345678",
        WEEKDAY,
        ["say:상담원"],
        faults={"business_hours": "timeout"},
    ),
)


def run_call(stack: LocalStack, demo_call: DemoCall) -> CallResult:
    return stack.call(
        demo_call.number,
        datetime.fromisoformat(demo_call.at),
        demo_call.inputs,
        faults=demo_call.faults,
        agents=demo_call.agent_status,
    )
