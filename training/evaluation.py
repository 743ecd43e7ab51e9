"""How good a model is: classification metrics per head, and the confidence threshold for dispatch.

Metrics come from scikit-learn; this module only fixes which ones every report carries (accuracy,
macro-F1 — the official metric of the teddy2020c task — per-class precision/recall/F1 and the confusion
matrix) and how a dispatch threshold is chosen, so that baseline and transformer are judged the same way.
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from models.card import HeadCard, ModelCard

DEFAULT_TARGET_PRECISION = 0.97


@dataclass
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class HeadReport:
    n: int
    accuracy: float
    macro_f1: float
    labels: list[str]
    per_class: dict[str, ClassScore]
    confusion: list[list[int]]  # rows: true label, columns: predicted label, both in `labels` order
    threshold: float | None = None
    coverage: float | None = None  # share of tickets at or above the threshold (dispatched without a human)
    dispatched_precision: float | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def dispatched(self) -> int:
        """The tickets at or above the threshold."""
        return round(self.coverage * self.n) if self.threshold is not None and self.coverage is not None else 0

    def precision_low(self) -> float | None:
        """How low the dispatched precision may be on the few tickets it rests on (95 % Wilson: 1.000 on 6 is 0.61)."""
        from models.card import precision_low

        if not self.dispatched or self.dispatched_precision is None:
            return None
        return precision_low(self.dispatched_precision, self.dispatched)


def classification_report(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> HeadReport:
    """Metrics for one head. `labels` fixes the class order (a model's labels); classes absent from both
    sides are left out. Macro-F1 averages over the classes the tickets hold, as the promotion gate scores
    (`models.registry.score_model`): a class that is only predicted scores its wrong tickets in their own classes'
    recall, and a 0 of its own made a version's report and its promotion decision disagree. It stays in the
    per-class scores (support 0) and the confusion matrix."""
    held = set(y_true)
    present = held | set(y_pred)
    order = [label for label in (labels or sorted(present)) if label in present]
    order += sorted(present - set(order))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=order, zero_division=0
    )
    with warnings.catch_warnings():
        # a file of one class, all predicted right, is a 1 × 1 matrix by design (absent classes are left out);
        # scikit-learn warns about that shape whatever `labels` says, which reads as an error to a trainer
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        confusion = confusion_matrix(y_true, y_pred, labels=order).tolist()
    return HeadReport(
        n=len(y_true),
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=[label for label in order if label in held],
                                average="macro", zero_division=0)),
        labels=order,
        per_class={
            label: ClassScore(float(p), float(r), float(f), int(s))
            for label, p, r, f, s in zip(order, precision, recall, f1, support)
        },
        confusion=confusion,
    )


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float | None  # None: no threshold reaches the target; every ticket goes to a human
    target_precision: float
    precision: float | None
    coverage: float
    dispatched: int = 0  # held-out tickets at or above the threshold: what `precision` was measured on


def pick_threshold(
    confidences: Sequence[float], correct: Sequence[bool], target_precision: float = DEFAULT_TARGET_PRECISION
) -> ThresholdChoice:
    """The lowest confidence threshold whose dispatched tickets (confidence ≥ threshold) are right at least
    `target_precision` of the time, measured on held-out tickets: the most automation the target allows."""
    conf = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    if conf.size == 0:
        return ThresholdChoice(None, target_precision, None, 0.0)
    order = np.argsort(-conf, kind="stable")
    conf, ok = conf[order], ok[order]
    precision = np.cumsum(ok) / np.arange(1, conf.size + 1)
    # Only the last of equal confidences is a real cut: a threshold cannot split tied tickets.
    cut = np.r_[conf[1:] < conf[:-1], True]
    passing = np.flatnonzero(cut & (precision >= target_precision))
    if passing.size == 0:
        return ThresholdChoice(None, target_precision, None, 0.0)
    last = passing[-1]
    return ThresholdChoice(float(conf[last]), target_precision, float(precision[last]), (last + 1) / conf.size,
                           int(last + 1))


def dispatch_scores(confidences: Sequence[float], correct: Sequence[bool], threshold: float | None) -> tuple[float, float | None]:
    """(coverage, precision) of the tickets a threshold dispatches."""
    if threshold is None or len(confidences) == 0:
        return 0.0, None
    conf = np.asarray(confidences, dtype=float)
    sent = conf >= threshold
    if not sent.any():
        return 0.0, None
    return float(sent.mean()), float(np.asarray(correct, dtype=bool)[sent].mean())


@dataclass
class HeadOutcomes:
    """One head's answers on the tickets labelled for it."""

    y_true: list[str]
    y_pred: list[str]
    confidence: list[float]

    @property
    def correct(self) -> list[bool]:
        return [t == p for t, p in zip(self.y_true, self.y_pred)]


def head_outcomes(predictions: Sequence[dict], gold: Sequence[str | None], head: str) -> HeadOutcomes:
    """Pair `Predictor.predict` output with the gold labels of one head, skipping unlabelled tickets."""
    rows = [(p[head], label) for p, label in zip(predictions, gold) if label is not None]
    return HeadOutcomes([g for _, g in rows], [p.label for p, _ in rows], [p.confidence for p, _ in rows])


def score_head(predictions: Sequence[dict], gold: Sequence[str | None], head: str,
               card: HeadCard) -> tuple[HeadReport, HeadOutcomes] | None:
    """One head scored on the tickets labelled for it, with the coverage and precision of its dispatch threshold;
    None where no ticket is labelled for it."""
    outcomes = head_outcomes(predictions, gold, head)
    if not outcomes.y_true:
        return None
    report = classification_report(outcomes.y_true, outcomes.y_pred, card.labels)
    report.threshold = card.threshold
    report.coverage, report.dispatched_precision = dispatch_scores(outcomes.confidence, outcomes.correct,
                                                                   card.threshold)
    return report, outcomes


def predict_in_batches(predictor, texts: Sequence[str], *, top_k: int,
                       progress: Callable[[int], None] | None = None, batch: int = 256) -> list:
    """`predictor.predict` over `texts`, `batch` at a time, telling `progress(done)` after each."""
    predictions: list = []
    for start in range(0, len(texts), batch):
        predictions.extend(predictor.predict(texts[start:start + batch], top_k=top_k))
        if progress:
            progress(len(predictions))
    return predictions


def evaluate_predictor(predictor, dataset, heads: Sequence[str] | None = None,
                       progress: Callable[[int], None] | None = None) -> dict[str, HeadReport]:
    """Score a `models.predictor.Predictor` on a ticket dataset (`training.tickets.load_tickets`) per head,
    on the rows labelled for that head, with the coverage and precision of the card's dispatch threshold.
    `progress(done)` is told as tickets are classified."""
    predictions = predict_in_batches(predictor, list(dataset["canonical"]), top_k=1, progress=progress)
    return score_predictions(predictor.card, predictions, dataset, heads)


def score_predictions(card: ModelCard, predictions: Sequence[dict], dataset,
                      heads: Sequence[str] | None = None) -> dict[str, HeadReport]:
    """`predictions` (`Predictor.predict`'s, one per ticket of `dataset`) scored per head of `card`, on the tickets
    labelled for it: a part of the tickets is scored from the same predictions, without classifying it again."""
    scored = {head: score_head(predictions, dataset[head], head, card.heads[head])
              for head in heads or card.heads if head in dataset.column_names}
    return {head: found[0] for head, found in scored.items() if found is not None}
