"""PII masking for logs: phone numbers, AWS account IDs, person names and free-text transcripts.

Logs keep enough to debug (the last four digits, the first letter of a name, a text's length)
and nothing that identifies a person. Company names are business data and stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping

from aicc.domain import phones
from aicc.domain.hangul import HANGUL_SYLLABLES

_PHONE_KEYS = frozenset({"phone", "caller", "callback_number", "address", "ani"})
_ACCOUNT_KEYS = frozenset({"account_id"})
_NAME_KEYS = frozenset(
    {"contact_name", "sales_rep_name", "target_name", "agent_name", "manager_name", "name"}
)
_TEXT_KEYS = frozenset({"incident", "transcript", "inputtranscript", "question", "kb_question"})


def mask_phone(value: str) -> str:
    """`+821012345678` → `+82-10-****-5678`; anything unparseable keeps only its last 4 digits."""
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


def mask_text(value: str) -> str:
    """Free text (an incident description) is logged only by its length."""
    return f"[{len(value)} chars]" if value else ""


def mask_fields(fields: Mapping[str, object]) -> dict[str, object]:
    """A copy of a flat map with the PII values masked by key (params, attributes, results)."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        k = key.lower()
        if not isinstance(value, str) or not value:
            out[key] = value
        elif k in _PHONE_KEYS or k.endswith("_phone"):
            out[key] = mask_phone(value)
        elif k in _ACCOUNT_KEYS:
            out[key] = mask_account(value)
        elif k in _NAME_KEYS:
            out[key] = mask_name(value)
        elif k in _TEXT_KEYS:
            out[key] = mask_text(value)
        else:
            out[key] = value
    return out


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
