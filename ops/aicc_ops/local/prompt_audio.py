"""Every caller-facing prompt as audio, offline: prompts.yaml spoken by espeak-ng's Korean voice
(engine.tts), with each dynamic reference ($.Attributes.x, $.Metrics.Queue.Size) filled with a
realistic value, so people can listen to the whole IVR before a deploy. An index lists each
prompt's key, the text spoken and its file.
"""

from __future__ import annotations

import csv
import html
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aicc.domain import business_hours
from aicc.settings import Config

from ..engine import tts
from ..engine.ssml import is_ssml, spoken_text
from .seed import SAMPLE_DIR

# $.Attributes.company, $.Attributes.['callback_due'], $.Metrics.Queue.Size, $.External.x
_REFERENCE = re.compile(r"\$\.(?:Attributes|External)\.(?:\['(\w+)'\]|(\w+))|\$\.Metrics\.Queue\.(\w+)")
# A weekday evening after closing and a public holiday (한글날), in Seoul: what a caller hears then.
_EVENING = datetime.fromisoformat("2026-11-25T20:00:00+09:00")
_HOLIDAY = datetime.fromisoformat("2026-10-09T10:00:00+09:00")


def sample_values(config: Config) -> dict[str, str]:
    """Values the handlers would set, computed by the same domain code from the configuration and
    the bundled sample customers (the first MSP customer is the caller)."""
    with (SAMPLE_DIR / "customers.csv").open(encoding="utf-8") as f:
        caller = next(r for r in csv.DictReader(f) if r["tier"] == "MSP")
    hours = config.hours[business_hours.DEFAULT_HOURS]
    next_open = business_hours.next_opening(hours, config.holidays, _EVENING)
    holiday = business_hours.status(hours, config.holidays, _HOLIDAY)
    return {
        "company": caller["company"],
        "sales_rep_name": caller["sales_rep_name"],
        "sales_rep_phone": caller["sales_rep_phone"].replace("+82", "0"),
        "incident": "웹서버가 응답하지 않습니다",
        "business_hours": business_hours.spoken_schedule(hours),
        "next_open": business_hours.spoken(next_open) if next_open else "",
        "callback_due": business_hours.spoken(next_open) if next_open else "",
        "closed_day": business_hours.closed_day(holiday),
        "Size": "3",
    }


def filled(text: str, values: Mapping[str, str]) -> str:
    """The text with each dynamic reference replaced by its sample value (its name if none)."""

    def value(m: re.Match[str]) -> str:
        name = next(g for g in m.groups() if g)
        return values.get(name, name)

    return _REFERENCE.sub(value, text)


@dataclass(frozen=True)
class Rendered:
    key: str
    text: str  # what espeak-ng was given (references filled)
    file: str  # relative to the output directory
    seconds: float  # length of the audio


def render(config: Config, out: Path, locale: str = "ko-KR") -> tuple[list[Rendered], float]:
    """Write one WAV per prompt and the index (index.md, index.html) into `out`; the prompts
    rendered and the wall time it took."""
    tts.espeak_path()  # a clear error before any file is written
    out.mkdir(parents=True, exist_ok=True)
    values = sample_values(config)
    started = time.perf_counter()
    done: list[Rendered] = []
    for key, prompt in sorted(config.prompts.items()):
        text = filled(prompt.text(locale), values)
        wav = tts.synthesize(text, out / f"{key}.wav")
        done.append(Rendered(key, text, wav.name, _seconds(wav)))
    elapsed = time.perf_counter() - started
    _write_index(out, done, locale)
    return done, elapsed


def _seconds(path: Path) -> float:
    import wave

    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def _write_index(out: Path, done: list[Rendered], locale: str) -> None:
    def shown(text: str) -> str:
        return spoken_text(text) if is_ssml(text) else text  # the words; the WAV has the pauses

    md = [
        f"# Prompts ({locale}), spoken by espeak-ng",
        "",
        "| prompt | seconds | text | file |",
        "|---|---|---|---|",
    ]
    md += [
        f"| {r.key} | {r.seconds:.1f} | {shown(r.text).replace('|', '/')} | [{r.file}]({r.file}) |"
        for r in done
    ]
    (out / "index.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    rows = "\n".join(
        f"<tr><td>{html.escape(r.key)}</td><td>{html.escape(shown(r.text))}</td>"
        f'<td><audio controls preload="none" src="{html.escape(r.file)}"></audio></td></tr>'
        for r in done
    )
    page = (
        f'<!doctype html><meta charset="utf-8"><title>Prompts ({locale})</title>'
        f"<h1>Prompts ({locale}), spoken by espeak-ng</h1>"
        f"<table><tr><th>prompt</th><th>text</th><th>audio</th></tr>\n{rows}\n</table>\n"
    )
    (out / "index.html").write_text(page, encoding="utf-8")
