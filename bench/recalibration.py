"""Does `appeal calibrate` keep a model's dispatch promise on tickets it has not seen?

The model's logits on dev_raw.csv are computed once; each draw takes `size` tickets (stratified by topic) to
refit the topic head with `training.recalibration.recalibrate_head`, the code `appeal calibrate` runs, and scores
the other tickets with the card as trained and as refitted: the share dispatched (confidence at or above the
threshold), how often those were right, and the ECE.

    python3 bench/recalibration.py --model DIR       # DIR: `appeal train --data train_segmented.csv` (fast profile)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from models.predictor import load_predictor, softmax  # noqa: E402
from training.calibration import expected_calibration_error  # noqa: E402
from training.evaluation import dispatch_scores  # noqa: E402
from training.recalibration import recalibrate_head  # noqa: E402
from training.tickets import load_tickets  # noqa: E402


def scores(card, logits: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(coverage, dispatched precision, ECE) of a head card on labelled logits; precision NaN when none goes."""
    probs = softmax(logits, card.temperature)
    coverage, precision = dispatch_scores(probs.max(axis=1), probs.argmax(axis=1) == y, card.threshold)
    return coverage, np.nan if precision is None else precision, expected_calibration_error(probs, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "teddy2020c" / "dev_raw.csv")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 150, 220])
    parser.add_argument("--draws", type=int, default=40)
    args = parser.parse_args()

    predictor = load_predictor(args.model)
    card = predictor.card.heads["topic"]
    tickets, _ = load_tickets(args.data, stopwords=predictor.stopwords, labels={"topic": card.labels})
    logits = predictor.backend.logits(list(tickets["canonical"]))["topic"]
    gold = np.array(tickets["topic"])
    y = np.array([card.labels.index(label) for label in gold])
    print(f"{predictor.version} on {args.data.name} ({len(y)} tickets), topic head; {args.draws} draws per row; "
          f"as trained: T {card.temperature:.3f}, threshold {card.threshold:.3f}, target {card.target_precision}\n")
    print("| calibrated on | evaluated on | dispatched, mean (min–max) | precision, mean (min) | draws ≥ target | "
          "ECE | T | threshold |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        rows = {"trained": [], "refitted": []}
        fitted = []
        for seed in range(args.draws):
            fit, held = train_test_split(np.arange(len(y)), train_size=size, stratify=y, random_state=seed)
            refitted, _ = recalibrate_head(card, logits[fit], list(gold[fit]), card.target_precision)
            fitted.append((refitted.temperature, refitted.threshold if refitted.threshold is not None else np.nan))
            rows["trained"].append(scores(card, logits[held], y[held]))
            rows["refitted"].append(scores(refitted, logits[held], y[held]))
        for name, values in rows.items():
            v = np.array(values)
            reached = np.mean(v[:, 1] >= card.target_precision)
            t, threshold = (np.nanmean(np.array(fitted), axis=0) if name == "refitted"
                            else (card.temperature, card.threshold))
            print(f"| {'holdout of the training file' if name == 'trained' else f'{size} dev tickets'} | "
                  f"other {len(y) - size} | {v[:, 0].mean():.3f} ({v[:, 0].min():.2f}–{v[:, 0].max():.2f}) | "
                  f"{np.nanmean(v[:, 1]):.3f} "
                  f"({np.nanmin(v[:, 1]):.3f}) | {reached:.0%} | {v[:, 2].mean():.3f} | {t:.2f} | {threshold:.3f} |")


if __name__ == "__main__":
    main()
