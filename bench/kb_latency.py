"""Knowledge-base latency at 10k and 100k entries: import, restart (warm_up), search, and a change followed by
the next search.

Entries are synthetic but made of real text: question = a real message title (teddy2020c replies, hot
messages, dev), answer = a real official reply (replies_raw.csv), drawn as distinct (title, reply) pairs.
Encoding 100k passages with e5 on 2 shared cores would take hours, so each entry's cached embedding is the
embedding of its reply's opening (the text dense retrieval reads): the matrix has the real size and real
vectors, which is all search latency depends on. Likewise the token cache is filled from the tokens of the
title and of the reply (cut separately: a newline separates them, so segmenting the whole gives the same tokens
— checked on a sample below). Queries are real full-text messages of dev_raw.csv, encoded by the real
encoder as part of each search.

    nice python3 bench/kb_latency.py [--sizes 10000 100000] [--queries 100]
"""
from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time

import numpy as np
import pandas as pd

from appeal.config import get_settings
from knowledge_base.cases import read_cases
from knowledge_base.evaluate import evaluation_cache
from knowledge_base.kb import KnowledgeBase, load_encoder
from knowledge_base.retrieval import SearchTokenizer, embedding_key, encode_cached
from knowledge_base.store import EntryIn, EntryStore, EntryUpdate
from pipeline import masked_text


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def real_texts() -> tuple[list[str], list[str], list[str]]:
    teddy = get_settings().teddy_dir
    # Cleaned exactly as `kb import-cases` / `kb evaluate` do, so the evaluation's embedding cache applies.
    cases = read_cases(teddy / "replies_raw.csv")
    hot = pd.read_csv(teddy / "hot_messages_raw.csv", dtype=str, keep_default_na=False)
    dev = pd.read_csv(teddy / "dev_raw.csv", dtype=str, keep_default_na=False)
    titles = sorted({c.question for c in cases} | {masked_text(t) for t in hot["留言主题"]} - {""})
    answers = sorted({c.answer for c in cases})
    queries = [f"{t} {b}".strip() for t, b in zip(dev["留言主题"], dev["留言详情"])]
    return titles, answers, queries


def prefill(store: EntryStore, entries: list[EntryIn], title_tokens: dict, answer_tokens: dict,
            answer_vectors: dict, encoder, tokenizer: SearchTokenizer) -> None:
    tokens, vectors = {}, {}
    for e in entries:
        text = "\n".join([e.question, e.answer])  # Entry.search_text with no alternatives
        key = hashlib.sha256(f"{tokenizer.fingerprint}\x00tokens\x00{text}".encode("utf-8")).hexdigest()
        tokens[key] = " ".join(title_tokens[e.question] + answer_tokens[e.answer]).encode("utf-8")
        vectors[embedding_key(encoder, "passage", text[:512])] = answer_vectors[e.answer]
    for chunk in range(0, len(entries), 20000):
        keys = list(tokens)[chunk : chunk + 20000]
        store.cache_vectors({k: tokens[k] for k in keys})
        keys = list(vectors)[chunk : chunk + 20000]
        store.cache_vectors({k: vectors[k] for k in keys})


def run(size: int, n_queries: int, titles, answers, queries, title_tokens, answer_tokens, answer_vectors,
        encoder, tokenizer) -> list[tuple[str, str]]:
    rng = random.Random(size)
    pairs = set()
    while len(pairs) < size:
        pairs.add((rng.randrange(len(titles)), rng.randrange(len(answers))))
    entries = [EntryIn(id=f"s{i}", question=titles[a], answer=answers[b], unit="武冈市12345", topic="bench")
               for i, (a, b) in enumerate(sorted(pairs))]
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        url = f"sqlite:///{tmp}/kb.db"
        store = EntryStore(url)
        prefill(store, entries, title_tokens, answer_tokens, answer_vectors, encoder, tokenizer)
        started = time.perf_counter()
        store.upsert_many(entries, "bench")
        rows.append(("import (one transaction)", f"{time.perf_counter() - started:.1f} s"))
        store.close()

        kb = KnowledgeBase(url, encoder=encoder)
        started = time.perf_counter()
        kb.warm_up()
        rows.append(("warm_up: load + index (caches filled)", f"{time.perf_counter() - started:.1f} s"))

        sample = queries[:n_queries]
        kb.search(sample[0])  # first-call costs (ONNX arena) out of the measurement
        encode_times, search_times, bm25_only = [], [], []
        for query in sample:
            t0 = time.perf_counter()
            encoder.encode_queries([query[:512]])
            encode_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            kb.search(query, k=5)  # encodes again: the cache is per process, this is the real path
            search_times.append(time.perf_counter() - t0)
        kb.index.encoder = None
        for query in sample:
            t0 = time.perf_counter()
            kb.search(query, k=5)
            bm25_only.append(time.perf_counter() - t0)
        kb.index.encoder = encoder
        for name, samples in (("search, hybrid (incl. query encoding)", search_times),
                              ("  of which e5 query encoding", encode_times),
                              ("search, BM25 only", bm25_only)):
            p50, p95 = percentiles(samples)
            rows.append((name, f"p50 {ms(p50)} ms, p95 {ms(p95)} ms"))

        probe = "夜间施工噪音扰民，半夜还在打桩"
        t0 = time.perf_counter()
        kb.add(EntryIn(id="fresh", question="工地半夜打桩噪音扰民", answer="夜间施工噪声扰民可向城市管理和综合执法部门反映。",
                       unit="武冈市城市管理和综合执法局"), "bench")
        added = time.perf_counter() - t0
        t0 = time.perf_counter()
        hits = kb.search(probe, k=5)
        after_add = time.perf_counter() - t0
        assert "fresh" in [h.entry_id for h in hits], "a new entry must be found by the next search"
        t0 = time.perf_counter()
        kb.update("fresh", EntryUpdate(valid_to="2001-01-01"), "bench")
        updated = time.perf_counter() - t0
        assert "fresh" not in [h.entry_id for h in kb.search(probe, k=5)]
        t0 = time.perf_counter()
        kb.delete("s0", "bench")
        deleted = time.perf_counter() - t0
        rows.append(("add 1 entry (DB + encode + index) / next search", f"{ms(added)} ms / {ms(after_add)} ms"))
        rows.append(("update (retire) / delete 1 entry", f"{ms(updated)} ms / {ms(deleted)} ms"))
        with kb.index._lock:
            job = kb.index.bm25.snapshot_job()
        t0 = time.perf_counter()
        kb.index.bm25.build_snapshot(job)
        rows.append(("BM25 snapshot rebuild (off the search path)", f"{time.perf_counter() - t0:.1f} s"))
        kb.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()

    titles, answers, queries = real_texts()
    tokenizer = SearchTokenizer()
    encoder = load_encoder()
    encoder.warm_up()
    started = time.perf_counter()
    title_tokens = {t: tokenizer(t) for t in titles}
    answer_tokens = {a: tokenizer(a) for a in answers}
    for title, answer in zip(titles[:50], answers[:50]):
        assert tokenizer(f"{title}\n{answer}") == title_tokens[title] + answer_tokens[answer]
    vectors = encode_cached(encoder, [a[:512] for a in answers], "passage", evaluation_cache())
    answer_vectors = {a: v.astype(np.float32).tobytes() for a, v in zip(answers, vectors)}
    print(f"{len(titles)} real titles, {len(answers)} real replies; tokens + reply embeddings "
          f"{time.perf_counter() - started:.0f} s; encoder threads {get_settings().onnx_threads}", flush=True)

    for size in args.sizes:
        rows = run(size, args.queries, titles, answers, queries, title_tokens, answer_tokens, answer_vectors,
                   encoder, tokenizer)
        print(f"\n| {size:,} entries | |\n|---|---|", flush=True)
        for name, value in rows:
            print(f"| {name} | {value} |", flush=True)


if __name__ == "__main__":
    main()
