"""Reading exported flows from files (engine/flow_files.py): every form, the flow type, placeholders,
folders, and references among the flows given."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import flows_in_file, public_flows

from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.engine.actions import MODULE
from aicc_ops.engine.flow_files import (
    CloudFormationLoader,
    FlowFileError,
    load_paths,
    read_flow_file,
)
from aicc_ops.engine.flows import FlowError, Resources, render_all
from aicc_ops.engine.resource_map import find_flow, flow_references, has_placeholder

PUBLIC = public_flows()
INSTANCE = "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555"
MODULE_ID = "0e3f3c4a-0000-4000-8000-00000000abcd"
MODULE_ARN = f"{INSTANCE}/flow-module/{MODULE_ID}"


def public_of(ftype: str) -> tuple[Path, dict[str, Any]]:
    """The first public flow of this type: its file and Flow Language content."""
    path = next(p for p, t in PUBLIC if t == ftype)
    return path, json.loads(path.read_text(encoding="utf-8"))


def action(ident: str, kind: str, params: dict[str, Any], nxt: str = "") -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if nxt:
        transitions = {"NextAction": nxt, "Errors": [{"NextAction": nxt, "ErrorType": "NoMatchingError"}]}
    return {"Identifier": ident, "Type": kind, "Parameters": params, "Transitions": transitions}


def flow_json(*actions: dict[str, Any], **metadata: str) -> dict[str, Any]:
    return {
        "Version": "2019-10-30",
        "StartAction": actions[0]["Identifier"],
        "Metadata": metadata,
        "Actions": list(actions),
    }


BYE = action("bye", "DisconnectParticipant", {})
MODULE_CONTENT = flow_json(
    action("say", "MessageParticipant", {"Text": "From the module."}, "end"),
    action("end", "EndFlowModuleExecution", {}),
)


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# ---- the Flow Language itself --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "ftype"), PUBLIC, ids=[p.name for p, _ in PUBLIC])
def test_every_public_flow_loads_as_flow_language(path: Path, ftype: str) -> None:
    text = path.read_text(encoding="utf-8")
    content = json.loads(text)
    (flow,) = flows_in_file(path, ftype)
    assert (flow.type, flow.content, flow.text, flow.source) == (ftype, content, text, str(path))
    assert flow.key == str(path) and flow.name
    assert list(flow.actions) == list(dict.fromkeys(a["Identifier"] for a in content["Actions"]))


def test_the_designers_metadata_type_is_the_flow_type() -> None:
    typed = [(p, t) for p, t in PUBLIC if json.loads(p.read_text(encoding="utf-8"))["Metadata"].get("type")]
    assert {t for _, t in typed} == {"CONTACT_FLOW", "OUTBOUND_WHISPER"}
    for path, ftype in typed:
        flows, problems = read_flow_file(path)
        assert [f.type for f in flows] == [ftype] and problems == []
        assert flows[0].name == json.loads(path.read_text(encoding="utf-8"))["Metadata"]["name"]


def test_camel_case_metadata_types_map_to_the_api_types(tmp_path: Path) -> None:
    _, content = public_of("CUSTOMER_QUEUE")
    content["Metadata"]["type"] = "customerQueue"
    (flow,) = flows_in_file(write(tmp_path / "queue.json", content))
    assert flow.type == "CUSTOMER_QUEUE"


def test_a_flow_without_a_type_is_checked_as_inbound_with_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path / "whisper.json", flow_json(action("hi", "MessageParticipant", {"Text": "x"}, "bye"), BYE)
    )
    flows, problems = read_flow_file(path)
    assert [f.type for f in flows] == ["CONTACT_FLOW"]
    assert [(p.severity, "--type" in p.message) for p in problems] == [("warning", True)]


def test_type_fills_in_only_where_the_file_says_none(tmp_path: Path) -> None:
    bare = write(
        tmp_path / "bare.json", flow_json(action("hi", "MessageParticipant", {"Text": "x"}, "bye"), BYE)
    )
    _, typed = public_of("OUTBOUND_WHISPER")
    typed["Metadata"]["type"] = "outboundWhisper"
    typed_file = write(tmp_path / "typed.json", typed)

    flows, problems = read_flow_file(bare, "AGENT_WHISPER")
    assert [f.type for f in flows] == ["AGENT_WHISPER"] and problems == []
    flows, problems = read_flow_file(typed_file, "AGENT_WHISPER")
    assert [f.type for f in flows] == ["OUTBOUND_WHISPER"]
    assert [(p.severity, p.message) for p in problems] == [
        ("note", "--type AGENT_WHISPER not used: the file says OUTBOUND_WHISPER")
    ]


def test_a_flow_that_ends_with_end_flow_module_execution_is_a_module(tmp_path: Path) -> None:
    flows, problems = read_flow_file(write(tmp_path / "module.json", MODULE_CONTENT))
    assert [f.type for f in flows] == [MODULE]
    assert [p.severity for p in problems] == ["note"] and "EndFlowModuleExecution" in problems[0].message


def test_a_type_the_linter_does_not_know_is_a_warning_and_not_checked(tmp_path: Path) -> None:
    _, content = public_of("CONTACT_FLOW")
    path = write(
        tmp_path / "campaign.json", {"Name": "Dialer", "Type": "CAMPAIGN", "Content": json.dumps(content)}
    )
    flows, problems = read_flow_file(path)
    assert (
        flows == [] and [p.severity for p in problems] == ["warning"] and "'CAMPAIGN'" in problems[0].message
    )


# ---- describe-contact-flow(-module) output and {Name, Type, Content} -------------------------------------


def test_describe_contact_flow_output(tmp_path: Path) -> None:
    _, content = public_of("AGENT_WHISPER")
    text = json.dumps(content)
    arn = f"{INSTANCE}/contact-flow/aaaa-bbbb"
    described = {
        "ContactFlow": {
            "Arn": arn,
            "Id": "aaaa-bbbb",
            "Name": "Agent whisper",
            "Type": "AGENT_WHISPER",
            "State": "ACTIVE",
            "Content": text,
        }
    }
    (flow,) = flows_in_file(write(tmp_path / "whisper.json", described))
    assert (flow.name, flow.type, flow.arn, flow.content, flow.text) == (
        "Agent whisper",
        "AGENT_WHISPER",
        arn,
        content,
        text,
    )


@pytest.mark.parametrize("as_string", [True, False], ids=["content-string", "content-object"])
def test_name_type_content_wrapper(tmp_path: Path, as_string: bool) -> None:
    _, content = public_of("QUEUE_TRANSFER")
    wrapped = {
        "Name": "Transfer",
        "Type": "QUEUE_TRANSFER",
        "Content": json.dumps(content) if as_string else content,
        "Tags": {},
    }
    (flow,) = flows_in_file(write(tmp_path / "transfer.json", wrapped))
    assert (flow.name, flow.type, flow.content) == ("Transfer", "QUEUE_TRANSFER", content)


def test_a_module_given_alongside_answers_to_its_arn_and_its_id(tmp_path: Path) -> None:
    write(
        tmp_path / "module.json",
        {
            "ContactFlowModule": {
                "Arn": MODULE_ARN,
                "Id": MODULE_ID,
                "Name": "Greeting",
                "Content": json.dumps(MODULE_CONTENT),
            }
        },
    )
    invoke = action("module", "InvokeFlowModule", {"FlowModuleId": MODULE_ID}, "bye")
    write(tmp_path / "main.json", flow_json(invoke, BYE, type="contactFlow"))
    loaded = load_paths([tmp_path])
    module = next(f for f in loaded.flows if f.type == MODULE)
    assert (module.name, module.arn) == ("Greeting", MODULE_ARN)
    refs = flow_references(loaded.flows)
    assert refs[MODULE_ARN] == refs[MODULE_ID] == module.key
    assert find_flow(MODULE_ID, refs) == find_flow(MODULE_ARN, refs) == module.key
    # `connect export` writes {{flow:NAME}} for flows only (it does not list modules).
    assert find_flow("{{flow:Greeting}}", refs) is None


def test_a_module_known_by_its_id_only_matches_an_arn_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path / "module.json", {"Id": MODULE_ID, "Name": "Greeting", "Content": MODULE_CONTENT})
    (module,) = flows_in_file(path)
    assert (module.type, module.arn) == (MODULE, MODULE_ID)
    assert find_flow(MODULE_ARN, flow_references([module])) == module.key
    assert find_flow(f"{INSTANCE}/flow-module/another", flow_references([module])) is None


# ---- CloudFormation -------------------------------------------------------------------------------------


def test_cloudformation_json_template_with_a_flow_and_a_module(tmp_path: Path) -> None:
    _, content = public_of("CUSTOMER_QUEUE")
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "QueueFlow": {
                "Type": "AWS::Connect::ContactFlow",
                "Properties": {
                    "InstanceArn": {"Ref": "Instance"},
                    "Name": "In queue",
                    "Type": "CUSTOMER_QUEUE",
                    "Content": {"Fn::Sub": json.dumps(content)},
                },
            },
            "Greeting": {
                "Type": "AWS::Connect::ContactFlowModule",
                "Properties": {"Name": "Greeting", "Content": json.dumps(MODULE_CONTENT)},
            },
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        },
    }
    path = write(tmp_path / "stack.template", template)
    queue, module = flows_in_file(path)
    assert (queue.key, queue.name, queue.type, queue.content) == (
        f"{path}#QueueFlow",
        "In queue",
        "CUSTOMER_QUEUE",
        content,
    )
    assert (module.key, module.type, module.arn) == (
        f"{path}#Greeting",
        MODULE,
        "${Greeting.ContactFlowModuleArn}",
    )


CFN_FLOW = json.dumps(
    flow_json(
        action("queue", "UpdateContactTargetQueue", {"QueueId": "${QueueArn}"}, "queue2"),
        action(
            "queue2",
            "UpdateContactTargetQueue",
            {"QueueId": "arn:aws:connect:${AWS::Region}:${AWS::AccountId}:instance/${InstanceId}/queue/q2"},
            "lambda",
        ),
        action(
            "lambda",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": "${LambdaArn}", "InvocationTimeLimitSeconds": "${Seconds}"},
            "loop",
        ),
        action("loop", "Loop", {"LoopCount": "COUNT"}, "module"),
        action("module", "InvokeFlowModule", {"FlowModuleId": "${Greeting}"}, "hooks"),
        action(
            "hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerWhisper": "${WhisperArn}"}}, "say"
        ),
        action("say", "MessageParticipant", {"Text": "Cost: ${!Price}"}, "bye"),
        BYE,
    ),
    indent=2,
).replace('"COUNT"', "${Count}")


def test_cloudformation_yaml_with_sub_substitutes_literals_and_keeps_placeholders(tmp_path: Path) -> None:
    body = "\n".join("          " + line for line in CFN_FLOW.splitlines())
    template = f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  InstanceId: {{Type: String}}
Resources:
  Main:
    Type: AWS::Connect::ContactFlow
    Properties:
      InstanceArn: !Sub arn:aws:connect:${{AWS::Region}}:${{AWS::AccountId}}:instance/${{InstanceId}}
      Name: !Sub ${{AWS::StackName}}-main
      Type: CONTACT_FLOW
      Content: !Sub
        - |
{body}
        - QueueArn: arn:aws:connect:us-east-1:111122223333:instance/i/queue/q1
          LambdaArn: !GetAtt Lookup.Arn
          Seconds: 3
          Count: !Ref LoopCount
          WhisperArn: !GetAtt Whisper.ContactFlowArn
  Whisper:
    Type: AWS::Connect::ContactFlow
    Properties:
      Name: Whisper
      Type: CUSTOMER_WHISPER
      Content: '{json.dumps(flow_json(action("w", "MessageParticipant", {"Text": "Hi"}, "end"), action("end", "EndFlowExecution", {})))}'
  Greeting:
    Type: AWS::Connect::ContactFlowModule
    Properties:
      Name: !Join ["-", [!Ref AWS::StackName, greeting]]
      Content: {json.dumps(json.dumps(MODULE_CONTENT))}
  Lookup:
    Type: AWS::Lambda::Function
    Properties: {{Handler: index.handler}}
"""
    path = write(tmp_path / "stack.yaml", template)
    flows, problems = read_flow_file(path)
    assert problems == []
    main, whisper, greeting = flows
    assert (main.key, main.name, main.type) == (f"{path}#Main", "${AWS::StackName}-main", "CONTACT_FLOW")
    assert (whisper.type, greeting.type, greeting.name) == (
        "CUSTOMER_WHISPER",
        MODULE,
        "${AWS::StackName}-greeting",
    )
    params = {ident: a["Parameters"] for ident, a in main.actions.items()}
    assert params["queue"]["QueueId"] == "arn:aws:connect:us-east-1:111122223333:instance/i/queue/q1"
    assert params["queue2"]["QueueId"] == (
        "arn:aws:connect:${AWS::Region}:${AWS::AccountId}:instance/${InstanceId}/queue/q2"
    )
    assert params["lambda"] == {"LambdaFunctionARN": "${Lookup.Arn}", "InvocationTimeLimitSeconds": "3"}
    assert params["loop"]["LoopCount"] == "${LoopCount}"  # outside a JSON string: a string placeholder
    assert params["say"]["Text"] == "Cost: ${Price}"
    refs = flow_references(flows)
    assert find_flow(params["module"]["FlowModuleId"], refs) == greeting.key
    assert find_flow(params["hooks"]["EventHooks"]["CustomerWhisper"], refs) == whisper.key
    assert has_placeholder(params["queue2"]["QueueId"]) and not has_placeholder(params["queue"]["QueueId"])


def test_a_cloudformation_flow_that_cannot_be_read_leaves_the_others(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Good": {
                "Type": "AWS::Connect::ContactFlowModule",
                "Properties": {"Name": "Good", "Content": json.dumps(MODULE_CONTENT)},
            },
            "FromParameter": {
                "Type": "AWS::Connect::ContactFlow",
                "Properties": {"Name": "P", "Type": "CONTACT_FLOW", "Content": {"Ref": "FlowContent"}},
            },
            "Conditional": {
                "Type": "AWS::Connect::ContactFlow",
                "Properties": {
                    "Name": "C",
                    "Type": "CONTACT_FLOW",
                    "Content": {"Fn::If": ["Prod", "a", "b"]},
                },
            },
            "Broken": {
                "Type": "AWS::Connect::ContactFlow",
                "Properties": {"Name": "B", "Type": "CONTACT_FLOW", "Content": "{not json"},
            },
        }
    }
    path = write(tmp_path / "stack.json", template)
    flows, problems = read_flow_file(path)
    assert [f.name for f in flows] == ["Good"]
    messages = [p.message for p in problems]
    assert messages[0].startswith(
        "Resources.FromParameter: Content is Ref FlowContent, known only at deploy time"
    )
    assert messages[1].startswith("Resources.Conditional: Content is built with Fn::If")
    assert messages[2].startswith("Resources.Broken.Properties.Content is not valid JSON")
    with pytest.raises(FlowFileError, match=rf"^{path}: Resources.FromParameter"):
        flows_in_file(path)


def test_yaml_reads_cloudformation_short_tags() -> None:
    doc = yaml.load(
        "a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub [x, {k: v}]\nd: !If [C, 1, 2]\ne: !Condition C\nf: !reference [x]\n",
        Loader=CloudFormationLoader,
    )
    assert doc == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["R", "Arn"]},
        "c": {"Fn::Sub": ["x", {"k": "v"}]},
        "d": {"Fn::If": ["C", 1, 2]},
        "e": {"Condition": "C"},
        "f": {"Fn::reference": ["x"]},
    }


# ---- .json.tftpl templates ------------------------------------------------------------------------------


def test_a_lone_template_renders_with_placeholders(tmp_path: Path) -> None:
    text = json.dumps(
        flow_json(
            action("queue", "UpdateContactTargetQueue", {"QueueId": "${sales_queue_arn}"}, "loop"),
            action("loop", "Loop", {"LoopCount": "COUNT"}, "say"),
            action("say", "MessageParticipant", {"Text": "Literal $${x}"}, "bye"),
            BYE,
        )
    ).replace('"COUNT"', "${jsonencode(retries)}")
    (flow,) = flows_in_file(write(tmp_path / "inbound.json.tftpl", text))
    assert flow.name == "inbound" and flow.type == "CONTACT_FLOW"
    assert flow.actions["queue"]["Parameters"]["QueueId"] == "${sales_queue_arn}"
    assert flow.actions["loop"]["Parameters"]["LoopCount"] == "${jsonencode(retries)}"
    assert flow.actions["say"]["Parameters"]["Text"] == "Literal ${x}"


def test_a_template_directive_is_a_clear_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "if.json.tftpl", '{"Version": "2019-10-30",\n%{ if x }"StartAction": "a"%{ endif }}'
    )
    with pytest.raises(FlowFileError, match=r"if\.json\.tftpl: line 2: a template directive"):
        flows_in_file(path)


def test_this_repositorys_templates_render_as_flows_lint_renders_them(resources: Resources) -> None:
    loaded = load_paths([REPO_FLOWS_DIR])
    rendered = render_all(resources)
    assert {f.key: (f.name, f.type, f.audience, f.content) for f in loaded.flows} == {
        k: (f.name, f.type, f.audience, f.content) for k, f in rendered.items()
    }
    assert all(f.arn == resources.flow_arn(f.key) and f.source.endswith(".json.tftpl") for f in loaded.flows)
    assert [(Path(p.path).name, p.severity) for p in loaded.problems] == [("flows.yaml", "note")]


def test_a_template_the_catalog_does_not_list_renders_with_placeholders(tmp_path: Path) -> None:
    shutil.copytree(REPO_FLOWS_DIR, tmp_path, dirs_exist_ok=True)
    queue = action("queue", "UpdateContactTargetQueue", {"QueueId": "${queues.msp_general}"}, "bye")
    path = write(tmp_path / "extra.json.tftpl", flow_json(queue, BYE))
    flows, problems = read_flow_file(path)
    assert flows[0].actions["queue"]["Parameters"]["QueueId"] == "${queues.msp_general}"
    assert any(p.severity == "note" and "not listed in the flows.yaml" in p.message for p in problems)


# ---- what is not a flow, or not readable ----------------------------------------------------------------

LEGACY = {
    "modules": [{"id": "a", "type": "Disconnect", "branches": []}],
    "version": "1",
    "type": "contactFlow",
    "start": "a",
}


@pytest.mark.parametrize(
    "doc",
    [LEGACY, {"ContactFlow": {"Name": "Old", "Type": "CONTACT_FLOW", "Content": json.dumps(LEGACY)}}],
    ids=["file", "in-content"],
)
def test_the_old_console_format_says_how_to_get_the_flow_language(
    tmp_path: Path, doc: dict[str, Any]
) -> None:
    with pytest.raises(
        FlowFileError, match=r"old\.json: .*console's old export format.*describe-contact-flow"
    ):
        flows_in_file(write(tmp_path / "old.json", doc))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "broken.json",
            '{"Version": "2019-10-30",\n  "Actions": [}',
            "not valid JSON: Expecting value at line 2",
        ),
        ("empty.json", "  \n", "the file is empty"),
        ("broken.yaml", "Resources:\n  a: [\n", "not valid YAML at line 3"),
        ("list.json", "[1, 2]", "not a flow: a list"),
        ("package.json", '{"name": "x"}', "not a flow: no Actions, ContactFlow"),
        (
            "stack.yaml",
            "Resources:\n  Role: {Type: AWS::IAM::Role}\n",
            "not a flow: a CloudFormation template without",
        ),
        ("raw.json", '{"LoopCount": ${n}}', "it has ${...} placeholders: if it is a Terraform template"),
    ],
)
def test_an_unreadable_file_is_a_clear_error_naming_it(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(FlowFileError) as caught:
        flows_in_file(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


# ---- folders ---------------------------------------------------------------------------------------------


def test_a_folder_mixing_good_and_bad_files(tmp_path: Path) -> None:
    _, content = public_of("CONTACT_FLOW")
    hello = flow_json(
        action("hi", "MessageParticipant", {"Text": "Hi"}, "bye"), BYE, name="Main", type="contactFlow"
    )
    write(tmp_path / "a" / "main.json", hello)
    write(
        tmp_path / "b" / "main.json",
        {"ContactFlow": {"Name": "Main", "Type": "CONTACT_FLOW", "Content": json.dumps(content)}},
    )
    write(tmp_path / "b" / "broken.json", '{"Version": "2019-10-30", "StartAction": ')  # a broken export
    write(tmp_path / "b" / "empty.json", "")
    write(tmp_path / "manifest.json", {"flows": ["a/main.json"]})
    write(tmp_path / ".git" / "config.json", "{")
    write(tmp_path / "node_modules" / "x" / "package.json", "{")
    write(tmp_path / "README.md", "# flows")
    loaded = load_paths([tmp_path, tmp_path / "a" / "main.json"])  # the file again: read once
    assert loaded.files == [
        str(tmp_path / p)
        for p in ("manifest.json", "a/main.json", "b/broken.json", "b/empty.json", "b/main.json")
    ]
    assert sorted((Path(p.path).name, p.severity) for p in loaded.problems) == [
        ("broken.json", "error"),
        ("empty.json", "note"),
        ("manifest.json", "note"),
    ]
    keys = [f.key for f in loaded.flows]
    assert keys == [str(tmp_path / "a" / "main.json"), str(tmp_path / "b" / "main.json")]
    assert [f.name for f in loaded.flows] == [f"Main ({k})" for k in keys]  # two flows named Main


@pytest.mark.parametrize(
    ("name", "text", "severity", "message"),
    [
        # Not flows: in a folder walk, a note, as a file that parses but holds no flow.
        ("tsconfig.json", '{\n  // comment\n  "compilerOptions": {}\n}\n', "note", "skipped: not valid JSON"),
        ("values.yaml", "a: [\n", "note", "skipped: not valid YAML"),
        ("empty.json", "", "note", "skipped: the file is empty"),
        ("policy.json.tftpl", '{"a": %{ if x }1%{ endif }}', "note", "skipped: line 1: a template directive"),
        # Broken exports: errors, even in a folder walk.
        (
            "flow.json",
            '{"Version": "2019-10-30", "StartAction": "a", "Actions": [',
            "error",
            "not valid JSON",
        ),
        ("described.json", '{"ContactFlow": {"Content": "{', "error", "not valid JSON"),
        ("stack.yaml", "Resources:\n  F: {Type: AWS::Connect::ContactFlow\n", "error", "not valid YAML"),
    ],
)
def test_in_a_folder_an_unparsable_file_is_an_error_only_if_it_looks_like_a_flow(
    tmp_path: Path, name: str, text: str, severity: str, message: str
) -> None:
    write(tmp_path / "flows" / "main.json", flow_json(BYE, type="contactFlow"))
    path = write(tmp_path / "flows" / name, text)
    loaded = load_paths([tmp_path / "flows"])
    (problem,) = [p for p in loaded.problems if p.path == str(path)]
    assert (problem.severity, problem.message.startswith(message)) == (severity, True), problem
    # Named on the command line, the same file is an error whatever it holds.
    (named,) = load_paths([path]).problems
    assert named.severity == "error" and not named.message.startswith("skipped")


def test_every_document_of_a_yaml_stream_is_read(tmp_path: Path) -> None:
    hello = flow_json(action("hi", "MessageParticipant", {"Text": "Hi"}, "bye"), BYE, type="contactFlow")
    stream = yaml.safe_dump_all(
        [{"kind": "ConfigMap"}, {"Name": "One", "Type": "CONTACT_FLOW", "Content": json.dumps(hello)}, hello]
    )
    path = write(tmp_path / "exports.yaml", stream)
    flows, problems = read_flow_file(path)
    assert [(f.name, f.type) for f in flows] == [("One", "CONTACT_FLOW"), ("exports", "CONTACT_FLOW")]
    assert [(p.severity, p.message) for p in problems] == [
        ("note", "YAML document(s) 1 of 3 hold no flow: skipped")
    ]
    loaded = load_paths([path])
    assert len({f.key for f in loaded.flows}) == 2  # one file, two flows: each its own key
    # A Kubernetes manifest (several documents, none a flow) in a folder walk is a note.
    write(tmp_path / "k8s" / "app.yaml", "a: 1\n---\nb: 2\n")
    write(tmp_path / "k8s" / "main.json", hello)
    (problem,) = load_paths([tmp_path / "k8s"]).problems
    assert (problem.severity, problem.message) == (
        "note",
        "skipped, not a flow: 2 YAML documents, none with Actions, ContactFlow, ContactFlowModule, Resources "
        "or Content",
    )


def test_a_problem_in_one_document_of_a_stream_names_the_document(tmp_path: Path) -> None:
    path = write(tmp_path / "two.yaml", 'Content: ""\n---\nContent: "{}"\n')
    _, problems = read_flow_file(path)
    assert [p.message.split(":")[0] for p in problems if p.severity == "error"] == ["document 1 of 2"]


def test_a_folder_without_flows_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "package.json", {"name": "x"})
    (tmp_path / "none").mkdir()
    loaded = load_paths([tmp_path / "docs", tmp_path / "none"])
    assert [(Path(p.path).name, p.severity, p.message.split(" (")[0]) for p in loaded.problems] == [
        (
            "package.json",
            "note",
            "skipped, not a flow: no Actions, ContactFlow, ContactFlowModule, Resources or Content",
        ),
        ("docs", "error", "no flows found here"),
        ("none", "error", "no flows found here"),
    ]


def test_an_unknown_type_option_is_refused() -> None:
    with pytest.raises(FlowError, match="--type INBOUND: not a flow type"):
        load_paths([REPO_FLOWS_DIR], flow_type="INBOUND")
