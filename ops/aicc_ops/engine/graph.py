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


def next_reachable(action: Mapping[str, Any]) -> bool:
    """Whether the default NextAction can ever be taken (the console writes one even where it cannot)."""
    kind = str(action.get("Type"))
    t = action.get("Transitions") or {}
    if SPECS.get(kind) and SPECS[kind].leaves_flow:
        return False  # success leaves the flow
    if kind in ("Loop", "CheckHoursOfOperation"):
        return False  # the two required conditions cover every result
    errors = {e.get("ErrorType") for e in t.get("Errors") or []}
    return not (t.get("Conditions") and "NoMatchingCondition" in errors)


def branches(action: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(branch, target) for every transition that can be taken: "next", "<Operator>:<operand>",
    "error:<ErrorType>"."""
    t = action.get("Transitions") or {}
    if t.get("NextAction") and next_reachable(action):
        yield "next", t["NextAction"]
    for c in t.get("Conditions") or []:
        cond = c.get("Condition") or {}
        yield f"{cond.get('Operator')}:{(cond.get('Operands') or [''])[0]}", c.get("NextAction", "")
    for e in t.get("Errors") or []:
        yield f"error:{e.get('ErrorType')}", e.get("NextAction", "")


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
