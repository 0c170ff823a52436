"""The local stand-in for Lex V2's natural-language understanding, trained from intents.yaml:
sentence features (features.py) + logistic regression (model.py), FallbackIntent under a
threshold chosen on held-out data, slots normalised as Lex resolves them (slots.py), cached per
intents.yaml and model version (cache.py). Measured in docs/ai-quality.md and `make bench`.
"""

from .bot import CASCADE, CHOICES, DEFAULT_ENCODER, LocalNlu, Prediction
from .examples import FALLBACK

__all__ = ["CASCADE", "CHOICES", "DEFAULT_ENCODER", "FALLBACK", "LocalNlu", "Prediction"]
