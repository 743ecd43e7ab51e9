"""Real baseline models for the registry, report and retraining tests: trained by the production training
function on a stratified slice of teddy2020c's training file."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from training.train_baseline import train_baseline


def sample_baseline(tmp_path_factory, shared_data: Path, per_class: int, *, seed: int = 0,
                    shuffle_labels: bool = False) -> Path:
    """A trained model directory, trained once per test session (tests copy it into their registries)."""
    name = f"{per_class}-{seed}-{'shuffled' if shuffle_labels else 'true'}"
    out = tmp_path_factory.getbasetemp() / "baselines" / name
    if not (out / "model.json").is_file():  # training writes model.json last
        train_sample_baseline(shared_data, out, per_class, seed=seed, shuffle_labels=shuffle_labels)
    return out


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


# Real citizen messages about farming (teddy2020c replies/hot messages). The 7 labelled topics of the
# training file have no farming class; the organiser's taxonomy does (农村农业): a label the models never saw.
AGRICULTURE = {"replies_raw.csv": (18242, 75006, 88359, 120068, 139893), "hot_messages_raw.csv": (233717, 276161)}
NEW_TOPIC = "农村农业"


def agriculture_tickets(shared_data: Path) -> list[dict]:
    rows = []
    for name, ids in AGRICULTURE.items():
        frame = pd.read_csv(shared_data / "teddy2020c" / name)
        for _, row in frame[frame["留言编号"].isin(ids)].iterrows():
            rows.append({"id": f"teddy-{row['留言编号']}", "title": row["留言主题"].strip(),
                         "text": row["留言详情"].strip(), "topic": NEW_TOPIC})
    assert len(rows) == 7
    return rows


def demo_tickets() -> list[dict]:
    """The demo pack's 300 Wugang tickets, labelled with topic and unit."""
    from appeal.config import DEMO_DIR

    frame = pd.read_json(DEMO_DIR / "tickets.jsonl", lines=True, dtype=False)
    return frame[["id", "title", "text", "topic", "unit"]].to_dict("records")
