"""`aicc-ops loadtest run`: Locust load runs with a verdict against SLOs (docs/loadtest.md); and
`loadtest capacity` (its own module, loadtest_capacity.py): which AWS quota binds first."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ..admin.loadtest.errors import ApprovalRequiredError, LoadTestError, SloFileError
from ..admin.loadtest.mix import parse_weights
from ..admin.loadtest.plan import Callers
from ..admin.loadtest.processes import Progress
from ..admin.loadtest.run import SCENARIOS, SHAPES, RunRequest, RunResult, run_loadtest
from ._errors import OpsError, user_errors
from ._options import aws_errors, state_dir_option
from .loadtest_capacity import capacity

LINE_SECONDS = 10.0  # without a terminal, a progress line this often
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


class Duration(click.ParamType[int]):
    """Seconds, or Locust's forms: 90, 90s, 5m, 1h30m."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        found = _DURATION.match(str(value).strip())
        if not found or not any(found.groups()):
            self.fail(f"{value!r}: give seconds or a duration such as 90s, 5m, 1h30m", param, ctx)
        hours, minutes, seconds = (int(g or 0) for g in found.groups())
        total = hours * 3600 + minutes * 60 + seconds
        if total < 1:
            self.fail("the duration must be at least 1 s", param, ctx)
        return total


def _think(value: str) -> tuple[float, float]:
    low, sep, high = value.partition("-")
    try:
        bounds = (float(low), float(high if sep else low))
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: give seconds, or MIN-MAX such as 1-3", param_hint="--think"
        ) from None
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise click.BadParameter(f"{value!r}: 0 <= MIN <= MAX", param_hint="--think")
    return bounds


@click.group()
def loadtest() -> None:
    """Load tests with Locust: callers on the local stack, or a deployed environment's handlers."""


loadtest.add_command(capacity)


@loadtest.command("run")
@click.option(
    "--scenario",
    type=click.Choice(SCENARIOS),
    required=True,
    help="calls (the local stack's call API), lambdas (the handlers, invoked directly) or chat "
    "(StartChatContact and the Participant Service).",
)
@click.option(
    "--users",
    type=click.IntRange(1, 100_000),
    required=True,
    help="Callers on the line at the peak (one call each at a time).",
)
@click.option(
    "--spawn-rate",
    type=click.FloatRange(0, min_open=True),
    default=10.0,
    show_default=True,
    help="Callers dialling in per second while the load grows.",
)
@click.option(
    "--duration",
    type=Duration(),
    required=True,
    help="How long calls are placed: 90, 90s, 5m, 1h30m (the calls in progress then finish).",
)
@click.option(
    "--target",
    default="local",
    show_default=True,
    metavar="local|ENV",
    help="The local stack (started for the run when none runs), or a deployed environment "
    "(terraform/envs/ENV).",
)
@state_dir_option
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Locust worker processes (a master and K workers on loopback); 0: one process.",
)
@click.option(
    "--slo",
    "slo_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SLO file [default: loadtest/slo.yaml].",
)
@click.option(
    "--shape",
    type=click.Choice(SHAPES),
    default="steady",
    show_default=True,
    help="Arrival profile: steady, ramp (climb to the peak), surge (a Monday 09:00 wave).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the reports go [default: ./reports/loadtest/SCENARIO-TIME].",
)
@click.option(
    "--mix",
    "mix_text",
    metavar="NAME=W,...",
    help="Weights of the call mix's flows (loadtest/mix.yaml), e.g. general=60,emergency=10.",
)
@click.option(
    "--think",
    "think_text",
    default="1-3",
    show_default=True,
    metavar="MIN-MAX",
    help="Seconds a caller takes to answer each prompt.",
)
@click.option(
    "--talk-seconds",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    help="Talk time with the simulated agent (calls).",
)
@click.option(
    "--patience",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Seconds a caller waits in a queue before hanging up (calls).",
)
@click.option(
    "--mistakes",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Chance per prompt that a caller is first silent, asks to repeat (*) or presses a lone #.",
)
@click.option(
    "--include-paging",
    is_flag=True,
    help="On an environment: invoke the handlers that page engineers too (this loads Connect).",
)
@click.option(
    "--i-have-aws-approval",
    "aws_approval",
    is_flag=True,
    help="AWS approved this load test on the environment's Connect instance (required when the run "
    "loads Connect).",
)
@click.option("--profile", help="AWS profile for an environment target.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def run(
    scenario: str,
    users: int,
    spawn_rate: float,
    duration: int,
    target: str,
    state_dir: Path | None,
    workers: int,
    slo_file: Path | None,
    shape: str,
    report_dir: Path | None,
    mix_text: str | None,
    think_text: str,
    talk_seconds: float,
    patience: float,
    mistakes: float,
    include_paging: bool,
    aws_approval: bool,
    profile: str | None,
    as_json: bool,
) -> None:
    """Run a load test headless and judge it against the SLOs; exit 1 when one fails.

    \b
    Examples:
      aicc-ops loadtest run --scenario calls --users 50 --duration 2m
      aicc-ops loadtest run --scenario calls --users 1000 --spawn-rate 100 --duration 5m --workers 2
      aicc-ops loadtest run --scenario calls --users 500 --duration 10m --shape surge --json
      aicc-ops loadtest run --scenario lambdas --target staging --users 20 --duration 5m
      aicc-ops loadtest run --scenario chat --users 10 --duration 2m
    """
    if target == "local" and profile:
        raise click.UsageError("--profile is for an environment target; the local stack needs none")
    try:
        weights = parse_weights(mix_text) if mix_text else {}
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--mix") from None
    request = RunRequest(
        scenario=scenario,
        users=users,
        spawn_rate=spawn_rate,
        duration_s=duration,
        target=target,
        state_dir=state_dir,
        workers=workers,
        slo_file=slo_file,
        shape=shape,
        report_dir=report_dir,
        weights=weights,
        callers=Callers(_think(think_text), talk_seconds, patience, mistakes),
        include_paging=include_paging,
        aws_approval=aws_approval,
        profile=profile,
    )
    line = ProgressLine(duration)
    click.echo(
        f"Load test {scenario} on {target}: {users} users, {shape}, {duration} s"
        + (f", {workers} workers" if workers else ""),
        err=True,
    )
    with loadtest_errors(), user_errors(), aws_errors():
        result = run_loadtest(request, line.show, lambda note: click.echo(f"note: {note}", err=True))
    line.finish()
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        show(result)
    if not result.verdict.passed:
        click.get_current_context().exit(1)


@contextmanager
def loadtest_errors() -> Iterator[None]:
    """The run's refusals and failures as operator errors, each with its code."""
    try:
        yield
    except ApprovalRequiredError as exc:
        raise OpsError(str(exc), "aws_approval") from None
    except SloFileError as exc:
        raise OpsError(str(exc), "slo") from None
    except LoadTestError as exc:
        raise OpsError(str(exc), "loadtest") from None


class ProgressLine:
    """The run's progress on stderr: one line redrawn on a terminal, else a line every LINE_SECONDS."""

    def __init__(self, duration: int) -> None:
        self.duration = duration
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.drawn = False

    def show(self, p: Progress) -> None:
        p95 = f"{p.step_p95_ms} ms" if p.step_p95_ms is not None else "-"
        text = (
            f"{p.elapsed_s:5.0f}/{self.duration} s  {p.phase:<14} users {p.users:<5} "
            f"in flight {p.in_flight:<5} calls {p.calls_completed} ok, {p.calls_failed} failed  "
            f"step p95 {p95}"
        )
        if self.tty:
            click.echo(f"\r{text}\x1b[K", nl=False, err=True)
            self.drawn = True
        elif time.monotonic() - self.last >= LINE_SECONDS:
            click.echo(text, err=True)
            self.last = time.monotonic()

    def finish(self) -> None:
        if self.drawn:
            click.echo("", err=True)


def show(result: RunResult) -> None:
    data = result.to_json()
    click.echo(f"Verdict: {result.verdict.word.upper()}")
    rows = []
    for c in result.verdict.checks:
        sign = ">=" if c.objective.startswith("min_") else "<="
        actual = "-" if c.actual is None else f"{c.actual:g}"
        rows.append([c.label, f"{sign} {c.limit:g}", actual, "pass" if c.passed else "FAIL", c.note])
    headers = ["objective", "limit", "actual", "result", "note"]
    if not any(row[-1] for row in rows):  # no notes: no empty column
        rows, headers = [row[:-1] for row in rows], headers[:-1]
    click.echo(tabulate(rows, headers=headers, tablefmt="simple"))
    click.echo(
        f"\nCalls: {data['calls_completed']} completed, {data['calls_failed']} failed, "
        f"{data['calls_abandoned']} abandoned in a queue; at most {data['max_concurrent']} at once."
    )
    rang = data["ringing"]
    if rang.get("count"):
        click.echo(f"Rang before the flows took them: p95 {rang['p95_ms']} ms, max {rang['max_ms']} ms.")
    _table("Steps (ms)", data["steps"])
    _table("Lambdas (ms; limit: the block's time limit, s)", data["lambdas"], extra="limit_s")
    if data["failures"]:
        click.echo("\nFailures (most frequent first):")
        for f in data["failures"][:10]:
            click.echo(f"  {f['occurrences']:>5} × {f['type']} {f['name']}: {f['error']}")
    click.echo(f"\nReports in {result.report_dir}: report.html, locust_*.csv, summary.json")


def _table(title: str, entries: dict[str, dict[str, Any]], extra: str | None = None) -> None:
    if not entries:
        return
    keys = ["count", "failures", "p50_ms", "p95_ms", "p99_ms", "max_ms", *([extra] if extra else [])]
    headers = ["name", "count", "failures", "p50", "p95", "p99", "max", *([extra] if extra else [])]
    rows = [[name, *(e.get(k) for k in keys)] for name, e in entries.items()]
    click.echo(f"\n{title}:")
    click.echo(tabulate(rows, headers=headers, tablefmt="simple"))
