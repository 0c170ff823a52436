"""Local stand-in for the Lex V2 bot, trained from the same intents data file as the real bot.

Recognition: the local NLU (engine/nlu: sentence embeddings + a linear model, trained from
intents.yaml and cached) names the intent, its confidence and the slots, normalised as Lex
resolves them; below its confidence threshold the turn goes to FallbackIntent. Where the flow asks
a capture question (session attribute `expected_intent`), the candidates are the capture intents
and TalkToAgent; at a menu the offer answers its `menu_keys` name (Decline) join the "how can I
help" intents. Then, as in the deployed bot, the dialog code hook (`aicc.handlers.lex_hook`)
runs with a real Lex V2 event and may resolve the turn (e.g. to the intent the flow expects).

Each locale of the file is trained apart, and a turn runs in the locale of the contact's language,
as Connect asks the bot alias for it: Korean speech reaches ko_KR only when the flow set the
contact's language to ko-KR, and a language the bot has no locale for fails the turn.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aicc.domain.dialog import EXPECTED_INTENT, MENU_KEYS, menu_keys
from aicc.domain.hangul import HANGUL

from .nlu import FALLBACK

if TYPE_CHECKING:
    from .nlu import LocalNlu


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


__all__ = ["FALLBACK", "LexTurn", "LocalLexBot", "MissingLocaleError", "heard"]  # FALLBACK: for the linter


class MissingLocaleError(LookupError):
    """The bot has no locale for the contact's language: Connect's Lex block takes its error branch."""


class LocalLexBot:
    """The bot with every locale of intents.yaml; a turn runs in the locale of the contact's language."""

    def __init__(
        self,
        intents: Mapping[str, Any],
        code_hook: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        nlu: LocalNlu | None = None,
        timed: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self.intents = intents
        self.locales: tuple[str, ...] = tuple(intents["locales"])
        self.code_hook = code_hook
        self._nlu = nlu
        self._timed = timed  # what times the NLU's work (in AWS: Lex's, not the call logic's)

    def load(self) -> LocalLexBot:
        """Load the trained NLU from its cache (or train it into the cache). Returns self."""
        if self._nlu is None:
            from .nlu import LocalNlu  # here: numpy and scikit-learn only for a bot that runs

            self._nlu = LocalNlu.load_or_train(self.intents)[0]
        return self

    @property
    def nlu(self) -> LocalNlu:
        """The trained NLU; loaded on the first turn unless `load()` ran first (the local stack's)."""
        self.load()
        assert self._nlu is not None
        return self._nlu

    @staticmethod
    def locale_of(language_code: str) -> str:
        """The Lex locale ID of a contact language code: ko-KR -> ko_KR."""
        return language_code.replace("-", "_")

    def classify(
        self, transcript: str, locale: str, expected_intent: str | None = None, offered: Collection[str] = ()
    ) -> tuple[str, dict[str, str | None], float]:
        """(intent, slots, confidence) of a transcript in a locale; `expected_intent` is the
        capture intent the flow asks for, if any; `offered` the intents the menu's keys name."""
        with self._timed():
            p = self.nlu.predict(transcript, locale, expected_intent, offered)
        return p.intent, dict(p.slots), p.confidence

    def recognize(
        self,
        transcript: str,
        session_attributes: Mapping[str, str],
        input_mode: str = "Speech",
        session_id: str | None = None,
        *,
        locale: str,
    ) -> LexTurn:
        if locale not in self.locales:
            raise MissingLocaleError(f"the bot has no {locale} locale (it has {', '.join(self.locales)})")
        if input_mode == "Speech":
            transcript = heard(transcript, locale)
        expected = session_attributes.get(EXPECTED_INTENT) or None
        offered = menu_keys(str(session_attributes.get(MENU_KEYS) or "")).values()
        intent, slots, confidence = (
            self.classify(transcript, locale, expected, offered) if transcript else (FALLBACK, {}, 0.0)
        )
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
