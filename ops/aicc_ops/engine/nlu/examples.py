"""Training examples from intents.yaml: every sample utterance with its slots filled in.

An utterance with `{Slot}` is written out with a few of the slot type's values and synonyms (chosen
deterministically, so a build is reproducible) and once without the slot ("{ServiceName} 장애예요"
-> "장애예요"), since callers often leave the product out. Out-of-scope sentences (data/) are the
negatives of FallbackIntent, which Lex builds in and intents.yaml therefore never lists.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .text import normalize

FALLBACK = "FallbackIntent"
_SLOT = re.compile(r"\{(\w+)\}")
# Values written in per slot of an utterance: enough variety, without one template outweighing others.
FILLS_PER_UTTERANCE = 6


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    template: str  # the sample utterance it came from: hold-out folds never split one


def slot_forms(slot_type: Mapping[str, Any]) -> list[str]:
    """Every way the type's values are said: the values and their synonyms."""
    forms = [str(v) for v in slot_type.get("values") or []]
    for synonyms in (slot_type.get("synonyms") or {}).values():
        forms.extend(str(s) for s in synonyms)
    return forms


def out_of_scope(locale: str) -> list[str]:
    """The out-of-scope sentences of a locale (data/out_of_scope.<locale>.txt), or none."""
    path = resources.files(__package__).joinpath(f"data/out_of_scope.{locale}.txt")
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _fills(template: str, slot_types: Mapping[str, list[str]], rng: random.Random) -> Iterator[str]:
    names = _SLOT.findall(template)
    if not names:
        yield template
        return
    bare = normalize(_SLOT.sub(" ", template))
    if len(bare.replace(" ", "")) >= 2:
        yield bare
    for _ in range(FILLS_PER_UTTERANCE):
        yield _SLOT.sub(lambda m: rng.choice(slot_types[m.group(1)]), template)


def training_examples(intents: Mapping[str, Any], locale: str) -> list[Example]:
    """The examples of one locale, FallbackIntent's negatives included, without duplicates."""
    types = intents.get("slot_types") or {}
    seen: set[tuple[str, str]] = set()
    out: list[Example] = []

    def add(text: str, intent: str, template: str) -> None:
        key = (normalize(text), intent)
        if key[0] and key not in seen:
            seen.add(key)
            out.append(Example(key[0], intent, template))

    for name, spec in (intents.get("intents") or {}).items():
        slots = {slot: slot_forms(types[s["type"]]) for slot, s in (spec.get("slots") or {}).items()}
        for template in (spec.get("utterances") or {}).get(locale) or []:
            # Seeded by the template: the same file always gives the same examples.
            rng = random.Random(hashlib.sha256(f"{name}|{template}".encode()).digest())
            for text in _fills(template, slots, rng):
                add(text, name, template)
    for sentence in out_of_scope(locale):
        add(sentence, FALLBACK, sentence)
    return out
