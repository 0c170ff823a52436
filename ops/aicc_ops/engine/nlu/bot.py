"""The local NLU: one intent model and slot filler per locale of intents.yaml.

Contexts: where a flow asks a capture question (the session attribute `expected_intent` names a
capture intent), the caller answers it or asks for a person, so the candidates are the capture
intents and TalkToAgent; everywhere else ("무엇을 도와드릴까요?", the menus) they are the "how can I
help" intents, plus the offer answers (Decline, Confirm, StartOver) the question offers (its
`menu_keys` name them). Either way FallbackIntent wins below the threshold, and the dialog code hook
then resolves a bare answer to the expected intent, as with the deployed bot.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicc.domain.dialog import capture_slots, offer_answers

from . import cache
from .examples import FALLBACK, training_examples
from .features import ENCODERS
from .model import CascadeModel, IntentModel, train, train_cascade
from .slots import SlotFiller
from .text import normalize

# chars when confident, e5 otherwise (model.CascadeModel): e5's accuracy at a fraction of its cost.
CASCADE = "cascade"
CHOICES = (*sorted(ENCODERS), CASCADE)
DEFAULT_ENCODER = CASCADE
# The models this process loaded, by cache file (named by what they were trained from); the lock:
# two stacks starting at once train once.
_LOADED: dict[Path, LocalNlu] = {}
_LOADING = threading.Lock()
# Heard at a capture prompt too: "상담원이요" when asked for a company name.
ALSO_AT_CAPTURE_PROMPTS = ("TalkToAgent",)


@dataclass
class Prediction:
    intent: str
    confidence: float
    slots: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"intent": self.intent, "confidence": round(self.confidence, 4), "slots": dict(self.slots)}


class LocalNlu:
    def __init__(
        self, intents: Mapping[str, Any], models: Mapping[str, IntentModel | CascadeModel], encoder: str
    ) -> None:
        self.intents = intents
        self.encoder = encoder
        self.models = dict(models)
        self._derive()

    def _derive(self) -> None:
        """What follows from intents.yaml without training: rebuilt on load, never pickled stale."""
        intents = self.intents
        self.captures = frozenset(capture_slots(intents))
        self.offers = offer_answers(intents)
        self.menu = frozenset(intents.get("intents") or {}) - self.captures - self.offers
        self.fillers = {locale: SlotFiller(intents, locale) for locale in self.models}

    def __getstate__(self) -> dict[str, Any]:
        return {"intents": self.intents, "encoder": self.encoder, "models": self.models}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.intents, self.encoder, self.models = state["intents"], state["encoder"], state["models"]
        self._derive()

    @classmethod
    def train(cls, intents: Mapping[str, Any], encoder: str = DEFAULT_ENCODER) -> LocalNlu:
        skip = {*capture_slots(intents), *offer_answers(intents)}
        menu = [i for i in intents.get("intents") or {} if i not in skip]
        models: dict[str, IntentModel | CascadeModel] = {}
        for locale in intents.get("locales") or []:
            examples = training_examples(intents, locale)
            if encoder == CASCADE:
                models[locale] = train_cascade(examples, locale, menu)
            else:
                models[locale] = train(examples, locale, encoder, menu)
        return cls(intents, models, encoder)

    @classmethod
    def load_or_train(
        cls, intents: Mapping[str, Any], encoder: str = DEFAULT_ENCODER, directory: Path | None = None
    ) -> tuple[LocalNlu, Path, bool]:
        """(the NLU, its cache file, whether it was trained now rather than loaded)."""
        path = cache.path_for(cache.cache_key(intents, encoder), directory)
        with _LOADING:
            if path in _LOADED and path.is_file():  # every local stack of a process: one unpickling
                return _LOADED[path], path, False
            loaded = cache.load(path)
            trained = not (isinstance(loaded, LocalNlu) and loaded.encoder == encoder)
            if trained:
                loaded = cls.train(intents, encoder)
                cache.store(path, loaded)
            assert isinstance(loaded, LocalNlu)
            _LOADED[path] = loaded
            return loaded, path, trained

    def candidates(self, expected_intent: str | None, offered: Collection[str] = ()) -> frozenset[str]:
        """`offered`: the intents the question names (its menu keys'); offer answers among them count."""
        if expected_intent in self.captures:
            return self.captures | set(ALSO_AT_CAPTURE_PROMPTS)
        return self.menu | (self.offers & set(offered))

    def predict(
        self, transcript: str, locale: str, expected_intent: str | None = None, offered: Collection[str] = ()
    ) -> Prediction:
        model = self.models[locale]
        text = normalize(transcript)
        if not text:
            return Prediction(FALLBACK, 0.0, {})
        intent, confidence = model.predict(text, self.candidates(expected_intent, offered))
        slots = self.fillers[locale].fill(intent, transcript) if intent != FALLBACK else {}
        return Prediction(intent, confidence, slots)
