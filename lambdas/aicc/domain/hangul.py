"""Hangul, the Korean script, as the code recognises it in text: defined once, here."""

from __future__ import annotations

import re

# Precomposed syllables (가-힣): how Korean names and words are written. names.jamo() decomposes a
# syllable arithmetically from the first code point (Unicode ch. 3.12).
SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3
_SYLLABLES = f"{chr(SYLLABLE_FIRST)}-{chr(SYLLABLE_LAST)}"
HANGUL_SYLLABLES = re.compile(f"[{_SYLLABLES}]+")
# Any Hangul: the syllables, conjoining jamo (U+1100-11FF) and compatibility jamo (ㄱ, ㅏ: U+3130-318F).
HANGUL = re.compile(f"[\u1100-\u11ff\u3130-\u318f{_SYLLABLES}]+")
