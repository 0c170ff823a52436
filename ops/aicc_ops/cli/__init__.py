"""aicc-ops: one click group, one module per command group."""

from __future__ import annotations

import os
import sys

import click

from . import agents, call, connect, demo, deploy, failover, flows, local, queues, roster


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="aicc-ops")
def cli() -> None:
    """Operate the AICC contact center on Amazon Connect, and its local stack."""


cli.add_command(call.call)
cli.add_command(flows.flows)
cli.add_command(demo.demo)
cli.add_command(deploy.deploy)
cli.add_command(local.local)
cli.add_command(roster.roster)
cli.add_command(connect.connect)
cli.add_command(queues.queues)
cli.add_command(agents.agents)
cli.add_command(failover.failover)


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
