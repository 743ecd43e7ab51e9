"""The baseline classifier: TF-IDF over canonical tokens + linear SVM with calibrated probabilities.

It is the reference the transformer must beat (teddy2020c: ≈ 0.92 macro-F1 published for this recipe) and the
fallback that needs no encoder. One vectorizer is shared by all heads (it learns from text only); each head
(`topic`, `unit`) gets its own `CalibratedClassifierCV(LinearSVC)` trained on the rows labelled for it, because
an SVM margin is not a probability and dispatch thresholds need one. The calibration uses `ensemble=False`: one
SVM on all rows with a sigmoid fitted on cross-validated margins — one weight matrix to save instead of one per
fold, and no worse on dev_raw.csv.

A model directory holds `model.json` (the card), `stopwords.txt` (the list canonical text is made with) and
`baseline.joblib` (this object, pickled).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from models.card import ModelCard

MODEL_FILE = "baseline.joblib"
# log(0) would make a label impossible for good; the floor keeps it merely very unlikely.
_PROB_FLOOR = 1e-9


@dataclass(frozen=True)
class BaselineConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    # Character 1–3-grams beside the words: +0.007 macro-F1 in CV and +0.016 on dev_raw.csv, for twice the
    # fitting time and model size (bench/RESULTS.md ## Baseline). None = words only.
    char_ngrams: tuple[int, int] | None = (1, 3)
    c: float = 1.0
    min_df: int = 2  # a term seen once cannot generalise; dropping them shrinks the model about fivefold
    calibration_folds: int = 3
    seed: int = 0


class BaselineModel:
    def __init__(self, config: BaselineConfig = BaselineConfig()):
        self.config = config
        self.vectorizer = self._vectorizer()
        self.heads: dict[str, CalibratedClassifierCV] = {}
        self.rare: dict[str, list[str]] = {}

    def _vectorizer(self):
        # Canonical text is already cut into words and cleaned, so tokens are exactly its space-separated parts.
        words = TfidfVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False, ngram_range=self.config.word_ngrams,
            min_df=self.config.min_df, sublinear_tf=True,
        )
        if self.config.char_ngrams is None:
            return words
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=self.config.char_ngrams, lowercase=False,
                                min_df=self.config.min_df, sublinear_tf=True)
        return FeatureUnion([("words", words), ("chars", chars)])

    def fit(self, texts: Sequence[str], labels: dict[str, Sequence[str | None]]) -> "BaselineModel":
        """`labels` maps a head to one label per text; None marks a text not labelled for that head. Labels with
        fewer examples than calibration folds cannot be calibrated; they are left out and listed in `rare`."""
        features = self.vectorizer.fit_transform(list(texts))
        for vectorizer in getattr(self.vectorizer, "transformer_list", [("", self.vectorizer)]):
            # The terms min_df pruned are kept only for introspection and would dominate the saved file.
            vectorizer[1].stop_words_ = None
        folds = self.config.calibration_folds
        self.heads, self.rare = {}, {}
        for head, values in labels.items():
            values = list(values)
            counts = Counter(v for v in values if v is not None)
            self.rare[head] = sorted(label for label, n in counts.items() if n < folds)
            rows = [i for i, v in enumerate(values) if v is not None and counts[v] >= folds]
            if len({values[i] for i in rows}) < 2:
                continue  # nothing to learn: one label, or none at all
            svm = LinearSVC(C=self.config.c, random_state=self.config.seed)
            calibrated = CalibratedClassifierCV(svm, cv=folds, ensemble=False)
            self.heads[head] = calibrated.fit(features[rows], [values[i] for i in rows])
        return self

    def labels(self, head: str) -> list[str]:
        return [str(c) for c in self.heads[head].classes_]

    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Canonical texts → {head: log-probabilities (n, n_labels)} in `labels(head)` order."""
        features = self.vectorizer.transform(list(texts))
        return {head: np.log(np.maximum(clf.predict_proba(features), _PROB_FLOOR)) for head, clf in self.heads.items()}

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, directory / MODEL_FILE)


def required_files(card: ModelCard) -> tuple[str, ...]:
    """The files of a model directory `load_backend` opens for `card`."""
    return (MODEL_FILE,)


def load_backend(model_dir: Path, card: ModelCard, threads: int | None = None) -> BaselineModel:
    """The backend `models.predictor.load_predictor` uses for `kind="baseline"` (scikit-learn is single-threaded
    here; `threads` is accepted for the common signature)."""
    model = joblib.load(Path(model_dir) / MODEL_FILE)
    for head, head_card in card.heads.items():
        if head not in model.heads or model.labels(head) != head_card.labels:
            raise ValueError(f"{model_dir}: {MODEL_FILE} does not match model.json for head {head!r}")
    return model
