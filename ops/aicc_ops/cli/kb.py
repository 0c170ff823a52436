"""`aicc-ops kb`: the knowledge base's versions (ingest, approve, publish, rollback), its
statistics and agents' feedback (docs/knowledge.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from tabulate import tabulate

from ..admin.context import OpsContext
from ..knowledge.store import KbStore, Manifest, StoreError, default_dir
from ._options import target_options
from .kb_recommend import recommend
from .kb_search import eval_, search

F = TypeVar("F", bound=Callable[..., Any])


def _common(command: F) -> F:
    """--kb-dir and --json, on every command (so they may follow the command's arguments)."""
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)
    return click.option(
        "--kb-dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="AICC_KB_DIR",
        help="The store (default $AICC_KB_DIR, else $XDG_STATE_HOME/aicc-ops/kb).",
    )(command)


def _store(kb_dir: Path | None) -> KbStore:
    return KbStore(kb_dir or default_dir())


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


def _version_row(m: Manifest) -> list[Any]:
    return [
        m.version, m.state, len(m.documents), m.chunk_count, f"{m.created_at} {m.created_by}",
        f"{m.approved_at} {m.approved_by}" if m.approved_at else "-",
        f"{m.published_at} {m.published_by}" if m.published_at else "-",
    ]  # fmt: skip


_VERSION_HEADERS = ["version", "state", "docs", "chunks", "created", "approved", "published"]


@click.group()
def kb() -> None:
    """The knowledge base: versions, statistics and feedback (docs/knowledge.md)."""


@kb.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--by", help="Who ingests (default: the login name).")
@_common
@click.pass_context
def ingest(ctx: click.Context, folder: Path, by: str | None, kb_dir: Path | None, as_json: bool) -> None:
    """Read FOLDER's documents into a new draft version when anything changed; only new and
    changed documents are embedded. Refused files are listed (exit 1); the others are ingested."""
    with _refusals():
        report = _store(kb_dir).ingest(folder, by)
    if as_json:
        _echo_json(report.as_json())
    else:
        if report.version is None:
            click.echo(f"nothing changed: no new version ({len(report.unchanged)} documents unchanged)")
        else:
            click.echo(f"version {report.version} (draft): {report.summary()}")
        for doc_id, (declared, auto) in sorted(report.reads_like.items()):
            click.echo(f"  {doc_id}: declared {declared}, reads like {auto}")
        for doc_id in report.kept:
            click.echo(f"  {doc_id}: refused below; its previous version stays")
        for error in report.errors:
            click.echo(f"Error: {error}", err=True)
    if report.errors:
        ctx.exit(1)


@kb.command()
@click.argument("version", type=int, required=False)
@click.option("--by", help="Who approves (default: the login name).")
@_common
def approve(version: int | None, by: str | None, kb_dir: Path | None, as_json: bool) -> None:
    """Approve VERSION (default: the latest draft)."""
    with _refusals():
        m = _store(kb_dir).approve(version, by)
    _echo_json(m.as_json(documents=False)) if as_json else click.echo(
        f"version {m.version} approved by {m.approved_by}"
    )


@kb.command()
@click.argument("version", type=int, required=False)
@click.option("--by", help="Who publishes (default: the login name).")
@_common
def publish(version: int | None, by: str | None, kb_dir: Path | None, as_json: bool) -> None:
    """Publish VERSION (default: the latest approved); the published one is retired."""
    with _refusals():
        m = _store(kb_dir).publish(version, by)
    _echo_json(m.as_json(documents=False)) if as_json else click.echo(f"version {m.version} published")


@kb.command()
@click.argument("version", type=int)
@click.option("--by", help="Who rolls back (default: the login name).")
@_common
def rollback(version: int, by: str | None, kb_dir: Path | None, as_json: bool) -> None:
    """Re-publish VERSION, an earlier published version; the published one is retired."""
    with _refusals():
        m = _store(kb_dir).rollback(version, by)
    _echo_json(m.as_json(documents=False)) if as_json else click.echo(f"version {m.version} published again")


@kb.command()
@click.option("--show", "show", type=int, help="One version's documents (tags, auto tags, chunks).")
@_common
def versions(show: int | None, kb_dir: Path | None, as_json: bool) -> None:
    """The versions and their states, or one version's documents."""
    store = _store(kb_dir)
    with _refusals():
        if show is not None:
            m = store.manifest(show)
            if as_json:
                _echo_json(m.as_json())
                return
            click.echo(tabulate([_version_row(m)], _VERSION_HEADERS))
            rows = [
                [doc_id, e.category, e.auto_category or "-", ", ".join(e.tags), ", ".join(e.auto_tags),
                 len(e.chunk_ids)]
                for doc_id, e in sorted(m.documents.items())
            ]  # fmt: skip
            click.echo()
            click.echo(tabulate(rows, ["document", "category", "reads like", "tags", "auto tags", "chunks"]))
            return
    found = store.versions()
    if as_json:
        _echo_json([m.as_json(documents=False) for m in found])
    elif not found:
        click.echo(f"no versions in {store.root}: aicc-ops kb ingest DIR")
    else:
        click.echo(tabulate([_version_row(m) for m in found], _VERSION_HEADERS))


@kb.command()
@_common
def stats(kb_dir: Path | None, as_json: bool) -> None:
    """Documents, chunks, categories, and per document its usage and feedback."""
    with _refusals():
        data = _store(kb_dir).stats()
    if as_json:
        _echo_json(data)
        return
    click.echo(
        f"version {data['version']} ({data['state']}): {data['documents']} documents, {data['chunks']} chunks"
    )
    click.echo(", ".join(f"{cat} {n}" for cat, n in data["per_category"].items()))
    click.echo()
    keys = ["doc_id", "category", "retrieved", "answered", "useful", "not_useful"]
    rows = [[r[k] for k in keys] + [", ".join(r["auto_tags"])] for r in data["usage"]]
    headers = ["document", "category", "retrieved", "answered", "useful", "not useful", "auto tags"]
    click.echo(tabulate(rows, headers))
    click.echo()
    click.echo(f"most used:  {', '.join(data['most_used'])}")
    click.echo(f"least used: {', '.join(data['least_used'])}")


@kb.command()
@click.option("--contact", "contact_id", required=True, help="The contact the document was shown for.")
@click.option("--doc", "doc_id", required=True, help="The document's id.")
@click.option("--useful/--not-useful", default=None, help="The verdict (one of the two is required).")
@click.option("--by", help="Who gives it (an agent's login).")
@_common
def feedback(
    contact_id: str, doc_id: str, useful: bool | None, by: str | None, kb_dir: Path | None, as_json: bool
) -> None:
    """Record whether a document was useful for a contact (counted in kb stats)."""
    if useful is None:
        raise click.UsageError("give --useful or --not-useful")
    with _refusals():
        _store(kb_dir).record_feedback(contact_id, doc_id, useful, by)
    verdict = "useful" if useful else "not useful"
    if as_json:
        _echo_json({"contact_id": contact_id, "doc_id": doc_id, "useful": useful, "by": by})
    else:
        click.echo(f"recorded: {doc_id} {verdict} for contact {contact_id}")


# Search and its evaluation (kb_search.py) and agents' recommendations (kb_recommend.py) live
# beside the versions: one `kb` group.
kb.add_command(search)
kb.add_command(eval_)
kb.add_command(recommend)


@kb.command()
@click.option("--wait", is_flag=True, help="Wait until Bedrock has ingested the documents.")
@target_options
@_common
def sync(ops: OpsContext, wait: bool, kb_dir: Path | None, as_json: bool) -> None:
    """Deliver the published version to --env's Bedrock knowledge base: its S3 data source holds
    exactly that version's documents (with their .metadata.json), then an ingestion job starts."""
    from ..admin.knowledge_sync import SyncError
    from ..admin.knowledge_sync import sync as deliver

    with _refusals():
        try:
            report = deliver(ops, _store(kb_dir), wait=wait)
        except SyncError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json(report.as_json())
        return
    if not report.job_id:
        where = f"s3://{report.bucket}/{report.prefix}"
        click.echo(f"version {report.version} is in {where} already: nothing to do")
        return
    click.echo(
        f"version {report.version}: {len(report.uploaded)} documents put in "
        f"s3://{report.bucket}/{report.prefix}, {len(report.deleted)} objects removed; "
        f"ingestion job {report.job_id} {report.job_status}"
    )
