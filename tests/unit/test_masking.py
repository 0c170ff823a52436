"""PII masking for log lines."""

from __future__ import annotations

import pytest

from aicc.domain.masking import mask_account, mask_fields, mask_name, mask_phone, mask_text


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
