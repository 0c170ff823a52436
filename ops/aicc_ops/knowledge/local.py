"""The local stack's knowledge backends, built in one place (`local_knowledge`).

Retrieval is the hybrid index (search.HybridIndex) of the knowledge store's published version
(`aicc-ops kb publish`); with none published, of the documents folder as it is (a fresh checkout
answers from ../shared/data/kb). Answers are extractive (answer.ExtractiveAnswerer). With a
published version, what the bot retrieved and answered from is counted in the store's usage
(`aicc-ops kb stats`), as Bedrock's answers are counted from the call log in AWS.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from aicc.domain.knowledge import Answer, Answerer, Passage, Retriever, Turn

from .documents import default_folder, read_folder
from .search import HybridIndex
from .store import KbStore, default_dir

log = logging.getLogger(__name__)


@dataclass
class CountedRetriever:
    """A retriever whose documents found are counted in the store (kind "retrieved")."""

    inner: Retriever
    store: KbStore

    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        passages = self.inner.retrieve(query, top)
        self.store.record_usage(sorted({p.doc_id for p in passages}), "retrieved")
        return passages


@dataclass
class CountedAnswerer:
    """An answerer whose answers' documents are counted in the store (kind "answered")."""

    inner: Answerer
    store: KbStore

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Answer | None:
        found = self.inner.answer(question, passages, history)
        if found is not None:
            self.store.record_usage([found.doc_id], "answered")
        return found


class NoDocuments:
    """A knowledge base with nothing in it: every question finds nothing, and is handed over."""

    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        return []


@cache
def local_knowledge() -> tuple[Retriever, Answerer]:
    """The local stack's retriever and answerer, built once per process, before any caller asks:
    the index loads the Korean analyser and the encoder now, not in a caller's first silence. What
    the bot retrieves and answers from is counted in the store."""
    return knowledge_backends(KbStore(default_dir()), counted=True)


def knowledge_backends(store: KbStore, *, counted: bool) -> tuple[Retriever, Answerer]:
    """A retriever and answerer over `store`'s published version, else the documents folder;
    `counted`: the bot's use is counted in the store (an agent's look-up is not the bot's use)."""
    from aicc.settings import config

    from .answer import ExtractiveAnswerer

    spoken = config().knowledge.spoken_max_chars
    if store.published() is not None:
        index = HybridIndex(*store.published_index())
        index.search("준비")
        answerer = ExtractiveAnswerer(spoken, expand=index.expanded)
        if counted:
            return CountedRetriever(index, store), CountedAnswerer(answerer, store)
        return index, answerer
    folder = default_folder()
    if not folder.is_dir():  # an installed aicc-ops without ../shared: every question to a person
        log.warning(
            "no knowledge documents at %s and no published knowledge version: knowledge questions "
            "go to an agent (aicc-ops kb ingest DIR, kb approve, kb publish; or set AICC_SHARED_DIR)",
            folder,
        )
        return NoDocuments(), ExtractiveAnswerer(spoken)
    docs, _ = read_folder(folder)
    index = HybridIndex.from_documents(docs)
    index.search("준비")
    return index, ExtractiveAnswerer(spoken, expand=index.expanded)
