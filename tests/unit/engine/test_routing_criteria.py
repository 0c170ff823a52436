"""Routing criteria (UpdateRoutingCriteria): the steps' expiry, agents matched by proficiency, the
parameter's shape per the Flow Language page and the API model, and General Customer's block."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from helpers import BYE, block, flow_of

from aicc.settings import config
from aicc_ops.engine import lint
from aicc_ops.engine.flows import Flow, Resources
from aicc_ops.engine.routing_criteria import CONDITION_KEYS, EXPRESSIONS, STEP_KEYS, RoutingCriteria, problems


def _at_least(name: str, value: str, level: float) -> dict[str, Any]:
    return {
        "AttributeCondition": {
            "Name": name,
            "Value": value,
            "ProficiencyLevel": level,
            "ComparisonOperator": "NumberGreaterOrEqualTo",
        }
    }


# Two expiring steps: experience >= 4 for 30 s, then experience >= 2 for 60 s, then anyone.
TWO_STEPS = {
    "Steps": [
        {"Expression": _at_least("experience", "complaints", 4.0), "Expiry": {"DurationInSeconds": 30}},
        {"Expression": _at_least("experience", "complaints", 2.0), "Expiry": {"DurationInSeconds": 60}},
    ]
}
SENIOR = {("experience", "complaints"): 5.0}
JUNIOR = {("experience", "complaints"): 2.0}
NONE: dict[tuple[str, str], float] = {}


@pytest.mark.parametrize(
    ("elapsed", "senior", "junior", "anyone"),
    [
        (0, True, False, False),
        (29.9, True, False, False),
        (30, True, True, False),  # the first step expired: the second applies
        (89.9, True, True, False),
        (90, True, True, True),  # every step expired: any agent of the queue
        (3600, True, True, True),
    ],
)
def test_steps_apply_in_order_and_expire_by_the_contacts_wait(
    elapsed: float, senior: bool, junior: bool, anyone: bool
) -> None:
    criteria = RoutingCriteria.parse(TWO_STEPS)
    assert criteria.accepts("a", SENIOR, elapsed) is senior
    assert criteria.accepts("b", JUNIOR, elapsed) is junior
    assert criteria.accepts("c", NONE, elapsed) is anyone


def test_a_step_without_expiry_holds_for_good_and_the_linter_says_later_steps_never_apply(
    resources: Resources,
) -> None:
    forever = {"Steps": [{"Expression": _at_least("experience", "complaints", 4.0)}, TWO_STEPS["Steps"][1]]}
    criteria = RoutingCriteria.parse(forever)
    assert not criteria.accepts("c", JUNIOR, 10**6)
    assert criteria.active_step(10**6) is criteria.steps[0]
    action = block("set", "UpdateRoutingCriteria", {"RoutingCriteria": forever}, "bye", on_error="bye")
    found = lint.lint({"f": flow_of([action, BYE])}, resources)
    assert [f.message for f in found if f.severity == "warning"] == [
        "routing criteria: Steps[1] never applies (an earlier step never expires)"
    ]


def test_and_or_not_range_and_preferred_agents() -> None:
    senior_korean = {**SENIOR, ("language", "ko"): 3.0}
    both = {"AndExpression": [_at_least("experience", "complaints", 4.0), _at_least("language", "ko", 3.0)]}
    either = {"OrExpression": [_at_least("language", "ko", 5.0), _at_least("experience", "complaints", 5.0)]}
    ranged = {
        "AttributeCondition": {
            "Name": "experience",
            "Value": "complaints",
            "ComparisonOperator": "Range",
            "Range": {"MinProficiencyLevel": 1.0, "MaxProficiencyLevel": 3.0},
        }
    }
    negated = {"NotAttributeCondition": ranged["AttributeCondition"]}
    preferred = {
        "AttributeCondition": {
            "ComparisonOperator": "Match",
            "MatchCriteria": {"AgentsCriteria": {"AgentIds": ["a"]}},
        }
    }

    def accepts(expression: dict[str, Any], agent: str, held: dict[tuple[str, str], float]) -> bool:
        return RoutingCriteria.parse({"Steps": [{"Expression": expression}]}).accepts(agent, held, 0)

    assert accepts(both, "x", senior_korean) and not accepts(both, "x", SENIOR)
    assert accepts(either, "x", SENIOR) and not accepts(either, "x", JUNIOR)
    assert accepts(ranged, "x", JUNIOR) and not accepts(ranged, "x", SENIOR)
    assert accepts(negated, "x", SENIOR) and not accepts(negated, "x", JUNIOR)
    assert accepts(preferred, "a", NONE) and not accepts(preferred, "b", SENIOR)


def _step(**changes: Any) -> dict[str, Any]:
    step = copy.deepcopy(TWO_STEPS["Steps"][0])
    condition = step["Expression"]["AttributeCondition"]
    for key, value in changes.items():
        if key == "Expiry":
            step["Expiry"] = value
        elif value is None:
            del condition[key]
        else:
            condition[key] = value
    return {"Steps": [step]}


@pytest.mark.parametrize(
    ("criteria", "problem"),
    [
        ({"Steps": []}, "Steps must be a non-empty list"),
        ({"Steps": [{"Expiry": {"DurationInSeconds": 30}}]}, "Steps[0].Expression is required"),
        ({"Steps": [{"Expression": {}}]}, "must hold exactly one of AttributeCondition"),
        (
            _step(ComparisonOperator="GreaterThanOrEqualTo"),
            "ComparisonOperator must be NumberGreaterOrEqualTo",
        ),
        (_step(ProficiencyLevel=4.5), "ProficiencyLevel must be one of 1, 2, 3, 4 or 5"),
        (_step(ProficiencyLevel=6), "ProficiencyLevel must be one of 1, 2, 3, 4 or 5"),
        (_step(ProficiencyLevel=None), "ProficiencyLevel must be one of"),
        (_step(Name="x" * 65), "Name must be 1-64 characters"),
        (_step(Value=None), "Value must be 1-64 characters"),
        (_step(Expiry=30), "Expiry must be {DurationInSeconds: N}"),
        (_step(Expiry={"Seconds": 30}), "Expiry must be {DurationInSeconds: N}"),
        (
            _step(Expiry={"DurationInSeconds": 0}),
            "DurationInSeconds must be a whole number of seconds above 0",
        ),
        (_step(Level=4), "has no field 'Level'"),
    ],
)
def test_a_criteria_of_the_wrong_shape_is_refused(criteria: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in problems(criteria)), problems(criteria)


def _members(shape: Any, seen: set[str]) -> Iterator[tuple[str, set[str]]]:
    if shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type_name == "structure":
        yield shape.name, set(shape.members)
        for member in shape.members.values():
            yield from _members(member, seen)
    elif shape.type_name == "list":
        yield from _members(shape.member, seen)


def test_the_fields_accepted_are_those_of_connects_api_model() -> None:
    """The flow action's objects are the API's RoutingCriteriaInput (UpdateContactRoutingData):
    every field the validator takes is in botocore's connect model, so a misspelt one fails here."""
    model = botocore.session.get_session().get_service_model("connect")
    shapes = dict(_members(model.shape_for("RoutingCriteriaInput"), set()))
    assert shapes["RoutingCriteriaInputStep"] == STEP_KEYS
    assert set(EXPRESSIONS) == shapes["Expression"]
    assert shapes["AttributeCondition"] == CONDITION_KEYS
    assert shapes["RoutingCriteriaInputStepExpiry"] == {"DurationInSeconds"}


def test_general_customer_sets_the_sentiment_rules_criteria(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    """The block the flow renders from sentiment.yaml: one step requiring the proficiency, with the
    rules' expiry (then, every step exhausted, any agent: the caller is never stranded)."""
    rules = config().sentiment.rules
    flow = real_flows["general_customer"]
    action = next(a for a in flow.actions.values() if a["Type"] == "UpdateRoutingCriteria")
    criteria = RoutingCriteria.parse(action["Parameters"]["RoutingCriteria"])
    (step,) = criteria.steps
    assert step.expiry == rules.proficiency_expiry
    held = {(rules.proficiency_name, rules.proficiency_value): float(rules.proficiency_level)}
    below = {(rules.proficiency_name, rules.proficiency_value): float(rules.proficiency_level - 1)}
    assert criteria.accepts("a", held, 0) and not criteria.accepts("a", below, 0)
    assert criteria.accepts("a", below, rules.proficiency_expiry)
    compare = next(
        a
        for a in flow.actions.values()
        if a["Transitions"].get("Conditions", [{}])[0].get("NextAction") == action["Identifier"]
    )
    assert compare["Parameters"]["ComparisonValue"] == "$.Attributes.sentiment_proficiency"
    assert compare["Transitions"]["Conditions"][0]["Condition"]["Operands"] == [rules.proficiency]

    broken = copy.deepcopy(flow)
    bad = broken.actions[action["Identifier"]]["Parameters"]["RoutingCriteria"]["Steps"][0]
    bad["Expression"]["AttributeCondition"]["ComparisonOperator"] = ">="
    found = [f.message for f in lint.errors(lint.lint({broken.key: broken}, resources))]
    assert any("ComparisonOperator must be NumberGreaterOrEqualTo" in m for m in found), found
