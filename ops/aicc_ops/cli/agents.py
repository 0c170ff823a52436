"""`aicc-ops agents onboard|list|offboard`: Connect users and the agents table, from a CSV.

    aicc-ops agents onboard agents.csv --local --dry-run
    aicc-ops agents onboard agents.csv --env prod
    aicc-ops agents list --team TS --part TS1
    aicc-ops agents offboard ts.park ts.choi --env prod

The CSV columns and the rules are in docs/agents.md; the work is in aicc_ops.admin.agents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from aicc.settings import TEAMS

from ..admin import agents as work
from ..admin.context import OpsContext
from ..core.ratelimit import ConnectLimiter
from ._options import command_line, dry_run_option, emit, output_option, target_options
from ._progress import progress

ONBOARD_OUTCOMES = ("created", "updated", "unchanged", "failed")
OFFBOARD_OUTCOMES = ("deleted", "unchanged", "failed")
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report Ctrl-C


@click.group()
def agents() -> None:
    """Onboard, list and offboard agents (Connect users + the agents table)."""


def _csv_error(path: Path, exc: work.CsvError) -> click.ClickException:
    count = len(exc.problems)
    lines = "\n  ".join(exc.problems)
    return click.ClickException(
        f"{path}: {count} problem(s); nothing was changed. Fix them and re-run:\n  {lines}"
    )


@agents.command()
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kms-key-id",
    metavar="KEY",
    help="KMS key (ID, ARN or alias) encrypting the initial-password secrets. Default: the "
    "`kms_key_arn` Terraform output of --env, else Secrets Manager's AWS-managed key.",
)
@click.option("--force", is_flag=True, help="Change the team or part of agents that rosters name.")
@dry_run_option
@output_option
@target_options
def onboard(
    ops: OpsContext, csv_file: Path, kms_key_id: str | None, force: bool, dry_run: bool, output: str
) -> None:
    """Create or update agents from FILE.csv (Connect users + agents table).

    Every row is checked, against Connect's own limits too, before anything changes. Re-running
    changes nothing; after an interruption or a failure, re-run the same command to continue.
    Moving an engineer that an escalation roster names to another team or part needs --force.
    Columns: docs/agents.md.
    """
    try:
        rows = work.read_csv(csv_file, ops.config)
    except work.CsvError as exc:
        raise _csv_error(csv_file, exc) from None
    instance = work.load_instance(ops)
    problems = work.instance_problems(csv_file, rows, instance, ops.config)
    if problems:
        raise _csv_error(csv_file, work.CsvError(problems))
    users = work.search_users(ops)
    problems = work.existing_user_problems(csv_file, rows, users)
    if problems:
        raise _csv_error(csv_file, work.CsvError(problems))
    records = work.agent_records(ops)
    steps = work.plan_onboarding(ops, rows, instance, users, records, ops.config)
    moves = work.roster_moves(ops, steps)
    if dry_run:
        _show_plan(output, csv_file, steps, moves, ops.limiter)
        return
    if moves:
        lines = "\n  ".join(moves)
        if not force:
            raise click.ClickException(
                f"{len(moves)} rostered engineer(s) would change team or part; nothing was changed:\n"
                f"  {lines}\nUpdate the rosters first (`aicc-ops roster set`), or give --force."
            )
        click.echo(
            f"warning: changing the team or part of rostered engineers (--force):\n  {lines}", err=True
        )
    key = kms_key_id or work.secrets_kms_key(ops)
    if not key and ops.target.env and instance.needs_password and any(s.action == "create" for s in steps):
        click.echo(
            f"warning: env {ops.target.env} has no `{work.KMS_KEY_OUTPUT}` Terraform output; initial "
            "passwords are encrypted with Secrets Manager's AWS-managed key (give --kms-key-id)",
            err=True,
        )
    changing = sum(s.action != "unchanged" for s in steps)
    onboarding = work.onboard(ops, instance, steps, ops.config, key)
    run = _run(onboarding, changing, "Onboarding")
    _finish(ops, output, csv_file, run, [s.row.login for s in steps], ONBOARD_OUTCOMES)


def _show_plan(
    output: str, path: Path, steps: Sequence[work.Step], moves: Sequence[str], limiter: ConnectLimiter
) -> None:
    counts = Counter(s.action for s in steps)
    writes = work.connect_writes(steps)
    quota_seconds = limiter.seconds_for(writes)
    data = {
        "file": str(path),
        "dry_run": True,
        "summary": {a: counts.get(a, 0) for a in ("create", "update", "unchanged")},
        "connect_writes": writes,
        "quota_seconds": round(quota_seconds, 1),
        "rostered_moves": list(moves),
        "plan": [
            {
                "login": s.row.login,
                "name": s.row.name,
                "family_name": s.row.last_name,
                "given_name": s.row.first_name,
                "action": s.action,
                "changes": [c.as_dict() for c in s.changes],
                **({"note": s.note} if s.note else {}),
            }
            for s in steps
        ],
    }
    if output == "json":
        emit(output, data)
        return
    rows = [
        [
            s.action,
            s.row.login,
            s.row.name,
            f"{s.row.last_name} / {s.row.first_name}",
            "; ".join(map(str, s.changes)),
        ]
        for s in steps
        if s.action != "unchanged"
    ]
    if rows:
        emit(output, None, rows, ["action", "login", "name", "family / given", "changes"])
        click.echo()
    for move in moves:
        click.echo(f"  needs --force (rostered): {move}")
    for s in steps:
        if s.note:
            click.echo(f"  {s.row.login}: {s.note}")
    if any(s.note for s in steps):
        click.echo()
    click.echo(
        f"Dry run of {path}: would create {counts['create']}, update {counts['update']}, "
        f"leave {counts['unchanged']} unchanged. Nothing was changed."
    )
    if writes:
        click.echo(
            f"Connect API: {writes} write call(s), about {_duration(quota_seconds)} at its quota of "
            f"{limiter.rate:g} requests/s (burst {limiter.burst})."
        )


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s" if whole >= 60 else f"{whole} s"


@dataclass
class Run:
    """What a run did: the results in order, and whether Ctrl-C or a dead endpoint stopped it."""

    results: list[work.Result]
    interrupted: bool = False
    down: work.EndpointDownError | None = None


def _run(results: Iterable[work.Result], changing: int, label: str) -> Run:
    """Collect the results (progress on stderr for long runs), until Ctrl-C or a dead endpoint."""
    run = Run([])
    try:
        with progress(changing, label) as tick:
            for result in results:
                run.results.append(result)
                if result.outcome != "unchanged":
                    tick(1)
    except KeyboardInterrupt:
        run.interrupted = True
    except work.EndpointDownError as exc:
        run.down = exc
    return run


def _finish(
    ops: OpsContext,
    output: str,
    path: Path | None,
    run: Run,
    logins: Sequence[str],
    outcomes: Sequence[str],
) -> None:
    """The summary (table or JSON); exit 130 when interrupted, 1 when some agents failed or the
    endpoint stopped answering (then with what remains and the command that resumes)."""
    results, interrupted, total = run.results, run.interrupted, len(logins)
    remaining = list(logins[len(results) :])
    counts = Counter(r.outcome for r in results)
    summary = {o: counts.get(o, 0) for o in outcomes}
    failed = [r for r in results if r.outcome == "failed"]
    if output == "json":
        data: dict[str, Any] = {"file": str(path) if path else None, "summary": summary}
        data |= {"interrupted": interrupted, "not_reached": total - len(results)}
        data["rate_limit_wait_seconds"] = round(ops.limiter.waited, 1)
        data["results"] = [r.as_dict() for r in results]
        if run.down is not None:
            data["stopped"] = {"error": str(run.down), "remaining": remaining, "resume": command_line()}
        emit(output, data)
    else:
        stopped = "interrupted" if interrupted else "stopped" if run.down is not None else ""
        _summary_table(path, results, summary, total, stopped)
        if ops.limiter.waited >= 1:
            click.echo(f"Waited {ops.limiter.waited:.0f} s in total for Connect's API rate limit.")
    if interrupted:
        click.echo(
            f"Interrupted after {len(results)} of {total}: what is done stays done; "
            "re-run the same command to continue.",
            err=True,
        )
        raise click.exceptions.Exit(INTERRUPTED_EXIT)
    if run.down is not None:
        shown = ", ".join(remaining[:10]) + (", ..." if len(remaining) > 10 else "")
        raise click.ClickException(
            f"stopped: {run.down}. Done: {len(results)} of {total} (what is done stays done); "
            f"remaining {len(remaining)}: {shown}. When the endpoint answers again, resume with:\n"
            f"  {command_line()}"
        )
    if failed:
        raise click.ClickException(
            f"{len(failed)} agent(s) failed (errors above); the others are done. "
            "Fix the cause and re-run the same command."
        )


def _summary_table(
    path: Path | None, results: Sequence[work.Result], summary: dict[str, int], total: int, stopped: str
) -> None:
    """`stopped`: "interrupted" or "stopped" when the run ended early, else ""."""
    title = f"{path}: {total} agent(s)" if path else f"{total} agent(s)"
    if stopped:
        title += f", {stopped} after {len(results)}"
    rows: list[list[Any]] = [[o, n] for o, n in summary.items()]
    if stopped:
        rows.append(["not reached", total - len(results)])
    emit("table", None, rows, ["outcome", "agents"], title=title)
    updated = [r for r in results if r.outcome == "updated"]
    if updated:
        click.echo("\nupdated:")
        for r in updated:
            click.echo(f"  {r.login}: " + "; ".join(str(c) for c in r.changes))
    notes = [r for r in results if r.note]
    if notes:
        click.echo()
        for r in notes:
            click.echo(f"  {r.login}: {r.note}")
    failed = [r for r in results if r.outcome == "failed"]
    if failed:
        click.echo("\nfailed:")
        for r in failed:
            click.echo(f"  {r.login}: {r.error}")


@agents.command("list")
@click.option("--team", type=click.Choice(TEAMS, case_sensitive=False), help="Only this team.")
@click.option("--part", help="Only this part (e.g. TS1, GEN).")
@output_option
@target_options
def list_agents(ops: OpsContext, team: str | None, part: str | None, output: str) -> None:
    """List agents: Connect users joined with their agents records.

    Shows team, part, routing profile, security profiles and status.
    """
    found = work.list_agents(ops, team, part)
    headers = ["login", "name", "team", "part", "routing profile", "security profiles", "status"]
    rows = [
        [
            a["login"],
            a["name"],
            a["team"],
            a["part"],
            a["routing_profile"] or "(no Connect user)",
            a["security_profiles"],
            a["status"] or ("(no agents record)" if not a["in_table"] else ""),
        ]
        for a in found
    ]
    emit(output, found, rows, headers, title=f"{len(found)} agent(s)" if output == "table" else "")


@agents.command()
@click.argument("logins", nargs=-1, metavar="[LOGIN]...")
@click.option(
    "--file",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Offboard the logins of this CSV's login column (other columns are ignored).",
)
@click.option("--force", is_flag=True, help="Offboard even agents that rosters or customers still name.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@dry_run_option
@output_option
@target_options
def offboard(
    ops: OpsContext,
    logins: tuple[str, ...],
    csv_file: Path | None,
    force: bool,
    yes: bool,
    dry_run: bool,
    output: str,
) -> None:
    """Delete agents (Connect user, agents record, password secret).

    Refused while an escalation roster or a customer (TS primary/secondary) still names an
    agent, unless --force; --dry-run shows the plan with those agents marked blocked. Logins
    already gone are reported as unchanged.
    """
    wanted = _logins(logins, csv_file)
    departures = work.plan_offboarding(ops, wanted)
    if dry_run:  # the whole plan, refused agents included (marked blocked)
        _show_departures(output, departures, force)
        return
    named = [d for d in departures if d.references]
    if named and not force:
        lines = "\n  ".join(f"{d.login}: {', '.join(d.references)}" for d in named)
        raise click.ClickException(
            f"{len(named)} agent(s) still named by rosters or customers; nothing was changed:\n  {lines}\n"
            "Reassign them first (`aicc-ops roster set`, `aicc-ops roster set-ts`), "
            "or offboard anyway with --force."
        )
    leaving = [d for d in departures if d.found]
    if leaving and not yes:
        shown = ", ".join(d.login for d in leaving[:5]) + (", ..." if len(leaving) > 5 else "")
        click.confirm(
            f"Delete {len(leaving)} agent(s) ({shown}): Connect user, agents record, password secret?",
            abort=True,
            err=True,
        )
    run = _run(work.offboard(ops, departures), len(leaving), "Offboarding")
    if named and output == "table":
        click.echo(
            "Warning: still named by rosters or customers (fix them): "
            + "; ".join(f"{d.login}: {', '.join(d.references)}" for d in named),
            err=True,
        )
    _finish(ops, output, csv_file, run, [d.login for d in departures], OFFBOARD_OUTCOMES)


def _logins(arguments: Iterable[str], csv_file: Path | None) -> list[str]:
    out: list[str] = []
    for login in arguments:
        problem = work.login_problem(login)
        if problem:
            raise click.BadParameter(problem, param_hint="LOGIN")
        out.append(login)
    if csv_file is not None:
        try:
            out += work.read_logins(csv_file)
        except work.CsvError as exc:
            raise _csv_error(csv_file, exc) from None
    if not out:
        raise click.UsageError("which agents? give LOGIN... or --file CSV")
    return list(dict.fromkeys(out))


def _show_departures(output: str, departures: Sequence[work.Departure], force: bool) -> None:
    """The offboarding plan. An agent still named by rosters or customers is `blocked`: the command
    would refuse it (and so everyone) without --force; with --force it is deleted all the same."""

    def action(d: work.Departure) -> str:
        if not d.found:
            return "unchanged"
        return "blocked" if d.references and not force else "delete"

    plan = [
        {"login": d.login, "action": action(d), "delete": d.parts(), "named_by": d.references}
        for d in departures
    ]
    counts = Counter(str(p["action"]) for p in plan)
    if output == "json":
        summary = {a: counts.get(a, 0) for a in ("delete", "blocked", "unchanged")}
        emit(output, {"dry_run": True, "force": force, "summary": summary, "plan": plan})
        return
    rows = [
        [p["action"], p["login"], ", ".join(p["delete"]) or "not found", "\n".join(p["named_by"])]
        for p in plan
    ]
    emit(output, None, rows, ["action", "login", "deletes", "still named by"])
    blocked = counts["blocked"]
    if not blocked:
        click.echo(f"\nDry run: would offboard {counts['delete']} of {len(departures)}. Nothing was changed.")
        return
    click.echo(
        f"\nDry run: {blocked} of {len(departures)} blocked (still named by rosters or customers): "
        "without --force the command refuses and changes nothing; with it, it would offboard "
        f"{counts['delete'] + blocked}. Reassign them first (`aicc-ops roster set`, "
        "`aicc-ops roster set-ts`), or use --force. Nothing was changed."
    )
