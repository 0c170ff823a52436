"""Blocks as the interpreter runs them: the contact's view as references read it, a block's
parameters resolved from only the namespaces its references name (the same parameters as from the
whole view), the handler each action type runs, and the contact attributes' 32 KB."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import public_flow_objects

from aicc.settings import load_config
from aicc_ops.engine import references as refs
from aicc_ops.engine.actions import SINGLE_PATH_PARAMS
from aicc_ops.engine.contact import Contact
from aicc_ops.engine.flows import Flow, Resources
from aicc_ops.engine.interpreter import MAX_ATTRIBUTES_BYTES, CallResult, Engine, FlowRunError, _Run
from aicc_ops.engine.resource_map import has_placeholder


def _run(resources: Resources, flows: dict[str, Flow], *, agent: bool = True) -> _Run:
    engine = Engine(load_config(), resources, flows, None, None, None)  # type: ignore[arg-type]
    at = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    c = Contact("c-1", "+821012345678", "+8215880000", at, {"company": "솔트웨어", "tier": "gold"})
    c.external = {"status": "FOUND", "n": "3"}
    c.stored_input = "1234"
    c.lex = {"IntentName": "Outage", "Slots": {"company": "솔트웨어"}}
    c.flow_attributes = {"retries": "2"}
    c.metrics = {"Agents": {"Online": {"Count": "2"}}}
    c.target_queue = ("queue", next(iter(engine.config.queues)))
    c.lambda_invocation = {"InvocationId": "i-1"}
    c.agent = {"UserName": "ts.park"} if agent else None
    c.contact_data = {"Name": "outage", "CustomerId": "cust-1", "References": {"ticket": {"Value": "T-1"}}}
    c.customer = {"FirstName": "민준"}
    c.case = {"CaseId": "case-1"}
    c.views = {"ViewResultData": {"Category": ["billing"]}}
    c.media_streams = {"Customer": {"Audio": {"StreamARN": "arn:stream"}}}
    c.modules = {"Result": "ok"}
    return _Run(engine, c, CallResult("c-1", at.isoformat()), [], 300)


def test_the_view_holds_every_namespace_of_the_contact(
    resources: Resources, real_flows: dict[str, Flow]
) -> None:
    run = _run(resources, real_flows)
    c = run.c
    assert run.view() == {
        "Attributes": c.attributes,
        "External": c.external,
        "StoredCustomerInput": "1234",
        "Lex": c.lex,
        "Queue": run.queue_view(),
        "FlowAttributes": c.flow_attributes,
        "Metrics": c.metrics,
        "CustomerEndpoint": {"Address": "+821012345678", "Type": "TELEPHONE_NUMBER"},
        "SystemEndpoint": {"Address": "+8215880000", "Type": "TELEPHONE_NUMBER"},
        "Channel": "VOICE",
        "ContactId": "c-1",
        "InitialContactId": "c-1",
        "InstanceARN": resources.instance_arn,
        "AwsRegion": resources.region,
        "InitiationMethod": "INBOUND",
        "LanguageCode": "en-US",
        "TextToSpeechVoiceId": c.voice,
        "LambdaInvocation": {"InvocationId": "i-1"},
        "Name": "outage",
        "CustomerId": "cust-1",
        "References": {"ticket": {"Value": "T-1"}},
        "Agent": {"UserName": "ts.park"},
        "Customer": c.customer,
        "Case": c.case,
        "Views": c.views,
        "MediaStreams": c.media_streams,
        "Modules": c.modules,
    }
    bare = _run(resources, real_flows, agent=False)
    bare.c.contact_data = {}
    assert not {"Agent", "Name", "Description", "CustomerId", "References"} & set(bare.view())
    assert bare.view(["Agent", "Name", "Attributes", "Tags"]) == {"Attributes": bare.c.attributes}


def _whole_view(run: _Run, raw: dict[str, Any]) -> dict[str, Any]:
    view = run.view()
    return {
        k: refs.resolve_param(
            v, view, single=k in SINGLE_PATH_PARAMS and not (isinstance(v, str) and has_placeholder(v))
        )
        for k, v in raw.items()
    }


def _generated_actions() -> list[dict[str, Any]]:
    """Parameters naming every namespace, as one path, in text, nested, and beside placeholders."""
    rng = random.Random(3)
    paths = [
        "$.Attributes.company",
        "$.External.status",
        "$.StoredCustomerInput",
        "$.Lex.Slots.company",
        "$.Queue.Name",
        "$.Queue.OutboundCallerId.Address",
        "$.FlowAttributes.retries",
        "$.Metrics.Agents.Online.Count",
        "$.CustomerEndpoint.Address",
        "$['SystemEndpoint'].Address",
        "$.Channel",
        "$.InstanceARN",
        "$['AwsRegion']",
        "$.LambdaInvocation.InvocationId",
        "$.Name",
        "$.References.ticket.Value",
        "$.Agent.UserName",
        "$.Customer.FirstName",
        "$.Views.ViewResultData.Category[0]",
        "$.MediaStreams.Customer.Audio.StreamARN",
        "$.Modules.Result",
        "$.Tags.x",
    ]
    texts = [*paths, "${Other.ContactFlowArn}", "${Other.ContactFlowArn}$.Attributes.tier", "plain"]
    keys = [*sorted(SINGLE_PATH_PARAMS)[:6], "Text", "Attributes", "LambdaInvocationAttributes"]
    actions = []
    for _ in range(400):
        params: dict[str, Any] = {}
        for key in rng.sample(keys, rng.randint(1, 4)):
            pick = rng.random()
            text = " ".join(rng.sample(texts, rng.randint(1, 3))) if pick < 0.3 else rng.choice(texts)
            params[key] = {"a": text, "b": [rng.choice(texts)]} if pick > 0.8 else text
        actions.append({"Identifier": "x", "Type": "UpdateContactAttributes", "Parameters": params})
    return actions


def test_parameters_resolve_from_the_namespaces_they_name_as_from_the_whole_view(
    resources: Resources, real_flows: dict[str, Flow]
) -> None:
    run = _run(resources, real_flows)
    actions = [a for f in (*real_flows.values(), *public_flow_objects().values()) for a in f.actions.values()]
    actions += _generated_actions()
    resolved = 0
    for action in actions:
        plan = run.e.resolution(action)
        raw = action.get("Parameters")
        if plan is None or not isinstance(raw, dict):
            continue
        try:
            expected = _whole_view(run, raw)
        except refs.InvalidReferenceError:
            assert plan.resolvers is None
            with pytest.raises(refs.InvalidReferenceError):
                run.resolved(raw, plan)
            continue
        assert run.resolved(raw, plan) == expected, action
        resolved += 1
    assert resolved > 400


def test_an_action_edited_in_place_is_resolved_from_its_parameters_as_they_are_now(
    resources: Resources, real_flows: dict[str, Flow]
) -> None:
    run = _run(resources, real_flows)
    action = _block("UpdateContactAttributes", {"Attributes": {"greeting": "Hi $.Attributes.company"}})
    assert run.resolved(action["Parameters"], run.e.resolution(action)) == {
        "Attributes": {"greeting": "Hi 솔트웨어"}
    }
    action["Parameters"]["Attributes"]["greeting"] = "Bye $.Attributes.tier"  # nested, in place
    action["Parameters"]["Extra"] = "$.StoredCustomerInput"
    plan = run.e.resolution(action)
    assert plan is not None
    assert run.resolved(action["Parameters"], plan) == {
        "Attributes": {"greeting": "Bye gold"},
        "Extra": "1234",
    }
    action["Parameters"] = {"Attributes": {"greeting": "no reference"}}  # no `$` left: run as written
    assert run.e.resolution(action) is None


def _block(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"Identifier": "b", "Type": kind, "Parameters": params, "Transitions": {}}


def test_each_action_type_runs_its_handler_and_an_unknown_one_stops_the_run(
    resources: Resources, real_flows: dict[str, Flow]
) -> None:
    run = _run(resources, real_flows)
    flow = next(iter(real_flows.values()))
    for _ in range(2):  # the handler found, then found again
        outcome = run.dispatch(
            flow,
            _block("UpdateFlowAttributes", {"FlowAttributes": {"x": {"Value": "1"}}}),
            "UpdateFlowAttributes",
            None,
        )
        assert (outcome.kind, run.c.flow_attributes["x"]) == ("next", "1")
        outcome = run.dispatch(flow, _block("Compare", {"ComparisonValue": "$.External.n"}), "Compare", None)
        assert (outcome.kind, outcome.value) == ("result", "3")
    for kind in ("CheckStaffing", "Compare-It", "__init__", ""):
        with pytest.raises(FlowRunError, match="unknown action type"):
            run.dispatch(flow, _block(kind, {}), kind, None)


def test_contact_attributes_may_take_32_kb_in_utf8_and_not_a_byte_more(
    resources: Resources, real_flows: dict[str, Flow]
) -> None:
    flow = next(iter(real_flows.values()))
    for fill in ("a", "가", "😀", "é"):
        run = _run(resources, real_flows)
        used = sum(len(k.encode()) + len(v.encode()) for k, v in run.c.attributes.items())
        room = MAX_ATTRIBUTES_BYTES - used - len("big")
        wide = len(fill.encode())
        value = fill * (room // wide) + "a" * (room % wide)  # exactly the room left
        outcome = run.dispatch(
            flow,
            _block("UpdateContactAttributes", {"Attributes": {"big": value}}),
            "UpdateContactAttributes",
            None,
        )
        assert outcome.kind == "next", fill
        outcome = run.dispatch(
            flow,
            _block("UpdateContactAttributes", {"Attributes": {"big": value + "a"}}),
            "UpdateContactAttributes",
            None,
        )
        assert (outcome.kind, outcome.detail) == ("error", "attributes would exceed 32 KB"), fill
        assert run.c.attributes["big"] == value
