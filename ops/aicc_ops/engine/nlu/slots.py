"""Slot values from a transcript, normalised as Lex resolves them.

- A TopResolution slot type (ServiceName) resolves to its canonical value: the value or synonym
  said first wins ("알디에스 인스턴스" -> RDS), the longest at one place ("다이나모 디비" before
  "다이나모"), spacing and case ignored ("다이나모디비", "ec2").
- A digits slot type (`digits: N`) takes exactly N digits said as Sino-Korean words, keyed, or
  mixed ("사 팔 이 일", "끝자리 4팔21요") -> "4821", through aicc.domain.spoken_digits.
- Any other (OriginalValue) slot keeps what the caller said: the sample utterance whose carrier
  words match the most fills it ("회사는 {CompanyName}입니다"), else the whole transcript.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aicc.domain import spoken_digits

from .text import normalize

# Runs of digits said one by one (Sino-Korean words, keypad digits); separators were removed.
_DIGIT_RUN = re.compile(r"[공영빵일이삼사오육륙칠팔구0-9]+")
_SLOT = re.compile(r"\{(\w+)\}")


def _squash(text: str) -> str:
    return normalize(text).replace(" ", "")


@dataclass(frozen=True)
class _Template:
    regex: re.Pattern[str]
    literal: int  # characters of carrier words: more is a closer match
    slots: tuple[str, ...]


class SlotFiller:
    """The slots of every intent of one locale, and how each is read from a transcript."""

    def __init__(self, intents: Mapping[str, Any], locale: str) -> None:
        types: Mapping[str, Any] = intents.get("slot_types") or {}
        self.slots: dict[str, dict[str, Mapping[str, Any]]] = {}
        self.templates: dict[str, list[_Template]] = {}
        self.synonyms: dict[str, list[tuple[str, str]]] = {}
        for name, spec in types.items():
            if spec.get("resolution") == "TopResolution":
                pairs = [(_squash(str(v)), str(v)) for v in spec.get("values") or []]
                for value, synonyms in (spec.get("synonyms") or {}).items():
                    pairs += [(_squash(str(s)), str(value)) for s in synonyms]
                self.synonyms[name] = sorted(pairs, key=lambda p: -len(p[0]))
        for intent, spec in (intents.get("intents") or {}).items():
            self.slots[intent] = {
                slot: {**types[s["type"]], "type": s["type"]} for slot, s in (spec.get("slots") or {}).items()
            }
            self.templates[intent] = [
                self._template(u)
                for u in ((spec.get("utterances") or {}).get(locale) or [])
                if _SLOT.search(u)
            ]

    @staticmethod
    def _template(utterance: str) -> _Template:
        """A sample utterance as a pattern over normalised text: its carrier words, a slot between."""
        names = tuple(_SLOT.findall(utterance))
        words = re.split(r"\{\w+\}", utterance)
        body = ""
        for i, w in enumerate(words):
            body += r"\s*".join(map(re.escape, normalize(w).split()))
            if i < len(names):
                body += rf"\s*(?P<{names[i]}>.+?)\s*"
        return _Template(
            re.compile(rf"^{body}$", re.IGNORECASE), len(_squash(_SLOT.sub(" ", utterance))), names
        )

    def fill(self, intent: str, transcript: str) -> dict[str, str]:
        """The slots of `intent` found in `transcript` (unfilled ones left out)."""
        declared = self.slots.get(intent) or {}
        out: dict[str, str] = {}
        free: list[str] = []
        for slot, spec in declared.items():
            if spec["type"] in self.synonyms:
                value = self.resolve(spec["type"], transcript)
            elif spec.get("digits"):
                value = digits(transcript, int(spec["digits"]))
            else:
                free.append(slot)
                continue
            if value is not None:
                out[slot] = value
        if free:
            out.update(self._said(intent, transcript, free))
        return out

    def resolve(self, slot_type: str, transcript: str) -> str | None:
        """The canonical value of a TopResolution slot type named in the transcript, or None."""
        said = _squash(transcript)
        found = [
            (said.find(form), -len(form), value) for form, value in self.synonyms[slot_type] if form in said
        ]
        return min(found)[2] if found else None

    def _said(self, intent: str, transcript: str, slots: list[str]) -> dict[str, str]:
        text = normalize(transcript, lower=False)  # the caller's words, as said
        best: tuple[int, dict[str, str]] = (-1, {})
        for t in self.templates.get(intent, []):
            m = t.regex.match(text)
            if m and t.literal > best[0] and all(s in t.slots for s in slots):
                best = (t.literal, {s: m.group(s).strip() for s in slots})
        if best[0] >= 0:
            return best[1]
        return {slots[0]: transcript.strip()} if len(slots) == 1 else {}


def digits(transcript: str, count: int) -> str | None:
    """The first run of exactly `count` digits said or keyed in the transcript, or None."""
    whole = spoken_digits.exactly(transcript, count)
    if whole is not None:
        return whole
    for run in _DIGIT_RUN.findall(_squash(transcript)):
        value = spoken_digits.exactly(run, count)
        if value is not None:
            return value
    words = [spoken_digits.parse(w) for w in normalize(transcript).split()]
    run_digits = ""
    for w in [*words, None]:
        if w is not None and len(w) == 1:
            run_digits += w
            continue
        if len(run_digits) == count:
            return run_digits
        run_digits = ""
    return None
