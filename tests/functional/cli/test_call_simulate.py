"""`aicc-ops call simulate`: the JSON contract other tools rely on, the transcript, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

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
