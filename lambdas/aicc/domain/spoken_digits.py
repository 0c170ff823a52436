"""Digits as callers say or key them: "1234", "일이삼사", "사 팔 이 일", "공일", "one two".

Korean callers read numbers digit by digit with the Sino-Korean words (공 or 영 for 0), often
mixed with keypad digits, spaces, dashes and a polite ending ("일이삼사요", "...입니다").
"""

from __future__ import annotations

import re
import unicodedata

# Longest words first: "seven" before "seven"'s prefixes, "여덟" before nothing, etc.
_WORDS: dict[str, str] = {
    # Sino-Korean, the way digits are read out one by one.
    "공": "0", "영": "0", "빵": "0",
    "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
    "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9",
    # English, for the en_US locale.
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_TOKEN = re.compile("|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r"|\d")
# What may surround the digits without changing them: separators, the keypad's end key, polite
# endings. `*` is not among them: on a keypad it cancels or repeats, never separates.
_SEPARATORS = re.compile(r"[\s\-.,]+|#$")
_ENDINGS = re.compile(r"(입니다|이에요|예요|요|번)$")


def parse(text: str) -> str | None:
    """The digits said or keyed in `text`, or None when anything else is in it."""
    rest = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).lower())
    rest = _ENDINGS.sub("", rest)
    digits: list[str] = []
    while rest:
        m = _TOKEN.match(rest)
        if m is None:
            return None
        token = m.group()
        digits.append(_WORDS.get(token, token))
        rest = rest[m.end() :]
    return "".join(digits) or None


def exactly(text: str, count: int) -> str | None:
    """`count` digits from `text`, or None (too few, too many, or not digits)."""
    digits = parse(text)
    return digits if digits is not None and len(digits) == count else None
