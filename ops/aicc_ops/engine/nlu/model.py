"""The intent model: sentence features + multinomial logistic regression, and FallbackIntent
under a confidence threshold chosen on held-out data.

The threshold: the training examples are split in 5 folds by sample utterance (all fills of one
template stay in one fold, so a fold never sees its own sentences); each fold is scored by a
model trained on the other four, in the "how can I help" context; the threshold is the middle of
the range that gives the best macro-F1 over the intents and FallbackIntent on those held-out
predictions.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from .examples import FALLBACK, Example
from .features import ENCODERS, CharNgramEncoder, Encoder, Matrix

# Inverse regularisation of the logistic regression, per encoder (chosen by held-out macro-F1 on
# the training data, never on the evaluation set).
C_BY_ENCODER = {"e5": 20.0, "chars": 30.0, "e5+chars": 10.0}
FOLDS = 5
THRESHOLDS = np.round(np.arange(0.0, 0.91, 0.01), 2)


def _classifier(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")


@dataclass
class HoldOut:
    """What the threshold was chosen on."""

    examples: int
    macro_f1: float
    accuracy: float


@dataclass
class IntentModel:
    locale: str
    encoder: Encoder
    classifier: LogisticRegression
    classes: list[str]
    threshold: float
    hold_out: HoldOut
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._derive()

    def _derive(self) -> None:
        """Lookups for one utterance at a time: rebuilt on load, never pickled."""
        self._index = {c: i for i, c in enumerate(self.classes)}
        # The character model's fast path (`probabilities_of`): coefficients by feature, one row
        # per n-gram, so an utterance's few n-grams are a small slice. Multinomial only (softmax).
        self._weights: NDArray[np.float64] | None = None
        if isinstance(self.encoder, CharNgramEncoder) and len(self.classes) > 2:
            self._weights = np.ascontiguousarray(self.classifier.coef_.T, dtype=np.float64)
            self._intercept = np.asarray(self.classifier.intercept_, dtype=np.float64)

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if not name.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._derive()

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        out: NDArray[np.float64] = self.classifier.predict_proba(self.encoder.transform(texts))
        return out

    def probabilities_of(self, text: str) -> NDArray[np.float64]:
        """`probabilities([text])[0]`; for the character model computed here, as scikit-learn 1.9's
        multinomial LogisticRegression.predict_proba does (softmax of X @ coef.T + intercept)."""
        if self._weights is None or not isinstance(self.encoder, CharNgramEncoder):
            row: NDArray[np.float64] = self.probabilities([text])[0]
            return row
        columns, values = self.encoder.row(text)
        logits = self._intercept + values @ self._weights[columns]
        e = np.exp(logits - logits.max())
        out: NDArray[np.float64] = e / e.sum()
        return out

    def decide(self, probs: NDArray[np.float64], candidates: Collection[str] | None) -> tuple[str, float]:
        """The intent among `candidates` (all when None) and its confidence, or FallbackIntent."""
        return decide(probs, self.classes, self.threshold, candidates)

    def predict(self, text: str, candidates: Collection[str] | None = None) -> tuple[str, float]:
        return self.decide(self.probabilities_of(text), candidates)


def decide(
    probs: NDArray[np.float64], classes: Sequence[str], threshold: float, candidates: Collection[str] | None
) -> tuple[str, float]:
    """Renormalise over the candidates and FallbackIntent; below the threshold is FallbackIntent
    (its confidence is then the fallback's own probability, as Lex reports it)."""
    allowed = np.array([c == FALLBACK or candidates is None or c in candidates for c in classes])
    p = np.where(allowed, probs, 0.0)
    total = p.sum()
    p = p / total if total > 0 else p
    best = int(np.argmax(p))
    if classes[best] == FALLBACK or p[best] < threshold:
        fallback = classes.index(FALLBACK) if FALLBACK in classes else -1
        return FALLBACK, float(p[fallback]) if fallback >= 0 else 0.0
    return classes[best], float(p[best])


def choose_threshold(
    probs: NDArray[np.float64], truth: Sequence[str], classes: Sequence[str], menu: Collection[str]
) -> tuple[float, float, float]:
    """(threshold, macro-F1, accuracy) on held-out probabilities, in the menu context."""
    rows = [i for i, t in enumerate(truth) if t in menu or t == FALLBACK]
    scores = []
    for t in THRESHOLDS:
        predicted = [decide(probs[i], classes, float(t), menu)[0] for i in rows]
        expected = [truth[i] for i in rows]
        f1 = f1_score(expected, predicted, average="macro", zero_division=0)
        acc = float(np.mean([p == e for p, e in zip(predicted, expected, strict=True)]))
        scores.append((float(f1), acc))
    best = max(f for f, _ in scores)
    plateau = [i for i, (f, _) in enumerate(scores) if f >= best - 1e-9]
    middle = plateau[len(plateau) // 2]
    return float(THRESHOLDS[middle]), scores[middle][0], scores[middle][1]


def _fit(
    examples: Sequence[Example], locale: str, encoder_name: str, menu: Collection[str]
) -> tuple[IntentModel, NDArray[np.float64]]:
    """The model trained on every example, and the held-out probabilities its threshold came from."""
    encoder: Encoder = ENCODERS[encoder_name]()
    texts = [e.text for e in examples]
    labels = np.array([e.intent for e in examples])
    encoder.fit(texts)
    features: Matrix = encoder.transform(texts)
    c = C_BY_ENCODER[encoder_name]
    classes = sorted(set(labels.tolist()))
    held = np.zeros((len(examples), len(classes)))
    for fit_rows, test_rows in GroupKFold(n_splits=FOLDS).split(features, labels, _groups(examples)):
        fold = _classifier(c).fit(features[fit_rows], labels[fit_rows])
        cols = [classes.index(k) for k in fold.classes_]
        held[np.ix_(test_rows, cols)] = fold.predict_proba(features[test_rows])
    threshold, f1, acc = choose_threshold(held, labels.tolist(), classes, menu)
    classifier = _classifier(c).fit(features, labels)
    assert list(classifier.classes_) == classes
    model = IntentModel(locale, encoder, classifier, classes, threshold, HoldOut(len(examples), f1, acc))
    return model, held


def _groups(examples: Sequence[Example]) -> list[str]:
    return [f"{e.intent}|{e.template}" for e in examples]


def train(examples: Sequence[Example], locale: str, encoder_name: str, menu: Collection[str]) -> IntentModel:
    """Fit the encoder and classifier on every example; the threshold from grouped held-out folds."""
    return _fit(examples, locale, encoder_name, menu)[0]


# The cascade: the character n-gram model (0.1-0.2 ms) answers when it is at least this confident,
# multilingual-e5 (17-20 ms of CPU) otherwise. Candidates, lowest first; 1.01 = e5 always.
CASCADE_STEPS = [*np.round(np.arange(0.0, 1.0, 0.01), 2).tolist(), 1.01]
# How much held-out macro-F1 the cascade may give up against its best step for answering sooner.
CASCADE_TOLERANCE = 0.01
# A latency budget: at most this share of the held-out turns may reach e5 (1.0: no cap). Issue 11
# asks for <= 10 ms per utterance; a turn that reaches e5 pays 17-20 ms, so the 95th percentile
# needs fewer than 5 % of the turns there (0.04). Not the default: with today's data the uncapped
# step already sends about 4 % of the evaluation turns there, and a cap costs accuracy
# (docs/ai-quality.md, "The 10 ms budget").
CASCADE_BUDGET = 1.0


@dataclass
class CascadeModel:
    """chars answers when confident, e5 otherwise; both trained on the same examples."""

    fast: IntentModel
    full: IntentModel
    confident: float  # the fast model's confidence from which it answers
    hold_out: HoldOut  # the cascade's own held-out figures, in the menu context
    slow_share: float = 0.0  # the share of held-out turns that reached e5

    @property
    def threshold(self) -> float:
        """FallbackIntent's threshold of the model that answers the uncertain turns."""
        return self.full.threshold

    def predict(self, text: str, candidates: Collection[str] | None = None) -> tuple[str, float]:
        intent, confidence = self.fast.predict(text, candidates)
        if confidence >= self.confident:
            return intent, confidence
        return self.full.predict(text, candidates)


def choose_step(
    fast_says: Sequence[tuple[str, float]], full_says: Sequence[str], expected: Sequence[str]
) -> tuple[float, float, float, float]:
    """(step, macro-F1, accuracy, share reaching e5) on held-out answers: among the steps that send
    at most CASCADE_BUDGET of the turns to e5, the lowest whose cascade macro-F1 is within
    CASCADE_TOLERANCE of the best of them (chars answers as often as accuracy allows)."""
    scores = []
    for step in CASCADE_STEPS:
        slow = [f[1] < step for f in fast_says]
        share = float(np.mean(slow))
        if share > CASCADE_BUDGET:
            break  # the share only grows with the step
        said = [e if s else f[0] for f, e, s in zip(fast_says, full_says, slow, strict=True)]
        f1 = float(f1_score(expected, said, average="macro", zero_division=0))
        acc = float(np.mean([p == t for p, t in zip(said, expected, strict=True)]))
        scores.append((float(step), f1, acc, share))
    best = max(f1 for _, f1, _, _ in scores)  # step 0.0 sends no turn to e5: always a candidate
    return next(s for s in scores if s[1] >= best - CASCADE_TOLERANCE)


def train_cascade(examples: Sequence[Example], locale: str, menu: Collection[str]) -> CascadeModel:
    """Both models, and the step chosen on their held-out predictions (the same grouped folds)."""
    fast, fast_held = _fit(examples, locale, "chars", menu)
    full, full_held = _fit(examples, locale, "e5", menu)
    truth = [e.intent for e in examples]
    rows = [i for i, t in enumerate(truth) if t in menu or t == FALLBACK]
    expected = [truth[i] for i in rows]
    fast_says = [decide(fast_held[i], fast.classes, fast.threshold, menu) for i in rows]
    full_says = [decide(full_held[i], full.classes, full.threshold, menu)[0] for i in rows]
    step, f1, acc, share = choose_step(fast_says, full_says, expected)
    return CascadeModel(fast, full, step, HoldOut(len(examples), f1, acc), share)
