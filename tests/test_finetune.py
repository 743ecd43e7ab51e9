"""Fine-tuning plumbing on a tiny random BERT (seconds) and the CI smoke run on the real e5 encoder cut to 1 layer."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from appeal.config import DEMO_DIR
from models.card import ModelCard
from models.predictor import load_predictor
from pipeline import InputError, canonical
from tiny_encoder import make_tiny_base
from training.finetune import (
    Trainer, choose_blend, head_labels, to_split, train_from_cli,
)
from training.finetune_config import FinetuneConfig, load_config
from training.tickets import load_tickets, stratified_split

DEMO = DEMO_DIR / "tickets.jsonl"
TICKETS = [("小区停车费收费不合理", "物业每个月乱收停车费，请有关部门查处。"),
           ("学校食堂卫生差", "孩子在学校食堂吃饭后拉肚子，希望教育局检查。")]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    return make_tiny_base(tmp_path_factory.mktemp("tiny") / "base", [r["title"] + r["text"] for r in rows])


def _config(tmp: Path, **values) -> Path:
    settings = {"layers": 2, "max_length": 64, "epochs": 2, "batch_size": 16, "lr": 1e-3, "head_lr": 5e-3,
                "holdout_fraction": 0.2, "checkpoint_every": 5, "patience": 2} | values
    path = tmp / "finetune.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_model(tiny_base, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("run")
    return train_from_cli(DEMO, None, tiny_base, _config(tmp), "fast", tmp / "model", False)


def test_appeal_train_prints_what_it_trained_and_warns_when_a_run_is_too_short(tiny_base, tmp_path):
    """The real command: the card's summary, and on 270 tickets with one epoch a warning that says what to change.
    Its output goes to pipes, as a log would: progress comes as one line per epoch, not as a bar's redraws. The
    tickets name the unit that handled them, as a work-order export does; the unit head learns their types."""
    import subprocess
    import sys

    from knowledge_base.units import load_catalogue

    catalogue = load_catalogue()
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows[0]["topic"] = "城建"  # an agent's typo, too rare to become a class
    named = tmp_path / "named.jsonl"
    named.write_text("\n".join(json.dumps({**row, "unit": next((u.name for u in catalogue.units_of_type(row["unit"])),
                                                                row["unit"])}, ensure_ascii=False) for row in rows),
                     encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "train", "--data", str(named),
                             "--base", str(tiny_base), "--config", str(_config(tmp_path, epochs=1)),
                             "--out", str(tmp_path / "model")],
                            capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    printed, warned = " ".join(result.stdout.split()), " ".join(result.stderr.split())  # rich wraps at 80 columns
    assert "240 tickets from" in printed and "60 held out; 15 steps in 1 epoch(s)" in printed
    assert "topic on holdout" in printed
    assert "epoch 1/1: holdout macro-F1" in printed and "step 15/15" in printed and "elapsed" in printed
    assert "\r" not in result.stdout + result.stderr and "fine-tuning:" not in result.stderr
    assert "warning: only 15 optimisation steps" in warned and "epochs = 10" in warned
    assert "unit '武冈市教育局' trained as '教育'" in printed
    assert "topic: too few tickets to learn yet, left out: 城建" in printed
    assert ModelCard.load(tmp_path / "model").heads["unit"].labels == sorted({row["unit"] for row in rows})
    assert "城建" not in ModelCard.load(tmp_path / "model").heads["topic"].labels


def test_a_label_given_to_only_one_or_two_tickets_is_no_class_of_its_head(tiny_base, tmp_path):
    """An agent's typo (城建 for 城乡建设) in the retraining data became a class of its own, its one ticket weighted
    like a hundred by the balanced class weights; the card lists it, and the ticket still trains the other head."""
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows[0]["topic"], rows[1]["unit"], rows[2]["unit"] = "城建", "路灯所", "路灯所"
    data = tmp_path / "typos.jsonl"
    data.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    card = ModelCard.load(train_from_cli(data, None, tiny_base, _config(tmp_path, epochs=1), "fast",
                                         tmp_path / "model", False))
    assert "城建" not in card.heads["topic"].labels and "路灯所" not in card.heads["unit"].labels
    assert card.training["rare_labels_left_out"] == {"topic": ["城建"], "unit": ["路灯所"]}
    assert len(card.heads["topic"].labels) == 7 and len(card.heads["unit"].labels) == 32


def test_trained_directory_is_a_complete_model(tiny_model):
    card = ModelCard.load(tiny_model)
    demo, _ = load_tickets(DEMO)
    assert card.kind == "ensemble" and card.training["ensemble"]["topic"]["weight"] == 0.5  # the fixed default
    assert set(card.heads) == {"topic", "unit"}
    for head, head_card in card.heads.items():
        assert head_card.labels == sorted({v for v in demo[head] if v is not None})
        assert head_card.temperature > 0 and head_card.target_precision == 0.97
        assert 0.0 <= head_card.coverage <= 1.0
        if head_card.threshold is not None:  # what the threshold was measured on, for its margin
            holdout = card.metrics["heads"][head]["holdout_n"]
            assert head_card.dispatched == round(head_card.coverage * holdout) and head_card.precision_low() < 1.0
    assert any(head_card.threshold is not None for head_card in card.heads.values())
    assert card.max_length == 64 and card.data_fingerprint and card.stopwords_sha
    assert {"torch", "onnxruntime", "transformers", "appeal-router"} <= set(card.library_versions)
    assert max(card.metrics["onnx_parity_max_abs"].values()) < 1e-4
    assert card.training["steps"] > 0 and card.training["seconds"] > 0
    for name in ("model.onnx", "tokenizer.json", "model.json", "stopwords.txt"):
        assert (tiny_model / name).is_file()
    assert (tiny_model / "baseline.joblib").is_file()
    assert not (tiny_model / ".checkpoint").exists()


def test_predictor_answers_raw_chinese_tickets(tiny_model):
    predictor = load_predictor(tiny_model)
    texts = [canonical(t, b, stopwords=predictor.stopwords) for t, b in TICKETS]
    out = predictor.predict(texts, top_k=3)
    assert len(out) == 2
    for row in out:
        assert set(row) == {"topic", "unit"}
        for head, pred in row.items():
            labels = predictor.card.heads[head].labels
            assert pred.label in labels and 0 < pred.confidence <= 1
            # the threshold the review flag was decided against goes with it, for the reason an agent reads
            threshold = predictor.card.heads[head].threshold
            assert pred.threshold == threshold is not None and pred.review == (pred.confidence < threshold)
            assert len(pred.alternatives) == 2 and all(a.confidence <= pred.confidence for a in pred.alternatives)


def test_interrupted_run_resumes_to_the_same_weights(tiny_base, tmp_path):
    cfg = FinetuneConfig(layers=2, max_length=48, epochs=2, batch_size=16, lr=1e-3, checkpoint_every=100,
                         holdout_fraction=0.2, patience=2, ensemble=False)
    tickets, _ = load_tickets(DEMO)
    train, held = stratified_split(tickets, 0.2, cfg.seed)
    labels = head_labels(train)
    make = lambda where: Trainer(cfg, tiny_base, labels, to_split(train, labels), to_split(held, labels), where)

    straight = make(tmp_path / "a")
    assert straight.run()
    interrupted = make(tmp_path / "b")
    assert not interrupted.run(stop_at_step=straight.steps_per_epoch + 3)  # stopped inside the second epoch
    resumed = make(tmp_path / "b")
    assert resumed.load_checkpoint() and resumed.step == straight.steps_per_epoch + 3
    assert resumed.run()
    for (name, a), (_, b) in zip(straight.model.state_dict().items(), resumed.model.state_dict().items()):
        torch.testing.assert_close(a, b, msg=name)
    assert resumed.history == straight.history


def test_resume_with_other_settings_is_refused(tiny_base, tmp_path):
    out = tmp_path / "model"
    tickets, _ = load_tickets(DEMO)
    cfg = FinetuneConfig(layers=1, max_length=32, epochs=1, ensemble=False, holdout_fraction=0.2)
    train, held = stratified_split(tickets, 0.2, cfg.seed)
    labels = head_labels(train)
    Trainer(cfg, tiny_base, labels, to_split(train, labels), to_split(held, labels), out / ".checkpoint").run(2)
    with pytest.raises(InputError, match="train without --resume"):
        train_from_cli(DEMO, None, tiny_base, _config(tmp_path), "fast", out, True)
    with pytest.raises(InputError, match="not empty"):
        train_from_cli(DEMO, None, tiny_base, _config(tmp_path), "fast", out, False)


def test_resume_on_a_finished_model_is_refused_and_leaves_it(tiny_base, tiny_model, tmp_path):
    """A finished run keeps no checkpoint: --resume trained it again from the start and replaced it."""
    before = {p.name: p.stat().st_mtime_ns for p in tiny_model.iterdir()}
    with pytest.raises(InputError, match="finished model"):
        train_from_cli(DEMO, None, tiny_base, _config(tmp_path), "fast", tiny_model, True)
    assert {p.name: p.stat().st_mtime_ns for p in tiny_model.iterdir()} == before



def test_a_run_killed_while_its_model_was_moved_in_is_finished_by_resume(tiny_base, tiny_model, tmp_path):
    """The end of a run deletes its checkpoint, then moves the finished model in from `<out>.partial`: a kill between
    left the model there and nothing to resume, and `--resume` (or a plain rerun) trained it all again."""
    import shutil

    out, staging = tmp_path / "model", tmp_path / "model.partial"
    shutil.copytree(tiny_model, staging)
    out.mkdir()
    card = (staging / "model.json").read_bytes()
    with pytest.raises(InputError, match="--resume moves it"):
        train_from_cli(DEMO, None, tiny_base, _config(tmp_path), "fast", out, False)
    with pytest.raises(InputError, match="other settings"):
        train_from_cli(DEMO, None, tiny_base, _config(tmp_path, epochs=3), "fast", out, True)
    assert (staging / "model.json").read_bytes() == card and not any(out.iterdir())
    assert train_from_cli(DEMO, None, tiny_base, _config(tmp_path), "fast", out, True) == out
    assert (out / "model.json").read_bytes() == card and not staging.exists()
    assert set(load_predictor(out).predict([canonical(*TICKETS[0])])[0]) == {"topic", "unit"}

def test_config_files_and_profiles(tmp_path):
    assert load_config(None, "quality").layers == 4
    toml = tmp_path / "c.toml"
    toml.write_text("epochs = 3\nmax_length = 200\n", encoding="utf-8")
    cfg = load_config(toml, "fast")
    assert (cfg.epochs, cfg.max_length, cfg.layers) == (3, 200, FinetuneConfig().layers)
    bad = tmp_path / "bad.json"
    bad.write_text('{"epochs": 0, "colour": "red"}', encoding="utf-8")
    with pytest.raises(InputError, match="epochs") as err:
        load_config(bad, "fast")
    assert "colour" in str(err.value)
    # a value of the wrong type is named, not converted (true was read as one epoch); a whole number rate is a rate
    typed = tmp_path / "typed.json"
    typed.write_text('{"epochs": true, "batch_size": "16", "lr": 1}', encoding="utf-8")
    with pytest.raises(InputError, match=r"batch_size: Input should be a valid integer; "
                                         r"epochs: Input should be a valid integer"):
        load_config(typed, "fast")
    typed.write_text('{"lr": 1, "ensemble_weight": 0}', encoding="utf-8")
    assert (load_config(typed, "fast").lr, load_config(typed, "fast").ensemble_weight) == (1.0, 0.0)
    with pytest.raises(InputError, match="profile"):
        load_config(None, "turbo")
    with pytest.raises(InputError, match="not found"):
        load_config(tmp_path / "missing.toml", "fast")
    # Windows Notepad saves UTF-8 with a BOM, which ticket files were already read past
    for name in ("notepad.json", "notepad.toml"):
        (tmp_path / name).write_text('{"epochs": 2}' if name.endswith("json") else "epochs = 2\n", encoding="utf-8-sig")
        assert load_config(tmp_path / name, "fast").epochs == 2
    # a trainer's round: `train` advised --config, whose settings were named nowhere a trainer reads; the README
    # names each, and the file it gives as an example is one
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert [name for name in FinetuneConfig.model_fields if f"`{name}`" not in readme] == []
    (tmp_path / "train.toml").write_text("epochs = 10\npatience = 3\n", encoding="utf-8")
    example = load_config(tmp_path / "train.toml", "fast")
    assert (example.epochs, example.patience) == (10, 3)


@pytest.mark.slow
def test_smoke_real_e5_train_export_predict(appeal_home, tmp_path):
    """CI smoke: the real e5 encoder cut to one layer, 200 demo tickets, train → ONNX → load_predictor → predict."""
    from models.base_model import ensure_base_model

    rows = DEMO.read_text(encoding="utf-8").splitlines()[:200]
    data = tmp_path / "tickets.jsonl"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    base = ensure_base_model(layers=1, prune_vocab=True)
    out = train_from_cli(data, None, base, _config(tmp_path, layers=1, max_length=48, epochs=1), "fast",
                         tmp_path / "model", False)
    predictor = load_predictor(out)
    assert max(predictor.card.metrics["onnx_parity_max_abs"].values()) < 1e-3
    out_rows = predictor.predict([canonical(t, b, stopwords=predictor.stopwords) for t, b in TICKETS])
    assert [set(r) for r in out_rows] == [{"topic", "unit"}] * 2


def test_holdout_chosen_blend_weight_follows_the_better_model():
    labels = np.array([0, 1, 2, 0, 1, 2])
    right = np.log(np.eye(3)[labels] * 0.9 + 0.1 / 3)
    wrong = np.log(np.eye(3)[(labels + 1) % 3] * 0.9 + 0.1 / 3)
    assert choose_blend(right, 1.0, wrong, labels) == 1.0
    assert choose_blend(wrong, 1.0, right, labels) < 0.5
    assert load_config(None, "fast").ensemble_weight == 0.5
    assert FinetuneConfig(ensemble_weight=None).ensemble_weight is None


def test_the_version_name_and_created_at_are_one_clock_reading(tiny_base, tmp_path, monkeypatch):
    """As for the baseline: a name a second off the card's time points a trainer at the wrong run."""
    from datetime import datetime, timezone

    import training.finetune as module
    from tests.conftest import stop_clock

    stop_clock(monkeypatch, module, datetime(2026, 12, 1, 3, 17, 43, 999500, tzinfo=timezone.utc))
    card = ModelCard.load(train_from_cli(DEMO, None, tiny_base, _config(tmp_path, epochs=1), "fast",
                                         tmp_path / "model", False))
    assert card.version.endswith("-20261201-111743") and card.created_at == "2026-12-01T03:17:43+00:00"
