"""Hybrid retrieval: BM25 over jieba tokens + dense e5 similarity, fused by reciprocal rank.

Components in the Haystack 2 manner: each index is a small object with typed results; `HybridIndex` composes
them over *slots* (row numbers shared by both indexes) and is what the knowledge base and the evaluation use.

Changes are visible to the very next search without rebuilding anything large:
- dense: an entry's vector is written into its slot (vectors cached by content hash, never re-encoded);
- BM25: bm25s precomputes a sparse score matrix, which is fast to query (< 1 ms at 100k) but slow to build
  (~12 s at 100k on 2 cores). So the matrix is an immutable snapshot and every slot added or changed since is
  kept in a small *overlay* scored with the same Lucene BM25 formula and the snapshot's statistics. When the
  overlay outgrows a threshold the writer that crossed it rebuilds the snapshot outside the lock: searches go
  on meanwhile on the old snapshot + overlay.
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Callable, Collection, Iterable, Protocol, Sequence

import bm25s
import numpy as np

from appeal.config import centre_today

Tokenizer = Callable[[str], list[str]]
_NEVER = np.iinfo(np.int32).max
DENSE_CHARS = 512  # e5 reads the first 512 characters of a document (bench/RESULTS.md: the whole reply does worse)


class Encoder(Protocol):
    """What dense retrieval needs from the e5 encoder: L2-normalised float32 rows."""

    @property
    def fingerprint(self) -> str: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class VectorCache(Protocol):
    def cached_vectors(self, keys: list[str]) -> dict[str, bytes]: ...

    def cache_vectors(self, vectors: dict[str, bytes]) -> None: ...


@dataclass(frozen=True)
class Doc:
    """What the index needs of an entry."""

    id: str
    text: str
    valid_from: date | None = None
    valid_to: date | None = None
    group: str = ""  # what a search may be narrowed to (an entry's source: the centre's FAQ or past cases)


@dataclass(frozen=True)
class Ranked:
    """One document of a fused ranking, with what each method said about it (rank from 1; None = not in
    that method's candidate list)."""

    id: str
    score: float
    bm25_rank: int | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    dense_score: float | None = None


@dataclass(frozen=True)
class Rankings:
    bm25: list[tuple[str, float]]
    dense: list[tuple[str, float]]
    fused: list[Ranked]


class SearchTokenizer:
    """`pipeline.segment.tokens_for_search`, with a fingerprint of everything its output depends on (the code of
    every pipeline module it reaches: `canonical`, `normalize`, `pii` (the placeholders it drops), `area` (the home
    area names), `resources` (the dictionaries' reader), `jurisdiction` and `records` (the townships' names it drops);
    its dictionaries, area files and stopwords; jieba's version) so that cached tokens are dropped when any of it
    changes.
    Segmenting costs ~6 ms a text: at 100k entries, a restart without the cache would spend minutes on it."""

    def __call__(self, text: str) -> list[str]:
        from pipeline.segment import tokens_for_search

        return tokens_for_search(text)

    @cached_property
    def fingerprint(self) -> str:
        import importlib

        import jieba

        # the modules, not what `pipeline` re-exports under their names
        modules = [importlib.import_module(f"pipeline.{name}")
                   for name in ("segment", "canonical", "normalize", "pii", "area", "resources", "jurisdiction",
                                "records")]
        segment, area = modules[0], modules[4].deployment_area()
        digest = hashlib.sha256(jieba.__version__.encode())
        for path in [*(Path(module.__file__) for module in modules),
                     segment.STOPWORDS_FILE, *area.files, *segment.dictionary_files()]:
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]


def _tokens_key(fingerprint: str, text: str) -> str:
    return hashlib.sha256(f"{fingerprint}\x00tokens\x00{text}".encode("utf-8")).hexdigest()


def cache_keys(texts: Sequence[str], tokenizer: SearchTokenizer, encoder: Encoder | None,
               dense_chars: int = DENSE_CHARS) -> list[str]:
    """The cache rows an index reads for these document texts: their tokens (which hold the words) and passage
    vectors. What erasing a text from the knowledge base must delete from the cache as well."""
    keys = [_tokens_key(tokenizer.fingerprint, t) for t in texts]
    return keys + ([embedding_key(encoder, "passage", t[:dense_chars]) for t in texts] if encoder else [])


def tokenize_cached(tokenizer: Tokenizer, texts: Sequence[str], cache: VectorCache | None) -> list[list[str]]:
    """Tokens of each text, through the same content-addressed cache as embeddings when the tokenizer has a
    fingerprint (tokens stored space-joined: no token contains a space)."""
    fingerprint = getattr(tokenizer, "fingerprint", None)
    if cache is None or fingerprint is None:
        return [tokenizer(t) for t in texts]
    keys = [_tokens_key(fingerprint, t) for t in texts]
    found = cache.cached_vectors(sorted(set(keys)))
    fresh = {k: " ".join(tokenizer(t)).encode("utf-8") for k, t in zip(keys, texts) if k not in found}
    cache.cache_vectors(fresh)
    found.update(fresh)
    return [found[k].decode("utf-8").split() for k in keys]


def _by_score_then_id(ranked: tuple[str, float]) -> tuple[float, str]:
    return -ranked[1], ranked[0]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest finite scores, best first."""
    k = min(k, int(np.isfinite(scores).sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


# ------------------------------------------------------------------------------------------- BM25
@dataclass
class _Snapshot:
    model: bm25s.BM25 | None
    slots: np.ndarray  # snapshot document i is slot slots[i]
    gens: np.ndarray  # the slot generation each document was built from
    n_docs: int
    avgdl: float
    df: Counter


class Bm25Index:
    """BM25 (bm25s, Lucene variant) over slots: an immutable snapshot plus an overlay of recent changes.

    Not locked itself: `HybridIndex` calls it under its lock, except `build_snapshot`, which only reads the
    frozen copy `snapshot_job` hands out.
    """

    # b = 1 (full length normalisation) and k1 = 1.2: best on message → reply retrieval, where replies run
    # from 3 to 7,881 characters (bench/RESULTS.md, "Knowledge base").
    def __init__(self, k1: float = 1.2, b: float = 1.0):
        self.k1, self.b = k1, b
        self._tf: list[Counter | None] = []
        self._len: list[int] = []
        self._gen: list[int] = []
        self._overlay: set[int] = set()
        # Snapshot documents deleted since: still in its statistics (N, df, avgdl) until the next rebuild.
        self._removed: set[int] = set()
        self._snap_slots: set[int] = set()
        self._snap = _Snapshot(None, np.empty(0, np.int64), np.empty(0, np.int64), 0, 1.0, Counter())

    def set(self, slot: int, tokens: list[str]) -> None:
        while len(self._tf) <= slot:
            self._tf.append(None)
            self._len.append(0)
            self._gen.append(0)
        self._tf[slot], self._len[slot] = Counter(tokens), len(tokens)
        self._gen[slot] += 1
        self._overlay.add(slot)
        self._removed.discard(slot)  # a reused slot: the overlay counts it now

    def clear(self, slot: int) -> None:
        # The slot's snapshot score stays in the matrix; HybridIndex masks dead slots.
        self._tf[slot] = None
        self._gen[slot] += 1
        self._overlay.discard(slot)
        if slot in self._snap_slots:
            self._removed.add(slot)

    @property
    def overlay_size(self) -> int:
        return len(self._overlay)

    def needs_rebuild(self) -> bool:
        # Deletions count too: dropping an old case import (thousands of long replies) left the remaining entries
        # scored with the deleted ones' statistics until enough other changes came.
        return len(self._overlay) + len(self._removed) > min(1000, self._snap.n_docs // 20)

    def snapshot_job(self) -> tuple[list[int], list[int], list[Counter], list[int]]:
        slots = [s for s, tf in enumerate(self._tf) if tf is not None]
        return slots, [self._gen[s] for s in slots], [self._tf[s] for s in slots], [self._len[s] for s in slots]

    def build_snapshot(self, job: tuple[list[int], list[int], list[Counter], list[int]]) -> _Snapshot:
        slots, gens, tfs, lens = job
        model = None
        if slots:
            model = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
            model.index([list(tf.elements()) for tf in tfs], show_progress=False)
        df: Counter = Counter()
        for tf in tfs:
            df.update(tf.keys())
        avgdl = (sum(lens) / len(lens)) if lens else 1.0
        return _Snapshot(model, np.asarray(slots, np.int64), np.asarray(gens, np.int64), len(slots), max(avgdl, 1.0), df)

    def install(self, snap: _Snapshot) -> None:
        self._snap = snap
        # Slots changed while the snapshot was being built stay in the overlay.
        current = np.asarray([self._gen[s] for s in snap.slots], np.int64)
        stale = set(snap.slots[current != snap.gens].tolist())
        covered = set(snap.slots.tolist())
        self._overlay = {s for s in self._overlay if s not in covered or s in stale}
        self._overlay = {s for s in self._overlay if self._tf[s] is not None}
        self._snap_slots = covered
        self._removed = {s for s in stale if self._tf[s] is None}

    def _idf(self, token: str) -> float:
        n, df = self._snap.n_docs, self._snap.df.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: list[str], n_slots: int) -> np.ndarray:
        out = np.zeros(n_slots, np.float32)
        snap = self._snap
        if snap.model is not None and query:
            ids = snap.model.get_tokens_ids(query)
            if ids:
                out[snap.slots] = snap.model.get_scores_from_ids(ids)
        if self._overlay and query:
            weights = [(t, self._idf(t)) for t in query]
            norm = self.k1 * (1 - self.b)
            for slot in self._overlay:
                tf, length = self._tf[slot], self._len[slot]
                denom_base = norm + self.k1 * self.b * length / snap.avgdl
                out[slot] = sum(w * tf[t] / (denom_base + tf[t]) for t, w in weights if t in tf)
        return out


# ------------------------------------------------------------------------------------------ dense
class DenseIndex:
    """Unit vectors per slot; the score is the dot product (cosine)."""

    def __init__(self, dim: int | None = None):
        self._vectors = np.zeros((0, dim or 0), np.float32)

    def set(self, slot: int, vector: np.ndarray) -> None:
        if self._vectors.shape[1] == 0:
            self._vectors = np.zeros((0, vector.shape[0]), np.float32)
        if slot >= len(self._vectors):
            grown = np.zeros((max(slot + 1, 2 * len(self._vectors), 64), self._vectors.shape[1]), np.float32)
            grown[: len(self._vectors)] = self._vectors
            self._vectors = grown
        self._vectors[slot] = vector

    def scores(self, query: np.ndarray, n_slots: int) -> np.ndarray:
        out = np.zeros(n_slots, np.float32)
        n = min(n_slots, len(self._vectors))
        if n:
            out[:n] = self._vectors[:n] @ query
        return out


def embedding_key(encoder: Encoder, kind: str, text: str) -> str:
    return hashlib.sha256(f"{encoder.fingerprint}\x00{kind}\x00{text}".encode("utf-8")).hexdigest()


def encode_cached(encoder: Encoder, texts: Sequence[str], kind: str, cache: VectorCache | None,
                  batch: int = 256, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Encode texts as `query` or `passage`, reading and filling the content-addressed cache.

    Missing texts go to the encoder shortest first, in large chunks, so that its batches pad little; the
    cache is written every chunk, so an interrupted run resumes where it stopped. `progress(done, missing)` is
    called before the first chunk and after each."""
    keys = [embedding_key(encoder, kind, t) for t in texts]
    found = cache.cached_vectors(sorted(set(keys))) if cache is not None else {}
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items(), key=lambda kt: len(kt[1]))
    encode = encoder.encode_queries if kind == "query" else encoder.encode_passages
    if progress:
        progress(0, len(missing))
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        vectors = np.asarray(encode([t for _, t in chunk]), np.float32)
        fresh = {k: v.tobytes() for (k, _), v in zip(chunk, vectors)}
        if cache is not None:
            cache.cache_vectors(fresh)
        found.update(fresh)
        if progress:
            progress(start + len(chunk), len(missing))
    return np.stack([np.frombuffer(found[k], np.float32) for k in keys]) if keys else np.zeros((0, 0), np.float32)


# ----------------------------------------------------------------------------------------- fusion
@dataclass(frozen=True)
class RrfFusion:
    """score(d) = Σ_method weight / (k + rank_method(d)); k damps the top ranks' dominance."""

    k: float = 60.0
    weights: dict[str, float] = field(default_factory=lambda: {"bm25": 1.0, "dense": 1.0})

    def run(self, bm25: list[tuple[str, float]], dense: list[tuple[str, float]]) -> list[Ranked]:
        info: dict[str, dict] = {}
        for method, ranking in (("bm25", bm25), ("dense", dense)):
            weight = self.weights.get(method, 0.0)
            for rank, (doc_id, score) in enumerate(ranking, start=1):
                entry = info.setdefault(doc_id, {"score": 0.0})
                entry["score"] += weight / (self.k + rank)
                entry[f"{method}_rank"], entry[f"{method}_score"] = rank, float(score)
        fused = [Ranked(id=doc_id, **values) for doc_id, values in info.items()]
        return sorted(fused, key=lambda r: (-r.score, r.id))


# ----------------------------------------------------------------------------------------- hybrid
class HybridIndex:
    """BM25 + dense over the same slots, with validity periods; thread-safe.

    Tokenizing and encoding happen outside the lock, so a slow encoder never blocks searches.
    """

    def __init__(self, tokenizer: Tokenizer | None = None, encoder: Encoder | None = None,
                 cache: VectorCache | None = None, fusion: RrfFusion | None = None, depth: int = 100,
                 dense_chars: int = DENSE_CHARS):
        self.tokenizer = tokenizer or SearchTokenizer()
        # e5 was trained on at most 512 pieces and the opening of a ticket or reply carries its gist; a
        # 7,000-character reply would otherwise cost a dozen encoder windows.
        self.dense_chars = dense_chars
        self.encoder = encoder
        self.cache = cache
        self.fusion = fusion or RrfFusion()
        self.depth = depth
        self.bm25 = Bm25Index()
        self.dense = DenseIndex()
        self._lock = threading.Lock()
        self._rebuild_lock = threading.Lock()
        self._slot_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._free: list[int] = []
        self._alive = np.zeros(0, bool)
        self._from = np.zeros(0, np.int32)
        self._to = np.zeros(0, np.int32)
        self._group = np.zeros(0, np.int32)
        self._group_codes: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._slot_of

    # -- changes ---------------------------------------------------------------------------------
    def upsert(self, docs: Sequence[Doc], rebuild: bool = True) -> None:
        """Index or re-index docs by id; with `rebuild`, this call also rebuilds the BM25 snapshot if the
        overlay has grown too large (a caller holding its own lock passes False and calls `maybe_rebuild`
        after releasing it)."""
        tokens = tokenize_cached(self.tokenizer, [d.text for d in docs], self.cache)
        vectors = (encode_cached(self.encoder, [d.text[: self.dense_chars] for d in docs], "passage", self.cache)
                   if self.encoder is not None and docs else None)
        with self._lock:
            for i, doc in enumerate(docs):
                slot = self._slot_of.get(doc.id)
                if slot is None:
                    slot = self._allocate(doc.id)
                self._from[slot] = doc.valid_from.toordinal() if doc.valid_from else 0
                self._to[slot] = doc.valid_to.toordinal() if doc.valid_to else _NEVER
                self._group[slot] = self._group_codes.setdefault(doc.group, len(self._group_codes))
                self.bm25.set(slot, tokens[i])
                if vectors is not None:
                    self.dense.set(slot, vectors[i])
        if rebuild:
            self.maybe_rebuild()

    def prepare(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> None:
        """Put the tokens and vectors `upsert` will need for these texts into the cache, indexing nothing: the
        process that imports thousands of entries pays for segmenting and encoding them, and an index that
        picks them up later (a running service's) only reads the cache."""
        if self.cache is None:
            raise ValueError("prepare() fills the cache: this index has none")
        tokenize_cached(self.tokenizer, texts, self.cache)
        if self.encoder is not None:
            encode_cached(self.encoder, [t[: self.dense_chars] for t in texts], "passage", self.cache,
                          progress=progress)

    def remove(self, ids: Iterable[str], rebuild: bool = True) -> None:
        """Drop docs by id; `rebuild` as in `upsert`."""
        with self._lock:
            for doc_id in ids:
                slot = self._slot_of.pop(doc_id, None)
                if slot is None:
                    continue
                self._ids[slot] = None
                self._alive[slot] = False
                self._free.append(slot)
                self.bm25.clear(slot)
        if rebuild:
            self.maybe_rebuild()

    def _allocate(self, doc_id: str) -> int:
        if self._free:
            slot = self._free.pop()
            self._ids[slot] = doc_id
        else:
            slot = len(self._ids)
            self._ids.append(doc_id)
            if slot >= len(self._from):
                size = max(64, 2 * len(self._from))
                self._alive = np.resize(self._alive, size)
                self._from = np.resize(self._from, size)
                self._to = np.resize(self._to, size)
                self._group = np.resize(self._group, size)
        self._alive[slot] = True
        self._slot_of[doc_id] = slot
        return slot

    def maybe_rebuild(self) -> None:
        # One rebuild at a time; a writer finding one under way leaves it: the overlay still serves.
        if not self.bm25.needs_rebuild() or not self._rebuild_lock.acquire(blocking=False):
            return
        try:
            with self._lock:
                job = self.bm25.snapshot_job()
            snap = self.bm25.build_snapshot(job)
            with self._lock:
                self.bm25.install(snap)
        finally:
            self._rebuild_lock.release()

    # -- search ----------------------------------------------------------------------------------
    def _best(self, scores: np.ndarray, depth: int) -> list[tuple[str, float]]:
        """The `depth` best (id, score), entries tied on a score (the same text stored twice, two short answers the
        query shares one word with) in id order, not in the index's layout, which a restart, a rebuild or a bulk
        delete reshuffles: also at the cut-off, where the layout chose which of them made the list."""
        best = top_k(scores, depth)
        if not len(best):
            return []
        chosen = set(best.tolist()) | set(np.flatnonzero(scores == scores[best[-1]]).tolist())
        return sorted(((self._ids[s], float(scores[s])) for s in chosen), key=_by_score_then_id)[:depth]

    def rank_many(self, queries: Sequence[str], depth: int | None = None, today: date | None = None,
                  cache_queries: bool = False, with_dense: bool = True,
                  groups: Collection[str] | None = None, dense_chars: int | None = None) -> list[Rankings]:
        """Per-method candidate lists and their fusion for each query. Query embeddings are cached only on
        request (an evaluation re-runs the same queries; a live ticket is never asked again). `with_dense=False`
        ranks by BM25 alone, without encoding the query (callers on a tight latency budget). `groups`: only docs
        of these groups are ranked. `dense_chars`: how much of each query e5 reads (default the index's
        `dense_chars`; a shorter opening costs less to encode)."""
        depth = depth or self.depth
        dense_chars = dense_chars or self.dense_chars
        day = (today or centre_today()).toordinal()
        # A query that names no matter (你好, 谢谢, 喂？, a masked phone number, 我要投诉: `names_a_matter`) is neither
        # encoded nor searched: e5 would still rank every entry against its vector and suggest unrelated answers with
        # confident cosines, BM25 whichever answers say 投诉 or 处理.
        from pipeline.segment import names_a_matter

        tokens = [terms if names_a_matter(terms) else [] for terms in map(self.tokenizer, queries)]
        searchable = [i for i, query_tokens in enumerate(tokens) if query_tokens]
        cache = self.cache if cache_queries else None
        qvecs = None
        if self.encoder is not None and searchable and with_dense:
            encoded = encode_cached(self.encoder, [queries[i][:dense_chars] for i in searchable], "query", cache)
            qvecs = dict(zip(searchable, encoded))
        out = []
        for i, query_tokens in enumerate(tokens):
            if not query_tokens:
                out.append(Rankings([], [], []))
                continue
            dense: list[tuple[str, float]] = []
            with self._lock:
                n = len(self._ids)
                usable = self._alive[:n] & (self._from[:n] <= day) & (day <= self._to[:n])
                if groups is not None:
                    codes = [self._group_codes[g] for g in groups if g in self._group_codes]
                    usable &= np.isin(self._group[:n], codes)
                bm = self.bm25.scores(query_tokens, n)
                bm[~usable | (bm <= 0)] = -np.inf
                bm25 = self._best(bm, depth)
                if qvecs is not None:
                    dn = self.dense.scores(qvecs[i], n)
                    dn[~usable] = -np.inf
                    dense = self._best(dn, depth)
            # A query that shares no word with any entry (asdfgh, 今天天气怎么样, 帮我订火车票) is about nothing the
            # knowledge base holds: e5 alone still ranked three answers for it. The dense list stays for what it
            # measures alone; on the board's messages every query, title alone too, shares a word with the replies.
            out.append(Rankings(bm25, dense, self.fusion.run(bm25, dense) if bm25 else []))
        return out

    def search(self, query: str, k: int = 5, today: date | None = None, with_dense: bool = True,
               groups: Collection[str] | None = None, dense_chars: int | None = None) -> list[Ranked]:
        return self.rank_many([query], today=today, with_dense=with_dense, groups=groups,
                              dense_chars=dense_chars)[0].fused[:k]
