"""knowledge_answer: the caller's question answered from the knowledge base, or handed to a person.

The flow passes what the caller said (`question`, the Lex transcript), the intent Lex heard and the
customer class. The rules (domain.knowledge_rules, knowledge.yaml) hand over before anything is
looked up (an incident, the caller's own account or bill, no words, the last allowed turn) and
after (nothing retrieved, no answer, an answer below the confidence threshold). An answer comes
back as text (chat, the contact attributes) and SSML (Polly), with its source; the contact's
earlier turns go to the answerer for follow-ups and are kept on its call-log item.

In AWS a Bedrock Knowledge Base retrieves and Bedrock's Converse API answers (aicc.adapters.knowledge,
configured by KNOWLEDGE_BASE_ID, ANSWER_MODEL_ID, GUARDRAIL_ID, GUARDRAIL_VERSION); the local stack
injects its embedded index and extractive answerer with `use_knowledge`. Both are built on the first
question: the cold import stays light. The caller's words are never logged (masking: `question`).
"""

from __future__ import annotations

import importlib
from datetime import datetime

from aicc import clock
from aicc.domain.call_log import RETENTION
from aicc.domain.knowledge import Answer, Answerer, Retriever, Turn, sourced
from aicc.domain.knowledge_rules import (
    Handover,
    KnowledgeRules,
    handover_after_answer,
    handover_before_search,
    in_context,
    kept,
    spoken,
    ssml_body,
)
from aicc.handlers._connect import ContactEvent, Value
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import config

ANSWERED, HANDOVER = "answered", "handover"
_backends: dict[str, tuple[Retriever, Answerer]] = {}  # "in use" -> the injected or Bedrock's


def use_knowledge(retriever: Retriever | None, answerer: Answerer | None = None) -> None:
    """Answer with these (the local stack's index and extractive answerer); None: Bedrock."""
    _backends.pop("in use", None)
    if retriever is not None and answerer is not None:
        _backends["in use"] = (retriever, answerer)


def _in_use() -> tuple[Retriever, Answerer]:
    if "in use" not in _backends:
        # boto3 and the Bedrock clients: on the first question, not at cold start.
        bedrock = importlib.import_module("aicc.adapters.knowledge")
        _backends.setdefault("in use", (bedrock.BedrockRetriever(), bedrock.BedrockAnswerer()))
    return _backends["in use"]


def _spoken_length(answer: Answer, rules: KnowledgeRules) -> Answer:
    """The answer with its body within the spoken length, whichever backend wrote it."""
    body = answer.text.removesuffix(f" (출처: {answer.title})")
    if len(body) <= rules.spoken_max_chars:
        return answer
    return sourced(spoken(body, rules.spoken_max_chars), answer.doc_id, answer.title, answer.confidence)


def _handover(reason: Handover, turns: int) -> dict[str, Value]:
    count("KnowledgeHandover", reason=reason.value)
    logger.append_keys(status=HANDOVER, reason=reason.value, turn=turns)
    return {"status": HANDOVER, "reason": reason, "answer": "", "answer_ssml": "", "doc_id": "",
            "title": "", "confidence": "", "turn": turns}  # fmt: skip


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    from aicc.adapters.conversations import ConversationRepository  # boto3: not for a handover

    rules = config().knowledge
    question, intent = contact.param("question"), contact.param("intent")
    conversation = ConversationRepository()
    turns: list[Turn] = []
    reason = handover_before_search(question, intent, turns, rules)
    if reason is None:  # only now the stored turns: a hand-over by the words costs no request
        turns = conversation.turns(contact.contact_id)
        reason = handover_before_search(question, intent, turns, rules)
    if reason is not None:
        return _handover(reason, len(turns))
    retriever, answerer = _in_use()
    passages = retriever.retrieve(in_context(question, turns), rules.top_k)
    answer = answerer.answer(question, passages, turns) if passages else None
    reason = handover_after_answer(passages, answer, rules)
    if reason is not None or answer is None:
        return _handover(reason or Handover.NO_ANSWER, len(turns))
    answer = _spoken_length(answer, rules)
    now: datetime = clock.now()
    turns = kept(turns, Turn(question, answer.text, answer.doc_id), rules)
    conversation.save(contact.contact_id, turns, now, int((now + RETENTION).timestamp()))
    count("KnowledgeAnswered")
    logger.append_keys(status=ANSWERED, doc_id=answer.doc_id, confidence=round(answer.confidence, 3),
                       turn=len(turns))  # fmt: skip
    return {
        "status": ANSWERED,
        "reason": "",
        "answer": answer.text,
        "answer_ssml": ssml_body(answer.ssml),  # the flow wraps it in <speak>
        "doc_id": answer.doc_id,
        "title": answer.title,
        "confidence": f"{answer.confidence:.2f}",
        "turn": len(turns),
    }
