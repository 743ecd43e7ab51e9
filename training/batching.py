"""Length-bucketed batches: tickets of similar length go together, so dynamic padding wastes little compute."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def length_bucketed_batches(
    lengths: Sequence[int], batch_size: int, seed: int, *, pool_batches: int = 50
) -> list[list[int]]:
    """Row indices grouped into batches. Rows are shuffled, cut into pools of `pool_batches` batches, sorted by
    length inside each pool and batched; the batches are shuffled again. The pools keep some randomness in who
    meets whom, the sort keeps padding low; the same seed gives the same batches (needed to resume mid-epoch)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    lengths = np.asarray(lengths)
    pool = batch_size * pool_batches
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size].tolist() for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]
