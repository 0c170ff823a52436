"""`aicc-ops demo`: scripted calls over every flow on a freshly seeded local stack."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
from tabulate import tabulate

from ..engine.interpreter import CallResult
from ..local.stack import LocalStack, local_stack
from ._errors import user_errors

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
        "MSP, invalid menu ×3",
        "+821034567890",
        WEEKDAY,
        ["say:미래 캐피탈", "say:최수아", "2345#", "7", "8", "9"],
    ),
    DemoCall(
        "General: email address",
        "+821045678901",
        WEEKDAY,
        ["say:다온로지스", "say:정하은", "3456#", "1", "1"],
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
    previous = stack.set_agent_status(demo_call.agent_status)
    stack.lambdas.faults = dict(demo_call.faults)
    try:
        return stack.engine.run(demo_call.number, datetime.fromisoformat(demo_call.at), demo_call.inputs)
    finally:
        stack.lambdas.faults = {}
        stack.set_agent_status(previous)


def outcome(result: CallResult) -> str:
    if result.callbacks:
        return f"callback ({result.callbacks[-1]['queue']})"
    if result.in_queue:
        where = result.queue_transfers[-1] if result.queue_transfers else result.queue
        return f"waiting in {where}"
    return "disconnected" if result.disconnected else result.end_reason


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
def demo(as_json: bool) -> None:
    """Seed the sample data and run scripted calls through every flow and branch."""
    rows: list[dict[str, Any]] = []
    with user_errors(), local_stack() as stack:
        for i, demo_call in enumerate(DEMO_CALLS, 1):
            result = run_call(stack, demo_call)
            rows.append(
                {
                    "#": i,
                    "scenario": demo_call.name,
                    "at": demo_call.at[5:16].replace("T", " "),
                    "flows": " → ".join(f for f in result.flows if f != "Customer Authentication") or "-",
                    "queue": result.queue or "-",
                    "outcome": outcome(result),
                    "prompts": len(result.prompts),
                    "lambdas": len(result.lambda_calls),
                    "errors": sum(1 for c in result.lambda_calls if c.error),
                    "dropped": result.dropped_silently,
                }
            )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(tabulate(rows, headers="keys", tablefmt="simple"))
    counts = Counter(r["queue"] for r in rows)
    click.echo()
    click.echo(tabulate(sorted(counts.items()), headers=["queue", "calls"], tablefmt="simple"))
    dropped = [r["scenario"] for r in rows if r["dropped"]]
    if dropped:
        raise click.ClickException(f"callers dropped without a spoken message: {', '.join(dropped)}")
    click.echo(f"\n{len(rows)} calls; every caller reached a queue, a callback or a spoken message.")
