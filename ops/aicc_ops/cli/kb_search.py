"""`aicc-ops kb search` and `aicc-ops kb eval`: the local hybrid knowledge search, and its
retrieval quality on labelled questions beside the character n-gram TF-IDF baseline.

The commands are `search` and `eval_` (named "eval") for the `kb` group. The index is built from
the documents of --docs (default $AICC_SHARED_DIR/data/kb, else ../shared/data/kb beside the
repository); the chunks' embeddings are cached on disk by content, so a second search is fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tabulate import tabulate

from ._errors import OpsError

if TYPE_CHECKING:
    from ..knowledge.documents import Document
    from ..knowledge.search import HybridIndex


docs_option = click.option(
    "--docs",
    "docs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of knowledge documents (default: $AICC_SHARED_DIR/data/kb, else ../shared/data/kb).",
)


def _index(docs_dir: Path | None) -> tuple[list[Document], HybridIndex]:
    from ..knowledge.documents import default_folder, read_folder
    from ..knowledge.search import HybridIndex

    folder = docs_dir or default_folder()
    try:
        docs, errors = read_folder(folder)
    except FileNotFoundError as exc:
        raise OpsError(str(exc), hint="give the knowledge documents' folder with --docs DIR") from None
    for error in errors:  # one bad file never hides the others
        click.echo(f"skipped {error}", err=True)
    if not docs:
        raise OpsError(f"{folder}: no knowledge document", hint="give a folder of *.md documents with --docs")
    return docs, HybridIndex.from_documents(docs)


@click.command()
@click.argument("query")
@click.option("--top", type=click.IntRange(1, 50), default=5, show_default=True, help="Documents to list.")
@click.option("--json", "as_json", is_flag=True, help='Print [{"doc_id", "title", "score", "text"}] as JSON.')
@docs_option
def search(query: str, top: int, as_json: bool, docs_dir: Path | None) -> None:
    """The knowledge documents that answer QUERY (a caller's question), best first."""
    if not query.strip():
        raise click.UsageError('QUERY is empty: give the caller\'s question, e.g. "알디에스가 느려요"')
    hits = _index(docs_dir)[1].search(query, top)
    if as_json:
        rows = [{"doc_id": h.doc_id, "title": h.title, "score": h.score, "text": h.text} for h in hits]
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = [[i, h.doc_id, h.title, f"{h.score:.3f}", _short(h.text)] for i, h in enumerate(hits, 1)]
    click.echo(tabulate(table, headers=["#", "doc_id", "title", "score", "text"]))


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@click.command("eval")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (recall@1, mrr, ...).")
@docs_option
def eval_(file: Path, as_json: bool, docs_dir: Path | None) -> None:
    """Recall@1, recall@5, MRR and latency on FILE.jsonl (lines {"q": question, "doc": id}), with
    the character n-gram TF-IDF baseline on the same questions."""
    from ..knowledge.evaluate import QuestionsError, TfidfBaseline, evaluate, read_questions

    docs, index = _index(docs_dir)
    known = [d.doc_id for d in docs]
    try:
        questions = read_questions(file, known)
    except QuestionsError as exc:
        raise OpsError(str(exc), hint='each line: {"q": "question", "doc": "document-id"}') from None
    index.search(questions[0].q)  # warm: the first call loads the encoder
    hybrid = evaluate(lambda q: [h.doc_id for h in index.search(q, 10)], questions)
    baseline = evaluate(TfidfBaseline(docs).ranked, questions)
    if as_json:
        click.echo(json.dumps({"method": "hybrid", **hybrid.as_json(), "baseline": baseline.as_json()}))
        return
    click.echo(f"{file}: {hybrid.questions} questions")
    rows = [
        [
            name,
            f"{s.recall_at_1:.3f}",
            f"{s.recall_at_5:.3f}",
            f"{s.mrr:.3f}",
            f"{s.p50_ms:.1f}",
            f"{s.p95_ms:.1f}",
        ]
        for name, s in (("hybrid (BM25 + e5, reranked)", hybrid), ("baseline: char n-gram TF-IDF", baseline))
    ]
    click.echo(tabulate(rows, headers=["method", "recall@1", "recall@5", "MRR", "p50 ms", "p95 ms"]))
