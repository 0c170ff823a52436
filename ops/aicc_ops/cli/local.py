"""`aicc-ops local up|down|status|env`: the local stack as a background server on loopback."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import click

from ..local.call_client import CallApiError, CallClient
from ..local.launch import StartError, spawn, wait_until_up
from ..local.runtime import (
    DEFAULT_ANSWER_RATE,
    DEFAULT_FLOW_SLOTS,
    INFO_FILE,
    PID_FILE,
    ServerInfo,
    default_state_dir,
    is_server,
    pid_alive,
    port_problem,
    read_info,
)
from ._options import emit, output_option, running_server, state_dir_option

DEFAULT_PORTS = {"aws": 5466, "connect": 5467, "calls": 5468, "lambda": 0}
PORT = click.IntRange(0, 65535)
STOP_SECONDS = 10.0  # a server that does not stop on SIGTERM within this is killed


@click.group()
def local() -> None:
    """Run the local stack (moto, Connect emulator, call API) as a background server."""


@local.command()
@state_dir_option
@click.option(
    "--aws-port", type=PORT, default=DEFAULT_PORTS["aws"], show_default=True, help="moto (0: any free port)."
)
@click.option(
    "--connect-port", type=PORT, default=DEFAULT_PORTS["connect"], show_default=True, help="Connect API."
)
@click.option(
    "--calls-port", type=PORT, default=DEFAULT_PORTS["calls"], show_default=True, help="HTTP call API."
)
@click.option(
    "--lambda-port",
    type=PORT,
    default=DEFAULT_PORTS["lambda"],
    show_default=True,
    help="Lambda Invoke API for the handlers (0: any free port).",
)
@click.option(
    "--connect-rate", type=float, default=2.0, show_default=True, help="Connect API requests/s (0: no limit)."
)
@click.option("--connect-burst", type=int, default=5, show_default=True, help="Connect API burst.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Seed data (customers.csv, agents.csv, rosters.csv) [default: the bundled samples].",
)
@click.option(
    "--talk-seconds", type=float, default=30.0, show_default=True, help="Simulated agents' talk time."
)
@click.option("--acw-seconds", type=float, default=5.0, show_default=True, help="After-contact work time.")
@click.option(
    "--input-seconds", type=float, default=10.0, show_default=True, help="How long a caller is waited for."
)
@click.option(
    "--answer-rate",
    type=click.FloatRange(0),
    default=DEFAULT_ANSWER_RATE,
    show_default=True,
    help="New calls answered a second at most; the others ring until their turn (0: no limit).",
)
@click.option(
    "--flow-slots",
    type=click.IntRange(1),
    default=DEFAULT_FLOW_SLOTS,
    show_default=True,
    help="Calls whose flows run a step at once; further steps wait their turn.",
)
@click.option(
    "--timeout", type=float, default=90.0, show_default=True, help="Seconds to wait for the server to start."
)
@output_option
def up(state_dir: Path | None, timeout: float, output: str, **options: Any) -> None:
    """Start the local stack in the background and wait until it answers."""
    state_dir = state_dir or default_state_dir()
    running = read_info(state_dir)
    if running is not None:
        click.echo(f"The local stack already runs (pid {running.pid}).", err=True)
        _show(running, output)
        return
    starting = _pid(state_dir)
    if starting is not None:  # its pid file is all there is until it answers: never overwrite it
        raise click.ClickException(
            f"a local stack is starting from {state_dir} (pid {starting}); wait for it "
            "(`aicc-ops local status`) or stop it (`aicc-ops local down`)"
        )
    _check_ports({k: options[f"{k}_port"] for k in DEFAULT_PORTS})
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / INFO_FILE).unlink(missing_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot use {state_dir} as the state directory: {exc.strerror}") from None
    process, since = spawn(state_dir, options)
    (state_dir / PID_FILE).write_text(str(process.pid), encoding="utf-8")
    try:
        info = wait_until_up(process, state_dir, timeout, since, STOP_SECONDS)
    except StartError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if process.poll() is not None:  # it exited, or was stopped: its pid file goes with it
            (state_dir / PID_FILE).unlink(missing_ok=True)
    click.echo(f"Local stack up (pid {info.pid}); state in {state_dir}.", err=True)
    _show(info, output)


def _check_ports(ports: dict[str, int]) -> None:
    """Every port free and distinct (0: any free one), before a server is started."""
    fixed = [p for p in ports.values() if p]
    twice = sorted({p for p in fixed if fixed.count(p) > 1})
    if twice:
        raise click.UsageError(f"port {', '.join(map(str, twice))} given for two services; give each its own")
    for name, port in ports.items():
        problem = port_problem(port) if port else None
        if problem:
            raise click.ClickException(
                f"--{name}-port {port}: {problem} (another local stack or program listens there?); "
                "pick another port, or 0 for any free one"
            )


@local.command()
@state_dir_option
@click.option(
    "--timeout", type=float, default=20.0, show_default=True, help="Seconds before the server is killed."
)
def down(state_dir: Path | None, timeout: float) -> None:
    """Stop the local stack (its data lives in memory and is gone afterwards)."""
    state_dir = state_dir or default_state_dir()
    pid = _pid(state_dir)
    if pid is None:
        click.echo(f"No local stack runs from {state_dir}.")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
        click.echo(f"The local stack (pid {pid}) did not stop in {timeout:g} s and was killed.", err=True)
    for name in (INFO_FILE, PID_FILE):
        (state_dir / name).unlink(missing_ok=True)
    click.echo(f"Local stack stopped (pid {pid}).")


def _pid(state_dir: Path) -> int | None:
    info = read_info(state_dir)
    if info is not None:
        return info.pid
    try:
        pid = int((state_dir / PID_FILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) and is_server(pid) else None


@local.command()
@state_dir_option
@output_option
def status(state_dir: Path | None, output: str) -> None:
    """What runs where: endpoints, agents by state, calls by state. Exit 1 when not running."""
    _show(running_server(state_dir), output)


@local.command("env")
@state_dir_option
def env_command(state_dir: Path | None) -> None:
    """Shell exports pointing the AWS CLI and boto3 at the local stack: eval "$(aicc-ops local env)"."""
    info = running_server(state_dir)
    exports = {
        **info.aws_environment(),
        "AICC_INSTANCE_ID": info.instance_id,
        "AICC_CALLS_URL": info.calls_endpoint,
        **{f"{k.upper()}_TABLE": v for k, v in info.tables.items()},
    }
    for key, value in exports.items():
        click.echo(f"export {key}={value}")


def _show(info: ServerInfo, output: str) -> None:
    try:
        live = CallClient(info.calls_endpoint, timeout=5).status()
    except CallApiError as exc:
        live = {"error": str(exc)}
    data = {**info.__dict__, "live": live}
    rate = f"{info.connect_rate:g}/s, burst {info.connect_burst}" if info.connect_rate > 0 else "unlimited"
    aws_notes = "DynamoDB, S3, SNS, SQS, CloudWatch, Secrets Manager, EventBridge"
    admission = live.get("admission") or {}
    answers = f"{admission['answer_rate']:g}/s" if admission.get("answer_rate") else "no limit"
    rows = [
        ["AWS (moto)", info.aws_endpoint, f"{aws_notes}; pid {info.aws_pid}" if info.aws_pid else aws_notes],
        ["Amazon Connect", info.connect_endpoint, f"instance {info.instance_id}, rate {rate}"],
        *(
            [["AWS Lambda", info.lambda_endpoint, "Invoke for the handlers (boto3 `lambda`)"]]
            if info.lambda_endpoint
            else []
        ),
        [
            "Call API",
            info.calls_endpoint,
            "POST /calls, GET /calls/ID, POST /calls/ID/input (docs/local-stack.md)"
            + (f"; answers {answers}, {admission['flow_slots']} flow slots" if admission else ""),
        ],
    ]
    emit(
        output,
        data,
        rows,
        ["service", "endpoint", "notes"],
        title=f"pid {info.pid}, up since {info.started_at}",
    )
    if output == "table":
        agents = (
            ", ".join(f"{k.lower()} {v}" for k, v in sorted((live.get("agents") or {}).items())) or "none"
        )
        calls = ", ".join(f"{k} {v}" for k, v in sorted((live.get("calls") or {}).items())) or "none"
        click.echo(f"\nagents: {agents}\ncalls: {calls}")
        if live.get("faults"):
            click.echo(f"faults injected: {json.dumps(live['faults'], ensure_ascii=False)}")
        if live.get("error"):
            click.echo(live["error"])


@local.command("agents")
@state_dir_option
@click.argument("logins", nargs=-1)
@click.option(
    "--available", "status", flag_value="AVAILABLE", help="Sign the simulated agents in (routable)."
)
@click.option("--offline", "status", flag_value="OFFLINE", help="Sign them out.")
@click.option("--all", "everyone", is_flag=True, help="Every agent of the instance.")
@click.option("--count", type=click.IntRange(1), help="Only the first N of them (by login).")
@output_option
def agents_command(
    state_dir: Path | None,
    logins: tuple[str, ...],
    status: str | None,
    everyone: bool,
    count: int | None,
    output: str,
) -> None:
    """Simulated agents: list them, or sign some in or out (who answers the local calls).

    \b
    Examples:
      aicc-ops local agents                          # who is available, talking, in after-contact work
      aicc-ops local agents --available --all        # everyone signs in
      aicc-ops local agents --offline ts.park ts.choi
    """
    client = CallClient(running_server(state_dir).calls_endpoint)
    try:
        current = client.agents()
        if status is None:
            if logins or everyone:
                raise click.UsageError("say what to do with them: --available or --offline")
            emit(output, current, headers=["login", "routing_profile", "state", "contact"])
            return
        if bool(logins) == everyone:
            raise click.UsageError("name the agents (LOGIN...) or give --all")
        known = {a["login"] for a in current}
        unknown = [login for login in logins if login not in known]
        if unknown:
            raise click.ClickException(
                f"no such agent(s): {', '.join(unknown)}; `aicc-ops local agents` lists them"
            )
        chosen = sorted(known) if everyone else list(logins)
        changed = [client.set_agent(login, status) for login in chosen[:count]]
    except CallApiError as exc:
        raise click.ClickException(str(exc)) from None
    emit(output, changed, headers=["login", "state"])
