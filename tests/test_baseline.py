from __future__ import annotations

import json
import re

import joblib
import numpy as np
import pandas as pd
import pytest

from models.baseline import BaselineModel, load_backend
from models.card import ModelCard
from models.predictor import load_predictor
from pipeline import InputError, canonical, default_stopwords, read_stopwords, stopwords_fingerprint
from ticket_samples import APPEALS, training_slice
from training.evaluation import classification_report, pick_threshold
from training.train_baseline import train_baseline

UNITS = {a[3]: a[4] for a in APPEALS}


@pytest.fixture(scope="module")
def trained(shared_data, tmp_path_factory):
    """A baseline trained on 120 real tickets per topic, with unit labels on about two thirds of them."""
    tmp = tmp_path_factory.mktemp("baseline")
    frame = pd.read_csv(training_slice(shared_data, tmp / "slice.csv"), dtype=str)
    frame["unit"] = [UNITS.get(t) if i % 3 else None for i, t in enumerate(frame["label"])]
    frame.loc[1, "unit"] = "武冈市林业局"  # seen once: cannot be calibrated, must be reported, not learned
    frame.to_csv(tmp / "train.csv", index=False)
    card = train_baseline(tmp / "train.csv", tmp / "model", dev=shared_data / "teddy2020c" / "dev_raw.csv")
    return card, tmp / "model"


def test_model_directory_and_card(trained):
    card, directory = trained
    assert {p.name for p in directory.iterdir()} == {"model.json", "stopwords.txt", "baseline.joblib"}
    assert ModelCard.load(directory) == card and card.kind == "baseline"
    assert card.heads["topic"].labels == sorted(UNITS) and set(card.heads["unit"].labels) == set(UNITS.values())
    assert card.training["rare_labels_left_out"]["unit"] == ["武冈市林业局"]
    # what an auditor asks of a model: how many tickets each label had, and which code made it (this checkout's
    # commit, +dirty while it has uncommitted changes)
    assert card.training["label_counts"]["unit"]["武冈市林业局"] == 1
    assert sum(card.training["label_counts"]["topic"].values()) == card.training["rows"]
    assert re.fullmatch(r"\d+\.\d+\.\d+ \([0-9a-f]{12}(\+dirty)?\)", card.library_versions["appeal-router"])
    stop = read_stopwords(directory / "stopwords.txt")
    assert stop == default_stopwords() and card.stopwords_sha == stopwords_fingerprint(stop)
    # 840 training tickets already carry most of the signal; the full set reaches ≈ 0.85 (bench/RESULTS.md).
    dev = card.metrics["dev"]["topic"]
    assert card.metrics["macro_f1"] == dev["macro_f1"] and 0.7 < dev["macro_f1"] <= 1
    topic = card.heads["topic"]
    held = card.metrics["holdout"]["topic"]
    assert topic.threshold is not None  # and the held-out precision it was chosen for:
    assert held["dispatched_precision"] >= 0.97 and held["coverage"] == topic.coverage > 0


def test_predictor_answers_raw_chinese_tickets(trained):
    _, directory = trained
    predictor = load_predictor(directory)
    texts = [canonical(a[1], a[2], stopwords=predictor.stopwords) for a in APPEALS]
    logits = predictor.backend.logits(texts)
    assert logits["topic"].shape == (len(APPEALS), 7)
    assert np.allclose(np.exp(logits["topic"]).sum(axis=1), 1, atol=1e-6)
    predictions = predictor.predict(texts)
    right = sum(p["topic"].label == a[3] for p, a in zip(predictions, APPEALS))
    assert right >= 6, [p["topic"].label for p in predictions]
    for p in predictions:
        assert len(p["topic"].alternatives) == 2 and p["topic"].confidence >= p["topic"].alternatives[0].confidence
        assert p["unit"].label in UNITS.values()


def test_backend_refuses_a_card_that_does_not_match(trained, tmp_path):
    card, directory = trained
    swapped = card.model_copy(deep=True)
    swapped.heads["topic"].labels = list(reversed(swapped.heads["topic"].labels))
    with pytest.raises(ValueError, match="does not match model.json"):
        load_backend(directory, swapped)


def test_rows_without_a_label_are_skipped_per_head():
    texts = ["路灯 坏 ", "公交 班次 少 ", "路灯 不亮 ", "公交 晚点 ", "学校 收费 ", "学校 补课 "] * 3
    topics = ["城乡建设", "交通运输", "城乡建设", "交通运输", "教育文体", "教育文体"] * 3
    units = [None, "交通运输局", None, "交通运输局", "教育局", "教育局"] * 3
    model = BaselineModel().fit(texts, {"topic": topics, "unit": units})
    assert model.labels("unit") == ["交通运输局", "教育局"] and len(model.labels("topic")) == 3


def test_pick_threshold_is_the_lowest_that_keeps_precision():
    conf = [0.99, 0.95, 0.90, 0.80, 0.70, 0.60]
    correct = [True, True, True, False, True, False]
    choice = pick_threshold(conf, correct, 0.97)
    assert choice.threshold == 0.90 and choice.coverage == 0.5 and choice.precision == 1.0 and choice.dispatched == 3
    assert pick_threshold(conf, correct, 0.75).threshold == 0.70  # 4 of 5 right at 0.70, 4 of 6 at 0.60
    # Tied confidences cannot be split by a threshold: 0.9 dispatches both, and one is wrong.
    assert pick_threshold([0.9, 0.9, 0.5], [True, False, True], 0.97).threshold is None
    assert pick_threshold([], [], 0.97).threshold is None


def test_a_threshold_measured_on_few_tickets_carries_its_margin():
    from models.card import HeadCard

    few = HeadCard(labels=["a"], threshold=0.9, dispatched=10, dispatched_precision=1.0)
    many = HeadCard(labels=["a"], threshold=0.9, dispatched=673, dispatched_precision=0.970)
    assert few.precision_low() == pytest.approx(0.722, abs=0.001)  # 10 of 10 right: Wilson's 95 % lower end
    assert many.precision_low() == pytest.approx(0.954, abs=0.001)
    assert HeadCard(labels=["a"]).precision_low() is None  # always review: nothing was measured


def test_classification_report_orders_and_drops_absent_labels():
    report = classification_report(["甲", "乙", "乙", "丙"], ["甲", "乙", "甲", "丙"], labels=["丁", "丙", "乙", "甲"])
    assert report.labels == ["丙", "乙", "甲"] and report.confusion == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    assert report.accuracy == 0.75 and report.per_class["乙"].recall == 0.5
    assert json.loads(json.dumps(report.to_dict()))["macro_f1"] == pytest.approx(report.macro_f1)



@pytest.mark.filterwarnings("error")
def test_classification_report_of_a_one_class_file_warns_nothing():
    """One township's tickets, all 城乡建设 and all predicted so: scikit-learn warned of a "single label" on the
    trainer's screen, as if the evaluation had gone wrong."""
    report = classification_report(["城乡建设"] * 3, ["城乡建设"] * 3, labels=["城乡建设", "交通运输"])
    assert report.confusion == [[3]] and report.macro_f1 == 1.0

def test_no_callers_number_or_name_becomes_a_word_of_the_model(tmp_path):
    """A caller who rings twice gives his number and name twice, and the TF-IDF half keeps every word seen in two
    tickets: the saved model held 13807391234 and 张建国 as words until the model input was masked first."""
    from appeal.config import get_settings

    demo = get_settings().demo_dir / "tickets.jsonl"
    rows = [json.loads(line) for line in demo.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows += [{"id": f"WG-P{i}", "title": "路灯不亮", "topic": "城乡建设", "unit": "乡镇人民政府/街道办事处",
              "text": f"来电人张建国反映，湾头桥镇白石村路灯坏了{i}个月，联系电话13807391234，车牌湘E12345。"}
             for i in range(1, 4)]
    data = tmp_path / "tickets.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    train_baseline(data, tmp_path / "model")
    saved = joblib.load(tmp_path / "model" / "baseline.joblib")  # as the model directory holds it
    words = set(dict(saved.vectorizer.transformer_list)["words"].vocabulary_)
    assert "路灯" in words and not {"手机号", "姓名"} & words  # the words of the matter, not that a number was given
    assert not {"13807391234", "张建国", "E12345"} & {part for word in words for part in word.split()}


def test_a_model_is_not_written_over_another(tmp_path):
    """`train --baseline --out runs/ft1` over a fine-tuned model left its ONNX graph, tokenizer and checkpoints
    beside the baseline's card; fine-tuning already refused a directory that is not empty."""
    from appeal.config import get_settings

    out = tmp_path / "runs" / "ft1"
    out.mkdir(parents=True)
    (out / "model.onnx").write_bytes(b"an earlier model")
    with pytest.raises(InputError, match=r"ft1: directory is not empty \(give another --out\)"):
        train_baseline(get_settings().demo_dir / "tickets.jsonl", out)
    assert [p.name for p in out.iterdir()] == ["model.onnx"]


def test_the_version_name_and_created_at_are_one_clock_reading(tmp_path, monkeypatch):
    """CI once trained a model named baseline-…-073256 whose card said 07:32:57: two clock readings a second apart.
    A clock stopped half a millisecond before a second turns makes any second reading disagree."""
    from datetime import datetime, timezone

    import training.train_baseline as module
    from appeal.config import get_settings
    from tests.conftest import stop_clock

    stop_clock(monkeypatch, module, datetime(2026, 12, 1, 3, 17, 43, 999500, tzinfo=timezone.utc))
    card = train_baseline(get_settings().demo_dir / "tickets.jsonl", tmp_path / "model")
    assert (card.version, card.created_at) == ("baseline-20261201-111743", "2026-12-01T03:17:43+00:00")
