"""Speech with the real engines: espeak-ng renders every prompt, vosk hears a caller's WAV and the
words reach the flow, the round trip runs end to end. espeak-ng comes from the Makefile's install."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc.settings import load_config
from aicc_ops.cli import cli
from aicc_ops.engine import speech_roundtrip as rt
from aicc_ops.engine import stt, tts

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (`make install` installs it)"
)
SAMPLE = Path(__file__).parents[2] / "data" / "speech_roundtrip_sample.jsonl"


def test_every_prompt_is_rendered_with_an_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["prompts", "render", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    keys = sorted(load_config().prompts)
    assert sorted(p.stem for p in tmp_path.glob("*.wav")) == keys
    for key in keys:
        with wave.open(str(tmp_path / f"{key}.wav"), "rb") as w:
            assert w.getnchannels() == 1 and w.getnframes() / w.getframerate() > 0.3  # speech, not silence
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert all(f"| {key} |" in index and f"({key}.wav)" in index for key in keys)
    assert "$.Attributes" not in index and "<break" not in index  # values filled, SSML reduced
    assert f"{len(keys)} prompts" in result.output


def test_render_without_espeak_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["prompts", "render", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "espeak-ng is not installed" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # loads the 250 MB Korean model
def test_a_callers_wav_is_recognised_and_reaches_the_flow(tmp_path: Path) -> None:
    wav = tts.synthesize("솔트웨어입니다", tmp_path / "company.wav")  # 22.05 kHz: resampled
    heard = stt.transcribe(wav)
    assert heard  # the recognizer wrote words (espeak-ng's Korean is not what it was trained on)
    result = CliRunner().invoke(
        cli,
        [
            "call",
            "simulate",
            "--at",
            "2026-11-25T10:00:00+09:00",
            "--input",
            f"wav:{wav}",
            "--hold",
            "0",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["inputs_used"][0] == f"say:{heard}"
    lex = next(s for s in data["steps"] if s["type"] == "ConnectParticipantWithLexBot")
    assert f"speech '{heard}'" in lex["detail"]  # the words went to the bot like say: text
    assert data["attributes"]["spoken_company"] == heard


class _Agentish:
    """A classifier that knows one word: the round trip must hand it what it heard."""

    def classify(self, transcript: str, locale: str) -> tuple[str, dict[str, str | None], float]:
        return ("Agent" if "상담" in transcript else "FallbackIntent"), {}, 1.0


@pytest.mark.slow  # loads the model and recognises each utterance
def test_round_trip_speaks_hears_and_classifies() -> None:
    utterances = [
        rt.Utterance("상담원 연결해 주세요", "Agent"),
        rt.Utterance("날씨 알려줘", "FallbackIntent"),
    ]
    trip = rt.run(utterances, _Agentish())
    assert [r.from_text for r in trip.results] == ["Agent", "FallbackIntent"]
    assert all(r.heard for r in trip.results)
    assert [r.from_audio for r in trip.results] == [
        _Agentish().classify(r.heard, "ko_KR")[0] for r in trip.results
    ]
    s = trip.summary()
    assert s["text_accuracy"] == 1.0 and s["cer"] >= 0 and s["stt_load_s"] >= 0


@pytest.mark.slow
def test_roundtrip_command_prints_the_figures() -> None:
    result = CliRunner().invoke(cli, ["speech", "roundtrip", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["utterances"] == len(SAMPLE.read_text(encoding="utf-8").splitlines())
    assert {"text_accuracy", "audio_accuracy", "wer", "cer"} <= set(figures)
