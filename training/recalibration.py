"""A trained model's confidence refitted on the centre's own recent labelled tickets: same weights, new card.

Training fits each head's temperature and dispatch threshold on tickets held out from its own training file. New
tickets differ from that file (other months, other wording), so the promise does not hold on them: the teddy2020c
router promises 0.97 precision on what it dispatches and is right 0.92 of the time on dev_raw.csv. Refitted on a
couple of hundred tickets of the centre's own, it comes closer on the next ones (0.964 at 220 tickets, dispatching
fewer; bench/recalibration.py). A temperature does not change which label wins, so the promotion gate scores the new
version as the old one.
"""
from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from appeal.config import centre_time
from models.atomic_dir import staging_dir
from models.card import HeadCard, ModelCard
from models.predictor import load_predictor, softmax
from pipeline import InputError
from pipeline.records import check_new_directory
from training.calibration import expected_calibration_error, fit_temperature
from training.evaluation import DEFAULT_TARGET_PRECISION, dispatch_scores, pick_threshold
from training.tickets import LoadReport, learnt_rows, load_tickets

# Labelled tickets a head needs to be refitted: fewer fix a threshold on a few dozen dispatched tickets, whose
# precision could be anything from 0.85 to 1 (the Wilson interval the card's cautions state).
MIN_TICKETS = 100


@dataclass(frozen=True)
class HeadRecalibration:
    """One head before and after, both measured on the calibration tickets labelled for it."""

    tickets: int
    # label the model lacks → its tickets: no part of the temperature, wrong wherever dispatched
    unknown_labels: dict[str, int]
    temperature: tuple[float, float]
    threshold: tuple[float | None, float | None]
    coverage: tuple[float, float]
    precision: tuple[float | None, float | None]
    ece: tuple[float, float]


@dataclass
class Recalibration:
    card: ModelCard
    heads: dict[str, HeadRecalibration]
    loaded: LoadReport
    kept: dict[str, str] = field(default_factory=dict)  # head → why it keeps the calibration it was trained with
    rows: int = 0
    in_training_data: int = 0  # rows left out: the model was trained (or held them out) on them
    training_data_checked: bool = True


def recalibrate_head(card: HeadCard, logits: np.ndarray, gold: Sequence[str],
                     target_precision: float) -> tuple[HeadCard, HeadRecalibration]:
    """`card` refitted on `logits` (n × labels, before temperature) of tickets labelled `gold`."""
    index = {label: i for i, label in enumerate(card.labels)}
    y = np.array([index.get(label, -1) for label in gold])
    known = y >= 0
    temperature = fit_temperature(logits[known], y[known])
    before, after = softmax(logits, card.temperature), softmax(logits, temperature)
    correct = after.argmax(axis=1) == y  # the same for both: a temperature keeps the order of the labels
    choice = pick_threshold(after.max(axis=1), correct, target_precision)
    coverage_before, precision_before = dispatch_scores(before.max(axis=1), correct, card.threshold)
    refitted = card.model_copy(update={
        "temperature": temperature, "threshold": choice.threshold, "target_precision": target_precision,
        "coverage": choice.coverage, "dispatched": choice.dispatched, "dispatched_precision": choice.precision})
    return refitted, HeadRecalibration(
        tickets=len(y), unknown_labels=dict(Counter(label for label, i in zip(gold, y) if i < 0).most_common()),
        temperature=(card.temperature, temperature),
        threshold=(card.threshold, choice.threshold), coverage=(coverage_before, choice.coverage),
        precision=(precision_before, choice.precision),
        ece=(expected_calibration_error(before[known], y[known]), expected_calibration_error(after[known], y[known])))


def recalibrate(model_dir: Path, data: Path, out: Path, *, target_precision: float | None = None,
                unit_label: Callable[[str], str | None] | None = None) -> Recalibration:
    """Refit the heads of the model in `model_dir` on the labelled tickets of `data` and write the result, a new
    version with the same weights, to `out`. A head with fewer than `MIN_TICKETS` labelled tickets keeps its
    calibration; tickets of the model's own training file are left out (on them it is sure of itself and right)."""
    model_dir, out = Path(model_dir).resolve(), Path(out).resolve()
    if out == model_dir or model_dir in out.parents:
        raise InputError(f"{out}: --out is inside the model itself; write the recalibrated version beside it")
    check_new_directory(out, "--out")
    predictor = load_predictor(model_dir)
    card = predictor.card
    tickets, report = load_tickets(data, stopwords=predictor.stopwords, unit_label=unit_label)
    if report.fingerprint == card.data_fingerprint:
        raise InputError(f"{data}: the file {card.version} was trained on; calibrate on tickets it has not seen")
    learnt = learnt_rows(card.training, predictor.stopwords, tickets)
    if learnt:
        tickets = tickets.select(sorted(set(range(len(tickets))) - set(learnt)))
    result = Recalibration(card, {}, report, rows=len(tickets), in_training_data=report.rows - len(tickets),
                           training_data_checked=learnt is not None)
    texts = tickets["canonical"]
    gold = {head: tickets[head] if head in tickets.column_names else [None] * len(texts) for head in card.heads}
    labelled = {}
    for head in card.heads:
        rows = [i for i, label in enumerate(gold[head]) if label is not None]
        if len(rows) >= MIN_TICKETS:
            labelled[head] = rows
        else:
            result.kept[head] = (f"{len(rows)} labelled tickets" if rows else "no labelled ticket") + \
                f" (at least {MIN_TICKETS} refit a head)"
    if not labelled:
        said = "; ".join(f"{h}: {why}" for h, why in result.kept.items())
        left = f", {result.in_training_data} rows left out as training data" if result.in_training_data else ""
        raise InputError(f"{data}: no head can be recalibrated ({said}{left})")
    needed = sorted(set().union(*labelled.values()))
    logits = predictor.backend.logits([texts[i] for i in needed])
    position = {row: n for n, row in enumerate(needed)}
    heads = dict(card.heads)
    for head, rows in labelled.items():
        heads[head], result.heads[head] = recalibrate_head(
            card.heads[head], logits[head][[position[i] for i in rows]], [gold[head][i] for i in rows],
            target_precision or card.heads[head].target_precision or DEFAULT_TARGET_PRECISION)
    stamp = datetime.now(timezone.utc)
    result.card = card.model_copy(update={
        # `created_at` stays the training's: `appeal models list` says when the weights were made
        "version": f"{card.kind}-{centre_time(stamp):%Y%m%d-%H%M%S}", "heads": heads,
        "calibration": {"at": stamp.isoformat(timespec="seconds"), "data": str(Path(data).resolve()),
                        "data_fingerprint": report.fingerprint,
                        "from_version": card.version, "rows": result.rows,
                        "in_training_data": result.in_training_data if learnt is not None else None,
                        "heads": {h: asdict(r) for h, r in result.heads.items()}, "kept": result.kept}})
    _write(model_dir, result.card, out)
    return result


def _write(model_dir: Path, card: ModelCard, out: Path) -> None:
    with staging_dir(out) as staging:
        shutil.copytree(model_dir, staging, dirs_exist_ok=True)
        card.save(staging)  # over the copied card: the directory is the new version only once complete
