"""Locust as subprocesses: headless, alone or as a master with workers on loopback.

Locust patches the standard library with gevent when it is imported, so it never runs inside
aicc-ops (which has boto3 loaded): each Locust process is `python -m locust` with the scenario's
locustfile. With workers, the master listens on a free loopback port and the workers connect to
it; the master alone writes the reports (CSV, HTML, progress.json, summary.json).

Every process is stopped when the run is over: at the end of the duration and the drain Locust
quits by itself, past a deadline the processes are terminated (SIGTERM: Locust still writes its
reports), then killed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.repository import REPO_ROOT
from ...core.signals import cleaning_up, held, redeliver
from ...local.runtime import stop_process_group
from .errors import LoadTestError

START_SECONDS = 60.0  # Locust's start and, with workers, their connection to the master
WORKERS_WAIT_SECONDS = 60  # the master gives up on workers that never connect
QUIT_SECONDS = 30.0  # after the duration and the drain: writing the reports
CSV_PREFIX = "locust"  # locust_stats.csv, locust_stats_history.csv, locust_failures.csv, ...
HTML_REPORT = "report.html"
STOP_SECONDS = 15.0  # after SIGTERM, before SIGKILL
WORKER_EXIT_SECONDS = 5.0  # workers quit on the master's word: a moment before they are told


@dataclass(frozen=True)
class Progress:
    elapsed_s: float
    phase: str
    users: int
    calls_completed: int
    calls_failed: int
    in_flight: int
    step_p95_ms: int | None


@dataclass(frozen=True)
class LocustJob:
    locustfile: Path
    out: Path  # the report directory
    plan: Path
    users: int
    spawn_rate: float
    duration_s: int
    drain_s: float
    workers: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def deadline_s(self) -> float:
        return START_SECONDS + self.duration_s + self.drain_s + QUIT_SECONDS

    def commands(self, master_port: int) -> list[tuple[str, list[str]]]:
        """(log name, command) of every process: the master (or the only one) first."""
        base = [sys.executable, "-m", "locust", "-f", str(self.locustfile)]
        base += ["--aicc-plan", str(self.plan), "--aicc-out", str(self.out)]
        main = [
            *base,
            "--headless",
            "--users",
            str(self.users),
            "--spawn-rate",
            f"{self.spawn_rate:g}",
            "--run-time",
            f"{self.duration_s}s",
            "--stop-timeout",
            f"{math.ceil(self.drain_s)}s",
            "--csv",
            str(self.out / CSV_PREFIX),
            "--html",
            str(self.out / HTML_REPORT),
            "--only-summary",
            "--exit-code-on-error",
            "0",  # failures are the verdict's to judge
        ]
        if not self.workers:
            return [("locust", main)]
        main += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(master_port)]
        main += [
            "--expect-workers",
            str(self.workers),
            "--expect-workers-max-wait",
            str(WORKERS_WAIT_SECONDS),
        ]
        worker = [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", str(master_port)]
        return [("locust-master", main)] + [
            (f"locust-worker-{n}", worker) for n in range(1, self.workers + 1)
        ]


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a subprocess: this one's, the run's additions, and the repository's
    packages first on the path (the code that runs here is the code that runs there)."""
    env = {**os.environ, **extra}
    paths = [str(REPO_ROOT / "ops"), str(REPO_ROOT / "lambdas"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run_locust(job: LocustJob, on_progress: Callable[[Progress], None], poll_s: float = 1.0) -> None:
    """Run the job to its end; LoadTestError (with where the logs are) when Locust fails."""
    job.out.mkdir(parents=True, exist_ok=True)
    (job.out / "progress.json").unlink(missing_ok=True)
    (job.out / "summary.json").unlink(missing_ok=True)
    env = child_env(job.env)
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        for name, command in job.commands(free_port()):
            with (job.out / f"{name}.log").open("wb") as log, held() as caught:  # started and recorded
                processes.append(
                    (
                        name,
                        subprocess.Popen(
                            command,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL,
                            env=env,
                            cwd=job.out,
                            start_new_session=True,  # Ctrl-C reaches aicc-ops, which stops them
                        ),
                    )
                )
            redeliver(caught)
        main_name, main = processes[0]
        deadline = time.monotonic() + job.deadline_s()
        while main.poll() is None:
            if time.monotonic() > deadline:
                raise LoadTestError(
                    f"Locust did not finish within {job.deadline_s():.0f} s and was stopped; "
                    f"see {job.out / (main_name + '.log')}"
                )
            progress = read_progress(job.out / "progress.json")
            if progress is not None:
                on_progress(progress)
            time.sleep(poll_s)
    finally:
        with cleaning_up():  # each process: WORKER_EXIT_SECONDS, then SIGTERM and STOP_SECONDS, then SIGKILL
            ended = bool(processes) and processes[0][1].poll() is not None
            for _, process in processes:
                if ended:  # the workers quit on the master's word
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(WORKER_EXIT_SECONDS)
                stop_process_group(process, STOP_SECONDS)
    if main.returncode not in (0, None):
        raise LoadTestError(
            f"Locust failed (exit code {main.returncode}); see {job.out / (main_name + '.log')}:\n"
            f"{log_tail(job.out / (main_name + '.log'))}"
        )


def read_progress(path: Path) -> Progress | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return Progress(**data)
    except (OSError, ValueError, TypeError):
        return None


def log_tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return "(no log)"
