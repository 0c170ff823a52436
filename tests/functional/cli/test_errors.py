"""How every command shows an error: `--output json` gives one JSON object on stderr with a stable
shape; AWS credential problems are named with what to do; no terminal colour codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.client
import click
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from click.testing import CliRunner, Result

from aicc_ops.cli import cli
from aicc_ops.cli._errors import CREDENTIAL_HINT, show_error


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def error_of(result: Result) -> dict[str, Any]:
    data = json.loads(result.stderr)
    assert set(data) == {"error"} and set(data["error"]) == {"code", "message", "hint"}, data
    error: dict[str, Any] = data["error"]
    return error


def commands_with_output() -> list[list[str]]:
    """Every command (path) of the tree that takes --output."""
    found: list[list[str]] = []
    ctx = click.Context(cli)

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])
        elif any("--output" in p.opts for p in command.params if isinstance(p, click.Option)):
            found.append(path)

    walk(cli, [])
    return found


def test_every_command_with_output_json_reports_errors_as_json() -> None:
    paths = commands_with_output()
    assert len(paths) >= 15 and ["agents", "onboard"] in paths and ["local", "status"] in paths
    for path in paths:
        result = run(*path, "--output", "json", "--no-such-option")
        assert result.exit_code == 2, path
        error = error_of(result)
        assert error["code"] == "usage" and "--no-such-option" in error["message"], path
        assert error["hint"].endswith("--help`"), path


def test_an_operator_error_under_json_is_a_json_object(tmp_path: Path) -> None:
    result = run("local", "status", "--state-dir", str(tmp_path), "--output", "json")

    assert result.exit_code == 1 and result.stdout == ""
    error = error_of(result)
    assert error["code"] == "not_running" and "aicc-ops local up" in error["message"]
    text = run("local", "status", "--state-dir", str(tmp_path))
    assert text.stderr.startswith("Error: no local stack runs from")


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """An AWS target with nothing to reach: no profile files, no instance metadata."""
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    return {
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "ap-northeast-2",
        "AICC_INSTANCE_ID": "i-1",
        "AICC_LOCAL_DIR": str(tmp_path),
    }


def test_missing_credentials_are_named_with_what_to_do(aws_env: dict[str, str]) -> None:
    result = run("queues", "status", "--output", "json", env=aws_env)

    assert result.exit_code == 1
    error = error_of(result)
    assert error["code"] == "aws_credentials" and error["hint"] == CREDENTIAL_HINT


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ExpiredTokenException", "The security token included in the request is expired"),
        ("UnrecognizedClientException", "The security token included in the request is invalid."),
        ("InvalidClientTokenId", "The security token included in the request is invalid."),
    ],
)
def test_expired_or_unknown_credentials_are_named(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, code: str, message: str
) -> None:
    def refused(client: Any, operation: str, params: dict[str, Any]) -> Any:
        raise ClientError({"Error": {"Code": code, "Message": message}}, operation)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refused)
    env = {**aws_env, "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"}
    as_json = run("queues", "status", "--output", "json", env=env)
    as_text = run("queues", "status", env=env)

    error = error_of(as_json)
    assert error["code"] == "aws_credentials" and code in error["message"]
    assert as_text.exit_code == 1 and "AWS refused the credentials" in as_text.stderr
    assert "aws sso login" in as_text.stderr


@pytest.mark.parametrize("command", [["queues", "status"], ["dashboard", "--port", "0", "--no-open"]])
def test_a_request_timing_out_is_one_line_not_a_trace(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """botocore's own errors (read or connect timeouts, a connection closed) are not ClientErrors."""

    def slow(client: Any, operation: str, params: dict[str, Any]) -> Any:
        raise ReadTimeoutError(endpoint_url="https://connect.ap-northeast-2.amazonaws.com/x")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", slow)
    env = {**aws_env, "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"}
    result = run(*command, env=env)

    assert result.exit_code == 1 and result.exception is not None, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Read timeout on endpoint URL" in result.stderr and "Traceback" not in result.stderr
    assert "try again" in result.stderr


def test_terraform_colour_codes_never_reach_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    raw = (
        "terraform plan failed:\x1b[31m\n\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mvalidating provider "
        "credentials: api error ExpiredToken: The security token included in the request is expired\x1b[0m"
    )
    show_error(click.ClickException(raw), as_json=False)
    text = capsys.readouterr().err
    show_error(click.ClickException(raw), as_json=True)
    error = json.loads(capsys.readouterr().err)["error"]

    assert "\x1b" not in text and "Error: validating provider credentials" in text
    assert CREDENTIAL_HINT in text
    assert error["code"] == "aws_credentials" and "\x1b" not in error["message"]


def test_the_json_flag_asks_for_json_errors_too() -> None:
    result = run("call", "simulate", "--at", "not-a-time", "--json")
    assert result.exit_code == 2
    assert error_of(result)["code"] == "usage"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["aicc-ops", "loadtest", "run"],
            "Error: terminated (SIGTERM): stopping what this command started\n",
        ),
        (
            ["aicc-ops", "loadtest", "run", "--json"],
            '{"error": {"code": "terminated", "message": "terminated (SIGTERM): stopping what this '
            'command started", "hint": ""}}\n',
        ),
    ],
)
def test_a_signal_ends_a_command_through_its_clean_up_once(
    argv: list[str],
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_signals: None,
) -> None:
    """SIGTERM and SIGHUP raise SystemExit (128 + the signal) as Ctrl-C raises KeyboardInterrupt,
    so `finally` blocks stop what the command started; a repeat during that clean-up is ignored."""
    import os
    import signal

    from aicc_ops.cli import _stop_like_ctrl_c

    monkeypatch.setattr("sys.argv", argv)
    cleaned = []
    _stop_like_ctrl_c()
    with pytest.raises(SystemExit) as ended:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            pytest.fail("the signal did not end the command")  # the handler raises first
        finally:
            os.kill(os.getpid(), signal.SIGHUP)  # during the clean-up: ignored
            cleaned.append(True)
    assert ended.value.code == 128 + signal.SIGTERM and cleaned == [True]
    assert capsys.readouterr().err == said
