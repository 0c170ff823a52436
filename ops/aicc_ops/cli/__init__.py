"""aicc-ops: one click group, one module per command group."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from ..core.signals import end_on_signals

# Command groups, each the same-named object of the same-named module. A group's module (with
# boto3, the engine...) is imported only when it runs: `aicc-ops local status` skips the engine.
COMMANDS = (
    "agents",
    "call",
    "connect",
    "dashboard",
    "demo",
    "deploy",
    "failover",
    "flows",
    "kb",
    "loadtest",
    "local",
    "nlu",
    "prompts",
    "queues",
    "report",
    "roster",
    "sentiment",
    "sla",
    "speech",
)


class LazyGroup(click.Group):
    """click's documented lazy-loading group: subcommands are imported on first use. Errors are
    shown by _errors.show_error: as one JSON object on stderr when the command line asks for JSON."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(args, *rest, **kwargs)
        from ._errors import show_error, wants_json

        given = list(sys.argv[1:] if args is None else args)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(given, *rest, **kwargs)
        except (click.ClickException, click.exceptions.Abort) as exc:
            show_error(exc, wants_json(given))
            sys.exit(exc.exit_code if isinstance(exc, click.ClickException) else 1)
        # click returns an Exit's code without standalone mode (commands return None)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__name__}.{cmd_name}")
        command: click.Command = getattr(module, cmd_name)
        return command


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:  # imported only when asked: the flows' and config's locations come with the engine
        from ._version import show_version

        show_version(ctx, param, value)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and the revision of the flows and configuration, then exit.",
)
def cli() -> None:
    """Operate the AICC contact center on Amazon Connect, and its local stack."""


def _stop_like_ctrl_c() -> None:
    """SIGTERM and SIGHUP end a command through its clean-up (core/signals.py), with a notice shown
    as the command line asks."""
    from ._errors import show_terminated, wants_json

    end_on_signals(lambda name: show_terminated(name, wants_json(sys.argv[1:])))


def main() -> None:
    _stop_like_ctrl_c()
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
