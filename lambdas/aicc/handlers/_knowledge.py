"""The knowledge handler's backends: Bedrock in AWS, the local stack's embedded ones when injected.

In AWS a Bedrock Knowledge Base retrieves and Bedrock's Converse API answers (aicc.adapters.knowledge,
configured by KNOWLEDGE_BASE_ID, ANSWER_MODEL_ID, GUARDRAIL_ID, GUARDRAIL_VERSION); the local stack
injects its embedded index and extractive answerer with `use_knowledge`, as it injects the
sentiment model (_sentiment.use_scorer). Bedrock's clients are built on the first question: the
cold import stays light.
"""

from __future__ import annotations

from collections.abc import Callable

from aicc.domain.knowledge import Answer, Answerer, Retriever, Turn, body_of, sourced
from aicc.domain.knowledge_rules import (
    Handover,
    KnowledgeRules,
    handover_after_answer,
    handover_before_search,
    in_context,
    is_closing,
    spoken,
)
from aicc.handlers._prologue import count, logger

NO_ANSWER = Answer("", "", "", "", 0.0)

_backends: dict[str, tuple[Retriever, Answerer]] = {}  # "in use" -> the injected or Bedrock's


def use_knowledge(retriever: Retriever | None, answerer: Answerer | None = None) -> None:
    """Answer with these (the local stack's index and extractive answerer); None: Bedrock."""
    _backends.pop("in use", None)
    if retriever is not None and answerer is not None:
        _backends["in use"] = (retriever, answerer)


def backends() -> tuple[Retriever, Answerer]:
    if "in use" not in _backends:
        from aicc.adapters.knowledge import BedrockAnswerer, BedrockRetriever  # boto3: first question

        _backends.setdefault("in use", (BedrockRetriever(), BedrockAnswerer()))
    return _backends["in use"]


def best_effort(read: Callable[[], list[Turn]]) -> Callable[[], list[Turn]]:
    """The conversation's turns, or none when they cannot be read: a follow-up is then answered as
    a new question, never refused (the read is the one short attempt of aws.knowledge_dynamodb)."""

    def turns() -> list[Turn]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return read()
        except (BotoCoreError, ClientError) as exc:
            count("KnowledgeConversationReadFailed")
            logger.warning("conversation not read: answered without its turns", extra={"reason": str(exc)})
            return []

    return turns


def within_spoken_length(answer: Answer, rules: KnowledgeRules) -> Answer:
    """The answer with its body within the spoken length, whichever backend wrote it."""
    body = body_of(answer)
    if len(body) <= rules.spoken_max_chars:
        return answer
    return sourced(spoken(body, rules.spoken_max_chars), answer.doc_id, answer.title, answer.confidence)


def consult(
    question: str, intent: str, stored: Callable[[], list[Turn]], rules: KnowledgeRules
) -> tuple[Answer, Handover | None, list[Turn]]:
    """(the answer, None, the earlier turns) or (NO_ANSWER, why a person takes it, the turns)."""
    turns: list[Turn] = []
    if is_closing(question, rules):
        return NO_ANSWER, Handover.CLOSING, turns
    reason = handover_before_search(question, intent, turns, rules)
    if reason is None:  # only now the stored turns: a hand-over by the words costs no request
        turns = stored()
        reason = handover_before_search(question, intent, turns, rules)
    if reason is not None:
        return NO_ANSWER, reason, turns
    retriever, answerer = backends()
    passages = retriever.retrieve(in_context(question, turns), rules.top_k)
    answer = answerer.answer(question, passages, turns) if passages else None
    reason = handover_after_answer(passages, answer, rules)
    if reason is not None or answer is None:
        return NO_ANSWER, reason or Handover.NO_ANSWER, turns
    return within_spoken_length(answer, rules), None, turns
