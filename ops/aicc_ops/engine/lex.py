"""Local stand-in for the Lex V2 bot, trained from the same intents data file as the real bot.

Recognition: every sample utterance becomes a pattern (`{Slot}` captures text). Among matching
patterns the one with the most literal words wins (a carrier phrase beats a bare capture); an
utterance with no slot matches fuzzily. When only bare captures match, or nothing does, the turn
goes to FallbackIntent. Then, as in the deployed bot, the dialog code hook (`aicc.handlers.lex_hook`)
runs with a real Lex V2 event and may resolve the turn (e.g. to the intent the flow expects).

Each locale of the file is trained apart, and a turn runs in the locale of the contact's language,
as Connect asks the bot alias for it: Korean speech reaches ko_KR only when the flow set the
contact's language to ko-KR, and a language the bot has no locale for fails the turn.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from aicc.domain.hangul import HANGUL

FALLBACK = "FallbackIntent"
_PUNCT = re.compile(r"[\s.,!?~·]+$")


@dataclass(frozen=True)
class _Pattern:
    intent: str
    regex: re.Pattern[str]
    literal: str  # the utterance without slots, for scoring and fuzzy matching
    slots: tuple[str, ...]


@dataclass
class LexTurn:
    intent: str
    slots: dict[str, str | None]
    session_attributes: dict[str, str]
    dialog_state: str
    confidence: float
    transcript: str
    input_mode: str
    locale: str  # the Lex locale the turn ran in: the contact's language's
    messages: list[str] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        """What the flow reads under $.Lex after the block."""
        return {
            "IntentName": self.intent,
            "Slots": dict(self.slots),
            "SessionAttributes": dict(self.session_attributes),
            "DialogState": self.dialog_state,
            "IntentConfidence": {"Score": f"{self.confidence:.2f}"},
            "InputTranscript": self.transcript,
        }


def heard(spoken: str, locale: str) -> str:
    """What the locale's speech recognizer writes down: only a Korean model writes Hangul, so Korean
    words (any Hangul) said to another locale are lost (Lex hears speech but recognizes no words of it)."""
    if locale == "ko_KR":
        return spoken
    return re.sub(r"\s+", " ", HANGUL.sub("", spoken)).strip()


def _normalize(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).strip())


class MissingLocaleError(LookupError):
    """The bot has no locale for the contact's language: Connect's Lex block takes its error branch."""


class LocalLexBot:
    """The bot with every locale of intents.yaml; a turn runs in the locale of the contact's language."""

    def __init__(
        self,
        intents: Mapping[str, Any],
        code_hook: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.locales: tuple[str, ...] = tuple(intents["locales"])
        self.code_hook = code_hook
        self.patterns: dict[str, list[_Pattern]] = {locale: [] for locale in self.locales}
        for name, spec in intents["intents"].items():
            for locale, utterances in (spec.get("utterances") or {}).items():
                for utterance in utterances:
                    slots = tuple(re.findall(r"\{(\w+)\}", utterance))
                    parts = re.split(r"(\{\w+\})", utterance)
                    body = "".join(
                        f"(?P<{p[1:-1]}>.+?)" if re.fullmatch(r"\{\w+\}", p) else re.escape(p) for p in parts
                    )
                    literal = re.sub(r"\{\w+\}", "", utterance).strip()
                    self.patterns[locale].append(_Pattern(name, re.compile(rf"^{body}$"), literal, slots))

    @staticmethod
    def locale_of(language_code: str) -> str:
        """The Lex locale ID of a contact language code: ko-KR -> ko_KR."""
        return language_code.replace("-", "_")

    def classify(self, transcript: str, locale: str) -> tuple[str, dict[str, str | None], float]:
        text = _normalize(transcript)
        best: tuple[float, str, dict[str, str | None]] = (0.0, FALLBACK, {})
        for p in self.patterns[locale]:
            if p.slots:
                m = p.regex.match(text)
                if m and p.literal:
                    score = min(1.0, 0.6 + len(p.literal) / max(len(text), 1))
                    if score > best[0]:
                        best = (score, p.intent, {s: m.group(s).strip() for s in p.slots})
            else:
                score = fuzz.partial_ratio(p.literal, text) / 100 if len(text) >= 2 else 0.0
                if score >= 0.9 and score > best[0]:
                    best = (score, p.intent, {})
        return best[1], best[2], best[0]

    def recognize(
        self,
        transcript: str,
        session_attributes: Mapping[str, str],
        input_mode: str = "Speech",
        session_id: str | None = None,
        *,
        locale: str,
    ) -> LexTurn:
        if locale not in self.patterns:
            raise MissingLocaleError(f"the bot has no {locale} locale (it has {', '.join(self.locales)})")
        if input_mode == "Speech":
            transcript = heard(transcript, locale)
        intent, slots, confidence = self.classify(transcript, locale) if transcript else (FALLBACK, {}, 0.0)
        turn = LexTurn(
            intent,
            slots,
            dict(session_attributes),
            "Fulfilled" if intent != FALLBACK else "Failed",
            confidence,
            transcript,
            input_mode,
            locale,
        )
        if self.code_hook is not None:
            self._run_code_hook(turn, session_id or str(uuid.uuid4()))
        return turn

    def _event(self, turn: LexTurn, session_id: str) -> dict[str, Any]:
        def slot(value: str | None) -> dict[str, Any] | None:
            if value is None:
                return None
            return {"value": {"originalValue": value, "interpretedValue": value, "resolvedValues": [value]}}

        intent = {
            "name": turn.intent,
            "state": "InProgress",
            "confirmationState": "None",
            "slots": {k: slot(v) for k, v in turn.slots.items()},
        }
        return {
            "messageVersion": "1.0",
            "invocationSource": "DialogCodeHook",
            "inputMode": turn.input_mode,
            "responseContentType": "text/plain; charset=utf-8",
            "sessionId": session_id,
            "inputTranscript": turn.transcript,
            "bot": {
                "id": "AICCBOT",
                "name": "aicc-support",
                "localeId": turn.locale,
                "version": "DRAFT",
                "aliasId": "LOCAL",
                "aliasName": "local",
            },
            "interpretations": [{"intent": intent, "nluConfidence": round(turn.confidence, 2)}],
            "proposedNextState": None,
            "requestAttributes": {},
            "sessionState": {
                "sessionAttributes": dict(turn.session_attributes),
                "activeContexts": [],
                "intent": intent,
                "originatingRequestId": str(uuid.uuid4()),
            },
            "transcriptions": [{"transcription": turn.transcript, "transcriptionConfidence": 0.9}],
        }

    def _run_code_hook(self, turn: LexTurn, session_id: str) -> None:
        assert self.code_hook is not None
        response = self.code_hook(self._event(turn, session_id))
        state = (response or {}).get("sessionState") or {}
        action = (state.get("dialogAction") or {}).get("type")
        turn.session_attributes = dict(state.get("sessionAttributes") or turn.session_attributes)
        turn.messages = [m.get("content", "") for m in (response or {}).get("messages") or []]
        intent = state.get("intent")
        if action == "Close" and intent:
            turn.intent = intent.get("name", turn.intent)
            turn.slots = {
                k: ((v or {}).get("value") or {}).get("interpretedValue")
                for k, v in (intent.get("slots") or {}).items()
            }
            turn.dialog_state = "Fulfilled" if intent.get("state") == "Fulfilled" else "Failed"
