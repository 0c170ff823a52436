"""Every `aicc-ops` command a runbook names exists, with the options it is given: an on-call
engineer copies them into a terminal at night (issue 13: runbooks' Diagnosis commands). Each
command's `--help` is run, and each `--option` the runbook writes must be one the command takes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
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
