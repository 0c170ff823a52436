"""Starting the local stack server as a background process and waiting until it answers: one
mechanism for `aicc-ops local up` and for the load test's own stack."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from .call_client import CallApiError, CallClient
from .runtime import LOG_FILE, ServerInfo, read_info, stop_process_group


class StartError(Exception):
    """The server exited during its start or did not answer in time; the message ends with what
    this start logged."""


def healthy(info: ServerInfo) -> bool:
    try:
        return bool(
            CallClient(info.calls_endpoint, timeout=2).request("GET", "/health").get("status") == "ok"
        )
    except CallApiError:
        return False


def log_tail(state_dir: Path, lines: int = 15, since: int = 0) -> str:
    """The log's last lines, from byte `since` on: what this start wrote, not an earlier run's."""
    try:
        text = (state_dir / LOG_FILE).read_bytes()[since:].decode("utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(nothing logged)"


def spawn(
    state_dir: Path, options: Mapping[str, object], env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """The server process (in its own process group, logging to the state dir), started with
    `options` as its command-line flags (aws_port=0 -> --aws-port 0; None: left out), and the log's
    length before it: where this start's lines begin."""
    args = [sys.executable, "-m", "aicc_ops.local.server", "--state-dir", str(state_dir)]
    for name, value in options.items():
        if value is not None:
            args += [f"--{name.replace('_', '-')}", str(value)]
    with (state_dir / LOG_FILE).open("ab") as log:
        since = log.tell()  # the end: append mode starts there
        process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    return process, since


def wait_until_up(
    process: subprocess.Popen[bytes],
    state_dir: Path,
    timeout: float,
    since: int = 0,
    stop_seconds: float = 10.0,
) -> ServerInfo:
    """The server's info once it answers; StartError (with its log) if it exits first, or if it
    does not answer within `timeout` seconds (then it is stopped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartError(
                f"the local stack exited during start (code {process.returncode}); its log:\n"
                f"{log_tail(state_dir, since=since)}"
            )
        info = read_info(state_dir)
        if info is not None and info.pid == process.pid and healthy(info):
            return info
        time.sleep(0.2)
    stop_process_group(process, stop_seconds)
    raise StartError(
        f"the local stack did not answer within {timeout:g} s and was stopped; its log:\n"
        f"{log_tail(state_dir, since=since)}"
    )
