"""A flow as the graph of transitions Connect can really take, and path analyses over it.

One home for "where can the contact go next": the interpreter's coverage and the linter's path
rules (reachability, working queue, language, voice, $.External, silent hang-ups) all read
`branches`. A transfer's NextAction is not a branch: success leaves the flow, and only its error
branches continue in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from .actions import SPECS

T = TypeVar("T")
# A may-analysis: the facts that can hold before each action, given the facts at the flow's start
# and how an edge (action, branch label) turns the facts before the action into those after it.
Transfer = Callable[[Mapping[str, Any], str, frozenset[T]], frozenset[T]]


def transitions(action: Mapping[str, Any]) -> dict[str, Any]:
    """The well-formed part of an action's Transitions, whatever JSON a file holds: NextAction a
    string; Conditions a list of {NextAction, Condition: {Operator, Operands: [str]}}; Errors a list of
    {ErrorType, NextAction} (connect-flow-language.md §1.4). Every analysis reads this; the linter
    reports the parts left out (`shape_problems`)."""
    t = action.get("Transitions")
    if not isinstance(t, dict):
        return {}
    out: dict[str, Any] = {}
    if isinstance(t.get("NextAction"), str) and t["NextAction"]:
        out["NextAction"] = t["NextAction"]
    conditions = t.get("Conditions")
    if isinstance(conditions, list):
        out["Conditions"] = [
            {
                "NextAction": _target(c),
                "Condition": {
                    "Operator": str(c["Condition"].get("Operator")),
                    "Operands": [str(o) for o in _list(c["Condition"].get("Operands"))],
                },
            }
            for c in conditions
            if isinstance(c, dict) and isinstance(c.get("Condition"), dict)
        ]
    errors = t.get("Errors")
    if isinstance(errors, list):
        out["Errors"] = [
            {"ErrorType": e["ErrorType"], "NextAction": _target(e)}
            for e in errors
            if isinstance(e, dict) and isinstance(e.get("ErrorType"), str)
        ]
    return out


def _target(entry: Mapping[str, Any]) -> str:
    target = entry.get("NextAction")
    return target if isinstance(target, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_CONDITION = "{NextAction, Condition: {Operator, Operands}}"


def shape_problems(t: Mapping[str, Any]) -> Iterator[str]:
    """What in a Transitions object is not the Flow Language's shape (§1.4): the parts `transitions`
    leaves out."""
    if "NextAction" in t and not (isinstance(t["NextAction"], str) and t["NextAction"]):
        yield f"Transitions.NextAction must be an action's Identifier (a string), got {t['NextAction']!r}"
    for key, shape, inner, inner_type in (
        ("Errors", "{ErrorType, NextAction}", "ErrorType", str),
        ("Conditions", _CONDITION, "Condition", dict),
    ):
        entries = t.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            yield f"Transitions.{key} must be a list of {shape}, got {entries!r}"
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get(inner), inner_type):
                yield f"Transitions.{key}[{i}] must be {shape}, got {entry!r}"
            elif "NextAction" in entry and not isinstance(entry["NextAction"], str):
                got = entry["NextAction"]
                yield f"Transitions.{key}[{i}].NextAction must be an action's Identifier, got {got!r}"


def next_reachable(action: Mapping[str, Any]) -> bool:
    """Whether the default NextAction can ever be taken (the console writes one even where it cannot)."""
    kind = str(action.get("Type"))
    t = transitions(action)
    if SPECS.get(kind) and SPECS[kind].leaves_flow:
        return False  # success leaves the flow
    if kind in ("Loop", "CheckHoursOfOperation"):
        return False  # the two required conditions cover every result
    errors = {e["ErrorType"] for e in t.get("Errors", [])}
    return not (t.get("Conditions") and "NoMatchingCondition" in errors)


def branches(action: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(branch, target) for every transition that can be taken: "next", "<Operator>:<operand>",
    "error:<ErrorType>"."""
    t = transitions(action)
    if t.get("NextAction") and next_reachable(action):
        yield "next", t["NextAction"]
    for c in t.get("Conditions", []):
        cond = c["Condition"]
        yield f"{cond['Operator']}:{(cond['Operands'] or [''])[0]}", c["NextAction"]
    for e in t.get("Errors", []):
        yield f"error:{e['ErrorType']}", e["NextAction"]


def is_error(branch: str) -> bool:
    return branch.startswith("error:")


def reachable(actions: Mapping[str, Mapping[str, Any]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        ident = todo.pop()
        if ident in seen or ident not in actions:
            continue
        seen.add(ident)
        todo.extend(target for _, target in branches(actions[ident]))
    return seen


def facts_before(
    actions: Mapping[str, Mapping[str, Any]],
    start: str,
    initial: Iterable[T],
    transfer: Transfer[T],
) -> dict[str, frozenset[T]]:
    """Least fixed point of a may-analysis: for each action, every fact some path to it can carry."""
    state: dict[str, frozenset[T]] = {i: frozenset() for i in actions}
    if start not in actions:
        return state
    state[start] = frozenset(initial)
    visited = {start}
    todo = [start]
    while todo:
        ident = todo.pop()
        action = actions[ident]
        for branch, target in branches(action):
            if target not in actions:
                continue
            after = transfer(action, branch, state[ident])
            if target not in visited or not after <= state[target]:
                visited.add(target)
                state[target] = state[target] | after
                todo.append(target)
    return state
