"""How often does the promotion gate refuse a challenger that is no worse than the champion?

Models of equal quality are trained on different random 90 % subsets of teddy2020c's training file (the
production recipe, `training.train_baseline`), each scored once on the fixed evaluation set (dev_raw.csv);
then every ordered pair (champion, challenger) goes through `models.registry.gate` with the default tolerance
(0.005 macro-F1) and class margin (0.03 per-class F1) and with looser settings. The refusals are noise: the
differences between such models are sampling luck, not regressions.

    nice python3 bench/gate_noise.py [--models 5] [--fraction 0.9]
"""
from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import pandas as pd

from appeal.config import get_settings
from models.registry import gate, score_model
from training.retrain import load_evaluation_set
from training.train_baseline import train_baseline

SETTINGS = [(0.005, 0.03), (0.01, 0.05), (0.02, 0.08)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--fraction", type=float, default=0.9)
    args = parser.parse_args()

    teddy = get_settings().teddy_dir
    train = pd.read_csv(teddy / "train_segmented.csv")
    evaluation = load_evaluation_set([teddy / "dev_raw.csv"])
    scores, started = [], time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(args.models):
            data = Path(scratch) / f"subset{seed}_segmented.csv"
            train.sample(frac=args.fraction, random_state=seed).to_csv(data, index=False)
            out = Path(scratch) / f"model{seed}"
            train_baseline(data, out)
            scores.append(score_model(out, evaluation))
    elapsed = time.monotonic() - started

    f1 = pd.DataFrame([s["topic"].f1 for s in scores])
    print(f"{args.models} baselines on random {args.fraction:.0%} subsets of {len(train)} tickets, "
          f"scored on {len(evaluation)} dev_raw tickets ({elapsed:.0f} s)\n")
    print("| model | macro-F1 | lowest class F1 |")
    print("|---:|---:|---:|")
    for i, s in enumerate(scores):
        print(f"| {i} | {s['topic'].macro_f1:.4f} | {min(s['topic'].f1.values()):.4f} |")
    spread = (f1.max() - f1.min()).sort_values(ascending=False)
    print(f"\nmacro-F1 range {min(s['topic'].macro_f1 for s in scores):.4f}–"
          f"{max(s['topic'].macro_f1 for s in scores):.4f}; largest per-class F1 range: "
          + ", ".join(f"{label} {value:.3f}" for label, value in spread.head(3).items()))

    pairs = list(itertools.permutations(range(args.models), 2))
    print("\n| tolerance | class margin | pairs | refused | by macro-F1 | by a class |")
    print("|---:|---:|---:|---:|---:|---:|")
    for tolerance, margin in SETTINGS:
        verdicts = [gate(scores[a], scores[b], tolerance=tolerance, class_margin=margin) for a, b in pairs]
        refused = [v for v in verdicts if not v.passed]
        by_macro = sum(any("macro-F1" in r and "<" in r for r in v.reasons) for v in refused)
        by_class = sum(any(r.startswith("topic/") for r in v.reasons) for v in refused)
        print(f"| {tolerance} | {margin} | {len(pairs)} | {len(refused)} ({len(refused) / len(pairs):.0%}) "
              f"| {by_macro} | {by_class} |")


if __name__ == "__main__":
    main()
