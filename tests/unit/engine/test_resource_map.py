"""Resource maps: a flow's references resolved against this repository's instance, a resources file,
the flows given alongside, or nothing (--no-resolve); and what the linter makes of each status."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import BYE, block, flow_of, public_flow_objects

from aicc_ops.engine import lint
from aicc_ops.engine import resource_map as rm
from aicc_ops.engine.flows import Flow, Resources

OTHER = "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555"
UUID = "5b16c300-e2a1-5e68-aecb-4c9d6f311277"


def _status(found: rm.Resolution) -> tuple[str, str | None, str | None]:
    return found.status, found.kind, found.key


# ---- ARN shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "kind", "ident", "qualifier"),
    [
        (f"{OTHER}/queue/{UUID}", "queue", UUID, ""),
        (f"{OTHER}/queue/agent/{UUID}", "queue", f"agent/{UUID}", ""),  # an agent's queue
        (f"{OTHER}/contact-flow/{UUID}", "flow", UUID, ""),
        (f"{OTHER}/contact-flow/{UUID}:$SAVED", "flow", UUID, "$SAVED"),
        (f"{OTHER}/flow-module/{UUID}", "module", UUID, ""),
        (f"{OTHER}/operating-hours/{UUID}", "hours", UUID, ""),
        (f"{OTHER}/prompt/{UUID}", "prompt", UUID, ""),
        (f"{OTHER}/agent/{UUID}", "agent", UUID, ""),
        (f"{OTHER}/transfer-destination/{UUID}", "quick_connect", UUID, ""),
        (f"{OTHER}/view/{UUID}:$LATEST", "view", UUID, "$LATEST"),
        ("arn:aws:connect:us-east-1:aws:view/form:1", "view", "form", "1"),
        (OTHER, "instance", "11111111-2222-4333-8444-555555555555", ""),
        ("arn:aws:lambda:us-east-1:111122223333:function:my-fn", "lambda", "my-fn", ""),
        ("arn:aws:lambda:us-east-1:111122223333:function:my-fn:live", "lambda", "my-fn", "live"),
        (
            "arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/TSTALIASID",
            "lex",
            "ABCDEFGHIJ/TSTALIASID",
            "",
        ),
        ("arn:aws:lex:us-east-1:111122223333:bot:OrderBot:prod", "lex_v1", "OrderBot", ""),
        ("arn:aws:s3:::bucket/key.wav", "s3", "bucket/key.wav", ""),
    ],
)
def test_arn_shapes_and_kinds(arn: str, kind: str, ident: str, qualifier: str) -> None:
    parsed = rm.parse_arn(arn)
    assert (parsed.kind, parsed.ident, parsed.qualifier) == (kind, ident, qualifier)


@pytest.mark.parametrize(
    ("arn", "why"),
    [
        ("arn:aws:connect", "arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE"),
        (f"arn:aws:connect:us-east-1:1111:instance/x/queue/{UUID}", "not an AWS account"),
        (f"arn:aws:connect:moon:111122223333:instance/x/queue/{UUID}", "not an AWS Region"),
        (f"arn:aws:connect:us-east-1:111122223333:queue/{UUID}", "starts arn:aws:connect:REGION"),
        (f"{OTHER}/queue/", "no ID after queue/"),
        (f"{OTHER}/contact-flow/a/b", "is not a flow ID"),
        ("arn:aws:lambda:us-east-1:111122223333:my-fn", "function:NAME"),
        ("arn:aws:lex:us-east-1:111122223333:bot-alias/only-one", "bot-alias/BOT_ID/ALIAS_ID"),
    ],
)
def test_malformed_arns_say_what_is_wrong(arn: str, why: str) -> None:
    with pytest.raises(rm.MalformedArnError, match=why.replace("$", r"\$").replace("(", r"\(")):
        rm.parse_arn(arn)


# ---- each status, on this repository's instance ---------------------------------------------------


def test_local_map_statuses(resources: Resources) -> None:
    local = rm.local_map(resources)
    assert local.describe() == "this repository's instance"
    queue = resources.queue_arn("msp_general")
    assert _status(local.resolve(queue, "queue")) == ("found", "queue", "msp_general")
    assert _status(local.resolve("msp_general", "queue")) == ("found", "queue", "msp_general")  # local ID
    assert _status(local.resolve(resources.flow_arn("emergency"))) == ("found", "flow", "emergency")
    fn = resources.function_arn("customer_lookup")
    assert _status(local.resolve(fn, "lambda")) == ("found", "lambda", "customer_lookup")
    assert _status(local.resolve(f"{fn}:live", "lambda")) == ("found", "lambda", "customer_lookup")
    assert _status(local.resolve(resources.lex_alias_arn, "lex")) == ("found", "lex", "bot")

    missing = local.resolve(resources.queue_arn("ghost"), "queue")
    assert _status(missing) == ("missing", "queue", None)
    assert missing.message == "no queue of this repository's instance"
    assert local.resolve("ghost", "queue").status == "missing"
    assert local.resolve(resources.function_arn("no_such"), "lambda").status == "missing"

    # Other Regions, accounts and instances are not this map's to know.
    assert local.resolve(f"{OTHER}/queue/{UUID}", "queue").status == "foreign"
    other_instance = resources.queue_arn("x").replace("instance/aicc-local", f"instance/{UUID}")
    assert local.resolve(other_instance).message == f"instance {UUID}, not aicc-local"
    assert local.resolve("arn:aws:lambda:us-west-2:000000000000:function:f").status == "foreign"

    dynamic = local.resolve("arn:aws:lambda:$.AwsRegion:000000000000:function:f", "lambda")
    assert _status(dynamic) == ("dynamic", "lambda", None)
    assert local.resolve("$.Attributes.queue", "queue").status == "dynamic"
    assert local.resolve("arn:aws:lex:$.AwsRegion:1:bot/x", "lex").status == "dynamic"  # never an error

    # Kinds this repository does not list, and bare agent IDs (logins are not data here).
    assert _status(local.resolve(f"{resources.instance_arn}/prompt/{UUID}", "prompt")) == (
        "unchecked",
        "prompt",
        None,
    )
    assert local.resolve(UUID, "agent").status == "unchecked"
    assert local.resolve(f"{resources.instance_arn}/agent/someone", "agent").status == "found"

    assert local.resolve("customer-lookup", "lambda").status == "malformed"  # an ARN parameter
    assert local.resolve("", "lex").status == "malformed"
    assert local.resolve("arn:aws:connect:ap-northeast-2:000000000000:queue/x", "queue").status == "malformed"


def test_no_resolve_checks_only_shape_and_kind() -> None:
    nothing = rm.no_resolve_map()
    assert nothing.describe() == "no resolution"
    assert _status(nothing.resolve(f"{OTHER}/queue/{UUID}", "lambda")) == ("unchecked", "queue", None)
    assert _status(nothing.resolve("sales", "queue")) == ("unchecked", "queue", None)
    assert nothing.resolve(f"{OTHER}/queue/", "queue").status == "malformed"
    assert nothing.resolve("my-fn", "lambda").status == "malformed"
    assert nothing.resolve("arn:aws:lex:$.AwsRegion:111122223333:bot-alias/B/A", "lex").status == "dynamic"


def test_the_flows_given_are_found_first_by_arn_or_id(resources: Resources) -> None:
    module = flow_of([BYE], "CONTACT_FLOW_MODULE", key="mod")
    module.arn = f"{OTHER}/flow-module/{UUID}"
    by_id = flow_of([BYE], key="queue_flow")
    by_id.arn = "9c95f170-90a3-4dad-bb26-4dea76097865"
    refs = rm.with_flows(
        rm.local_map(resources), {"mod": module, "queue_flow": by_id, "plain": flow_of([BYE])}
    )
    assert _status(refs.resolve(module.arn, "module")) == ("found", "module", "mod")
    assert _status(refs.resolve(by_id.arn, "flow")) == ("found", "flow", "queue_flow")
    arn_of_id = f"{OTHER}/contact-flow/{by_id.arn}"
    assert _status(refs.resolve(arn_of_id, "flow")) == ("found", "flow", "queue_flow")
    assert _status(refs.resolve(resources.flow_arn("emergency"))) == ("found", "flow", "emergency")  # base
    ghost = refs.resolve(resources.flow_arn("ghost"), "flow")
    assert ghost.message == "no flow of this repository's instance nor among the flows given"
    assert (
        refs.resolve(resources.queue_arn("ghost"), "queue").message
        == "no queue of this repository's instance"
    )


# ---- --resources FILE ------------------------------------------------------------------------------


def _write(tmp_path: Path, data: Any, name: str = "resources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data), encoding="utf-8")
    return path


GOOD = {
    "instance": OTHER,
    "queues": [f"{OTHER}/queue/{UUID}", {"id": "07b0d415-5d92-526c-9c60-aa5d2073ec7c", "name": "Sales"}],
    "flows": [{"arn": f"{OTHER}/contact-flow/a74cd7d4-70a4-5a28-9102-251981075be1", "name": "Queue"}],
    "modules": [],
    "lambdas": [
        "AWSSCV-InvokeTelephonyFunction",
        "arn:aws:lambda:us-east-1:111122223333:function:example:live",
    ],
    "lex_bots": ["arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/TSTALIASID"],
    "lex_v1_bots": ["OrderBot"],
    "views": [f"{OTHER}/view/{UUID}"],
}


@pytest.mark.parametrize("name", ["resources.yaml", "resources.json"])
def test_a_resources_file(tmp_path: Path, name: str) -> None:
    refs = rm.file_map(_write(tmp_path, GOOD, name))
    assert refs.describe() == name
    assert _status(refs.resolve(f"{OTHER}/queue/{UUID}", "queue")) == ("found", "queue", UUID)
    sales = refs.resolve("07b0d415-5d92-526c-9c60-aa5d2073ec7c", "queue")
    assert (sales.status, sales.message) == ("found", "Sales")
    assert refs.resolve(f"{OTHER}/queue/c9e8c23e-b0d3-51a1-837d-f6ef6d7195a9").message == (
        f"no queue of {name}"
    )
    assert refs.resolve(f"{OTHER}/contact-flow/a74cd7d4-70a4-5a28-9102-251981075be1:$SAVED").status == "found"
    assert refs.resolve(f"{OTHER}/flow-module/{UUID}").status == "missing"  # listed: none
    assert refs.resolve(f"{OTHER}/prompt/{UUID}").status == "unchecked"  # not listed: not checked
    fn = "arn:aws:lambda:us-east-1:111122223333:function:AWSSCV-InvokeTelephonyFunction"
    assert refs.resolve(fn, "lambda").status == "found"
    assert refs.resolve("arn:aws:lambda:us-east-1:111122223333:function:example", "lambda").status == "found"
    assert refs.resolve("arn:aws:lambda:us-east-1:111122223333:function:other", "lambda").status == "missing"
    alias = "arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/TSTALIASID"
    assert refs.resolve(alias, "lex").status == "found"
    assert refs.resolve("OrderBot", "lex_v1").status == "found"
    assert refs.resolve(f"{OTHER}/view/{UUID}:$LATEST", "view").status == "found"
    assert refs.resolve("form", "view").status == "unchecked"  # views are known by ARN only
    assert refs.resolve(f"{OTHER}/queue/{UUID}".replace("us-east-1", "eu-west-2")).status == "foreign"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([OTHER], "resources.yaml: must be a mapping with instance:"),
        ({"queues": []}, "resources.yaml: instance: give the instance's ARN"),
        ({"instance": f"{OTHER}/queue/{UUID}"}, "instance: give the instance's ARN"),
        ({"instance": "arn:aws:connect:us-east-1:1:instance/x"}, "instance: '1' is not an AWS account"),
        ({"instance": OTHER, "queue": []}, "queue: unknown key (the keys are instance, queues, flows"),
        ({"instance": OTHER, "queues": f"{OTHER}/queue/{UUID}"}, "queues: must be a list"),
        (
            {"instance": OTHER, "queues": [f"{OTHER}/contact-flow/{UUID}"]},
            f"queues[0]: {OTHER}/contact-flow/{UUID} is a flow, not a queue",
        ),
        (
            {
                "instance": OTHER,
                "queues": ["ok", f"{OTHER}/queue/{UUID}".replace("1111222233", "9999999999")],
            },
            "is not of the instance (account 999999999933, not 111122223333)",
        ),
        ({"instance": OTHER, "flows": [{"arn": "a", "id": "b"}]}, "flows[0]: give one of arn or id"),
        ({"instance": OTHER, "flows": [{"id": "b", "label": "x"}]}, "flows[0]: unknown key 'label'"),
        ({"instance": OTHER, "flows": [3]}, "flows[0]: an entry is an ARN, an ID, or a mapping"),
        ({"instance": OTHER, "hours": ["a b"]}, "hours[0]: 'a b' is not an ID"),
        ({"instance": OTHER, "lex_bots": ["MyBot"]}, "lex_bots[0]: 'MyBot' is not an ARN"),
        ({"instance": OTHER, "prompts": [f"{OTHER}/prompt/"]}, "prompts[0]: no ID after prompt/"),
    ],
)
def test_a_bad_resources_file_names_the_field(tmp_path: Path, data: Any, error: str) -> None:
    with pytest.raises(rm.ResourceMapError) as raised:
        rm.file_map(_write(tmp_path, data))
    assert error in str(raised.value)


def test_an_unreadable_resources_file(tmp_path: Path) -> None:
    with pytest.raises(rm.ResourceMapError, match=r"nope\.yaml: no such file"):
        rm.file_map(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("queues: [", encoding="utf-8")
    with pytest.raises(rm.ResourceMapError, match=r"bad\.yaml: not valid YAML or JSON"):
        rm.file_map(bad)


# ---- what the linter makes of each status ----------------------------------------------------------


def _errors(flows: dict[str, Flow], resources: Resources, refs: rm.ResourceMap | None = None) -> list[str]:
    return [f"{f.action}: {f.message}" for f in lint.errors(lint.lint(flows, resources, refs=refs))]


def _public() -> dict[str, Flow]:
    return public_flow_objects()


def test_public_flows_name_other_instances_which_are_not_errors(resources: Resources) -> None:
    flows = _public()
    for refs in (None, rm.no_resolve_map()):
        found = lint.lint(flows, resources, refs=refs)
        assert [str(f) for f in found if "refers to" in f.message or " names " in f.message] == []


def test_a_missing_resource_of_the_maps_own_instance_is_an_error(
    tmp_path: Path, resources: Resources
) -> None:
    """The public gitlab-cicd flows' instance, described by a resources file that lacks one queue."""
    flows = {k: f for k, f in _public().items() if k.startswith("amazon-connect-gitlab-cicd-terraform")}
    arns = sorted({a for f in flows.values() for a in _arns(f.content) if a.startswith(OTHER)})
    listed: dict[str, Any] = {"instance": OTHER, "queues": [], "flows": [], "modules": [], "prompts": []}
    for arn in arns:
        kind = rm.parse_arn(arn).kind
        listed[{"queue": "queues", "flow": "flows", "module": "modules", "prompt": "prompts"}[kind]].append(
            arn
        )
    complete = rm.file_map(_write(tmp_path, listed))
    found = lint.lint(flows, resources, refs=complete)
    assert [str(f) for f in found if "refers to" in f.message or " names " in f.message] == []

    sales = next(a for a in listed["queues"] if "07b0d415" in a)
    listed["queues"].remove(sales)
    assert [
        str(f)
        for f in lint.lint(flows, resources, refs=rm.file_map(_write(tmp_path, listed)))
        if sales in f.message
    ] == [
        "warning: amazon-connect-gitlab-cicd-terraform__acme_main_AUTO / FLOW_OBJECT_MAPS#: FlowAttributes.sales.Value "
        f"names {sales}, which is no queue of resources.yaml (a block given this value would not find it)"
    ]
    # In a queue parameter the same ARN is an error: Connect refuses the flow.
    setq = block("setq", "UpdateContactTargetQueue", {"QueueId": sales})
    assert _errors({"t": flow_of([setq, BYE])}, resources, rm.file_map(tmp_path / "resources.yaml")) == [
        f"setq: QueueId refers to {sales}, which is no queue of resources.yaml"
    ]


def _arns(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("arn:") else []
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arns(v)]
    if isinstance(value, list):
        return [a for v in value for a in _arns(v)]
    return []


def test_the_wrong_kind_is_an_error_whatever_the_map(resources: Resources) -> None:
    fn = block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": f"{OTHER}/queue/{UUID}"})
    expected = [f"fn: LambdaFunctionARN must name a Lambda function, but {OTHER}/queue/{UUID} is a queue"]
    assert _errors({"t": flow_of([fn, BYE])}, resources) == expected
    assert _errors({"t": flow_of([fn, BYE])}, resources, rm.no_resolve_map()) == expected
    go = block("go", "TransferToFlow", {"ContactFlowId": f"{OTHER}/flow-module/{UUID}"})
    assert _errors({"t": flow_of([go, BYE])}, resources, rm.no_resolve_map()) == [
        f"go: ContactFlowId must name a flow, but {OTHER}/flow-module/{UUID} is a flow module"
    ]
    bad = block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "my-function"})
    assert _errors({"t": flow_of([bad, BYE])}, resources, rm.no_resolve_map()) == [
        "fn: LambdaFunctionARN refers to my-function, which is no Lambda function ARN (not an ARN: a Lambda "
        "function ARN is arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS_OR_VERSION])"
    ]


def test_an_empty_reference_is_a_warning(resources: Resources) -> None:
    ask = copy.deepcopy(
        block("ask", "ConnectParticipantWithLexBot", {"Text": "hi", "LexV2Bot": {"AliasArn": ""}})
    )
    found = [(f.action, f.severity, f.message) for f in lint.lint({"t": flow_of([ask, BYE])}, resources)]
    assert (
        "ask",
        "warning",
        "LexV2Bot.AliasArn is empty: name a Lex bot alias",
    ) in found


def _lex(alias: str, intent: str) -> dict[str, Any]:
    ask = block(
        "ask",
        "ConnectParticipantWithLexBot",
        {"Text": "무엇을 도와드릴까요?", "LexV2Bot": {"AliasArn": alias}},
    )
    ask["Transitions"]["Conditions"] = [
        {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": [intent]}}
    ]
    ask["Transitions"]["Errors"].append({"NextAction": "bye", "ErrorType": "NoMatchingCondition"})
    return ask


def test_our_bots_intents_are_checked_only_for_our_bot(resources: Resources) -> None:
    ours = _lex(resources.lex_alias_arn, "NoSuchIntent")
    assert any(
        "intent 'NoSuchIntent' is not in" in m for m in _errors({"t": flow_of([ours, BYE])}, resources)
    )
    theirs = _lex("arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/TSTALIASID", "NoSuchIntent")
    assert not any("NoSuchIntent" in m for m in _errors({"t": flow_of([theirs, BYE])}, resources))
    # Even against a map where our bot is unknown, our bot is ours.
    assert any(
        "NoSuchIntent" in m for m in _errors({"t": flow_of([ours, BYE])}, resources, rm.no_resolve_map())
    )


def test_transfers_between_flows_given_resolve_by_their_arn(resources: Resources) -> None:
    queue_flow = flow_of([BYE], key="waiting")
    queue_flow.arn = f"{OTHER}/contact-flow/{UUID}"
    go = block("go", "TransferToFlow", {"ContactFlowId": queue_flow.arn})
    assert _errors({"main": flow_of([go, BYE], key="main"), "waiting": queue_flow}, resources) == []
    flows = {"main": flow_of([go, BYE], key="main"), "waiting": queue_flow}
    assert lint.entry_flows(flows, resources) == {"main"}
    queue_flow.type = "CUSTOMER_QUEUE"
    assert _errors(flows, resources) == ["go: transfers to 'Test', a CUSTOMER_QUEUE flow"]


def test_this_repositorys_flows_pass_every_map(
    real_flows: dict[str, Flow], resources: Resources, tmp_path: Path
) -> None:
    assert _errors(real_flows, resources, rm.no_resolve_map()) == []
    described = {
        "instance": resources.instance_arn,
        "queues": [resources.queue_arn(k) for k in resources.config.queues],
        "flows": [resources.flow_arn(k) for k in resources.catalog],
        "hours": [resources.hours_arn(k) for k in resources.config.hours],
        "lambdas": [resources.function_arn(h) for h in resources.handlers],
        "lex_bots": [resources.lex_alias_arn],
    }
    assert _errors(real_flows, resources, rm.file_map(_write(tmp_path, described))) == []
    described["queues"] = described["queues"][1:]
    first = resources.queue_arn(next(iter(resources.config.queues)))
    assert any(
        first in m and "which is no queue of resources.yaml" in m
        for m in _errors(real_flows, resources, rm.file_map(_write(tmp_path, described)))
    )


def test_a_public_flow_moved_into_this_instance_names_what_it_lacks(resources: Resources) -> None:
    """The survey sample's queue and hook, rewritten to this repository's instance: missing here."""
    survey = _public()["amazon-connect-contact-surveys__Simple_Survey_Example"]
    theirs = "arn:aws:connect:ap-southeast-2:964328442121:instance/7136b212-66af-4bd9-8913-8dec118f5254"
    text = survey.text.replace(theirs, resources.instance_arn)
    moved = Flow(survey.key, survey.name, survey.type, json.loads(text), text)
    moved.actions = {a["Identifier"]: a for a in moved.content["Actions"]}
    found = [m for m in _errors({"survey": moved}, resources) if "refers to" in m]
    assert found == [
        f"ba8ce768-b923-4625-8d81-0c1ecb86262e: QueueId refers to {resources.instance_arn}/queue/"
        "4bca1082-f46a-4580-8c76-79db54b8d49a, which is no queue of this repository's instance",
        f"9c9176ba-a131-4469-820f-7820043b94f5: EventHooks.CustomerRemaining refers to {resources.instance_arn}"
        "/contact-flow/9c95f170-90a3-4dad-bb26-4dea76097865, which is no flow of this repository's instance "
        "nor among the flows given",
    ]


# ---- deploy-time placeholders ---------------------------------------------------------------------

SUB_QUEUE = "arn:aws:connect:${AWS::Region}:${AWS::AccountId}:instance/${InstanceId}/queue/${QueueId}"


def test_an_arn_with_placeholders_parses_its_static_parts() -> None:
    """`${AWS::Region}` holds colons: the ARN still splits where its own colons are."""
    queue = rm.parse_arn(SUB_QUEUE)
    assert (queue.kind, queue.region, queue.account, queue.instance, queue.ident) == (
        "queue",
        "${AWS::Region}",
        "${AWS::AccountId}",
        "${InstanceId}",
        "${QueueId}",
    )
    fn = rm.parse_arn("arn:${AWS::Partition}:lambda:${AWS::Region}:111122223333:function:${Name}:live")
    assert (fn.kind, fn.ident, fn.qualifier) == ("lambda", "${Name}", "live")
    assert rm.parse_arn(f"{OTHER}/${{Segment}}/x").kind == ""  # the kind itself is deploy-time
    # What is static is still checked.
    with pytest.raises(rm.MalformedArnError, match="'1234' is not an AWS account"):
        rm.parse_arn("arn:aws:connect:${AWS::Region}:1234:instance/${InstanceId}/queue/q")


@pytest.mark.parametrize(
    ("ref", "kind", "found_kind"),
    [
        ("${SalesQueueArn}", "queue", None),
        ("${Fn.Arn}", "lambda", None),
        ("${flows.callback_request}", "flow", None),
        (SUB_QUEUE, "queue", "queue"),
        ("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${FnName}", "lambda", "lambda"),
        ("arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${BotId}/${AliasId}", "lex", "lex"),
        ("prefix-${Suffix}", "hours", None),
    ],
)
def test_a_placeholder_makes_a_reference_dynamic_in_every_map(
    resources: Resources, ref: str, kind: str, found_kind: str | None
) -> None:
    for refs in (rm.local_map(resources), rm.local_map(resources, foreign=True), rm.no_resolve_map()):
        found = refs.resolve(ref, kind)
        assert _status(found) == ("dynamic", found_kind, None), refs.describe()
        assert found.message == "a deploy-time placeholder, known only at deploy time"


def test_placeholders_are_no_findings_but_a_static_wrong_kind_is(resources: Resources) -> None:
    """Findings 1 of the review: a CloudFormation !Sub and a Terraform template, as the loader
    leaves them (`${...}` kept), in resource parameters and in attribute values."""
    fn = block(
        "fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "${Fn.Arn}", "InvocationTimeLimitSeconds": "3"}
    )
    setq = block("q", "UpdateContactTargetQueue", {"QueueId": "${SalesQueueArn}"})
    subq = block("q2", "UpdateContactTargetQueue", {"QueueId": SUB_QUEUE})
    attrs = block("a", "UpdateContactAttributes", {"Attributes": {"next": "${flows.callback_request}"}})
    go = block("go", "TransferToFlow", {"ContactFlowId": "${flows.callback_request}"})
    flow = flow_of([fn, setq, subq, attrs, go, BYE])
    flow.foreign = True
    for refs in (None, rm.no_resolve_map()):
        found = lint.lint({"t": flow}, resources, refs=refs)
        assert [str(f) for f in found if "$" in f.message] == []
    wrong = block(
        "q", "UpdateContactTargetQueue", {"QueueId": "arn:aws:lambda:${AWS::Region}:111122223333:function:x"}
    )
    assert _errors({"t": flow_of([wrong, BYE])}, resources) == [
        "q: QueueId must name a queue, but arn:aws:lambda:${AWS::Region}:111122223333:function:x is a Lambda function"
    ]


# ---- bare IDs: whose instance -----------------------------------------------------------------------


def _bare(foreign: bool) -> dict[str, Flow]:
    setq = block("q", "UpdateContactTargetQueue", {"QueueId": "0f3c1d2e-1111-2222-3333-444455556666"})
    go = block("t", "TransferToFlow", {"ContactFlowId": "7193aaaa-1111-2222-3333-444455556666"})
    flow = flow_of([setq, go, BYE], key="bare")
    flow.foreign = foreign
    return {"bare": flow}


def test_a_bare_id_in_someone_elses_flow_is_not_judged_by_our_instance(
    resources: Resources, tmp_path: Path
) -> None:
    """Finding 2 of the review (/tmp/rev/bare): a bare ID names the exporter's instance."""
    assert _errors(_bare(foreign=True), resources) == []
    foreign = rm.local_map(resources, foreign=True)
    found = foreign.resolve("0f3c1d2e-1111-2222-3333-444455556666", "queue")
    assert _status(found) == ("unchecked", "queue", None)
    assert "--resources FILE or --env ENV" in found.message
    # ARNs and our own names still resolve for a foreign flow; our own flows' bare IDs are checked.
    assert foreign.resolve(resources.queue_arn("ghost"), "queue").status == "missing"
    assert foreign.resolve("msp_general", "queue").status == "unchecked"
    assert _errors(_bare(foreign=False), resources) == [
        "q: QueueId refers to 0f3c1d2e-1111-2222-3333-444455556666, which is no queue of this repository's instance",
        "t: ContactFlowId refers to 7193aaaa-1111-2222-3333-444455556666, which is no flow of this repository's "
        "instance nor among the flows given",
    ]
    # A resources file is the flows' own instance: their bare IDs are checked against it.
    listed = rm.file_map(_write(tmp_path, {"instance": OTHER, "queues": [], "flows": []}))
    assert _errors(_bare(foreign=True), resources, listed) == [
        "q: QueueId refers to 0f3c1d2e-1111-2222-3333-444455556666, which is no queue of resources.yaml",
        "t: ContactFlowId refers to 7193aaaa-1111-2222-3333-444455556666, which is no flow of resources.yaml "
        "nor among the flows given",
    ]
    # A bare ID that a flow given alongside answers to is that flow, whatever the map.
    target = flow_of([BYE], "CUSTOMER_QUEUE", key="target")
    target.arn, target.foreign = f"{OTHER}/contact-flow/7193aaaa-1111-2222-3333-444455556666", True
    assert _errors({**_bare(foreign=True), "target": target}, resources) == [
        "t: transfers to 'Test', a CUSTOMER_QUEUE flow"
    ]


# ---- symbolic references of `aicc-ops connect export` ------------------------------------------------


def test_symbolic_references_name_this_repositorys_resources(resources: Resources) -> None:
    local = rm.local_map(resources)
    hours_key, hours = next(iter(resources.config.hours.items()))
    for ref, kind, key in [
        ("{{queue:MSP General}}", "queue", "msp_general"),
        ("{{queue:msp_general}}", "queue", "msp_general"),  # by key
        ("{{flow:Emergency}}", "flow", "emergency"),
        (f"{{{{hours:{hours.name}}}}}", "hours", hours_key),
        ("{{lambda:customer_lookup}}", "lambda", "customer_lookup"),
        ("{{lambda:customer_lookup:live}}", "lambda", "customer_lookup"),  # a provisioned alias
        ("{{lex:bot}}", "lex", "bot"),
    ]:
        assert _status(local.resolve(ref, kind)) == ("found", kind, key), ref
        assert _status(rm.local_map(resources, foreign=True).resolve(ref, kind)) == ("found", kind, key)
    # The exported instance may hold what this repository does not manage: not an error here.
    assert _status(local.resolve("{{queue:BasicQueue}}", "queue")) == ("unchecked", "queue", None)
    assert local.resolve("{{quick_connect:Sales}}").status == "unchecked"
    assert _status(rm.no_resolve_map().resolve("{{queue:MSP General}}", "flow")) == (
        "unchecked",
        "queue",
        None,
    )
    assert rm.parse_symbolic("{{nonsense:x}}") is None and rm.parse_symbolic("{{queue:}}") is None
    # The kind is the reference's own: a queue named where a flow goes is the wrong kind.
    go = block("go", "TransferToFlow", {"ContactFlowId": "{{queue:MSP General}}"})
    assert _errors({"t": flow_of([go, BYE])}, resources) == [
        "go: ContactFlowId must name a flow, but {{queue:MSP General}} is a queue"
    ]
    fn = block("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "{{lambda:customer_lookup}}"})
    assert _errors({"t": flow_of([fn, BYE])}, resources, rm.no_resolve_map()) == []


def test_symbolic_references_against_a_map_that_names_its_resources(tmp_path: Path) -> None:
    named = rm.file_map(
        _write(
            tmp_path,
            {
                "instance": OTHER,
                "queues": [{"id": UUID, "name": "Sales"}],
                "hours": [{"id": UUID, "name": "Basic Hours"}, UUID.replace("5", "6")],
                "lambdas": [
                    {"arn": "arn:aws:lambda:us-east-1:111122223333:function:x", "name": "customer_lookup"}
                ],
            },
        )
    )
    assert _status(named.resolve("{{queue:Sales}}", "queue")) == ("found", "queue", UUID)
    assert named.resolve("{{queue:Support}}", "queue").message == "no queue named 'Support' of resources.yaml"
    assert named.resolve("{{hours:Basic Hours}}").status == "found"
    assert named.resolve("{{hours:Nights}}").status == "unchecked"  # an entry without a name
    assert named.resolve("{{flow:Main}}").status == "unchecked"  # flows not listed
    assert named.resolve("{{lambda:customer_lookup}}").status == "found"
    assert named.resolve("{{lambda:other}}").status == "unchecked"  # a handler, not a listed name


def test_every_reference_connect_export_writes_for_this_repository_resolves(resources: Resources) -> None:
    """admin.drift writes the repository's view with these symbolic references: lint reads them back."""
    from aicc.settings import load_config
    from aicc_ops.admin import drift

    view = drift.repository_view(
        load_config(), resources, drift.EnvSettings(provisioned=frozenset({"customer_lookup"}))
    )
    local = rm.local_map(resources)
    written = {
        s
        for (kind, _), body in view.items()
        if kind == "flow"
        for s in _strings(body["Content"])
        if rm.parse_symbolic(s)
    }
    assert {"{{lambda:customer_lookup:live}}", "{{lex:bot}}"} <= written
    assert {s: local.resolve(s).status for s in written} == {s: "found" for s in written}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# ---- which given flow a reference names: one home ----------------------------------------------------


def test_what_a_given_flow_answers_to(resources: Resources) -> None:
    """Finding 4 of the review (/tmp/rev/xfer): a DescribeContactFlow output answers to its ARN, the ID
    at its end (a bare ContactFlowId), {{flow:NAME}}; lint and the simulator look it up the same way."""
    target = flow_of([BYE], key="target")
    target.name, target.arn = "Target", f"{OTHER}/contact-flow/abcd-1234"
    module = flow_of([BYE], "CONTACT_FLOW_MODULE", key="mod")
    module.arn = "0e3f3c4a-0000-4000-8000-00000000abcd"  # saved without its ARN
    cfn = flow_of([BYE], key="stack#Whisper")
    cfn.arn = "${Whisper.ContactFlowArn}"
    refs = rm.flow_references([target, module, cfn])
    assert refs == {
        target.arn: "target",
        "abcd-1234": "target",
        "{{flow:Target}}": "target",
        module.arn: "mod",
        "${Whisper.ContactFlowArn}": "stack#Whisper",
        "{{flow:Test}}": "stack#Whisper",
    }
    for ref, key in [
        ("abcd-1234", "target"),
        (f"{target.arn}:$SAVED", "target"),
        (f"{OTHER.replace('us-east-1', 'eu-west-2')}/contact-flow/abcd-1234", "target"),  # the ID names it
        (f"{OTHER}/flow-module/{module.arn}", "mod"),
        ("{{flow:Target}}", "target"),
        ("${Whisper.ContactFlowArn}", "stack#Whisper"),
        (f"{OTHER}/queue/abcd-1234", None),  # a queue's ARN names no flow
        ("$.Attributes.next", None),
    ]:
        assert rm.find_flow(ref, refs) == key, ref
    assert rm.reference_forms(f"{target.arn}:$SAVED") == [f"{target.arn}:$SAVED", target.arn, "abcd-1234"]
    given = rm.with_flows(rm.local_map(resources), {"target": target, "mod": module})
    assert _status(given.resolve("abcd-1234", "flow")) == ("found", "flow", "target")
    assert _status(given.resolve("{{flow:Target}}", "flow")) == ("found", "flow", "target")
    # A bare ID where a queue goes names a queue, even if a given flow has that ID.
    assert given.resolve("abcd-1234", "queue").status == "missing"
