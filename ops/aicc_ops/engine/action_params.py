"""An action's parameters read by their documented shape, as the simulator's handlers take them.

A parameter of the wrong shape at run time (a list where the action takes a map, a dynamic value
that resolved to text where a number is needed) is what Connect would refuse: the handler raises
`BadParameterError` on purpose, and the interpreter turns it into the action's NoMatchingError
branch ("NoMatchingError if no other Error matches", on every action's page of the Flow Language
reference). Any other exception in a handler is a bug of the simulator, never a flow's branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class BadParameterError(ValueError):
    """A parameter resolved at run time to a value Connect would refuse (the action errors)."""


def _shape(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else f"a {type(value).__name__}"


def map_param(params: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A parameter that is a map (Tags, Attributes, LexSessionAttributes...); {} when absent."""
    value = params.get(key)
    if value is None or value == "":
        return {}
    if not isinstance(value, Mapping):
        raise BadParameterError(f"{key} is {_shape(value)}, not a map")
    return value


def list_param(params: Mapping[str, Any], key: str) -> list[Any]:
    """A parameter that is a list (TagKeys, Messages, RecordedParticipants...); [] when absent."""
    value = params.get(key)
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise BadParameterError(f"{key} is {_shape(value)}, not a list")
    return value


def maps_param(params: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """A parameter that is a list of maps (Messages of Loop prompts)."""
    items = list_param(params, key)
    if any(not isinstance(item, Mapping) for item in items):
        raise BadParameterError(f"{key} holds something other than maps")
    return items


def int_param(params: Mapping[str, Any], key: str, default: int) -> int:
    """A parameter that is a whole number, written as text in the Flow Language ("8")."""
    value = params.get(key, default)
    try:
        return int(str(value))
    except ValueError:
        raise BadParameterError(f"{key} is {value!r}, not a number") from None
