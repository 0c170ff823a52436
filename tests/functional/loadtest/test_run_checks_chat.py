"""The chat scenario's checks before anything starts: chats on a real instance load Amazon Connect
(StartChatContact, the Participant Service), so they need the AWS approval and say why; on the
local stack they need none. No Locust runs here."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aicc_ops.admin.loadtest.errors import ApprovalRequiredError
from aicc_ops.admin.loadtest.run import CONNECT_LOAD_TEST_POLICY, RunRequest, check, loads_connect
from aicc_ops.cli import cli


def chat(**changes: object) -> RunRequest:
    values: dict[str, object] = {"scenario": "chat", "users": 1, "spawn_rate": 1.0, "duration_s": 1}
    return RunRequest(**{**values, **changes})  # type: ignore[arg-type]


def test_chats_on_an_environment_need_the_approval_and_say_why() -> None:
    assert loads_connect(chat(target="staging"))
    with pytest.raises(ApprovalRequiredError) as refused:
        check(chat(target="staging"))
    message = str(refused.value)
    assert "StartChatContact" in message and "--i-have-aws-approval" in message
    assert CONNECT_LOAD_TEST_POLICY in message and "--include-paging" not in message
    assert check(chat(target="staging", aws_approval=True)).name == "chat.py"


def test_chats_on_the_local_stack_need_no_approval() -> None:
    assert not loads_connect(chat())
    assert check(chat()).name == "chat.py"


def test_the_cli_refuses_a_chat_load_on_an_environment_without_the_approval() -> None:
    result = CliRunner().invoke(
        cli,
        ["loadtest", "run", "--scenario", "chat", "--users", "1", "--duration", "1", "--target", "staging"],
    )
    assert result.exit_code == 1, result.output
    assert "StartChatContact" in result.stderr and "approved load test request" in result.stderr
    assert "Traceback" not in result.output + result.stderr
