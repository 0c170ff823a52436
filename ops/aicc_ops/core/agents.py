"""What every Connect user aicc-ops creates has in common, in `agents onboard` and in the local
Connect emulator alike: the phone settings, and how a full name splits into Connect's two parts."""

from __future__ import annotations

from typing import Any

from aicc.domain.hangul import HANGUL_SYLLABLES

# Two-syllable Korean family names; a space in the CSV name overrides (황 보라 vs 황보 라).
COMPOUND_SURNAMES = frozenset(
    {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절"}
)
# Every agent: the softphone in the agent workspace, contacts offered rather than auto-accepted,
# and at most 120 s of after-contact work before Connect routes the next contact (0 = no limit,
# which leaves queues waiting on agents who forget to close the contact).
PHONE_CONFIG: dict[str, Any] = {
    "PhoneType": "SOFT_PHONE",
    "AutoAccept": False,
    "AfterContactWorkTimeLimit": 120,
}


def split_name(name: str) -> tuple[str, str]:
    """(family name, given name) of a full name; ValueError when it has no two parts.

    Korean: the family name comes first; without a space it is the first syllable, or the first
    two for a two-syllable family name (남궁민수 -> 남궁, 민수). Other names: the last word.
    """
    words = name.split()
    if HANGUL_SYLLABLES.fullmatch("".join(words)):
        if len(words) > 1:
            return words[0], " ".join(words[1:])
        if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
            return name[:2], name[2:]
        if len(name) >= 2:
            return name[0], name[1:]
        raise ValueError(f"name {name!r} needs a family and a given name")
    if len(words) < 2:
        raise ValueError(f"name {name!r} needs a given and a family name (e.g. 'Jane Doe')")
    return words[-1], " ".join(words[:-1])


def full_name(last_name: str, first_name: str) -> str:
    """The name as the CSV writes it: Korean family name first without a space."""
    if HANGUL_SYLLABLES.fullmatch(last_name + first_name):
        return last_name + first_name
    return f"{first_name} {last_name}".strip()
