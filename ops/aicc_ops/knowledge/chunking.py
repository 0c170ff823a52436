"""Documents cut into searchable chunks along their own structure, with a Korean sentence splitter.

A chunk never crosses a `##` section (a section is one topic: "즉시 할 일", "피해 범위 확인") and
never cuts a sentence: kiwipiepy's sentence splitter knows Korean endings (습니다, 해요, 십시오)
and keeps numbered steps, versions and amounts whole, which a split on "." does not. A section
longer than MAX_CHARS is packed sentence by sentence into chunks that overlap by one sentence, so a
step that depends on the one before is found with it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

from .documents import Chunk, Document

MAX_CHARS = 360  # a knowledge section is 100-300 characters: most stay one chunk
_HEADING = re.compile(r"^#{1,6}\s+(.*\S)\s*$")
_lock = threading.Lock()


@cache
def kiwi() -> Any:
    """The process's Korean analyser (kiwipiepy, its model from kiwipiepy-model: no download)."""
    from kiwipiepy import Kiwi  # here: it loads a 100 MB model, and only the knowledge paths need it

    return Kiwi()


def morphemes(text: str) -> list[Any]:
    """kiwipiepy's tokens of `text` (form, tag, start, len), under the process's one analyser."""
    with _lock:
        return list(kiwi().tokenize(text))


def passage_text(chunk: Chunk) -> str:
    """What a chunk's vector embeds (e5 "passage"): its document's title and section give it the
    topic it belongs to."""
    return f"{chunk.title}\n{chunk.section}\n{chunk.text}"


def sentences(text: str) -> list[str]:
    """The text's sentences, in order, each stripped."""
    with _lock:  # one analyser per process; its calls are not documented as thread-safe
        found = kiwi().split_into_sents(text)
    return [s.text.strip() for s in found if s.text.strip()]


def sections(body: str) -> Iterator[tuple[str, str]]:
    """(heading, text) per `##` section in order; text before the first heading has heading ""."""
    heading, lines = "", list[str]()
    for line in body.splitlines():
        found = _HEADING.match(line)
        if found:
            if "".join(lines).strip():
                yield heading, "\n".join(lines).strip()
            heading, lines = found.group(1), []
        else:
            lines.append(line)
    if "".join(lines).strip():
        yield heading, "\n".join(lines).strip()


def _packed(parts: list[str], limit: int) -> Iterator[str]:
    """Consecutive sentences joined up to `limit` characters; each later chunk repeats the last
    sentence of the one before. A sentence longer than the limit is a chunk on its own."""
    current: list[str] = []
    for sentence in parts:
        if current and len(" ".join([*current, sentence])) > limit:
            yield " ".join(current)
            current = current[-1:] if len(current) > 1 else []
        current.append(sentence)
    if current:
        yield " ".join(current)


def chunk_document(doc: Document, limit: int = MAX_CHARS) -> list[Chunk]:
    """The document's chunks in reading order, `chunk_id` `<doc_id>#<n>`."""
    texts: list[tuple[str, str]] = []
    for heading, text in sections(doc.body):
        pieces = [text] if len(text) <= limit else list(_packed(sentences(text), limit))
        texts.extend((heading, piece) for piece in pieces)
    return [
        Chunk(f"{doc.doc_id}#{n}", doc.doc_id, doc.title, heading, text)
        for n, (heading, text) in enumerate(texts)
    ]
