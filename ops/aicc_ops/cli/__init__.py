"""aicc-ops: one click group, one module per command group."""

from __future__ import annotations

import click

from . import call, demo, flows


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="aicc-ops")
def cli() -> None:
    """Operate the AICC contact center on Amazon Connect, and its local stack."""


cli.add_command(call.call)
cli.add_command(flows.flows)
cli.add_command(demo.demo)


def main() -> None:
    cli(prog_name="aicc-ops")
