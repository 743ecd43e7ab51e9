"""The ONNX backend on a model trained from a tiny random BERT: graph parity with torch, ensemble blending,
batching order and empty input."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from scipy.special import log_softmax

from appeal.config import DEMO_DIR
from models.card import ModelCard
from models.onnx_backend import OnnxBackend, align_columns, blend
from pipeline import canonical
from tiny_encoder import make_tiny_base
from training.finetune import load_torch_model, train_from_cli

DEMO = DEMO_DIR / "tickets.jsonl"
RAW = [("路灯坏了", "我们村口的路灯坏了三个月，晚上出行很不安全。"),
       ("医保报销", "住院费用医保报销比例是多少？异地就医怎么办理？"),
       ("噪音扰民", "楼下KTV每天营业到凌晨两点，噪音太大，严重影响休息，请环保部门处理。" * 3)]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("onnx")
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = make_tiny_base(tmp / "base", [r["title"] + r["text"] for r in rows])
    config = tmp / "c.json"
    config.write_text(json.dumps({"layers": 2, "max_length": 64, "epochs": 1, "holdout_fraction": 0.2}))
    return train_from_cli(DEMO, None, base, config, "fast", tmp / "model", False)


def test_raw_graph_matches_torch_in_input_order(model_dir):
    backend = OnnxBackend(model_dir, ModelCard.load(model_dir), batch_size=2)  # forces several length-sorted batches
    backend.blend = None
    texts = [canonical(t, b) for t, b in RAW]
    got = backend.logits(texts)
    model, encoder = load_torch_model(model_dir)
    for i, text in enumerate(texts):  # one at a time: no padding, no reordering on the torch side
        batch = encoder.encode([text])
        with torch.no_grad():
            expected = model(torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask))
        for h, head in enumerate(model.head_names):
            np.testing.assert_allclose(got[head][i], expected[h][0].numpy(), atol=1e-4)
    assert backend.embeddings(texts).shape == (3, model.encoder.config.hidden_size)


def test_ensemble_logits_are_the_recorded_blend(model_dir):
    card = ModelCard.load(model_dir)
    assert card.kind == "ensemble" and {p["weight"] for p in card.training["ensemble"].values()} == {0.5}
    texts = [canonical(t, b) for t, b in RAW]
    backend = OnnxBackend(model_dir, card)
    blended = backend.logits(texts)
    base = backend.baseline.logits(texts)
    backend.blend, params = None, backend.blend
    raw = backend.logits(texts)
    for head, p in params.items():
        want = align_columns(base[head], backend.baseline.labels(head), card.heads[head].labels)
        expected = p["weight"] * log_softmax(raw[head] / p["transformer_temperature"], axis=1) + (1 - p["weight"]) * want
        np.testing.assert_allclose(blended[head], expected, rtol=1e-6)


def test_empty_input_and_helpers(model_dir):
    card = ModelCard.load(model_dir)
    out = OnnxBackend(model_dir, card).logits([])
    assert {h: v.shape for h, v in out.items()} == {h: (0, len(c.labels)) for h, c in card.heads.items()}
    aligned = align_columns(np.log(np.array([[0.25, 0.75]])), ["乙", "甲"], ["甲", "乙", "丙"])
    np.testing.assert_allclose(np.exp(aligned[0, :2]), [0.75, 0.25])
    assert aligned[0, 2] < -20
    logits = np.array([[2.0, 0.0]])
    np.testing.assert_allclose(blend(logits, 1.0, None, 0.3), log_softmax(logits, axis=1))
