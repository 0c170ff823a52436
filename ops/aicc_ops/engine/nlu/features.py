"""Sentence features the intent model is trained on: three encoders, compared in docs/ai-quality.md.

- `e5`: multilingual-e5-small sentence embeddings (engine/embeddings.py, shared with the sentiment
  model). e5 was trained with the "query: " prefix for short queries, which is used here.
- `chars`: TF-IDF of character 1-3-grams of the text without spaces: Hangul syllables carry most
  of the meaning, and callers' (and ASR's) spacing is arbitrary ("로그인이안돼요").
- `e5+chars`: both, side by side.
"""

from __future__ import annotations

import re
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
    """TF-IDF of character n-grams; `row` computes one utterance's features without scikit-learn's
    per-call overhead (validation, sparse matrices: ~0.6 ms of a 0.7 ms prediction)."""

    name = "chars"

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, preprocessor=_no_spaces
        )
        self._derive()

    def _derive(self) -> None:
        """The fitted vocabulary and idf as plain lookups: rebuilt on load, never pickled."""
        fitted = hasattr(self.vectorizer, "idf_")
        self._vocabulary: dict[str, int] = dict(self.vectorizer.vocabulary_) if fitted else {}
        self._idf = np.asarray(self.vectorizer.idf_ if fitted else [], dtype=np.float64)

    def __getstate__(self) -> dict[str, Any]:
        return {"vectorizer": self.vectorizer}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.vectorizer = state["vectorizer"]
        self._derive()

    def fit(self, texts: Sequence[str]) -> None:
        self.vectorizer.fit(texts)
        self._derive()

    def transform(self, texts: Sequence[str]) -> Matrix:
        return np.asarray(self.vectorizer.transform(texts).toarray(), dtype=np.float32)

    def ngrams(self, text: str) -> list[str]:
        """What the vectorizer's char analyzer makes of `text`: the preprocessor (which replaces
        sklearn's lowercasing), runs of whitespace made one space, then every n-gram of the range."""
        text = _WHITE_SPACES.sub(" ", _no_spaces(text))
        low, high = self.vectorizer.ngram_range
        size = len(text)
        return [text[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)]

    def row(self, text: str) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """`transform([text])`'s non-zero columns and values: counts of the known n-grams, 1 + log,
        times idf, L2-normalised (none when no n-gram is known), rounded to float32 as `transform`."""
        counts: dict[int, int] = {}
        vocabulary = self._vocabulary
        for gram in self.ngrams(text):
            column = vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(tf)) * self._idf[columns]
        norm = float(np.sqrt(values @ values))
        if norm > 0:
            values /= norm
        return columns, values.astype(np.float32).astype(np.float64)


class CombinedEncoder:
    name = "e5+chars"

    def __init__(self) -> None:
        self.parts: tuple[Encoder, ...] = (E5Encoder(), CharNgramEncoder())

    def fit(self, texts: Sequence[str]) -> None:
        for part in self.parts:
            part.fit(texts)

    def transform(self, texts: Sequence[str]) -> Matrix:
        return np.hstack([part.transform(texts) for part in self.parts])


# scikit-learn's char analyzer's own whitespace normalisation (VectorizerMixin._white_spaces).
_WHITE_SPACES = re.compile(r"\s\s+")


def _no_spaces(text: str) -> str:
    return text.replace(" ", "")


ENCODERS: dict[str, type[E5Encoder] | type[CharNgramEncoder] | type[CombinedEncoder]] = {
    cls.name: cls for cls in (E5Encoder, CharNgramEncoder, CombinedEncoder)
}
