"""A deploy-time placeholder `${...}` in a parameter is never an error by itself: what it becomes is
known only when the template is deployed, so no value check (enum, range, SSML...) can judge it."""

from typing import Any

from helpers import BYE, block, flow_of

from aicc_ops.engine import lint
from aicc_ops.engine.flows import Resources


def _findings(resources: Resources, actions: list[dict[str, Any]], ftype: str = "CONTACT_FLOW") -> list[str]:
    flow = flow_of(actions, ftype)
    return [f"{f.severity} {f.action}: {f.message}" for f in lint.lint({flow.key: flow}, resources)]


def _menu(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "Identifier": "menu",
        "Type": "GetParticipantInput",
        "Parameters": {"Text": "Press 1.", **params},
        "Transitions": {
            "NextAction": "say",
            "Conditions": [{"NextAction": "say", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
            "Errors": [
                {"NextAction": "say", "ErrorType": e}
                for e in ("NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded")
            ],
        },
    }


def test_placeholders_in_scalar_parameters_are_not_errors(resources: Resources) -> None:
    fn = block(
        "fn",
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": "${FnArn}", "InvocationTimeLimitSeconds": "${Timeout}"},
        "menu",
        "say",
    )
    menu = _menu({"StoreInput": "${Store}", "InputTimeLimitSeconds": "${T}"})
    say = block("say", "MessageParticipant", {"SSML": "<speak>${Greeting}</speak>"})
    language = block("lang", "UpdateContactData", {"LanguageCode": "${Lang}"}, "fn", "say")
    priority = block("prio", "UpdateContactRoutingBehavior", {"QueuePriority": "${P}"}, "lang")
    priority["Transitions"].pop("Errors")
    assert _findings(resources, [priority, language, fn, menu, say, BYE]) == []


def test_the_same_values_written_out_are_still_checked(resources: Resources) -> None:
    fn = block(
        "fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "${FnArn}", "InvocationTimeLimitSeconds": "9"}
    )
    menu = _menu({"StoreInput": "Maybe", "InputTimeLimitSeconds": "500"})
    found = _findings(resources, [fn, menu, block("say", "MessageParticipant", {"Text": "hi"}), BYE])
    assert "error fn: InvocationTimeLimitSeconds must be 1-8, got '9'" in found
    assert "error menu: StoreInput must be one of True, False, got 'Maybe'" in found
    assert "error menu: InputTimeLimitSeconds must be 1-179, got '500'" in found


def test_an_ssml_prompt_that_is_a_template_expression_is_not_judged(resources: Resources) -> None:
    """Our own general_customer template says `${jsonencode(prompts.email_address)}` as SSML: the
    rendered prompt is wrapped in <speak>, the template is not."""
    say = block("say", "MessageParticipant", {"SSML": "${jsonencode(prompts.email_address)}"})
    assert _findings(resources, [say, BYE]) == []
    unwrapped = block("say", "MessageParticipant", {"SSML": "Hello"})
    assert any("not wrapped in <speak>" in f for f in _findings(resources, [unwrapped, BYE]))
