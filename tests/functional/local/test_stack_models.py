"""The offline models are ready when the local stack is: no caller's turn loads or trains them, and no
garbage collection traverses them while the stack runs, and the young objects of its calls are
collected in larger batches; and the calls leave the collector almost nothing to free."""

from __future__ import annotations

import gc
from collections import Counter

from helpers import cyclic_garbage

from aicc.handlers import _sentiment
from aicc_ops.engine.sentiment import OfflineSentiment
from aicc_ops.local.scenarios import DEMO_CALLS, run_call
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


def test_demo_calls_leave_almost_no_reference_cycles() -> None:
    """What serves a call (moto's ASTs and requests, botocore's response parsers: ~1,850 objects a
    call before) goes with its last reference: a collection of the young generation finds little
    to free, so it is short and rare (moto_fast_paths, "Reference cycles")."""

    def calls() -> None:
        for call in DEMO_CALLS:
            run_call(stack, call)

    with local_stack() as stack:
        calls()  # first parses and first clients
        garbage = cyclic_garbage(calls)
    assert len(garbage) < 20 * len(DEMO_CALLS), Counter(type(o).__qualname__ for o in garbage).most_common(20)
