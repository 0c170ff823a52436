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
from collections.abc import Mapping
from typing import NamedTuple

from aicc.domain.hangul import HANGUL

from .actions import KOREAN_VOICES

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


# What the neural engine does not speak, by tag, from the "Neural voice availability" column of
# docs.aws.amazon.com/polly/latest/dg/supportedtags.html ("Not available"; its note: an unsupported
# tag in the standard, neural or long-form format gives an error). <amazon:breath> is on the same
# page as <amazon:auto-breaths> (breath-tag.html). Attribute-level limits are in _neural_attribute.
NEURAL_UNSUPPORTED = frozenset({"emphasis", "amazon:auto-breaths", "amazon:breath"})
# <amazon:effect>: only name="drc" is available to neural voices (same table: phonation="soft",
# vocal-tract-length and name="whispered" are "Not available").
_NEURAL_EFFECTS = frozenset({"drc"})
# <say-as interpret-as="characters|spell-out">: "not currently supported for neural voices ... the
# affected sentence will be synthesized using the related standard voice" (say-as-tag.html).
_STANDARD_FALLBACK = frozenset({"characters", "spell-out"})


class Problem(NamedTuple):
    message: str
    severity: str  # "error": the prompt cannot be spoken; "warning": spoken, but not as written
    # A limit of the engine the contact speaks with, not of SSML: a house rule of our flows (an error
    # there, advice on someone else's flow, whose engine may be chosen deliberately).
    engine: bool = False


def _neural_attribute(tag: str, attrib: dict[str, str]) -> str | None:
    """Why the neural engine cannot speak this element as written, or None."""
    if tag == "prosody" and "pitch" in attrib:
        # prosody-tag.html: "Neural ... voices support the volume and rate attributes, but don't
        # support the pitch attribute."
        return '<prosody pitch="..."> (neural voices support only volume and rate)'
    if tag == "prosody" and any(k.endswith("max-duration") for k in attrib):
        return "<prosody amazon:max-duration> (not available to neural voices)"
    if tag == "amazon:effect":
        name = attrib.get("name")
        if name not in _NEURAL_EFFECTS:
            what = f'name="{name}"' if name else " ".join(f"{k.split('}')[-1]}=..." for k in attrib)
            return f'<amazon:effect {what}> (neural voices support only name="drc")'
    if tag == "amazon:domain":
        # "Select neural voices only" (supportedtags.html): the newscaster style; no Korean voice has it.
        return '<amazon:domain name="news"> (only a few English and Spanish neural voices have it)'
    return None


def _engine_problems(root: ET.Element, engine: str) -> list[Problem]:
    if engine != "neural":
        return []  # standard voices support every tag but the newscaster domain (supportedtags.html)
    found: list[Problem] = []
    for element in root.iter():
        tag = element.tag.replace(f"{{{_AMAZON_NS}}}", "amazon:")
        if tag in NEURAL_UNSUPPORTED:
            why: str | None = f"<{tag}> (not available to neural voices)"
        else:
            why = _neural_attribute(tag, dict(element.attrib))
        if why:
            found.append(Problem(f"the neural engine cannot speak {why}: Polly rejects it", "error", True))
        if tag == "say-as" and element.attrib.get("interpret-as") in _STANDARD_FALLBACK:
            found.append(
                Problem(
                    f'<say-as interpret-as="{element.attrib["interpret-as"]}"> makes Polly speak the whole '
                    "sentence with the standard voice instead of the neural one (a change of voice "
                    "mid-prompt)",
                    "warning",
                    True,
                )
            )
    return found


def problems(ssml: str, engines: frozenset[str] = frozenset()) -> list[Problem]:
    """What would keep this SSML from being spoken as written (empty when nothing would), by any of
    the Polly `engines` (lower case: "neural", "standard") that may speak it."""
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
    for engine in sorted(engines):
        found.extend(p for p in _engine_problems(root, engine) if p not in found)
    return found


def is_silent(ssml: str) -> bool:
    """Nothing to say and no pause asked for (a lone <break> is a deliberate silence)."""
    return not spoken_text(ssml) and not _BREAK.search(ssml)


def markup_in_text(text: str) -> str | None:
    """The first SSML tag in a Text prompt (spoken as written there), or None."""
    m = _SSML_IN_TEXT.search(text)
    return m.group(0) if m else None


def is_ssml(text: str) -> bool:
    """prompts.yaml's rule: a text that starts with <speak> is SSML (the flows put it in SSML)."""
    return text.lstrip().startswith("<speak")


def prompt_problems(text: str, voices: Mapping[str, frozenset[str]]) -> list[Problem]:
    """What keeps a prompt from being spoken as written by each Polly voice that may speak it
    (voice -> its engines, lower case): the SSML for those engines, and Korean words only in a Korean
    voice (any other reads Hangul as a foreign speaker would, or not at all)."""
    found: list[Problem] = []
    if is_ssml(text):
        engines = frozenset().union(*voices.values()) if voices else frozenset()
        # Connect forgives an unknown tag or a change of voice in someone's flow; our own prompts are
        # spoken as written or not shipped: every problem is an error here.
        found.extend(Problem(p.message, "error", p.engine) for p in problems(text, engines))
    elif tag := markup_in_text(text):
        found.append(Problem(f"the text holds SSML ({tag}) but does not start with <speak>", "error"))
    if HANGUL.search(spoken_text(text)):
        foreign = sorted(v for v in voices if v not in KOREAN_VOICES)
        if foreign:
            found.append(
                Problem(
                    f"Korean text spoken by {', '.join(foreign)}, not a Korean voice "
                    f"({' or '.join(sorted(KOREAN_VOICES))})",
                    "error",
                )
            )
    return found
