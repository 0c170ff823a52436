"""Korean phone numbers: normalize to E.164, validate, and say them the way Koreans write them.

A small hand-written rule set, not a numbering-plan library: it knows the number ranges callers
give us (mobile, Seoul and area codes, 070 internet phones, 15xx/16xx/18xx representative
numbers). Numbers in other countries are accepted in E.164 form with a length check only.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple


class PhoneNumberError(ValueError):
    """Not a number we can call back (the message says why, without echoing the digits)."""


class PhoneKind(StrEnum):
    MOBILE = "MOBILE"
    LANDLINE = "LANDLINE"
    INTERNET = "INTERNET"  # 070
    REPRESENTATIVE = "REPRESENTATIVE"  # 15xx/16xx/18xx, no area code
    INTERNATIONAL = "INTERNATIONAL"


# A NamedTuple, not a frozen dataclass: every Lambda imports this module at cold start (log
# masking), and a dataclass generates and compiles its methods at import.
class PhoneNumber(NamedTuple):
    """A parsed phone number: E.164, its kind and how to read it out."""

    e164: str
    kind: PhoneKind
    # Digit groups of the national form, e.g. ("010", "1234", "5678"); the E.164 digits otherwise.
    groups: tuple[str, ...]

    @property
    def spoken(self) -> str:
        """`010-1234-5678`, `02-123-4567`, `1588-1234`; E.164 as is for other countries."""
        return self.e164 if self.kind is PhoneKind.INTERNATIONAL else "-".join(self.groups)


KR_COUNTRY_CODE = "82"
_AREA_CODES = frozenset(
    {
        "031",
        "032",
        "033",
        "041",
        "042",
        "043",
        "044",
        "051",
        "052",
        "053",
        "054",
        "055",
        "061",
        "062",
        "063",
        "064",
    }
)
_OLD_MOBILE = frozenset({"011", "016", "017", "018", "019"})
_SEPARATORS = re.compile(r"[\s\-.()/]")
_REPRESENTATIVE = re.compile(r"1[568]\d{6}")


def parse(raw: str) -> PhoneNumber:
    """Parse `+821012345678`, `010-1234-5678`, `82 10 1234 5678`, `0082...`, `1588-1234`, `+44...`."""
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        raise PhoneNumberError("no number given")
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isdigit():
            raise PhoneNumberError("a number has only digits after the +")
        return _international(digits)
    if not text.isdigit():
        raise PhoneNumberError("a number has only digits (and separators)")
    if text.startswith("00"):  # international call prefix, as typed on a keypad
        return _international(text[2:])
    if text.startswith(KR_COUNTRY_CODE) and len(text) >= 10:
        return _korean(text[len(KR_COUNTRY_CODE) :])
    if not text.startswith("0") and not _REPRESENTATIVE.fullmatch(text):
        raise PhoneNumberError(
            "a Korean number starts with 0 (010, 02, 031, ...) or is a 15xx/16xx/18xx number"
        )
    return _korean(text)


def normalize(raw: str) -> str:
    """E.164 form of a number, or PhoneNumberError."""
    return parse(raw).e164


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except PhoneNumberError:
        return False
    return True


def spoken(raw: str) -> str:
    """Spoken/written Korean form; an unparseable value is returned unchanged (it is only read out)."""
    try:
        return parse(raw).spoken
    except PhoneNumberError:
        return raw


def _international(digits: str) -> PhoneNumber:
    if digits.startswith(KR_COUNTRY_CODE):
        return _korean(digits[len(KR_COUNTRY_CODE) :])
    # E.164: at most 15 digits; a country code never starts with 0. 8 is the shortest real number.
    if not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise PhoneNumberError("not an E.164 number (8 to 15 digits after +)")
    return PhoneNumber(f"+{digits}", PhoneKind.INTERNATIONAL, (digits,))


def _korean(number: str) -> PhoneNumber:
    """`number` is national; after +82 the trunk 0 is optional (and dropped)."""
    if _REPRESENTATIVE.fullmatch(number):
        return PhoneNumber(f"+82{number}", PhoneKind.REPRESENTATIVE, (number[:4], number[4:]))
    national = number if number.startswith("0") else f"0{number}"
    prefix, kind, subscriber_lengths = _prefix(national)
    subscriber = national[len(prefix) :]
    if len(subscriber) not in subscriber_lengths:
        raise PhoneNumberError(
            f"a {prefix} number has {' or '.join(map(str, subscriber_lengths))} digits after {prefix}"
        )
    if subscriber.startswith("0"):  # a second trunk 0 means a typo, not a number
        raise PhoneNumberError(f"the digits after {prefix} cannot start with 0")
    groups = (prefix, subscriber[:-4], subscriber[-4:])
    return PhoneNumber(f"+82{national[1:]}", kind, groups)


def _prefix(national: str) -> tuple[str, PhoneKind, tuple[int, ...]]:
    if national.startswith("02"):
        return "02", PhoneKind.LANDLINE, (7, 8)
    head = national[:3]
    if head == "010":
        return head, PhoneKind.MOBILE, (8,)
    if head in _OLD_MOBILE:
        return head, PhoneKind.MOBILE, (7, 8)
    if head == "070":
        return head, PhoneKind.INTERNET, (8,)
    if head in _AREA_CODES:
        return head, PhoneKind.LANDLINE, (7, 8)
    raise PhoneNumberError("not a Korean mobile, area-code, 070 or 15xx/16xx/18xx number")
