"""Connect's routing criteria (the "Set routing criteria" block, action UpdateRoutingCriteria): what a
flow may write, and which agents a queued contact may be offered as its wait goes on.

Sources: the action's parameter object (APIReference/flow-control-actions-updateroutingcriteria.html):
`RoutingCriteria.Steps`, each an `Expression` (required; a tagged union: `AttributeCondition` {Name,
Value 1-64 characters, ProficiencyLevel 1.0-5.0, ComparisonOperator NumberGreaterOrEqualTo} or
`AndExpression`, a list of expressions) and an `Expiry` whose `DurationInSeconds` is static; the API's
RoutingCriteriaInput shape (botocore's connect model, UpdateContactRoutingData) holds the same objects
and adds OrExpression, NotAttributeCondition, Range and MatchCriteria (preferred agents). Matching
(API_RoutingCriteria.html): "When Amazon Connect does not find an available agent meeting the
requirements in a step for a given step duration, the routing criteria will move on to the next
step sequentially ... When all steps are exhausted, the contact will be offered to any agent in the
queue." The criteria is activated when the contact is transferred to a queue (ActivationTimestamp),
so the steps' time counts from then; it never applies in an agent's own queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aicc.domain.proficiency import CONDITION_TEXT_MAX, LEVELS_TEXT, is_level

AT_LEAST, RANGE = "NumberGreaterOrEqualTo", "Range"
EXPRESSIONS = ("AttributeCondition", "AndExpression", "OrExpression", "NotAttributeCondition")
CONDITION_KEYS = frozenset(
    {"Name", "Value", "ProficiencyLevel", "Range", "MatchCriteria", "ComparisonOperator"}
)
STEP_KEYS = frozenset({"Expression", "Expiry"})

# An agent's proficiencies (core.connect_users.held_proficiencies): (AttributeName, AttributeValue) -> Level.
Proficiencies = Mapping[tuple[str, str], float]
Known = Callable[[Any], bool]


@dataclass(frozen=True)
class Step:
    expression: Mapping[str, Any]
    expiry: int | None  # seconds the step applies; None: it never expires


@dataclass(frozen=True)
class RoutingCriteria:
    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, value: Any) -> RoutingCriteria:
        """The criteria of a well-formed parameter; ValueError with every problem otherwise."""
        found = problems(value)
        if found:
            raise ValueError("; ".join(found))
        return cls(
            tuple(
                Step(s["Expression"], int(float(s["Expiry"]["DurationInSeconds"])) if "Expiry" in s else None)
                for s in value["Steps"]
            )
        )

    def active_step(self, elapsed: float) -> Step | None:
        """The step in force `elapsed` seconds after the contact was queued; None once every step
        has expired (then any agent of the queue may take the contact)."""
        start = 0.0
        for step in self.steps:
            if step.expiry is None or elapsed < start + step.expiry:
                return step
            start += step.expiry
        return None

    def accepts(self, agent_id: str, held: Proficiencies, elapsed: float) -> bool:
        """Whether the agent may be offered the contact now."""
        step = self.active_step(elapsed)
        return step is None or _matches(step.expression, agent_id, held)


def _matches(expression: Mapping[str, Any], agent_id: str, held: Proficiencies) -> bool:
    if "AttributeCondition" in expression:
        return _condition(expression["AttributeCondition"], agent_id, held)
    if "NotAttributeCondition" in expression:
        return not _condition(expression["NotAttributeCondition"], agent_id, held)
    if "AndExpression" in expression:
        return all(_matches(e, agent_id, held) for e in expression["AndExpression"])
    return any(_matches(e, agent_id, held) for e in expression.get("OrExpression") or [])


def _condition(condition: Mapping[str, Any], agent_id: str, held: Proficiencies) -> bool:
    if "MatchCriteria" in condition:
        return agent_id in (condition["MatchCriteria"].get("AgentsCriteria") or {}).get("AgentIds", [])
    level = held.get((str(condition["Name"]), str(condition["Value"])))
    if level is None:
        return False
    if condition.get("ComparisonOperator") == RANGE:
        bounds = condition["Range"]
        return float(bounds["MinProficiencyLevel"]) <= level <= float(bounds["MaxProficiencyLevel"])
    return level >= float(condition["ProficiencyLevel"])


def _number(value: Any) -> float | None:
    """A JSON number, or text of one: flow parameters are often written as text ("4.0"), and the
    docs do not say Connect refuses it (the lenient side, as actions.py takes it)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _level_problem(value: Any, where: str, known: Known) -> str | None:
    number = _number(value)
    if known(value) and (number is None or not is_level(number)):
        return f"{where} must be one of {LEVELS_TEXT}, got {value!r}"
    return None


def _condition_problems(c: Any, where: str, known: Known) -> list[str]:
    if not isinstance(c, Mapping):
        return [f"{where} must be an object"]
    out = [f"{where} has no field {k!r}" for k in sorted(set(c) - CONDITION_KEYS)]
    if "MatchCriteria" in c:
        ids = (
            (c["MatchCriteria"].get("AgentsCriteria") or {})
            if isinstance(c["MatchCriteria"], Mapping)
            else {}
        )
        if not isinstance(ids, Mapping) or not isinstance(ids.get("AgentIds"), list):
            out.append(f"{where}.MatchCriteria must be {{AgentsCriteria: {{AgentIds: [...]}}}}")
        return out
    for key in ("Name", "Value"):
        text = c.get(key)
        if known(text) and (not isinstance(text, str) or not 1 <= len(text) <= CONDITION_TEXT_MAX):
            out.append(
                f"{where}.{key} must be 1-{CONDITION_TEXT_MAX} characters (a predefined attribute's), "
                f"got {text!r}"
            )
    operator = c.get("ComparisonOperator")
    if operator == AT_LEAST:
        problem = _level_problem(c.get("ProficiencyLevel"), f"{where}.ProficiencyLevel", known)
        out += [problem] if problem else []
    elif operator == RANGE:
        bounds = c.get("Range")
        if not isinstance(bounds, Mapping):
            out.append(f"{where}.Range must give MinProficiencyLevel and MaxProficiencyLevel")
        else:
            for key in ("MinProficiencyLevel", "MaxProficiencyLevel"):
                problem = _level_problem(bounds.get(key), f"{where}.Range.{key}", known)
                out += [problem] if problem else []
    else:
        out.append(f"{where}.ComparisonOperator must be {AT_LEAST} (or {RANGE}), got {operator!r}")
    return out


def _expression_problems(e: Any, where: str, known: Known) -> list[str]:
    if not isinstance(e, Mapping):
        return [f"{where} must be an object"]
    kinds = [k for k in EXPRESSIONS if k in e]
    out = [f"{where} has no field {k!r}" for k in sorted(set(e) - set(EXPRESSIONS))]
    if len(kinds) != 1:
        return [*out, f"{where} must hold exactly one of {', '.join(EXPRESSIONS)} (a tagged union)"]
    (kind,) = kinds
    if kind in ("AttributeCondition", "NotAttributeCondition"):
        return out + _condition_problems(e[kind], f"{where}.{kind}", known)
    parts = e[kind]
    if not isinstance(parts, list) or not parts:
        return [*out, f"{where}.{kind} must be a non-empty list of expressions"]
    for i, part in enumerate(parts):
        out += _expression_problems(part, f"{where}.{kind}[{i}]", known)
    return out


def problems(criteria: Any, known: Known = lambda value: True) -> list[str]:
    """Why Connect refuses this RoutingCriteria parameter ([] when it is well-formed); a value
    `known` says cannot be judged yet (a deploy-time placeholder, for the linter) passes."""
    if not isinstance(criteria, Mapping) or set(criteria) != {"Steps"}:
        return ["RoutingCriteria must be an object with Steps (and nothing else)"]
    steps = criteria["Steps"]
    if not isinstance(steps, list) or not steps:
        return ["RoutingCriteria.Steps must be a non-empty list of routing steps"]
    out: list[str] = []
    for i, step in enumerate(steps):
        where = f"Steps[{i}]"
        if not isinstance(step, Mapping):
            out.append(f"{where} must be an object")
            continue
        out += [f"{where} has no field {k!r}" for k in sorted(set(step) - STEP_KEYS)]
        if "Expression" not in step:
            out.append(f"{where}.Expression is required")
        else:
            out += _expression_problems(step["Expression"], f"{where}.Expression", known)
        if "Expiry" in step:
            expiry = step["Expiry"]
            seconds = expiry.get("DurationInSeconds") if isinstance(expiry, Mapping) else None
            if not isinstance(expiry, Mapping) or set(expiry) != {"DurationInSeconds"}:
                out.append(f"{where}.Expiry must be {{DurationInSeconds: N}}")
            elif known(seconds) and ((n := _number(seconds)) is None or n <= 0 or n != int(n)):
                out.append(f"{where}.Expiry.DurationInSeconds must be a whole number of seconds above 0")
    return out


def unreachable_steps(criteria: RoutingCriteria) -> list[int]:
    """Indexes of steps that can never apply: they follow a step that never expires."""
    ends = [i for i, s in enumerate(criteria.steps) if s.expiry is None]
    return list(range(ends[0] + 1, len(criteria.steps))) if ends else []
