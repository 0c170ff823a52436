"""Every `aicc-ops` command a runbook names exists, with the options it is given: an on-call
engineer copies them into a terminal at night (issue 13: runbooks' Diagnosis commands). Each
command's `--help` is run, and each `--option` the runbook writes must be one the command takes.
The `aws` and `terraform output` commands of the runbooks and docs are checked too (below)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
import click
import pytest
from botocore import xform_name
from click.testing import CliRunner

from aicc_ops.cli import cli

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
_NAMED = re.compile(r"aicc-ops ([^`\n|]*)")


def named_commands() -> list[tuple[str, list[str]]]:
    """(runbook, the words after `aicc-ops`) of every command the runbooks write."""
    out = []
    for path in sorted(RUNBOOKS.glob("*.md")):
        for found in _NAMED.finditer(path.read_text(encoding="utf-8")):
            text = found.group(1).split(" #")[0].strip()
            try:
                words = shlex.split(text)
            except ValueError:  # an unbalanced quote in prose: the words as written
                words = text.split()
            out.append((path.name, words))
    return out


def resolve(words: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """The command the words name, its path, and the words after it."""
    command: click.Command = cli
    path: list[str] = []
    rest = list(words)
    context = click.Context(cli)
    while rest and isinstance(command, click.Group):
        sub = command.get_command(context, rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
        path.append(command.name or "")
    return command, path, rest


def test_the_runbooks_name_commands() -> None:
    assert len(named_commands()) > 20  # the extraction finds them (it would pass on nothing)


# Issue 13 item 6: the guides the plan asks for, beside the alarms' runbooks.
GUIDES = (
    "coc-operator-guide.md",
    "system-administrator-guide.md",
    "incident-response.md",
    "backup-and-recovery.md",
    "disaster-recovery.md",
)


def test_every_guide_is_there_and_its_commands_are_checked() -> None:
    named = {runbook for runbook, _ in named_commands()}
    for guide in GUIDES:
        assert (RUNBOOKS / guide).is_file(), guide
        assert guide in named, f"{guide} names no aicc-ops command: nothing of it is checked"


@pytest.mark.parametrize(
    ("runbook", "words"), named_commands(), ids=lambda v: v if isinstance(v, str) else None
)
def test_every_command_a_runbook_names_exists_with_its_options(runbook: str, words: list[str]) -> None:
    command, path, rest = resolve(words)
    assert path, f"{runbook}: `aicc-ops {' '.join(words)}` names no command"
    if isinstance(command, click.Group):
        assert not [w for w in rest if w.startswith("-")], f"{runbook}: options given to the group {path}"
        return  # prose naming a command group (`aicc-ops roster`)
    shown = CliRunner().invoke(cli, [*path, "--help"])
    assert shown.exit_code == 0, shown.output
    accepted = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    unknown = [w.split("=")[0] for w in rest if w.startswith("--") and w.split("=")[0] not in accepted]
    assert not unknown, f"{runbook}: `aicc-ops {' '.join(path)}` takes no {', '.join(unknown)}"


# ---- aws and terraform commands ----------------------------------------------------------------
# What the runbooks and docs tell an engineer to run against AWS: `aws <service> <operation>` and its
# options checked against botocore's service models (the AWS CLI's own source of its commands), and
# `terraform output` only with the environment's own data directory and outputs that exist.

DOCS = RUNBOOKS.parent / "docs"
OUTPUTS_TF = RUNBOOKS.parent / "terraform" / "outputs.tf"
_AWS = re.compile(r"(?<![\w./-])aws ([a-z0-9-]+) ([a-z0-9-]+)([^`\n|;&]*)")
_SUBSTITUTION = re.compile(r"\$\([^()]*\)")
_OPTION = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)")
# The CLI's names for services whose botocore name differs.
_CLI_SERVICES = {"s3api": "s3", "deploy": "codedeploy", "configservice": "config"}
# Options of every command (the AWS CLI's global options) and of every operation.
_GLOBAL = {
    "--debug", "--endpoint-url", "--no-verify-ssl", "--no-paginate", "--output", "--query",
    "--profile", "--region", "--color", "--no-sign-request", "--ca-bundle", "--cli-read-timeout",
    "--cli-connect-timeout", "--cli-binary-format", "--no-cli-pager", "--cli-auto-prompt",
    "--no-cli-auto-prompt", "--cli-input-json", "--cli-input-yaml", "--generate-cli-skeleton",
}  # fmt: skip
_PAGINATION = {"--starting-token", "--page-size", "--max-items"}
# The AWS CLI's own commands (customizations, not in the service models), with their options.
_CUSTOM = {
    ("s3", "cp"): {
        "--recursive",
        "--quiet",
        "--sse",
        "--sse-kms-key-id",
        "--content-type",
        "--exclude",
        "--include",
    },
    ("s3", "ls"): {"--recursive", "--human-readable", "--summarize"},
    ("logs", "tail"): {"--since", "--follow", "--format", "--filter-pattern", "--log-stream-names"},
    ("sso", "login"): {"--sso-session", "--no-browser"},
}


def _documents() -> list[Path]:
    return sorted([*RUNBOOKS.glob("*.md"), *DOCS.glob("*.md")])


def _joined(path: Path) -> str:
    """The file with shell continuation lines joined (a command written over several lines)."""
    return re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))


def aws_commands() -> list[tuple[str, str, str, list[str]]]:
    """(file, service, operation, words after it) of every `aws` command the runbooks and docs write."""
    out = []
    for path in _documents():
        for found in _AWS.finditer(_joined(path)):
            rest = found.group(3)
            while _SUBSTITUTION.search(rest):  # a $(...) inside is a command of its own
                rest = _SUBSTITUTION.sub(" ", rest)
            rest = rest.split(")")[0].split(" #")[0]  # the end of a $(...) it stands in
            out.append((path.name, found.group(1), found.group(2), rest.split()))
    return out


@pytest.fixture(scope="module")
def boto() -> botocore.session.Session:
    return botocore.session.get_session()


def test_the_documents_name_aws_commands() -> None:
    assert len(aws_commands()) > 50  # the extraction finds them (it would pass on nothing)


def test_every_aws_command_exists_with_its_options(boto: botocore.session.Session) -> None:
    wrong: list[str] = []
    for where, service, operation, words in aws_commands():
        name = f"{where}: aws {service} {operation}"
        options = _OPTION.findall(" ".join(words))
        if (service, operation) in _CUSTOM:
            accepted = _CUSTOM[service, operation]
        else:
            try:
                model = boto.get_service_model(_CLI_SERVICES.get(service, service))
            except botocore.exceptions.UnknownServiceError:
                wrong.append(f"{name}: no such service")
                continue
            ops = {xform_name(op, "-"): op for op in model.operation_names}
            if operation == "wait":  # `aws dynamodb wait table-exists ...`: the waiter's operation's options
                waiters = boto.get_waiter_model(model.service_name)
                by_name = {xform_name(w, "-"): w for w in waiters.waiter_names}
                waiter = by_name.get(words[0] if words else "")
                if waiter is None:
                    wrong.append(f"{name}: no waiter {words[:1]}")
                    continue
                accepted = _members(model, waiters.get_waiter(waiter).operation)
            elif operation not in ops:
                wrong.append(f"{name}: no such operation")
                continue
            else:
                accepted = _members(model, ops[operation]) | _PAGINATION
        unknown = [o for o in options if o not in accepted | _GLOBAL]
        if unknown:
            wrong.append(f"{name}: takes no {', '.join(unknown)}")
    assert not wrong, "\n".join(wrong)


def _members(model: Any, operation: str) -> set[str]:
    """The CLI options of an operation: its input members in kebab case (booleans also --no-...)."""
    shape = model.operation_model(operation).input_shape
    if shape is None:
        return set()
    out = set()
    for member, member_shape in shape.members.items():
        option = "--" + xform_name(member, "-")
        out.add(option)
        if member_shape.type_name == "boolean":
            out.add("--no-" + option[2:])
    return out


_TERRAFORM_OUTPUT = re.compile(r"(?:\S+=\S+ )*terraform(?: -chdir=\S+)? output(?: -(?:raw|json))?(?: (\w+))?")
_SAVED_OUTPUT = re.compile(r"(?<![\w.])\.(\w+)\.value\b")  # jq's .<output>.value


def test_terraform_outputs_are_read_from_the_environments_own_outputs() -> None:
    """A bare `terraform output` reads the data directory of whichever environment was initialised
    last (aicc-ops keeps one per environment): the documents read `terraform/envs/<env>/outputs.json`
    (or give TF_DATA_DIR), and only outputs terraform/outputs.tf has."""
    outputs = set(re.findall(r'^output "(\w+)"', OUTPUTS_TF.read_text(encoding="utf-8"), re.M))
    wrong = []
    for path in _documents():
        text = _joined(path)
        for found in _TERRAFORM_OUTPUT.finditer(text):
            if found.group(0) == "terraform output" and text[found.end() : found.end() + 1] == "`":
                continue  # prose naming the command
            if "TF_DATA_DIR=" not in found.group(0):
                wrong.append(f"{path.name}: `{found.group(0)}` without the environment's TF_DATA_DIR")
            if found.group(1) and found.group(1) not in outputs:
                wrong.append(f"{path.name}: no Terraform output {found.group(1)!r}")
        for line in text.splitlines():
            if "outputs.json" in line:
                wrong += [
                    f"{path.name}: no Terraform output {n!r}"
                    for n in _SAVED_OUTPUT.findall(line)
                    if n not in outputs
                ]
    assert not wrong, "\n".join(wrong)
