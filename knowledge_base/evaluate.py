"""Retrieval quality on real pairs: can a citizen's message find the official reply it got?

The knowledge base holds the distinct replies of a (message, reply) file such as teddy2020c/replies_raw.csv;
each message is a query, once as full text (title + body) and once as its title only. A query is answered
correctly at rank r when the r-th entry is its own reply text (a reply text shared by several messages —
"已收悉"-style boilerplate — counts for each of them). Reported per method: R@1, R@5 and MRR (reciprocal rank
within the first `depth` candidates, 0 beyond).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from knowledge_base.cases import read_cases
from knowledge_base.retrieval import Doc, Encoder, HybridIndex, Rankings, RrfFusion, VectorCache
from knowledge_base.store import EntryStore

METHODS = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Metrics:
    r1: float
    r5: float
    mrr: float


def metrics(ranked_ids: Sequence[Sequence[str]], gold: Sequence[str]) -> Metrics:
    r1 = r5 = rr = 0.0
    for ids, target in zip(ranked_ids, gold):
        if target in ids:
            rank = list(ids).index(target) + 1
            r1 += rank == 1
            r5 += rank <= 5
            rr += 1.0 / rank
    n = max(len(gold), 1)
    return Metrics(round(r1 / n, 4), round(r5 / n, 4), round(rr / n, 4))


def method_rankings(rankings: Rankings) -> dict[str, list[str]]:
    return {
        "bm25": [doc_id for doc_id, _ in rankings.bm25],
        "dense": [doc_id for doc_id, _ in rankings.dense],
        "hybrid": [r.id for r in rankings.fused],
    }


@dataclass(frozen=True)
class PairSet:
    docs: list[Doc]  # distinct reply texts
    full: list[str]  # query: title + body
    titles: list[str]
    gold: list[str]  # id of each query's reply doc


def load_pairs(path: Path, limit: int | None = None) -> PairSet:
    cases = read_cases(path)[:limit] if limit else read_cases(path)
    doc_of: dict[str, str] = {}
    docs: list[Doc] = []
    gold = []
    for case in cases:
        if case.answer not in doc_of:
            doc_of[case.answer] = f"reply-{len(docs)}"
            docs.append(Doc(doc_of[case.answer], case.answer))
        gold.append(doc_of[case.answer])
    full = ["\n".join([c.question, *c.alternatives]) for c in cases]
    return PairSet(docs, full, [c.question for c in cases], gold)


def evaluate_index(index: HybridIndex, pairs: PairSet, depth: int = 100) -> dict:
    """{"bm25": {...}, "dense": {...}, "hybrid": {...}, "title_only": {same three}} (dense absent without an
    encoder)."""
    report: dict = {}
    for name, queries in (("full", pairs.full), ("title_only", pairs.titles)):
        ranked = [method_rankings(r) for r in index.rank_many(queries, depth=depth, cache_queries=True)]
        methods = METHODS if index.encoder is not None else ("bm25",)
        scores = {m: asdict(metrics([r[m] for r in ranked], pairs.gold)) for m in methods}
        if name == "full":
            report.update(scores)
        else:
            report[name] = scores
    return report


def evaluate_pairs(path: Path, *, encoder: Encoder | None, cache: VectorCache | None = None,
                   limit: int | None = None, fusion: RrfFusion | None = None, depth: int = 100) -> dict:
    pairs = load_pairs(path, limit)
    index = HybridIndex(encoder=encoder, cache=cache, fusion=fusion)
    index.upsert(pairs.docs)
    report = evaluate_index(index, pairs, depth)
    report["pairs"] = len(pairs.gold)
    report["replies"] = len(pairs.docs)
    return report


def evaluation_cache() -> EntryStore:
    """Embeddings of evaluation texts live in their own SQLite file under home, not in the entry database:
    re-running an evaluation encodes nothing twice, and the production cache stays clean."""
    from appeal.config import get_settings

    return EntryStore(f"sqlite:///{(get_settings().cache_dir / 'kb-evaluation.db').resolve()}")


def format_report(report: dict) -> str:
    lines = [f"{report['pairs']} messages, {report['replies']} distinct replies",
             f"{'query':<11}{'method':<8}{'R@1':>8}{'R@5':>8}{'MRR':>8}"]
    for query, scores in (("full text", report), ("title only", report["title_only"])):
        for method in METHODS:
            if method in scores:
                m = scores[method]
                lines.append(f"{query:<11}{method:<8}{m['r1']:>8.3f}{m['r5']:>8.3f}{m['mrr']:>8.3f}")
    return "\n".join(lines)
