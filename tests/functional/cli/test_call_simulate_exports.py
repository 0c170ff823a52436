"""`call simulate --flow` on a `connect export` of this repository and on references it cannot run:
our resources named symbolically run for real, flows not given say so, files with no flow to run
and simulator bugs get a clear error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aicc_ops.cli import cli
from aicc_ops.engine.interpreter import _Run

AT = "2026-11-25T10:00:00+09:00"


def simulate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["call", "simulate", *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from aicc.settings import load_config
    from aicc_ops.admin import drift

    root = tmp_path_factory.mktemp("export")
    view = drift.repository_view(load_config())
    drift.write_export(drift.Snapshot(view, "i-1", "ap-northeast-2", "dev"), root / "export", view)
    return root / "export" / "flows"


def _journey(out: str) -> dict[str, Any]:
    data = json.loads(out)
    return {
        "flows": data["flows"],
        "prompts": data["prompts"],
        "queue": data["queue"],
        "end": data["end_reason"],
        # Each call has its own contact ID, which call_log answers with.
        "lambdas": [
            (c["function"], {k: v for k, v in (c["response"] or {}).items() if k != "contact_id"})
            for c in data["lambda_calls"]
        ],
        "steps": [(s["flow"], s["identifier"], s["outcome"]) for s in data["steps"]],
    }


CALLS = [
    ("--at", AT, "--input", "say:솔트웨어", "--input", "say:김민준", "--input", "1234#", "--input", "1"),
    ("--at", AT, "--input", "say:솔트웨어", "--input", "say:김민준", "--input", "1234#", "--input", "2"),
    ("--at", "2026-09-25T10:00:00+09:00", "--input", "2"),  # 추석: after hours, {{hours:...}}
]


@pytest.mark.parametrize("call", CALLS)
def test_a_connect_export_of_our_flows_simulates_like_our_catalog(
    export: Path, call: tuple[str, ...]
) -> None:
    """{{lambda:customer_lookup}}, {{lex:bot}}, {{queue:MSP General}}, {{hours:Business Hours}} and
    {{flow:Emergency}} are ours: our Lambdas and Lex bot run for real, as without --flow."""
    assert "{{lex:bot}}" in (export / "Customer Authentication.json").read_text(encoding="utf-8")
    code, ours = simulate(*call, "--hold", "0", "--json")
    assert code == 0, ours
    code, exported = simulate(
        "--flow", str(export), "--entry", "Customer Authentication", *call, "--hold", "0", "--json"
    )
    assert code == 0, exported
    assert json.loads(exported)["loader"] == []
    assert _journey(exported) == _journey(ours)
    assert "not ours" not in exported


def _caller(step: dict[str, Any]) -> dict[str, Any]:
    def act(ident: str, kind: str, params: dict[str, Any], nxt: str | None) -> dict[str, Any]:
        t: dict[str, Any] = {}
        if nxt:
            t = {"NextAction": nxt, "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "m"}]}
        return {"Identifier": ident, "Type": kind, "Parameters": params, "Transitions": t}

    return {
        "Name": "Caller",
        "Type": "CONTACT_FLOW",
        "Content": {
            "Version": "2019-10-30",
            "StartAction": "s",
            "Actions": [
                act("s", step["Type"], step["Parameters"], step.get("next", "m")),
                act("m", "MessageParticipant", {"Text": "sorry"}, "d"),
                act("d", "DisconnectParticipant", {}, None),
            ],
        },
    }


@pytest.mark.parametrize("ref", ["{{flow:Other}}", "${OtherFlow.ContactFlowArn}"])
def test_a_flow_not_given_named_symbolically_or_by_placeholder_says_so(tmp_path: Path, ref: str) -> None:
    path = tmp_path / "caller.json"
    path.write_text(json.dumps(_caller({"Type": "TransferToFlow", "Parameters": {"ContactFlowId": ref}})))
    code, out = simulate("--flow", str(path), "--at", AT)
    assert code == 0, out
    assert f"⚠  transferred to flow {ref}, which was not given" in out
    assert "sorry" not in out
    hook = {"Type": "UpdateContactEventHooks", "Parameters": {"EventHooks": {"CustomerQueue": ref}}}
    path.write_text(json.dumps(_caller({**hook, "next": "m"})))
    code, out = simulate("--flow", str(path), "--at", AT, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["steps"][0]["outcome"] == "next"
    assert f"CustomerQueue: flow {ref} not given" in data["steps"][0]["detail"]


def test_a_symbolic_reference_of_another_kind_is_no_flow(tmp_path: Path) -> None:
    path = tmp_path / "caller.json"
    step = {"Type": "TransferToFlow", "Parameters": {"ContactFlowId": "{{queue:MSP General}}"}}
    path.write_text(json.dumps(_caller(step)))
    code, out = simulate("--flow", str(path), "--at", AT, "--json")
    assert code == 0, out
    assert json.loads(out)["steps"][0]["outcome"] == "error:NoMatchingError"


@pytest.mark.parametrize("flow_type", ["CAMPAIGN", "WEIRD"])
def test_a_file_with_no_flow_the_simulator_runs_gets_a_clear_error(tmp_path: Path, flow_type: str) -> None:
    path = tmp_path / "described.json"
    content = {"Version": "2019-10-30", "StartAction": "d", "Actions": []}
    path.write_text(
        json.dumps({"ContactFlow": {"Name": "X", "Type": flow_type, "Content": json.dumps(content)}})
    )
    code, out = simulate("--flow", str(path), "--at", AT)
    assert code == 1, out
    assert f"{path}: no flow to run" in out
    assert f"the simulator does not know the flow type {flow_type!r}" in out
    assert "IndexError" not in out and "bug" not in out


def test_the_fixture_file_inside_the_flow_folder_is_not_reported(tmp_path: Path) -> None:
    step = {"Type": "MessageParticipant", "Parameters": {"Text": "hello"}}
    (tmp_path / "caller.json").write_text(json.dumps(_caller(step)))
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("hours:\n  Nope: open\n")
    code, out = simulate("--flow", str(tmp_path), "--fixtures", str(fixtures), "--at", AT)
    assert code == 0, out
    assert "fixtures.yaml" not in out
    assert "hello" in out


def test_a_simulator_bug_is_reported_as_ours_without_a_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise KeyError("Text")

    monkeypatch.setattr(_Run, "do_MessageParticipant", broken)
    step = {"Type": "MessageParticipant", "Parameters": {"Text": "hello"}}
    (tmp_path / "caller.json").write_text(json.dumps(_caller(step)))
    result = CliRunner().invoke(
        cli, ["call", "simulate", "--flow", str(tmp_path / "caller.json"), "--at", AT]
    )
    assert result.exit_code == 1, result.output
    assert "Error: Caller / s (MessageParticipant): a bug in aicc-ops, not in the flow" in result.output
    assert "please report it" in result.output
    assert "Traceback" not in result.output and "flows:" not in result.output
