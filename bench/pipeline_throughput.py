"""Throughput of the text pipeline on real tickets: how much of a request's budget do cleaning, masking and
cutting take?

Data: 448 raw tickets of `teddy2020c/dev_raw.csv` (Simplified, scraped whitespace, title + detail) and the 1,432
questions + answers of `taipei-faq/taipei_faq.csv` (Traditional: the slow path of `normalize`). Each function runs
over every text `--repeat` times after one warm-up pass (which loads dictionaries); the best run is reported.

    nice python3 bench/pipeline_throughput.py
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import canonical, mask_pii, normalize, segment, tokens_for_search  # noqa: E402


def _texts(shared: Path) -> dict[str, list[str]]:
    dev = pd.read_csv(shared / "teddy2020c" / "dev_raw.csv", keep_default_na=False)
    faq = pd.read_csv(shared / "taipei-faq" / "taipei_faq.csv", keep_default_na=False)
    return {
        "dev_raw (Simplified)": (dev["留言主题"] + dev["留言详情"]).tolist(),
        "taipei-faq (Traditional)": (faq["question"] + " " + faq["answer"]).tolist(),
    }


def _best_seconds(function: Callable[[str], object], texts: list[str], repeat: int) -> float:
    for text in texts:
        function(text)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared-data", type=Path, default=REPO / ".." / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    functions: dict[str, Callable[[str], object]] = {
        "normalize": normalize,
        "mask_pii": mask_pii,
        "segment(normalize(x))": lambda text: segment(normalize(text)),
        "tokens_for_search": tokens_for_search,
        "canonical": lambda text: canonical(text, None),
    }
    print("| data | texts | mean chars | function | ms / text | texts / s |")
    print("|---|---:|---:|---|---:|---:|")
    for data, texts in _texts(args.shared_data.resolve()).items():
        mean_chars = sum(map(len, texts)) / len(texts)
        for name, function in functions.items():
            seconds = _best_seconds(function, texts, args.repeat)
            print(f"| {data} | {len(texts)} | {mean_chars:.0f} | {name} | {1000 * seconds / len(texts):.2f} "
                  f"| {len(texts) / seconds:.0f} |")


if __name__ == "__main__":
    main()
