"""Company and person names as speech recognition hands them to us, compared tolerantly.

A transcript differs from the registered name in spacing, case, legal-form suffixes (주식회사,
(주), Inc.), a trailing copula (입니다, 이에요) and small recognition errors. Normalization removes
the first four; Hangul is then compared jamo by jamo, so a one-consonant error (솔 → 쏠) costs one
edit out of the ~3 per syllable rather than a whole syllable.
"""

from __future__ import annotations

import re
import unicodedata

from aicc.domain.hangul import SYLLABLE_FIRST, SYLLABLE_LAST

# Similarity at or above which two normalized names are taken as the same name. One jamo error in
# a four-syllable name scores about 0.89; 솔트웨어 vs 소프트웨어 (a different company) 0.80.
MATCH_THRESHOLD = 0.85
# Short names cannot reach the threshold with even one error, so a single edit is allowed from
# this length (in jamo/letters) on. 엘지 → 엘쥐 (5 jamo) matches; KT → KB (2 letters) does not.
SINGLE_EDIT_MIN_LENGTH = 4

# After NFKC (㈜ becomes "(주)") and casefold. Korean legal forms may stand before or after the name.
_KO_LEGAL_FORMS = re.compile(r"\(주\)|\(유\)|주식회사|유한책임회사|유한회사|합자회사|합명회사")
_EN_LEGAL_FORM = re.compile(
    r"(?:^|[\s,.]+)(?:inc|incorporated|co|corp|corporation|ltd|limited|llc|company)\.?$"
)
# Longest first, so 이에요 is removed whole rather than leaving 이 behind.
_COPULAS = ("입니다", "이에요", "이예요", "에요", "예요", "이요", "요", "님")
_TRAILING_PUNCTUATION = " \t.,!?~·-"

_JUNG_COUNT, _JONG_COUNT = 21, 28


def normalize(text: str) -> str:
    """The comparable core of a name: `㈜솔트 웨어입니다` → `솔트웨어`, `Saltware Co., Ltd.` → `saltware`."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = _KO_LEGAL_FORMS.sub(" ", s)
    while True:
        before = s
        s = s.strip().rstrip(_TRAILING_PUNCTUATION)
        s = _strip_copula(s)
        stripped = _EN_LEGAL_FORM.sub("", s)
        if stripped.strip(_TRAILING_PUNCTUATION):  # never strip a name down to nothing ("Inc" alone)
            s = stripped
        if s == before:
            break
    return "".join(ch for ch in s if ch.isalnum())


def _strip_copula(s: str) -> str:
    for copula in _COPULAS:
        rest = s[: -len(copula)].rstrip() if s.endswith(copula) else ""
        # Keep at least two characters: 이요 or 김요 alone are more likely a name than a copula.
        if len(rest) >= 2:
            return rest
    return s


def jamo(text: str) -> str:
    """Hangul syllables split into their conjoining jamo (arithmetically, Unicode ch. 3.12)."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if SYLLABLE_FIRST <= code <= SYLLABLE_LAST:
            index = code - SYLLABLE_FIRST
            lead, rest = divmod(index, _JUNG_COUNT * _JONG_COUNT)
            vowel, tail = divmod(rest, _JONG_COUNT)
            out.append(chr(0x1100 + lead))
            out.append(chr(0x1161 + vowel))
            if tail:
                out.append(chr(0x11A7 + tail))
        else:
            out.append(ch)
    return "".join(out)


def comparable(text: str) -> str:
    """A name as `is_match` and `similarity` compare it: normalized, Hangul split into jamo. A name
    compared with many is made comparable once (`matches`, `similarity_of`)."""
    return jamo(normalize(text))


def similarity(a: str, b: str) -> float:
    """1.0 for the same name after normalization, falling with the jamo-level edit distance."""
    return similarity_of(comparable(a), comparable(b))


def similarity_of(x: str, y: str) -> float:
    """`similarity` of two comparable names."""
    if not x or not y:
        return 0.0
    # Imported where used: most handlers that import this module never compare names (cold starts).
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_similarity(x, y)


def is_match(a: str, b: str) -> bool:
    """Whether two transcribed/registered names denote the same name (see the thresholds above)."""
    return matches(comparable(a), comparable(b))


def matches(x: str, y: str) -> bool:
    """`is_match` of two comparable names."""
    if similarity_of(x, y) >= MATCH_THRESHOLD:
        return True
    if min(len(x), len(y)) < SINGLE_EDIT_MIN_LENGTH:
        return False
    from rapidfuzz.distance import Levenshtein  # where used, as in similarity_of()

    return Levenshtein.distance(x, y, score_cutoff=1) <= 1
