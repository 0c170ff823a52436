"""Sentence features the intent model is trained on: three encoders, compared in docs/ai-quality.md.

- `e5`: multilingual-e5-small sentence embeddings (engine/embeddings.py, shared with the sentiment
  model). e5 was trained with the "query: " prefix for short queries, which is used here.
- `chars`: TF-IDF of character 1-3-grams of the text without spaces (Hangul syllables carry most
  of the meaning, and callers' and ASR's spacing is arbitrary: "로그인이안돼요"), next to TF-IDF
  of 1-3-grams within words, padded with a space (" 요금", "요금 ": where words start and end),
  and of 2-3-grams of the Hangul letters (jamo: robust to a slipped vowel or final consonant).
  Chosen by held-out macro-F1 over 5 shuffled grouped splits (docs/ai-quality.md).
- `e5+chars`: both, side by side.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
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
    """TF-IDF blocks of character n-grams, side by side (each block L2-normalised by its vectorizer);
    `row` computes one utterance's features without scikit-learn's per-call overhead (validation,
    sparse matrices: ~0.6 ms of a 0.7 ms prediction)."""

    name = "chars"

    def __init__(self) -> None:
        self.vectorizers = (
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, preprocessor=_no_spaces),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
            TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, preprocessor=_jamo),
        )
        self._derive()

    def _derive(self) -> None:
        """Per block: sklearn's own analyzer (its preprocessing, whitespace normalisation and
        n-grams), the vocabulary, idf and first column: rebuilt on load, never pickled."""
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], NDArray[np.float64], int]] = []
        offset = 0
        for vectorizer in self.vectorizers:
            if not hasattr(vectorizer, "idf_"):
                self._blocks = []
                return
            vocabulary = dict(vectorizer.vocabulary_)
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            self._blocks.append((vectorizer.build_analyzer(), vocabulary, idf, offset))
            offset += len(idf)

    def __getstate__(self) -> dict[str, Any]:
        return {"vectorizers": self.vectorizers}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.vectorizers = state["vectorizers"]
        self._derive()

    def fit(self, texts: Sequence[str]) -> None:
        for vectorizer in self.vectorizers:
            vectorizer.fit(texts)
        self._derive()

    def transform(self, texts: Sequence[str]) -> Matrix:
        blocks = [np.asarray(v.transform(texts).toarray(), dtype=np.float32) for v in self.vectorizers]
        return np.hstack(blocks)

    def row(self, text: str) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """`transform([text])`'s non-zero columns and values. Per block as TfidfVectorizer
        computes it: counts of the known n-grams, 1 + log (sublinear_tf), times idf, L2-normalised
        (no values when no n-gram is known); rounded to float32 as `transform` is."""
        all_columns, all_values = [], []
        for analyze, vocabulary, idf, offset in self._blocks:
            counts: dict[int, int] = {}
            for gram in analyze(text):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf)) * idf[columns]
            norm = float(np.sqrt(values @ values))
            if norm > 0:
                values /= norm
            all_columns.append(columns + offset)
            all_values.append(values)
        return np.concatenate(all_columns), np.concatenate(all_values).astype(np.float32).astype(np.float64)


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


def _jamo(text: str) -> str:
    """Hangul syllables as their letters (NFD): a slip of one vowel ("장에" for "장애") keeps most
    n-grams."""
    return unicodedata.normalize("NFD", _no_spaces(text))


ENCODERS: dict[str, type[E5Encoder] | type[CharNgramEncoder] | type[CombinedEncoder]] = {
    cls.name: cls for cls in (E5Encoder, CharNgramEncoder, CombinedEncoder)
}
