"""`aicc-ops dashboard`: the live operations page in the browser, served on loopback until Ctrl-C
(docs/dashboard.md). The work is in aicc_ops.dashboard."""

from __future__ import annotations

import click

from ..admin.context import OpsContext
from ._options import target_options

DEFAULT_PORT = 8765


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=2),
    default=5,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between reads of the target (at least 2); every open tab shares each read.",
)
@click.option(
    "--open/--no-open", "open_browser", default=True, show_default=True, help="Open it in a browser."
)
@target_options
def dashboard(ops: OpsContext, port: int, interval: float, open_browser: bool) -> None:
    """The live operations page: per queue callers waiting and the oldest wait against its SLA,
    agents by status, calls in progress with their flow step and sentiment, emergencies and their
    escalation step, and the SLA monitor's alerts; it updates itself every --interval seconds."""
    import webbrowser

    from ..dashboard.server import start, url

    server, _ = start(ops, port, interval)
    address = url(server)
    click.echo(f"AICC dashboard ({ops.target.describe()}): {address}  (Ctrl-C to stop)")
    if open_browser:
        webbrowser.open(address)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
