"""The offline sentiment model's naive Bayes: calibrated probabilities, the label untouched."""

from __future__ import annotations

from aicc_ops.engine.sentiment import TEMPERATURES, TRAIN_FILE, NaiveBayes, OfflineSentiment, read_examples


def test_the_temperature_is_chosen_on_held_out_folds_and_never_changes_the_label() -> None:
    examples = read_examples(TRAIN_FILE)
    calibrated, raw = NaiveBayes.calibrated(examples), NaiveBayes.train(examples)
    assert calibrated.temperature in TEMPERATURES and calibrated.temperature > 1  # raw NB is overconfident
    assert (
        NaiveBayes.calibrated(examples).temperature == calibrated.temperature
    )  # the same data, the same model
    for text in ("정말 감사합니다", "지금 서버가 다 죽었다고요 빨리요", "서울 리전이요", "홍길동"):
        p, q = calibrated.probabilities(text), raw.probabilities(text)
        assert p.index(max(p)) == q.index(max(q))
        assert max(p) <= max(q)


def test_a_bare_name_moves_the_trend_little_and_anger_a_lot() -> None:
    # The score feeds a moving average (sentiment.yaml): a caller's name is no feeling.
    model = OfflineSentiment("ngram").load()
    assert abs(model.detect("홍길동").score) < 0.3
    assert model.detect("진짜 너무 화가 나네요 이게 말이 됩니까").score < -0.8
