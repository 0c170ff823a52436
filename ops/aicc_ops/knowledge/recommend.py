"""Agent recommendations: from a contact's live transcript, the documents to open and an answer to
suggest, while the customer is still speaking (the agent's verdict on them: `aicc-ops kb
feedback`, counted by the store in `kb stats`).

The query is what the caller said last in words (keys and silences are no question): the question
the bot handed over (`kb_question`) when there is one, else the caller's last utterance. Documents
come once each, best first; the suggested answer is the answerer's on the same passages, shown
with its confidence even below the bot's threshold, since an agent judges it before saying it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicc.domain.knowledge import Answer, Answerer, Passage, Retriever

SPOKEN = ("say:", "text:")  # call API inputs with words; keys ("1234#") and "silence" are none


class NoQuestionError(ValueError):
    """The contact has said nothing in words yet."""


@dataclass(frozen=True)
class Recommendation:
    contact_id: str
    query: str
    documents: Sequence[Passage]  # one per document, best first
    suggested: Answer | None

    def to_json(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "query": self.query,
            "documents": [
                {"doc_id": p.doc_id, "title": p.title, "score": round(p.score, 4), "text": p.text}
                for p in self.documents
            ],
            "suggested_answer": None
            if self.suggested is None
            else {
                "text": self.suggested.text,
                "doc_id": self.suggested.doc_id,
                "title": self.suggested.title,
                "confidence": round(self.suggested.confidence, 2),
            },
        }


def caller_words(call: Mapping[str, Any]) -> list[str]:
    """What the caller said or typed, in order, from the call API's GET /calls/{id} answer."""
    transcript = (call.get("call") or {}).get("transcript") or []
    said = []
    for entry in transcript:
        text = str(entry.get("text", "")) if entry.get("kind") == "input" else ""
        for prefix in SPOKEN:
            if text.startswith(prefix) and any(ch.isalpha() for ch in text[len(prefix) :]):
                said.append(text[len(prefix) :].strip())
    return said


def question_of(call: Mapping[str, Any]) -> str:
    attributes = (call.get("call") or {}).get("attributes") or {}
    asked = str(attributes.get("kb_question") or "").strip()
    words = caller_words(call)
    if asked:
        return asked
    if not words:
        raise NoQuestionError(f"contact {call.get('contact_id', '?')} has said nothing in words yet")
    return words[-1]


def recommend(
    call: Mapping[str, Any], retriever: Retriever, answerer: Answerer, top: int = 3
) -> Recommendation:
    query = question_of(call)
    passages = retriever.retrieve(query, max(top * 3, top))  # several chunks of one document
    documents: dict[str, Passage] = {}
    for p in passages:
        documents.setdefault(p.doc_id, p)
    return Recommendation(
        str(call.get("contact_id", "")),
        query,
        list(documents.values())[:top],
        answerer.answer(query, passages) if passages else None,
    )
