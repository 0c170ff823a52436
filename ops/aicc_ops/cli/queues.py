"""`aicc-ops queues status|rebalance`: queues against their SLA, and agents moved towards the
queues at risk. The rules (SLA state, who may move where) are in docs/queues.md; the work is in
aicc_ops.admin.queues.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from time import sleep
from typing import Any

import click

from aicc.clock import seoul_time

from ..admin import queues as q
from ..admin.context import OpsContext
from ._options import dry_run_option, emit, output_option, target_options

MOVE_HEADERS = ("agent", "from profile", "to profile", "reason")
NOTHING_AT_RISK = "no queue at risk; nothing to do"


@click.group()
def queues() -> None:
    """Queues against their SLA, and rebalancing agents towards queues at risk."""


# ---- status -------------------------------------------------------------------------------------
@queues.command()
@click.option(
    "--watch",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="Refresh every SECONDS (at least 1) until Ctrl-C; with --output json, one JSON line per refresh.",
)
@output_option
@target_options
def status(ops: OpsContext, output: str, watch: float | None) -> None:
    """Per queue: callers waiting, the oldest wait against the SLA, and agents online/available.

    SLA state: BREACHED when the oldest caller waited the queue's whole SLA (queues.yaml
    sla_seconds); AT RISK at half of it, or at a quarter while more callers wait than agents are
    available; else OK. Queues answered the next business day, and queues queues.yaml does not
    know, have no state.
    """
    refs = q.list_queues(ops)  # once: the refreshes spend only GetCurrentMetricData (5/s quota)
    for name in q.missing_queues(ops.config, refs):
        click.echo(f"warning: queues.yaml queue {name!r} is not on the instance", err=True)
    if watch is None:
        _show_status(output, q.queue_statuses(ops, refs))
        return
    try:
        while True:
            statuses = q.queue_statuses(ops, refs)
            if output == "json":
                rows = [s.as_dict() for s in statuses]
                click.echo(json.dumps({"at": _now(), "queues": rows}, ensure_ascii=False))
            else:
                click.clear()
                click.echo(f"{_now()}  every {watch:g}s, Ctrl-C to stop")
                _show_status(output, statuses)
            sleep(watch)
    except KeyboardInterrupt:
        return


def _now() -> str:
    return seoul_time(datetime.now(UTC))


def _show_status(output: str, statuses: list[q.QueueStatus]) -> None:
    emit(output, [s.as_dict() for s in statuses], [s.row() for s in statuses], q.STATUS_HEADERS)


# ---- rebalance ----------------------------------------------------------------------------------
@queues.command()
@click.option("--apply", "apply_", is_flag=True, help="Apply the plan (default: only print it).")
@click.option(
    "--max-moves", type=click.IntRange(min=1), default=5, show_default=True, help="At most this many moves."
)
@click.option(
    "--restore",
    is_flag=True,
    help="Put agents moved by earlier runs back on their home routing profile (not those on a contact).",
)
@dry_run_option
@output_option
@target_options
def rebalance(
    ops: OpsContext, apply_: bool, max_moves: int, restore: bool, dry_run: bool, output: str
) -> None:
    """Move AVAILABLE agents to routing profiles serving the queues at risk of breaching their SLA.

    Prints the plan; --apply changes the agents' routing profiles (UpdateUserRoutingProfile) and
    records each one's original profile in the agents table, which --restore puts back. Rules:
    minimum staffing per queue, teams and required skills (queues.yaml), managers last, at most
    --max-moves; see docs/queues.md.
    """
    if restore:
        _restore(ops, dry_run, output)
        return
    snap = q.snapshot(ops)
    plan = q.plan_rebalance(snap.queues, snap.agents, snap.profiles, max_moves)
    data: dict[str, Any] = {
        "at_risk": [s.as_dict() for s in plan.at_risk],
        "moves": [m.as_dict() for m in plan.moves],
        "shortfalls": plan.shortfalls,
        "unknown_agents": snap.unknown_users,
        "applied": False,
    }
    if not plan.at_risk:
        _finish(output, {**data, "message": NOTHING_AT_RISK}, NOTHING_AT_RISK)
        return
    if output == "table":
        at_risk = [s.row() for s in plan.at_risk]
        emit(output, None, at_risk, q.STATUS_HEADERS, title="Queues at risk:")
        click.echo()
        _show_moves(plan.moves, "Plan")
        for line in plan.shortfalls:
            click.echo(f"short: {line}")
        if snap.unknown_users:
            names = ", ".join(snap.unknown_users)
            click.echo(f"not in the agents table (never moved): {names}")
    if not plan.moves or not apply_ or dry_run:
        if output == "json":
            emit(output, data)
        elif plan.moves:
            click.echo(
                "\n" + ("dry run: nothing changed" if dry_run else "run with --apply to apply this plan")
            )
        return
    outcomes = q.apply_moves(ops, plan.moves)
    _report(output, {**data, "applied": True}, outcomes)
    if output == "table" and any(o.ok for o in outcomes):
        click.echo("undo later with: aicc-ops queues rebalance --restore")


def _restore(ops: OpsContext, dry_run: bool, output: str) -> None:
    snap = q.restore_snapshot(ops)
    plan = q.plan_restore(snap.agents, snap.profiles)
    problems = snap.problems + plan.problems
    data: dict[str, Any] = {
        "moves": [m.as_dict() for m in plan.moves],
        "already_home": [login for login, _ in plan.already_home],
        "on_contact": plan.on_contact,
        "problems": problems,
        "applied": False,
    }
    if not (plan.moves or plan.already_home or plan.on_contact or problems):
        message = "no agent was moved by queues rebalance; nothing to restore"
        _finish(output, {**data, "message": message}, message)
        return
    if output == "table":
        if plan.moves:
            _show_moves(plan.moves, "Restore")
        # What happens to their home_routing_profile; a failure to clear it is reported after.
        record = f"its {q.HOME_ATTRIBUTE} would be cleared" if dry_run else f"clearing its {q.HOME_ATTRIBUTE}"
        for login, _ in plan.already_home:
            click.echo(f"already on the home profile ({record}): {login}")
        for login in plan.on_contact:
            click.echo(f"on a contact, left for the next --restore: {login}")
        for problem in problems:
            click.echo(f"problem: {problem}")
    if dry_run:
        _finish(output, data, "\ndry run: nothing changed")
        return
    outcomes, uncleared = q.apply_restore(ops, plan)
    for login in uncleared:
        problems.append(f"home_routing_profile not cleared: {login}")
        if output == "table":
            click.echo(f"problem: {problems[-1]}")
    if plan.moves:
        _report(output, {**data, "applied": True}, outcomes)
    elif output == "json":
        emit(output, {**data, "applied": True, "results": [], "summary": {"applied": 0, "failed": 0}})


def _show_moves(moves: list[q.Move], what: str) -> None:
    if not moves:
        click.echo(f"{what}: no agent can move")
        return
    rows = [[m.login, m.from_label, m.to_label, m.reason] for m in moves]
    emit("table", None, rows, MOVE_HEADERS, title=f"{what} ({len(moves)} move(s)):")


def _finish(output: str, data: dict[str, Any], message: str) -> None:
    if output == "json":
        emit(output, data)
    else:
        click.echo(message)


def _report(output: str, data: dict[str, Any], outcomes: list[q.Outcome]) -> None:
    """The applied/failed summary; exit 1 when a move failed (the message says which)."""
    failed = [o for o in outcomes if not o.ok]
    applied = len(outcomes) - len(failed)
    if output == "json":
        emit(
            output,
            {
                **data,
                "results": [o.as_dict() for o in outcomes],
                "summary": {"applied": applied, "failed": len(failed)},
            },
        )
    else:
        click.echo()
        rows = [
            [o.move.login, o.move.to_label, "applied" if o.ok else f"failed: {o.error}"] for o in outcomes
        ]
        emit("table", None, rows, ("agent", "to profile", "result"))
        click.echo(f"\napplied {applied}, failed {len(failed)}")
    if failed:
        raise click.ClickException(
            f"{len(failed)} move(s) failed ({', '.join(o.move.login for o in failed)}); "
            "run the command again once the cause is fixed"
        )
