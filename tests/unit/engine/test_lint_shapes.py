"""Whatever JSON an exported flow holds where the Flow Language wants a list or an object, the linter
reports it as a finding (Connect refuses such a flow) and checks the rest: never a crash."""

from typing import Any

import pytest
from helpers import BYE, block, flow_of

from aicc_ops.engine import lint
from aicc_ops.engine.flows import Resources

ERRORS = "{ErrorType, NextAction}"
CONDITIONS = "{NextAction, Condition: {Operator, Operands}}"


def _errors(resources: Resources, action: dict[str, Any], ftype: str = "CONTACT_FLOW") -> list[str]:
    found = lint.lint({"t": flow_of([action, BYE], ftype)}, resources)
    return [f"{f.action}: {f.message}" for f in lint.errors(found)]


def _menu(**transitions: Any) -> dict[str, Any]:
    action = block("menu", "Compare", {"ComparisonValue": "$.Attributes.choice"})
    action["Transitions"] = {
        "NextAction": "bye",
        "Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
        "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingCondition"}],
        **transitions,
    }
    return action


@pytest.mark.parametrize(
    ("transitions", "message"),
    [
        (
            {"Errors": "NoMatchingCondition"},
            f"Transitions.Errors must be a list of {ERRORS}, got 'NoMatchingCondition'",
        ),
        (
            {"Errors": {"ErrorType": "x"}},
            f"Transitions.Errors must be a list of {ERRORS}, got {{'ErrorType': 'x'}}",
        ),
        (
            {"Errors": ["NoMatchingCondition"]},
            f"Transitions.Errors[0] must be {ERRORS}, got 'NoMatchingCondition'",
        ),
        (
            {"Errors": [{"ErrorType": 5, "NextAction": "bye"}]},
            f"Transitions.Errors[0] must be {ERRORS}, got ",
        ),
        (
            {"Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": ["bye"]}]},
            "Transitions.Errors[0].NextAction must be an action's Identifier, got ['bye']",
        ),
        (
            {"Conditions": "Equals 1"},
            f"Transitions.Conditions must be a list of {CONDITIONS}, got 'Equals 1'",
        ),
        ({"Conditions": 5}, f"Transitions.Conditions must be a list of {CONDITIONS}, got 5"),
        ({"Conditions": ["1"]}, f"Transitions.Conditions[0] must be {CONDITIONS}, got '1'"),
        (
            {"Conditions": [{"NextAction": "bye", "Condition": "x"}]},
            f"Transitions.Conditions[0] must be {CONDITIONS}",
        ),
        (
            {"Conditions": [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": "1"}}]},
            "a condition takes exactly one string operand, got '1'",
        ),
        ({"NextAction": 5}, "Transitions.NextAction must be an action's Identifier (a string), got 5"),
        (
            {"NextAction": ["bye"]},
            "Transitions.NextAction must be an action's Identifier (a string), got ['bye']",
        ),
    ],
)
def test_a_malformed_transitions_part_is_a_finding(
    resources: Resources, transitions: dict[str, Any], message: str
) -> None:
    msgs = _errors(resources, _menu(**transitions))
    assert any(m.startswith(f"menu: {message}") for m in msgs), msgs


@pytest.mark.parametrize("transitions", [None, "bye", ["bye"], 5])
def test_transitions_that_are_not_an_object(resources: Resources, transitions: Any) -> None:
    action = {**_menu(), "Transitions": transitions}
    assert "menu: Transitions must be an object" in _errors(resources, action)


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("UpdateContactEventHooks", {"EventHooks": "x"}, "EventHooks must be an object, got 'x'"),
        ("UpdateContactEventHooks", {"EventHooks": 5}, "EventHooks must be an object, got 5"),
        (
            "ConnectParticipantWithLexBot",
            {"Text": "Hi", "LexV2Bot": "bot", "LexSessionAttributes": ["a"]},
            "LexSessionAttributes must be an object, got ['a']",
        ),
        (
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:f",
                "ResponseValidation": 5,
            },
            "ResponseValidation must be an object, got 5",
        ),
        (
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:f",
                "LambdaInvocationAttributes": "x",
            },
            "LambdaInvocationAttributes must be an object, got 'x'",
        ),
        (
            "UpdateContactRecordingBehavior",
            {"RecordingBehavior": {"RecordedParticipants": "Agent"}},
            "RecordedParticipants must be a list of Agent and Customer, got 'Agent'",
        ),
        (
            "CheckMetricData",
            {"MetricType": ["NumberOfAgentsAvailable"]},
            "unknown MetricType ['NumberOfAgentsAvailable']",
        ),
        (
            "GetParticipantInput",
            {"Text": "Hi", "StoreInput": "True", "InputValidation": 5},
            "InputValidation must be an object, got 5",
        ),
    ],
)
def test_a_parameter_of_the_wrong_shape_is_a_finding(
    resources: Resources, kind: str, params: dict[str, Any], message: str
) -> None:
    msgs = _errors(resources, block("a", kind, params))
    assert f"a: {message}" in msgs, msgs


def test_the_reviewers_malformed_exports_lint_without_a_linter_failure(resources: Resources) -> None:
    # Transitions.Errors a string and Conditions a number; a Condition that is a string.
    first = block("a", "MessageParticipant", {"Text": "hi"}, "b")
    first["Transitions"].update({"Errors": "x", "Conditions": 5})
    second = _menu(Conditions=[{"NextAction": "bye", "Condition": "x"}])
    second["Identifier"] = "b"
    found = lint.lint({"t": flow_of([first, second, BYE])}, resources)
    assert {f.action for f in lint.errors(found)} == {"a", "b"}
