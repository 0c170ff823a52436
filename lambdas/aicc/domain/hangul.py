"""Hangul, the Korean script, as the code recognises it in text: defined once, here."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

# Precomposed syllables (가-힣): how Korean names and words are written. names.jamo() decomposes a
# syllable arithmetically from the first code point (Unicode ch. 3.12).
SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3
_SYLLABLES = f"{chr(SYLLABLE_FIRST)}-{chr(SYLLABLE_LAST)}"
HANGUL_SYLLABLES = re.compile(f"[{_SYLLABLES}]+")
# Any Hangul: the syllables, conjoining jamo (U+1100-11FF) and compatibility jamo (ㄱ, ㅏ: U+3130-318F).
# HANGUL is compiled when first read (__getattr__ below): only the ops side reads it, and every Lambda
# imports this module at cold start (log masking), where compiling its class costs 0.5 ms.
_HANGUL = f"[\u1100-\u11ff\u3130-\u318f{_SYLLABLES}]+"


if TYPE_CHECKING:  # mypy sees the attribute, so a misspelt name of this module stays an error
    HANGUL: re.Pattern[str]
else:

    def __getattr__(name: str) -> re.Pattern[str]:
        if name != "HANGUL":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        pattern = globals()["HANGUL"] = re.compile(_HANGUL)
        return pattern


# Jongseong (final consonant) index of a syllable: (code - first) % 28; 0 = none, 8 = ㄹ.
_JONGSEONG_COUNT, _RIEUL = 28, 8


def _final(word: str) -> int | None:
    """The last syllable's final consonant index (0 = none), or None when it is not a syllable."""
    code = ord((word.rstrip() or " ")[-1])
    if not SYLLABLE_FIRST <= code <= SYLLABLE_LAST:
        return None
    return (code - SYLLABLE_FIRST) % _JONGSEONG_COUNT


def with_euro(word: str) -> str:
    """`word` with the particle 으로/로 it takes: 한글날로, 추석으로, 설날로 (ㄹ takes 로)."""
    final = _final(word)
    if final is None:
        return f"{word}(으)로"  # not Hangul: let the reader pick
    return f"{word}{'으로' if final not in (0, _RIEUL) else '로'}"


def with_gwa(word: str) -> str:
    """`word` with the particle 과/와 it takes: 부처님오신날과, 추석과, 신정과, 어린이날과, 노동절과."""
    final = _final(word)
    if final is None:
        return f"{word}와(과)"
    return f"{word}{'과' if final else '와'}"
