"""The knowledge base's documents: Markdown files with a YAML front matter block.

The format is the knowledge base's own README (shared/data/kb/README.md): `id` (kebab-case, equal
to the file name), `title`, `category` (one of CATEGORIES), `tags` (3-6), `updated` (YYYY-MM-DD),
then a Korean Markdown body in `##` sections. A file that breaks the format is refused with an
error naming the file and the field; `read_folder` reads the others and reports the refused ones,
so one bad file never stops an ingestion. README.md describes the format and is no document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from ..core.repository import REPO_ROOT

CATEGORIES = ("incident", "technical", "billing", "account", "security", "process", "contract")
TAGS_MIN, TAGS_MAX = 3, 6
SKIPPED = frozenset({"README.md"})
MAX_BYTES = 1_000_000  # a knowledge document is 250-700 characters; a megabyte is a mistake
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DocumentError(ValueError):
    """A document the knowledge base refuses: which file, which field, what to fix."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path, self.field, self.problem = path, field, problem


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    category: str
    tags: tuple[str, ...]
    updated: dt.date
    body: str
    path: Path

    @property
    def digest(self) -> str:
        """The content's fingerprint (front matter and body): what change detection compares."""
        meta = f"{self.title}\n{self.category}\n{'|'.join(self.tags)}\n{self.updated.isoformat()}\n"
        return hashlib.sha256((meta + self.body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A searchable piece of a document: `chunk_id` is `<doc_id>#<n>`, n from 0 in reading order;
    `section` the `##` heading it sits under ("" before the first)."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str


def read_document(path: Path) -> Document:
    """One document, validated; DocumentError names the field that is wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(path, "file", f"cannot be read ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise DocumentError(path, "file", f"{size:,} bytes; a document is at most {MAX_BYTES:,}")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentError(path, "file", "is not UTF-8 text") from None
    if not raw.lstrip("\ufeff").startswith("---"):
        raise DocumentError(path, "front matter", "missing: the file must start with a --- block")
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise DocumentError(path, "front matter", f"is not valid YAML{line}") from None
    except ValueError as exc:  # PyYAML reads `2026-13-40` as a date and fails building it
        raise DocumentError(
            path, "front matter", f"a value YAML cannot read ({exc}); dates are YYYY-MM-DD"
        ) from None
    return _validated(path, dict(post.metadata), post.content)


def _validated(path: Path, meta: dict[str, Any], body: str) -> Document:
    doc_id = meta.get("id")
    if not isinstance(doc_id, str) or not _ID.match(doc_id):
        raise DocumentError(path, "id", "required, a kebab-case slug such as ec2-instance-unreachable")
    if doc_id != path.stem:
        raise DocumentError(path, "id", f"{doc_id!r} differs from the file name {path.name!r}")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise DocumentError(path, "title", "required, a non-empty text")
    category = meta.get("category")
    if category not in CATEGORIES:
        raise DocumentError(path, "category", f"{category!r}; one of {', '.join(CATEGORIES)}")
    tags = meta.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str | int) and str(t).strip() for t in tags):
        raise DocumentError(path, "tags", "required, a list such as [EC2, SSH, 보안그룹]")
    if not TAGS_MIN <= len(tags) <= TAGS_MAX:
        raise DocumentError(path, "tags", f"{len(tags)} tags; give {TAGS_MIN} to {TAGS_MAX}")
    updated = meta.get("updated")
    if isinstance(updated, str):
        try:
            updated = dt.date.fromisoformat(updated)
        except ValueError:
            updated = None
    if not isinstance(updated, dt.date) or isinstance(updated, dt.datetime):
        raise DocumentError(path, "updated", "required, a date YYYY-MM-DD")
    if not body.strip():
        raise DocumentError(path, "body", "empty: a document needs text under its front matter")
    return Document(
        doc_id, title.strip(), category, tuple(str(t).strip() for t in tags), updated, body.strip(), path
    )


def default_folder() -> Path:
    """The support line's documents: $AICC_SHARED_DIR/data/kb, else ../shared/data/kb beside the
    repository (where the shared data lives next to a checkout)."""
    shared = os.environ.get("AICC_SHARED_DIR")
    return (Path(shared) if shared else REPO_ROOT.parent / "shared") / "data" / "kb"


def document_files(folder: Path) -> list[Path]:
    """The folder's documents (*.md but README.md), in name order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    return sorted(p for p in folder.glob("*.md") if p.name not in SKIPPED and p.is_file())


def read_folder(folder: Path) -> tuple[list[Document], list[DocumentError]]:
    """Every document of the folder: (the valid ones, the errors of the others). Ids are unique
    within a folder: each equals its file's name."""
    docs: list[Document] = []
    errors: list[DocumentError] = []
    for path in document_files(folder):
        try:
            docs.append(read_document(path))
        except DocumentError as exc:
            errors.append(exc)
    return docs, errors


def by_id(docs: Iterable[Document]) -> dict[str, Document]:
    return {d.doc_id: d for d in docs}
