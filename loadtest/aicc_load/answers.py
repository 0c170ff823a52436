"""What a scripted caller answers: to each question, the answer its scenario gave to that question.

A demo scenario's inputs are the answers to the questions its call was asked offline, in order.
Replaying them by position is only right while the flows ask exactly those questions: once a
caller's mistake (a silence, a `*`, a lone `#`) uses up one of a question's tries, the flows may
move on to another question (three failed speech answers: the keypad), and the next input by
position answers the wrong question, as no person would. So each input is kept with the question
(the prompt) it answered offline, and a question is answered with the first unused input given to
it; a question the scenario never answered gets silence, which the flows count like any other.
Plain Python, no Locust: the unit tests load it from its file.
"""

from __future__ import annotations

from collections.abc import Sequence


class ScriptedAnswers:
    """The answers a caller has left, each for the question it answers (None: any question, for a
    plan written without the questions)."""

    def __init__(self, inputs: Sequence[str], questions: Sequence[str | None] = ()) -> None:
        if questions and len(questions) != len(inputs):
            raise ValueError(f"{len(inputs)} inputs but {len(questions)} questions they answered")
        asked = list(questions) if questions else [None] * len(inputs)
        self._left: list[tuple[str | None, str]] = list(zip(asked, inputs, strict=True))

    def _index(self, question: str) -> int | None:
        return next((i for i, (q, _) in enumerate(self._left) if q is None or q == question), None)

    def has_answer(self, question: str) -> bool:
        """Whether the script still has an answer to this question."""
        return self._index(question) is not None

    def answer(self, question: str) -> str | None:
        """The script's next answer to this question (used up), or None: it has none."""
        index = self._index(question)
        return None if index is None else self._left.pop(index)[1]

    @property
    def left(self) -> int:
        return len(self._left)


def typed(answer: str) -> str | None:
    """A call script's answer as a chat customer types it; None: says nothing (a silence)."""
    if answer.strip().lower() == "silence":
        return None
    if answer.startswith("say:"):
        return answer[4:].strip()
    return answer.rstrip("#") or answer  # keys arrive as the digits typed


def typed_script(inputs: Sequence[str]) -> list[str | None]:
    """A call script as a chat customer follows it, in order: a silence keeps its place (None:
    the customer sends nothing until the flows ask again), or every later answer would go to the
    question before its own."""
    return [typed(i) for i in inputs]
