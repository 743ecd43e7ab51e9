"""A tiny random BERT checkpoint with a word-piece tokenizer learnt from real Chinese tickets: plumbing tests
of fine-tuning and export run on it in seconds (quality is measured in bench/, on the real e5 encoder)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch
from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from tokenizers.trainers import WordPieceTrainer
from transformers import BertConfig, BertModel


def make_tiny_base(out: Path, corpus: Sequence[str], *, layers: int = 2, hidden: int = 32) -> Path:
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(list(corpus), WordPieceTrainer(vocab_size=3000, special_tokens=specials))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=2, intermediate_size=2 * hidden, max_position_embeddings=512)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)  # a random encoder of its own each run made the fine-tuned heads' thresholds vary (CI)
    BertModel(config).save_pretrained(out)
    tokenizer.save(str(out / "tokenizer.json"))
    return out
