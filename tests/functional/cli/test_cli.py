"""The top-level group: every listed command group loads, and an unknown one is a usage error."""

from __future__ import annotations

import click
from click.testing import CliRunner

from aicc_ops.cli import COMMANDS, cli


def test_every_command_group_loads_under_its_name() -> None:
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    assert sorted(COMMANDS) == cli.list_commands(ctx)


def test_help_lists_them_and_an_unknown_group_is_a_usage_error() -> None:
    shown = CliRunner().invoke(cli, ["--help"])
    assert shown.exit_code == 0
    assert all(name in shown.output for name in COMMANDS)
    unknown = CliRunner().invoke(cli, ["nope"])
    assert unknown.exit_code == 2 and "No such command 'nope'" in unknown.output
