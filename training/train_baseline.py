"""Train the TF-IDF + linear SVM baseline from a ticket file into a model directory.

Dispatch thresholds need confidences the model has not seen the answers to: a first model is fitted on 85 %
of the data and each head's threshold is picked on the other 15 % (`training.evaluation.pick_threshold`);
the saved model is then refitted on all of it. More data makes it slightly more confident and more accurate,
so the held-out threshold errs on the side of review, never of unchecked dispatch.
"""
from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sklearn

from appeal.config import centre_time
from models.baseline import BaselineConfig, BaselineModel
from models.card import STOPWORDS_FILE, HeadCard, ModelCard, code_version
from models.predictor import Predictor
from pipeline import InputError, default_stopwords, stopwords_fingerprint
from training.evaluation import (
    DEFAULT_TARGET_PRECISION,
    HeadReport,
    classification_report,
    evaluate_predictor,
    head_outcomes,
    pick_threshold,
)
from training.tickets import HEADS, load_tickets, no_labels, stratified_split, units_read_as

HOLDOUT = 0.15


def _head_labels(dataset) -> dict[str, list[str | None]]:
    return {head: dataset[head] for head in HEADS if len({v for v in dataset[head] if v is not None}) >= 2}


def _summary(report: HeadReport) -> dict:
    return {"n": report.n, "accuracy": report.accuracy, "macro_f1": report.macro_f1,
            "threshold": report.threshold, "coverage": report.coverage,
            "dispatched_precision": report.dispatched_precision,
            "per_class_f1": {label: score.f1 for label, score in report.per_class.items()}}


def train_baseline(
    data: Path,
    out: Path,
    *,
    dev: Path | None = None,
    config: BaselineConfig = BaselineConfig(),
    target_precision: float = DEFAULT_TARGET_PRECISION,
    stopwords_path: Path | None = None,
    unit_label: Callable[[str], str | None] | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> ModelCard:
    """`unit_label` reads the unit names of `data` and `dev` as the unit head's labels (see `load_tickets`); `say`
    is told each stage as it starts (on a year of tickets, each takes minutes)."""
    out = Path(out)
    # as fine-tuning refuses it: a model written over another left a fine-tuned model's graph and checkpoints beside
    # a baseline's card
    if out.is_dir() and any(out.iterdir()):
        raise InputError(f"{out}: directory is not empty (give another --out)")
    stopwords = default_stopwords(stopwords_path)
    say(f"reading {data} …")
    train, load_report = load_tickets(data, stopwords=stopwords, unit_label=unit_label)
    say(load_report.summary())
    labels = _head_labels(train)
    if not labels:
        raise no_labels(data)

    # Thresholds come from a model that has not seen the held-out answers (see the module docstring).
    fit_part, held = stratified_split(train, HOLDOUT, config.seed, column=next(iter(labels)))
    say(f"fitting on {len(fit_part)} tickets to set the thresholds on the {len(held)} held out …")
    probe = BaselineModel(config).fit(fit_part["canonical"], {head: fit_part[head] for head in labels})
    predictions = Predictor(_card("probe", probe), probe, stopwords).predict(held["canonical"], top_k=1)
    say(f"fitting the model on all {len(train)} tickets …")
    model = BaselineModel(config).fit(train["canonical"], labels)
    heads: dict[str, HeadCard] = {}
    holdout: dict[str, dict] = {}
    for head in model.heads:
        if head not in probe.heads:  # too few labels in the 85 % to fit: no measured threshold, always review
            heads[head] = HeadCard(labels=model.labels(head), target_precision=target_precision)
            continue
        outcomes = head_outcomes(predictions, held[head], head)
        choice = pick_threshold(outcomes.confidence, outcomes.correct, target_precision)
        heads[head] = HeadCard(labels=model.labels(head), threshold=choice.threshold,
                               target_precision=target_precision, coverage=choice.coverage,
                               dispatched=choice.dispatched, dispatched_precision=choice.precision)
        report = classification_report(outcomes.y_true, outcomes.y_pred, probe.labels(head))
        report.threshold, report.coverage, report.dispatched_precision = (
            choice.threshold, choice.coverage, choice.precision)
        holdout[head] = _summary(report)

    stamp = datetime.now(timezone.utc)
    card = ModelCard(
        # named as `models list` shows the time, from the same clock reading as `created_at`
        version=f"baseline-{centre_time(stamp):%Y%m%d-%H%M%S}", created_at=stamp.isoformat(timespec="seconds"),
        kind="baseline",
        heads=heads,
        data_fingerprint=load_report.fingerprint,
        stopwords_sha=stopwords_fingerprint(stopwords),
        # absolute: `appeal retrain` starts from this file, wherever the trainer runs it
        training={"data": str(Path(data).resolve()), "rows": load_report.rows,
                  "duplicates_removed": load_report.duplicates_removed,
                  "label_conflicts": len(load_report.conflicts), "presegmented": load_report.presegmented,
                  "holdout": HOLDOUT, "config": asdict(config), "rare_labels_left_out": model.rare,
                  "columns": load_report.column_sources(), "units_read_as": units_read_as(load_report.units_read_as),
                  "label_counts": load_report.label_counts,
                  "blank_labels": dict(load_report.blank_labels)},
        library_versions={"scikit-learn": sklearn.__version__, "numpy": np.__version__,
                          "python": platform.python_version(), "appeal-router": code_version()},
    )
    metrics: dict = {"holdout": holdout}
    evaluated_on, primary = "holdout", holdout
    if dev is not None:
        say(f"scoring on {dev} …")
        dev_set, _ = load_tickets(dev, stopwords=stopwords, labels={h: c.labels for h, c in heads.items()},
                                  unit_label=unit_label)
        primary = {h: _summary(r) for h, r in evaluate_predictor(Predictor(card, model, stopwords), dev_set).items()}
        metrics["dev"] = primary
        evaluated_on = str(dev)
    main_head = "topic" if "topic" in primary else next(iter(primary), None)
    if main_head is not None:
        metrics.update(evaluated_on=evaluated_on, head=main_head, accuracy=primary[main_head]["accuracy"],
                       macro_f1=primary[main_head]["macro_f1"])
    card.metrics = metrics

    model.save(out)
    (out / STOPWORDS_FILE).write_text("".join(f"{w}\n" for w in sorted(stopwords)), encoding="utf-8")
    card.save(out)  # last: a directory with model.json is a complete model
    return ModelCard.load(out)


def _card(version: str, model: BaselineModel) -> ModelCard:
    return ModelCard(version=version, kind="baseline", heads={h: HeadCard(labels=model.labels(h)) for h in model.heads})
