"""Message → official-reply retrieval on teddy2020c/replies_raw.csv (1,995 messages, 1,953 distinct replies),
with the full e5 encoder, and the choice of the fusion parameters.

Runs what `appeal kb evaluate --pairs replies_raw.csv` runs (embeddings cached under <home>/cache, so only the
first run encodes), then re-fuses the same BM25 and dense candidate lists with other RRF constants and
weights. The fusion grid is chosen on the full-text queries; title-only is reported for the chosen setting.

    nice python3 bench/kb_evaluate.py [--limit N]
"""
from __future__ import annotations

import argparse
import json
import time

from appeal.config import get_settings
from knowledge_base.evaluate import evaluation_cache, format_report, load_pairs, method_rankings, metrics
from knowledge_base.kb import load_encoder
from knowledge_base.retrieval import HybridIndex, RrfFusion

GRID_K = (5, 20, 60)
GRID_DENSE_WEIGHT = (0.5, 0.75, 1.0, 1.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    pairs = load_pairs(get_settings().teddy_dir / "replies_raw.csv", args.limit)
    index = HybridIndex(encoder=load_encoder(), cache=evaluation_cache())
    index.upsert(pairs.docs)
    rankings = {name: index.rank_many(queries, cache_queries=True) for name, queries in (("full", pairs.full), ("title", pairs.titles))}
    print(f"indexed and ranked in {time.perf_counter() - started:.0f} s "
          f"({len(pairs.gold)} messages, {len(pairs.docs)} replies)\n")

    print("| RRF k | BM25 weight | dense weight | full R@1 | full R@5 | full MRR | title R@1 | title MRR |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    best = None
    for k in GRID_K:
        for dense_weight in GRID_DENSE_WEIGHT:
            fusion = RrfFusion(k=k, weights={"bm25": 1.0, "dense": dense_weight})
            scores = {}
            for name, ranked in rankings.items():
                fused = [[r.id for r in fusion.run(x.bm25, x.dense)] for x in ranked]
                scores[name] = metrics(fused, pairs.gold)
            full, title = scores["full"], scores["title"]
            print(f"| {k} | 1.0 | {dense_weight} | {full.r1:.3f} | {full.r5:.3f} | {full.mrr:.3f} | "
                  f"{title.r1:.3f} | {title.mrr:.3f} |")
            if best is None or (full.r1, full.mrr) > best[0]:
                best = ((full.r1, full.mrr), k, dense_weight)
    print(f"\nbest on full text: k={best[1]}, dense weight={best[2]}")

    default = index.fusion
    report = {}
    for name, ranked in rankings.items():
        per_method = [method_rankings(r) for r in ranked]
        scores = {m: metrics([r[m] for r in per_method], pairs.gold).__dict__ for m in ("bm25", "dense", "hybrid")}
        if name == "full":
            report.update(scores)
        else:
            report["title_only"] = scores
    report.update(pairs=len(pairs.gold), replies=len(pairs.docs))
    print(f"\nwith the shipped fusion (k={default.k}, weights={default.weights}):")
    print(format_report(report))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
