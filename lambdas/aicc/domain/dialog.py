"""Lex V2 dialog code hook: put a bare answer into the intent the flow is asking for.

A bare answer ("솔트웨어") fits every capture intent (a single free-text slot), so Lex may pick the
wrong one or fall back. The flow names the intent it expects in the session attribute
`expected_intent`; when Lex landed elsewhere, spoken words close the expected intent with its slot
filled from the transcript. Everything else (keypad input included) is delegated to Lex unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EXPECTED_INTENT = "expected_intent"
FALLBACK_INTENT = "FallbackIntent"
_FREE_TEXT_BUILTINS = frozenset({"AMAZON.FreeFormInput"})


def _free_text(spec: Mapping[str, Any]) -> bool:
    """A slot type that keeps what the caller said: AMAZON.FreeFormInput, or custom OriginalValue."""
    builtin = spec.get("builtin")
    return builtin in _FREE_TEXT_BUILTINS or (not builtin and spec.get("resolution") == "OriginalValue")


def capture_slots(intents_config: Mapping[str, Any]) -> dict[str, str]:
    """Capture intents from intents.yaml (exactly one slot, of a free-text type) → their slot name."""
    slot_types: Mapping[str, Any] = intents_config.get("slot_types") or {}
    free_text = {name for name, spec in slot_types.items() if _free_text(spec or {})}
    out: dict[str, str] = {}
    for intent, spec in (intents_config.get("intents") or {}).items():
        slots: Mapping[str, Any] = (spec or {}).get("slots") or {}
        if len(slots) == 1:
            ((slot, slot_spec),) = slots.items()
            if (slot_spec or {}).get("type") in free_text:
                out[intent] = slot
    return out


def respond(event: Mapping[str, Any], captures: Mapping[str, str]) -> dict[str, Any]:
    """The code hook's response to one Lex V2 event (see the reference, section 5)."""
    state: Mapping[str, Any] = event.get("sessionState") or {}
    attributes = dict(state.get("sessionAttributes") or {})
    intent: Mapping[str, Any] = state.get("intent") or {}
    current = str(intent.get("name") or "")
    expected = str(attributes.get(EXPECTED_INTENT) or "")
    transcript = str(event.get("inputTranscript") or "").strip()

    landed_wrong = current == FALLBACK_INTENT or (current in captures and current != expected)
    # Only spoken words answer a name or incident prompt: keypad digits ("1#") are not a company.
    words = event.get("inputMode") != "DTMF" and any(ch.isalpha() for ch in transcript)
    if expected in captures and landed_wrong and words:
        slot_value = {
            "value": {
                "originalValue": transcript,
                "interpretedValue": transcript,
                "resolvedValues": [transcript],
            }
        }
        closed = {
            "name": expected,
            "state": "Fulfilled",
            "confirmationState": "None",
            "slots": {captures[expected]: slot_value},
        }
        return {
            "sessionState": {
                "sessionAttributes": attributes,
                "dialogAction": {"type": "Close"},
                "intent": closed,
            }
        }
    delegate: dict[str, Any] = {"sessionAttributes": attributes, "dialogAction": {"type": "Delegate"}}
    if intent:
        delegate["intent"] = dict(intent)
    return {"sessionState": delegate}
