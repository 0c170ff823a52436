"""Lex V2 dialog code hook: put a bare answer into the intent the flow is asking for.

A bare answer ("솔트웨어") fits every capture intent (a single free-text slot), so Lex may pick the
wrong one or fall back. The flow names the intent it expects in the session attribute
`expected_intent`; when Lex landed elsewhere, spoken words close the expected intent with its slot
filled from the transcript. A digits slot (slot type with `digits: N`) takes speech and keypad alike:
"일이삼사", "사 팔 이 일" and 1234# all close the intent with "1234", and anything that is not N digits
closes FallbackIntent so that the flow asks again.

Which intents may win depends on the question (the same rule as the local NLU's): at a capture
question only the capture intents and TalkToAgent, elsewhere (a menu, "무엇을 도와드릴까요?") only
the "how can I help" intents, and an offer answer (`only_when_offered`, such as Decline: "아니요")
only where the menu's `menu_keys` name it. When Lex's top interpretation is not allowed there, the
best allowed one of its `interpretations` (ordered by nluConfidence) wins, else FallbackIntent.

A menu that also takes keys names them in the session attribute `menu_keys`
("1=ReportOutage 0=TalkToAgent *=RepeatMenu"): Lex V2 gives a key press as the input transcript
with inputMode DTMF, and the key's intent closes the turn (a key the menu lacks: FallbackIntent).
Everything else is delegated to Lex unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from aicc.domain import spoken_digits

EXPECTED_INTENT = "expected_intent"
MENU_KEYS = "menu_keys"
FALLBACK_INTENT = "FallbackIntent"
TALK_TO_AGENT = "TalkToAgent"
_FREE_TEXT_BUILTINS = frozenset({"AMAZON.FreeFormInput"})


def _free_text(spec: Mapping[str, Any]) -> bool:
    """A slot type that keeps what the caller said: AMAZON.FreeFormInput, or custom OriginalValue."""
    builtin = spec.get("builtin")
    return builtin in _FREE_TEXT_BUILTINS or (not builtin and spec.get("resolution") == "OriginalValue")


@dataclass(frozen=True)
class Capture:
    """The one slot a capture intent fills, and for a digits slot how many digits it takes."""

    slot: str
    digits: int | None = None


def capture_slots(intents_config: Mapping[str, Any]) -> dict[str, Capture]:
    """Capture intents from intents.yaml (exactly one slot, of a free-text type) → their slot."""
    slot_types: Mapping[str, Any] = intents_config.get("slot_types") or {}
    free_text = {name for name, spec in slot_types.items() if _free_text(spec or {})}
    out: dict[str, Capture] = {}
    for intent, spec in (intents_config.get("intents") or {}).items():
        slots: Mapping[str, Any] = (spec or {}).get("slots") or {}
        if len(slots) == 1:
            ((slot, slot_spec),) = slots.items()
            stype = (slot_spec or {}).get("type")
            if stype in free_text:
                digits = (slot_types[stype] or {}).get("digits")
                out[intent] = Capture(slot, int(digits) if digits else None)
    return out


def offer_answers(intents_config: Mapping[str, Any]) -> frozenset[str]:
    """Intents heard only at a question that offers them (`only_when_offered: true`: Decline)."""
    intents: Mapping[str, Any] = intents_config.get("intents") or {}
    return frozenset(name for name, spec in intents.items() if (spec or {}).get("only_when_offered"))


def menu_keys(value: str) -> dict[str, str]:
    """The `menu_keys` session attribute ("1=ReportOutage *=RepeatMenu") as key -> intent."""
    pairs = (item.split("=", 1) for item in value.split() if "=" in item)
    return {key.strip(): intent.strip() for key, intent in pairs if key.strip() and intent.strip()}


def best_allowed(event: Mapping[str, Any], allowed: Collection[str]) -> Mapping[str, Any] | None:
    """The intent of the most confident interpretation Lex made that the question allows."""
    ranked = sorted(
        (i for i in event.get("interpretations") or [] if (i.get("intent") or {}).get("name") in allowed),
        key=lambda i: float(i.get("nluConfidence") or 0.0),
        reverse=True,
    )
    return ranked[0]["intent"] if ranked else None


def _slot_values(intent: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, slot in (intent.get("slots") or {}).items():
        value = ((slot or {}).get("value") or {}).get("interpretedValue")
        if value is not None:
            out[name] = str(value)
    return out


def _close(
    attributes: Mapping[str, Any], intent: str, state: str, slots: Mapping[str, str]
) -> dict[str, Any]:
    closed = {
        "name": intent,
        "state": state,
        "confirmationState": "None",
        "slots": {
            name: {"value": {"originalValue": v, "interpretedValue": v, "resolvedValues": [v]}}
            for name, v in slots.items()
        },
    }
    return {
        "sessionState": {
            "sessionAttributes": dict(attributes),
            "dialogAction": {"type": "Close"},
            "intent": closed,
        }
    }


def respond(
    event: Mapping[str, Any],
    captures: Mapping[str, Capture],
    menu_intents: Collection[str] = frozenset(),
) -> dict[str, Any]:
    """The code hook's response to one Lex V2 event (see the reference, section 5).
    `menu_intents`: the "how can I help" intents, allowed where no capture question is asked."""
    state: Mapping[str, Any] = event.get("sessionState") or {}
    attributes = dict(state.get("sessionAttributes") or {})
    intent: Mapping[str, Any] = state.get("intent") or {}
    current = str(intent.get("name") or "")
    expected = str(attributes.get(EXPECTED_INTENT) or "")
    transcript = str(event.get("inputTranscript") or "").strip()

    capture = captures.get(expected)
    keys = menu_keys(str(attributes.get(MENU_KEYS) or ""))
    if keys and event.get("inputMode") == "DTMF":
        pressed = keys.get(transcript.rstrip("#"))
        if pressed is None:
            return _close(attributes, FALLBACK_INTENT, "Failed", {})
        return _close(attributes, pressed, "Fulfilled", {})
    # At a menu its keys' intents are answers too: the offer answers (Decline) it names.
    allowed = {*captures, TALK_TO_AGENT} if capture is not None else {*menu_intents, *keys.values()}
    if allowed and current and current != FALLBACK_INTENT and current not in allowed:
        # Lex's top intent is not an answer to this question: its best allowed interpretation is.
        chosen = best_allowed(event, allowed)
        if chosen is not None and (capture is None or str(chosen.get("name")) == TALK_TO_AGENT):
            return _close(attributes, str(chosen["name"]), "Fulfilled", _slot_values(chosen))
        if capture is None:
            return _close(attributes, FALLBACK_INTENT, "Failed", {})
        # A capture interpretation (or none): the words answer the question asked, as below.
        intent, current = chosen or {}, FALLBACK_INTENT
    # An intent of its own ("상담원 연결해주세요") is the caller's answer; any capture is not.
    own_intent = bool(current) and current != FALLBACK_INTENT and current not in captures
    if capture is not None and capture.digits is not None and not own_intent:
        # Keypad and speech alike: the slot Lex filled from a carrier phrase ("끝자리는 일이삼사"),
        # else the whole transcript.
        said = ((intent.get("slots") or {}).get(capture.slot) or {}).get("value") or {}
        value = spoken_digits.exactly(str(said.get("originalValue") or ""), capture.digits)
        value = value or spoken_digits.exactly(transcript, capture.digits)
        if value is None:
            return _close(attributes, FALLBACK_INTENT, "Failed", {})
        return _close(attributes, expected, "Fulfilled", {capture.slot: value})
    landed_wrong = current == FALLBACK_INTENT or (current in captures and current != expected)
    # Only spoken words answer a name or incident prompt: keypad digits ("1#") are not a company.
    words = event.get("inputMode") != "DTMF" and any(ch.isalpha() for ch in transcript)
    if capture is not None and landed_wrong and words:
        return _close(attributes, expected, "Fulfilled", {capture.slot: transcript})
    delegate: dict[str, Any] = {"sessionAttributes": attributes, "dialogAction": {"type": "Delegate"}}
    if intent:
        delegate["intent"] = dict(intent)
    return {"sessionState": delegate}
