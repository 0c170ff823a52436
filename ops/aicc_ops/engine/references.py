"""Dynamic references ($.Attributes.x, $.External.x, $.Lex.Slots.x ...) in flow parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

# A parameter's value as a function of the contact's view (`resolver`).
Resolver = Callable[[Mapping[str, Any]], Any]

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
    return _at(_parsed(reference), view)


def _at(path: tuple[str, ...], view: Mapping[str, Any]) -> Any:
    value: Any = view
    for part in path:
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
    return str(_interpolation(text)[0](view))


@lru_cache(maxsize=4096)
def _interpolation(text: str) -> tuple[Resolver, frozenset[str]]:
    """`interpolate` of one text as a function of the view, and the namespaces it reads: worked out
    once per text (a flow's texts are few, and each is interpolated at every block that holds it, on
    every call). Raises InvalidReferenceError where interpolating would: at its first bad reference."""
    texts, paths, end = [], [], 0
    for m in REFERENCE.finditer(text):
        texts.append(text[end : m.start()])
        paths.append(_parsed(m.group(0)))
        end = m.end()
    texts.append(text[end:])
    read = frozenset(path[0] for path in paths)
    if not paths:
        return (lambda view: text), read
    if len(paths) == 1 and not texts[0] and not texts[1]:  # the text is one reference
        path = paths[0]
        return (lambda view: as_text(_at(path, view))), read

    def interpolated(view: Mapping[str, Any]) -> str:
        out = [texts[0]]
        for path, after in zip(paths, texts[1:], strict=True):
            out += (as_text(_at(path, view)), after)
        return "".join(out)

    return interpolated, read


def resolver(value: Any, *, single: bool, read: set[str]) -> Resolver:
    """`resolve_param` of a value that does not change (a flow action's parameter) as a function of
    the view, worked out once; the namespaces it reads are added to `read`. Raises
    InvalidReferenceError where resolving would (at the first bad reference)."""
    if isinstance(value, str):
        if single and value.startswith("$"):
            path = _parsed(value)
            read.add(path[0])
            return lambda view: _at(path, view)
        if single or "$" not in value:
            return lambda view: value
        text_of, names = _interpolation(value)
        read.update(names)
        return text_of
    if type(value) is dict or isinstance(value, Mapping):
        items = [(k, resolver(v, single=False, read=read)) for k, v in value.items()]
        return lambda view: {k: of(view) for k, of in items}
    if isinstance(value, list):
        each = [resolver(v, single=False, read=read) for v in value]
        return lambda view: [of(view) for of in each]
    return lambda view: value


def resolve_param(value: Any, view: Mapping[str, Any], *, single: bool) -> Any:
    """A parameter value at run time: whole-path lookup for single-path params, interpolation otherwise."""
    return resolver(value, single=single, read=set())(view)
