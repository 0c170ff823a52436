"""`aicc-ops kb recommend`: what an agent should read for a live contact on the local stack (the
agent's verdict on a document: `kb feedback`, in kb.py)."""

from __future__ import annotations

from pathlib import Path

import click

from ._options import emit, running_server, state_dir_option


@click.command("recommend")
@click.option("--contact", "contact_id", required=True, help="Contact ID of a call on the local stack.")
@click.option("--top", type=click.IntRange(1, 10), default=3, show_default=True, help="Documents to show.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option(
    "--kb-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="AICC_KB_DIR",
    help="The knowledge store (default $AICC_KB_DIR, else $XDG_STATE_HOME/aicc-ops/kb).",
)
@state_dir_option
def recommend(contact_id: str, top: int, as_json: bool, kb_dir: Path | None, state_dir: Path | None) -> None:
    """The documents and a suggested answer for a live contact, from what the caller has said.

    \b
    Example:
      aicc-ops kb recommend --contact 4a573372-1f28-4e26-b97b-000000000001 --json
    """
    from ..knowledge.local import knowledge_backends
    from ..knowledge.recommend import NoQuestionError
    from ..knowledge.recommend import recommend as recommend_for
    from ..knowledge.store import KbStore, default_dir
    from ..local.call_client import CallApiError, CallClient

    client = CallClient(running_server(state_dir).calls_endpoint)
    try:
        call = client.get(contact_id)
    except CallApiError as exc:
        raise click.ClickException(
            f"contact {contact_id}: {exc} (the contact IDs: aicc-ops local status)"
        ) from None
    try:
        # an agent's look-up is not the bot's use: not counted in kb stats
        found = recommend_for(
            call, *knowledge_backends(KbStore(kb_dir or default_dir()), counted=False), top=top
        )
    except NoQuestionError as exc:
        raise click.ClickException(f"{exc}; ask again once the caller has said what they need") from None
    if as_json:
        emit("json", found.to_json())
        return
    click.echo(f"Caller said: {found.query}")
    rows = [[n, p.doc_id, p.title, f"{p.score:.3f}"] for n, p in enumerate(found.documents, 1)]
    emit("table", None, rows, ["#", "doc_id", "title", "score"])
    if found.suggested is not None:
        click.echo(f"Suggested answer ({found.suggested.confidence:.2f}): {found.suggested.text}")
