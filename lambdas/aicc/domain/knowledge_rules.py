"""When the knowledge bot answers and when a person must: the hand-over rules, the spoken length,
the conversation kept per contact (knowledge.yaml; the types are domain.knowledge's).

A wrong or invented answer is worse than none. The bot hands over when the question needs someone
who can look (an incident or outage, the caller's own account or bill: by the intent or by the
words), when nothing was retrieved, when the answerer has nothing (None), says what the passages do not
(whatever the language: domain.grounding) or is not sure enough,
and after the contact's last allowed turn. Keywords are matched without spaces: Korean callers
(and speech recognisers) space "접속이 안 돼요" and "접속이안돼요" alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aicc.domain.grounding import support
from aicc.domain.knowledge import Answer, Passage, Turn, body_of


class Handover(StrEnum):
    """Why the bot does not answer (the flow's kb_handover_reason): a person takes the question,
    except CLOSING, where the caller ends the conversation (status "done", a goodbye)."""

    CLOSING = "closing"  # "네 감사합니다" after an answer: nothing to look up, nobody to call

    NO_QUESTION = "no_question"  # keyed, silent or empty: nothing to look up
    INCIDENT = "incident"
    OWN_ACCOUNT = "own_account"
    TURN_LIMIT = "turn_limit"
    NOT_FOUND = "not_found"  # retrieval found nothing
    NO_ANSWER = "no_answer"  # the answerer found no answer in the passages
    UNGROUNDED = "ungrounded"  # the answer says what the passages do not (domain.grounding)
    LOW_CONFIDENCE = "low_confidence"


@dataclass(frozen=True)
class KnowledgeRules:
    top_k: int  # passages retrieved per question
    min_confidence: float  # an answer below it is handed over
    spoken_max_chars: int  # the answer's body, source excluded: a caller listens, not reads
    max_turns: int  # answered questions per contact; the next one goes to a person
    question_chars: int  # a question kept for follow-ups is cut to this
    min_support: float  # an answer's least supported sentence under it is handed over (grounding)
    incident_intents: frozenset[str]
    own_account_intents: frozenset[str]
    incident_words: tuple[str, ...]  # without spaces
    own_account_words: tuple[str, ...]
    closing_words: tuple[str, ...] = ()  # without spaces


FILLERS = ("네", "예", "아", "어", "음", "그", "그럼", "정말", "진짜", "너무", "잘")


def is_closing(question: str, rules: KnowledgeRules) -> bool:
    """Whether the caller is closing the conversation ("네 감사합니다", "알겠어요 수고하세요"):
    the utterance, without spaces and punctuation, is made of closing words and fillers only."""
    said = "".join(ch for ch in _squeezed(question) if ch.isalnum())
    if not said or not any(w in said for w in rules.closing_words):
        return False
    for word in sorted((*rules.closing_words, *FILLERS), key=len, reverse=True):
        said = said.replace(word, "")
    return not said


def _squeezed(text: str) -> str:
    return "".join(text.split()).lower()


def handover_before_search(
    question: str, intent: str, turns: Sequence[Turn], rules: KnowledgeRules
) -> Handover | None:
    """The reason a person must take this question before anything is looked up; None: look."""
    said = _squeezed(question)
    if not any(ch.isalpha() for ch in said):
        return Handover.NO_QUESTION
    if intent in rules.incident_intents or any(w in said for w in rules.incident_words):
        return Handover.INCIDENT
    if intent in rules.own_account_intents or any(w in said for w in rules.own_account_words):
        return Handover.OWN_ACCOUNT
    if len(turns) >= rules.max_turns:
        return Handover.TURN_LIMIT
    return None


FOLLOW_UP_CHARS = 15  # a question this short after an answer ("그럼 비용은요?") leans on the one before


def in_context(question: str, turns: Sequence[Turn]) -> str:
    """What to search for: a short follow-up with the previous question in front of it, so that
    "그건 얼마나 걸려요?" finds the document the conversation is about."""
    if turns and len(_squeezed(question)) < FOLLOW_UP_CHARS:
        return f"{turns[-1].question} {question}"
    return question


def status_of(reason: Handover | None) -> str:
    """The handler's `status` for the flow: answered, done (the caller closes) or handover."""
    if reason is None:
        return "answered"
    return "done" if reason is Handover.CLOSING else "handover"


def handover_after_answer(
    passages: Sequence[Passage], answer: Answer | None, rules: KnowledgeRules
) -> Handover | None:
    """The reason a person must take it after retrieval and the answerer; None: the bot answers."""
    if not passages:
        return Handover.NOT_FOUND
    if answer is None:
        return Handover.NO_ANSWER
    if grounding(answer, passages) < rules.min_support:
        return Handover.UNGROUNDED
    if answer.confidence < rules.min_confidence:
        return Handover.LOW_CONFIDENCE
    return None


def grounding(answer: Answer, passages: Sequence[Passage]) -> float:
    """How well the passages (titles and texts) support what the answer says (domain.grounding)."""
    return support(body_of(answer), (f"{p.title}\n{p.text}" for p in passages))


def spoken(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a sentence end (or, failing that, a space), so that
    Polly never reads half a word; a text within the limit is returned whole."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    for end in (". ", "? ", "! "):
        cut = head.rfind(end)
        if cut > limit // 3:
            return head[: cut + len(end)].strip()
    cut = head.rfind(" ")
    return (head[:cut] if cut > limit // 3 else head).rstrip(" ,") + "…"


def ssml_body(ssml: str) -> str:
    """The SSML inside <speak>: a flow plays it as "<speak>$.Attributes.x</speak>", the form
    Connect's own exports use for SSML from an attribute."""
    body = ssml.strip()
    if body.startswith("<speak>") and body.endswith("</speak>"):
        body = body[len("<speak>") : -len("</speak>")]
    return body


def kept(turns: Sequence[Turn], turn: Turn, rules: KnowledgeRules) -> list[Turn]:
    """The contact's conversation with this turn added: the last max_turns turns, each question
    cut to question_chars (the answers are already spoken-length), so the item stays small."""
    short = Turn(turn.question[: rules.question_chars], turn.answer, turn.doc_id)
    return [*turns, short][-rules.max_turns :]


def turns_from(items: Sequence[Mapping[str, object]]) -> list[Turn]:
    """Stored turns (maps of question, answer, doc_id) back to Turns; malformed ones dropped."""
    out: list[Turn] = []
    for item in items:
        q, a, d = item.get("question"), item.get("answer"), item.get("doc_id")
        if isinstance(q, str) and isinstance(a, str) and isinstance(d, str):
            out.append(Turn(q, a, d))
    return out


def turn_item(turn: Turn) -> dict[str, str]:
    return {"question": turn.question, "answer": turn.answer, "doc_id": turn.doc_id}
