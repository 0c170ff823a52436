"""End-to-end: `aicc-ops local up` starts the server as an operator would (a background process),
the commands under test run as subprocesses over HTTP, and `local down` stops it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

AICC_OPS = [sys.executable, "-c", "from aicc_ops.cli import main; main()"]


def run(
    *args: str, env: dict[str, str] | None = None, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*AICC_OPS, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"aicc-ops {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A background local stack; yields `local up --output json` plus the state dir."""
    state_dir = tmp_path_factory.mktemp("e2e-local")
    env = {"AICC_LOCAL_DIR": str(state_dir)}
    up = run(
        "local",
        "up",
        "--aws-port",
        "0",
        "--connect-port",
        "0",
        "--calls-port",
        "0",
        "--connect-rate",
        "50",
        "--connect-burst",
        "50",
        "--talk-seconds",
        "3",
        "--acw-seconds",
        "0.5",
        "--output",
        "json",
        env=env,
    )
    info = json.loads(up.stdout)
    try:
        yield {**info, "env": env, "state_dir": Path(state_dir)}
    finally:
        down = run("local", "down", env=env, check=False)
        if down.returncode != 0:  # never leave a server behind, whatever broke the CLI
            with contextlib.suppress(ProcessLookupError):
                os.kill(info["pid"], signal.SIGTERM)


# What the load tests' runs are judged by: the machinery, never a timing (shared machines flake).
ANY_LATENCY = """
slo:
  max_failure_ratio: 0
  max_step_p95_ms: 600000
  max_step_p99_ms: 600000
  min_calls_completed: 1
"""


@pytest.fixture
def slo_file(tmp_path: Path) -> Path:
    path = tmp_path / "slo.yaml"
    path.write_text(ANY_LATENCY, encoding="utf-8")
    return path
