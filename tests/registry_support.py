"""Real baseline models for the registry, report and retraining tests: trained by the production training
function on a stratified slice of teddy2020c's training file."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from training.train_baseline import train_baseline


def train_sample_baseline(shared_data: Path, out: Path, per_class: int, *, seed: int = 0,
                          shuffle_labels: bool = False) -> Path:
    """`per_class` tickets of each of the 7 topics; `shuffle_labels` gives a deliberately useless model."""
    frame = pd.read_csv(shared_data / "teddy2020c" / "train_segmented.csv")
    frame = frame.sample(frac=1.0, random_state=seed).groupby("label").head(per_class)
    if shuffle_labels:
        frame["label"] = frame["label"].sample(frac=1.0, random_state=seed).to_numpy()
    data = out.parent / f"{out.name}_segmented.csv"
    data.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(data, index=False)
    train_baseline(data, out)
    return out
