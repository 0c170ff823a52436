"""SSML prompts as Connect speaks them through Polly: what a caller hears, and what would go wrong.

Polly rejects SSML that is not well-formed XML. Connect is more forgiving than Polly about the rest:
"If you use an unsupported tag in your input text, it's automatically ignored when it's processed"
(docs.aws.amazon.com/connect/latest/adminguide/supported-ssml-tags.html), and it publishes flows whose
SSML has no <speak> root (the gitlab sample's console export says "Welcome to ACME corporation" as
SSML and deploys through aws_connect_contact_flow, which publishes and so validates). Those two are
therefore warnings. A Text prompt is not SSML: Connect speaks it as written, angle brackets included.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

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


class Problem(NamedTuple):
    message: str
    severity: str  # "error": the prompt cannot be spoken; "warning": spoken, but not as written


def problems(ssml: str) -> list[Problem]:
    """What would keep this SSML from being spoken as written (empty when nothing would)."""
    text = ssml.strip()
    found: list[Problem] = []
    if not (text.startswith("<speak") and text.endswith("</speak>")):
        # "All SSML-enhanced text must be enclosed within a pair of speak tags" (Connect's
        # supported-ssml-tags.html; Polly's speak-tag.html), yet Connect publishes such flows and the
        # docs do not say what it then plays: a warning. The rest is checked as if it were wrapped.
        found.append(
            Problem(
                "SSML is not wrapped in <speak>...</speak>, which Connect and Polly require of SSML: "
                "Connect accepts the flow, but the prompt may not be spoken as written",
                "warning",
            )
        )
        text = f"<speak>{text}</speak>"
    bound = re.sub(r"^<speak\b", f'<speak xmlns:amazon="{_AMAZON_NS}"', text, count=1)
    try:
        root = ET.fromstring(bound)
    except ET.ParseError as exc:
        found.append(
            Problem(f"SSML is not well-formed XML ({exc}); escape & < > as &amp; &lt; &gt;", "error")
        )
        return found
    tags: list[str] = []
    for element in root.iter():
        tag = element.tag.replace(f"{{{_AMAZON_NS}}}", "amazon:")
        if tag not in POLLY_TAGS and tag not in tags:
            tags.append(tag)
    found.extend(
        Problem(f"Polly does not support the SSML tag <{tag}>: Connect ignores it", "warning") for tag in tags
    )
    return found


def is_silent(ssml: str) -> bool:
    """Nothing to say and no pause asked for (a lone <break> is a deliberate silence)."""
    return not spoken_text(ssml) and not _BREAK.search(ssml)


def markup_in_text(text: str) -> str | None:
    """The first SSML tag in a Text prompt (spoken as written there), or None."""
    m = _SSML_IN_TEXT.search(text)
    return m.group(0) if m else None
