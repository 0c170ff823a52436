"""The local extractive answerer on the knowledge base's real documents: the answer is a sentence
of the document that answers, short enough to be spoken, with its source; questions the documents
do not answer come out under the hand-over threshold (knowledge.yaml min_confidence)."""

from __future__ import annotations

import pytest
from kb_answers import ANSWERED, OUT_OF_SCOPE, backends

from aicc.domain.knowledge import Turn, sourced
from aicc.settings import config

RULES = config().knowledge


@pytest.mark.parametrize(("question", "doc_id"), ANSWERED.items())
def test_a_question_the_documents_answer_gets_a_sure_sourced_spoken_answer(
    question: str, doc_id: str
) -> None:
    retriever, answerer = backends()
    passages = retriever.retrieve(question, RULES.top_k)
    answer = answerer.answer(question, passages)
    assert answer is not None
    assert answer.doc_id == doc_id and answer.confidence >= RULES.min_confidence
    body = answer.text.removesuffix(sourced("", "", answer.title, 0.0).text)
    assert body != answer.text and len(body) <= RULES.spoken_max_chars
    # Extractive: every word it says is in the document's retrieved text.
    source = " ".join(p.text for p in passages if p.doc_id == doc_id)
    assert all(word.strip(".,") in source for word in body.split())
    assert answer.ssml.startswith("<speak>") and answer.title in answer.ssml


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_a_question_the_documents_do_not_answer_is_not_sure_enough(question: str) -> None:
    retriever, answerer = backends()
    answer = answerer.answer(question, retriever.retrieve(question, RULES.top_k))
    assert answer is None or answer.confidence < RULES.min_confidence


def test_a_short_follow_up_is_answered_from_the_conversations_topic() -> None:
    retriever, answerer = backends()
    first = "삭제한 S3 객체를 복구할 수 있나요"
    history = [Turn(first, "…", ANSWERED[first])]
    follow_up = "버전 관리가 꺼져 있으면요?"
    answer = answerer.answer(follow_up, retriever.retrieve(f"{first} {follow_up}", RULES.top_k), history)
    assert answer is not None and answer.doc_id == ANSWERED[first]
    assert answer.confidence >= RULES.min_confidence


def test_no_passages_no_answer() -> None:
    _, answerer = backends()
    assert answerer.answer("세금계산서는 언제 발행되나요", []) is None


def test_a_full_embedding_cache_evicts_the_least_recent_and_never_loses_a_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A long-running stack fills the cache with callers' questions; a request whose oldest text is
    # evicted by the texts it adds must still be answered (it raised KeyError).
    import numpy as np

    from aicc_ops.knowledge import answer as module

    monkeypatch.setattr(module, "CACHE_SIZE", 2)
    monkeypatch.setattr(module, "embed", lambda texts, prefix: np.eye(4, dtype=np.float32)[: len(texts)])
    answerer = module.ExtractiveAnswerer()
    answerer._embedded(["A"], "passage")
    answerer._embedded(["B"], "passage")
    assert answerer._embedded(["A", "C"], "passage").shape == (2, 4)  # A is used again, then C added
    assert list(answerer._cache) == [("passage", "A"), ("passage", "C")]  # B, least recent, left


def test_a_passage_is_split_into_sentences_once_while_it_stays_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The knowledge base's passages come back answer after answer: Kiwi splits each once. The
    # cache is bounded and holds passages only, so no caller's words stay in it.
    from aicc_ops.knowledge import answer as module

    retriever, answerer = backends()
    question = next(iter(ANSWERED))
    passages = retriever.retrieve(question, RULES.top_k)
    split: list[str] = []

    real = module.sentences

    def counted(text: str) -> list[str]:
        split.append(text)
        return real(text)

    monkeypatch.setattr(module, "sentences", counted)
    module.ExtractiveAnswerer._sentences.cache_clear()
    first = answerer.answer(question, passages)
    once = len(split)
    again = answerer.answer(question, passages)
    assert once > 0 and len(split) == once  # the second answer split nothing again
    assert again == first is not None
    texts = {p.text for p in passages}
    assert set(split) <= {line for t in texts for line in t.splitlines()}  # passages' lines only
    assert module.ExtractiveAnswerer._sentences.cache_info().maxsize == module.CACHE_SIZE
    module.ExtractiveAnswerer._sentences.cache_clear()  # later tests split with the real splitter
