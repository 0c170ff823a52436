"""`aicc-ops prompts`: the caller-facing prompts of prompts.yaml, heard before a deploy."""

from __future__ import annotations

from pathlib import Path

import click

from aicc.settings import load_config

from ..engine.stt import SpeechError
from ..local import prompt_audio
from ._errors import user_errors


@click.group()
def prompts() -> None:
    """Caller-facing prompts (lambdas/aicc/config/prompts.yaml)."""


@prompts.command("render")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/prompts"),
    show_default=True,
    help="Directory for one WAV per prompt and the index (index.html, index.md).",
)
@click.option("--locale", default="ko-KR", show_default=True, help="The prompts' locale to render.")
def render_command(out_dir: Path, locale: str) -> None:
    """Speak every prompt into a WAV file offline with espeak-ng's Korean voice.

    SSML is reduced to what espeak-ng speaks, and dynamic references ($.Attributes.company...) are
    filled with sample values computed from the configuration, so the whole IVR can be heard before
    a deploy: open OUT/index.html. Polly sounds different; the words and pauses are the same.
    """
    with user_errors():
        config = load_config()
        try:
            done, seconds = prompt_audio.render(config, out_dir, locale)
        except SpeechError as exc:
            raise click.ClickException(f"speech: {exc}") from None
    total = sum(r.seconds for r in done)
    click.echo(
        f"{len(done)} prompts, {total:.0f} s of audio, rendered in {seconds:.1f} s: {out_dir}/index.html"
    )
