"""Whether an answer says only what the retrieved passages say: our own grounding check.

Bedrock Guardrails' contextual grounding check runs in the CLASSIC tier here (neither provider 5.100
nor CloudFormation's AWS::Bedrock::Guardrail can choose its STANDARD tier), which supports English,
French and Spanish only: a Korean answer's grounding score cannot be trusted
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GuardrailContextualGroundingTierConfig.html).
This check is language-independent and cheap (no model: it runs in the Lambda): every sentence of
the answer must share most of its character bigrams with one passage (a model joins and shortens
its sentences and list items; Korean inflects, its stems' bigrams stay), and every number in the
answer must appear in a passage (an invented fee or deadline is the worst wrong answer and changes
few bigrams), and no clause of the answer may turn a negation of the passage around: "신청할 수
없습니다" against "신청할 수 있습니다" shares most bigrams and says the opposite. The share required,
knowledge.yaml's `min_support`, was chosen on data (docs/ai-quality.md "Grounding").
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE_END = re.compile(r"(?<=[.?!。])\s+|\n+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ALNUM = re.compile(r"[^\W_]+")  # runs of letters and digits: \w less the underscore
# A list item's number ("1. ", "2) ") at a line's start or after a sentence end: the order of the
# items a model or a passage numbers, not a claim (a model numbers steps the passage did not). Not
# after a number's own period: "2026. 12. 31." is a date, its month and day claims.
_LIST_MARKER = re.compile(r"(?m)(?:^|(?<=[.?!。]\s)(?<!\d[.?!。]\s))[ \t]*\d{1,2}[.)][ \t]+")


# Where a sentence's clauses end: a comma or colon, or a connective ending (-며, -고 but not the
# quoting -라고/-다고, -면, -지만) before a space. A model joins and splits clauses; each keeps its
# own negation.
_CLAUSE_END = re.compile(r"[,;:]\s*|(?<=[며면])\s+|(?<=[^라다]고)\s+|(?<=지만)\s+")
# Negations: 않-, 없- (not in 관계없이 and the like, nor the adverb 없이, "without": "수수료 없이
# 등록할 수 있습니다" says the registering can be done), 못- (not 잘못), 아니- (not the contrastive
# 아니라, "not A but B", unless quoted: 아니라고), 불가(not 불가피), 불필요, 금지, the short 안 before
# a verb, -지 마/말 (do not), and English not/no/never/n't.
NEGATION = re.compile(
    r"않|(?<!관계|상관|빠짐|틀림|끊임|어김|문제)없(?!이)|(?<!잘)못|아니(?!라(?!고))|아[닌닙님]"
    r"|불가(?!피)|불필요|금지"
    r"|(?<![가-힣])안(?:\s+(?=[가-힣])|(?=[되돼됩]))|지\s?(?:마[십세시라요]|말[고아라])"
    r"|\b(?:not|no|never|cannot)\b|n't",
    re.IGNORECASE,
)


def unlisted(text: str) -> str:
    """The text without its list items' numbers."""
    return _LIST_MARKER.sub("", text)


def _squeezed(text: str) -> str:
    """The text's letters and digits, lower-cased (`[^\\W_]` is str.isalnum, in C)."""
    return "".join(_ALNUM.findall(text.lower()))


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the text's letters and digits, spaces and punctuation dropped:
    "접속이 안 돼요" and "접속이안돼요" alike, "**버전 관리**를" as "버전관리를"."""
    squeezed = _squeezed(text)
    return Counter(map(operator.add, squeezed, squeezed[1:]))


def _claims(text: str) -> bool:
    """Whether the text has a bigram (two letters or digits): a piece without one is no claim."""
    return len(_squeezed(text)) > 1


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks; pieces without a bigram are no claim."""
    return [s.strip() for s in _SENTENCE_END.split(unlisted(text)) if _claims(s)]


def numbers(text: str) -> set[str]:
    """The numbers written in the text, thousands separators dropped ("3,000" is "3000"), list
    items' numbers left out."""
    return {n.replace(",", "").rstrip(".") for n in NUMBER.findall(unlisted(text))}


def covered(claim: Counter[str], source: Counter[str]) -> float:
    """The share of the claim's bigrams (with their counts) the source holds."""
    return _share(_bag(claim), _bag(source))


def _bag(grams: Counter[str]) -> frozenset[str]:
    """The bigrams with their counts as a set: a bigram's second, third... occurrence is the bigram
    followed by its ordinal (a bigram is two characters: no clash), so that the size of two bags'
    intersection is the sum of each bigram's lesser count, computed in C."""
    return frozenset(grams).union(f"{g}{k}" for g, n in grams.items() if n > 1 for k in range(1, n))


def _share(claim: frozenset[str], source: frozenset[str]) -> float:
    """`covered` on bags."""
    return len(claim & source) / len(claim) if claim else 1.0


def clauses(text: str) -> list[str]:
    """The text's sentences cut at their clause ends; pieces without a bigram are no claim."""
    return [c for s in sentences(text) for c in _CLAUSE_END.split(s) if _claims(c)]


def negations(text: str) -> int:
    """How many negations the text holds."""
    return len(NEGATION.findall(text))


def _content(text: str) -> Counter[str]:
    """The text's bigrams without those of its negations: which clause an answer's clause says
    again, whatever the polarity ("앱에서는 신청할 수 없습니다" is "앱에서 신청할 수 있습니다"
    turned around, not "지점에서는 신청할 수 없습니다")."""
    grams: Counter[str] = Counter()
    for piece in NEGATION.split(text):
        grams.update(bigrams(piece))
    return grams


def _polarity_kept(answer: str, said: Sequence[tuple[frozenset[str], int]]) -> bool:
    """Whether every clause of the answer holds as many negations as the passages' clause (`said`:
    each one's content bag and negations) that covers its content best (of clauses that cover it
    equally well, any will do): "처리되지 않으며" against "처리되며", "3,000원이 아닙니다" against
    "3,000원입니다" are reversed."""
    for clause in clauses(answer):
        claim = _bag(_content(clause))
        fit = [(_share(claim, grams), n) for grams, n in said]
        best = max((f for f, _ in fit), default=None)
        if negations(clause) not in {n for f, n in fit if f == best}:
            return False
    return True


@dataclass(frozen=True)
class _Source:
    """What the check reads of one passage: its numbers, its bigrams, and each clause's content with
    its negations (as bags)."""

    numbers: frozenset[str]
    bigrams: frozenset[str]
    said: tuple[tuple[frozenset[str], int], ...]


# The knowledge base hands out the same passages call after call, and their analysis (most of the
# check's work) depends on the text alone: kept per text, for the most recent passages (at most
# about 50 KiB per 200 characters and 225 KiB per 1,000, all bigrams distinct: under 30 MB for 128 of
# Bedrock's 300-token chunks, in a 1024 MB function).
@lru_cache(maxsize=128)
def _source(text: str) -> _Source:
    said = tuple((_bag(_content(c)), negations(c)) for c in clauses(text))
    return _Source(frozenset(numbers(text)), _bag(bigrams(text)), said)


def support(answer: str, passages: Iterable[str]) -> float:
    """How well the passages support the answer, 0-1: its least supported sentence's share of
    bigrams found in one passage; 0 when it holds a number no passage holds or a clause turns a
    passage's negation around."""
    read = [_source(t) for t in passages]
    if not numbers(answer) <= set().union(*(r.numbers for r in read)):
        return 0.0
    if not _polarity_kept(answer, [said for r in read for said in r.said]):
        return 0.0
    claims = [_bag(bigrams(s)) for s in sentences(answer)]
    if not claims:
        return 0.0  # nothing said: nothing to vouch for
    return min(max((_share(c, r.bigrams) for r in read), default=0.0) for c in claims)
