"""What engineers and managers are told (Korean text, filterable attributes)."""

from __future__ import annotations

import pytest

from aicc.domain.agents import Agent, AgentStatus
from aicc.domain.customers import Customer, Tier
from aicc.domain.escalation import EscalationDecision, Skip, Stage
from aicc.domain.notices import SUBJECT_LIMIT, assignment_failed, escalation_manager, escalation_page

CUSTOMER = Customer("C-SALT", "솔트웨어", "김민준", "+821012345678", tier=Tier.MSP, part="TS1")
PARK = Agent("ts.park", "박준영", "TS", "TS1", status=AgentStatus.AVAILABLE)
KIM = Agent("mgr.kim", "김현우", "MANAGER", "TS1")


def test_page_names_the_agent_company_and_incident() -> None:
    decision = EscalationDecision(Stage.TS_PRIMARY, 0, 1, PARK, False, "mgr.kim")
    notice = escalation_page(decision, CUSTOMER, "contact-1", "EC2 접속 불가")
    assert notice.subject == "[긴급 장애] 솔트웨어 호출 - 1차 주 담당 TS 엔지니어"
    assert (
        "박준영 님" in notice.message and "EC2 접속 불가" in notice.message and "contact-1" in notice.message
    )
    assert "+8210" not in notice.message  # no caller number in pages
    assert notice.attributes == {"kind": "page", "login": "ts.park", "part": "TS1"}


def test_page_needs_an_agent() -> None:
    with pytest.raises(ValueError, match="no agent"):
        escalation_page(EscalationDecision(Stage.EXHAUSTED, 4, 4, None, True, ""), CUSTOMER, "c", "")


def test_manager_alert_when_exhausted_lists_the_skipped_steps() -> None:
    decision = EscalationDecision(
        Stage.EXHAUSTED,
        4,
        4,
        None,
        True,
        "mgr.kim",
        (Skip("ts_primary", "OFFLINE"), Skip("general_agent", "none_available")),
    )
    notice = escalation_manager(decision, CUSTOMER, "contact-1", KIM)
    assert notice.subject == "[긴급 에스컬레이션] 솔트웨어 - 가용 담당자 없음"
    assert "김현우" in notice.message and "ts_primary(OFFLINE)" in notice.message
    assert notice.attributes == {"kind": "manager", "login": "mgr.kim", "part": "TS1"}


def test_manager_alert_for_an_unknown_customer_and_manager() -> None:
    decision = EscalationDecision(Stage.GENERAL_AGENT, 3, 4, PARK, True, "")
    notice = escalation_manager(decision, None, "contact-1", None)
    assert "미확인 고객" in notice.subject and "미지정" in notice.message
    assert notice.attributes == {"kind": "manager"}


def test_assignment_failed() -> None:
    notice = assignment_failed("TS", "TS1", "contact-1", KIM)
    assert notice.subject == "[배정 실패] TS 팀 TS1 파트 가용 상담원 없음"
    assert notice.attributes == {"kind": "assignment", "login": "mgr.kim", "part": "TS1"}


def test_subjects_stay_under_the_sns_limit() -> None:
    long = Customer("C-L", "가" * 200, "김민준", "+821012345678")
    notice = escalation_page(EscalationDecision(Stage.TS_PRIMARY, 0, 1, PARK, False, ""), long, "c", "")
    assert len(notice.subject) == SUBJECT_LIMIT < 100
