"""`aicc-ops roster`: the escalation rosters (part members, managers, on-call order, TS engineers).

A thin click layer over admin/rosters.py: every command reads the agents that exist and refuses
a roster the escalation could not use; every change is conditional on what was read and recorded
in roster_history with who made it. See docs/rosters.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from aicc.clock import seoul_time
from aicc.domain.agents import Roster

from ..admin import rosters as r
from ..admin.context import OpsContext
from ._options import dry_run_option, emit, output_option, target_options
from ._progress import progress


@contextmanager
def roster_errors() -> Iterator[None]:
    try:
        yield
    except r.RosterError as exc:
        if len(exc.problems) == 1:
            raise click.ClickException(exc.problems[0]) from None
        raise click.ClickException(
            f"{len(exc.problems)} problems, nothing was written:\n  " + "\n  ".join(exc.problems)
        ) from None


def _logins(values: Sequence[str]) -> list[str]:
    """Repeatable options that also take "a,b": --add a --add b, or --add a,b."""
    return [login for value in values for login in r.split_logins(value)]


@click.group()
def roster() -> None:
    """Escalation rosters: who the emergency escalation calls, in which order.

    The chain for an MSP customer: its TS primary, its TS secondary, the members of its part in
    roster order (the first is on call), then a general agent, with the part's manager notified.
    """


# ---- show -----------------------------------------------------------------------------------------
def _who(login: str, people: dict[str, r.Person]) -> str:
    person = people.get(login)
    return f"{login} ({person.name})" if person and person.name else login


def _part_view(
    ops: OpsContext,
    roster: Roster,
    people: dict[str, r.Person],
    rosters: dict[str, Roster],
    customers: list[r.CustomerTS],
) -> dict[str, Any]:
    members = set(roster.members)
    served = [
        c for c in customers if c.part == roster.part or c.ts_primary in members or c.ts_secondary in members
    ]
    policy = ops.config.escalation
    return {
        "part": roster.part,
        "name": roster.name,
        "on_call": roster.members[0] if roster.members else "",
        "members": [
            {
                "login": m,
                "name": people[m].name if m in people else "",
                "team": people[m].team if m in people else "",
                "exists": m in people,
            }
            for m in roster.members
        ],
        "manager": roster.manager,
        "manager_exists": roster.manager in people,
        "customers": [
            {
                "customer_id": c.customer_id,
                "company": c.company,
                "contact_name": c.contact_name,
                "part": c.part,
                "ts_primary": c.ts_primary,
                "ts_secondary": c.ts_secondary,
                "chain": r.escalation_chain(c, rosters.get(c.part), policy.chain, policy.general_team),
            }
            for c in served
        ],
        "problems": r.roster_flags(roster, people)
        + [
            f"{c.company}: TS {login} is not an agent"
            for c in served
            for login in (c.ts_primary, c.ts_secondary)
            if login and login not in people and c.part == roster.part
        ],
    }


@roster.command("show")
@click.argument("part", required=False)
@target_options
@output_option
def show(ops: OpsContext, part: str | None, output: str) -> None:
    """The rosters (or PART's): members in escalation order, manager, the MSP customers served.

    A member or manager that is not an existing agent is flagged under "problems".
    """
    store = r.RosterStore(ops)
    rosters = store.rosters()
    if part is not None and part not in rosters:
        known = ", ".join(rosters) or "none yet; create one with `aicc-ops roster set`"
        raise click.ClickException(f"no roster for part {part!r} (parts: {known})")
    people = store.people()
    customers = store.customers()
    chosen = [rosters[part]] if part else list(rosters.values())
    views = [_part_view(ops, x, people, rosters, customers) for x in chosen]
    if output == "json":
        emit(output, views)
        return
    rows = [
        [
            v["part"],
            v["name"],
            " → ".join(_who(m["login"], people) for m in v["members"]),
            _who(v["manager"], people) if v["manager"] else "(none)",
            ", ".join(dict.fromkeys(c["company"] for c in v["customers"])) or "-",
            "; ".join(v["problems"]) or "ok",
        ]
        for v in views
    ]
    emit(
        output,
        views,
        rows,
        ["part", "name", "members (first = on call)", "manager", "MSP customers", "problems"],
    )
    if part and views[0]["customers"]:
        click.echo("")
        emit(
            output,
            None,
            [
                [c["company"], c["contact_name"], c["part"] or "-", " → ".join(c["chain"])]
                for c in views[0]["customers"]
            ],
            ["customer", "contact", "part", "escalation chain"],
        )


# ---- set --------------------------------------------------------------------------------------------
def _report_change(
    output: str, change: r.Change, dry_run: bool, changed_at: str | None, extra: str = ""
) -> None:
    data = {
        **change.as_dict(),
        "dry_run": dry_run,
        "changed_at": seoul_time(changed_at) if changed_at else None,
    }
    if output == "json":
        emit(output, data)
        return
    if change.status == "unchanged":
        click.echo(f"roster {change.part}: unchanged{extra}")
        return
    verb = "would be " if dry_run else ""
    click.echo(f"roster {change.part} {verb}{change.status}: {change.describe()}")
    if dry_run:
        click.echo("dry run: nothing written")


@roster.command("set")
@click.argument("part")
@click.option("--name", help="Display name of the part (e.g. 기술지원 1파트).")
@click.option("--members", help="All members in escalation order, comma-separated (replaces the list).")
@click.option("--manager", help="The part's manager (an agent of team MANAGER).")
@click.option("--add", multiple=True, metavar="LOGIN", help="Append a member (repeatable, or a,b).")
@click.option("--remove", multiple=True, metavar="LOGIN", help="Drop a member (repeatable, or a,b).")
@dry_run_option
@target_options
@output_option
def set_command(
    ops: OpsContext,
    part: str,
    name: str | None,
    members: str | None,
    manager: str | None,
    add: tuple[str, ...],
    remove: tuple[str, ...],
    dry_run: bool,
    output: str,
) -> None:
    """Create or change PART's roster, checked against the agents that exist.

    Every member and the manager must be agents; the manager must be team MANAGER; members must
    not repeat; a roster cannot be empty. Options not given keep their current value.
    """
    with roster_errors():
        if part_problems := r.part_problems(part):
            raise r.RosterError(part_problems)
        if not any(v is not None for v in (name, members, manager)) and not add and not remove:
            raise click.UsageError("nothing to set: give --name, --members, --manager, --add or --remove")
        store = r.RosterStore(ops)
        before = store.get(part)
        after = r.edit(
            before,
            part,
            name=name,
            members=r.split_logins(members) if members is not None else None,
            manager=manager.strip() if manager is not None else None,
            add=_logins(add),
            remove=_logins(remove),
        )
        people = store.people()
        if problems := r.roster_problems(after, people):
            raise r.RosterError([f"roster {part}: {p}" for p in problems])
        change = r.Change(before, after)
        changed_at = None
        if change.status != "unchanged" and not dry_run:
            changed_at = store.save(change, "create" if before is None else "set", r.operator_identity(ops))
        _report_change(output, change, dry_run, changed_at)


# ---- set-ts -----------------------------------------------------------------------------------------
def _customers_for(store: r.RosterStore, customer_id: str | None, company: str | None) -> list[r.CustomerTS]:
    if customer_id:
        found = store.customer(customer_id)
        if found is None:
            raise r.RosterError(f"no customer {customer_id!r} (customer IDs look like C1A2B3C4D5)")
        return [found]
    assert company is not None
    listed = store.customers()
    wanted = company.strip().casefold()
    matches = [c for c in listed if c.company.strip().casefold() == wanted]
    if not matches:
        close = difflib.get_close_matches(company, sorted({c.company for c in listed}), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else " (MSP customers only)"
        raise r.RosterError(f"no MSP customer with company {company!r}{hint}")
    # Read each one through get_item: the write is conditional on the item as read.
    return [c for c in (store.customer(m.customer_id) for m in matches) if c is not None]


@roster.command("set-ts")
@click.argument("customer_id", required=False)
@click.option("--company", help="Instead of CUSTOMER_ID: every contact of this MSP company.")
@click.option("--primary", help="TS primary: an agent of team TS (tried first).")
@click.option("--secondary", help="TS secondary: another agent of team TS (tried second).")
@dry_run_option
@target_options
@output_option
def set_ts(
    ops: OpsContext,
    customer_id: str | None,
    company: str | None,
    primary: str | None,
    secondary: str | None,
    dry_run: bool,
    output: str,
) -> None:
    """Change an MSP customer's TS primary and/or secondary (agents of team TS, two different people)."""
    if bool(customer_id) == bool(company):
        raise click.UsageError("give either CUSTOMER_ID or --company NAME")
    if primary is None and secondary is None:
        raise click.UsageError("nothing to set: give --primary and/or --secondary")
    with roster_errors():
        store = r.RosterStore(ops)
        targets = _customers_for(store, customer_id, company)
        people = store.people()
        plans = []
        problems: list[str] = []
        for c in targets:
            new_primary = primary.strip() if primary is not None else c.ts_primary
            new_secondary = secondary.strip() if secondary is not None else c.ts_secondary
            problems += r.ts_problems(c, new_primary, new_secondary, people)
            plans.append((c, new_primary, new_secondary))
        if problems:
            raise r.RosterError(problems)
        changing = any((p, s) != (c.ts_primary, c.ts_secondary) for c, p, s in plans)
        by = r.operator_identity(ops) if changing and not dry_run else ""
        results: list[dict[str, Any]] = []
        for c, new_primary, new_secondary in plans:
            changed = (new_primary, new_secondary) != (c.ts_primary, c.ts_secondary)
            changed_at = store.save_ts(c, new_primary, new_secondary, by) if changed and not dry_run else None
            results.append(
                {
                    "customer_id": c.customer_id,
                    "company": c.company,
                    "contact_name": c.contact_name,
                    "status": "updated" if changed else "unchanged",
                    "before": {"ts_primary": c.ts_primary, "ts_secondary": c.ts_secondary},
                    "after": {"ts_primary": new_primary, "ts_secondary": new_secondary},
                    "dry_run": dry_run,
                    "changed_at": changed_at,
                }
            )
    rows = [
        [
            x["customer_id"],
            x["company"],
            x["contact_name"],
            f"{x['before']['ts_primary'] or '-'} / {x['before']['ts_secondary'] or '-'}",
            f"{x['after']['ts_primary']} / {x['after']['ts_secondary']}",
            ("would be " if dry_run and x["status"] == "updated" else "") + x["status"],
        ]
        for x in results
    ]
    emit(
        output, results, rows, ["customer", "company", "contact", "before (P / S)", "after (P / S)", "status"]
    )
    if dry_run and output == "table":
        click.echo("dry run: nothing written")


# ---- import -----------------------------------------------------------------------------------------
@roster.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@dry_run_option
@target_options
@output_option
def import_command(ops: OpsContext, file: Path, dry_run: bool, output: str) -> None:
    """Create or update rosters from FILE.csv (columns part,name,members,manager).

    members are logins separated by ";" in escalation order (first = on call). Every row is
    checked first and every bad row reported as FILE:LINE; then only changed rows are written.
    Parts not in the file are left as they are.
    """
    with roster_errors():
        store = r.RosterStore(ops)
        wanted = r.load_import(file, store.people())
        changes = r.plan_import(wanted, store.rosters())
        writing = not dry_run and any(c.status != "unchanged" for c in changes)
        by = r.operator_identity(ops) if writing else ""
        results: list[dict[str, Any]] = []
        writes = sum(c.status != "unchanged" for c in changes) if not dry_run else 0
        with progress(writes, f"Importing {file}") as tick:
            for change in changes:
                result = {
                    **change.as_dict(),
                    "changes": change.describe() if change.status != "unchanged" else "",
                }
                if change.status != "unchanged" and not dry_run:
                    try:
                        store.save(change, "import", by)
                    except r.ConflictError as exc:
                        result.update(status="failed", error=str(exc))
                    tick(1)
                results.append(result)
    counts = {
        s: sum(1 for x in results if x["status"] == s) for s in ("created", "updated", "unchanged", "failed")
    }
    if output == "json":
        emit(output, {"file": str(file), "dry_run": dry_run, "summary": counts, "rosters": results})
    else:
        emit(
            output,
            results,
            [[x["part"], x["status"], x.get("error") or x["changes"] or "-"] for x in results],
            ["part", "would be" if dry_run else "status", "change"],
        )
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "failed")
        click.echo(f"{file}: {summary}" + ("  (dry run: nothing written)" if dry_run else ""))
    if counts["failed"]:
        raise click.ClickException(
            f"{counts['failed']} roster(s) changed meanwhile and were not written; re-run the import"
        )


# ---- rotate -----------------------------------------------------------------------------------------
@roster.command("rotate")
@click.argument("part")
@click.option("--to", "to", metavar="LOGIN", help="Make LOGIN first (on call), keeping the cyclic order.")
@dry_run_option
@target_options
@output_option
def rotate_command(ops: OpsContext, part: str, to: str | None, dry_run: bool, output: str) -> None:
    """On-call rotation: the first member moves to the end (or --to LOGIN comes first).

    The write only succeeds if nobody changed the roster since it was read; otherwise nothing is
    written and the command says to re-run.
    """
    with roster_errors():
        store = r.RosterStore(ops)
        before = store.get(part)
        if before is None:
            raise r.RosterError(f"no roster for part {part!r}: create it with `aicc-ops roster set {part}`")
        change = r.Change(before, r.rotate(before, to.strip() if to else None))
        changed_at = None
        if change.status != "unchanged" and not dry_run:
            changed_at = store.save(change, "rotate", r.operator_identity(ops))
        on_call = change.after.members[0] if change.after.members else "(nobody)"
        # Rotation does not change who is on the roster, but warn: escalation skips non-agents.
        warnings = r.roster_flags(change.after, store.people())
    if output == "json":
        emit(output, {**change.as_dict(), "dry_run": dry_run, "changed_at": changed_at, "warnings": warnings})
        return
    _report_change(output, change, dry_run, changed_at, extra=f" (on call: {on_call})")
    if change.status != "unchanged":
        click.echo(f"on call{' would be' if dry_run else ''}: {on_call}")
    for warning in warnings:
        click.echo(
            f"warning: roster {part}: {warning} (escalation skips it; fix with `roster set`)", err=True
        )


# ---- history ----------------------------------------------------------------------------------------
@roster.command("history")
@click.argument("part")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Newest N changes."
)
@target_options
@output_option
def history(ops: OpsContext, part: str, limit: int, output: str) -> None:
    """PART's roster and TS changes, newest first: when, who, what."""
    entries = [
        {**e, "changed_at": seoul_time(str(e["changed_at"]))} if e.get("changed_at") else e
        for e in r.RosterStore(ops).history(part, limit)
    ]
    if output == "json":
        emit(output, entries)
        return
    rows = [
        [
            e.get("changed_at", ""),
            e.get("by", ""),
            e.get("action", "") + (f" {e['company']}" if e.get("company") else ""),
            r.describe(e.get("before"), e.get("after") or {}),
        ]
        for e in entries
    ]
    if not rows:
        click.echo(f"no changes recorded for part {part}")
        return
    emit(output, entries, rows, ["changed at (KST)", "by", "action", "change"])
