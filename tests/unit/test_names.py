"""Name normalization and tolerant matching of transcribed Korean and English names."""

from __future__ import annotations

import pytest

from aicc.domain.names import is_match, jamo, normalize, similarity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("솔트웨어", "솔트웨어"),
        ("솔트 웨어", "솔트웨어"),
        ("㈜솔트웨어", "솔트웨어"),
        ("(주) 솔트웨어", "솔트웨어"),
        ("주식회사 솔트웨어", "솔트웨어"),
        ("솔트웨어 주식회사입니다", "솔트웨어"),
        ("한빛금융 유한회사", "한빛금융"),
        ("솔트웨어입니다.", "솔트웨어"),
        ("솔트웨어예요", "솔트웨어"),
        ("김민준이에요", "김민준"),
        ("김민준님", "김민준"),
        ("김민준 님 입니다", "김민준"),
        ("Saltware Co., Ltd.", "saltware"),
        ("SALTWARE INC.", "saltware"),
        ("Hanbit Financial Corp", "hanbitfinancial"),
        ("ＳＡＬＴＷＡＲＥ", "saltware"),  # full-width letters (NFKC)
        ("Costco", "costco"),  # "co" inside a word is not a legal form
        ("Inc", "inc"),  # never stripped to nothing
        ("이요", "이요"),  # too short to be name + copula
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_jamo_decomposes_syllables_arithmetically() -> None:
    assert jamo("솔") == "\u1109\u1169\u11af"  # ㅅ ㅗ ㄹ
    assert jamo("트") == "\u1110\u1173"  # no final consonant
    assert jamo("a1") == "a1"


@pytest.mark.parametrize(
    ("heard", "registered"),
    [
        ("솔트웨어", "솔트웨어"),
        ("쏠트웨어", "솔트웨어"),  # tense consonant misheard
        ("솔트웨워", "솔트웨어"),  # vowel misheard
        ("솔트 웨어 주식회사입니다", "㈜솔트웨어"),
        ("다온로직스", "다온로지스"),
        ("김민중", "김민준"),
        ("saltware", "Saltware Co., Ltd."),
        ("엘쥐", "엘지"),  # short name, one jamo off
    ],
)
def test_same_names_match(heard: str, registered: str) -> None:
    assert is_match(heard, registered)


@pytest.mark.parametrize(
    ("heard", "registered"),
    [
        ("소프트웨어", "솔트웨어"),  # a different company, two edits
        ("한빛금융", "한빛캐피탈"),
        ("미래에셋", "미래캐피탈"),
        ("홍길순", "홍길동"),
        ("KB", "KT"),  # too short for a single edit to be noise
        ("한빛", "한빛금융"),  # a prefix is not the name (aliases cover short names)
        ("", "솔트웨어"),
        ("입니다", "솔트웨어"),
    ],
)
def test_different_names_do_not_match(heard: str, registered: str) -> None:
    assert not is_match(heard, registered)


def test_similarity_orders_closer_names_higher() -> None:
    assert similarity("솔트웨어", "솔트웨어") == 1.0
    assert (
        similarity("솔트웨어", "쏠트웨어")
        > similarity("솔트웨어", "소프트웨어")
        > similarity("솔트웨어", "한빛금융")
    )
    assert similarity("", "") == 0.0
