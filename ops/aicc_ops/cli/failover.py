"""`aicc-ops failover`: game days that prove the fallback paths, each with a report.

- `drill`: faults injected, scenario calls placed through the flows; on an in-process local stack
  (no target) or the running local stack server (--local). admin/drill.py.
- `throttle`: on AWS, deployed functions throttled for a window in which testers call by phone.
  admin/throttle.py.
- `shift`: a Global Resiliency traffic distribution group shifted step by step and rolled back
  (AWS, or the local emulator's group with --local). admin/traffic_shift.py.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ..admin import drill as dr
from ..admin import failover as fo
from ..admin import throttle as th
from ..admin import traffic_shift as ts
from ..admin.context import OpsContext
from ..engine.flows import call_handlers
from ._errors import user_errors
from ._options import dry_run_option, emit, output_option, target_options
from ._progress import progress

REPORT_SUFFIXES = (".md", ".json")


def _report_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is None:
        return None
    if value.suffix.lower() not in REPORT_SUFFIXES:
        raise click.BadParameter(f"{value}: name it FILE.md (markdown) or FILE.json", param_hint="--report")
    problem = _unwritable(value)
    if problem:  # found now, not after a drill that changed the environment for half an hour
        raise click.BadParameter(f"{value}: {problem}", param_hint="--report")
    return value


def _unwritable(path: Path) -> str:
    """Why the report could not be written ("" when it can), leaving nothing behind: the nearest
    existing folder must take a file (root's permission bits say nothing of /proc)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a directory"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"cannot write in {folder} ({exc.strerror or exc})"
    return ""


def write_report(path: Path | None, report: Any) -> None:
    if path is None:
        return
    if path.suffix.lower() == ".json":
        text = json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"
    else:
        text = report.to_markdown()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write the report to {path}: {exc.strerror}") from None
    click.echo(f"Report written to {path}", err=True)


def _conclude(report_path: Path | None, report: Any, failure: str) -> None:
    """Write the report; then, when the drill did not pass, fail the command (exit 1) with `failure`."""
    write_report(report_path, report)
    if not report.passed:
        raise click.ClickException(failure)


def _undone(report: th.ThrottleReport | ts.ShiftReport) -> str:
    return "; ".join(filter(None, [report.aborted, *report.rollback.problems]))


@click.group()
def failover() -> None:
    """Failover drills: inject faults, place scenario calls, prove no caller is dropped."""


def _on_aws(ops: OpsContext) -> bool:
    target = ops.target
    return bool(target.env or target.profile or target.instance_id) and not target.local


@contextmanager
def _drill_errors() -> Iterator[None]:
    """A fault, scenario or option the exercise cannot use is a usage error (exit 2)."""
    try:
        yield
    except fo.DrillError as exc:
        raise click.UsageError(str(exc)) from None


FAULT_HELP = (
    "lambda-error|lambda-timeout|lambda-throttle|lambda-bad-response:HANDLER|all, dynamodb-throttle, "
    "lex-down, no-agents, queue-full:QUEUE, worst-day"
)
SCENARIO_OPTION = click.option(
    "--scenario",
    "scenario_names",
    multiple=True,
    metavar="KEY|N",
    help="A scenario call by key or number (repeatable; see --dry-run). Default: the demo mix.",
)
REPORT_OPTION = click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_report_path,
    help="Also write the report to FILE.md or FILE.json.",
)
YES_OPTION = click.option("--yes", is_flag=True, help="Change the AWS environment without asking.")


@failover.command("drill")
@target_options
@output_option
@dry_run_option
@click.option(
    "--fault",
    "fault_names",
    multiple=True,
    metavar="FAULT",
    help=f"A fault set to drill (repeatable; a+b = both at once): {FAULT_HELP}. "
    "Default: the whole catalogue, one at a time, then worst-day.",
)
@SCENARIO_OPTION
@click.option(
    "--hold",
    "hold_seconds",
    type=click.IntRange(0, 3600),
    default=120,
    show_default=True,
    help="Simulated seconds a queued caller waits before the call is judged.",
)
@REPORT_OPTION
def drill(
    ops: OpsContext,
    output: str,
    dry_run: bool,
    fault_names: tuple[str, ...],
    scenario_names: tuple[str, ...],
    hold_seconds: int,
    report_path: Path | None,
) -> None:
    """Run a failover drill (game day) on the local stack and report whether every caller was served.

    \b
    Each fault set is injected in turn; every scenario call runs through the flows with it; a call
    passes when the caller reached a queue, got a callback, or heard an explanation before the end.
    Faults are always removed afterwards. Exit 1 when a caller was dropped or rollback failed.
    Without a target the drill runs on a local stack in this process; --local uses the running
    local stack server. On AWS, see `failover throttle` and `failover shift`.

    \b
    Examples:
      aicc-ops failover drill --dry-run
      aicc-ops failover drill --fault dynamodb-throttle --fault worst-day --report drill.md
      aicc-ops failover drill --local --fault lambda-error:all
    """
    if _on_aws(ops):
        raise click.UsageError(
            "a drill places calls through the flows, which only the local stack can: on AWS use "
            "`aicc-ops failover throttle` (Lambda throttling, calls by phone) or `aicc-ops failover shift`"
        )
    if ops.target.region:
        raise click.UsageError("--region needs an AWS target (--env, --instance-id or --profile)")
    with _drill_errors():
        _call_drill(ops, output, dry_run, report_path, fault_names, scenario_names, hold_seconds)


@failover.command("throttle")
@target_options
@output_option
@dry_run_option
@click.option(
    "--fault",
    "fault_names",
    multiple=True,
    required=True,
    metavar="lambda-throttle:HANDLER|all",
    help="The functions to throttle (repeatable): reserved concurrency 0 for the window.",
)
@SCENARIO_OPTION
@click.option(
    "--window",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long the fault stays on (default: until you press Enter).",
)
@REPORT_OPTION
@YES_OPTION
def throttle(
    ops: OpsContext,
    output: str,
    dry_run: bool,
    fault_names: tuple[str, ...],
    scenario_names: tuple[str, ...],
    window: float | None,
    report_path: Path | None,
    yes: bool,
) -> None:
    """Throttle deployed Lambda functions on AWS for a window in which testers call by phone.

    \b
    Each function's reserved concurrency is read, set to 0 (every invocation is throttled) for the
    window, then restored and checked, whatever happens. The report lists the phone script for the
    scenarios and what was restored. Exit 1 when a restore failed.

    \b
    Examples:
      aicc-ops failover throttle --env dev --fault lambda-throttle:customer_lookup --dry-run
      aicc-ops failover throttle --env dev --fault lambda-throttle:customer_lookup --window 900
    """
    if not _on_aws(ops):
        raise click.UsageError(
            "throttling changes deployed functions: give --env ENV (or --instance-id/--profile); "
            "on the local stack use `aicc-ops failover drill --fault lambda-throttle:HANDLER`"
        )
    with _drill_errors():
        _aws_throttle(ops, output, dry_run, report_path, fault_names, scenario_names, window, yes)


@failover.command("shift")
@target_options
@output_option
@dry_run_option
@click.option("--to-region", required=True, metavar="REGION", help="The Region traffic and agents move to.")
@click.option(
    "--steps",
    default="2",
    show_default=True,
    help="The target Region's share after each step: a count of even steps (2 = 50%, 100%) "
    "or shares (50% or 30,60,100).",
)
@click.option(
    "--group",
    "group_ref",
    metavar="ID|ARN|NAME",
    help="Traffic distribution group (default: the default one).",
)
@click.option(
    "--replica-instance-id",
    metavar="ID",
    help="The instance in --to-region whose queues are checked after each step (GetCurrentMetricData).",
)
@click.option(
    "--apply-timeout",
    type=click.FloatRange(min=1),
    default=300,
    show_default=True,
    help="Seconds a step may take to show in GetTrafficDistribution.",
)
@click.option(
    "--poll", type=click.FloatRange(min=0), default=10, show_default=True, help="Seconds between checks."
)
@click.option(
    "--dwell",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    help="Seconds to stay at each applied step before checking queue health.",
)
@click.option("--keep", is_flag=True, help="Leave the final distribution in place when every step passed.")
@REPORT_OPTION
@YES_OPTION
def shift(
    ops: OpsContext,
    output: str,
    dry_run: bool,
    to_region: str,
    steps: str,
    group_ref: str | None,
    replica_instance_id: str | None,
    apply_timeout: float,
    poll: float,
    dwell: float,
    keep: bool,
    report_path: Path | None,
    yes: bool,
) -> None:
    """Shift a Connect Global Resiliency traffic distribution group to another Region, step by step.

    \b
    Each step waits until GetTrafficDistribution shows it, stays --dwell seconds, and checks the
    replica's queues; a failure or Ctrl-C rolls back at once, and the original distribution is
    restored at the end unless --keep. Exit 1 when a step or the rollback failed.

    \b
    Examples:
      aicc-ops failover shift --env dev --to-region ap-northeast-3 --dry-run
      aicc-ops failover shift --local --to-region ap-northeast-1 --steps 50%
    """
    if not (_on_aws(ops) or ops.target.local):
        raise click.UsageError("a traffic shift needs an instance: --env ENV, --instance-id ID, or --local")
    with _drill_errors():
        _traffic_shift(
            ops,
            output,
            dry_run,
            report_path,
            to_region,
            steps,
            group_ref,
            replica_instance_id,
            apply_timeout,
            poll,
            dwell,
            keep,
            yes,
        )


# ---- scenario calls (in-process local stack, or the local server) -----------------------------------------


def _call_drill(
    ops: OpsContext,
    output: str,
    dry_run: bool,
    report_path: Path | None,
    fault_names: tuple[str, ...],
    scenario_names: tuple[str, ...],
    hold_seconds: int,
) -> None:
    handlers, queues = call_handlers(ops.config), list(ops.config.queues)
    faults = [dr.parse_fault(f, handlers, queues) for f in fault_names] or dr.catalogue(handlers, queues)
    scenarios = dr.select_scenarios(scenario_names, dr.default_scenarios())
    runner: dr.Runner
    stack: AbstractContextManager[None]  # what the calls run on while the drill runs
    if ops.target.local:
        server = ops.server
        assert server is not None  # OpsContext.server raises when no server runs
        runner, stack = dr.HttpRunner(server.calls_endpoint), nullcontext()
    else:
        runner = in_process = dr.InProcessRunner()
        stack = _local_stack(in_process, hold_seconds)
    plan = dr.build_plan(runner, faults, scenarios, hold_seconds)
    if dry_run:
        _show_plan(plan, output)
        return
    queue_names = {k: q.name for k, q in ops.config.queues.items()}
    with stack:
        report = _run_with_progress(plan, runner, queue_names)
    _show_report(report, output)
    _conclude(report_path, report, f"drill {report.verdict()}")


@contextmanager
def _local_stack(runner: dr.InProcessRunner, hold_seconds: int) -> Iterator[None]:
    """A local stack in this process for the drill, bound to the runner."""
    from ..local.stack import local_stack

    with user_errors(), warnings.catch_warnings(), local_stack(hold_seconds=hold_seconds) as stack:
        # Powertools warns when a failing handler published no metric: expected in a drill.
        warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
        runner.bind(stack)
        yield


def _run_with_progress(plan: dr.DrillPlan, runner: dr.Runner, queue_names: dict[str, str]) -> dr.DrillReport:
    click.echo(f"Drill on the {plan.target}: {plan.calls} calls ({len(plan.faults)} fault sets)", err=True)
    with progress(plan.calls, "calls") as tick:

        def step(run: dr.CallRun) -> None:
            tick(1)
            if run.dropped:
                click.echo(f"\nDROPPED: {run.fault} / {run.scenario}: {run.detail}", err=True)

        return dr.run_drill(plan, runner, queue_names, step)


def _show_plan(plan: dr.DrillPlan, output: str) -> None:
    if output == "json":
        emit(output, {"dry_run": True, **plan.to_json()})
        return
    click.echo(f"Failover drill plan (dry run): {plan.target}")
    click.echo(
        f"{len(plan.faults)} fault sets x {len(plan.scenarios)} scenarios = {plan.calls} calls, "
        f"hold {plan.hold_seconds} s\n"
    )
    rows = [[f.name, f.summary, "\n".join(plan.injection.get(f.name, []))] for f in plan.faults]
    click.echo(
        tabulate(
            rows,
            headers=["fault", "what breaks", "injected where"],
            tablefmt="simple",
            maxcolwidths=[None, 44, 60],
        )
    )
    click.echo()
    listing = [[i, s.key, s.at, s.caller, " ".join(s.inputs)] for i, s in enumerate(plan.scenarios, 1)]
    click.echo(tabulate(listing, headers=["#", "scenario", "at", "caller", "inputs"], tablefmt="simple"))
    click.echo("\nAfter each fault set, and once more at the end (also on failure or Ctrl-C):")
    for line in plan.rollback:
        click.echo(f"  - {line}")
    click.echo("\nNothing was run (--dry-run).")


def _show_report(report: dr.DrillReport, output: str) -> None:
    if output == "json":
        emit(output, report.to_json())
        return
    click.echo(tabulate(report.fault_rows(), headers=dr.FAULT_COLUMNS, tablefmt="simple"))
    if report.dropped:
        click.echo("\nDropped callers:")
        click.echo(tabulate(report.dropped_rows(), headers=dr.DROPPED_COLUMNS, tablefmt="simple"))
    missed = report.never_exercised()
    if missed:
        click.echo(f"\nNo scenario met: {', '.join(missed)} (the drill proves nothing about them)")
    totals = ", ".join(f"{k} {v}" for k, v in report.totals().items())
    click.echo(
        f"\nCalls: {len(report.runs)} of {report.plan.calls} ({totals}); "
        f"{len(report.changed)} ended elsewhere than without their fault (see the report)"
    )
    click.echo("Rollback: " + report.rollback.line())
    if report.aborted:
        click.echo(f"Stopped early: {report.aborted}")
    click.echo(f"Verdict: {report.verdict()}")


# ---- AWS: Lambda throttling window ------------------------------------------------------------------------


def _function_names(ops: OpsContext) -> dict[str, str]:
    names = ops.output("function_names")
    if not isinstance(names, dict) or not names:
        raise fo.DrillError(
            "Lambda throttling on AWS needs the deployed function names: give --env ENV "
            "(its Terraform output function_names)"
        )
    return {str(k): str(v) for k, v in names.items()}


def _aws_throttle(
    ops: OpsContext,
    output: str,
    dry_run: bool,
    report_path: Path | None,
    fault_names: tuple[str, ...],
    scenario_names: tuple[str, ...],
    window: float | None,
    yes: bool,
) -> None:
    if not fault_names:  # said before the deployed functions are looked for
        raise fo.DrillError(th.AWS_FAULTS_HINT)
    deployed = _function_names(ops)
    faults = [dr.parse_fault(f, sorted(deployed), list(ops.config.queues)) for f in fault_names]
    handlers = th.lambda_throttle_handlers(faults)
    scenarios = dr.select_scenarios(scenario_names, dr.default_scenarios())
    throttle = th.LambdaThrottle(ops.client("lambda"), deployed)
    changes = throttle.read(handlers)  # the reservations to restore, read before anything changes
    where = ops.target.describe()
    if output == "json" and dry_run:
        plan = {"dry_run": True, "target": where, "functions": [vars(c) for c in changes]}
        emit(output, {**plan, "phone_script": th.phone_script(scenarios)})
        return
    if output == "table":
        _show_throttle_plan(where, changes, scenarios)
    if dry_run:
        click.echo("\nNothing was changed (--dry-run).")
        return
    if window is None and not sys.stdin.isatty():
        raise click.UsageError("give --window SECONDS: there is no terminal to press Enter in")
    if not yes and not click.confirm(
        f"\nThrottle {len(changes)} function(s) on {where} now?",
        default=False,
        err=True,  # stdout: the report
    ):
        raise click.ClickException("not confirmed; nothing was changed")

    def wait() -> None:
        if window is None:
            prompt = "Fault is ON. Place the calls, then press Enter to restore"
            click.prompt(prompt, default="", show_default=False, err=True)
        else:
            click.echo(f"Fault is ON for {window:g} s (Ctrl-C restores at once)...", err=True)
            time.sleep(window)

    report = th.run_throttle_window(throttle, th.ThrottleReport(where, changes, scenarios), wait)
    done = [[c.handler, c.function, c.injected, c.restored, c.error] for c in report.changes]
    emit(output, report.to_json(), done, ["handler", "function", "injected", "restored", "error"])
    if output == "table":
        click.echo(f"Window (UTC): {report.window_start} to {report.window_end}")
        click.echo("Rollback: " + report.rollback.line(th.RESTORED_CONCURRENCY))
        click.echo("Check each call in the call logs and Connect's contact search for that window.")
    _conclude(report_path, report, _undone(report))


def _show_throttle_plan(
    where: str, changes: list[th.ConcurrencyChange], scenarios: list[dr.Scenario]
) -> None:
    click.echo(f"Lambda throttling drill on {where} (reserved concurrency 0: every invocation is throttled)")
    rows = [
        [c.handler, c.function, "none" if c.previous is None else c.previous, 0, c.restore_text()]
        for c in changes
    ]
    click.echo(
        tabulate(
            rows, headers=["handler", "function", "reserved now", "drill", "rollback"], tablefmt="simple"
        )
    )
    click.echo("\nDuring the window, place these calls by phone and note what you hear:")
    for line in th.phone_script(scenarios):
        click.echo(f"  {line}")


# ---- Global Resiliency traffic shift ----------------------------------------------------------------------


def _connect_clients(ops: OpsContext) -> Callable[[str], Any]:
    """Connect clients per Region: UpdateTrafficDistribution is called in the Region that takes the
    traffic, with the group's ARN (OpsContext.client: same session, each Region its own quota)."""
    return lambda region: ops.client("connect", region)


def _traffic_shift(
    ops: OpsContext,
    output: str,
    dry_run: bool,
    report_path: Path | None,
    to_region: str,
    steps_text: str,
    group_ref: str | None,
    replica_instance_id: str | None,
    apply_timeout: float,
    poll: float,
    dwell: float,
    keep: bool,
    yes: bool,
) -> None:
    client_for = _connect_clients(ops)
    source = ops.client("connect")
    group = ts.find_group(source, ops.instance_id, group_ref)
    original = ts.Distribution.from_api(source.get_traffic_distribution(Id=group.arn))
    shares = ts.parse_steps(steps_text, original.telephony.get(to_region, 0))
    targets = ts.shift_plan(original, to_region, shares, group)  # refuses a Region outside the group
    health = None
    if replica_instance_id:
        replica = replica_instance_id

        def health() -> list[ts.QueueHealth]:
            return ts.queue_health(client_for(to_region), replica, ops.config)

    echo = (lambda line: click.echo(line, err=True)) if output == "table" else (lambda line: None)
    shift = ts.TrafficShift(
        client_for,
        group,
        original,
        to_region,
        targets,
        health=health,
        timeout=apply_timeout,
        poll=poll,
        dwell=dwell,
        echo=echo,
    )
    if output == "json" and dry_run:
        plan = {"dry_run": True, "group": vars(group), "original": original.params()}
        plan |= {"steps": [t.params() for t in targets], "keep": keep}
        emit(
            output,
            {**plan, "rollback": shift.rollback_params(), "rollback_region": original.majority_region()},
        )
        return
    if output == "table":
        _show_shift_plan(shift, replica_instance_id, keep)
    if dry_run:
        click.echo("Nothing was changed (--dry-run).")
        return
    if not yes and not click.confirm(
        f"Shift live telephony traffic of {group.name} to {to_region} now?", default=False, err=True
    ):
        raise click.ClickException("not confirmed; nothing was changed")
    report = shift.run(keep=keep)
    rows = [
        [
            s.number,
            s.distribution.text(),
            "-" if s.applied_after is None else f"{s.applied_after:.0f}",
            ts.health_text(s.health),
            s.error,
        ]
        for s in report.steps
    ]
    emit(output, report.to_json(), rows, ["step", "distribution", "applied after s", "queues", "error"])
    if output == "table":
        if report.kept:
            click.echo(f"Kept: the distribution stays shifted (--keep); to restore: {shift.cli_restore()}")
        else:
            click.echo("Rollback: " + report.rollback.line("the original distribution is back"))
        click.echo(f"Verdict: {'PASS' if report.passed else 'FAIL'}")
    _conclude(report_path, report, _undone(report))


def _show_shift_plan(shift: ts.TrafficShift, replica_instance_id: str | None, keep: bool) -> None:
    group, original = shift.group, shift.original
    click.echo(f"Traffic shift on {group.name} ({group.arn}), default group: {group.is_default}")
    click.echo(f"Now: {original.text()}")
    rows: list[list[Any]] = [[i, t.text(), shift.to_region] for i, t in enumerate(shift.targets, 1)]
    back = "kept when every step passes (--keep); else " if keep else ""
    rows.append(["rollback", back + original.text(), original.majority_region()])
    click.echo(tabulate(rows, headers=["step", "distribution", "called in"], tablefmt="simple"))
    check = (
        f"the queues of {replica_instance_id} in {shift.to_region}"
        if replica_instance_id
        else "no queue check"
    )
    click.echo(
        f"Each step: wait until applied (at most {shift.timeout:g} s, checked every {shift.poll:g} s), "
        f"stay {shift.dwell:g} s, then {check}. Failure or Ctrl-C rolls back at once."
    )
    if original.agents is None:
        click.echo("The group has no agent distribution: only telephony moves.")
    if not group.is_default and original.sign_in is not None:
        click.echo("The sign-in distribution stays as it is: it can only change on the default group.")
