"""The fine-tuned router: a (possibly cut-down) e5 encoder, mean pooling and one head per target."""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from transformers import AutoConfig, AutoModel

from models.heads import ClassificationHeads, mean_pool

IGNORE = -100  # label of a ticket that does not carry this target


class RouterModel(nn.Module):
    def __init__(self, encoder: nn.Module, head_sizes: dict[str, int], dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.heads = ClassificationHeads(encoder.config.hidden_size, head_sizes, dropout)

    @property
    def head_names(self) -> list[str]:
        return self.heads.names

    @classmethod
    def from_base(
        cls, base: Path, head_sizes: dict[str, int], *, layers: int | None = None, dropout: float = 0.1
    ) -> "RouterModel":
        """Encoder weights from a local HF checkpoint dir; `layers` keeps only the lowest N transformer layers."""
        config = AutoConfig.from_pretrained(base)
        if layers is not None and layers < config.num_hidden_layers:
            config.num_hidden_layers = layers
        encoder = AutoModel.from_pretrained(base, config=config, add_pooling_layer=False)
        return cls(encoder, head_sizes, dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(logits of each head in `head_names` order..., pooled embedding)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = mean_pool(hidden, attention_mask)
        return (*self.heads(pooled), pooled)

    def freeze(self, *, embeddings: bool, lower_layers: int = 0) -> None:
        """Frozen lower parts need no gradient, so backward stops above them: on CPU this is most of the saving."""
        if embeddings:
            for p in self.encoder.embeddings.parameters():
                p.requires_grad_(False)
        for layer in self.encoder.encoder.layer[:lower_layers]:
            for p in layer.parameters():
                p.requires_grad_(False)


def masked_loss(
    logits: list[torch.Tensor], labels: list[torch.Tensor], class_weights: list[torch.Tensor | None]
) -> torch.Tensor:
    """Sum over heads of the weighted cross-entropy; tickets without a head's label (IGNORE) add nothing to it."""
    total = logits[0].new_zeros(())
    for head_logits, head_labels, weight in zip(logits, labels, class_weights):
        if (head_labels != IGNORE).any():
            total = total + nn.functional.cross_entropy(head_logits, head_labels, weight=weight, ignore_index=IGNORE)
    return total
