"""Whether an answer says only what the retrieved passages say: our own grounding check.

Bedrock Guardrails' contextual grounding check runs in the CLASSIC tier here (neither provider 5.100
nor CloudFormation's AWS::Bedrock::Guardrail can choose its STANDARD tier), which supports English,
French and Spanish only: a Korean answer's grounding score cannot be trusted
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GuardrailContextualGroundingTierConfig.html).
This check is language-independent and cheap (no model: it runs in the Lambda): every sentence of
the answer must share most of its character bigrams with one passage (a model joins and shortens
its sentences and list items; Korean inflects, its stems' bigrams stay), and every number in the
answer must appear in a passage (an invented fee or deadline is the worst wrong answer and changes
few bigrams). The share required,
knowledge.yaml's `min_support`, was chosen on data (docs/ai-quality.md "Grounding").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_SENTENCE_END = re.compile(r"(?<=[.?!。])\s+|\n+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A list item's number ("1. ", "2) ") at a line's start or after a sentence end: the order of the
# items a model or a passage numbers, not a claim (a model numbers steps the passage did not).
_LIST_MARKER = re.compile(r"(?m)(?:^|(?<=[.?!。]\s))[ \t]*\d{1,2}[.)][ \t]+")


def unlisted(text: str) -> str:
    """The text without its list items' numbers."""
    return _LIST_MARKER.sub("", text)


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the text's letters and digits, spaces and punctuation dropped:
    "접속이 안 돼요" and "접속이안돼요" alike, "**버전 관리**를" as "버전관리를"."""
    squeezed = "".join(ch for ch in text.lower() if ch.isalnum())
    return Counter(squeezed[i : i + 2] for i in range(len(squeezed) - 1))


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks; pieces without a bigram are no claim."""
    return [s.strip() for s in _SENTENCE_END.split(unlisted(text)) if len(bigrams(s)) > 0]


def numbers(text: str) -> set[str]:
    """The numbers written in the text, thousands separators dropped ("3,000" is "3000"), list
    items' numbers left out."""
    return {n.replace(",", "").rstrip(".") for n in NUMBER.findall(unlisted(text))}


def covered(claim: Counter[str], source: Counter[str]) -> float:
    """The share of the claim's bigrams (with their counts) the source holds."""
    total = sum(claim.values())
    return sum(min(n, source[g]) for g, n in claim.items()) / total if total else 1.0


def support(answer: str, passages: Iterable[str]) -> float:
    """How well the passages support the answer, 0-1: its least supported sentence's share of
    bigrams found in one passage; 0 when it holds a number no passage holds."""
    texts = list(passages)
    if not numbers(answer) <= set().union(*(numbers(t) for t in texts)):
        return 0.0
    sources = [bigrams(t) for t in texts]
    claims: Sequence[Counter[str]] = [bigrams(s) for s in sentences(answer)]
    if not claims:
        return 0.0  # nothing said: nothing to vouch for
    return min(max((covered(c, s) for s in sources), default=0.0) for c in claims)
