"""Sentence features the intent model is trained on: three encoders, compared in docs/ai-quality.md.

- `e5`: multilingual-e5-small sentence embeddings (engine/embeddings.py, shared with the sentiment
  model). e5 was trained with the "query: " prefix for short queries, which is used here.
- `chars`: TF-IDF of character 1-3-grams of the text without spaces: Hangul syllables carry most
  of the meaning, and callers' (and ASR's) spacing is arbitrary ("로그인이안돼요").
- `e5+chars`: both, side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

from .. import embeddings

Matrix = NDArray[np.float32]


class Encoder(Protocol):
    name: str

    def fit(self, texts: Sequence[str]) -> None: ...

    def transform(self, texts: Sequence[str]) -> Matrix: ...


class E5Encoder:
    name = "e5"

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to learn: the embedder is pre-trained."""

    def transform(self, texts: Sequence[str]) -> Matrix:
        return embeddings.embed(texts, "query")

    def __getstate__(self) -> dict[str, Any]:
        return {}


class CharNgramEncoder:
    name = "chars"

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, preprocessor=_no_spaces
        )

    def fit(self, texts: Sequence[str]) -> None:
        self.vectorizer.fit(texts)

    def transform(self, texts: Sequence[str]) -> Matrix:
        return np.asarray(self.vectorizer.transform(texts).toarray(), dtype=np.float32)


class CombinedEncoder:
    name = "e5+chars"

    def __init__(self) -> None:
        self.parts: tuple[Encoder, ...] = (E5Encoder(), CharNgramEncoder())

    def fit(self, texts: Sequence[str]) -> None:
        for part in self.parts:
            part.fit(texts)

    def transform(self, texts: Sequence[str]) -> Matrix:
        return np.hstack([part.transform(texts) for part in self.parts])


def _no_spaces(text: str) -> str:
    return text.replace(" ", "")


ENCODERS: dict[str, type[E5Encoder] | type[CharNgramEncoder] | type[CombinedEncoder]] = {
    cls.name: cls for cls in (E5Encoder, CharNgramEncoder, CombinedEncoder)
}
