"""The evaluation report: its numbers on real models and real tickets, its figures with Chinese labels, and the
notebook executed headless by `appeal report` in a real subprocess."""
from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import sys
import warnings
from datetime import datetime, timedelta
from html import escape

import numpy as np
import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import update

from appeal.config import centre_minute
from knowledge_base.store import utc_now
from models.registry import Registry
from tests.registry_support import sample_baseline
from pipeline.errors import InputError
from training import report
from training.evaluation import dispatch_scores
from training.feedback_store import Feedback, FeedbackRow, FeedbackStore

REPO = report.NOTEBOOK.parents[1]


@pytest.fixture(scope="module")
def registry(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    reg = Registry(root / "registry")
    reg.add(sample_baseline(tmp_path_factory, shared_data, 40), version="v1")
    reg.promote(reg.add(sample_baseline(tmp_path_factory, shared_data, 120, seed=1), version="v2"))
    return reg


@pytest.fixture(scope="module")
def dev(shared_data):
    return [shared_data / "teddy2020c" / "dev_raw.csv"]


@pytest.fixture(scope="module")
def evaluations(registry, dev):
    return report.evaluate_registry(registry, dev)


def test_a_head_the_evaluation_set_does_not_label_is_said_not_evaluated(evaluations, dev, tmp_path):
    """dev_raw.csv labels no unit: the report said "heads: topic" for a model routing to units, and a version with a
    worse unit head looked as good."""
    from appeal.config import DEMO_DIR
    from training.train_baseline import train_baseline

    assert report.heads_said(evaluations) == "heads: topic"  # topic-only models: nothing left out
    train_baseline(DEMO_DIR / "tickets.jsonl", routing := tmp_path / "demo-model")
    routed = report.evaluate_version(routing, dev)
    assert list(routed.heads) == ["topic"] and routed.unlabelled == ["unit"]
    assert report.heads_said([routed]) == (
        "heads: topic; **not evaluated**, no labels in the evaluation set: unit (give a file of the centre's own "
        "labelled tickets: `appeal report --data FILE`)")


def test_versions_are_scored_on_the_tickets_none_of_them_learnt(registry, shared_data, tmp_path):
    """A supervisor's round: `appeal report --data` on the agents' answers scored a retrain's challenger on the 43
    of them it was trained on, and it beat its champion by 0.2 macro-F1 where the gate had refused it."""
    import pandas as pd

    from models.card import ModelCard
    from training.tickets import training_file

    learnt = pd.read_csv(training_file(ModelCard.load(registry.path("v1")).training)).head(30)
    dev = pd.read_csv(shared_data / "teddy2020c" / "dev_raw.csv").head(30)
    unseen = pd.DataFrame({"text": dev["留言主题"] + " " + dev["留言详情"].str.strip(), "label": dev["一级标签"]})
    pd.concat([learnt, unseen]).to_csv(answers := tmp_path / "answers.csv", index=False)
    unseen.to_csv(tmp_path / "unseen.csv", index=False)

    evaluations = report.evaluate_registry(registry, [answers])

    by_version = {ev.version: ev for ev in evaluations}
    assert by_version["v1"].learnt == 30 and by_version["v2"].learnt is not None
    assert {(ev.tickets, ev.left_out, ev.heads["topic"].report.n) for ev in evaluations} == {(60, 30, 30)}
    alone = report.evaluate_version(registry.path("v1"), [tmp_path / "unseen.csv"])
    assert by_version["v1"].heads["topic"].report.accuracy == alone.heads["topic"].report.accuracy
    said = report.learnt_said(evaluations)
    assert said.startswith("**60 件中 30 件不计分**：它们在 v1（30 件）") and "各版本只在其余 30 件上比较" in said
    assert ("**30 of the 60 tickets left out** of every version's scores: they are in the training file of "
            "v1 (30)") in said
    assert "compared on the 30 none learnt" in said
    assert report.learnt_said(report.evaluate_registry(registry, [tmp_path / "unseen.csv"])) == ""


def test_numbers(evaluations):
    assert [(e.version, e.champion) for e in evaluations] == [("v1", False), ("v2", True)]
    table = report.versions_table(evaluations)
    assert list(table["version"]) == ["v1", "v2"] and list(table["head"]) == ["topic", "topic"]
    # what became of each, for a director who reads the table without the promotion log (a trainer's round: refused,
    # rolled back and serving versions were listed alike)
    assert list(table["status"]) == ["未比较 never compared", "在用 serving"]
    assert list(table["trained"]) == [centre_minute(e.created_at) for e in evaluations]  # Wugang's clock, not UTC
    assert (table["n"] > 440).all() and table["macro_f1"].between(0.5, 1).all()
    # the dispatched precision with how low it may be on the tickets it rests on (a report round)
    assert (table["precision_low"] <= table["dispatched_precision"]).all() and table["precision_low"].notna().all()
    assert table.loc[1, "macro_f1"] > table.loc[0, "macro_f1"], "three times the data is better"
    # a head's coverage counts its confidence alone: without a unit head nearly every ticket is reviewed (a routing
    # rule's keywords name the unit of the few dispatched: a gas leak, an outage)
    assert (table["coverage"] > 0.5).all() and (table["auto_dispatched"] < 0.02).all()

    he = evaluations[1].heads["topic"]
    classes = report.per_class_table(he)
    assert len(classes) == 7 and classes["support"].sum() == he.report.n
    assert set(classes.index) == {"城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生",
                                  "交通运输"}

    bins = report.reliability(he)
    assert bins["n"].sum() == he.report.n
    assert ((bins["confidence"] >= bins["low"]) & (bins["confidence"] <= bins["high"])).all()
    assert 0 <= report.expected_calibration_error(he) < 0.3

    curve = report.coverage_precision(he)
    assert np.all(np.diff(curve["coverage"]) > 0) and curve["coverage"].iloc[-1] == 1.0
    assert curve["precision"].iloc[-1] == pytest.approx(he.report.accuracy)
    # The marked point lies on the curve: the card's threshold gives the same coverage as the curve says.
    at = curve[curve["threshold"] >= he.report.threshold].iloc[-1]
    assert at["coverage"] == pytest.approx(he.report.coverage)
    assert (at["coverage"], at["precision"]) == pytest.approx(
        dispatch_scores(he.outcomes.confidence, he.outcomes.correct, he.report.threshold))


def test_units_named_as_an_export_names_them_are_read_as_the_unit_heads_labels(tmp_path):
    """A centre's export names the unit (武冈市住房公积金中心, 湾头桥镇人民政府), the unit head knows its type: the report
    scored such a file's unit head 0 where `appeal evaluate` and the gate read the names."""
    import pandas as pd

    from knowledge_base.units import load_catalogue
    from tests.serving_support import demo_baseline, demo_tickets

    name_of_type = {}
    for unit in load_catalogue().units:
        name_of_type.setdefault(unit.functional_type, unit.name)
    tickets = pd.DataFrame(demo_tickets())[["id", "title", "text", "topic", "unit"]]
    tickets = tickets[tickets["unit"].isin(name_of_type)].head(60)  # 村(居)委会 is a type no unit of ours has
    tickets.to_csv(tmp_path / "types.csv", index=False)
    tickets.assign(unit=tickets["unit"].map(name_of_type)).to_csv(tmp_path / "names.csv", index=False)
    assert (tickets["unit"].map(name_of_type) != tickets["unit"]).all()
    by_type, by_name = (report.evaluate_version(demo_baseline(), [tmp_path / f]).heads["unit"].report
                        for f in ("types.csv", "names.csv"))
    assert by_name.n == by_type.n == 60 and by_name.accuracy == by_type.accuracy > 0.5
    assert set(by_name.per_class) == set(by_type.per_class)


def test_decisions_table(registry, dev):
    from training.retrain import load_evaluation_set

    evaluation_set = load_evaluation_set(dev)
    registry.promote("v1", evaluation_data=evaluation_set)  # fewer tickets: refused
    table = report.decisions_table(registry)
    assert list(table["action"]) == ["promote", "refuse"] and list(table["version"]) == ["v2", "v1"]
    # which set each decision was judged on, and whether it is today's (numbers of another set do not compare)
    assert table.iloc[-1]["evaluated on"] == f"{len(evaluation_set)} tickets of {evaluation_set.name} " \
                                            f"({evaluation_set.fingerprint[:8]})"
    marked = report.decisions_table(registry, fingerprint=evaluation_set.fingerprint)
    assert list(marked["today's set"]) == ["", "yes"]
    assert list(report.decisions_table(registry, fingerprint="0" * 16)["today's set"]) == ["", "no"]
    assert list(table["previous"]) == ["", "v2"]  # the first champion had none (not shown as None)
    assert list(table["at"]) == [centre_minute(d.at) for d in registry.decisions()]
    last = table.iloc[-1]
    assert last["champion topic macro-F1"] > last["challenger topic macro-F1"]
    assert "< champion" in last["reasons"]


def test_the_serving_sentence_after_a_forced_promotion_and_a_rollback(tmp_path):
    from tests.serving_support import demo_baseline

    registry = Registry(tmp_path / "registry")
    assert report.serving_summary(registry).startswith("No version serves")
    for version in ("a", "b"):
        registry.add(demo_baseline(), version=version)
    registry.promote("a", by="appeal serve (demo model)")
    registry.promote("b", force=True, by="质检 王芳")
    forced = registry.decisions()[-1]
    assert report.serving_summary(registry) == (
        f"Serving **b**, forced past the gate (--force) at {centre_minute(forced.at)} by 质检 王芳: "
        f"{'; '.join(forced.reasons)}.")
    registry.rollback(by="质检 王芳")
    back = registry.decisions()[-1]
    # said as what happened ("rolled back to at …: rollback." read as nothing)
    assert report.serving_summary(registry) == (
        f"Serving **a**, restored by a rollback from b at {centre_minute(back.at)} by 质检 王芳.")
    # the champion's directory and pointer deleted by hand: the sentence says which version to restore
    shutil.rmtree(registry.root / "a")
    registry.champion_file.unlink()
    said = report.serving_summary(registry)
    assert said.startswith("No version serves: ") and f"a, the last one decisions.jsonl records, is gone: restore " \
                                                      f"{registry.root / 'a'} from a backup" in said, said


def test_figures_render_chinese(evaluations):
    ev = evaluations[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = [report.plot_confusion(ev, "topic"), report.plot_reliability(ev, "topic"),
                   report.plot_coverage_precision(ev, "topic"), report.plot_versions(evaluations)]
        for figure in figures:
            figure.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "missing from font" in str(w.message)], "a CJK glyph fell back to boxes"
    ticks = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert "劳动和社会保障" in ticks
    assert figures[0].axes[0].get_yticklabels()[0].get_fontname() == report.CJK_FONT


def test_cjk_font_installed_after_matplotlib_cached_its_font_list_is_found(monkeypatch):
    """As on a machine where fonts-noto-cjk was installed after matplotlib's first import had written its cache."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist if "CJK" not in f.name])
    report.use_cjk_font.cache_clear()
    try:
        assert report.use_cjk_font() == report.CJK_FONT
        assert report.CJK_FONT in {f.name for f in manager.ttflist}
    finally:
        report.use_cjk_font.cache_clear()


def test_another_font_that_draws_chinese_serves_where_noto_is_missing_and_none_is_said_how_to_add(monkeypatch):
    """A trainer's round: on a server without fonts-noto-cjk (an intranet without apt) `appeal report` stopped, though
    CentOS's wqy fonts or a SimHei copied from a desktop draw the same labels."""
    from dataclasses import replace

    from matplotlib import font_manager

    manager = font_manager.fontManager
    report.use_cjk_font()  # Noto into matplotlib's list where it was installed after the list was cached
    noto = next(f for f in manager.ttflist if f.name == report.CJK_FONT)
    others = [f for f in manager.ttflist if f.name not in report.CJK_FAMILIES]
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    monkeypatch.setattr(manager, "ttflist", [*others, replace(noto, name="WenQuanYi Micro Hei")])
    report.use_cjk_font.cache_clear()
    try:
        assert report.use_cjk_font() == "WenQuanYi Micro Hei"
        monkeypatch.setattr(manager, "ttflist", others)
        report.use_cjk_font.cache_clear()
        with pytest.raises(InputError, match=r"yum install wqy-microhei-fonts\), or copy its .ttf / .otf / .ttc file "
                                             r"into ~/.fonts"):
            report.use_cjk_font()
    finally:
        report.use_cjk_font.cache_clear()


def _appeal(*args, cwd):
    env = {**os.environ, "APPEAL_SHARED_DATA": str(REPO / ".." / "shared" / "data")}
    return subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _answer(store: FeedbackStore, ticket: str, topic: str, predicted: str | None, version: str | None,
            suggestion: str | None = None) -> None:
    store.add(Feedback(text=f"工单{ticket}", topic=topic, ticket_id=ticket, predicted_topic=predicted,
                       model_version=version, suggestion_id=suggestion))


def test_live_table_counts_each_ticket_once_per_model_version(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    assert report.live_table(store.latest()).empty
    _answer(store, "T1", "城乡建设", "城乡建设", "v1", suggestion="wg-ld-01")
    _answer(store, "T2", "交通运输", "城乡建设", "v1")
    _answer(store, "T3", "交通运输", None, "v2")  # the platform sent no prediction
    _answer(store, "T2", "城乡建设", "城乡建设", "v1")  # the agent changed their mind: the latest answer counts
    _answer(store, "T4", "环境保护", "环境保护", None)
    table = report.live_table(store.latest(), versions=["v1", "v3"]).set_index("model_version")
    store.close()
    assert list(table.index) == ["v1", "v2", "(not given)", "v3"]  # v3: a version no agent has answered for yet
    assert table.loc["v3", "tickets"] == 0 and np.isnan(table.loc["v3", "topic_kept"])
    # a count shown as a count beside the empty row (it read 1.0, between shares: "100 % unknown")
    assert str(table["unknown_topic"].dtype) == "Int64" and ".0<" not in table[["unknown_topic"]].to_html()
    assert table.loc["v1", ["tickets", "with_prediction", "topic_kept", "suggestion_used"]].tolist() == [2, 2, 1.0, 0.5]
    assert table.loc["v2", "tickets"] == 1 and np.isnan(table.loc["v2", "topic_kept"])
    assert table.loc["(not given)", "topic_kept"] == 1.0


def test_an_answer_naming_a_topic_its_version_does_not_know_is_counted_apart(tmp_path):
    """A report round: an agent's typo (城建) lowered the share of topics kept, as if the model had erred."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    _answer(store, "T1", "城乡建设", "城乡建设", "v1")
    _answer(store, "T2", "城建", "城乡建设", "v1")
    _answer(store, "T3", "交通运输", "城乡建设", "v1")
    answers = store.latest()
    store.close()
    table = report.live_table(answers, known_topics={"v1": ["城乡建设", "交通运输"]}).set_index("model_version")
    assert table.loc["v1", ["tickets", "topic_kept", "unknown_topic"]].tolist() == [3, 0.5, 1]
    assert report.live_table(answers).loc[0, "topic_kept"] == round(1 / 3, 4)  # labels unknown: all count


def test_repeats_live_table_measures_the_flag_per_week(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    assert report.repeats_live_table(store.latest()).empty
    week1, week2 = datetime(2026, 11, 16, 9), datetime(2026, 11, 23, 9)  # Mondays of ISO weeks 47 and 48
    # stored in UTC: Sunday 17:00 there is Monday 01:00 in Wugang, the first hour of week 48
    week2_in_wugang = datetime(2026, 11, 22, 17)
    answers = [("T1", ["T0"], "T0", week1), ("T2", ["T0"], None, week1), ("T3", [], "T0", week1),
               ("T4", [], None, week1), ("T7", ["T0"], None, week1),
               ("T5", None, "T0", week1),  # the platform did not say what was listed: not counted
               ("T6", ["T1", "T0"], "T1", week2_in_wugang),
               ("T2", ["T0"], "T0", week2),  # T2 corrected: the latest counts
               ("T8", [], "T-OLD", week2),  # linked to a ticket the service never routed: no miss of the check
               ("T9", ["T0"], "T0", datetime(2026, 12, 7, 9))]  # week 50, after a week with no answers
    for ticket, listed, link, at in answers:
        row = store.add(Feedback(text=f"工单{ticket}", topic="城乡建设", ticket_id=ticket,
                                 related_ticket_ids=listed, repeat_of=link, repeat_of_seen=link != "T-OLD"))
        with store.engine.begin() as connection:
            connection.execute(update(FeedbackRow).where(FeedbackRow.id == row.id).values(created_at=at))
    table = report.repeats_live_table(store.latest()).set_index("week")
    store.close()
    assert table.drop(index="2026-W49 11/30–12/06").to_dict("index") == {
        "2026-W47 11/16–11/22": {"tickets": 4, "listed": 2, "confirmed": 1, "precision": 0.5, "linked": 2,
                                 "recall": 0.5},
        "2026-W48 11/23–11/29": {"tickets": 3, "listed": 2, "confirmed": 2, "precision": 1.0, "linked": 2,
                                 "recall": 1.0},
        "2026-W50 12/07–12/13": {"tickets": 1, "listed": 1, "confirmed": 1, "precision": 1.0, "linked": 1,
                                 "recall": 1.0},
    }
    # the week without answers is shown as one, not skipped
    # its dates beside the ISO week (a supervisor's round: she does not count ISO weeks)
    assert list(table.index) == ["2026-W47 11/16–11/22", "2026-W48 11/23–11/29", "2026-W49 11/30–12/06",
                                 "2026-W50 12/07–12/13"]
    assert table.loc["2026-W49 11/30–12/06", "tickets"] == 0


def test_the_weekly_table_says_whether_this_week_is_worse_and_which_units_agents_change(tmp_path):
    """A monitoring analyst's round: the answers' table per model version pooled last week (0.600 kept) and this
    week (0.455) into one figure, and which unit agents overrode was nowhere to be read."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    assert report.weekly_live_table(store.latest()).empty and report.unit_overrides_table(store.latest()).empty
    last_week, this_week = datetime(2026, 11, 16, 9), datetime(2026, 11, 30, 9)  # ISO weeks 47 and 49
    answers = [  # (ticket, agent's topic, agent's unit, the route's topic, the route's unit, when)
        ("T1", "城乡建设", "住房和城乡建设", "城乡建设", "住房和城乡建设", last_week),
        ("T2", "劳动和社会保障", "人社局", "劳动和社会保障", "人力资源和社会保障", last_week),  # an alias: kept
        ("T3", "卫生计生", "医疗保障", "劳动和社会保障", "人力资源和社会保障", this_week),
        ("T4", "卫生计生", "武冈市医疗保障局", "卫生计生", "人力资源和社会保障", this_week),  # the unit's name
        ("T5", "城乡建设", None, "城乡建设", "住房和城乡建设", this_week),  # no unit given: not counted for units
    ]
    for ticket, topic, unit, said_topic, said_unit, at in answers:
        row = store.add(Feedback(text=f"工单{ticket}", topic=topic, unit=unit, ticket_id=ticket,
                                 predicted_topic=said_topic, predicted_unit=said_unit, model_version="v1"))
        with store.engine.begin() as connection:
            connection.execute(update(FeedbackRow).where(FeedbackRow.id == row.id).values(created_at=at))
    weekly = report.weekly_live_table(store.latest()).set_index("week")
    overrides = report.unit_overrides_table(store.latest())
    store.close()
    # the week without answers shown as one
    assert list(weekly.index) == ["2026-W47 11/16–11/22", "2026-W48 11/23–11/29", "2026-W49 11/30–12/06"]
    assert weekly.loc["2026-W47 11/16–11/22"].tolist() == [2, 1.0, 1.0, 2, 2, "v1"]
    assert weekly.loc["2026-W48 11/23–11/29", "tickets"] == 0
    # each share with the answers it is over (a supervisor's round: 0.7551 of 53 tickets was 37 of 49)
    assert weekly.loc["2026-W49 11/30–12/06"].tolist() == [3, round(2 / 3, 4), 0.0, 3, 2, "v1"]
    # a type with an expert seat beside its bureau names neither (医疗保障: the bureau or the seat), a unit's name one
    assert sorted(overrides.itertuples(index=False, name=None)) == [
        ("人力资源和社会保障", "医疗保障", "type 类型", 1, round(1 / 3, 4)),
        ("人力资源和社会保障", "武冈市医疗保障局", "type 类型", 1, round(1 / 3, 4))]


def test_the_units_agents_change_most_are_numbered_as_shown(tmp_path):
    """A report round: the rows came numbered 0, 4, 3, 5 …, read as a ranking."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    for ticket, unit, said in (("T1", "城市管理和综合执法", "住房和城乡建设"), ("T2", "公安", "交通运输")):
        store.add(Feedback(text=f"工单{ticket}", topic="城乡建设", unit=unit, ticket_id=ticket, predicted_topic="城乡建设",
                           predicted_unit=said, model_version="v1"))
    overrides = report.unit_overrides_table(store.latest())
    store.close()
    assert list(overrides["routed_to"]) == ["交通运输", "住房和城乡建设"] and list(overrides.index) == [0, 1]
    assert overrides.attrs == {"changes": 2, "tickets": 2,
                               "by_change": {"type 类型": 2, "unit 同类另一单位": 0, "seat 座席↔部门": 0}}
    # the first rows, and how many there are (a supervisor's round: 10 of 13 changes shown, and nothing said)
    first = report.unit_overrides_table(FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}").latest(), top=1)
    assert list(first["routed_to"]) == ["交通运输"] and first.attrs["changes"] == 2


def test_a_ticket_sent_from_one_township_to_another_is_a_changed_unit(tmp_path):
    """A township clerk's round: units were compared by functional type, and every township's government is of one
    type, so 湾头桥镇 → 邓元泰镇, the mistake a township meets most, counted as a kept unit."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    answers = [  # (the route's unit, the agent's unit)
        ("湾头桥镇人民政府", "邓元泰镇人民政府"),  # sent on to another township: changed
        ("湾头桥镇人民政府", "湾头桥镇政府"),  # the same township, as agents write it: kept
        ("乡镇人民政府/街道办事处", "邓元泰镇人民政府"),  # the route found no township, the agent one: kept
        ("武冈市住房和城乡建设局", "住建局"),  # a department by its alias: kept
        ("湾头桥镇人民政府", "林业局"),  # to a department: changed
        ("武冈市人力资源和社会保障局", "社保专家座席"),  # to the bureau's expert seat: changed (a supervisor's round)
        ("中国移动武冈分公司", "通信"),  # the agent wrote the type of the route's unit: kept
        ("中国移动武冈分公司", "中国电信武冈分公司"),  # another company of the type: changed
    ]
    for n, (said, given) in enumerate(answers):
        store.add(Feedback(text=f"工单{n}", topic="城乡建设", unit=given, ticket_id=f"T{n}", predicted_topic="城乡建设",
                           predicted_unit=said, model_version="v1"))
    weekly = report.weekly_live_table(store.latest())
    overrides = report.unit_overrides_table(store.latest())
    store.close()
    assert weekly["unit_kept"].dropna().tolist() == [0.5]
    # each share over the tickets routed to that unit, however the agents wrote their answers
    # what each change corrects: the type first, then another unit of it, a seat and its own bureau last (a
    # trainer's round read seven 社保专家座席 → 人社局 among the two tickets sent to a wrong bureau)
    assert list(overrides.itertuples(index=False, name=None)) == [
        ("湾头桥镇人民政府", "林业", "type 类型", 1, round(1 / 3, 4)),
        ("中国移动武冈分公司", "中国电信武冈分公司", "unit 同类另一单位", 1, 0.5),
        ("湾头桥镇人民政府", "邓元泰镇人民政府", "unit 同类另一单位", 1, round(1 / 3, 4)),
        ("武冈市人力资源和社会保障局", "社保专家座席", "seat 座席↔部门", 1, 1.0)]
    assert overrides.attrs["by_change"] == {"type 类型": 1, "unit 同类另一单位": 2, "seat 座席↔部门": 1}


def test_a_route_that_named_only_a_type_is_a_share_of_every_ticket_routed_to_that_type(tmp_path):
    """A trainer's round read "市场监督管理 → 武冈市公安局, share 1.0" while two other tickets routed to market
    supervision were kept: the share was over the one route that named only the type, the bureau's own routes (named
    apart from its 12315 seat) left out."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    answers = [  # (the route's unit, the agent's unit)
        ("武冈市市场监督管理局", "武冈市市场监督管理局"),
        ("12315市场监管专家座席", "12315市场监管专家座席"),
        ("市场监督管理", "武冈市公安局"),  # the route named the type alone
        ("湾头桥镇人民政府", "湾头桥镇人民政府"),
        ("乡镇人民政府/街道办事处", "武冈市公安局"),  # no township found
    ]
    for n, (said, given) in enumerate(answers):
        store.add(Feedback(text=f"工单{n}", topic="城乡建设", unit=given, ticket_id=f"T{n}", predicted_topic="城乡建设",
                           predicted_unit=said, model_version="v1"))
    overrides = report.unit_overrides_table(store.latest())
    store.close()
    assert sorted(overrides.itertuples(index=False, name=None)) == [
        ("乡镇人民政府/街道办事处", "武冈市公安局", "type 类型", 1, 0.5),
        ("市场监督管理", "武冈市公安局", "type 类型", 1, round(1 / 3, 4))]


def test_agents_changes_are_counted_apart_for_automatic_dispatches(tmp_path):
    """A supervisor's round: "how often is an automatic dispatch wrong" had no answer; the weekly table pooled the
    tickets agents reviewed anyway with those the route sent out alone."""
    from knowledge_base.ticket_log import SeenTicket, TicketLog

    url = f"sqlite:///{tmp_path / 'appeal.db'}"
    log, store = TicketLog(url), FeedbackStore(url)
    # (decision, the route's unit, the agent's unit or None: not answered)
    routed = [("auto", "武冈市住房和城乡建设局", "住建局"), ("auto", "武冈市住房和城乡建设局", "武冈市自然资源局"),
              ("auto", "湾头桥镇人民政府", None), ("auto", "湾头桥镇人民政府", "湾头桥镇政府"),
              ("review", "湾头桥镇人民政府", "邓元泰镇人民政府"), ("review", "武冈市水利局", "水利局"),
              ("review", "武冈市水利局", "")]  # answered with a topic alone: not compared
    log.add(*(SeenTicket(f"T{n}", utc_now(), "工单", lead_unit=said, decision=decision)
              for n, (decision, said, _) in enumerate(routed)), SeenTicket("T9", utc_now(), "工单"))  # no decision kept
    for n, (_, said, given) in enumerate(routed):
        if given is not None:
            store.add(Feedback(text="工单", topic="城乡建设", unit=given or None, ticket_id=f"T{n}",
                               predicted_unit=said, model_version="v1"))
    store.add(Feedback(text="工单", topic="城乡建设", unit="林业局", ticket_id="X1", predicted_unit="武冈市水利局"))
    table = report.decision_live_table(store.latest(), log.since(utc_now() - timedelta(days=1)))
    log.close()
    store.close()
    assert table.set_index("decision").to_dict("index") == {
        "auto": {"routed": 4, "answered": 3, "unit_compared": 3, "unit_changed": 1, "unit_kept": round(2 / 3, 4)},
        "review": {"routed": 3, "answered": 3, "unit_compared": 2, "unit_changed": 1, "unit_kept": 0.5}}
    assert list(report.shown(table).columns)[:3] == ["路由决定 decision", "路由工单数 routed", "已答复 answered"]


# A trainer's month-end (the route's unit, what it decided, the agent's unit, the route's topic, the agent's): two
# tickets sent to a wrong bureau among a question moved from the 社保 seat to its bureau three times
_MONTH_END = {
    "WG-2026-1070028": ("武冈市林业局", "review", "文旅局", "环境保护", "商贸旅游"),
    "WG-2026-1070046": ("武冈市医疗保障局", "auto", "市场监管局", "卫生计生", "卫生计生"),
    "WG-2026-1070012": ("社保专家座席", "auto", "人社局", "劳动和社会保障", "劳动和社会保障"),
    "WG-2026-1070013": ("社保专家座席", "review", "人社局", "劳动和社会保障", "劳动和社会保障"),
    "WG-2026-1070014": ("社保专家座席", "review", "武冈市人力资源和社会保障局", "城乡建设", "劳动和社会保障"),
    "WG-2026-1070021": ("湾头桥镇人民政府", "review", "邓元泰镇人民政府", "城乡建设", "环境保护"),
    "WG-2026-1070019": ("武冈市住房和城乡建设局", "auto", "住建局", "城乡建设", "环境保护"),
}


def _month_end(url: str) -> None:
    from knowledge_base.ticket_log import SeenTicket, TicketLog

    log, store = TicketLog(url), FeedbackStore(url)
    for ticket, (said, decision, given, said_topic, topic) in _MONTH_END.items():
        log.add(SeenTicket(ticket, utc_now(), "工单", lead_unit=said, decision=decision))
        store.add(Feedback(text="工单", topic=topic, unit=given, ticket_id=ticket, predicted_topic=said_topic,
                           predicted_unit=said, model_version="v1"))
    # an answer of last month's, and one to a ticket the log no longer holds
    old = store.add(Feedback(text="工单", topic="城乡建设", unit="林业局", ticket_id="WG-2026-1060001",
                             predicted_topic="城乡建设", predicted_unit="武冈市水利局", model_version="v1"))
    with store.engine.begin() as connection:
        connection.execute(update(FeedbackRow).where(FeedbackRow.id == old.id).values(
            created_at=utc_now() - timedelta(days=40)))
    log.close()
    store.close()


def test_the_topics_agents_change_and_the_tickets_sent_to_a_wrong_unit_are_named(tmp_path):
    """A trainer's round: 14 of 50 topics corrected read only as "topic kept 0.72", and the two tickets sent to a
    wrong bureau were nowhere named, lost among seven questions moved from an expert seat to its own bureau."""
    from knowledge_base.ticket_log import TicketLog

    url = f"sqlite:///{tmp_path / 'appeal.db'}"
    _month_end(url)
    store, log = FeedbackStore(url), TicketLog(url)
    answers, routed = store.latest(), log.since(utc_now() - timedelta(days=1))
    store.close()
    log.close()
    topics = report.topic_overrides_table(answers)
    assert list(topics.itertuples(index=False, name=None)) == [
        ("城乡建设", "环境保护", 2, 0.5), ("城乡建设", "劳动和社会保障", 1, 0.25), ("环境保护", "商贸旅游", 1, 1.0)]
    assert topics.attrs == {"changes": 3, "tickets": 4}
    wrong = report.wrong_units_table(answers, routed)
    # the automatic dispatch first; the seat's questions left out; a ticket out of the log with no decision
    assert [(t, d, said, given, change) for t, d, said, given, change, _ in wrong.itertuples(index=False)] == [
        ("WG-2026-1070046", "auto", "武冈市医疗保障局", "武冈市市场监督管理局", "type 类型"),
        ("WG-2026-1070021", "review", "湾头桥镇人民政府", "邓元泰镇人民政府", "unit 同类另一单位"),
        ("WG-2026-1070028", "review", "林业", "文化旅游广电体育", "type 类型"),
        ("WG-2026-1060001", "", "水利", "林业", "type 类型")]
    assert report.wrong_units_table(answers, routed, top=1).attrs == {"tickets": 4}
    assert report.kept_counts(answers) == {"topic": (4, 8), "unit": (1, 8)}


def test_feedback_summary_prints_the_last_days_answers_on_the_terminal(appeal_home, tmp_path):
    """The same trainer: `appeal report` took 25–37 s for a 550 KB page, and nothing answered "what did the agents
    correct this week" on the terminal."""
    from tests.cli_support import appeal

    appeal_home.mkdir()
    _month_end(f"sqlite:///{appeal_home / 'appeal.db'}")
    result = appeal("feedback", "summary", "--days", "7")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(7 days): 7 tickets answered" in out  # last month's answer left out
    assert "topic kept 3 of 7 (43%)" in out and "unit kept 1 of 7 (14%)" in out
    assert "type 类型: 2; unit 同类另一单位: 1; seat 座席↔部门: 3" in out
    wrong = out[out.index("tickets whose unit agents changed"):]
    assert wrong.index("WG-2026-1070046") < wrong.index("WG-2026-1070021") < wrong.index("WG-2026-1070028")
    assert "WG-2026-1070012" not in out and "WG-2026-1060001" not in out
    assert appeal("feedback", "summary", "--days", "60", "--top", "1").stdout.count("(--top shows more)") == 3


def test_an_erased_ticket_still_counts_in_the_week_it_came_in(tmp_path):
    """A supervisor's round: `appeal forget` moved an erased ticket of last week into the week it was erased in (its
    place in the log was dated then), so both weeks' counts changed; what the route decided is no citizen's words."""
    from knowledge_base.ticket_log import SeenTicket, TicketLog

    log = TicketLog(f"sqlite:///{tmp_path / 'appeal.db'}")
    last_week = utc_now() - timedelta(days=7)
    log.add(*(SeenTicket(f"A{n}", last_week, "湾头桥镇白石村通村公路塌陷，张三丰家门口", township="湾头桥镇",
                         topic="交通运输", decision="review" if n < 1 else "auto", model_version="v1", urgent=n < 1)
              for n in range(4)))
    before = report.routed_weekly_table(log.since(last_week - timedelta(days=1)))
    assert log.forget(["A0"]) == 1
    after = log.since(last_week - timedelta(days=1))
    log.close()
    assert_frame_equal(report.routed_weekly_table(after), before)
    erased = next(t for t in after if t.ticket_id == "A0")
    assert (erased.text, erased.title, erased.township, erased.decision) == ("", None, "湾头桥镇", "review")


def test_the_share_sent_to_review_is_read_week_by_week_from_the_ticket_log(tmp_path):
    """A monitoring analyst's round: whether the review share was rising could be read only from the service's gauge,
    which counts since its last start; the ticket log kept no decision."""
    from knowledge_base.ticket_log import SeenTicket, TicketLog

    log = TicketLog(f"sqlite:///{tmp_path / 'appeal.db'}")
    last_week, this_week = datetime(2026, 11, 16, 9), datetime(2026, 11, 30, 9)  # ISO weeks 47 and 49
    first = [SeenTicket(f"A{n}", last_week, "工单", decision="review" if n < 1 else "auto", model_version="v1",
                        urgent=False) for n in range(4)]
    then = [SeenTicket(f"B{n}", this_week, "工单", decision="review" if n < 3 else "auto", model_version="v2",
                       urgent=n < 2, hand_over="120 急救" if n < 1 else "") for n in range(4)]
    # what became of them: the centre answered one on the call (本级办结), a unit sent one back and another unit
    # replied to it, and a unit replied to one; a close an agent's later answer undid is not counted
    at = this_week + timedelta(days=1)
    then[1] = then[1].closed("已告知来电人办理流程", at, "agent")
    then[2] = then[2].closed("已告知", at, "agent").sent_to("武冈市水利局", None).reopened(at, "agent")
    then[3] = then[3].sent_back("湾头桥镇人民政府", "非本单位职责", None, at, "unit").replied(
        "武冈市水利局", "已派人修复", None, at, "unit")
    first[0] = first[0].replied("湾头桥镇人民政府", "已处理", None, at, "unit")
    log.add(*first, *then, SeenTicket("C0", this_week, "工单"))  # C0 logged before decisions were: not in the share
    table = report.routed_weekly_table(log.since(datetime(2026, 11, 1))).set_index("week")
    log.close()
    assert list(table.index) == ["2026-W47 11/16–11/22", "2026-W48 11/23–11/29", "2026-W49 11/30–12/06"]
    # an ice storm's week: the share flagged urgent (a duty officer's round: the report said nothing of it), and
    # how many tickets that is and how many were put through to 120 / 110 / 119 (a supervisor's round: the share hid
    # the tickets it was taken over, and the hand-overs were counted only by the service's metric, since its start)
    assert table.loc["2026-W47 11/16–11/22"].tolist() == [4, 0.25, 0.0, 0, 0, 0, 1, 0, "v1"]
    assert table.loc["2026-W49 11/30–12/06"].tolist() == [5, 0.75, 0.5, 2, 1, 1, 1, 1, "v2"]
    assert table.loc["2026-W48 11/23–11/29", "tickets"] == 0
    assert np.isnan(table.loc["2026-W48 11/23–11/29", "review_share"])


def test_refusals_live_table_measures_each_rule(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    assert report.refusals_live_table(store.latest()).empty
    answers = [("T1", "litigation", True), ("T2", "litigation", False), ("T3", "other-organs", False),
               ("T4", None, True),  # refused though no rule flagged it
               ("T5", None, False), ("T6", "litigation", None),  # the platform did not say: not counted
               ("T2", "litigation", True)]  # T2 corrected: the latest answer counts
    for ticket, rule, refused in answers:
        store.add(Feedback(text=f"工单{ticket}", topic="城乡建设", ticket_id=ticket, refusal_rule=rule, refused=refused))
    table = report.refusals_live_table(store.latest()).set_index("rule")
    store.close()
    assert list(table.index) == ["litigation", "other-organs", "(no rule)"]
    # each rule with what it refuses, in the pack's words (a supervisor's round: "litigation" is English)
    assert table.loc["litigation"].tolist() == [
        "属于诉讼程序的事项（含生效判决、裁定、调解书的执行），12345 不予受理", 2, 2, 1.0]
    assert table.loc["other-organs"].tolist()[1:] == [1, 0, 0.0]
    missed = table.loc["(no rule)"]
    assert [missed["meaning"], missed["flagged"], missed["refused"]] == [
        "无规则命中而不予受理 / refused, no rule flagged it", 0, 1] and np.isnan(missed["precision"])


def test_hand_over_live_table_counts_each_line(tmp_path):
    """Line by line: a quality inspector's round found a call put through to 120, 119 and 110, where the route named
    120, counted as one confirmation, and no figure of the calls each line took."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'appeal.db'}")
    answers = [("T1", ["119 救援"], ["119 救援"]), ("T2", ["120 急救"], []), ("T3", [], ["110 报警"]), ("T4", [], []),
               ("T5", ["110 报警"], ["120 急救"]), ("T6", ["119 救援"], None),  # T6: the platform did not say
               ("T7", ["120 急救"], ["120 急救", "119 救援", "110 报警"]), ("T8", ["120 急救", "110 报警"], ["120 急救"])]
    for ticket, named, put in answers:
        store.add(Feedback(text=f"工单{ticket}", topic="城乡建设", ticket_id=ticket, hand_over=named, put_through=put))
    table = report.hand_over_live_table(store.latest())
    store.close()
    assert table["week"].nunique() == 1  # answered this week
    assert table.set_index("line")[["put_through", "confirmed", "missed", "false_alarm"]].to_dict("index") == {
        "110 报警": {"put_through": 2, "confirmed": 0, "missed": 2, "false_alarm": 2},  # T3 T7 put through; T5 T8 not
        "119 救援": {"put_through": 2, "confirmed": 1, "missed": 1, "false_alarm": 0},  # T1; T7
        "120 急救": {"put_through": 3, "confirmed": 2, "missed": 1, "false_alarm": 1},  # T7 T8; T5; T2
    }


def test_a_version_that_cannot_be_loaded_is_named_and_the_others_are_reported(registry, dev, tmp_path):
    """A challenger's model file deleted stopped the whole report, the champion's numbers with it; and the share the
    service dispatches without a person is measured as /v1/route decides."""
    import shutil

    from tests.serving_support import demo_baseline

    copy = Registry(tmp_path / "registry")
    shutil.copytree(registry.root, copy.root)
    copy.add(demo_baseline(), version="demo")
    for path in (copy.root / "v1").iterdir():
        if path.name != "model.json":
            path.unlink()
    evaluations = {e.version: e for e in report.evaluate_registry(copy, dev)}  # in training order: the demo's varies
    assert {(e.version, bool(e.error), bool(e.heads)) for e in evaluations.values()} == {
        ("v1", True, False), ("v2", False, True), ("demo", False, True)}
    assert list(report.failures_table(evaluations.values())["version"]) == ["v1"]
    demo = evaluations["demo"]
    # an unsure topic holds no dispatch up (the unit decides): more tickets leave without a person than the topic
    # head alone would have let through
    assert demo.heads["topic"].report.coverage < demo.auto_dispatched < 1
    assert set(report.versions_table(evaluations.values())["version"]) == {"v2", "demo"}
    # a file that is no evaluation set breaks every version: said, not a report of failures
    with pytest.raises(InputError, match=r"no version could be evaluated: v2: .*nope.csv: no such file"):
        report.evaluate_registry(copy, [tmp_path / "nope.csv"], versions=["v2", "demo"])


def test_the_notebook_opened_in_its_own_folder_reports_the_repositorys_home(registry, tmp_path, monkeypatch):
    """Jupyter runs a notebook in notebooks/, where the default home .appeal is no home: "no model versions"."""
    import shutil

    monkeypatch.delenv("APPEAL_HOME", raising=False)
    (tmp_path / "notebooks").mkdir()
    shutil.copy(report.NOTEBOOK, tmp_path / "notebooks" / "evaluation.ipynb")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copytree(registry.root, tmp_path / ".appeal" / "registry")
    (tmp_path / ".appeal" / "registry" / "v1" / "baseline.joblib").unlink()  # and one version broken
    monkeypatch.chdir(tmp_path / "notebooks")
    out, failed, _ = report.render_report(tmp_path / "report.html", versions=["v1", "v2"],
                                          notebook=tmp_path / "notebooks" / "evaluation.ipynb")
    assert list(failed) == ["v1"] and "incomplete baseline model: no baseline.joblib" in failed["v1"]
    html = out.read_text(encoding="utf-8")
    assert "json.dumps" not in html and '{"v1"' not in html  # the cell that tells the CLI is not in the page
    assert "v2 · topic (champion)" in html
    # named with the whole message: its end says what to fix (pandas cut it at 50 characters)
    assert "Versions that could not be evaluated" in html and "incomplete baseline model: no baseline.joblib" in html


def test_without_a_font_that_draws_chinese_the_report_has_its_tables_and_says_why_it_has_no_charts(
        registry, tmp_path, monkeypatch):
    """A trainer's round: on a county server without a CJK font `appeal report` wrote no page at all, though every
    table a supervisor reads (review share, agents' answers, units changed) needs no font."""
    monkeypatch.setattr(report, "cjk_font", lambda: None)
    monkeypatch.setenv("APPEAL_HOME", str(tmp_path / "home"))
    out, failed, charts = report.render_report(tmp_path / "report.html", registry=registry.root, versions=["v2"])
    html = out.read_text(encoding="utf-8")
    assert (failed, charts) == ({}, False)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # for its user alone, as the other exports (a privacy round)
    assert "<img" not in html and "图表未绘制 · Charts left out" in html and "apt-get install fonts-noto-cjk" in html
    assert "宏平均F1 macro_f1" in html and "v2 · topic (champion)" in html  # the tables are there
    assert "状态 status" in html and "在用 serving" in html and "accuracy <strong>" in html
    # and the command says so, with exit status 1 as for a version it could not evaluate
    from typer.testing import CliRunner

    from appeal.cli import _register, app

    _register()
    said = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "cli.html"), "--registry", str(registry.root),
                                    "--versions", "v2"])
    assert said.exit_code == 1 and (tmp_path / "cli.html").is_file(), said.output
    assert "(its tables; no charts)" in said.output and "charts left out: no font that draws Chinese" in said.output


def test_appeal_report_executes_the_notebook(registry, dev, shared_data, tmp_path):
    from training.retrain import load_evaluation_set

    registry.promote("v1", evaluation_data=load_evaluation_set(dev))  # refused, for a class too: a long argument
    store = FeedbackStore(f"sqlite:///{tmp_path / '.appeal' / 'appeal.db'}")  # the home `appeal report` uses here
    _answer(store, "T1", "城乡建设", "城乡建设", "v2")
    _answer(store, "T2", "交通运输", "城乡建设", "v2")
    store.add(Feedback(text="工单T3", topic="城乡建设", ticket_id="T3", related_ticket_ids=["T1"],
                       repeat_of="T1"))
    store.add(Feedback(text="工单T4", topic="城乡建设", ticket_id="T4", refusal_rule="litigation", refused=True))
    store.close()
    out = tmp_path / "out" / "report.html"
    done = _appeal("report", "--out", str(out), "--registry", str(registry.root), "--data", str(dev[0]),
                   "--kb-pairs", str(shared_data / "teddy2020c" / "replies_raw.csv"), "--kb-limit", "60", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # the kernel runs over private Unix sockets and is shut down: no ipykernel warning about TCP or an orphan
    assert "WARNING" not in done.stderr, done.stderr
    html = re.sub(r"<style.*?</style>", "", out.read_text(encoding="utf-8"), flags=re.S)
    # nothing fetched when the page opens (nbconvert's page loaded require.js and MathJax from cdnjs)
    assert not re.search(r"<script[^>]+src=", html) and "cdnjs" not in html
    assert "Traceback" not in html and "application/vnd.jupyter.stderr" not in html, "a cell wrote an error"
    assert "Refusal rules, as agents judged them" in html and "litigation" in html
    assert "no feedback on refusals yet" not in html
    # 1 across-versions figure + confusion, reliability and coverage for each of the 2 versions.
    assert len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", html)) == 7
    assert "v1 · topic" in html and "v2 · topic (champion)" in html and "劳动和社会保障" in html
    assert "60 messages" in html and "bm25" in html and "mrr" in html
    assert "first champion" in html, "the promotion log is shown"
    # which version serves, and why, said in a sentence, not only by a * in a table
    promoted = centre_minute(registry.decisions()[0].at)
    assert f"Serving <strong>v2</strong>, the first champion at {promoted}: first champion." in html
    assert "<title>模型评估报告 · Model evaluation report</title>" in html
    assert f"Read from <code>{tmp_path / '.appeal' / 'appeal.db'}</code>" in html
    # every decision's whole argument, uncut (a refusal's failing class came after the cut), and no NaN
    for decision in registry.decisions():
        assert f"<td>{escape('; '.join(decision.reasons))}</td>" in html
    decisions_html = html[html.index("Promotion decisions"):html.index("Agents' final answers")]
    assert "NaN" not in decisions_html
    assert "Agents' final answers" in html
    # headed in Chinese for a county's supervisor, beside the names the README uses (a trainer's round)
    assert "类别未改比例 topic_kept" in html and "宏平均F1 macro_f1" in html and ">NaN<" not in html
    assert re.search(r"<td>v2</td>\s*<td>2</td>\s*<td>2</td>\s*<td>0.5</td>", html), "the live table is shown"
    assert "Repeat flags, as agents judged them" in html
    week = r"<td>\d{4}-W\d{2} \d{2}/\d{2}–\d{2}/\d{2}</td>"
    assert re.search(week + r"\s*<td>1</td>\s*<td>1</td>\s*<td>1</td>\s*<td>1.0</td>", html), "repeat table"


def test_a_report_run_where_no_service_stored_anything_says_so_and_makes_no_database(registry, tmp_path):
    out = tmp_path / "report.html"
    done = _appeal("report", "--out", str(out), "--registry", str(registry.root), "--versions", "v2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"no database at <code>{tmp_path / '.appeal' / 'appeal.db'}</code>" in out.read_text(encoding="utf-8")
    assert not (tmp_path / ".appeal" / "appeal.db").exists()


def test_a_report_with_a_version_it_could_not_evaluate_says_so_and_exits_1(registry, tmp_path):
    """The version was named in the page only: a weekly scheduled run exited 0, and nobody opened the page."""
    import shutil

    copy = tmp_path / "registry"
    shutil.copytree(registry.root, copy)
    (copy / "v1" / "baseline.joblib").write_bytes(b"cut sh")  # there, but not a model: only loading it tells
    out = tmp_path / "report.html"
    done = _appeal("report", "--out", str(out), "--registry", str(copy), "--versions", "v1,v2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "v1: not evaluated (InputError: " in done.stderr and "the baseline model cannot be loaded" in done.stderr
    assert "v2 · topic (champion)" in out.read_text(encoding="utf-8")
    assert _appeal("report", "--out", str(out), "--registry", str(copy), "--versions", "v2",
                   cwd=tmp_path).returncode == 0  # a broken version left out of the report is no failure of it


def test_appeal_report_fails_on_a_cell_error(registry, tmp_path):
    out = tmp_path / "report.html"
    done = _appeal("report", "--out", str(out), "--registry", str(registry.root), "--versions", "v1,nope",
                   cwd=REPO)
    assert done.returncode == 2
    # said before the notebook runs, as the command says it (a trainer's round: "error: evaluation.ipynb:
    # InputError: …" after 12 s)
    assert done.stderr.strip() == (f"error: --versions: no version nope in {registry.root} (`appeal models list` lists "
                                   "them)"), done.stderr
    assert not out.exists()
    missing = _appeal("report", "--out", str(out), "--registry", str(registry.root), "--data",
                      str(tmp_path / "nofile.csv"), cwd=REPO)
    assert missing.stderr.strip() == f"error: {tmp_path / 'nofile.csv'}: no such file", missing.stderr
    assert not out.exists()
    # one the notebook finds is said the same way, without the notebook's name and the exception's
    pairs = _appeal("report", "--out", str(out), "--registry", str(registry.root), "--versions", "v2", "--kb-pairs",
                    str(tmp_path / "nopairs.csv"), cwd=REPO)
    assert pairs.returncode == 2 and pairs.stderr.startswith(f"error: {tmp_path / 'nopairs.csv'}"), pairs.stderr
    assert not out.exists()
    # an output the report cannot be, said before the notebook runs
    for name, message in (("report.pdf", "give a .html file name"), ("folder.html", "is a directory")):
        (tmp_path / "folder.html").mkdir(exist_ok=True)
        done = _appeal("report", "--out", str(tmp_path / name), "--registry", str(registry.root), cwd=REPO)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "report.pdf").exists()


def test_each_version_says_what_the_gate_and_the_trainer_did_with_it(registry, tmp_path):
    import shutil

    copy = Registry(tmp_path / "registry")
    shutil.copytree(registry.root, copy.root)
    copy.promote("v1", force=True)
    copy.rollback(reason="agents report wrong units")
    assert report.version_status(copy) == {"v1": "已回滚 rolled back", "v2": "在用 serving"}
    copy.add(copy.path("v1"), version="v3")
    copy.promote("v3", judge_only=True)
    assert report.version_status(copy)["v3"] == "未启用 not promoted (gate: would refuse)"


def test_figures_on_too_few_tickets_are_not_shown_as_headlines(evaluations):
    """A trainer's round: a champion scored on the 9 answers no version had learnt read "accuracy **1.0000**"."""
    from dataclasses import replace

    he = evaluations[1].heads["topic"]
    assert f"accuracy **{he.report.accuracy:.4f}**" in report.head_said(he)
    few = replace(he, report=replace(he.report, n=9))
    said = report.head_said(few)
    assert "**" not in said and said.startswith("n = 9（工单太少，不足以判断 / too few to judge: the gate needs 30）")
