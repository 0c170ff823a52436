"""A load run's clean-ups stop every process they started, whatever arrives meanwhile: Locust's
(two stand-in processes here, a master that ends and a worker that would not) and the run's own
local stack (its start and stop stood in for)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aicc_ops.admin.loadtest import processes, target
from aicc_ops.admin.loadtest.processes import LocustJob, run_locust


@dataclass(frozen=True)
class _Job(LocustJob):
    def commands(self, master_port: int) -> list[tuple[str, list[str]]]:
        sleep = [sys.executable, "-c", "import sys, time; time.sleep(float(sys.argv[1]))"]
        return [("master", [*sleep, "0.2"]), ("worker", [*sleep, "60"])]


def test_a_ctrl_c_during_the_clean_up_waits_until_every_process_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_signals: None
) -> None:
    started: list[subprocess.Popen[bytes]] = []
    real_popen, real_stop = subprocess.Popen, processes.stop_process_group

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def stop(process: subprocess.Popen[bytes], seconds: float) -> None:
        if process is started[0]:  # the operator presses Ctrl-C as the first one is stopped
            os.kill(os.getpid(), signal.SIGINT)
        real_stop(process, seconds)

    monkeypatch.setattr(processes.subprocess, "Popen", popen)
    monkeypatch.setattr(processes, "stop_process_group", stop)
    monkeypatch.setattr(processes, "WORKER_EXIT_SECONDS", 0.1)
    job = _Job(tmp_path / "main.py", tmp_path / "out", tmp_path / "plan.json", 1, 1.0, 1, 0.0, workers=1)
    try:
        with pytest.raises(KeyboardInterrupt):  # the Ctrl-C still stops the run, once it is clean
            run_locust(job, lambda _: None, poll_s=0.05)
        assert len(started) == 2
        assert [p.poll() is not None for p in started] == [True, True], "the worker was left running"
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_ctrl_c_while_the_runs_own_stack_is_stopped_waits_for_the_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_signals: None
) -> None:
    stopped: list[str] = []

    def stop(process: str) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        stopped.append(process)

    monkeypatch.setattr(target, "spawn", lambda *_, **__: ("the server", 0.0))
    monkeypatch.setattr(target, "wait_until_up", lambda *_: "info")
    monkeypatch.setattr(target, "stop_process_group", stop)
    with pytest.raises(KeyboardInterrupt), target.own_local_stack(tmp_path, lambda: "the plan"):
        pass
    assert stopped == ["the server"]
