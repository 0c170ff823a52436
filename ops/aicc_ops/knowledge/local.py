"""The local stack's knowledge backends: one place builds them (`local_knowledge`).

Until the hybrid index (aicc_ops.knowledge.search.HybridIndex) is wired in here, retrieval is a
character-bigram overlap over the documents' chunks (`OverlapRetriever`): small, real and exact,
and what the tests of the answers use, so their outcome does not move with the index's tuning.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from aicc.domain.knowledge import Answerer, Passage, Retriever

from .chunking import chunk_document, sentences
from .documents import Chunk, Document, read_folder


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the text without spaces: Korean words inflect (복구, 복구하려면), their
    stems' bigrams stay."""
    squeezed = "".join(text.lower().split())
    return Counter(squeezed[i : i + 2] for i in range(len(squeezed) - 1))


@dataclass
class OverlapRetriever:
    """Chunks ranked by the TF-IDF cosine of their character bigrams with the query's; the title
    and section heading count twice (they say what the chunk is about)."""

    chunks: Sequence[Chunk]
    _vectors: list[tuple[dict[str, float], float]] = field(init=False, repr=False)
    _idf: dict[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        counted = [bigrams(f"{c.title} {c.section} " * 2 + c.text) for c in self.chunks]
        df = Counter(g for grams in counted for g in grams)
        self._idf = {g: math.log((1 + len(counted)) / (1 + n)) + 1 for g, n in df.items()}
        self._vectors = [self._weighted(grams) for grams in counted]

    def _weighted(self, grams: Counter[str]) -> tuple[dict[str, float], float]:
        vector = {g: n * self._idf.get(g, 0.0) for g, n in grams.items()}
        return vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> OverlapRetriever:
        return cls([chunk for doc in docs for chunk in chunk_document(doc)])

    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        q, norm = self._weighted(bigrams(query))
        scored = []
        for chunk, (grams, size) in zip(self.chunks, self._vectors, strict=True):
            dot = sum(n * grams[g] for g, n in q.items() if g in grams)
            if dot:
                scored.append((dot / (norm * size), chunk))
        scored.sort(key=lambda pair: -pair[0])
        return [Passage(c.doc_id, c.title, c.text, round(s, 4)) for s, c in scored[:top]]


def documents_folder() -> Path:
    """The knowledge base's documents: $AICC_KB_DIR, else <AICC_SHARED_DIR>/data/kb."""
    if os.environ.get("AICC_KB_DIR"):
        return Path(os.environ["AICC_KB_DIR"])
    shared = os.environ.get("AICC_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared"
    return Path(shared) / "data" / "kb"


@cache
def local_knowledge() -> tuple[Retriever, Answerer]:
    """The local stack's retriever and answerer over the knowledge base's documents, built once per
    process (the lead points the retriever at HybridIndex here)."""
    from aicc.settings import config

    from .answer import ExtractiveAnswerer

    docs, _ = read_folder(documents_folder())
    sentences("준비")  # the Korean analyser's model loads now (3 s), not in a caller's first silence
    return OverlapRetriever.from_documents(docs), ExtractiveAnswerer(config().knowledge.spoken_max_chars)
