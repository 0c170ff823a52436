"""Terraform's AWS provider (the machine's mirror) against the local Connect emulator: a root with
one resource of each kind the connect module uses applies, plans clean, and destroys."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from terraform.plan_gate import MIRROR, gate_skip_reason, modern_terraform

from aicc.settings import load_config
from aicc_ops.engine.flows import build_resources, render_all
from aicc_ops.local import connect_admin
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.server import ConnectHandler, _bind, _serve_in_thread

ROOT = Path(__file__).with_name("connect_admin_root")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(gate_skip_reason() is not None, reason=str(gate_skip_reason())),
]


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ConnectEmulator, list[str]]]:
    monkeypatch.setattr(connect_admin, "SETTLE_SECONDS", 0.2)  # still polled for by the provider
    resources = build_resources(load_config())
    emulator = ConnectEmulator(resources.config, resources, render_all(resources))
    # Every request the provider made, for the failure message: twice a create met "already
    # exists" under load (a retry of a create that had gone through?), so the next failure says
    # which requests came, how long each took and how each ended.
    calls: list[str] = []
    answer = emulator.call

    def recorded(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        outcome = "ok"
        try:
            return answer(operation, params)
        except Exception as exc:
            outcome = type(exc).__name__ + f" {getattr(exc, 'code', '')}"
            raise
        finally:
            took = (time.monotonic() - started) * 1000
            calls.append(f"{time.strftime('%H:%M:%S')} {operation} {outcome} {took:.0f} ms")

    monkeypatch.setattr(emulator, "call", recorded)
    server = _bind(0, type("ConnectHandler", (ConnectHandler,), {"emulator": emulator}), "Connect API")
    try:
        yield _serve_in_thread(server, "connect"), emulator, calls
    finally:
        server.shutdown()
        server.server_close()


def test_terraform_applies_plans_clean_and_destroys(
    tmp_path: Path, endpoint: tuple[str, ConnectEmulator, list[str]]
) -> None:
    url, emulator, served = endpoint
    work = tmp_path / "root"
    shutil.copytree(ROOT, work)
    rc = tmp_path / "terraformrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n')
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "TF_CLI_CONFIG_FILE": str(rc),
        "TF_IN_AUTOMATION": "1",
    }

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(modern_terraform()), *args, "-input=false", "-no-color"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    assert terraform("init").returncode == 0
    applied = terraform("apply", "-auto-approve", f"-var=endpoint={url}")
    assert applied.returncode == 0, (
        applied.stdout + applied.stderr + "\nrequests served:\n" + "\n".join(served)
    )
    assert "Resources: 14 added" in applied.stdout
    assert len(emulator.instances) == 2  # the local stack's own and the one Terraform created
    planned = terraform("plan", "-detailed-exitcode", f"-var=endpoint={url}")
    assert planned.returncode == 0, planned.stdout + planned.stderr  # 2 would be changes
    # What the plan just read back is what is destroyed: no third refresh.
    destroyed = terraform("destroy", "-auto-approve", "-refresh=false", f"-var=endpoint={url}")
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    assert list(emulator.instances) == [emulator.instance_id] and not emulator.numbers
