"""Speech in and out, the parts that need no model: SSML for espeak-ng, sample values, WAV reading
and resampling, error messages, the round trip's figures."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from aicc.settings import load_config
from aicc_ops.engine import speech_roundtrip as rt
from aicc_ops.engine import stt, tts
from aicc_ops.local import prompt_audio


def _wav(path: Path, rate: int, channels: int = 1, width: int = 2, seconds: float = 0.5) -> Path:
    n = int(rate * seconds)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 2:
            tone = [int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n)]
            w.writeframes(b"".join(struct.pack("<h", s) * channels for s in tone))
        else:
            w.writeframes(bytes(n * channels * width))
    return path


def test_ssml_is_reduced_to_what_espeak_speaks() -> None:
    markup = (
        '<speak><amazon:effect name="drc">안녕</amazon:effect><break time="300ms"/>'
        '<sub alias="에이더블유에스">AWS</sub> <prosody rate="90%" pitch="high">천천히</prosody> &amp; 끝</speak>'
    )
    assert tts.espeak_markup(markup) == (
        '<speak>안녕<break time="300ms"/>에이더블유에스 <prosody rate="90%">천천히</prosody> &amp; 끝</speak>'
    )


def test_plain_text_is_escaped_for_espeak() -> None:
    assert tts.espeak_markup("A & B <C>") == "<speak>A &amp; B &lt;C&gt;</speak>"


def test_references_get_sample_values_computed_from_the_configuration() -> None:
    values = prompt_audio.sample_values(load_config())
    text = (
        "$.Attributes.company 고객님, $.Attributes.['next_open'] / $.Metrics.Queue.Size 명 / $.Attributes.x"
    )
    filled = prompt_audio.filled(text, values)
    assert "$." not in filled
    assert filled.startswith(values["company"]) and values["next_open"] in filled
    assert values["closed_day"].endswith("로") or values["closed_day"].endswith("으로")  # "한글날로"
    assert filled.endswith("x")  # a reference with no sample keeps its name, audibly


@pytest.mark.parametrize(("rate", "channels"), [(22_050, 1), (8_000, 1), (16_000, 2), (44_100, 2)])
def test_audio_becomes_16k_mono_pcm(tmp_path: Path, rate: int, channels: int) -> None:
    pcm = stt.pcm16k(_wav(tmp_path / "a.wav", rate, channels, seconds=0.5))
    assert abs(len(pcm) // 2 - 8_000) <= 1  # half a second at 16 kHz, 2 bytes a sample
    peak = max(abs(s) for (s,) in struct.iter_unpack("<h", pcm))
    assert 6_000 < peak < 9_000  # the tone survives resampling (amplitude 8000)


def test_16k_mono_is_passed_through_untouched(tmp_path: Path) -> None:
    path = _wav(tmp_path / "a.wav", 16_000)
    with wave.open(str(path), "rb") as w:
        assert stt.pcm16k(path) == w.readframes(w.getnframes())


def test_bad_audio_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(stt.SpeechError, match="no such file"):
        stt.pcm16k(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("hello")
    with pytest.raises(stt.SpeechError, match="not a PCM WAV file"):
        stt.pcm16k(tmp_path / "text.wav")
    with pytest.raises(stt.SpeechError, match="8-bit samples; give 16-bit PCM"):
        stt.pcm16k(_wav(tmp_path / "u8.wav", 16_000, width=1))


def test_no_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    with pytest.raises(tts.TTSUnavailableError, match="espeak-ng is not installed: `make install`"):
        tts.synthesize("안녕하세요", tmp_path / "x.wav")


def test_vosk_loads_only_for_audio_input() -> None:
    code = (
        "import sys; from aicc_ops.engine.interpreter import CallerInput; CallerInput.parse('say:안녕'); "
        "import aicc_ops.cli.call; print(sorted(m for m in ('vosk', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == []


def test_round_trip_figures() -> None:
    trip = rt.RoundTrip(
        [
            rt.Heard("상담원 연결", "Agent", "상담원 연결", "Agent", "Agent"),
            rt.Heard("상담원 연결", "Agent", "상담 원연결", "Agent", "Fallback"),  # spacing: CER 0, WER 1
            rt.Heard("요금", "Billing", "요", "Fallback", "Fallback"),
        ]
    )
    s = trip.summary()
    assert s["text_accuracy"] == pytest.approx(2 / 3) and s["audio_accuracy"] == pytest.approx(1 / 3)
    assert s["cer"] == pytest.approx(1 / 12)  # one character lost of 5 + 5 + 2
    assert s["wer"] == pytest.approx((0 + 2 + 1) / 5)  # words: 2 + 2 + 1
    assert rt.worst(trip.results) == [trip.results[1]]


def test_eval_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "e.jsonl"
    bad.write_text('{"text": "a", "intent": "X"}\n{"text": "b"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"e.jsonl line 2: not a"):
        rt.read_eval(bad)
