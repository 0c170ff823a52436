"""The versioned knowledge base store: ingestion with change detection, versions (draft ->
approved -> published -> retired), rollback, and the usage and feedback counts.

Layout of the store directory (`--kb-dir`, $AICC_KB_DIR, else $XDG_STATE_HOME/aicc-ops/kb):

    v0001/manifest.json   number, state, who did what when, per document its digest, title,
                          category, tags, auto tags, auto category and chunk ids
    v0001/chunks.json     the chunks in order
    v0001/vectors.npy     their e5 "passage" vectors, row-aligned with chunks.json
    usage.sqlite3         usage and feedback counts (sqlite serialises concurrent writers)
    .lock                 held while a command changes versions (one writer at a time)

A version is written in a temporary directory and renamed into place, and a manifest is rewritten
as a temporary file renamed over the old one: a crash leaves the old state or the new one, never
half of a version. Versions are immutable apart from their state.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .chunking import chunk_document, passage_text
from .documents import Chunk, Document, DocumentError, read_folder
from .tagging import auto_categories, auto_tags

ENV = "AICC_KB_DIR"
SOURCES = "sources"  # a version's documents as ingested, one <id>.md each
State = Literal["draft", "approved", "published", "retired"]
UsageKind = Literal["retrieved", "answered"]
USAGE_KINDS: tuple[UsageKind, ...] = ("retrieved", "answered")
Embedder = Callable[[Sequence[str]], NDArray[np.float32]]
_VERSION_DIR = "v{:04d}"


class StoreError(Exception):
    """A store operation refused: the message says why and what to do."""


def default_dir() -> Path:
    """$AICC_KB_DIR, else $XDG_STATE_HOME/aicc-ops/kb, else ~/.local/state/aicc-ops/kb."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "aicc-ops" / "kb"


def e5_passages(texts: Sequence[str]) -> NDArray[np.float32]:
    from ..engine.embeddings import embed  # here: it loads numpy's e5 engine only when embedding

    return embed(texts, "passage")


@dataclass(frozen=True)
class DocEntry:
    digest: str
    title: str
    category: str
    tags: tuple[str, ...]
    auto_tags: tuple[str, ...]
    auto_category: str | None
    updated: str
    chunk_ids: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    version: int
    state: State
    created_at: str
    created_by: str
    documents: dict[str, DocEntry]
    approved_at: str | None = None
    approved_by: str | None = None
    published_at: str | None = None
    published_by: str | None = None
    retired_at: str | None = None

    @property
    def chunk_count(self) -> int:
        return sum(len(d.chunk_ids) for d in self.documents.values())

    def as_json(self, documents: bool = True) -> dict[str, Any]:
        data = asdict(self)
        data["chunks"] = self.chunk_count
        if documents:
            data["documents"] = {k: asdict(v) for k, v in sorted(self.documents.items())}
        else:
            data["documents"] = len(self.documents)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        docs = {
            k: DocEntry(**{**v, "tags": tuple(v["tags"]), "auto_tags": tuple(v["auto_tags"]),
                           "chunk_ids": tuple(v["chunk_ids"])})
            for k, v in data["documents"].items()
        }  # fmt: skip
        return cls(**{**{k: v for k, v in data.items() if k != "chunks"}, "documents": docs})


@dataclass
class IngestReport:
    version: int | None  # None: nothing changed, no version made
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # refused files whose previous version stays
    embedded: int = 0
    errors: list[DocumentError] = field(default_factory=list)
    reads_like: dict[str, tuple[str, str]] = field(default_factory=dict)  # id: (declared, auto)

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged; {self.embedded} chunks embedded"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "new": self.new,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "embedded": self.embedded,
            "reads_like": {k: {"declared": d, "auto": a} for k, (d, a) in self.reads_like.items()},
            "errors": [{"file": str(e.path), "field": e.field, "problem": e.problem} for e in self.errors],
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _user(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KbStore:
    """One store directory. Reads need no lock (every file is replaced whole); changes take the
    store's lock, so two ingests at once make one version after the other."""

    def __init__(self, root: Path, embedder: Embedder | None = None) -> None:
        self.root = root
        self.embedder = embedder or e5_passages
        self._schema = False  # the usage tables are created on first use

    # -- reading ---------------------------------------------------------------------------------

    def versions(self) -> list[Manifest]:
        if not self.root.is_dir():
            return []
        dirs = sorted(p for p in self.root.glob("v[0-9][0-9][0-9][0-9]") if p.is_dir())
        return [self._read_manifest(p) for p in dirs if (p / "manifest.json").is_file()]

    def manifest(self, version: int) -> Manifest:
        path = self._dir(version) / "manifest.json"
        if not path.is_file():
            known = ", ".join(str(m.version) for m in self.versions()) or "none yet"
            raise StoreError(f"no version {version} in {self.root} (versions: {known})")
        return self._read_manifest(path.parent)

    def latest(self) -> Manifest | None:
        found = self.versions()
        return found[-1] if found else None

    def published(self) -> Manifest | None:
        """The published version (were a crash to leave two, the one published last)."""
        live = [m for m in self.versions() if m.state == "published"]
        return max(live, key=lambda m: (m.published_at or "", m.version)) if live else None

    def chunks(self, version: int) -> tuple[list[Chunk], NDArray[np.float32]]:
        """A version's chunks and their vectors, row-aligned."""
        self.manifest(version)  # a clear error for an unknown version
        folder = self._dir(version)
        rows = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        vectors = np.load(folder / "vectors.npy", allow_pickle=False).astype(np.float32, copy=False)
        return [Chunk(**r) for r in rows], vectors

    def sources(self, version: int) -> dict[str, str]:
        """Each document of `version` as its file was when ingested: id -> Markdown."""
        m = self.manifest(version)
        folder = self._dir(version) / SOURCES
        return {d: (folder / f"{d}.md").read_text(encoding="utf-8") for d in sorted(m.documents)}

    def published_index(self) -> tuple[list[Chunk], NDArray[np.float32]]:
        """What `HybridIndex(chunks, vectors)` is built from: the published version's chunks."""
        live = self.published()
        if live is None:
            raise StoreError(f"no published version in {self.root}: kb ingest, approve, publish")
        return self.chunks(live.version)

    # -- ingestion -------------------------------------------------------------------------------

    def ingest(self, folder: Path, by: str | None = None) -> IngestReport:
        """A new draft version from `folder` when anything differs from the latest version; the
        documents whose digest is unchanged keep their chunks and vectors."""
        try:
            docs, errors = read_folder(folder)
        except FileNotFoundError as exc:
            raise StoreError(str(exc)) from None
        with self._locked():
            return self._ingest(docs, errors, by)

    def _ingest(self, docs: list[Document], errors: list[DocumentError], by: str | None) -> IngestReport:
        latest = self.latest()
        before = latest.documents if latest else {}
        old_chunks: dict[str, Chunk] = {}
        old_rows: dict[str, NDArray[np.float32]] = {}
        if latest:
            chunks, vectors = self.chunks(latest.version)
            old_chunks = {c.chunk_id: c for c in chunks}
            old_rows = {c.chunk_id: v for c, v in zip(chunks, vectors, strict=True)}
        # chunk what is new or changed; a document with no text under its headings is refused
        fresh: list[Chunk] = []
        for doc in docs:
            entry = before.get(doc.doc_id)
            if entry is None or entry.digest != doc.digest:
                pieces = chunk_document(doc)
                if not pieces:
                    errors.append(DocumentError(doc.path, "body", "no text under its headings"))
                fresh.extend(pieces)
        current = {d.doc_id: d for d in docs if d.path not in {e.path for e in errors}}
        report = IngestReport(None, errors=errors)
        # A refused file keeps its document's previous version: a typo must not empty a topic.
        refused = {e.path.stem for e in errors}
        report.kept = sorted(refused & set(before))
        if not current and not report.kept:
            listed = "".join(f"\n  {e}" for e in errors)
            raise StoreError(f"no valid document to ingest: nothing changed{listed}")
        for doc_id in sorted(current):
            entry = before.get(doc_id)
            if entry is None:
                report.new.append(doc_id)
            elif entry.digest != current[doc_id].digest:
                report.changed.append(doc_id)
            else:
                report.unchanged.append(doc_id)
        report.removed = sorted(set(before) - set(current) - refused)
        if latest and not (report.new or report.changed or report.removed):
            return report  # idempotent: the same files make no version and touch nothing
        # unchanged documents keep their chunks and vectors; only the fresh chunks are embedded
        chunk_lists: dict[str, list[Chunk]] = {}
        vector_lists: dict[str, NDArray[np.float32]] = {}
        for doc_id in [*report.unchanged, *report.kept]:
            ids = before[doc_id].chunk_ids
            chunk_lists[doc_id] = [old_chunks[c] for c in ids]
            vector_lists[doc_id] = np.stack([old_rows[c] for c in ids])
        if fresh:
            vectors = np.asarray(self.embedder([passage_text(c) for c in fresh]), dtype=np.float32)
            report.embedded = len(fresh)
            rows: dict[str, list[NDArray[np.float32]]] = {}
            for c, v in zip(fresh, vectors, strict=True):
                chunk_lists.setdefault(c.doc_id, []).append(c)
                rows.setdefault(c.doc_id, []).append(v)
            vector_lists.update((d, np.stack(r)) for d, r in rows.items())
        order = sorted(chunk_lists)
        # auto tags over the whole new corpus (the refused files' previous text is not at hand:
        # they keep their previous auto tags)
        tags = auto_tags([current[d] for d in order if d in current])
        categories = {d: current[d].category if d in current else before[d].category for d in order}
        reads_like = auto_categories(categories, vector_lists)
        entries: dict[str, DocEntry] = {}
        for doc_id in order:
            if doc_id in current:
                doc = current[doc_id]
                entries[doc_id] = DocEntry(
                    doc.digest, doc.title, doc.category, doc.tags, tags[doc_id], reads_like[doc_id],
                    doc.updated.isoformat(), tuple(c.chunk_id for c in chunk_lists[doc_id]),
                )  # fmt: skip
            else:
                entries[doc_id] = replace(before[doc_id], auto_category=reads_like[doc_id])
            auto = entries[doc_id].auto_category
            if auto is not None and auto != entries[doc_id].category:
                report.reads_like[doc_id] = (entries[doc_id].category, auto)
        number = latest.version + 1 if latest else 1
        manifest = Manifest(number, "draft", _now(), _user(by), entries)
        all_chunks = [c for d in order for c in chunk_lists[d]]
        all_vectors = np.vstack([vector_lists[d] for d in order]).astype(np.float32)
        # The files as ingested: what a publish uploads to Bedrock's data source, and a rollback
        # uploads again (a refused file keeps its previous version's text).
        previous = self.sources(latest.version) if latest and report.kept else {}
        sources = {
            d: current[d].path.read_text(encoding="utf-8") if d in current else previous[d] for d in order
        }
        self._write_version(manifest, all_chunks, all_vectors, sources)
        report.version = number
        return report

    def _write_version(
        self,
        manifest: Manifest,
        chunks: list[Chunk],
        vectors: NDArray[np.float32],
        sources: dict[str, str],
    ) -> None:
        target = self._dir(manifest.version)
        tmp = Path(tempfile.mkdtemp(dir=self.root, prefix=f".tmp-{target.name}-"))
        try:
            (tmp / SOURCES).mkdir()
            for doc_id, text in sources.items():
                (tmp / SOURCES / f"{doc_id}.md").write_text(text, encoding="utf-8")
            rows = [asdict(c) for c in chunks]
            (tmp / "chunks.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            with (tmp / "vectors.npy").open("wb") as f:
                np.save(f, vectors, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())
            (tmp / "manifest.json").write_text(_dumps(manifest), encoding="utf-8")
            os.rename(tmp, target)  # atomic: the version appears whole or not at all
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    # -- states ----------------------------------------------------------------------------------

    def approve(self, version: int | None = None, by: str | None = None) -> Manifest:
        """draft -> approved (default: the latest draft)."""
        with self._locked():
            m = self._pick(version, "draft", "no draft to approve: kb ingest makes one")
            if m.state != "draft":
                raise StoreError(f"version {m.version} is {m.state}: only a draft can be approved")
            approved = replace(m, state="approved", approved_at=_now(), approved_by=_user(by))
            self._save(approved)
            return approved

    def publish(self, version: int | None = None, by: str | None = None) -> Manifest:
        """approved -> published (default: the latest approved); the published one retires."""
        with self._locked():
            m = self._pick(version, "approved", "no approved version to publish: kb approve first")
            if m.state == "draft":
                raise StoreError(f"version {m.version} is a draft: approve it first (kb approve {m.version})")
            if m.state == "published":
                raise StoreError(f"version {m.version} is already published")
            if m.state == "retired":
                raise StoreError(f"version {m.version} is retired: kb rollback {m.version} re-publishes it")
            return self._make_live(m, by)

    def rollback(self, version: int, by: str | None = None) -> Manifest:
        """Re-publish an earlier version that was published once."""
        with self._locked():
            m = self.manifest(version)
            if m.state == "published":
                raise StoreError(f"version {version} is already published")
            if m.published_at is None:
                raise StoreError(
                    f"version {version} is {'a draft' if m.state == 'draft' else m.state} and was "
                    "never published: rollback only re-publishes an earlier published version "
                    f"(kb versions lists them; kb approve / kb publish release a new one)"
                )
            return self._make_live(m, by)

    def _make_live(self, m: Manifest, by: str | None) -> Manifest:
        now = _now()
        live = replace(m, state="published", published_at=now, published_by=_user(by), retired_at=None)
        previous = [v for v in self.versions() if v.state == "published" and v.version != m.version]
        # the new one first: a crash in between leaves two published and `published()` takes the
        # newer, never none
        self._save(live)
        for old in previous:
            self._save(replace(old, state="retired", retired_at=now))
        return live

    def _pick(self, version: int | None, state: State, none: str) -> Manifest:
        if version is not None:
            return self.manifest(version)
        found = [m for m in self.versions() if m.state == state]
        if not found:
            raise StoreError(none)
        return found[-1]

    # -- usage and feedback ----------------------------------------------------------------------

    def record_usage(self, doc_ids: Sequence[str], kind: UsageKind) -> None:
        """Count documents retrieved for, or answered from (safe from threads and processes)."""
        if kind not in USAGE_KINDS:
            raise StoreError(f"usage kind {kind!r}: one of {', '.join(USAGE_KINDS)}")
        with self._db() as db:
            db.executemany(
                "INSERT INTO usage (doc_id, kind, n) VALUES (?, ?, 1) "
                "ON CONFLICT (doc_id, kind) DO UPDATE SET n = n + 1",
                [(d, kind) for d in doc_ids],
            )

    def record_feedback(self, contact_id: str, doc_id: str, useful: bool, by: str | None = None) -> None:
        """An agent's verdict on a recommended document; the document must be in the published
        version."""
        live = self.published()
        if live is None:
            raise StoreError(f"no published version in {self.root}: nothing to give feedback on")
        if doc_id not in live.documents:
            raise StoreError(
                f"document {doc_id!r} is not in the published version {live.version} "
                "(kb stats lists its documents)"
            )
        if not contact_id.strip():
            raise StoreError("feedback needs the contact id")
        with self._db() as db:
            db.execute(
                "INSERT INTO feedback (contact_id, doc_id, useful, by, at) VALUES (?, ?, ?, ?, ?)",
                (contact_id, doc_id, int(useful), by, _now()),
            )

    def stats(self, top: int = 5) -> dict[str, Any]:
        """The published version (else the latest) with each document's usage and feedback."""
        m = self.published() or self.latest()
        if m is None:
            raise StoreError(f"the knowledge base in {self.root} is empty: kb ingest DIR first")
        counts: Counter[tuple[str, str]] = Counter()
        if (self.root / "usage.sqlite3").exists():
            with self._db() as db:
                for doc_id, kind, n in db.execute("SELECT doc_id, kind, n FROM usage"):
                    counts[doc_id, kind] = n
                for doc_id, useful, n in db.execute(
                    "SELECT doc_id, useful, COUNT(*) FROM feedback GROUP BY doc_id, useful"
                ):
                    counts[doc_id, "useful" if useful else "not_useful"] = n
        kinds = ("retrieved", "answered", "useful", "not_useful")
        rows = [
            {"doc_id": d, "title": e.title, "category": e.category, "auto_tags": list(e.auto_tags),
             "chunks": len(e.chunk_ids), **{k: counts[d, k] for k in kinds}}
            for d, e in sorted(m.documents.items())
        ]  # fmt: skip
        uses = {d: counts[d, "retrieved"] + counts[d, "answered"] for d in m.documents}
        by_use = sorted(uses, key=lambda d: (-uses[d], d))
        return {
            "version": m.version,
            "state": m.state,
            "documents": len(rows),
            "chunks": m.chunk_count,
            "per_category": dict(sorted(Counter(e.category for e in m.documents.values()).items())),
            "usage": rows,
            "most_used": [d for d in by_use[:top] if uses[d]],
            "least_used": sorted(uses, key=lambda d: (uses[d], d))[:top],
        }

    # -- files -----------------------------------------------------------------------------------

    def _dir(self, version: int) -> Path:
        return self.root / _VERSION_DIR.format(version)

    def _read_manifest(self, folder: Path) -> Manifest:
        return Manifest.from_json(json.loads((folder / "manifest.json").read_text(encoding="utf-8")))

    def _save(self, manifest: Manifest) -> None:
        _write_atomic(self._dir(manifest.version) / "manifest.json", _dumps(manifest))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes, even on a crash
            for leftover in self.root.glob(".tmp-v*"):  # a crashed ingest's half version
                shutil.rmtree(leftover, ignore_errors=True)
            yield

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection per call (sqlite connections are not shared across threads); sqlite's
        own locking serialises writers, and the busy timeout waits for a writer to finish."""
        self.root.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.root / "usage.sqlite3", timeout=30)
        try:
            if not self._schema:
                db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
                db.execute(
                    "CREATE TABLE IF NOT EXISTS usage (doc_id TEXT, kind TEXT, n INTEGER NOT NULL, "
                    "PRIMARY KEY (doc_id, kind))"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS feedback (contact_id TEXT NOT NULL, "
                    "doc_id TEXT NOT NULL, useful INTEGER NOT NULL, by TEXT, at TEXT NOT NULL)"
                )
                self._schema = True
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()


def _dumps(manifest: Manifest) -> str:
    return json.dumps(manifest.as_json(), ensure_ascii=False, indent=1) + "\n"
