"""`aicc-ops nlu`: train, evaluate and try the local NLU (the offline stand-in for Lex V2)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aicc.settings import load_config

from ..engine.nlu import CHOICES, DEFAULT_ENCODER, LocalNlu
from ..engine.nlu.evaluate import EvalFileError, Scores, evaluate, read_eval_file
from ..engine.nlu.model import CascadeModel

_encoder_option = click.option(
    "--encoder",
    type=click.Choice(CHOICES),
    default=DEFAULT_ENCODER,
    show_default=True,
    help="Sentence features, or the cascade (chars when confident, e5 otherwise); docs/ai-quality.md.",
)
_locale_option = click.option(
    "--locale", default="ko_KR", show_default=True, help="Bot locale (intents.yaml)."
)


def _nlu(encoder: str, locale: str) -> LocalNlu:
    config = load_config()
    if locale not in config.intents["locales"]:
        raise click.ClickException(
            f"no locale {locale!r} in intents.yaml (locales: {', '.join(config.intents['locales'])})"
        )
    return LocalNlu.load_or_train(config.intents, encoder)[0]


@click.group()
def nlu() -> None:
    """The local NLU trained from lambdas/aicc/config/intents.yaml (docs/ai-quality.md)."""


@nlu.command()
@_encoder_option
def train(encoder: str) -> None:
    """Train from intents.yaml into the cache (a no-op when the cached model is current)."""
    model, path, trained = LocalNlu.load_or_train(load_config().intents, encoder)
    verb = "trained" if trained else "up to date"
    click.echo(f"{verb}: {path}")
    for locale, m in model.models.items():
        cascade = f", chars answers from confidence {m.confident:.2f}" if isinstance(m, CascadeModel) else ""
        click.echo(
            f"  {locale}: {m.hold_out.examples} examples, FallbackIntent under {m.threshold:.2f}{cascade} "
            f"(held-out macro-F1 {m.hold_out.macro_f1:.3f})"
        )


@nlu.command()
@click.argument("text")
@_locale_option
@_encoder_option
@click.option("--expected-intent", help="The capture intent a flow is asking for (session attribute).")
@click.option("--json", "as_json", is_flag=True, help='Print {"intent", "confidence", "slots"}.')
def predict(text: str, locale: str, encoder: str, expected_intent: str | None, as_json: bool) -> None:
    """The intent, confidence and slots of TEXT."""
    p = _nlu(encoder, locale).predict(text, locale, expected_intent)
    if as_json:
        click.echo(json.dumps(p.as_json(), ensure_ascii=False))
        return
    slots = ", ".join(f"{k}={v}" for k, v in p.slots.items()) or "-"
    click.echo(f"{p.intent}  confidence {p.confidence:.2f}  slots {slots}")


def _table(scores: Scores) -> str:
    short = [label[:8] for label in scores.labels]
    width = max(len(label) for label in scores.labels)
    lines = [" " * width + "  " + " ".join(f"{s:>8}" for s in short)]
    for label, row in zip(scores.labels, scores.confusion, strict=True):
        lines.append(f"{label:<{width}}  " + " ".join(f"{n:>8}" for n in row))
    return "\n".join(lines)


@nlu.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_locale_option
@_encoder_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def eval_(file: Path, locale: str, encoder: str, as_json: bool) -> None:
    """Score FILE (JSON lines {"text", "intent", "slots"}) in the "how can I help" context."""
    try:
        rows = read_eval_file(file)
    except EvalFileError as exc:
        raise click.ClickException(str(exc)) from None
    scores = evaluate(_nlu(encoder, locale), rows, locale)
    if as_json:
        click.echo(json.dumps(scores.as_json(), ensure_ascii=False))
        return
    click.echo(f"utterances        {scores.count}")
    click.echo(f"accuracy          {scores.accuracy:.3f}")
    click.echo(f"macro-F1          {scores.macro_f1:.3f}")
    click.echo(f"slot exact-match  {scores.slot_exact_match:.3f}")
    click.echo(f"OOS precision     {scores.oos_precision:.3f}")
    click.echo(f"OOS recall        {scores.oos_recall:.3f}")
    click.echo("\nconfusion (rows: expected, columns: predicted)")
    click.echo(_table(scores))
    if scores.errors:
        click.echo("\nerrors")
        for e in scores.errors:
            click.echo(f"  {e['expected']} -> {e['predicted']} ({e['confidence']:.2f})  {e['text']}")
