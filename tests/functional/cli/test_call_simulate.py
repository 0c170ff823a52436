"""`aicc-ops call simulate`: the JSON contract other tools rely on, the transcript, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import PUBLIC_FLOWS_DIR

from aicc_ops.cli import cli

AT = "2026-11-25T10:00:00+09:00"


def simulate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["call", "simulate", *args])
    return result.exit_code, result.output


def test_json_contract_for_an_msp_technical_call() -> None:
    code, out = simulate(
        "--at",
        AT,
        "--input",
        "say:솔트웨어",
        "--input",
        "say:김민준",
        "--input",
        "1234#",
        "--input",
        "2",
        "--hold",
        "0",
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    for key in ("flows", "prompts", "queue", "attributes", "disconnected", "steps", "lambda_calls"):
        assert key in data
    assert data["flows"][:2] == ["Customer Authentication", "MSP Customer"]
    assert data["queue"] == "MSP General"
    assert data["disconnected"] is False
    assert data["attributes"]["customer_class"] == "MSP"
    assert {"flow", "identifier", "type", "outcome"} <= set(data["steps"][0])
    assert data["steps"][0] == {
        **data["steps"][0],
        "flow": "Customer Authentication",
        "identifier": "logging",
        "type": "UpdateFlowLoggingBehavior",
    }
    functions = [c["function"] for c in data["lambda_calls"]]
    assert functions[:2] == ["business_hours", "customer_lookup"]
    assert all("<" not in p for p in data["prompts"])


def test_inputs_run_out_means_silence_never_an_exception() -> None:
    code, out = simulate("--at", AT, "--json", "--hold", "0")
    assert code == 0, out
    data = json.loads(out)
    assert data["inputs_used"][:3] == ["silence", "silence", "silence"]
    assert data["queue"] == "General Customer"  # never verified: offered an agent


def test_holiday_goes_after_hours_and_ssml_is_stripped() -> None:
    code, out = simulate("--at", "2026-09-25T10:00:00+09:00", "--input", "1", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["flows"] == ["Customer Authentication", "After Hours"]
    assert data["disconnected"] is True and data["queue"] is None


def test_readable_transcript() -> None:
    code, out = simulate("--at", AT, "--input", "say:상담원", "--hold", "0")
    assert code == 0, out
    assert "▶ Customer Authentication" in out
    assert "🔊 안녕하세요, 솔트웨어 AWS 기술지원 센터입니다." in out
    assert "☎  say:상담원" in out
    assert "Result: waiting in queue General Customer" in out


def test_fault_injection_option() -> None:
    code, out = simulate(
        "--at",
        AT,
        "--input",
        "say:솔트웨어",
        "--input",
        "say:김민준",
        "--input",
        "1234#",
        "--fault",
        "customer_lookup=timeout",
        "--hold",
        "0",
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert "Timeout" in data["lambda_calls"][1]["error"]
    assert data["queue"] == "General Customer"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "tomorrow"], "is not a valid ISO-8601 date and time"),
        (["--at", "2026-11-25T10:00:00"], "has no UTC offset"),
        (["--input", "12a"], "is not a caller input"),
        (["--input", "say:"], "say: needs words"),
        (["--number", "12345"], "e.g. +821012345678 or 010-1234-5678"),
        (["--fault", "customer_lookup=explode"], "HANDLER=KIND"),
        (["--fault", "customer_lokup=error"], "'customer_lokup' is not a handler"),
    ],
)
def test_bad_arguments_get_a_clear_usage_error(args: list[str], message: str) -> None:
    code, out = simulate(*args)
    assert code == 2
    assert message in out
    assert "Traceback" not in out


def test_custom_data_directory(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text(
        "company,contact_name,phone,account_id,tier\n테스트상사,홍길동,010-2222-3333,111122223333,GENERAL\n",
        encoding="utf-8",
    )
    code, out = simulate(
        "--data",
        str(tmp_path),
        "--number",
        "+821022223333",
        "--at",
        AT,
        "--input",
        "say:테스트상사",
        "--input",
        "say:홍길동",
        "--input",
        "3333#",
        "--input",
        "1",
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["attributes"]["company"] == "테스트상사"
    assert data["flows"][1] == "General Customer"


def test_bad_data_directory_lists_every_bad_row(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text(
        "company,contact_name,phone,account_id,tier\n"
        "가상회사,김철수,01012345678,1234,MSP\n"
        "가상회사,김영희,not-a-phone,123412341234,GOLD\n",
        encoding="utf-8",
    )
    code, out = simulate("--data", str(tmp_path), "--at", AT)
    assert code == 1
    assert "customers.csv:2: account_id '1234' must be 12 digits" in out
    assert "customers.csv:3: phone 'not-a-phone' is not a phone number" in out
    assert "customers.csv:3: tier 'GOLD' must be MSP or GENERAL" in out
    assert "Traceback" not in out


# ---- --flow: any flow, ours or an exported one, with fixtures for what is not ours ---------------
AWS_IA = "terraform-aws-amazonconnect__complete_inbound.json"
SUPPORT_QUEUE = (
    "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555"
    "/queue/b65e1881-74e4-5c26-adf2-8d8ba2b28530"
)
FIXTURES = f"""
bots:
  IntentandRoute:
    - {{intent: Support, say: I need support}}
queues:
  "{SUPPORT_QUEUE}": {{name: Support, agents_available: 1, agents_online: 1, agents_staffed: 1}}
"""


def test_an_exported_flow_runs_with_the_fixtures_answers(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text(FIXTURES, encoding="utf-8")
    flow = str(PUBLIC_FLOWS_DIR / AWS_IA)
    code, out = simulate("--flow", flow, "--fixtures", str(fixtures), "--at", AT, "--hold", "0", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert len(data["flows"]) == 1  # no flow of ours ran
    assert data["inputs_used"] == ["say:I need support"] and data["queue"] == "Support"
    # Without fixtures, the bot and the queue are not ours: their error branches, and why.
    code, out = simulate("--flow", flow, "--at", AT)
    assert code == 0, out
    assert "⚠  Lex bot 'IntentandRoute' is not ours and not in the fixtures (bots:)" in out
    assert "Result: disconnected" in out


def test_a_flow_of_our_catalog_by_key_or_name() -> None:
    code, out = simulate("--flow", "Outbound Whisper", "--at", AT, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["flows"] == ["Outbound Whisper"] and not data["disconnected"]
    assert data["end_reason"] == "whisper ended: connected"


def test_a_folder_with_an_entry_and_a_module_alongside(tmp_path: Path) -> None:
    main = {
        "Version": "2019-10-30",
        "StartAction": "module",
        "Actions": [
            {
                "Identifier": "module",
                "Type": "InvokeFlowModule",
                "Parameters": {
                    "FlowModuleId": "arn:aws:connect:us-east-1:111122223333:instance/i-1/flow-module/m-1"
                },
                "Transitions": {
                    "NextAction": "bye",
                    "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
                },
            },
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }
    module = {
        "Version": "2019-10-30",
        "StartAction": "hello",
        "Metadata": {"type": "contactFlowModule", "name": "Greeting module"},
        "Actions": [
            {
                "Identifier": "hello",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Hello from the module"},
                "Transitions": {"NextAction": "back"},
            },
            {"Identifier": "back", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}},
        ],
    }
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "main.json").write_text(json.dumps(main), encoding="utf-8")
    (tmp_path / "flows" / "greeting.json").write_text(json.dumps(module), encoding="utf-8")
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("flows:\n  m-1: flows/greeting.json\n", encoding="utf-8")
    code, out = simulate(
        "--flow", str(tmp_path / "flows"), "--entry", "main", "--fixtures", str(fixtures), "--at", AT
    )
    assert code == 0, out
    assert "🔊 Hello from the module" in out
    assert out.rstrip().endswith("main")  # the flows the call ran: main, the module, main again
    assert out.count("▶ ") == 3


# A one-block flow that hangs up: enough to be a flow (its name is its file's stem).
HANG_UP = json.dumps(
    {
        "Version": "2019-10-30",
        "StartAction": "bye",
        "Actions": [
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ],
    }
)


@pytest.mark.parametrize(
    ("files", "args", "code", "message"),
    [
        (
            {},
            ["--flow", "no_such_flow"],
            2,
            "'no_such_flow' is neither a file or folder nor a flow of our catalog",
        ),
        (
            {"f.yaml": "hours: {h: sometimes}\n"},
            ["--fixtures", "{tmp}/f.yaml"],
            2,
            "hours.h: 'sometimes' is not one of open, closed",
        ),
        ({"f.yaml": "lambda: {}\n"}, ["--fixtures", "{tmp}/f.yaml"], 2, "lambda: is not a fixture section"),
        ({}, ["--fixtures", "{tmp}/missing.yaml"], 2, "missing.yaml: cannot be read"),
        ({"bad.json": "{"}, ["--flow", "{tmp}/bad.json"], 1, "bad.json: not valid JSON"),
        ({"x.json": "{}"}, ["--flow", "{tmp}/x.json"], 1, "x.json: not a flow: no Actions"),
        (
            {"a.json": HANG_UP, "b.json": HANG_UP},
            ["--flow", "{tmp}"],
            1,
            "holds 2 flows: name the one to start in with --entry (a, b)",
        ),
        ({}, ["--with", "{tmp}"], 2, "--type, --entry and --with go with --flow FILE|FOLDER"),
        ({}, ["--flow", "after_hours", "--type", "CUSTOMER_QUEUE"], 2, "is a flow of our catalog"),
    ],
)
def test_bad_flows_and_fixtures_get_a_clear_error(
    tmp_path: Path, files: dict[str, str], args: list[str], code: int, message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    got, out = simulate(*(a.format(tmp=tmp_path) for a in args))
    assert got == code, out
    assert message in " ".join(out.split())
    assert "Traceback" not in out


def test_a_fixture_flow_that_is_neither_a_file_nor_a_given_flow(tmp_path: Path) -> None:
    flow = tmp_path / "main.json"
    flow.write_text(
        json.dumps(
            {
                "Version": "2019-10-30",
                "StartAction": "bye",
                "Actions": [
                    {
                        "Identifier": "bye",
                        "Type": "DisconnectParticipant",
                        "Parameters": {},
                        "Transitions": {},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    fixtures = tmp_path / "f.yaml"
    fixtures.write_text("flows: {some-arn: nowhere.json}\n", encoding="utf-8")
    code, out = simulate("--flow", str(flow), "--fixtures", str(fixtures))
    assert code == 1
    assert "flows.some-arn: 'nowhere.json' is neither a file next to the fixture file nor a flow given" in out


def _say(text: str) -> dict[str, object]:
    return {
        "Version": "2019-10-30",
        "StartAction": "say",
        "Actions": [
            {
                "Identifier": "say",
                "Type": "MessageParticipant",
                "Parameters": {"Text": text},
                "Transitions": {"NextAction": "bye"},
            },
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }


# A CloudFormation template holding two flows; each resource's logical ID differs from its Name.
TEMPLATE = f"""
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Alias: {{Type: String}}
Resources:
  MainFlow:
    Type: AWS::Connect::ContactFlow
    Properties:
      Name: !Sub "Main ${{Alias}}"
      Type: CONTACT_FLOW
      Content: '{json.dumps(_say("main flow"))}'
  AfterHoursFlow:
    Type: AWS::Connect::ContactFlow
    Properties:
      Name: After hours
      Type: CONTACT_FLOW
      Content: '{json.dumps(_say("we are closed"))}'
"""


@pytest.mark.parametrize(("entry", "heard"), [("AfterHoursFlow", "we are closed"), ("MainFlow", "main flow")])
def test_entry_takes_a_templates_logical_id(tmp_path: Path, entry: str, heard: str) -> None:
    template = tmp_path / "flows.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    code, out = simulate("--flow", str(template), "--entry", entry, "--at", AT)
    assert code == 0, out
    assert f"🔊 {heard}" in out
    code, out = simulate("--flow", str(template), "--entry", "After hours", "--at", AT)  # its Name too
    assert code == 0 and "🔊 we are closed" in out, out
    code, out = simulate("--flow", str(template), "--entry", "Main", "--at", AT)
    assert code == 1
    assert "no flow 'Main' (its flows: MainFlow (Main ${Alias}), AfterHoursFlow (After hours))" in out


HOLD = "amazon-connect-gitlab-cicd-terraform__acme_hold_AUTO.json"  # says no flow type


def test_the_type_the_loader_assumed_is_shown_and_type_takes_any_case() -> None:
    flow = str(PUBLIC_FLOWS_DIR / HOLD)
    code, out = simulate("--flow", flow, "--at", AT, "--hold", "30")
    assert code == 0, out
    first = out.splitlines()[0]
    assert first.startswith("⚠") and HOLD in first
    assert "runs as CUSTOMER_QUEUE (its blocks also fit CUSTOMER_HOLD, AGENT_HOLD); pass --type" in first
    assert "checked as" not in out
    code, out = simulate("--flow", flow, "--at", AT, "--hold", "30", "--json")
    assert code == 0, out
    loader = json.loads(out)["loader"]
    assert [(n["severity"], "runs as CUSTOMER_QUEUE" in n["message"]) for n in loader] == [("warning", True)]
    code, out = simulate("--flow", flow, "--type", "customer_hold", "--at", AT, "--hold", "30", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["loader"] == [] and data["end_reason"] == "on hold for 30 s (simulated), then resumed"


def test_a_modules_result_takes_the_invoking_blocks_branch(tmp_path: Path) -> None:
    """The module returns Result "Yes"; the block that invoked it has a "Yes" condition."""
    instance = "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555"
    module = {
        "ContactFlowModule": {
            "Arn": f"{instance}/flow-module/m2",
            "Id": "m2",
            "Name": "M2",
            "Content": json.dumps(
                {
                    "Version": "2019-10-30",
                    "StartAction": "e",
                    "Actions": [
                        {
                            "Identifier": "e",
                            "Type": "EndFlowModuleExecution",
                            "Parameters": {"Result": "Yes"},
                            "Transitions": {},
                        }
                    ],
                }
            ),
        }
    }
    said = {k: _say(k)["Actions"][0] | {"Identifier": k} for k in ("default branch", "Yes branch")}
    main = {
        "Version": "2019-10-30",
        "StartAction": "m",
        "Actions": [
            {
                "Identifier": "m",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": f"{instance}/flow-module/m2"},
                "Transitions": {
                    "NextAction": "default branch",
                    "Conditions": [
                        {"NextAction": "Yes branch", "Condition": {"Operator": "Equals", "Operands": ["Yes"]}}
                    ],
                    "Errors": [
                        {"NextAction": "default branch", "ErrorType": "NoMatchingError"},
                        {"NextAction": "default branch", "ErrorType": "NoMatchingCondition"},
                    ],
                },
            },
            *said.values(),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }
    (tmp_path / "module.json").write_text(json.dumps(module), encoding="utf-8")
    (tmp_path / "main.json").write_text(json.dumps(main), encoding="utf-8")
    code, out = simulate(
        "--flow", str(tmp_path / "main.json"), "--with", str(tmp_path / "module.json"), "--at", AT, "--json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["prompts"] == ["Yes branch"]
    assert [s["outcome"] for s in data["steps"] if s["identifier"] == "m"] == ["Equals:Yes"]
