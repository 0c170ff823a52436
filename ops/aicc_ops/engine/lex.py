"""Local stand-in for the Lex V2 bot, trained from the same intents data file as the real bot.

Recognition: every sample utterance becomes a pattern (`{Slot}` captures text). Among matching
patterns the one with the most literal words wins (a carrier phrase beats a bare capture); an
utterance with no slot matches fuzzily. When only bare captures match, or nothing does, the turn
goes to FallbackIntent. Then, as in the deployed bot, the dialog code hook (`aicc.handlers.lex_hook`)
runs with a real Lex V2 event and may resolve the turn (e.g. to the intent the flow expects).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

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


def _normalize(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).strip())


class LocalLexBot:
    def __init__(
        self,
        intents: Mapping[str, Any],
        locale: str = "ko_KR",
        code_hook: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.locale = locale
        self.code_hook = code_hook
        self.patterns: list[_Pattern] = []
        for name, spec in intents["intents"].items():
            for utterance in (spec.get("utterances") or {}).get(locale, []):
                slots = tuple(re.findall(r"\{(\w+)\}", utterance))
                parts = re.split(r"(\{\w+\})", utterance)
                body = "".join(
                    f"(?P<{p[1:-1]}>.+?)" if re.fullmatch(r"\{\w+\}", p) else re.escape(p) for p in parts
                )
                literal = re.sub(r"\{\w+\}", "", utterance).strip()
                self.patterns.append(_Pattern(name, re.compile(rf"^{body}$"), literal, slots))

    def classify(self, transcript: str) -> tuple[str, dict[str, str | None], float]:
        text = _normalize(transcript)
        best: tuple[float, str, dict[str, str | None]] = (0.0, FALLBACK, {})
        for p in self.patterns:
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
    ) -> LexTurn:
        intent, slots, confidence = self.classify(transcript)
        turn = LexTurn(
            intent,
            slots,
            dict(session_attributes),
            "Fulfilled" if intent != FALLBACK else "Failed",
            confidence,
            transcript,
            input_mode,
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
                "localeId": self.locale,
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
