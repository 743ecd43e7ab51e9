"""Inference on canonical texts, whatever the kind of model: scikit-learn baseline or ONNX transformer.

A backend only turns canonical texts into per-head logits (log-probabilities do as well). Everything that
makes a prediction trustworthy — temperature, threshold, top-k alternatives — lives here once, driven by the
model card, so the CLI, the evaluation and the HTTP service decide the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from models.card import STOPWORDS_FILE, ModelCard
from pipeline import read_stopwords
from pipeline.errors import InputError


@dataclass(frozen=True)
class LabelScore:
    label: str
    confidence: float


@dataclass(frozen=True)
class HeadPrediction:
    label: str
    confidence: float
    alternatives: list[LabelScore] = field(default_factory=list)
    # True when the calibrated confidence is below the head's dispatch threshold: a human decides.
    review: bool = True
    threshold: float | None = None  # the head's dispatch threshold; None: the head has none, a human always decides


class Backend(Protocol):
    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Canonical texts → {head: array (n, n_labels)}."""


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Predictor:
    """A loaded model: `card` says what it is, `predict` answers for canonical texts."""

    def __init__(self, card: ModelCard, backend: Backend, stopwords: frozenset[str] | None = None):
        self.card = card
        self.backend = backend
        self.stopwords = stopwords

    @property
    def version(self) -> str:
        return self.card.version

    def probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        logits = self.backend.logits(list(texts))
        return {head: softmax(logits[head], self.card.heads[head].temperature) for head in self.card.heads}

    def predict(self, texts: Sequence[str], top_k: int = 3) -> list[dict[str, HeadPrediction]]:
        probs = self.probabilities(texts)
        out: list[dict[str, HeadPrediction]] = [{} for _ in texts]
        for head, p in probs.items():
            card = self.card.heads[head]
            order = np.argsort(-p, axis=1)[:, :top_k]
            for i, row in enumerate(order):
                best = float(p[i, row[0]])
                out[i][head] = HeadPrediction(
                    label=card.labels[row[0]],
                    confidence=best,
                    alternatives=[LabelScore(card.labels[j], float(p[i, j])) for j in row[1:]],
                    review=card.threshold is None or best < card.threshold,
                    threshold=card.threshold,
                )
        return out


def incompleteness(model_dir: Path, card: ModelCard) -> str | None:
    """What `model_dir` lacks of the files `card`'s kind of model needs (a directory copied in part, files removed
    by hand, a copy cut short that left a file empty), or None when nothing is lacking."""
    if card.kind == "baseline":
        from models.baseline import required_files
    else:
        from models.onnx_backend import required_files
    paths = [Path(model_dir) / name for name in required_files(card)]
    missing = [path.name for path in paths if not path.is_file()]
    empty = [path.name for path in paths if path.is_file() and path.stat().st_size == 0]
    said = ([f"no {', '.join(missing)}"] if missing else []) + ([f"empty {', '.join(empty)}"] if empty else [])
    return f"incomplete {card.kind} model: {'; '.join(said)}" if said else None


def model_stopwords(model_dir: Path) -> frozenset[str] | None:
    """The stopwords a model was trained with (its canonical texts drop them), None where it keeps none."""
    path = Path(model_dir) / STOPWORDS_FILE
    return read_stopwords(path) if path.is_file() else None


def load_predictor(model_dir: Path, *, threads: int | None = None) -> Predictor:
    """Open a model directory written by training (baseline or transformer) for inference."""
    model_dir = Path(model_dir)
    card = ModelCard.load(model_dir)
    if lacking := incompleteness(model_dir, card):  # said, rather than failing deep in a loader
        raise InputError(f"{model_dir}: {lacking}")
    if card.kind == "baseline":
        from models.baseline import load_backend
    else:
        from models.onnx_backend import load_backend
    stopwords = model_stopwords(model_dir)
    try:
        backend = load_backend(model_dir, card, threads=threads)
    except Exception as error:  # noqa: BLE001 — joblib, pickle and ONNX Runtime each raise their own for a bad file
        raise InputError(f"{model_dir}: the {card.kind} model cannot be loaded ({type(error).__name__}: {error})") \
            from error
    return Predictor(card, backend, stopwords)
