"""The local stack's answerer: the one or two sentences of the retrieved passages that answer.

Extractive, so it can only say what a document says. The passages are ranked by the e5 similarity
of the question with the whole passage (title and text): that is also the confidence, because
e5's passage-level similarity separates the questions the documents answer from those they do not
(on the knowledge base's 40 documents, spoken questions they answer score 0.87-0.94, questions
about weather, stocks, other clouds or AWS services no document covers 0.80-0.85). The answer is
the best sentence of the best passage by e5 similarity plus character-bigram overlap
(the question's own words), with the sentence after it when both fit the spoken length.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from aicc.domain.knowledge import Answer, Passage, Turn, sourced
from aicc.domain.knowledge_rules import in_context, spoken

from ..engine.embeddings import Prefix, embed
from .chunking import sentences

# e5 passage similarity -> confidence: LOW and below is 0, HIGH and above 1, linear between. With
# knowledge.yaml's min_confidence 0.55 a question needs a passage at about 0.866 to be answered.
LOW, HIGH = 0.80, 0.92
LEXICAL_WEIGHT = 0.3  # a sentence sharing the question's words beats a merely similar one
SECOND_WITHIN = 0.03  # the next sentence joins the answer when it scores nearly as well
# The local index's (search.HybridIndex) reranked score by which its first document must beat the
# next one to be answered from: chosen on tests/data/kb_questions_dev.jsonl (answers from the right
# document 0.952 -> 0.966, 62 -> 58 of 80 answered; the plateau runs 0.05-0.2); docs/ai-quality.md.
DOC_MARGIN = 0.1
PASSAGE_MARGIN = 0.03  # e5 similarity another passage needs over the retriever's first to be chosen
WEIGHED = 3  # passages (best first) the answer may come from: each costs an embedding when new
CACHE_SIZE = 4096  # embedded texts: the whole knowledge base's passages and sentences, several times
_MARKUP = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+|\*\*|`")


def _clean(sentence: str) -> str:
    """A sentence as spoken: no list number or bullet, no Markdown emphasis."""
    return " ".join(_MARKUP.sub("", sentence).split())


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the text without spaces: Korean words inflect (복구, 복구하려면), their
    stems' bigrams stay."""
    squeezed = "".join(text.lower().split())
    return Counter(squeezed[i : i + 2] for i in range(len(squeezed) - 1))


def _overlap(question: str, sentence: str) -> float:
    """The share of the question's character bigrams the sentence holds."""
    q, s = bigrams(question), bigrams(sentence)
    total = sum(q.values())
    return sum(min(n, s[g]) for g, n in q.items()) / total if total else 0.0


@dataclass
class ExtractiveAnswerer:
    max_chars: int = 160  # knowledge.yaml spoken_max_chars (local_knowledge passes it)
    # The question as the index searched it: product names said aloud written out ("에스쓰리" ->
    # S3), which e5 alone does not know (search.HybridIndex.expanded).
    expand: Callable[[str], str] | None = None
    _cache: OrderedDict[tuple[str, str], NDArray[np.float32]] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _embedded(self, texts: Sequence[str], prefix: Prefix) -> NDArray[np.float32]:
        """Embeddings of the texts, each computed once while it stays in the LRU cache (the
        passages and their sentences, used by every question, stay; old questions leave)."""
        found: dict[str, NDArray[np.float32]] = {}
        with self._lock:
            for text in dict.fromkeys(texts):
                row = self._cache.get((prefix, text))
                if row is not None:
                    self._cache.move_to_end((prefix, text))
                    found[text] = row
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for text, row in zip(missing, embed(missing, prefix), strict=True):
                found[text] = row
            with self._lock:
                for text in missing:
                    self._cache[(prefix, text)] = found[text]
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    @staticmethod
    @lru_cache(maxsize=CACHE_SIZE)
    def _sentences(text: str) -> tuple[str, ...]:
        """A passage's spoken sentences, split once while the passage stays in this LRU cache: the
        knowledge base's passages come back answer after answer, and Kiwi's sentence splitting was
        most of an answer's time (5.4 -> 0.4 ms an answer). Only passages come here, never a
        caller's words."""
        # Line by line first: a numbered step is its own line, and the splitter would join the
        # steps of a list into one "sentence" (their numbers read out mid-answer).
        found = (_clean(s) for line in text.splitlines() for s in sentences(line))
        return tuple(s for s in found if len(s) > 1)

    @staticmethod
    def _one_document_stands_out(passages: Sequence[Passage]) -> bool:
        """Whether the retriever's first document beats every other by DOC_MARGIN."""
        others = [p.score for p in passages if p.doc_id != passages[0].doc_id]
        return not others or passages[0].score - max(others) >= DOC_MARGIN

    def confidence(self, similarity: float) -> float:
        return float(min(1.0, max(0.0, (similarity - LOW) / (HIGH - LOW))))

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Answer | None:
        if not passages or not question.strip():
            return None
        if not self._one_document_stands_out(passages):
            return None  # two documents fit as well: which one the caller means is a person's call
        question = in_context(question, history)  # a short follow-up means the topic before it
        if self.expand is not None:
            question = self.expand(question)
        query = self._embedded([question], "query")[0]
        passages = passages[:WEIGHED]
        whole = self._embedded([f"{p.title}: {p.text}" for p in passages], "passage") @ query
        # The retriever's order decides the passage (its rerank weighs more than e5 alone: a
        # passage that merely names the topic, "세금계산서 관련 요청은 ... 참고해 주십시오", can be
        # the closest by e5); e5 decides how sure the answer is.
        chosen = 0 if whole[0] >= whole.max() - PASSAGE_MARGIN else int(np.argmax(whole))
        best = passages[chosen]
        candidates = self._sentences(best.text)
        if not candidates:
            return None
        scores = self._embedded(candidates, "passage") @ query
        ranked = [
            float(s) + LEXICAL_WEIGHT * _overlap(question, c) for s, c in zip(scores, candidates, strict=True)
        ]
        top = int(np.argmax(ranked))
        text = candidates[top]
        if top + 1 < len(candidates):
            after = candidates[top + 1]
            if (
                ranked[top + 1] >= ranked[top] - SECOND_WITHIN
                and len(text) + 1 + len(after) <= self.max_chars
            ):
                text = f"{text} {after}"
        if len(text) > self.max_chars:
            text = spoken(text, self.max_chars)
        return sourced(text, best.doc_id, best.title, self.confidence(float(whole[chosen])))
