"""`aicc-ops connect export|diff`: save an instance's call design, and show its drift from the repository.

The work is in aicc_ops.admin.drift; this module reads options, shows progress and prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..admin import drift
from ..admin.context import OpsContext
from ._errors import user_errors
from ._options import emit, output_option, target_options
from ._progress import progress


@click.group()
def connect() -> None:
    """The Connect instance's call design: export it, and its drift from the repository."""


@contextmanager
def _drift_errors() -> Iterator[None]:
    with user_errors():
        try:
            yield
        except drift.DriftError as exc:
            raise click.ClickException(str(exc)) from None


def _read_live(ops: OpsContext, settings: drift.EnvSettings, only: Any = None) -> drift.Snapshot:
    reader = drift.reader_for(ops, settings)
    wanted = reader.wanted(only)
    with progress(len(wanted), f"Reading {len(wanted)} resources of {ops.instance_id}") as tick:
        return reader.read(only, lambda: tick(1))


@connect.command("export")
@target_options
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write (default: connect-export/<env, local or instance id>); replaces an earlier export.",
)
@output_option
def export_command(ops: OpsContext, directory: Path | None, output: str) -> None:
    """Save the instance's flows, queues, hours, routing profiles and quick connects as JSON.

    One file per resource (flows/<name>.json, queues/<name>.json, hours/, routing-profiles/,
    quick-connects/) plus manifest.json. IDs and ARNs of the instance's own resources are written
    as references such as {{queue:MSP General}}, so exports of two instances compare directly.
    """
    with _drift_errors():
        target = directory or drift.default_export_dir(ops)
        drift.check_export_dir(target)
        settings = drift.target_settings(ops.target)
        managed = drift.repository_view(ops.config, settings=settings)
        snapshot = _read_live(ops, settings)
        manifest = drift.write_export(snapshot, target, managed)
    counts = manifest["counts"]
    rows = [[k.folder, counts[k.folder]["total"], counts[k.folder]["managed"]] for k in drift.KINDS.values()]
    emit(
        output,
        {**manifest, "directory": str(target)},
        rows,
        ["kind", "resources", "managed by the repository"],
        title=f"Exported {snapshot.instance_id} ({snapshot.region}) to {target}",
    )


@connect.command("diff")
@target_options
@click.option(
    "--from-export",
    "from_export",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Compare a directory written by `connect export` instead of the live instance (offline).",
)
@click.option(
    "--context",
    "-U",
    "context_lines",
    type=click.IntRange(0),
    default=3,
    show_default=True,
    help="Diff context lines.",
)
@output_option
def diff_command(ops: OpsContext, from_export: Path | None, context_lines: int, output: str) -> None:
    """Show what differs between the instance and the repository (console changes not in code).

    Diffs read `-` repository, `+` instance. Flows compare without their Metadata (the designer's
    layout); resources the repository does not manage (Connect's defaults such as BasicQueue) are
    listed as unmanaged, not as drift. Exit code: 0 in sync, 1 drift found (a managed resource
    differs or is missing in the instance), so CI can gate on it.
    """
    with _drift_errors():
        if from_export:
            snapshot = drift.read_export(from_export)
            settings = drift.export_settings(snapshot, ops.target)
            source = f"export {from_export}"
        else:
            settings = drift.target_settings(ops.target)
        repository = drift.repository_view(ops.config, settings=settings)
        if not from_export:
            # Only managed resources are described; the others are listed by name (fewer calls).
            snapshot = _read_live(ops, settings, only=lambda key: key in repository)
            source = f"instance {snapshot.instance_id}"
        results = drift.compare(repository, snapshot.resources, snapshot.listed, context=context_lines)
    counts = drift.summary(results)
    if output == "json":
        emit(
            output,
            {
                "in_sync": not drift.has_drift(results),
                "source": source,
                "instance_id": snapshot.instance_id,
                "region": snapshot.region,
                "env": settings.name,
                "summary": counts,
                "resources": [r.as_dict() for r in results],
            },
        )
    else:
        _print_report(results, counts, source)
    if drift.has_drift(results):
        raise SystemExit(1)


_STATE_COLORS = {drift.IN_SYNC: "green", drift.DRIFTED: "red", drift.MISSING: "yellow"}


def _diff_line(line: str) -> str:
    if line.startswith(("---", "+++")):
        return click.style(line, bold=True)
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("+"):
        return click.style(line, fg="green")
    return line


def _print_report(results: list[drift.ResourceDrift], counts: dict[str, int], source: str) -> None:
    """Per drifted resource its changed fields and unified diff, then the table; colors on a tty only
    (click.echo strips them elsewhere)."""
    for r in results:
        if r.state != drift.DRIFTED:
            continue
        paths = ", ".join(c.path for c in r.changes[:6]) + (" ..." if len(r.changes) > 6 else "")
        click.echo(click.style(f"{drift.KINDS[r.kind].label} {r.name}: drifted ({paths})", bold=True))
        for line in r.diff:
            click.echo(_diff_line(line))
        click.echo()
    managed = [r for r in results if r.managed]
    rows = [
        [r.name, drift.KINDS[r.kind].label, click.style(r.state, fg=_STATE_COLORS.get(r.state))]
        for r in managed
    ]
    emit("table", None, rows, ["resource", "kind", "state"], title=f"Repository vs {source}:")
    unmanaged = [r for r in results if not r.managed]
    if unmanaged:
        click.echo("\nUnmanaged (only in the instance; not drift):")
        for kind in drift.KIND_ORDER:
            names = [r.name for r in unmanaged if r.kind == kind]
            if names:
                click.echo(f"  {drift.KINDS[kind].folder}: {', '.join(names)}")
    verdict = (
        click.style("drift found", fg="red", bold=True)
        if drift.has_drift(results)
        else click.style("in sync", fg="green", bold=True)
    )
    click.echo(
        f"\n{verdict}: {counts[drift.IN_SYNC]} in sync, {counts[drift.DRIFTED]} drifted, "
        f"{counts[drift.MISSING]} missing in instance, {counts[drift.ONLY]} only in instance (unmanaged)"
    )
