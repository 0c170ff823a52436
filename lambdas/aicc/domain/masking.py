"""PII masking for logs: phone numbers, AWS account IDs, spoken account digits, person names,
e-mail addresses and free-text transcripts.

Logs keep enough to debug (the last four digits, the first letter of a name, a text's length)
and nothing that identifies a person. Company names are business data and stay readable.

Two ways in, both applied to every log line by the handlers' log formatter (handlers._prologue):
by key (`mask_fields`: a `caller`, a `contact_name`, a `question`) and by shape, wherever the text
sits (`mask_text_pii`: a number or an address inside a message, an exception or an ARN).
`find_pii` finds what `mask_text_pii` masks: the test suite's log checker uses it. Masking is
idempotent: a masked value stays as it is when masked again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from aicc.domain import phones
from aicc.domain.hangul import HANGUL_SYLLABLES

_PHONE_KEYS = frozenset({"phone", "caller", "callback_number", "address", "ani"})
_ACCOUNT_KEYS = frozenset({"account_id"})
# What the caller said or keyed of their account number: every digit hidden.
_DIGIT_KEYS = frozenset({"account_last4", "account_digits", "digits"})
_NAME_KEYS = frozenset(
    {
        "contact_name",
        "sales_rep_name",
        "target_name",
        "agent_name",
        "manager_name",
        "name",
        "first_name",
        "last_name",
        "spoken_contact",
    }
)
_EMAIL_KEYS = frozenset({"email"})
_TEXT_KEYS = frozenset({"incident", "transcript", "inputtranscript", "question", "kb_question"})


# Shapes found anywhere in a text. A digit run glued to letters, digits or a hyphen is part of
# something else (a UUID's segment, a Kinesis sequence number) and stays.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Za-z+\-])", r"(?![0-9A-Za-z\-])"
_PHONE = re.compile(
    r"\+[1-9]\d{7,14}(?!\d)"  # E.164
    r"|\+82[- ]\d{1,2}[- ]\d{3,4}[- ]\d{4}(?!\d)"  # +82-10-1234-5678
    rf"|{_EDGE_BEFORE}0\d{{1,2}}[- ]?\d{{3,4}}[- ]?\d{{4}}{_EDGE_AFTER}"  # 010-1234-5678, 0212345678
)
_ACCOUNT = re.compile(rf"{_EDGE_BEFORE}(?:\d{{12}}|\d{{4}}-\d{{4}}-\d{{4}}){_EDGE_AFTER}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_MASKED_TEXT = re.compile(r"\[\d+ chars\]")
_FOUR_DIGITS = re.compile(r"\d{4}")  # what _PHONE and _ACCOUNT each end with or hold


def mask_phone(value: str) -> str:
    """`+821012345678` → `+82-10-****-5678`; anything unparseable keeps only its last 4 digits."""
    if "*" in value:
        return value  # masked already
    try:
        number = phones.parse(value)
    except phones.PhoneNumberError:
        return _keep_last(value, 4)
    if number.kind is phones.PhoneKind.INTERNATIONAL:
        digits = number.e164[1:]
        return f"+{digits[:2]}{'*' * (len(digits) - 6)}{digits[-4:]}"
    if number.kind is phones.PhoneKind.REPRESENTATIVE:
        return f"+82-****-{number.groups[-1]}"
    prefix, middle, last = number.groups
    return f"+82-{prefix[1:]}-{'*' * len(middle)}-{last}"


def mask_account(value: str) -> str:
    """`123456789012` → `********9012`."""
    return _keep_last(value, 4)


def mask_name(value: str) -> str:
    """`홍길동` → `홍*동`, `홍길` → `홍*`, `John Smith` → `J*** S****`."""
    return " ".join(_mask_word(w) for w in value.split())


def mask_digits(value: str) -> str:
    """The caller's account digits: `1234` → `****`."""
    return re.sub(r"\d", "*", value)


def mask_email(value: str) -> str:
    """`kim.minjun@saltware.co.kr` → `k***@saltware.co.kr` (the domain says which company)."""
    local, at, domain = value.partition("@")
    return f"{local[:1]}***{at}{domain}" if at and local and "*" not in local else value


def mask_text(value: str) -> str:
    """Free text (an incident description) is logged only by its length."""
    if not value or _MASKED_TEXT.fullmatch(value):
        return value
    return f"[{len(value)} chars]"


def mask_value(key: str, value: str) -> str:
    """One value masked by what its key says it is; any other value as it is."""
    masker = _masker(key)
    return masker(value) if masker is not None and value else value


@lru_cache(maxsize=1024)
def _masker(key: str) -> Callable[[str], str] | None:
    """How a value under `key` is masked (None: by shape only); a log line's keys repeat on
    every line, so each is looked at once."""
    k = key.lower()
    if k in _PHONE_KEYS or k.endswith("_phone"):
        return mask_phone
    if k in _ACCOUNT_KEYS:
        return mask_account
    if k in _DIGIT_KEYS:
        return mask_digits
    if k in _NAME_KEYS:
        return mask_name
    if k in _EMAIL_KEYS or k.endswith("_email"):
        return mask_email
    if k in _TEXT_KEYS:
        return mask_text
    return None


def mask_fields(fields: Mapping[str, object]) -> dict[str, object]:
    """A copy of a flat map with the PII values masked by key (params, attributes, results)."""
    return {k: mask_value(k, v) if isinstance(v, str) else v for k, v in fields.items()}


def mask_text_pii(text: str) -> str:
    """Phone numbers, 12-digit account IDs and e-mail addresses masked wherever they sit in `text`."""
    # Most of a log line's strings hold no four digits in a row and no @: each pattern needs them
    # (they run on every string of every line).
    if _FOUR_DIGITS.search(text):
        text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
        text = _ACCOUNT.sub(lambda m: mask_account(m.group()), text)
    return _EMAIL.sub(lambda m: mask_email(m.group()), text) if "@" in text else text


def find_pii(text: str) -> list[str]:
    """The unmasked phone numbers, account IDs and e-mail addresses in `text` (the log checker's test)."""
    return [m.group() for pattern in (_PHONE, _ACCOUNT, _EMAIL) for m in pattern.finditer(text)]


def mask_record(value: object, key: str = "") -> object:
    """A log record (nested maps and lists) masked: each value by its key, then every string by shape.

    A number is masked as its text when it has a shape (an account ID logged as an int)."""
    if isinstance(value, str):  # the most common first: an ABC's isinstance is slow
        return mask_text_pii(mask_value(key, value))
    if isinstance(value, Mapping):
        return {k: mask_record(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_record(v, key) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        masked = mask_record(str(value), key)
        return value if masked == str(value) else masked
    return value


def _keep_last(value: str, visible: int) -> str:
    if len(value) <= visible:
        return value
    return "*" * (len(value) - visible) + value[-visible:]


def _mask_word(word: str) -> str:
    if len(word) == 1:
        return "*"
    if HANGUL_SYLLABLES.search(word):
        # Korean names are 2-4 syllables: keep the family name (and the last syllable from three on).
        if len(word) == 2:
            return word[0] + "*"
        return word[0] + "*" * (len(word) - 2) + word[-1]
    return word[0] + "*" * (len(word) - 1)
