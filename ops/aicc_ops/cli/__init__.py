"""aicc-ops: one click group, one module per command group."""

from __future__ import annotations

import importlib
import os
import sys

import click

# Command groups, each the same-named object of the same-named module. A group's module (with
# boto3, the engine...) is imported only when it runs: `aicc-ops local status` skips the engine.
COMMANDS = ("agents", "call", "connect", "demo", "deploy", "failover", "flows", "local", "queues", "roster")


class LazyGroup(click.Group):
    """click's documented lazy-loading group: subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__name__}.{cmd_name}")
        command: click.Command = getattr(module, cmd_name)
        return command


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(package_name="aicc-ops")
def cli() -> None:
    """Operate the AICC contact center on Amazon Connect, and its local stack."""


def main() -> None:
    try:
        cli(prog_name="aicc-ops", standalone_mode=True)
    except Exception as exc:  # an unexpected failure is a bug: say so, without a trace for operators
        if os.environ.get("AICC_DEBUG"):
            raise
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in aicc-ops; run again with AICC_DEBUG=1 for the trace and report it.",
            err=True,
        )
        sys.exit(2)
