"""Automatic tags and categories: what a document is about, read from the corpus itself.

- Tags: the document's most distinctive nouns and product names, by TF-IDF over kiwipiepy
  morphemes across the corpus (common nouns such as 확인 or 고객 appear everywhere and score low;
  세금계산서 appears in one or two documents and scores high). English product names are
  kiwipiepy's SL tokens, joined with a digit that follows them directly (EC2, S3), and count
  double: a title often names the product once and the body never repeats it.
- Category: the declared category whose centroid (mean e5 vector of the other documents of that
  category, leave one out) lies nearest to the document's own mean vector. A document that reads
  like another category than it declares is worth a look: misfiled, or two topics in one file.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from .chunking import morphemes
from .documents import Document

AUTO_TAGS = 5
TITLE_WEIGHT = 3
NAME_WEIGHT = 2  # an English name (EC2, GuardDuty) is what callers say and what a topic is about
_NOUNS = frozenset({"NNG", "NNP"})


def terms(text: str) -> list[str]:
    """The nouns (two syllables or more) and English names of `text`, in order."""
    tokens = morphemes(text)
    found: list[str] = []
    name_end = -1  # where the last English name kept ends: a digit right after it joins it
    for token in tokens:
        keep_name = token.tag == "SL" and not token.form.islower()  # names (EC2, GuardDuty), not "to"
        if token.tag == "SN" and token.start == name_end:
            found[-1] += token.form  # EC + 2 -> EC2, S + 3 -> S3
        elif keep_name or (token.tag in _NOUNS and len(token.form) >= 2):
            found.append(token.form)
        name_end = token.start + token.len if keep_name else -1
    return [t for t in found if len(t) >= 2]


def auto_tags(docs: Sequence[Document], top: int = AUTO_TAGS) -> dict[str, tuple[str, ...]]:
    """Per document id, its `top` terms by TF-IDF over `docs` (the title counts TITLE_WEIGHT times:
    it names the topic). Ties go to the term met first, so the result is stable."""
    counts = {d.doc_id: Counter(terms(f"{d.title}\n" * TITLE_WEIGHT + d.body)) for d in docs}
    df = Counter(term for c in counts.values() for term in c)
    n = len(docs)
    tags: dict[str, tuple[str, ...]] = {}
    for doc_id, c in counts.items():
        total = sum(c.values()) or 1
        # English names compared without case (Ec2 and EC2 are one tag); the first spelling stays
        scored: dict[str, tuple[float, str]] = {}
        for term, k in c.items():
            weight = NAME_WEIGHT if term.isascii() else 1
            score = weight * k / total * (math.log((1 + n) / (1 + df[term])) + 1)
            key = term.casefold()
            if key not in scored or scored[key][0] < score:
                scored[key] = (score, term)
        ranked = sorted(scored.values(), key=lambda st: -st[0])  # stable: first met wins ties
        tags[doc_id] = tuple(term for _, term in ranked[:top])
    return tags


def auto_categories(
    categories: Mapping[str, str], vectors: Mapping[str, NDArray[np.float32]]
) -> dict[str, str | None]:
    """Per document id, the category it reads like: the nearest centroid (cosine) of the other
    documents' mean vectors per declared category. None where that cannot be judged: the document
    is the only one of its category, or only one category is present."""
    ids = [d for d in categories if d in vectors]
    means = {d: _unit(vectors[d].mean(axis=0)) for d in ids if len(vectors[d])}
    result: dict[str, str | None] = {}
    for doc_id in ids:
        own = categories[doc_id]
        others: dict[str, list[NDArray[np.float32]]] = {}
        for other, mean in means.items():
            if other != doc_id:
                others.setdefault(categories[other], []).append(mean)
        if doc_id not in means or own not in others or len(others) < 2:
            result[doc_id] = None
            continue
        centroids = {cat: _unit(np.mean(rows, axis=0)) for cat, rows in others.items()}
        result[doc_id] = max(sorted(centroids), key=lambda cat: float(centroids[cat] @ means[doc_id]))
    return result


def _unit(v: NDArray[np.floating]) -> NDArray[np.float32]:
    norm = float(np.linalg.norm(v))
    return np.asarray(v / norm if norm else v, dtype=np.float32)
