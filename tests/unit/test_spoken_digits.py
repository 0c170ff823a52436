"""Digits as Korean callers say them, and the particles spoken after a holiday's name."""

from __future__ import annotations

import pytest

from aicc.domain import spoken_digits
from aicc.domain.hangul import with_euro, with_gwa


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("일이삼사", "1234"),
        ("사 팔 이 일", "4821"),
        ("공칠 오구", "0759"),
        ("영일이삼", "0123"),
        ("빵빵일일", "0011"),
        ("1 2 삼 사", "1234"),
        ("12-34", "1234"),
        ("1234#", "1234"),  # the keypad's end key
        ("육칠팔구요", "6789"),
        ("오륙칠팔입니다", "5678"),
        ("one two three four", "1234"),
        ("１２３４", "1234"),  # full-width digits from a keyboard IME
    ],
)
def test_digits_spoken_keyed_or_mixed(said: str, digits: str) -> None:
    assert spoken_digits.parse(said) == digits


@pytest.mark.parametrize("said", ["솔트웨어", "일이삼사오육 주세요", "", "   ", "열두", "1234*", "12*34"])
def test_anything_else_is_not_digits(said: str) -> None:
    assert spoken_digits.parse(said) is None


def test_exactly_counts_the_digits() -> None:
    assert spoken_digits.exactly("일이삼사", 4) == "1234"
    assert spoken_digits.exactly("일이삼", 4) is None
    assert spoken_digits.exactly("일이삼사오", 4) is None


@pytest.mark.parametrize(
    ("word", "euro", "gwa"),
    [
        ("한글날", "한글날로", "한글날과"),  # ㄹ takes 로
        ("추석", "추석으로", "추석과"),
        ("신정연휴", "신정연휴로", "신정연휴와"),
        ("현충일", "현충일로", "현충일과"),
        ("삼일절 대체 휴일", "삼일절 대체 휴일로", "삼일절 대체 휴일과"),
    ],
)
def test_particles_follow_the_last_syllable(word: str, euro: str, gwa: str) -> None:
    assert (with_euro(word), with_gwa(word)) == (euro, gwa)
