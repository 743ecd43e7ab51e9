"""Inference backend for kinds "transformer" and "ensemble": ONNX Runtime + tokenizers + numpy (no torch).

"transformer": the graph's logits per head. "ensemble": per head, w · log softmax(logits / T) + (1 − w) · log p
of the TF-IDF baseline saved beside it (`baseline.joblib`), with w and T chosen on the holdout at training time
(`card.training["ensemble"]`). `models.predictor` then applies the card's temperature and threshold to either.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.special import log_softmax

from models.card import ModelCard
from models.tokenization import TOKENIZER_FILE, TextEncoder

ONNX_FILE = "model.onnx"
_FLOOR = 1e-9


def align_columns(logprobs: np.ndarray, have: Sequence[str], want: Sequence[str]) -> np.ndarray:
    """Columns of `logprobs` (labels `have`) reordered to `want`; labels the baseline never learnt (too rare to
    calibrate) get a floor probability."""
    out = np.full((logprobs.shape[0], len(want)), np.log(_FLOOR), dtype=np.float64)
    index = {label: i for i, label in enumerate(have)}
    for j, label in enumerate(want):
        if label in index:
            out[:, j] = logprobs[:, index[label]]
    return out


def blend(logits: np.ndarray, temperature: float, base_logprobs: np.ndarray | None, weight: float) -> np.ndarray:
    """Transformer logits combined with baseline log-probabilities (weight = share of the transformer)."""
    nn = log_softmax(np.asarray(logits, dtype=np.float64) / temperature, axis=1)
    if base_logprobs is None or weight >= 1.0:
        return nn
    return weight * nn + (1.0 - weight) * base_logprobs


class OnnxBackend:
    def __init__(self, model_dir: Path, card: ModelCard, threads: int | None = None, batch_size: int = 32):
        import onnxruntime as ort

        model_dir = Path(model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_dir / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        self.card = card
        self.heads = list(card.heads)
        outputs = {o.name for o in self.session.get_outputs()}
        missing = [h for h in self.heads if f"logits_{h}" not in outputs]
        if missing:
            raise ValueError(f"{model_dir}: {ONNX_FILE} has no output for head(s) {missing}")
        self.encoder = TextEncoder.from_dir(model_dir, card.max_length or 512)
        self.batch_size = batch_size
        self.blend = _blend(card)
        self.baseline = None
        if self.blend:
            from models.baseline import MODEL_FILE

            import joblib

            self.baseline = joblib.load(model_dir / MODEL_FILE)

    def _run(self, texts: Sequence[str], outputs: list[str]) -> list[np.ndarray]:
        ids = self.encoder.ids(texts)
        # Sorted by length so that each batch pads little; results are put back in input order.
        order = np.argsort([len(row) for row in ids], kind="stable")
        parts: list[list[np.ndarray]] = [[] for _ in outputs]
        for start in range(0, len(order), self.batch_size):
            batch = self.encoder.pad([ids[i] for i in order[start : start + self.batch_size]])
            got = self.session.run(outputs, {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask})
            for part, value in zip(parts, got):
                part.append(value)
        inverse = np.argsort(order, kind="stable")
        return [np.concatenate(part)[inverse] for part in parts]

    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        texts = list(texts)
        if not texts:
            return {h: np.zeros((0, len(self.card.heads[h].labels))) for h in self.heads}
        raw = dict(zip(self.heads, self._run(texts, [f"logits_{h}" for h in self.heads])))
        if not self.blend:
            return raw
        base = self.baseline.logits(texts)
        out = {}
        for h in self.heads:
            params = self.blend[h]
            base_h = (align_columns(base[h], self.baseline.labels(h), self.card.heads[h].labels)
                      if h in base else None)
            out[h] = blend(raw[h], params["transformer_temperature"], base_h, params["weight"])
        return out

    def embeddings(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled encoder output (not normalised) of each text."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self._run(texts, ["embedding"])[0]


def _blend(card: ModelCard) -> dict | None:
    return (card.training or {}).get("ensemble") if card.kind == "ensemble" else None


def required_files(card: ModelCard) -> tuple[str, ...]:
    """The files of a model directory `load_backend` opens for `card`: the graph and tokenizer, and the TF-IDF model
    an ensemble blends in."""
    if not _blend(card):
        return ONNX_FILE, TOKENIZER_FILE
    from models.baseline import MODEL_FILE

    return ONNX_FILE, TOKENIZER_FILE, MODEL_FILE


def load_backend(model_dir: Path, card: ModelCard, threads: int | None = None) -> OnnxBackend:
    return OnnxBackend(model_dir, card, threads=threads)
