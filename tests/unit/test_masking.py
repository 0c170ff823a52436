"""PII masking for log lines."""

from __future__ import annotations

import pytest

from aicc.domain.masking import (
    find_pii,
    mask_account,
    mask_fields,
    mask_name,
    mask_phone,
    mask_record,
    mask_text,
    mask_text_pii,
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+821012345678", "+82-10-****-5678"),
        ("010-1234-5678", "+82-10-****-5678"),
        ("02-123-4567", "+82-2-***-4567"),
        ("+8215881234", "+82-****-1234"),
        ("+447700900123", "+44******0123"),
        ("12a45678", "****5678"),  # not a number: only the last 4 survive
        ("123", "123"),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


def test_mask_account() -> None:
    assert mask_account("123456781234") == "********1234"
    assert mask_account("1234") == "1234"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("홍길동", "홍*동"),
        ("홍길", "홍*"),
        ("남궁민수", "남**수"),
        ("김", "*"),
        ("John", "J***"),
        ("John Smith", "J*** S****"),
    ],
)
def test_mask_name(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


def test_mask_fields_masks_by_key_and_keeps_the_rest() -> None:
    fields = {
        "caller": "+821012345678",
        "sales_rep_phone": "010-5550-1001",
        "callback_number": "+821012345678",
        "account_id": "123456781234",
        "contact_name": "김민준",
        "target_name": "박준영",
        "incident": "서버 접속 불가",
        "company": "솔트웨어",
        "status": "FOUND",
        "empty": "",
    }
    assert mask_fields(fields) == {
        "caller": "+82-10-****-5678",
        "sales_rep_phone": "+82-10-****-1001",
        "callback_number": "+82-10-****-5678",
        "account_id": "********1234",
        "contact_name": "김*준",
        "target_name": "박*영",
        "incident": "[8 chars]",
        "company": "솔트웨어",
        "status": "FOUND",
        "empty": "",
    }
    assert mask_text("") == ""


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("callback to +821012345678.", "callback to +82-10-****-5678."),
        ("call 010-1234-5678 or 02-123-4567", "call +82-10-****-5678 or +82-2-***-4567"),
        ("+82-10-1234-5678", "+82-10-****-5678"),
        (
            "arn:aws:lambda:ap-northeast-2:111122223333:function:f",
            "arn:aws:lambda:ap-northeast-2:********3333:function:f",
        ),
        ("account 1234-5678-9012", "account **********9012"),
        ("mail kim.minjun@saltware.co.kr", "mail k***@saltware.co.kr"),
        # Not personal data: a contact ID (UUID), a Kinesis sequence number, a timestamp, an epoch in ms.
        ("4a573372-1f28-4e26-b97b-000000000001", "4a573372-1f28-4e26-b97b-000000000001"),
        (
            "49590338271490256608559692538361571095921575989136588898",
            "49590338271490256608559692538361571095921575989136588898",
        ),
        ("2026-12-06 06:21:05,123+0000 1796538245563", "2026-12-06 06:21:05,123+0000 1796538245563"),
    ],
)
def test_mask_text_pii_masks_by_shape_wherever_it_sits(raw: str, masked: str) -> None:
    assert mask_text_pii(raw) == masked
    assert find_pii(masked) == []
    assert mask_text_pii(masked) == masked  # idempotent


def test_mask_record_masks_nested_values_by_key_and_by_shape_and_only_once() -> None:
    record = {
        "message": "no agent for 010-1234-5678",
        "request": {"account_last4": "1234", "contact_name": "김민준", "question": "제 계정 정지됐나요"},
        "result": {"caller": "+821012345678", "email": "minjun@saltware.co.kr", "status": "FOUND"},
        "skipped": ["0:no_phone"],
        "account": 123456789012,
        "turn": 2,
    }
    masked = mask_record(record)
    assert masked == {
        "message": "no agent for +82-10-****-5678",
        "request": {"account_last4": "****", "contact_name": "김*준", "question": "[10 chars]"},
        "result": {"caller": "+82-10-****-5678", "email": "m***@saltware.co.kr", "status": "FOUND"},
        "skipped": ["0:no_phone"],
        "account": "********9012",
        "turn": 2,
    }
    assert mask_record(masked) == masked
