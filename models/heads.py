"""Pooling and per-target classification heads on top of a shared encoder (torch)."""
from __future__ import annotations

import torch
from torch import nn


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the token states that are not padding (the pooling e5 was trained with)."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class ClassificationHeads(nn.Module):
    """One linear layer per target over the same pooled vector; the heads are kept in a fixed order so the
    exported graph's outputs line up with the model card."""

    def __init__(self, hidden_size: int, head_sizes: dict[str, int], dropout: float = 0.1):
        super().__init__()
        self.names = list(head_sizes)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleDict({name: nn.Linear(hidden_size, size) for name, size in head_sizes.items()})

    def forward(self, pooled: torch.Tensor) -> list[torch.Tensor]:
        features = self.dropout(pooled)
        return [self.layers[name](features) for name in self.names]
