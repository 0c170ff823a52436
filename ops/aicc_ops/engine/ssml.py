"""SSML prompts as Polly reads them: what a caller hears, and what Polly would refuse.

Polly rejects SSML that is not well-formed XML and tags it does not support ("If you use an
unsupported SSML tag ... an error occurs", docs.aws.amazon.com/polly/latest/dg/supportedtags.html).
A Text prompt is not SSML: Connect speaks it as written, angle brackets included.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# docs.aws.amazon.com/polly/latest/dg/supportedtags.html (the amazon: tags take a name/attribute).
POLLY_TAGS = frozenset(
    {
        "speak",
        "break",
        "emphasis",
        "lang",
        "mark",
        "p",
        "phoneme",
        "prosody",
        "s",
        "say-as",
        "sub",
        "w",
        "amazon:auto-breaths",
        "amazon:breath",
        "amazon:domain",
        "amazon:effect",
    }
)
_AMAZON_NS = "https://aws.amazon.com/polly/ssml"  # any URI: only binds the amazon: prefix for parsing
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<break\b[^>]*/?>")
_SSML_IN_TEXT = re.compile(
    r"</?(?:speak|break|emphasis|lang|mark|p|phoneme|prosody|s|say-as|sub|w|amazon:[a-z-]+)\b[^<>]*>"
)


def spoken_text(ssml: str) -> str:
    """What the caller hears, as text: breaks become spaces, other tags vanish (<sub> keeps its text)."""
    text = _BREAK.sub(" ", ssml)
    return re.sub(r"\s+", " ", _TAG.sub("", text)).strip()


def problems(ssml: str) -> list[str]:
    """Why Polly would refuse this SSML (empty when it would speak it)."""
    text = ssml.strip()
    if not (text.startswith("<speak") and text.endswith("</speak>")):
        return ["SSML must be wrapped in <speak>...</speak>"]
    bound = re.sub(r"^<speak\b", f'<speak xmlns:amazon="{_AMAZON_NS}"', text, count=1)
    try:
        root = ET.fromstring(bound)
    except ET.ParseError as exc:
        return [f"SSML is not well-formed XML ({exc}); escape & < > as &amp; &lt; &gt;"]
    found = []
    for element in root.iter():
        tag = element.tag.replace(f"{{{_AMAZON_NS}}}", "amazon:")
        if tag not in POLLY_TAGS and tag not in found:
            found.append(tag)
    return [f"Polly does not support the SSML tag <{tag}>" for tag in found]


def is_silent(ssml: str) -> bool:
    """Nothing to say and no pause asked for (a lone <break> is a deliberate silence)."""
    return not spoken_text(ssml) and not _BREAK.search(ssml)


def markup_in_text(text: str) -> str | None:
    """The first SSML tag in a Text prompt (spoken as written there), or None."""
    m = _SSML_IN_TEXT.search(text)
    return m.group(0) if m else None
