"""`aicc-ops flows lint PATH...`: exported flows from files and folders, results per file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from aicc_ops.cli import cli
from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.engine import lint as flow_lint
from aicc_ops.engine.flows import load_catalog


def action(ident: str, kind: str, params: dict[str, Any], nxt: str = "") -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if nxt:
        transitions = {"NextAction": nxt, "Errors": [{"NextAction": nxt, "ErrorType": "NoMatchingError"}]}
    return {"Identifier": ident, "Type": kind, "Parameters": params, "Transitions": transitions}


def greeting(name: str, goes_to: str = "bye", **metadata: str) -> dict[str, Any]:
    """A clean inbound flow: a message, then hang up (or a transition to `goes_to`)."""
    return {
        "Version": "2019-10-30",
        "StartAction": "hi",
        "Metadata": {"name": name, **metadata},
        "Actions": [
            action("hi", "MessageParticipant", {"Text": "Thanks for calling."}, goes_to),
            action("bye", "DisconnectParticipant", {}),
        ],
    }


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def lint(*args: str) -> Result:
    return CliRunner().invoke(cli, ["flows", "lint", *args])


def test_a_folder_of_clean_flows_passes_with_results_per_file(tmp_path: Path) -> None:
    write(tmp_path / "main.json", greeting("Main", type="contactFlow"))
    write(
        tmp_path / "exports" / "described.json",
        {"ContactFlow": {"Name": "Described", "Type": "CONTACT_FLOW", "Content": json.dumps(greeting("x"))}},
    )
    result = lint(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        str(tmp_path / "main.json"),
        "  Main (CONTACT_FLOW, 2 actions): ok",
        str(tmp_path / "exports" / "described.json"),
        "  Described (CONTACT_FLOW, 2 actions): ok",
        "2 file(s), 2 flow(s), 4 actions: 0 error(s), 0 warning(s)",
    ]


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    write(tmp_path / "good.json", greeting("Good", type="contactFlow"))
    write(tmp_path / "dangling.json", greeting("Dangling", goes_to="nowhere", type="contactFlow"))
    write(tmp_path / "broken.json", '{"Version": "2019-10-30", "StartAction": ')  # a broken export
    write(tmp_path / "untyped.json", greeting("Untyped"))
    write(tmp_path / "manifest.json", {"flows": []})
    return tmp_path


def test_one_bad_file_does_not_stop_the_others_and_exits_1(mixed: Path) -> None:
    result = lint(str(mixed), "--output", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert list(files) == ["broken.json", "dangling.json", "good.json", "manifest.json", "untyped.json"]
    assert files["broken.json"]["flows"] == []
    assert [p["severity"] for p in files["broken.json"]["problems"]] == ["error"]
    assert files["broken.json"]["problems"][0]["message"].startswith("not valid JSON")
    (dangling,) = files["dangling.json"]["flows"]
    assert (dangling["name"], dangling["type"]) == ("Dangling", "CONTACT_FLOW")
    assert {(f["action"], f["severity"]) for f in dangling["findings"]} >= {("hi", "error")}
    assert [(f["name"], f["findings"]) for f in files["good.json"]["flows"]] == [("Good", [])]
    assert [p["severity"] for p in files["manifest.json"]["problems"]] == ["note"]
    assert [p["severity"] for p in files["untyped.json"]["problems"]] == ["warning"]
    severities = [f["severity"] for f in dangling["findings"]]
    assert (data["errors"], data["warnings"]) == (
        1 + severities.count("error"),
        1 + severities.count("warning"),
    )


def test_table_output_names_each_file_its_flows_and_findings(mixed: Path) -> None:
    result = lint(str(mixed))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    broken = lines.index(str(mixed / "broken.json"))
    assert lines[broken + 1].startswith("  error: not valid JSON")
    dangling = lines.index(str(mixed / "dangling.json"))
    assert lines[dangling + 1].startswith("  Dangling (CONTACT_FLOW, 2 actions): ")
    assert "    error: hi: NextAction goes to 'nowhere'" in lines[dangling + 2]
    assert lines[-1].startswith("5 file(s), 3 flow(s), 6 actions: ")
    assert "Traceback" not in result.output


def test_no_warnings_hides_the_guessed_type(mixed: Path) -> None:
    everything = json.loads(lint(str(mixed), "--output", "json").output)
    shown = json.loads(lint(str(mixed), "--output", "json", "--no-warnings").output)
    assert all(p["severity"] == "error" for f in shown["files"] for p in f["problems"])
    assert all(x["severity"] == "error" for f in shown["files"] for fl in f["flows"] for x in fl["findings"])
    assert (shown["errors"], shown["warnings"]) == (everything["errors"], everything["warnings"])  # counted


def test_type_fills_in_for_files_that_do_not_say_theirs(mixed: Path) -> None:
    data = json.loads(lint(str(mixed), "--type", "agent_whisper", "--output", "json").output)
    types = {Path(f["path"]).name: [x["type"] for x in f["flows"]] for f in data["files"]}
    assert types["untyped.json"] == ["AGENT_WHISPER"] and types["good.json"] == ["CONTACT_FLOW"]
    notes = {Path(f["path"]).name: [p["message"] for p in f["problems"]] for f in data["files"]}
    assert notes["good.json"] == ["--type AGENT_WHISPER not used: the file says CONTACT_FLOW"]
    assert notes["untyped.json"] == []


def test_this_repositorys_flows_by_path_lint_clean() -> None:
    result = lint(str(REPO_FLOWS_DIR), "--output", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sum(len(f["flows"]) for f in data["files"]) == len(load_catalog())
    assert (data["errors"], data["warnings"]) == (0, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--flows-dir", str(REPO_FLOWS_DIR), str(REPO_FLOWS_DIR)], "give PATHs or --flows-dir"),
        (["--type", "CONTACT_FLOW"], "--type applies to the files given as PATH"),
        (["/nonexistent/flows"], "does not exist"),
        (["--type", "INBOUND", str(REPO_FLOWS_DIR)], "'INBOUND' is not one of"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = lint(*args)
    assert result.exit_code == 2 and message in result.output


def test_a_linter_failure_on_one_flow_leaves_the_others_checked(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = flow_lint.lint

    def failing(flows: Any, resources: Any, **kwargs: Any) -> list[flow_lint.Finding]:
        if any(f.name == "Good" for f in flows.values()):
            raise KeyError("Parameters")
        return real(flows, resources, **kwargs)

    monkeypatch.setattr(flow_lint, "lint", failing)
    monkeypatch.delenv("AICC_DEBUG", raising=False)
    result = lint(str(mixed), "--output", "json")
    assert result.exit_code == 1
    files = {Path(f["path"]).name: f for f in json.loads(result.output)["files"]}
    assert files["good.json"]["flows"] == []
    assert (
        "Good: not checked, the linter failed on it (KeyError" in files["good.json"]["problems"][0]["message"]
    )
    assert files["dangling.json"]["flows"][0]["findings"]


# ---- what references resolve against ------------------------------------------------------------
INSTANCE = "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555"


def queued(queue_arn: str) -> dict[str, Any]:
    """An inbound flow that sets a working queue and transfers to it; a full queue hears why."""
    return {
        "Version": "2019-10-30",
        "StartAction": "set",
        "Metadata": {"name": "Queued", "type": "contactFlow"},
        "Actions": [
            action("set", "UpdateContactTargetQueue", {"QueueId": queue_arn}, "transfer"),
            {
                "Identifier": "transfer",
                "Type": "TransferContactToQueue",
                "Parameters": {},
                "Transitions": {
                    "Errors": [
                        {"NextAction": "sorry", "ErrorType": "QueueAtCapacity"},
                        {"NextAction": "sorry", "ErrorType": "NoMatchingError"},
                    ]
                },
            },
            action("sorry", "MessageParticipant", {"Text": "We cannot take your call now."}, "bye"),
            action("bye", "DisconnectParticipant", {}),
        ],
    }


def test_references_resolve_against_the_resources_file(tmp_path: Path) -> None:
    sales = f"{INSTANCE}/queue/aaaaaaaa-0000-4000-8000-000000000001"
    flow = write(tmp_path / "queued.json", queued(sales))
    listed = write(tmp_path / "listed.yaml", f"instance: {INSTANCE}\nqueues:\n  - {sales}\n")
    empty = write(tmp_path / "empty.yaml", f"instance: {INSTANCE}\nqueues: []\n")
    assert lint(str(flow), "--resources", str(listed)).exit_code == 0
    # The same queue against an instance without it: Connect would refuse the flow.
    missing = lint(str(flow), "--resources", str(empty), "--output", "json")
    assert missing.exit_code == 1
    messages = [x["message"] for x in json.loads(missing.output)["files"][0]["flows"][0]["findings"]]
    assert any(sales in m and "no queue of" in m for m in messages), messages
    # Against this repository's instance (the default) it is another instance's queue: not an error.
    assert lint(str(flow)).exit_code == 0
    # --no-resolve checks only shape and kind: a queue where a Lambda belongs is still an error.
    flow_text = json.dumps(queued(sales)).replace(
        '"UpdateContactTargetQueue", "Parameters": {"QueueId"',
        '"InvokeLambdaFunction", "Parameters": {"LambdaFunctionARN"',
    )
    wrong = write(tmp_path / "wrong.json", flow_text)
    result = lint(str(wrong), "--no-resolve")
    assert result.exit_code == 1 and "must name a Lambda function" in result.output, result.output


def test_one_resource_map_at_a_time_and_a_bad_file_says_what_to_fix(tmp_path: Path) -> None:
    flow = write(tmp_path / "main.json", greeting("Main", type="contactFlow"))
    bad = write(tmp_path / "bad.yaml", "queues: 3\n")
    both = lint(str(flow), "--no-resolve", "--resources", str(bad))
    assert both.exit_code == 2 and "choose one resource map" in both.output
    result = lint(str(flow), "--resources", str(bad))
    assert result.exit_code == 1 and "instance: give the instance's ARN" in result.output
    assert "Traceback" not in result.output
    ours = lint("--no-resolve")
    assert ours.exit_code == 2 and "apply to the files given as PATH" in ours.output


def test_an_untyped_folder_of_public_flows_gets_only_true_errors() -> None:
    """Most public exports do not say their type: each is checked as the first type its blocks
    allow (with a warning), so a whisper or queue flow is not blamed for its own blocks; what is
    left are the true silent hang-ups (test_lint_public_flows names them)."""
    from helpers import PUBLIC_FLOWS_DIR

    result = lint(str(PUBLIC_FLOWS_DIR), "--output", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    errors = [
        x["message"]
        for f in report["files"]
        for fl in f["flows"]
        for x in fl["findings"]
        if x["severity"] == "error"
    ]
    assert errors and all(m.startswith("hangs up after an error (") for m in errors), errors
    assumed = [p["message"] for f in report["files"] for p in f["problems"] if "checked as" in p["message"]]
    assert any("checked as CUSTOMER_QUEUE" in m for m in assumed), assumed
    # A flow that transfers to a queue it never sets is a queue-transfer flow (its quick connect
    # names the queue): the SCV and gitlab samples' queue transfers, with no "no working queue".
    transfers = {
        fl["name"]: fl for f in report["files"] for fl in f["flows"] if fl["name"].endswith("ueue_Transfer")
    } | {fl["name"]: fl for f in report["files"] for fl in f["flows"] if "acme_queue_transfer" in fl["name"]}
    assert len(transfers) == 2, transfers.keys()
    for fl in transfers.values():
        assert fl["type"] == "QUEUE_TRANSFER", fl
        assert not any("working queue" in x["message"] for x in fl["findings"]), fl["findings"]
    assert report["warnings"] <= 26


@pytest.mark.parametrize(
    "args", [["--instance-id", "11111111-2222-4333-8444-555555555555"], ["--env", "prod"], ["--no-resolve"]]
)
def test_resource_map_options_without_paths_are_refused_before_any_live_call(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aicc_ops.cli import flows as flows_cli

    def no_live_call(**kwargs: Any) -> None:
        raise AssertionError("the live instance was read before the usage error")

    monkeypatch.setattr(flows_cli, "live_map", no_live_call)
    result = lint(*args)
    assert result.exit_code == 2 and "apply to the files given as PATH" in result.output, result.output


def test_a_module_given_alongside_sets_the_working_queue_of_the_flow_invoking_it(tmp_path: Path) -> None:
    """The reviewer's case: an inbound flow invokes a module that sets the working queue, then
    transfers to it. With the module given, the queue comes from it; without, it is unknown."""
    module_arn = f"{INSTANCE}/flow-module/mq"
    module = {
        "Version": "2019-10-30",
        "StartAction": "q",
        "Actions": [
            action("q", "UpdateContactTargetQueue", {"QueueId": f"{INSTANCE}/queue/q1"}, "e"),
            action("e", "EndFlowModuleExecution", {}),
        ],
    }
    transfer = action("t", "TransferContactToQueue", {}, "p")
    transfer["Transitions"]["Errors"].append({"NextAction": "p", "ErrorType": "QueueAtCapacity"})
    inbound = {
        "Version": "2019-10-30",
        "StartAction": "m",
        "Actions": [
            action("m", "InvokeFlowModule", {"FlowModuleId": module_arn}, "t"),
            transfer,
            action("p", "MessageParticipant", {"Text": "Sorry."}, "d"),
            action("d", "DisconnectParticipant", {}),
        ],
    }
    write(
        tmp_path / "in.json",
        {"ContactFlow": {"Name": "In", "Type": "CONTACT_FLOW", "Content": json.dumps(inbound)}},
    )
    write(
        tmp_path / "module.json",
        {"ContactFlowModule": {"Arn": module_arn, "Name": "SetQueue", "Content": json.dumps(module)}},
    )
    for args in ([str(tmp_path)], [str(tmp_path / "in.json")]):
        result = lint(*args, "--no-resolve")
        # The module's Set working queue may fail and return without a queue: at most "may run".
        assert "no working queue set on every path" not in result.output, result.output
        assert result.exit_code == 0, result.output


# ---- review findings: placeholders, bare IDs, `connect export` files, one home for flow references ----

SUB_FLOW = (
    '{"Version": "2019-10-30", "StartAction": "l", "Actions": ['
    '{"Identifier": "l", "Type": "InvokeLambdaFunction", "Parameters": {"LambdaFunctionARN": "LAMBDA", '
    '"InvocationTimeLimitSeconds": "3"}, "Transitions": {"NextAction": "q", "Errors": [{"NextAction": "q", '
    '"ErrorType": "NoMatchingError"}]}}, '
    '{"Identifier": "q", "Type": "UpdateContactTargetQueue", "Parameters": {"QueueId": "QUEUE"}, '
    '"Transitions": {"NextAction": "t", "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingError"}]}}, '
    '{"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {"NextAction": "d", '
    '"Errors": [{"NextAction": "d", "ErrorType": "QueueAtCapacity"}, {"NextAction": "d", '
    '"ErrorType": "NoMatchingError"}]}}, '
    '{"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]}'
)


def cloudformation(lambda_arn: str, queue: str) -> str:
    content = SUB_FLOW.replace("LAMBDA", lambda_arn).replace("QUEUE", queue)
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  SalesQueueArn: {{Type: String}}
  InstanceArn: {{Type: String}}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {{}}
  Flow:
    Type: AWS::Connect::ContactFlow
    Properties:
      InstanceArn: !Ref InstanceArn
      Name: demo
      Type: CONTACT_FLOW
      Content: !Sub '{content}'
"""


@pytest.mark.parametrize(
    ("lambda_arn", "queue"),
    [
        ("${Fn.Arn}", "${SalesQueueArn}"),
        (
            "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${FnName}",
            "arn:aws:connect:${AWS::Region}:${AWS::AccountId}:instance/${InstanceId}/queue/${QueueId}",
        ),
    ],
)
def test_deploy_time_placeholders_are_no_errors(tmp_path: Path, lambda_arn: str, queue: str) -> None:
    path = write(tmp_path / "t.yaml", cloudformation(lambda_arn, queue))
    for extra in ([], ["--no-resolve"]):
        result = lint(str(path), *extra)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == "1 file(s), 1 flow(s), 4 actions: 0 error(s), 0 warning(s)"


def test_a_static_part_of_the_wrong_kind_is_still_an_error(tmp_path: Path) -> None:
    wrong = "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:x"
    result = lint(str(write(tmp_path / "t.yaml", cloudformation("${Fn.Arn}", wrong))))
    assert result.exit_code == 1
    assert f"    error: q: QueueId must name a queue, but {wrong} is a Lambda function" in result.output


def test_terraform_templates_without_their_catalog_keep_placeholders_and_lint_clean(tmp_path: Path) -> None:
    """This repository's own template copied alone (one without the knowledge blocks, which live
    beside it in knowledge.blocks.tftpl), and a foreign one (the aws-ia sample's style)."""
    ours = REPO_FLOWS_DIR / "after_hours.json.tftpl"
    (tmp_path / ours.name).write_text(ours.read_text(encoding="utf-8"), encoding="utf-8")
    theirs = SUB_FLOW.replace("LAMBDA", "${lambda_arn}").replace("QUEUE", "${sales_queue_arn}")
    write(tmp_path / "inbound.json.tftpl", theirs)
    result = lint(str(tmp_path), "--type", "CONTACT_FLOW", "--output", "json")
    assert result.exit_code == 0, result.output
    findings = [x for f in json.loads(result.output)["files"] for fl in f["flows"] for x in fl["findings"]]
    assert [x for x in findings if "${" in x["message"]] == []


def test_bare_ids_of_an_exported_flow_name_its_own_instance(tmp_path: Path) -> None:
    bare = {
        "Version": "2019-10-30",
        "StartAction": "q",
        "Metadata": {"type": "contactFlow"},
        "Actions": [
            action("q", "UpdateContactTargetQueue", {"QueueId": "0f3c1d2e-1111-2222-3333-444455556666"}, "t"),
            action("t", "TransferToFlow", {"ContactFlowId": "7193aaaa-1111-2222-3333-444455556666"}, "m"),
            action("m", "MessageParticipant", {"Text": "sorry"}, "d"),
            action("d", "DisconnectParticipant", {}),
        ],
    }
    path = write(tmp_path / "bare" / "bare.json", bare)
    result = lint(str(path))
    assert result.exit_code == 0, result.output
    # Against a description of the flow's own instance, the same IDs are checked.
    resources = write(tmp_path / "resources.yaml", {"instance": INSTANCE, "queues": [], "flows": []})
    checked = lint(str(path), "--resources", str(resources))
    assert checked.exit_code == 1
    assert "which is no queue of resources.yaml" in checked.output


def test_a_connect_export_of_this_repository_lints_clean(tmp_path: Path) -> None:
    """`aicc-ops connect export` writes {Name, Type, Content} files with {{queue:MSP General}},
    {{flow:Emergency}}, {{lambda:customer_lookup}}... (admin.drift): they resolve, none is an error."""
    from aicc.settings import load_config
    from aicc_ops.admin import drift

    view = drift.repository_view(load_config())
    drift.write_export(drift.Snapshot(view, "i-1", "ap-northeast-2", "dev"), tmp_path / "export", view)
    flows = tmp_path / "export" / "flows"
    assert "{{lambda:" in "".join(p.read_text(encoding="utf-8") for p in flows.glob("*.json"))
    for path in (flows, flows / "Emergency.json"):  # alone, a {{flow:...}} is our catalog's flow
        result = lint(str(path), "--output", "json")
        assert json.loads(result.output)["errors"] == 0, result.output
    # Clean because every reference was looked up: each symbolic reference in a parameter Connect
    # checks names a resource our instance has (found, not merely left unchecked).
    from aicc_ops.engine import resource_map
    from aicc_ops.engine.flows import build_resources

    instance = resource_map.local_map(build_resources(load_config()))
    text = "".join(p.read_text(encoding="utf-8") for p in flows.glob("*.json"))
    checked = dict(flow_lint.PARAM_KINDS, ViewResource="view")
    refs = set(re.findall(r'"(\w+)": *"(\{\{\w+:[^}]+\}\})"', text))
    named = {(param, ref) for param, ref in refs if param in checked}
    assert {ref.split(":")[0][2:] for _, ref in named} >= {"queue", "flow", "lambda"}, named
    unresolved = {
        ref for param, ref in named if instance.resolve(ref, checked[param]).status != resource_map.FOUND
    }
    assert unresolved == set()


def test_a_symbolic_flow_reference_finds_the_flow_given_beside_it(tmp_path: Path) -> None:
    x = {
        "Name": "X",
        "Type": "CONTACT_FLOW",
        "Content": {
            "Version": "2019-10-30",
            "StartAction": "l",
            "Actions": [
                action("l", "InvokeLambdaFunction", {"LambdaFunctionARN": "{{lambda:customer_lookup}}"}, "q"),
                action("q", "UpdateContactTargetQueue", {"QueueId": "{{queue:MSP General}}"}, "t"),
                action("t", "TransferToFlow", {"ContactFlowId": "{{flow:Escalation Desk}}"}, "m"),
                action("m", "MessageParticipant", {"Text": "sorry"}, "d"),
                action("d", "DisconnectParticipant", {}),
            ],
        },
    }
    write(tmp_path / "X.json", x)
    desk = {"Name": "Escalation Desk", "Type": "CONTACT_FLOW", "Content": greeting("Escalation Desk")}
    write(tmp_path / "Escalation Desk.json", desk)
    result = lint(str(tmp_path))
    assert result.exit_code == 0, result.output
    # Found, it is checked: a transfer to a whisper flow is an error.
    write(tmp_path / "Escalation Desk.json", {**desk, "Type": "AGENT_WHISPER"})
    result = lint(str(tmp_path))
    assert "    error: t: transfers to 'Escalation Desk', a AGENT_WHISPER flow" in result.output


def described(name: str, ident: str, content: dict[str, Any], **extra: str) -> dict[str, Any]:
    return {
        "ContactFlow": {
            "Arn": f"{INSTANCE}/contact-flow/{ident}",
            "Name": name,
            "Type": "CONTACT_FLOW",
            "Content": json.dumps(content),
            **extra,
        }
    }


def test_lint_and_the_rehearsal_find_a_flow_by_the_id_at_the_end_of_its_arn(tmp_path: Path) -> None:
    src = {
        "Version": "2019-10-30",
        "StartAction": "t",
        "Actions": [
            action("t", "TransferToFlow", {"ContactFlowId": "abcd-1234"}, "m"),
            action("m", "MessageParticipant", {"Text": "sorry"}, "d"),
            action("d", "DisconnectParticipant", {}),
        ],
    }
    write(tmp_path / "src.json", described("Src", "src-1", src, Id="src-1"))
    write(tmp_path / "target.json", described("Target", "abcd-1234", greeting("Target"), Id="abcd-1234"))
    result = lint(str(tmp_path))
    assert result.exit_code == 0, result.output
    simulated = CliRunner().invoke(
        cli, ["call", "simulate", "--flow", str(tmp_path), "--entry", "Src", "--json"]
    )
    assert simulated.exit_code == 0, simulated.output
    assert json.loads(simulated.output)["flows"] == ["Src", "Target"]
