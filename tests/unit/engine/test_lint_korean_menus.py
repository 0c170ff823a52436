"""Korean IVR habits at every Korean keypad menu of an inbound flow, checked by the linter."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from aicc_ops.engine import lint
from aicc_ops.engine.flows import Flow, Resources


def _menus(flows: dict[str, Flow]) -> list[tuple[str, str]]:
    """Every Korean keypad menu of the inbound flows: (flow key, action)."""
    return [
        (key, ident)
        for key, flow in flows.items()
        if flow.type == "CONTACT_FLOW" and flow.audience == "callers"
        for ident, a in flow.actions.items()
        if (a["Type"] == "GetParticipantInput" and a["Parameters"].get("StoreInput", "False") == "False")
        or (
            a["Type"] == "ConnectParticipantWithLexBot"
            and "menu_keys" in a["Parameters"]["LexSessionAttributes"]
        )
    ]


def _errors_after(flows: dict[str, Flow], resources: Resources, key: str, change: Any) -> list[str]:
    flow = copy.deepcopy(flows[key])
    change(flow)
    found = lint.errors(lint.lint({**flows, key: flow}, resources))
    return [f"{f.action}: {f.message}" for f in found if f.flow == flow.name]


def test_every_inbound_menu_is_checked(real_flows: dict[str, Flow]) -> None:
    # The rule's reach: the menus of customer authentication, MSP, general, after-hours and callbacks.
    assert len(_menus(real_flows)) >= 8


def _drop(operand: str, ident: str) -> Callable[[Flow], None]:
    def change(flow: Flow) -> None:
        a = flow.actions[ident]
        if a["Type"] == "ConnectParticipantWithLexBot":  # a listening menu: drop the key from menu_keys
            session = a["Parameters"]["LexSessionAttributes"]
            session["menu_keys"] = " ".join(
                k for k in session["menu_keys"].split() if k.split("=")[0] != operand
            )
            return
        t = a["Transitions"]
        t["Conditions"] = [c for c in t["Conditions"] if c["Condition"]["Operands"] != [operand]]

    return change


@pytest.mark.parametrize("key", ["0", "*"])
def test_a_menu_without_zero_or_star_is_an_error(
    real_flows: dict[str, Flow], resources: Resources, key: str
) -> None:
    for flow_key, ident in _menus(real_flows):
        errors = _errors_after(real_flows, resources, flow_key, _drop(key, ident))
        assert any(e.startswith(f"{ident}: a Korean menu without {key}") for e in errors), (flow_key, errors)


def test_silence_sharing_the_wrong_key_branch_is_an_error(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    for flow_key, ident in _menus(real_flows):

        def same(flow: Flow, ident: str = ident) -> None:
            errors = flow.actions[ident]["Transitions"]["Errors"]
            wrong = next(e["NextAction"] for e in errors if e["ErrorType"] == "NoMatchingCondition")
            for e in errors:
                if e["ErrorType"] == "InputTimeLimitExceeded":
                    e["NextAction"] = wrong

        errors = _errors_after(real_flows, resources, flow_key, same)
        assert any(e.startswith(f"{ident}: no input and a wrong key") for e in errors), (flow_key, errors)


def test_star_must_be_announced(real_flows: dict[str, Flow], resources: Resources) -> None:
    def unsaid(flow: Flow) -> None:
        params = flow.actions["msp-menu"]["Parameters"]
        params["Text"] = params["Text"].replace("별표", "")

    errors = _errors_after(real_flows, resources, "msp_customer", unsaid)
    assert "msp-menu: the prompt never tells the caller that * repeats it (say 별표)" in errors


def test_english_menus_and_queue_flows_are_left_alone(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    def english(flow: Flow) -> None:
        params = flow.actions["msp-menu"]["Parameters"]
        params["Text"] = "Press 1 for an outage, 2 for a question."

    errors = _errors_after(
        real_flows, resources, "msp_customer", lambda f: (english(f), _drop("0", "msp-menu")(f))
    )
    assert not any(e.startswith("msp-menu: a Korean menu") for e in errors)


def test_a_page_to_an_engineer_is_not_held_to_callers_habits(real_flows: dict[str, Flow]) -> None:
    staff = [key for key, flow in real_flows.items() if flow.audience == "staff"]
    assert staff == ["emergency_page"]  # flows.yaml: the page call's menu is 1 to acknowledge


@pytest.mark.parametrize(
    ("flow_key", "ident", "attribute", "value"),
    [
        ("customer_authentication", "company-ask", "expected_intent", "ProvideCompanyNam"),
        ("msp_customer", "msp-menu", "menu_keys", "1=ReportOutages 0=TalkToAgent *=RepeatMenu"),
    ],
)
def test_an_intent_a_lex_session_names_must_be_in_intents_yaml(
    real_flows: dict[str, Flow], resources: Resources, flow_key: str, ident: str, attribute: str, value: str
) -> None:
    def change(flow: Flow) -> None:
        flow.actions[ident]["Parameters"]["LexSessionAttributes"][attribute] = value

    errors = _errors_after(real_flows, resources, flow_key, change)
    assert any(e.startswith(f"{ident}: intent ") and "intents.yaml" in e for e in errors), errors
