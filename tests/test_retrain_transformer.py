"""Retraining a fine-tuned (ONNX) champion: the challenger is fine-tuned with the champion's own settings and
its topic head grows by the new label. A tiny random encoder keeps it to seconds; quality is not the point."""
from __future__ import annotations

import json

import pytest
from tiny_encoder import make_tiny_base

from appeal.config import DEMO_DIR
from models.card import ModelCard
from models.predictor import load_predictor
from models.registry import Registry
from tests.registry_support import NEW_TOPIC, agriculture_tickets
from training.finetune import train_file
from training.finetune_config import FinetuneConfig
from training.retrain import retrain

TINY = FinetuneConfig(layers=1, max_length=32, epochs=1, batch_size=32, lr=1e-3, head_lr=5e-3, holdout_fraction=0.2,
                      checkpoint_every=100, ensemble=False)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    rows = [json.loads(line) for line in (DEMO_DIR / "tickets.jsonl").read_text(encoding="utf-8").splitlines()]
    return make_tiny_base(tmp_path_factory.mktemp("tiny") / "base", [r["title"] + r["text"] for r in rows])


def test_transformer_champion_is_retrained_its_own_way(tiny_base, shared_data, tmp_path):
    champion = train_file(DEMO_DIR / "tickets.jsonl", cfg=TINY, out=tmp_path / "champion", base=tiny_base)
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(champion, version="t1"))
    new = tmp_path / "farming.jsonl"
    new.write_text("".join(json.dumps({**r, "created_at": f"2026-03-0{i + 1}"}, ensure_ascii=False) + "\n"
                           for i, r in enumerate(agriculture_tickets(shared_data))), encoding="utf-8")

    result = retrain([new], registry=registry, holdout=0.0, base_encoder=tiny_base, work_dir=tmp_path / "runs",
                     evaluation=[shared_data / "teddy2020c" / "dev_raw.csv"])

    old, card = ModelCard.load(champion), ModelCard.load(registry.path(result.challenger))
    assert card.kind == old.kind == result.kind == "transformer"
    assert card.training["config"] == old.training["config"], "the champion's fine-tuning settings"
    assert result.merge.added == 7 and result.merge.trained_rows == 307
    assert result.new_labels["topic"] == [NEW_TOPIC] and result.new_heads == []
    assert card.heads["topic"].labels == sorted([*old.heads["topic"].labels, NEW_TOPIC])
    assert card.heads["unit"].labels == old.heads["unit"].labels
    predictor = load_predictor(registry.path(result.challenger))
    assert predictor.probabilities(["农业 养殖 补贴 "])["topic"].shape == (1, len(card.heads["topic"].labels))
    assert registry.decisions()[-1].version == result.challenger
