"""Offline speech synthesis of prompts with espeak-ng's Korean voice: what Polly would say, to
listen to before a deploy. espeak-ng reads a subset of SSML (`-m`); a prompt's SSML is reduced to
that subset, the rest keeps its words: <break>, <prosody> rate and volume, <say-as>, <s> and <p>
stay, <sub> says its alias, Polly's amazon: tags and <lang>, <phoneme>, <w>, <mark> keep only
their text.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .ssml import is_ssml
from .stt import SpeechError

ESPEAK = "espeak-ng"
VOICE = "ko"  # espeak-ng's Korean voice (espeak-ng --voices=ko)
# Elements espeak-ng speaks, with the attributes it reads.
_KEPT = {"break": ("time", "strength"), "prosody": ("rate", "volume"), "say-as": ("interpret-as",)}
_KEPT_BARE = frozenset({"s", "p"})
_POLLY_NS = "https://aws.amazon.com/polly/ssml"


class TTSUnavailableError(SpeechError):
    """No espeak-ng on this machine."""


def espeak_path() -> str:
    found = shutil.which(ESPEAK)
    if not found:
        raise TTSUnavailableError(
            "espeak-ng is not installed: `make install` installs it (apt-get install espeak-ng), "
            "or install it with your system's package manager"
        )
    return found


def _reduce(element: ET.Element) -> str:
    tag = element.tag.split("}")[-1]
    inner = escape(element.text or "") + "".join(_reduce(c) + escape(c.tail or "") for c in element)
    if tag == "sub" and "alias" in element.attrib:
        return escape(element.attrib["alias"])
    if tag in _KEPT:
        attrs = "".join(f" {k}={quoteattr(element.attrib[k])}" for k in _KEPT[tag] if k in element.attrib)
        return f"<{tag}{attrs}/>" if tag == "break" else f"<{tag}{attrs}>{inner}</{tag}>"
    if tag in _KEPT_BARE:
        return f"<{tag}>{inner}</{tag}>"
    return inner  # speak, lang, phoneme, w, mark, amazon:*: the words only


def espeak_markup(prompt: str) -> str:
    """The prompt as SSML espeak-ng speaks (`-m`): a plain text is escaped and wrapped."""
    if not is_ssml(prompt):
        return f"<speak>{escape(prompt)}</speak>"
    bound = prompt.strip().replace("<speak", f'<speak xmlns:amazon="{_POLLY_NS}"', 1)
    try:
        root = ET.fromstring(bound)
    except ET.ParseError as exc:
        raise SpeechError(
            f"the prompt's SSML is not well-formed ({exc}): see `aicc-ops flows lint`"
        ) from None
    return f"<speak>{_reduce(root)}</speak>"


def synthesize(prompt: str, out: Path, *, rate_wpm: int | None = None) -> Path:
    """Speak the prompt (text or SSML) into a WAV file (espeak-ng's 22.05 kHz mono 16-bit PCM)."""
    command = [espeak_path(), "-v", VOICE, "-m", "-w", str(out)]
    if rate_wpm:
        command += ["-s", str(rate_wpm)]
    done = subprocess.run(
        [*command, "--", espeak_markup(prompt)], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0 or not out.exists():
        raise SpeechError(f"espeak-ng failed ({done.returncode}): {done.stderr.strip() or 'no output'}")
    return out
