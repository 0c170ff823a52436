"""knowledge_answer: the caller's question answered from the knowledge base, or handed to a person.

The flow passes what the caller said (`question`, the Lex transcript) and the intent Lex heard. The
rules (domain.knowledge_rules, knowledge.yaml) hand over before anything is looked up (an incident,
the caller's own account or bill, no words, the last allowed turn) and after (nothing retrieved, no
answer, an answer the passages do not support (domain.grounding), one below the confidence
threshold). An answer comes back as text (chat, the contact
attributes) and SSML, with its source; the contact's earlier turns go to the answerer for
follow-ups and are kept on its call-log item (read only once the flow's `kb_turn` attribute says an
answer was given). Backends: _knowledge. The caller's words are never
logged (masking: `question`).
"""

from __future__ import annotations

from functools import partial

from aicc import clock
from aicc.domain.call_log import RETENTION
from aicc.domain.knowledge import Turn
from aicc.domain.knowledge_rules import kept, ssml_body, status_of
from aicc.handlers._connect import ContactEvent, Value
from aicc.handlers._knowledge import best_effort, consult, use_knowledge
from aicc.handlers._prologue import contact_flow, count, logger
from aicc.settings import config

__all__ = ["handler", "use_knowledge"]

TURN_ATTRIBUTE = "kb_turn"  # the flow's copy of `turn` after each answer (knowledge.blocks.tftpl)


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    from botocore.exceptions import BotoCoreError, ClientError

    from aicc.adapters.conversations import ConversationRepository  # boto3: not for a handover

    rules, conversation = config().knowledge, ConversationRepository()
    question = contact.param("question")

    # The flow keeps the count of answered turns in `kb_turn` (the answer's `turn`): without one the
    # contact has no turn stored, so its first question reads nothing. (A retry of a first question
    # whose save went through rewrites the same single turn.)
    first = not contact.attr(TURN_ATTRIBUTE)
    stored = (lambda: []) if first else best_effort(partial(conversation.turns, contact.contact_id))
    answer, reason, turns = consult(question, contact.param("intent"), stored, rules)
    if reason is not None:
        count("KnowledgeHandover", reason=reason.value)
        logger.append_keys(status="handover", reason=reason.value, turn=len(turns))
    else:
        now = clock.now()
        turns = kept(turns, Turn(question, answer.text, answer.doc_id), rules)
        try:  # best-effort: the caller gets the answer even when it cannot be kept
            conversation.save(contact.contact_id, turns, now, int((now + RETENTION).timestamp()))
        except (BotoCoreError, ClientError) as exc:
            count("KnowledgeConversationWriteFailed")
            logger.warning(
                "conversation not kept: the next follow-up lacks this turn", extra={"reason": str(exc)}
            )
        count("KnowledgeAnswered")
        logger.append_keys(
            status="answered", doc_id=answer.doc_id, confidence=answer.confidence, turn=len(turns)
        )
    return {
        "status": status_of(reason),
        "reason": reason.value if reason else "",
        "answer": answer.text,
        "answer_ssml": ssml_body(answer.ssml),  # the flow wraps it in <speak>
        "doc_id": answer.doc_id,
        "title": answer.title,
        "confidence": f"{answer.confidence:.2f}" if answer.doc_id else "",
        "turn": len(turns),
    }
