"""The local stand-in for Lex V2's natural-language understanding, trained from intents.yaml:
sentence features (features.py) + logistic regression (model.py), FallbackIntent under a
threshold chosen on held-out data, slots normalised as Lex resolves them (slots.py), cached per
intents.yaml and training code (cache.py). Measured in docs/ai-quality.md and `make bench`.

The model's names are imported on first use: the engine imports this package for FALLBACK, and a
call without Lex turns (text input, `call simulate` of a menu) must not load numpy and
scikit-learn (tests/functional/speech checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .examples import FALLBACK

if TYPE_CHECKING:
    from .bot import CASCADE, CHOICES, DEFAULT_ENCODER, LocalNlu, Prediction

_FROM_BOT = frozenset({"CASCADE", "CHOICES", "DEFAULT_ENCODER", "LocalNlu", "Prediction"})


def __getattr__(name: str) -> Any:
    if name in _FROM_BOT:
        from . import bot

        return getattr(bot, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CASCADE", "CHOICES", "DEFAULT_ENCODER", "FALLBACK", "LocalNlu", "Prediction"]
