"""Knowledge answers: the types every knowledge backend shares.

Two backends stand behind the same two roles. In AWS a Bedrock Knowledge Base retrieves
(bedrock-agent-runtime Retrieve) and Bedrock's Converse API answers from what it retrieved, under a
guardrail; locally an embedded hybrid index retrieves and an extractive answerer quotes the
passages. The knowledge handler only sees these types, so the flows, the hand-over rules and the
tests are the same for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Passage:
    """One retrieved piece of a document: `doc_id` is the document's front-matter `id`."""

    doc_id: str
    title: str
    text: str
    score: float  # the backend's relevance, higher is better (not comparable across backends)


@dataclass(frozen=True)
class Turn:
    """One question of a contact's conversation with the knowledge bot, and what it answered."""

    question: str
    answer: str
    doc_id: str


@dataclass(frozen=True)
class Answer:
    """What the bot may say: `text` plain (chat, the contact attributes), `ssml` for Polly, the
    source named by `doc_id` and `title`, and how sure the answerer is (0-1)."""

    text: str
    ssml: str
    doc_id: str
    title: str
    confidence: float


class Retriever(Protocol):
    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        """The `top` passages for `query`, best first."""
        ...


class Answerer(Protocol):
    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Answer | None:
        """An answer grounded only in `passages` (the contact's earlier turns for follow-ups), or
        None when the passages do not answer the question."""
        ...


def sourced(text: str, doc_id: str, title: str, confidence: float) -> Answer:
    """An answer with its source named: in the text for chat and the agent's attributes, and
    spoken after a short pause in the SSML Polly reads (escaped: a document may hold < or &)."""
    body = " ".join(text.split())
    return Answer(
        text=f"{body} (출처: {title})",
        ssml=f'<speak>{escape(body)}<break time="300ms"/>출처는 {escape(title)} 문서입니다.</speak>',
        doc_id=doc_id,
        title=title,
        confidence=confidence,
    )


def body_of(answer: Answer) -> str:
    """What the answer says, its source ("(출처: …)") left out."""
    return answer.text.removesuffix(sourced("", answer.doc_id, answer.title, 0.0).text)
