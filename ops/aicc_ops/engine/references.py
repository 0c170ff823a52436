"""Dynamic references ($.Attributes.x, $.External.x, $.Lex.Slots.x ...) in flow parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# The first segment of every reference the docs list, by the page's sections ("List of available
# contact attributes and their JSONPath references"):
# https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html
NAMESPACES = frozenset(
    {
        # System attributes ($.AwsRegion is also written $['AwsRegion'])
        "AwsRegion",
        "CustomerEndpoint",
        "CustomerId",
        "SystemEndpoint",
        "AdditionalEmailRecipients",
        "StoredCustomerInput",
        "Queue",
        "TextToSpeechVoiceId",
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "Task",
        "Channel",
        "InstanceARN",
        "InitiationMethod",
        "LanguageCode",
        "Name",
        "Description",
        "References",
        "Tags",
        # Segment attributes ($.SegmentAttributes['connect:Subtype']); the page writes one of them
        # $.Segment.Attributes['connect:ValidationTestType'], so that spelling parses too.
        "SegmentAttributes",
        "Segment",
        # View, capability, agent, queue and contact metrics attributes
        "Views",
        "Capabilities",
        "Agent",
        "Metrics",
        # Telephony (SIP headers), chat initial message, email and media streams attributes
        "Media",
        "Email",
        "MediaStreams",
        # Lex, Cases, Lambda ($.External, $.LambdaInvocation), user-defined and flow attributes
        "Lex",
        "Case",
        "External",
        "LambdaInvocation",
        "Attributes",
        "FlowAttributes",
        # Loop, flow module and data table attributes
        "Loop",
        "Modules",
        "DataTables",
        "DataTableList",
        # Customer Profiles and Connect AI agents (Wisdom) attributes
        "Customer",
        "Wisdom",
    }
)

# A reference inside text: $.Ns.seg.seg, $.Ns['quoted key'], $['Ns'] or a list index $.Ns.list[0].
_SEGMENT = r"(?:\.[A-Za-z0-9_-]+|\.?\['[^']+'\]|\[\d+\])"
REFERENCE = re.compile(rf"\$(?:\.[A-Za-z]+|\['[A-Za-z]+'\]){_SEGMENT}*")
_PARTS = re.compile(r"\.([A-Za-z0-9_-]+)|\.?\['([^']+)'\]|\[(\d+)\]")


class InvalidReferenceError(ValueError):
    """A reference that is not valid Flow Language (unknown namespace, bad syntax)."""


def parse(reference: str) -> list[str]:
    """'$.Attributes.['a b'].c[0]' -> ['Attributes', 'a b', 'c', '0']; raises on an unknown namespace."""
    return list(_parsed(reference))


@lru_cache(maxsize=4096)
def _parsed(reference: str) -> tuple[str, ...]:
    """`parse`, once per reference: a flow's references are few and each is resolved at every
    block that names it, on every call."""
    if not reference.startswith("$"):
        raise InvalidReferenceError(f"{reference!r} is not a reference (must start with $.)")
    parts = [a or b or c for a, b, c in _PARTS.findall(reference[1:])]
    rebuilt = "".join(f".{p}" if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f"['{p}']" for p in parts)
    if not parts or len(rebuilt) > len(reference):
        raise InvalidReferenceError(f"{reference!r} is not a valid reference")
    if parts[0] not in NAMESPACES:
        raise InvalidReferenceError(f"{reference!r}: unknown namespace $.{parts[0]}")
    return tuple(parts)


def is_single_reference(value: str) -> bool:
    m = REFERENCE.fullmatch(value.strip())
    return m is not None


def references_in(text: str) -> list[str]:
    return REFERENCE.findall(text)


def resolve(reference: str, view: Mapping[str, Any]) -> Any:
    """Value at the reference, or None when any part is missing (a digit part also indexes a list)."""
    value: Any = view
    for part in _parsed(reference):
        # A dict first: the views are dicts, and an ABC's isinstance is several times slower.
        if (type(value) is dict or isinstance(value, Mapping)) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def as_text(value: Any) -> str:
    if type(value) is str:  # most values: str() would return the very same text
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def interpolate(text: str, view: Mapping[str, Any]) -> str:
    """Replace every embedded reference; unresolved ones become empty text (as Connect renders them)."""
    if "$" not in text:  # most parameters: no reference can start, and the regex is a scan slower
        return text
    pieces = _pieces(text)
    if len(pieces) == 3 and not pieces[0] and not pieces[2]:  # the text is one reference
        return as_text(resolve(pieces[1], view))
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        out += (as_text(resolve(pieces[i], view)), pieces[i + 1])
    return "".join(out)


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[str, ...]:
    """The text around its references and the references, alternating (text first and last): a
    flow's texts are few and each is interpolated at every block that holds it, on every call."""
    pieces: list[str] = []
    end = 0
    for m in REFERENCE.finditer(text):
        pieces += (text[end : m.start()], m.group(0))
        end = m.end()
    pieces.append(text[end:])
    return tuple(pieces)


def resolve_param(value: Any, view: Mapping[str, Any], *, single: bool) -> Any:
    """A parameter value at run time: whole-path lookup for single-path params, interpolation otherwise."""
    if isinstance(value, str):
        if single:
            return resolve(value, view) if value.startswith("$") else value
        return interpolate(value, view)
    if type(value) is dict or isinstance(value, Mapping):
        return {k: resolve_param(v, view, single=False) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_param(v, view, single=False) for v in value]
    return value


def namespaces_read(value: Any, *, single: bool) -> set[str]:
    """The namespaces `resolve_param` reads resolving `value` (the first segment of each reference
    it looks up), found as it walks; raises InvalidReferenceError where it would."""
    if isinstance(value, str):
        if single:
            return {_parsed(value)[0]} if value.startswith("$") else set()
        return {_parsed(r)[0] for r in REFERENCE.findall(value)} if "$" in value else set()
    if type(value) is dict or isinstance(value, Mapping):
        return set().union(*(namespaces_read(v, single=False) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(namespaces_read(v, single=False) for v in value))
    return set()
