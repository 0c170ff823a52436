"""What `aicc-ops loadtest run` refuses before anything starts, and how it says so: the AWS approval
for a load on a real Connect instance, a scenario a target cannot take, the repository's
locustfiles, Locust itself, the SLO file, and the options. No Locust runs here."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from aicc_ops.admin.loadtest import run as runner
from aicc_ops.admin.loadtest.errors import ApprovalRequiredError, LoadTestError
from aicc_ops.admin.loadtest.run import (
    CONNECT_LOAD_TEST_POLICY,
    RunRequest,
    check,
    cpu_times,
    loads_connect,
    run_loadtest,
    steal_note,
    steal_share,
)
from aicc_ops.cli import cli
from aicc_ops.cli.loadtest import Duration
from aicc_ops.core.repository import OutsideRepositoryError

BASE = ["loadtest", "run", "--users", "1", "--duration", "1"]


def cli_run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*BASE, *args])


def request(**changes: object) -> RunRequest:
    values: dict[str, object] = {"scenario": "lambdas", "users": 1, "spawn_rate": 1.0, "duration_s": 1}
    return RunRequest(**{**values, **changes})  # type: ignore[arg-type]


def test_paging_handlers_on_an_environment_need_the_approval_and_say_why() -> None:
    paging = request(target="staging", include_paging=True)
    assert loads_connect(paging)
    with pytest.raises(ApprovalRequiredError) as refused:
        check(paging)
    message = str(refused.value)
    assert CONNECT_LOAD_TEST_POLICY in message and "--i-have-aws-approval" in message
    assert "two weeks" in message and "18:00-06:00" in message
    assert check(request(target="staging", include_paging=True, aws_approval=True)).name == "lambdas.py"


def test_the_cli_refuses_without_the_approval_before_any_work() -> None:
    result = cli_run("--scenario", "lambdas", "--target", "staging", "--include-paging")
    assert result.exit_code == 1, result.output
    assert "AWS requires an approved load test request" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_what_does_not_load_connect_needs_no_approval() -> None:
    assert not loads_connect(request(target="staging"))  # the paging handlers are left out
    assert not loads_connect(request(target="local", include_paging=True))
    assert not loads_connect(request(scenario="calls"))
    assert check(request(target="staging")).name == "lambdas.py"


def test_calls_need_the_local_stack() -> None:
    with pytest.raises(LoadTestError, match=r"staging has none.*--scenario lambdas"):
        check(request(scenario="calls", target="staging", aws_approval=True))


def test_outside_the_repository_it_says_the_locustfiles_are_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(runner, "LOADTEST_DIR", tmp_path / "loadtest")
    with pytest.raises(OutsideRepositoryError, match="clone of the repository"):
        run_loadtest(request(scenario="calls"))
    result = cli_run("--scenario", "calls")
    assert result.exit_code == 1 and "the load tests need the aicc-ops repository" in result.stderr


def test_without_locust_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LoadTestError, match="Locust is not installed"):
        check(request(scenario="calls"))


def test_a_bad_slo_file_is_named_with_its_field(tmp_path: Path) -> None:
    bad = tmp_path / "slo.yaml"
    bad.write_text(
        "slo: {max_failure_ratio: 0, max_step_p95_ms: soon, max_step_p99_ms: 1, min_calls_completed: 1}\n",
        encoding="utf-8",
    )
    result = cli_run("--scenario", "calls", "--slo", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: slo.max_step_p95_ms: milliseconds" in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--scenario", "calls", "--think", "3-1"], "0 <= MIN <= MAX"),
        (["--scenario", "calls", "--think", "soon"], "MIN-MAX"),
        (["--scenario", "calls", "--mix", "general"], "NAME=WEIGHT"),
        (["--scenario", "calls", "--profile", "ops"], "--profile is for an environment target"),
        (["--scenario", "tasks"], "'tasks' is not one of"),
        (["--scenario", "calls", "--shape", "spike"], "'spike' is not one of"),
    ],
)
def test_bad_options_are_usage_errors(args: list[str], said: str) -> None:
    result = cli_run(*args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("2m5s", 125)]
)
def test_durations_read_like_locusts(text: str, seconds: int) -> None:
    assert Duration().convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["", "0", "5x", "m", "1.5m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(click.BadParameter, match=r"duration|at least 1 s"):
        Duration().convert(text, None, None)


def test_the_cpu_time_the_hypervisor_took_is_read_from_the_machines_counters(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  1000 10 200 5000 20 0 30 100 0 0\ncpu0 500 5 100 2500 10 0 15 50 0 0\n")
    before = cpu_times(stat)
    assert before == [1000, 10, 200, 5000, 20, 0, 30, 100]
    stat.write_text("cpu  1400 10 300 5300 20 0 30 300 0 0\n")
    assert steal_share(before, cpu_times(stat)) == 200 / 1000  # 400 user, 100 system, 300 idle, 200 steal
    assert cpu_times(tmp_path / "none") is None  # no /proc/stat (macOS): no figure, no note
    stat.write_text("intr 1 2 3\n")
    assert cpu_times(stat) is None and steal_share(None, before) is None
    assert steal_share(before, before) is None  # no time passed


def test_a_run_that_lost_cpu_to_other_guests_says_its_latencies_are_the_hosts() -> None:
    assert steal_note(None) is None and steal_note(0.001) is None  # the quiet runs' share
    said = steal_note(0.003)  # a run of 0.3 % stolen failed its p95 (110 ms) where quiet ones passed
    assert said is not None and "0.3%" in said and "steal" in said and "quiet" in said


def test_the_plan_is_made_while_the_runs_own_stack_starts_with_the_environment_taken_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's offline stack sets the tables' names in os.environ: the server's environment is
    taken first, then the plan made, then the server awaited; a failed plan stops the server."""
    from aicc_ops.admin.loadtest import target

    order: list[str] = []
    plans_setting_in_server_env: list[bool] = []

    def spawn(state_dir: Path, options: object, env: dict[str, str]) -> tuple[str, int]:
        order.append("spawn")
        plans_setting_in_server_env.append("PLAN_SET_THIS" in env)
        return "process", 0

    def plan() -> str:
        monkeypatch.setenv("PLAN_SET_THIS", "1")
        order.append("plan")
        return "the plan"

    monkeypatch.setattr(target, "spawn", spawn)
    monkeypatch.setattr(target, "wait_until_up", lambda *_: order.append("up") or "info")
    monkeypatch.setattr(target, "stop_process_group", lambda process: order.append(f"stop {process}"))
    with target.own_local_stack(tmp_path, plan) as found:
        assert found == ("info", "the plan")
    assert order == ["spawn", "plan", "up", "stop process"]
    assert plans_setting_in_server_env == [False]

    order.clear()
    with pytest.raises(LoadTestError, match="no demo call"), target.own_local_stack(tmp_path, _failing_plan):
        pass
    assert order == ["spawn", "stop process"]  # never awaited, stopped


def _failing_plan() -> str:
    raise LoadTestError("no demo call goes through the flows of x")
