"""A trainer's bulk import while the service answers: how long do the service's searches wait?

A `KnowledgeBase` with the full e5 encoder plays the running service (warm, demo FAQ loaded, its own SQLite file).
A thread searches as /v1/route does (BM25 only, which still brings the index up to the database first) every
0.2 s, while the main thread writes N real past cases (replies_raw.csv, ids prefixed so they are new, in a fresh
database whose embedding cache holds none of them):

- `prepared`: the real `appeal kb import-cases` in a subprocess, which segments and encodes the cases into the
  database's cache before writing them;
- `unprepared`: the cases written as the command did before (`EntryStore.upsert_many` alone), so the service
  segments and encodes them itself when a search notices them.

Reported per mode: the import's wall time, the searches' latency from the start of the import until the index
holds every case, and how long after the import returned the cases became searchable.

    nice python3 bench/kb_import_while_serving.py [--cases 300]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

from appeal.config import DEMO_DIR, get_settings
from knowledge_base.cases import read_cases
from knowledge_base.files import read_entries
from knowledge_base.kb import KnowledgeBase, load_encoder
from knowledge_base.store import EntryStore

QUERY = "晚上路灯不亮了，请尽快维修"


def run(mode: str, cases_file: Path, n_cases: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'appeal.db'}"
        service = KnowledgeBase(url, encoder=load_encoder())
        service.import_entries(read_entries(DEMO_DIR / "faq.jsonl"), "bench")
        service.warm_up()
        expected = len(service) + n_cases
        latencies: list[float] = []
        searchable_at: list[float] = []
        stop = threading.Event()

        def searcher() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                service.search(QUERY, k=3, with_dense=False)
                latencies.append(time.perf_counter() - started)
                if len(service) >= expected:
                    searchable_at.append(time.perf_counter())
                    return
                time.sleep(0.2)

        thread = threading.Thread(target=searcher)
        started = time.perf_counter()
        thread.start()
        if mode == "prepared":
            env = {**os.environ, "APPEAL_DATABASE_URL": url}
            done = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "kb", "import-cases",
                                   str(cases_file)], env=env, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(done.stderr)
        else:
            EntryStore(url).upsert_many(read_cases(cases_file), "bench")
        imported = time.perf_counter()
        thread.join(1800)
        stop.set()
        service.close()
    ordered = sorted(latencies)
    return {
        "mode": mode,
        "import s": imported - started,
        "searches": len(latencies),
        "search p50 ms": statistics.median(ordered) * 1000,
        "search max ms": ordered[-1] * 1000,
        # the service may see the committed cases before the import command has exited: 0, not a negative time
        "searchable after import s": max(0.0, searchable_at[0] - imported) if searchable_at else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    replies = pd.read_csv(get_settings().teddy_dir / "replies_raw.csv", dtype=str, keep_default_na=False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("prepared", "unprepared"):
            cases = replies.head(args.cases).assign(留言编号=lambda f: f"{mode}-" + f["留言编号"])
            cases_file = Path(tmp) / f"{mode}.csv"
            cases.to_csv(cases_file, index=False)
            rows.append(run(mode, cases_file, args.cases))
            print(f"{mode}: done", file=sys.stderr)
    print(f"| import of {args.cases} cases | import s | searches | search p50 ms | search max ms | "
          "searchable after the import s |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['mode']} | {r['import s']:.1f} | {r['searches']} | {r['search p50 ms']:.1f} | "
              f"{r['search max ms']:.0f} | {r['searchable after import s']:.1f} |")


if __name__ == "__main__":
    main()
