"""`aicc-ops loadtest run` for real, briefly, on loopback: Locust runs as subprocesses against a
local stack, records steps and calls, and the verdict is computed from its statistics; a fault
injected through the call API (PUT /faults) makes the verdict fail. The SLO file here allows any
latency: these tests prove the machinery, never a timing (bench/ and docs/performance.md do)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from helpers import wait_for

from aicc_ops.local.runtime import pid_alive

from .conftest import AICC_OPS, run

pytestmark = pytest.mark.slow

# Short, bounded runs: callers answer at once, agents talk for no time, nobody waits long.
QUICK = ["--users", "3", "--spawn-rate", "3", "--duration", "3", "--think", "0", "--talk-seconds", "0"]
QUICK += ["--patience", "2", "--json"]
MSP_ONLY = "msp_general=1,general=0,after_hours=0,emergency=0"  # every call looks the customer up


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A local stack of this module's own: the load signs its agents in and injects faults."""
    state_dir = tmp_path_factory.mktemp("loadtest-local")
    env = {"AICC_LOCAL_DIR": str(state_dir)}
    ports = ["--aws-port", "0", "--connect-port", "0", "--calls-port", "0", "--output", "json"]
    info = json.loads(run("local", "up", *ports, env=env).stdout)
    try:
        yield {**info, "env": env}
    finally:
        if run("local", "down", env=env, check=False).returncode != 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(info["pid"], signal.SIGTERM)


def faults(stack: dict[str, Any], method: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{stack['calls_endpoint']}/faults", data=data, method=method)
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read())


def stats_rows(report_dir: Path) -> list[dict[str, str]]:
    with (report_dir / "locust_stats.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_run_on_its_own_local_stack_records_steps_and_calls(tmp_path: Path, slo_file: Path) -> None:
    own_state = tmp_path / "no-stack-here"  # nothing runs from it: the run starts its own stack
    reports = tmp_path / "reports"
    done = run(
        "loadtest", "run", "--scenario", "calls", *QUICK, "--slo", str(slo_file),
        "--state-dir", str(own_state), "--report-dir", str(reports),
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert result["verdict"] == "pass", result
    assert result["calls_completed"] >= 1 and result["calls_failed"] == 0
    assert result["max_concurrent"] >= 1
    steal = result["cpu_steal_share"]  # this machine's CPU time other guests took (Linux: a figure)
    assert steal is None or 0 <= steal <= 1
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["steps"]["count"] > summary["calls"]["completed"]  # several steps per call
    assert result["p95_ms"] == summary["steps"]["p95_ms"]  # the verdict reads Locust's figures
    kinds = {row["Type"] for row in stats_rows(reports)}
    assert {"step", "call", "lambda"} <= kinds
    assert (reports / "report.html").stat().st_size > 0
    assert any("started a local stack" in note for note in result["notes"])
    # ... and stopped it: no server left behind
    log = (reports / "local-stack" / "server.log").read_text(encoding="utf-8")
    started = re.search(r"local stack starting \(pid (\d+)\)", log)
    assert started
    assert not pid_alive(int(started.group(1)))
    assert not (reports / "local-stack" / "server.json").exists()


def _pids_naming(text: str) -> list[int]:
    """Processes whose command line holds `text` (a run's own report directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def test_a_run_terminated_stops_its_own_stack_and_locust(tmp_path: Path, slo_file: Path) -> None:
    """SIGTERM (kill, a CI timeout) ends a run as Ctrl-C does: the stack and Locust it started, each
    in a session of its own, stop with it instead of running on."""
    reports = tmp_path / "reports"
    run_ = subprocess.Popen(
        [*AICC_OPS, "loadtest", "run", "--scenario", "calls", "--users", "3", "--spawn-rate", "3",
         "--duration", "120", "--slo", str(slo_file), "--state-dir", str(tmp_path / "no-stack-here"),
         "--report-dir", str(reports)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(
            lambda: (reports / "progress.json").exists() or run_.poll() is not None, "Locust's progress", 120
        )
        assert run_.poll() is None, run_.communicate()
        server = json.loads((reports / "local-stack" / "server.json").read_text(encoding="utf-8"))
        children = [server["pid"], server["aws_pid"], *_pids_naming(str(reports / "plan.json"))]
        assert len(children) >= 3  # the stack's two processes and Locust
        run_.send_signal(signal.SIGTERM)
        _, err = run_.communicate(timeout=60)
    finally:
        if run_.poll() is None:
            run_.kill()
    assert [pid for pid in children if pid_alive(pid)] == []  # nothing left running
    assert run_.returncode == 128 + signal.SIGTERM
    assert "Error: terminated (SIGTERM): stopping what this command started" in err
    assert "Traceback" not in err


def test_an_injected_fault_fails_the_verdict_with_workers(
    stack: dict[str, Any], tmp_path: Path, slo_file: Path
) -> None:
    faults(stack, "PUT", {"lambdas": {"customer_lookup": "error"}})
    try:
        done = run(
            "loadtest", "run", "--scenario", "calls", *QUICK, "--slo", str(slo_file), "--mix", MSP_ONLY,
            "--workers", "1", "--report-dir", str(tmp_path), env=stack["env"], check=False,
        )  # fmt: skip
    finally:
        faults(stack, "DELETE")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "fail" and result["calls_failed"] >= 1
    failed = {s["objective"] for s in result["slos"] if not s["passed"]}
    assert "max_failure_ratio" in failed
    assert any("customer_lookup" in f["error"] for f in result["failures"] if f["type"] == "call")
    assert result["lambdas"]["customer_lookup"]["failures"] >= 1
    assert (tmp_path / "locust-worker-1.log").exists()  # a master and its worker ran


def test_the_lambdas_scenario_on_the_stacks_own_lambda_endpoint_reports_a_failing_handler(
    stack: dict[str, Any], tmp_path: Path, slo_file: Path
) -> None:
    """The local stack's Lambda Invoke API runs the real handlers; an injected fault is a function
    error the scenario reports against that handler alone."""
    faults(stack, "PUT", {"lambdas": {"customer_lookup": "error"}})
    try:
        done = run(
            "loadtest", "run", "--scenario", "lambdas", *QUICK, "--slo", str(slo_file), "--mix", MSP_ONLY,
            "--report-dir", str(tmp_path), check=False, env=stack["env"],
        )  # fmt: skip
    finally:
        faults(stack, "DELETE")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    lookup, hours = result["lambdas"]["customer_lookup"], result["lambdas"]["business_hours"]
    assert lookup["count"] > 0 and lookup["failures"] == lookup["count"]
    assert hours["count"] > 0 and hours["failures"] == 0


class _LambdaStub(BaseHTTPRequestHandler):
    """Lambda's Invoke API (POST /2015-03-31/functions/NAME/invocations): answers like a handler,
    or like a failed function for customer_lookup; records what it was sent."""

    seen: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        name = self.path.split("/functions/")[1].split("/")[0]
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append((name, event))
        failing = name.endswith("customer-lookup")
        body = json.dumps({"errorMessage": "boom"} if failing else {"status": "ok"}).encode()
        self.send_response(200)
        if failing:
            self.send_header("X-Amz-Function-Error", "Unhandled")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_lambdas_scenario_replays_the_calls_invocations(
    stack: dict[str, Any], tmp_path: Path, slo_file: Path
) -> None:
    """Against a Lambda endpoint (a stub until the local stack serves one): the events as the
    flows sent them, a new contact per call, each handler's failure reported."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LambdaStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _LambdaStub.seen = []
    try:
        done = run(
            "loadtest", "run", "--scenario", "lambdas", *QUICK, "--slo", str(slo_file), "--mix", MSP_ONLY,
            "--report-dir", str(tmp_path), check=False,
            env={**stack["env"], "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{server.server_address[1]}"},
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert set(result["lambdas"]) >= {"business_hours", "customer_lookup"}
    assert result["lambdas"]["customer_lookup"]["failures"] == result["lambdas"]["customer_lookup"]["count"]
    assert result["lambdas"]["business_hours"]["failures"] == 0
    assert result["lambdas"]["business_hours"]["limit_s"] == 3
    assert any("function error (Unhandled) boom" in f["error"] for f in result["failures"])
    contacts: dict[str, list[str]] = {}
    for name, event in _LambdaStub.seen:
        contact = event["Details"]["ContactData"]
        assert contact["InitialContactId"] == contact["ContactId"]
        contacts.setdefault(contact["ContactId"], []).append(name)
    assert len(contacts) >= 2  # each call its own contact
    assert all(names[0] == "aicc-local-business-hours" for names in contacts.values())  # a call's order
