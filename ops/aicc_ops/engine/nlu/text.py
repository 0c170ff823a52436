"""How the NLU reads a transcript: Unicode-normalised, lower case, punctuation gone, one space."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s#*]+")
_SPACES = re.compile(r"\s+")


def normalize(text: str, *, lower: bool = True) -> str:
    """ "어, 저기요… EC2가 안 돼요!" -> "어 저기요 ec2가 안 돼요" (`lower=False` keeps "EC2")."""
    text = unicodedata.normalize("NFKC", text)
    text = text.lower() if lower else text
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()
