"""The knowledge base's documents and their hybrid index, built once per test process."""

from __future__ import annotations

import pytest
from helpers import SHARED_DIR

from aicc_ops.knowledge.chunking import chunk_document
from aicc_ops.knowledge.documents import Document, read_folder
from aicc_ops.knowledge.search import HybridIndex, chunk_vectors

KB = SHARED_DIR / "data" / "kb"


@pytest.fixture(scope="session")
def docs() -> list[Document]:
    return read_folder(KB)[0]


@pytest.fixture(scope="session")
def index(docs: list[Document], request: pytest.FixtureRequest) -> HybridIndex:
    # Vectors cached by content in pytest's cache: the 40 documents are embedded once, not per run.
    chunks = [c for d in docs for c in chunk_document(d)]
    return HybridIndex(chunks, chunk_vectors(chunks, request.config.cache.mkdir("kb-vectors")))
