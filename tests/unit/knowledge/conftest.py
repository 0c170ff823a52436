"""The knowledge base's documents and their hybrid index, built once per test process."""

from __future__ import annotations

import pytest
from helpers import SHARED_DIR
from kb_answers import backends

from aicc_ops.knowledge.documents import Document, read_folder
from aicc_ops.knowledge.search import HybridIndex

KB = SHARED_DIR / "data" / "kb"


@pytest.fixture(scope="session")
def docs() -> list[Document]:
    return read_folder(KB)[0]


@pytest.fixture(scope="session")
def index() -> HybridIndex:
    # The answers' tests' index (kb_answers): one per process, its vectors cached on disk by content.
    return backends()[0]
