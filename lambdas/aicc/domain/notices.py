"""What engineers and managers are told (Korean): pages, manager alerts, failed assignments.

A notice carries attributes besides its text so that subscriptions can filter on them (SNS
filter policies on `kind`, `login`, `part`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aicc.domain.agents import Agent
from aicc.domain.customers import Customer
from aicc.domain.escalation import EscalationDecision, Stage

# SNS wants a subject shorter than 100 characters.
SUBJECT_LIMIT = 99

STAGE_LABELS: Mapping[Stage, str] = {
    Stage.TS_PRIMARY: "1차 주 담당 TS 엔지니어",
    Stage.TS_SECONDARY: "2차 부 담당 TS 엔지니어",
    Stage.PART_MEMBER: "3차 파트 구성원",
    Stage.GENERAL_AGENT: "4차 일반 상담원",
    Stage.EXHAUSTED: "가용 담당자 없음",
}


@dataclass(frozen=True)
class Notice:
    """A notification's subject, text and the attributes subscriptions filter on."""

    kind: str  # page | manager | assignment
    subject: str
    message: str
    attributes: Mapping[str, str] = field(default_factory=dict)


def _company(customer: Customer | None) -> str:
    return customer.company if customer else "미확인 고객"


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value)


def escalation_page(
    decision: EscalationDecision, customer: Customer | None, contact_id: str, incident: str
) -> Notice:
    """The page to the agent the chain just chose."""
    agent = decision.agent
    if agent is None:
        raise ValueError(f"stage {decision.stage} has no agent to page")
    company = _company(customer)
    subject = f"[긴급 장애] {company} 호출 - {STAGE_LABELS[decision.stage]}"[:SUBJECT_LIMIT]
    message = _lines(
        [
            ("안내", f"{agent.name} 님, MSP 고객 긴급 장애 전화가 연결 대기 중입니다. 바로 응답해 주세요."),
            ("고객사", company),
            ("고객 ID", customer.customer_id if customer else ""),
            ("단계", STAGE_LABELS[decision.stage]),
            ("장애 내용", incident),
            ("접수 번호", contact_id),
        ]
    )
    return Notice("page", subject, message, {"kind": "page", "login": agent.login, "part": agent.part})


def escalation_manager(
    decision: EscalationDecision, customer: Customer | None, contact_id: str, manager: Agent | None
) -> Notice:
    """The part manager's alert when the chain reaches a notify_manager_at step or is exhausted."""
    company = _company(customer)
    if decision.stage is Stage.EXHAUSTED:
        what = "긴급 장애 담당자를 찾지 못했습니다. 긴급 대기열로 연결했으니 즉시 배정해 주세요."
    else:
        target = decision.agent.name if decision.agent else ""
        what = f"긴급 장애가 {STAGE_LABELS[decision.stage]} 단계까지 올라왔습니다 (호출: {target})."
    subject = f"[긴급 에스컬레이션] {company} - {STAGE_LABELS[decision.stage]}"[:SUBJECT_LIMIT]
    message = _lines(
        [
            ("안내", what),
            ("매니저", manager.name if manager else decision.manager_login or "미지정"),
            ("고객사", company),
            ("고객 ID", customer.customer_id if customer else ""),
            ("건너뛴 단계", ", ".join(f"{s.step}({s.reason})" for s in decision.skipped)),
            ("접수 번호", contact_id),
        ]
    )
    attributes = {
        "kind": "manager",
        "login": decision.manager_login,
        "part": customer.part if customer else "",
    }
    return Notice("manager", subject, message, {k: v for k, v in attributes.items() if v})


def assignment_failed(team: str, part: str, contact_id: str, manager: Agent | None) -> Notice:
    """The manager's alert when no agent could take a contact."""
    where = f"{team} 팀" + (f" {part} 파트" if part else "")
    subject = f"[배정 실패] {where} 가용 상담원 없음"[:SUBJECT_LIMIT]
    message = _lines(
        [
            ("안내", f"{where}에 지금 연결할 수 있는 상담원이 없습니다. 대기 중인 고객을 확인해 주세요."),
            ("매니저", manager.name if manager else "미지정"),
            ("접수 번호", contact_id),
        ]
    )
    attributes = {"kind": "assignment", "login": manager.login if manager else "", "part": part}
    return Notice("assignment", subject, message, {k: v for k, v in attributes.items() if v})


# An SMS in Korean is sent as UCS-2: 70 characters a segment. The incident is cut to keep a page
# to about three segments; the call log keeps the whole text.
SMS_INCIDENT_LIMIT = 40
# Attributes the page call carries into the Emergency Page flow ($.Attributes.*).
PAGE_CALL_INCIDENT_LIMIT = 100


def page_sms(role: str, customer: Customer | None, contact_id: str, incident: str) -> str:
    """The SMS that pages an on-call engineer or manager who is not signed in to the CCP."""
    what = incident.strip()
    if len(what) > SMS_INCIDENT_LIMIT:
        what = what[:SMS_INCIDENT_LIMIT] + "…"
    return _lines(
        [
            ("[긴급 장애 호출]", f"{role} 호출"),
            ("고객사", _company(customer)),
            ("장애 내용", what),
            ("접수 번호", contact_id),
            ("조치", "CCP에 로그인해 MSP Emergency 대기열의 통화를 받아주세요."),
        ]
    )


def page_call_attributes(
    contact_id: str, step: int, login: str, customer: Customer | None, incident: str, paged_at: datetime
) -> dict[str, str]:
    """The page call's contact attributes: what the page flow reads out, and what the
    acknowledgement is recorded against (the emergency contact and the chain step)."""
    return {
        "emergency_contact_id": contact_id,
        "escalation_step": str(step),
        "paged_login": login,
        "company": _company(customer),
        "incident": incident.strip()[:PAGE_CALL_INCIDENT_LIMIT],
        "paged_at": paged_at.isoformat(),
    }
