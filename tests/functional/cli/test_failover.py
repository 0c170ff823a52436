"""`aicc-ops failover drill`: the plan (--dry-run), short drills on the in-process local stack, the
local server's call API (a stand-in speaking its documented contract), the AWS paths with stubbed
clients, and bad input. The whole catalogue runs once, as a scenario test."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import Result
from helpers import StackCliRunner

from aicc_ops.admin.context import OpsContext
from aicc_ops.cli import failover as cli_failover
from aicc_ops.cli.failover import failover
from aicc_ops.local.call_client import CallClient
from aicc_ops.local.runtime import ServerInfo
from aicc_ops.local.server import serve


def run(*args: str, command: str = "drill", **kwargs: Any) -> Result:
    return StackCliRunner().invoke(failover, [command, *args], **kwargs)


def throttle(*args: str, **kwargs: Any) -> Result:
    return run(*args, command="throttle", **kwargs)


def shift(*args: str, **kwargs: Any) -> Result:
    return run(*args, command="shift", **kwargs)


# ---- the plan ------------------------------------------------------------------------------------------


def planned() -> tuple[int, int]:
    """(fault sets, scenarios) of the default drill: the catalogue over the handlers a call reaches
    and the queues, with the baseline; the demo mix without its own fault calls."""
    from aicc.settings import config
    from aicc_ops.admin import drill as dr
    from aicc_ops.engine.flows import call_handlers

    faults = dr.with_baseline(dr.catalogue(call_handlers(config()), list(config().queues)))
    return len(faults), len(dr.default_scenarios())


def test_dry_run_shows_faults_scenarios_and_rollback_and_runs_nothing() -> None:
    result = run("--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Failover drill plan (dry run): in-process local stack" in out
    faults, scenarios = planned()
    assert f"{faults} fault sets x {scenarios} scenarios = {faults * scenarios} calls, hold 120 s" in out
    for fault in (
        "none",
        "lambda-error:customer_lookup",
        "dynamodb-throttle",
        "queue-full:after_hours",
        "worst-day",
    ):
        assert f"\n{fault} " in out
    assert "LocalLambdas.service_faults += 'dynamodb'" in out
    assert "after-hours-msp-emergency" in out and "holiday-email" in out
    assert "Engine.queue_limits restored" in out
    assert out.rstrip().endswith("Nothing was run (--dry-run).")


def test_dry_run_json_is_the_plan() -> None:
    result = run("--dry-run", "--output", "json", "--fault", "no-agents", "--scenario", "2", "--hold", "30")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["dry_run"] is True and plan["calls"] == 2 and plan["hold_seconds"] == 30
    assert [f["name"] for f in plan["faults"]] == ["none", "no-agents"]
    assert plan["faults"][1]["faults"] == {"agents_offline": True}
    assert plan["scenarios"][0]["key"] == "msp-technical-question"


# ---- drills on the in-process local stack ------------------------------------------------------------------


def test_short_drill_passes_removes_its_faults_and_writes_the_report(tmp_path: Path) -> None:
    report_file = tmp_path / "out" / "drill.md"
    result = run(
        "--fault", "lambda-error:customer_lookup",
        "--fault", "no-agents+queue-full:msp_general",
        "--scenario", "msp-technical-question",
        "--scenario", "holiday-email",
        "--hold", "30",
        "--output", "json",
        "--report", str(report_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "PASS" and data["calls_run"] == data["calls_planned"] == 6
    assert data["rollback"]["done"] is True
    assert any("agents' statuses restored and checked" in s for s in data["rollback"]["steps"])
    calls = {(c["fault"], c["scenario"]): c for c in data["calls"]}
    lookup = calls[("lambda-error:customer_lookup", "msp-technical-question")]
    assert lookup["outcome"] == "queue" and lookup["ended"] == "General Customer"
    assert lookup["exercised"] is True and lookup["baseline"] == "queue (MSP General)"
    full = calls[("no-agents+queue-full:msp_general", "msp-technical-question")]
    assert full["outcome"] == "explained" and full["ended"].startswith(
        "죄송합니다. 지금은 연결이 어렵습니다."
    )
    text = report_file.read_text(encoding="utf-8")
    assert "- Verdict: **PASS**" in text and "- Rollback: done, every fault removed" in text
    assert (
        "| lambda-error:customer_lookup | msp-technical-question | queue (MSP General) | queue (General Customer) |"
        in text
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "meteor"], "'meteor' is not a fault; one of lambda-error:HANDLER|all"),
        (["--fault", "lambda-error:lookup"], "handlers: agent_assignment, business_hours"),
        (["--scenario", "lunch"], "'lunch' is not a scenario; one of: 1 msp-outage-speech-auth"),
        (["--report", "drill.txt"], "drill.txt: name it FILE.md (markdown) or FILE.json"),
        (["--region", "us-east-1"], "--region needs an AWS target"),
        (
            ["--instance-id", "i-1", "--region", "ap-northeast-2"],
            "on AWS use `aicc-ops failover throttle`",
        ),
        (["shift", "--to-region", "x"], "a traffic shift needs an instance: --env ENV"),
        (["throttle", "--fault", "lambda-throttle:all"], "throttling changes deployed functions: give --env"),
        (["throttle", "--instance-id", "i-1"], "Missing option '--fault'"),
        (["shift", "--instance-id", "i-1"], "Missing option '--to-region'"),
    ],
)
def test_bad_input_says_what_to_fix(args: list[str], message: str) -> None:
    command = args.pop(0) if args[0] in ("drill", "throttle", "shift") else "drill"
    result = run(*args, "--dry-run", command=command)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_report_that_could_not_be_written_is_refused_before_the_drill(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    report = tmp_path / "notes.txt" / "drill.md"
    result = run("--fault", "no-agents", "--scenario", "1", "--report", str(report))
    assert result.exit_code == 2
    assert (
        f"Invalid value for --report: {report}: {tmp_path / 'notes.txt'} is not a directory" in result.output
    )
    assert "Drill on the" not in result.output  # nothing ran
    assert run("--dry-run", "--report", str(tmp_path / "new" / "drill.md")).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # the check leaves nothing behind


# ---- --local: the server's call API ------------------------------------------------------------------------


class _CannedApi(BaseHTTPRequestHandler):
    """A call API (the server's answers, canned) whose flows hang up in silence while a fault is on."""

    faults: dict[str, Any]

    def _reply(self, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:
        self.faults.update(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self._reply({})

    def do_DELETE(self) -> None:
        self.faults.clear()
        self._reply({})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        talk = [
            {"kind": "prompt", "text": "안녕하세요", "at": "", "flow": "A"},
            {"kind": "input", "text": "1", "at": "", "flow": "A"},
        ]
        if self.faults:
            call = {"flows": ["A"], "disconnected": True, "transcript": talk, "dropped_silently": True}
            self._reply({"contact_id": "c-1", "state": "ended", "call": call})
        else:
            call = {
                "flows": ["A"],
                "in_queue": True,
                "queue": "MSP General",
                "queue_transfers": ["MSP General"],
            }
            self._reply({"contact_id": "c-2", "state": "ended", "call": call})

    def log_message(self, *args: Any) -> None:
        pass


def test_a_dropped_caller_fails_the_drill_with_exit_1(tmp_path: Path) -> None:
    handler = type("Api", (_CannedApi,), {"faults": {}})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    info = {
        "pid": os.getpid(), "started_at": "", "region": "ap-northeast-2", "account": "000000000000",
        "instance_id": "aicc-local", "aws_endpoint": "http://127.0.0.1:9", "connect_endpoint": "http://127.0.0.1:9",
        "calls_endpoint": f"http://127.0.0.1:{httpd.server_address[1]}", "connect_rate": 0, "connect_burst": 5,
        "tables": {"agents": "aicc-local-agents"},
    }  # fmt: skip
    ServerInfo(**info).write(tmp_path)
    try:
        result = run(
            "--local", "--state-dir", str(tmp_path), "--fault", "lambda-timeout:call_log", "--scenario", "1"
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 1
    assert "Error: drill FAIL (1 caller(s) dropped)" in result.output
    assert "DROPPED: lambda-timeout:call_log / msp-outage-speech-auth" in result.output
    assert "Rollback: done, every fault removed (DELETE http://127.0.0.1:" in result.output
    assert handler.faults == {}
    assert "Traceback" not in result.output


def test_local_drill_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    result = run("--local", "--state-dir", str(tmp_path), "--fault", "no-agents")
    assert result.exit_code == 1
    assert "no local stack runs from" in result.output and "aicc-ops local up" in result.output


# ---- AWS: Lambda throttling (stubbed) -------------------------------------------------------------------------

FUNCTIONS = {"customer_lookup": "aicc-stg-customer-lookup", "call_log": "aicc-stg-call-log"}


@pytest.fixture
def aws_lambda(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client(
        "lambda", region_name="ap-northeast-2", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    monkeypatch.setattr(
        OpsContext, "outputs", property(lambda self: {"function_names": {"value": FUNCTIONS}})
    )
    monkeypatch.setattr(OpsContext, "client", lambda self, service: client)
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


AWS = ("--instance-id", "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d", "--region", "ap-northeast-2")


def test_aws_throttle_dry_run_reads_and_changes_nothing(aws_lambda: Stubber) -> None:
    aws_lambda.add_response(
        "get_function_concurrency",
        {"ReservedConcurrentExecutions": 5},
        {"FunctionName": FUNCTIONS["customer_lookup"]},
    )
    result = throttle(*AWS, "--fault", "lambda-throttle:customer_lookup", "--scenario", "1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "aicc-stg-customer-lookup" in result.output and "ReservedConcurrentExecutions=5" in result.output
    assert "place these calls by phone" in result.output and "say '솔트웨어'" in result.output
    assert "Nothing was changed (--dry-run)." in result.output


def test_aws_throttle_window_injects_and_restores(aws_lambda: Stubber, tmp_path: Path) -> None:
    name = FUNCTIONS["call_log"]
    aws_lambda.add_response("get_function_concurrency", {}, {"FunctionName": name})
    aws_lambda.add_response(
        "put_function_concurrency",
        {"ReservedConcurrentExecutions": 0},
        {"FunctionName": name, "ReservedConcurrentExecutions": 0},
    )
    aws_lambda.add_response("delete_function_concurrency", {}, {"FunctionName": name})
    aws_lambda.add_response("get_function_concurrency", {}, {"FunctionName": name})
    report_file = tmp_path / "aws.json"
    result = throttle(
        *AWS, "--fault", "lambda-throttle:call_log", "--window", "0", "--yes",
        "--output", "json", "--report", str(report_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "INJECTED AND RESTORED"
    assert data["functions"] == [
        {
            "handler": "call_log",
            "function": name,
            "previous": None,
            "injected": True,
            "restored": True,
            "error": "",
        }
    ]
    assert json.loads(report_file.read_text())["rollback"]["done"] is True


def test_aws_refuses_faults_it_cannot_inject(aws_lambda: Stubber) -> None:
    result = throttle(*AWS, "--fault", "no-agents", "--dry-run")
    assert result.exit_code == 2
    assert "'no-agents' cannot be injected on AWS: only lambda-throttle" in result.output


def test_aws_throttle_without_confirmation_changes_nothing(aws_lambda: Stubber) -> None:
    aws_lambda.add_response("get_function_concurrency", {}, {"FunctionName": FUNCTIONS["call_log"]})
    result = throttle(*AWS, "--fault", "lambda-throttle:call_log", "--window", "0", input="n\n")
    assert result.exit_code == 1
    assert "not confirmed; nothing was changed" in result.output


# ---- AWS: Global Resiliency traffic shift (stubbed) -----------------------------------------------------------

SOURCE, REPLICA = "ap-northeast-1", "ap-northeast-3"
TDG_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
ARN = f"arn:aws:connect:{SOURCE}:111122223333:traffic-distribution-group/{TDG_ID}"


def _split(source: int) -> dict[str, Any]:
    pct = [{"Region": SOURCE, "Percentage": source}, {"Region": REPLICA, "Percentage": 100 - source}]
    return {"TelephonyConfig": {"Distributions": pct}}


@pytest.fixture
def gr(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    clients = {
        r: boto3.client(
            "connect", region_name=r, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        for r in (SOURCE, REPLICA)
    }
    monkeypatch.setattr(OpsContext, "client", lambda self, service: clients[SOURCE])
    monkeypatch.setattr(cli_failover, "_connect_clients", lambda ops: clients.__getitem__)
    stubs = {r: Stubber(c) for r, c in clients.items()}
    for s in stubs.values():
        s.activate()
    stubs[SOURCE].add_response(
        "list_traffic_distribution_groups",
        {
            "TrafficDistributionGroupSummaryList": [
                {"Id": TDG_ID, "Arn": ARN, "Name": "aicc-gr", "Status": "ACTIVE", "IsDefault": False}
            ]
        },
        {"InstanceId": AWS[1], "MaxResults": 10},
    )
    stubs[SOURCE].add_response("get_traffic_distribution", {**_split(100), "Arn": ARN}, {"Id": ARN})
    yield stubs
    for s in stubs.values():
        s.assert_no_pending_responses()
        s.deactivate()


def _applied(stub: Stubber, source: int) -> None:
    stub.add_response("update_traffic_distribution", {}, {"Id": ARN, **_split(source)})
    stub.add_response("get_traffic_distribution", {**_split(source), "Arn": ARN}, {"Id": ARN})
    stub.add_response(
        "describe_traffic_distribution_group",
        {"TrafficDistributionGroup": {"Id": TDG_ID, "Arn": ARN, "Name": "aicc-gr", "Status": "ACTIVE"}},
        {"TrafficDistributionGroupId": ARN},
    )


def test_traffic_shift_dry_run_prints_the_steps_and_the_rollback(gr: dict[str, Stubber]) -> None:
    result = shift(*AWS[:2], "--region", SOURCE, "--to-region", REPLICA, "--steps", "2", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Traffic shift on aicc-gr ({ARN}), default group: False" in out
    assert "telephony ap-northeast-1 50% / ap-northeast-3 50%" in out
    assert "telephony ap-northeast-1 0% / ap-northeast-3 100%" in out
    assert "rollback  telephony ap-northeast-1 100% / ap-northeast-3 0%" in out
    assert "only telephony moves" in out and "Nothing was changed (--dry-run)." in out


def test_traffic_shift_runs_verifies_and_rolls_back(gr: dict[str, Stubber], tmp_path: Path) -> None:
    _applied(gr[REPLICA], 0)
    _applied(gr[SOURCE], 100)  # the rollback
    report_file = tmp_path / "shift.md"
    result = shift(
        *AWS[:2], "--region", SOURCE, "--to-region", REPLICA, "--steps", "1",
        "--dwell", "0", "--poll", "0", "--yes", "--report", str(report_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Verdict: PASS" in result.output
    assert (
        "Rollback: done, the original distribution is back (restored telephony ap-northeast-1 100%"
        in result.output
    )
    text = report_file.read_text(encoding="utf-8")
    assert (
        "- Verdict: **PASS**" in text and "- Rollback: rolled back to telephony ap-northeast-1 100%" in text
    )


def test_traffic_shift_to_a_region_outside_the_group_is_refused(gr: dict[str, Stubber]) -> None:
    result = shift(*AWS[:2], "--region", SOURCE, "--to-region", "us-west-2", "--dry-run")
    assert result.exit_code == 2
    assert "--to-region us-west-2: the group aicc-gr spans ap-northeast-1, ap-northeast-3" in result.output


# ---- the whole catalogue ------------------------------------------------------------------------------------


@pytest.mark.scenario
@pytest.mark.slow
def test_the_whole_catalogue_drops_no_caller() -> None:
    """Every fault of the catalogue and the worst day, with every scenario (about a minute and a half)."""
    result = run("--output", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "PASS", [c for c in data["calls"] if c["dropped"]]
    faults, scenarios = planned()
    assert data["calls_run"] == data["calls_planned"] == faults * scenarios
    assert data["rollback"]["done"] is True
    # The demo mix never queues a caller in After Hours, and no engineer answers a page call
    # (page_ack runs in the Emergency Page flow only): those faults are proven by nothing.
    assert data["never_exercised"] == [
        "lambda-error:page_ack",
        "lambda-timeout:page_ack",
        "queue-full:after_hours",
    ]


# ---- against the local stack server (`serve()`, over HTTP) ----------------------------------------------------
# Last in the module: the server's Lambdas share this process's boto3 clients with any in-process
# stack, so no in-process drill may run while it is up.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    state_dir = tmp_path_factory.mktemp("failover-server")
    with serve(state_dir, talk_seconds=1, acw_seconds=0.2) as info:
        yield info


def cli_json(result: Result) -> Any:
    """The command's JSON. The server runs in this process, and its Lambdas print their metric lines
    (one JSON line each, as in AWS) to whatever sys.stdout is, here the CLI runner's."""
    return json.loads(
        "\n".join(line for line in result.stdout.splitlines() if not line.startswith('{"_aws"'))
    )


def calls_api(info: ServerInfo, method: str, path: str) -> Any:
    return CallClient(info.calls_endpoint, timeout=10).request(method, path)


def test_local_drill_runs_through_the_servers_call_api(server: ServerInfo) -> None:
    result = run(
        "--local", "--state-dir", server.state_dir,
        "--fault", "no-agents", "--fault", "lambda-error:customer_lookup",
        "--scenario", "general-urgent-callback", "--scenario", "msp-technical-question",
        "--hold", "30", "--output", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = cli_json(result)
    assert data["verdict"] == "PASS" and data["target"] == f"local stack server ({server.calls_endpoint})"
    calls = {(c["fault"], c["scenario"]): c for c in data["calls"]}
    # The server seeds its own agents (ga.oh answers there): the call may be queued or called back.
    assert calls[("none", "general-urgent-callback")]["outcome"] in ("queue", "callback")
    assert calls[("none", "msp-technical-question")]["ended"] == "MSP General"
    lookup = calls[("lambda-error:customer_lookup", "msp-technical-question")]
    assert (lookup["ended"], lookup["exercised"]) == ("General Customer", True)
    assert data["rollback"]["steps"] == [f"DELETE {server.calls_endpoint}/faults"]
    # Afterwards: no fault, every agent back, no drill caller left in a queue.
    assert calls_api(server, "GET", "/faults") == {}
    states = {a["login"]: a["state"] for a in calls_api(server, "GET", "/agents")}
    assert states["ts.park"] != "OFFLINE" and states["ga.han"] != "OFFLINE"
    assert {c["state"] for c in calls_api(server, "GET", "/calls")} == {"ended"}


def test_local_traffic_shift_on_the_emulators_group_and_back(server: ServerInfo, tmp_path: Path) -> None:
    report_file = tmp_path / "shift.json"
    result = shift(
        "--local", "--state-dir", server.state_dir, "--to-region", "ap-northeast-1",
        "--replica-instance-id", server.instance_id, "--dwell", "0", "--poll", "0", "--yes",
        "--report", str(report_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Verdict: PASS" in result.output
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert [s["distribution"]["telephony"] for s in data["steps"]] == [
        {"ap-northeast-1": 50, "ap-northeast-2": 50},
        {"ap-northeast-1": 100, "ap-northeast-2": 0},
    ]
    assert all(s["health"] and not any(h["problem"] for h in s["health"]) for s in data["steps"])
    assert data["rolled_back"] is True
    connect = server.client("connect")
    now = connect.get_traffic_distribution(Id=data["group"]["arn"])
    assert {d["Region"]: d["Percentage"] for d in now["TelephonyConfig"]["Distributions"]} == {
        "ap-northeast-2": 100,
        "ap-northeast-1": 0,
    }
    assert all(d["Enabled"] for d in now["SignInConfig"]["Distributions"])
