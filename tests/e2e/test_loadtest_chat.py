"""`aicc-ops loadtest run --scenario chat` for real, briefly, on loopback: Locust's customers chat
through the flows of a local stack the run starts itself, with boto3's connect and
connectparticipant clients; steps and chats are recorded and judged. The SLO file allows any
latency: this proves the machinery, never a timing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aicc_ops.local.runtime import pid_alive

from .conftest import run

pytestmark = pytest.mark.slow

QUICK = ["--users", "3", "--spawn-rate", "3", "--duration", "4", "--think", "0", "--talk-seconds", "0"]
QUICK += ["--patience", "3", "--json"]
# No MSP chats: their scripts' silent turns wait out the flows' input time (10 s each on the local
# stack), which proves nothing more about the machinery and made this test's drain take 35 s.
QUICK += ["--mix", "general=1,after_hours=1,msp_general=0,emergency=0"]


def test_a_chat_run_on_its_own_local_stack_records_steps_and_chats(tmp_path: Path, slo_file: Path) -> None:
    reports = tmp_path / "reports"
    done = run(
        "loadtest", "run", "--scenario", "chat", *QUICK, "--slo", str(slo_file),
        "--state-dir", str(tmp_path / "no-stack-here"), "--report-dir", str(reports),
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert result["verdict"] == "pass", result
    assert result["scenario"] == "chat"
    assert result["calls_completed"] >= 1 and result["calls_failed"] == 0
    steps = result["steps"]
    assert steps and all(name.startswith("chat: ") for name in steps)  # named after their flow
    assert "chat: Customer Authentication" in steps
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["steps"]["count"] > summary["calls"]["completed"]  # several steps per chat
    plan = json.loads((reports / "plan.json").read_text(encoding="utf-8"))
    assert plan["target"]["instance_id"] and plan["target"]["chat_flow_id"] == "customer_authentication"
    log = (reports / "local-stack" / "server.log").read_text(encoding="utf-8")
    started = re.search(r"local stack starting \(pid (\d+)\)", log)
    assert started and not pid_alive(int(started.group(1)))  # the run's own stack is gone
