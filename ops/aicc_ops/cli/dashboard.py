"""`aicc-ops dashboard`: the live operations page in the browser, served on loopback until Ctrl-C
(docs/dashboard.md). The work is in aicc_ops.dashboard."""

from __future__ import annotations

from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any

import click

from ..admin.context import OpsContext
from ..dashboard.server import HOST, ReadError, Snapshots, make_server, url
from ..dashboard.state import Reader
from ._errors import OpsError
from ._options import aws_errors, target_options

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


def start(ops: OpsContext, port: int, interval: float) -> tuple[ThreadingHTTPServer, Snapshots]:
    """The server for `ops`'s target, bound (a port in use is told before anything is read) and
    its first snapshot taken (a target that cannot be read is an OpsError here, not a page of
    errors); not yet serving (serve_forever)."""
    import errno

    from aicc import clock

    reader: Reader | None = None

    def read(now: datetime) -> dict[str, Any]:
        nonlocal reader
        try:
            with aws_errors():
                reader = reader or Reader(ops)
                return reader.snapshot(now)
        except OpsError as exc:
            raise ReadError(exc.format_message()) from None

    snapshots = Snapshots(read, interval, clock.now)
    try:
        server = make_server(snapshots, ops.target.describe(), port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise OpsError(
                f"port {port} on {HOST} is in use (another dashboard?)",
                "usage",
                "give another --port, or --port 0 for any free one",
            ) from None
        raise OpsError(f"cannot listen on {HOST}:{port}: {exc.strerror}", "usage") from None
    first = snapshots.get()
    if "error" in first:
        server.server_close()
        raise OpsError(first["error"], "target")
    return server, snapshots
