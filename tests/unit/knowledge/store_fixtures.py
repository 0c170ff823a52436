"""Knowledge tests' shared pieces: the real documents (read from $AICC_SHARED_DIR, copied only into
tmp folders at test time) and a deterministic stand-in embedder for tests of the store's logic."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

KB = Path(os.environ.get("AICC_SHARED_DIR", "../shared")) / "data" / "kb"
# two documents of each of three categories: enough for leave-one-out categories
FEW = (
    "ec2-instance-unreachable",
    "ec2-status-check-failure",
    "monthly-invoice-tax-invoice",
    "payment-method-change",
    "iam-mfa-reset",
    "root-account-locked",
)


def copy_docs(folder: Path, ids: Sequence[str] = FEW) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id in ids:
        shutil.copy(KB / f"{doc_id}.md", folder / f"{doc_id}.md")
    return folder


class CountingEmbedder:
    """Records every text it is asked to embed; `inner` does the embedding (default: a unit vector
    seeded by the text's hash, for tests where the vectors' meaning does not matter)."""

    def __init__(self, inner: object = None) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.texts.extend(texts)
        if callable(self.inner):
            return np.asarray(self.inner(texts), dtype=np.float32)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
            v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows) if rows else np.empty((0, 384), dtype=np.float32)
