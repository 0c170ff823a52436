"""`aicc-ops sentiment`: the offline Korean sentiment model (the local stand-in for Comprehend):
train it, score one utterance, measure it on a labelled file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from tabulate import tabulate

from ..engine.sentiment import DEFAULT_METHOD, METHODS, DataError, OfflineSentiment, evaluate, read_examples
from ._errors import OpsError

method_option = click.option(
    "--method",
    type=click.Choice(METHODS),
    default=DEFAULT_METHOD,
    show_default=True,
    help="e5: multilingual-e5-small embeddings + softmax regression; ngram: character n-gram naive Bayes.",
)


def _model(method: str) -> OfflineSentiment:
    try:
        return OfflineSentiment(method).load()
    except DataError as exc:
        raise OpsError(f"training data: {exc}", hint="fix the line it names") from None


@click.group()
def sentiment() -> None:
    """Caller sentiment, offline: the model the local stack scores utterances with."""


@sentiment.command()
@method_option
def train(method: str) -> None:
    """Train the model from its training set (cached: predict and eval reuse it)."""
    started = time.perf_counter()
    model = OfflineSentiment(method)
    cached = model.method == "e5" and model.cache_file().exists()
    _model(method)
    took = time.perf_counter() - started
    where = f" ({model.cache_file()})" if method == "e5" else ""
    click.echo(f"{method}: {'already trained' if cached else 'trained'} in {took:.1f} s{where}")


@sentiment.command()
@click.argument("text")
@method_option
@click.option("--json", "as_json", is_flag=True, help='Print {"label", "score"} as JSON.')
def predict(text: str, method: str, as_json: bool) -> None:
    """The sentiment of one caller utterance: NEGATIVE, NEUTRAL or POSITIVE, and a score from -1
    (negative) to 1 (positive)."""
    if not text.strip():
        raise click.UsageError('TEXT is empty: give the caller\'s words, e.g. "인터넷이 또 끊겼어요"')
    result = _model(method).detect(text)
    if as_json:
        click.echo(json.dumps({"label": result.label, "score": result.score}))
    else:
        click.echo(f"{result.label} {result.score:+.3f}")


@sentiment.command("eval")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@method_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (accuracy, macro_f1...).")
def eval_(file: Path, method: str, as_json: bool) -> None:
    """Accuracy and macro-F1 on FILE.jsonl, lines {"text", "label"} (NEGATIVE|NEUTRAL|POSITIVE)."""
    try:
        examples = read_examples(file)
    except DataError as exc:
        raise OpsError(
            str(exc), hint='each line: {"text": "...", "label": "NEGATIVE|NEUTRAL|POSITIVE"}'
        ) from None
    model = _model(method)
    started = time.perf_counter()
    scores = evaluate(model, examples)
    per_utterance_ms = (time.perf_counter() - started) * 1000 / len(examples)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "method": method,
                    "count": scores.utterances,
                    "accuracy": round(scores.accuracy, 4),
                    "macro_f1": round(scores.macro_f1, 4),
                    "per_label": {
                        k: {m: round(v, 4) for m, v in figures.items()}
                        for k, figures in scores.per_label.items()
                    },
                    "confusion": scores.confusion,
                    "ms_per_utterance": round(per_utterance_ms, 2),
                }
            )
        )
        return
    click.echo(f"{file}: {scores.utterances} utterances, method {method}")
    click.echo(
        f"accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}  ({per_utterance_ms:.1f} ms each)"
    )
    rows = [
        [label, *(scores.confusion[label][p] for p in scores.confusion), f"{figures['f1']:.3f}"]
        for label, figures in scores.per_label.items()
    ]
    click.echo(tabulate(rows, headers=["true \\ predicted", *scores.confusion, "F1"]))
