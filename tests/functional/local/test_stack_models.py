"""The offline models are ready when the local stack is: no caller's turn loads or trains them, and no
garbage collection traverses them while the stack runs, and the young objects of its calls are
collected in larger batches."""

from __future__ import annotations

import gc

from aicc.handlers import _sentiment
from aicc_ops.engine.sentiment import OfflineSentiment
from aicc_ops.local.stack import YOUNG_COLLECTION, local_stack


def test_the_stack_is_up_with_its_nlu_and_sentiment_model_loaded() -> None:
    before = gc.get_threshold()
    with local_stack() as stack:
        assert stack.lex._nlu is not None  # loaded by provision(), not by the first turn
        scorer = _sentiment._scorer_in_use()
        model = getattr(scorer, "scorer", scorer)  # the stack's meter times the model's work
        assert isinstance(model, OfflineSentiment) and model.loaded
        # Its long-lived objects (these models among them) are out of the collector's generations:
        # a full collection does not traverse them again on every few hundred calls.
        assert gc.get_freeze_count() > 100_000
        # The youngest generation is collected every YOUNG_COLLECTION allocations, not every 700.
        assert gc.get_threshold() == (YOUNG_COLLECTION, *before[1:])
    assert gc.get_freeze_count() == 0  # the stack gone, they are collected as usual again
    assert gc.get_threshold() == before
