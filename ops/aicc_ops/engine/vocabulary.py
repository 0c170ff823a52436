"""The ko-KR custom vocabulary of the domain's terms, derived from intents.yaml: every closed slot
type (resolution TopResolution, such as ServiceName: canonical values with their spoken synonyms)
gives one row per Hangul way of saying a value. DisplayAs is how the words said are written, so
only a transliteration (the slot type's `transliterations`: 이씨투 is EC2 said aloud) is displayed
as the value; a synonym that is a word of its own (인스턴스, 전용선) is a term without DisplayAs,
written as said: displaying it as a product would put words in the caller's mouth.
Open slot types (OriginalValue) only teach Lex a shape: their values are examples, not terms.

Where it is used: in this architecture the caller's speech in a flow is recognised by Lex V2 (the
bot's slot type values and synonyms already bias that), and Contact Lens transcribes the whole call
for analytics with the Connect instance's default vocabulary of the language. So the vocabulary is
a Connect vocabulary (CreateVocabulary, Terraform aws_connect_vocabulary), in Transcribe's table
format, which Connect's CreateVocabulary takes inline.

Format and limits (docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary-create-table.html,
custom-vocabulary.html; Connect API_CreateVocabulary.html): four TAB-separated columns Phrase,
SoundsLike, IPA, DisplayAs with a header row; Phrase has no spaces (words joined by hyphens) and no
digits; SoundsLike and IPA are no longer supported (left empty); each entry under 256 characters;
the file at most 50 KB; LF line ends; only the language's character set in Phrase (for ko-KR we
keep Hangul syllables and hyphens: charsets.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

HEADER = "Phrase\tSoundsLike\tIPA\tDisplayAs"
MAX_BYTES = 50 * 1024
MAX_ENTRY = 255  # "Each entry ... cannot exceed 256 characters" read strictly: fewer than 256
_PHRASE_KO = re.compile(r"[\uac00-\ud7a3]+(?:-[\uac00-\ud7a3]+)*")


def terms(intents: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(spoken form, display form) of every closed slot type's values and synonyms, in file order;
    the display form is "" (written as said) for a synonym that is not a transliteration."""
    found: list[tuple[str, str]] = []
    for spec in (intents.get("slot_types") or {}).values():
        if (spec or {}).get("resolution") != "TopResolution":
            continue
        synonyms_of = spec.get("synonyms") or {}  # canonical value -> its spoken synonyms
        spelled = {str(s) for s in spec.get("transliterations") or []}
        for value in spec.get("values") or []:
            canonical = str(value)
            synonyms = [str(s) for s in synonyms_of.get(value) or []]
            for said in [canonical, *synonyms]:
                phrase = "-".join(said.split())
                display = canonical if said == canonical or said in spelled else ""
                if _PHRASE_KO.fullmatch(phrase) and phrase not in (p for p, _ in found):
                    found.append((phrase, display))
    return found


def table(intents: Mapping[str, Any]) -> str:
    """The vocabulary in Transcribe's table format ("" when there is no term: no vocabulary)."""
    rows = [f"{phrase}\t\t\t{display}" for phrase, display in terms(intents)]
    return "\n".join([HEADER, *rows]) + "\n" if rows else ""


def problems(content: str) -> list[str]:
    """Why Connect/Transcribe would refuse this vocabulary (empty when it would not)."""
    found: list[str] = []
    if len(content.encode("utf-8")) > MAX_BYTES:
        found.append(f"{len(content.encode('utf-8'))} bytes; the limit is {MAX_BYTES}")
    if "\r" in content:
        found.append("CR line ends; the file must be LF")
    lines = content.split("\n")
    if lines[0] != HEADER:
        found.append(f"the first line must be the header {HEADER!r}")
    for n, line in enumerate(lines[1:], 2):
        if not line:
            continue
        cells = line.split("\t")
        if len(cells) != 4:
            found.append(f"line {n}: {len(cells)} columns, not 4 separated by single TABs")
            continue
        phrase, sounds, ipa, _display = cells
        if not _PHRASE_KO.fullmatch(phrase):
            found.append(f"line {n}: Phrase {phrase!r} must be Hangul words joined by hyphens")
        if sounds or ipa:
            found.append(f"line {n}: SoundsLike and IPA are no longer supported: leave them empty")
        if any(len(c) > MAX_ENTRY or c != c.strip() for c in cells):
            found.append(f"line {n}: an entry longer than {MAX_ENTRY} characters or with spaces around it")
    return found
