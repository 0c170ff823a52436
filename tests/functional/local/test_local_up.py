"""`aicc-ops local up` and the server process: ports checked before anything starts, a clean stop
on SIGTERM at any moment, no process left behind, a starting server's pid file never overwritten."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc_ops.cli.local import local
from aicc_ops.local.runtime import INFO_FILE, LOG_FILE, PID_FILE

SERVER = [sys.executable, "-m", "aicc_ops.local.server"]


@pytest.fixture
def taken() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def processes_of(state_dir: Path) -> list[int]:
    """Processes whose command line names the state directory (a server started for it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if str(state_dir).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for pid in processes_of(tmp_path):  # whatever a failing test left behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def up(state_dir: Path, *ports: str) -> object:
    return CliRunner().invoke(local, ["up", "--state-dir", str(state_dir), "--timeout", "20", *ports])


def test_a_port_in_use_is_refused_before_any_process_starts(state_dir: Path, taken: int) -> None:
    result = up(state_dir, "--aws-port", "0", "--connect-port", str(taken), "--calls-port", "0")

    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"--connect-port {taken}: Address already in use" in result.stderr  # type: ignore[attr-defined]
    assert processes_of(state_dir) == [] and not (state_dir / PID_FILE).exists()


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_a_usage_error(state_dir: Path, port: str) -> None:
    result = up(state_dir, "--aws-port", port, "--connect-port", "0", "--calls-port", "0")

    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "0<=x<=65535" in result.stderr  # type: ignore[attr-defined]
    assert processes_of(state_dir) == []


def test_the_same_port_twice_is_a_usage_error(state_dir: Path) -> None:
    result = up(state_dir, "--aws-port", "0", "--connect-port", "5999", "--calls-port", "5999")

    assert result.exit_code == 2 and "port 5999 given for two services" in result.stderr  # type: ignore[attr-defined]


def test_the_server_itself_fails_at_once_on_a_port_in_use(state_dir: Path, taken: int) -> None:
    """Another program may take a port between the check and the start: the server says which and
    exits (moto's own threaded server would wait forever)."""
    done = subprocess.run(
        [*SERVER, "--state-dir", str(state_dir), "--aws-port", str(taken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"the AWS (moto) port {taken} cannot be used (Address already in use)" in done.stderr
    assert not (state_dir / INFO_FILE).exists()


def stop_with_sigterm(state_dir: Path, ready: Callable[[], bool], what: str) -> tuple[int, str]:
    """Start the server, send SIGTERM once `ready()`, and give its exit code and log."""
    log = (state_dir / LOG_FILE).open("wb")
    process = subprocess.Popen(
        [*SERVER, "--state-dir", str(state_dir), "--connect-rate", "0"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        give_up = time.monotonic() + 60  # a guard against a server that never gets there
        while not ready():
            assert process.poll() is None, (state_dir / LOG_FILE).read_text()
            assert time.monotonic() < give_up, f"the server never {what}"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        log.close()
        if process.poll() is None:
            process.kill()
    return code, (state_dir / LOG_FILE).read_text()


def test_sigterm_during_the_start_stops_the_server_cleanly(state_dir: Path) -> None:
    def starting() -> bool:
        logged = (state_dir / LOG_FILE).read_text()
        assert "local stack up" not in logged, logged
        return "local stack starting" in logged

    code, text = stop_with_sigterm(state_dir, starting, "logged that it was starting")
    assert code == 0, text
    assert "local stack stopped" in text and "local stack up" not in text  # the start was abandoned
    assert not (state_dir / INFO_FILE).exists()


def test_the_pid_file_of_a_starting_server_is_never_overwritten(state_dir: Path) -> None:
    # A process that looks like a starting server (its command line names the server module).
    starting = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "aicc_ops.local.server", str(state_dir)]
    )
    try:
        while starting.pid not in processes_of(state_dir):  # until its command line is there
            assert starting.poll() is None
        (state_dir / PID_FILE).write_text(str(starting.pid), encoding="utf-8")

        result = up(state_dir, "--aws-port", "0", "--connect-port", "0", "--calls-port", "0")

        assert result.exit_code == 1  # type: ignore[attr-defined]
        assert f"a local stack is starting from {state_dir} (pid {starting.pid})" in result.stderr  # type: ignore[attr-defined]
        assert (state_dir / PID_FILE).read_text(encoding="utf-8") == str(starting.pid)
        assert processes_of(state_dir) == [starting.pid]
    finally:
        starting.kill()
        starting.wait()


def test_a_flow_catalog_the_server_cannot_load_is_reported_without_a_trace(
    state_dir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path_factory.mktemp("no-flows")
    (state_dir / LOG_FILE).write_text("Traceback (most recent call last):\nan earlier run's failure\n")
    monkeypatch.setenv("AICC_FLOWS_DIR", str(missing))  # the server process inherits it

    result = up(state_dir, "--aws-port", "0", "--connect-port", "0", "--calls-port", "0")

    assert result.exit_code == 1  # type: ignore[attr-defined]
    shown = result.stderr  # type: ignore[attr-defined]
    assert f"local stack failed: {missing / 'flows.yaml'}: flow catalog not found" in shown
    assert "Traceback" not in shown and "earlier run" not in shown  # only what this start logged
    assert processes_of(state_dir) == [] and not (state_dir / PID_FILE).exists()


def test_the_aws_endpoint_runs_beside_the_server_and_stops_with_it(state_dir: Path) -> None:
    result = up(state_dir, "--aws-port", "0", "--connect-port", "0", "--calls-port", "0", "--output", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    info = json.loads(result.stdout)  # type: ignore[attr-defined]
    try:
        # Two processes: the server, and moto in its own, so that each gets a core.
        assert sorted(processes_of(state_dir)) == sorted([info["pid"], info["aws_pid"]])
        assert info["listen_backlog"] >= 1024 and info["live"]["admission"]["flow_slots"] >= 1
    finally:
        stopped = CliRunner().invoke(local, ["down", "--state-dir", str(state_dir)])
    assert stopped.exit_code == 0
    assert processes_of(state_dir) == []


def test_the_servers_log_keeps_its_own_lines_once_the_handlers_are_loaded(state_dir: Path) -> None:
    """The handlers' Powertools logger once filtered every record whose logger name held its
    service name ("aicc" in "aicc_ops.local.server") out of the process's log: a server stopped
    after its start logged neither that it was up nor that it stopped (the flaky SIGTERM test)."""

    def up() -> bool:  # logged once the seed data went through the handlers
        return "local stack up" in (state_dir / LOG_FILE).read_text()

    code, text = stop_with_sigterm(state_dir, up, "logged that it was up")
    assert code == 0, text
    assert "local stack stopped" in text, text
