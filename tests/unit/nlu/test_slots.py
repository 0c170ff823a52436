"""Slot values normalised as Lex resolves them."""

from __future__ import annotations

import pytest

from aicc.settings import load_config
from aicc_ops.engine.nlu.slots import SlotFiller, digits

FILLER = SlotFiller(load_config().intents, "ko_KR")


@pytest.mark.parametrize(
    ("said", "canonical"),
    [
        ("이씨투 서버가 죽었어요", "EC2"),
        ("알디에스 연결이 안 돼요", "RDS"),
        ("다이나모 디비 요금", "DynamoDB"),
        ("다이나모디비요", "DynamoDB"),
        ("ec2 문의", "EC2"),
        ("라우트 53 레코드", "Route53"),
        ("알디에스 인스턴스가 느려요", "RDS"),  # said first wins over 인스턴스 (EC2's synonym)
    ],
)
def test_service_names_resolve_to_the_canonical_value(said: str, canonical: str) -> None:
    assert FILLER.resolve("ServiceName", said) == canonical


def test_no_service_named_is_no_slot() -> None:
    assert FILLER.fill("TechnicalInquiry", "설정 문의요") == {}


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("사 팔 이 일", "4821"),
        ("끝자리 사팔이일 인데요", "4821"),
        ("4팔21요", "4821"),
        ("계정 1234 요금", "1234"),
    ],
)
def test_account_digits_said_keyed_or_mixed(said: str, value: str) -> None:
    assert digits(said, 4) == value


@pytest.mark.parametrize("said", ["요금이 이상해요", "일이삼", "12345"])
def test_anything_but_exactly_four_digits_is_no_account(said: str) -> None:
    assert digits(said, 4) is None


def test_an_intent_fills_only_its_own_slots() -> None:
    text = "계정 끝자리 칠칠삼일인데 이씨투가 다운됐어요"
    assert FILLER.fill("ReportOutage", text) == {"ServiceName": "EC2", "AccountLast4": "7731"}
    assert FILLER.fill("TechnicalInquiry", text) == {"ServiceName": "EC2"}
    assert FILLER.fill("TalkToAgent", text) == {}


def test_a_free_text_slot_keeps_the_callers_words_from_the_carrier_phrase() -> None:
    assert FILLER.fill("ProvideCompanyName", "회사는 가나다상사입니다") == {"CompanyName": "가나다상사"}
    assert FILLER.fill("DescribeIncident", "DB 장애") == {"Incident": "DB 장애"}  # case kept
