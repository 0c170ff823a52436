"""The one e5 encoder of the offline models: a turn embedded once for the NLU and the sentiment
model, a recent text never embedded again, and the sentiment model's cache keyed by its code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from aicc_ops.engine import embeddings, sentiment
from aicc_ops.engine.nlu.features import E5Encoder
from aicc_ops.engine.nlu.text import normalize


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, ...]]]:
    """The batches the engine was asked to embed (a stand-in engine: a vector per text's length)."""
    calls: list[tuple[str, ...]] = []

    def fake(texts: list[str], prefix: str) -> NDArray[np.float32]:
        calls.append((prefix, *texts))
        return np.array([[len(t), prefix == "query"] + [0] * 382 for t in texts], dtype=np.float32)

    monkeypatch.setattr(embeddings, "_compute", fake)
    embeddings.forget()
    yield calls
    embeddings.forget()


def test_a_recent_text_is_embedded_once(computed: list[tuple[str, ...]]) -> None:
    first = embeddings.embed(["요금 문의", "상담원", "요금 문의"])
    again = embeddings.embed(["상담원", "요금 문의"])
    assert computed == [("query", "요금 문의", "상담원")]
    assert first.shape == (3, 384) and np.array_equal(again, first[[1, 0]])


def test_the_prefix_is_part_of_the_key(computed: list[tuple[str, ...]]) -> None:
    embeddings.embed(["요금 문의"], "query")
    embeddings.embed(["요금 문의"], "passage")
    assert computed == [("query", "요금 문의"), ("passage", "요금 문의")]


def test_the_memo_keeps_only_the_most_recent(
    computed: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "MEMO_SIZE", 2)
    for text in ("가", "나", "가", "다", "가", "나"):
        embeddings.embed([text])
    assert [c[1] for c in computed] == ["가", "나", "다", "나"]


def test_a_turn_classified_and_scored_is_embedded_once(computed: list[tuple[str, ...]]) -> None:
    turn = "어, 인터넷이 또 끊겼어요!"
    E5Encoder().transform([normalize(turn)])  # what LocalNlu.predict embeds
    sentiment.embed([turn])
    assert computed == [("query", normalize(turn))]


def test_the_sentiment_cache_is_keyed_by_the_training_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "code" / "stand_in_sentiment_trainer.py"
    source.parent.mkdir()
    source.write_text("L2 = 1e-3\n")
    monkeypatch.syspath_prepend(str(source.parent))
    monkeypatch.setattr(sentiment, "TRAINING_MODULES", ("stand_in_sentiment_trainer",))
    model = sentiment.OfflineSentiment("e5", cache=tmp_path)
    before = model.cache_file()
    assert model.cache_file() == before
    source.write_text("L2 = 1e-2\n")
    assert model.cache_file() != before


def test_the_sentiment_key_covers_its_trainer_and_the_shared_encoder() -> None:
    assert {sentiment.__name__, embeddings.__name__} <= set(sentiment.TRAINING_MODULES)
