"""ONNX export of torch modules (the base encoder, or an encoder with classification heads) and its checks.

`export_onnx` + `optimize_onnx` + `max_abs_diff` are generic: any module whose forward takes named int64 tensors
(input_ids, attention_mask) and returns a tuple of tensors. `ensure_encoder_onnx` applies them to a local HF
checkpoint (the e5 base from `models.base_model`, or any BERT-like dir such as bert-base-chinese) and writes the
self-contained directory `models.encoder_runtime` serves from: `encoder.onnx`, `tokenizer.json`, `encoder.json`.

The TorchScript exporter is used (`dynamo=False`): the dynamo exporter needs `onnxscript`, which is not a
dependency, and the TorchScript graph of a BertModel is what onnxruntime's BERT optimiser recognises and fuses.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch

from models.atomic_dir import build_lock, staging_dir
from models.base_model import E5_PREFIXES
from models.encoder_runtime import ENCODER_CARD, ENCODER_FILE

OPSET = 17
ENCODER_DIR = "onnx"
# Inputs every transformer export takes: (batch, sequence) int64, both axes dynamic.
TEXT_INPUTS = ("input_ids", "attention_mask")
TEXT_AXES = {name: {0: "batch", 1: "sequence"} for name in TEXT_INPUTS}
PARITY_TOLERANCE = 1e-4


class MeanPoolEncoder(torch.nn.Module):
    """A HF encoder → (last_hidden_state, L2-normalised mean over the attention mask), the e5 sentence embedding."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return hidden, mean_pool(hidden, attention_mask)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
    return torch.nn.functional.normalize(pooled, p=2.0, dim=-1)


def export_onnx(module: torch.nn.Module, example_inputs: Mapping[str, torch.Tensor], output_names: Sequence[str],
                path: Path, dynamic_axes: Mapping[str, Mapping[int, str]] | None = None, opset: int = OPSET) -> Path:
    """Export `module` (called with `example_inputs` as keyword arguments, in that order) to `path`.

    `dynamic_axes` names the variable axes of inputs and outputs; by default the text inputs' batch/sequence.
    """
    module.eval()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(example_inputs)
    # The tracer warns about every Python-level shape check in transformers' code; the parity check is what counts.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # the legacy exporter is chosen on purpose (see top)
        torch.onnx.export(
            module,
            tuple(example_inputs[n] for n in names),
            str(path),
            input_names=names,
            output_names=list(output_names),
            dynamic_axes=dict(dynamic_axes or {n: TEXT_AXES[n] for n in names if n in TEXT_AXES}),
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,
        )
    return path


def optimize_onnx(path: Path, out_path: Path | None = None, *, num_heads: int = 0, hidden_size: int = 0) -> Path:
    """onnxruntime's transformer optimiser (BERT fusions: attention, layer norm, GELU) on an exported graph.

    num_heads/hidden_size 0 lets the optimiser read them from the graph.
    """
    from onnxruntime.transformers import optimizer

    out_path = Path(out_path or path)
    optimized = optimizer.optimize_model(str(path), model_type="bert", num_heads=num_heads, hidden_size=hidden_size)
    optimized.save_model_to_file(str(out_path))
    return out_path


def ort_session(path: Path, threads: int = 1):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def max_abs_diff(module: torch.nn.Module, path: Path, inputs: Mapping[str, torch.Tensor],
                 output_names: Sequence[str]) -> dict[str, float]:
    """Largest |torch − ONNX Runtime| per output on `inputs`."""
    module.eval()
    with torch.no_grad():
        expected = module(**inputs)
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    got = ort_session(path).run(list(output_names), {k: v.numpy() for k, v in inputs.items()})
    return {name: float(np.abs(e.numpy() - g).max()) for name, e, g in zip(output_names, expected, got)}


def text_inputs(tokenizer, texts: Sequence[str], max_length: int = 512) -> dict[str, torch.Tensor]:
    """Padded int64 (input_ids, attention_mask) for a `tokenizers.Tokenizer`."""
    encodings = tokenizer.encode_batch(list(texts))
    length = min(max(len(e.ids) for e in encodings), max_length)
    ids = np.full((len(texts), length), tokenizer.padding["pad_id"] if tokenizer.padding else 0, dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, e in enumerate(encodings):
        n = min(len(e.ids), length)
        ids[i, :n], mask[i, :n] = e.ids[:n], 1
    return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)}


_SAMPLE = ["query: 小区停车费收费不合理",
           "passage: 市民反映武冈市湾头桥镇道路破损严重，希望尽快修复，晚上出行很不安全。",
           "passage: Hello 世界 2024年"]


def _weights_sha(model_dir: Path) -> str:
    h = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "vocab.txt"):
        p = model_dir / name
        if p.is_file():
            h.update(name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _fast_tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if path.is_file():
        return Tokenizer.from_file(str(path))
    from transformers import AutoTokenizer

    # Older checkpoints (bert-base-chinese, rbt3) ship only vocab.txt: transformers converts it offline.
    return AutoTokenizer.from_pretrained(model_dir).backend_tokenizer


def ensure_encoder_onnx(model_dir: Path, *, optimize: bool = True, prefixes: Mapping[str, str] | None = None,
                        out_dir: Path | None = None) -> Path:
    """Export `model_dir` (an HF checkpoint: tokenizer.json or vocab.txt) as a mean-pooling encoder, once.

    Returns the runtime directory (default `model_dir/onnx`). `prefixes` default to e5's for checkpoints built
    by `models.base_model` and to none for other checkpoints. The optimised graph is kept only if it stays
    within PARITY_TOLERANCE of torch; `encoder.json` records which graph and the measured differences.
    """
    model_dir = Path(model_dir)
    out_dir = Path(out_dir or model_dir / ENCODER_DIR)
    with build_lock(out_dir):
        source_sha = _weights_sha(model_dir)
        card_path = out_dir / ENCODER_CARD
        if card_path.is_file() and (out_dir / ENCODER_FILE).is_file():
            card = json.loads(card_path.read_text(encoding="utf-8"))
            if card.get("source_sha256") == source_sha and card.get("optimize") == optimize:
                return out_dir
        if prefixes is None:
            prefixes = E5_PREFIXES if (model_dir / "build.json").is_file() else {"query": "", "passage": ""}
        with staging_dir(out_dir) as tmp:
            card = _export_encoder(model_dir, tmp, optimize=optimize)
            card.update(source_sha256=source_sha, optimize=optimize, query_prefix=prefixes["query"],
                        passage_prefix=prefixes["passage"])
            (tmp / ENCODER_CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out_dir


def _export_encoder(model_dir: Path, out: Path, *, optimize: bool) -> dict:
    """encoder.onnx + tokenizer.json into `out`; returns what encoder.json records about the export."""
    from transformers import AutoModel

    # Eager attention traces to the MatMul/Softmax pattern onnxruntime fuses into one Attention op (SDPA does not).
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    config = model.config
    encoder = MeanPoolEncoder(model)
    tokenizer = _fast_tokenizer(model_dir)
    outputs = ("last_hidden_state", "embedding")
    dynamic = {**TEXT_AXES, "last_hidden_state": {0: "batch", 1: "sequence"}, "embedding": {0: "batch"}}

    plain = export_onnx(encoder, text_inputs(tokenizer, _SAMPLE[:2]), outputs, out / "plain.onnx", dynamic)
    check = text_inputs(tokenizer, _SAMPLE)  # another batch size and length than the export example
    diffs = {"plain": max_abs_diff(encoder, plain, check, outputs)}
    if max(diffs["plain"].values()) > PARITY_TOLERANCE:
        raise RuntimeError(f"ONNX export of {model_dir} differs from torch: {diffs['plain']}")
    graph = "plain"
    if optimize:
        fused = optimize_onnx(plain, out / "optimized.onnx", num_heads=config.num_attention_heads,
                              hidden_size=config.hidden_size)
        diffs["optimized"] = max_abs_diff(encoder, fused, check, outputs)
        if max(diffs["optimized"].values()) <= PARITY_TOLERANCE:
            graph = "optimized"
    (out / f"{graph}.onnx").rename(out / ENCODER_FILE)
    for leftover in (out / "plain.onnx", out / "optimized.onnx"):
        leftover.unlink(missing_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    return {
        "source": str(model_dir.resolve()),
        "graph": graph,
        "max_abs_diff": diffs,
        "opset": OPSET,
        "dim": config.hidden_size,
        "max_length": min(config.max_position_embeddings, 512),
        "pooling": "mean",
        "normalize": True,
        "outputs": list(outputs),
    }
