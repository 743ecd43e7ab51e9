"""Canonical text → encoder input ids, the same way in training (torch) and in serving (ONNX Runtime).

Only `tokenizers` and numpy are imported here, so the HTTP service can use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from tokenizers import Tokenizer

TOKENIZER_FILE = "tokenizer.json"

# Canonical text puts a space after every jieba word. The e5 sentencepiece vocabulary was learnt on unspaced
# Chinese, and every space costs a "▁" piece: joining CJK runs again cuts the pieces of a typical ticket by a
# third (median 198 → 127 on teddy2020c), so more of the ticket fits in the same max_length.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff]) (?=[\u3400-\u9fff\uf900-\ufaff])")


def model_text(canonical_text: str) -> str:
    return _CJK_GAP.sub("", canonical_text).strip()


@dataclass(frozen=True)
class EncodedBatch:
    input_ids: np.ndarray  # (n, longest) int64
    attention_mask: np.ndarray  # (n, longest) int64


class TextEncoder:
    """A `tokenizers.Tokenizer` cut at `max_length` pieces; batches are padded to their longest member only."""

    def __init__(self, tokenizer: Tokenizer, max_length: int):
        self.tokenizer = tokenizer
        self.max_length = max_length
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_length)
        self.pad_id = tokenizer.token_to_id("<pad>")
        if self.pad_id is None:
            self.pad_id = tokenizer.token_to_id("[PAD]") or 0

    @classmethod
    def from_dir(cls, directory: Path, max_length: int) -> "TextEncoder":
        return cls(Tokenizer.from_file(str(Path(directory) / TOKENIZER_FILE)), max_length)

    def ids(self, canonical_texts: Sequence[str]) -> list[list[int]]:
        """Unpadded piece ids of each text (special tokens included)."""
        return [e.ids for e in self.tokenizer.encode_batch([model_text(t) for t in canonical_texts])]

    def pad(self, ids: Sequence[Sequence[int]]) -> EncodedBatch:
        longest = max((len(row) for row in ids), default=1)
        input_ids = np.full((len(ids), longest), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), longest), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return EncodedBatch(input_ids, mask)

    def encode(self, canonical_texts: Sequence[str]) -> EncodedBatch:
        return self.pad(self.ids(canonical_texts))
