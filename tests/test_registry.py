"""The model registry and its promotion gate, with real baseline models trained on real teddy2020c tickets and
judged on the real held-out dev_raw.csv."""
from __future__ import annotations

import getpass
import json
import re

import pytest
from typer.testing import CliRunner

from appeal.config import centre_minute, centre_time
from models.card import CARD_FILE, ModelCard
from models.registry import DECISIONS_FILE, MANIFEST_FILE, Registry, gate, score_model
from pipeline import InputError
from tests.cli_support import appeal
from tests.registry_support import sample_baseline
from training.retrain import load_evaluation_set


@pytest.fixture(scope="module")
def models(shared_data, tmp_path_factory):
    return {
        "small": sample_baseline(tmp_path_factory, shared_data, 40),
        "large": sample_baseline(tmp_path_factory, shared_data, 200),
        "shuffled": sample_baseline(tmp_path_factory, shared_data, 150, shuffle_labels=True),
    }


@pytest.fixture(scope="module")
def dev_set(shared_data):
    return load_evaluation_set([shared_data / "teddy2020c" / "dev_raw.csv"])


def test_add_list_and_first_champion(tmp_path, models):
    registry = Registry(tmp_path / "registry")
    assert registry.champion() is None and registry.list() == []
    v1 = registry.add(models["small"], version="v1")
    assert (registry.root / "v1" / CARD_FILE).is_file()
    assert (models["small"] / CARD_FILE).is_file(), "add copies; the trained directory stays"
    assert json.loads((registry.root / "v1" / CARD_FILE).read_text())["version"] == "v1"
    assert registry.champion() is None, "adding a version does not make it serve"

    decision = registry.promote(v1)
    assert decision.action == "promote" and decision.reasons == ["first champion"]
    assert registry.champion() == ("v1", registry.root / "v1")
    [info] = registry.list()
    assert info.champion and info.kind == "baseline" and info.heads == {"topic": 7}

    with pytest.raises(InputError, match="already exists"):
        registry.add(models["large"], version="v1")
    # a line break at the end passed the check ($ matches before it): a folder "v1\n" listed as a second v1
    for name in ("v2\n", "../evil"):
        with pytest.raises(InputError, match="is not a valid version name"):
            registry.add(models["large"], version=name)
    with pytest.raises(InputError, match="already the champion"):
        registry.promote("v1")
    with pytest.raises(InputError, match=r"no version 'v9' \(known: v1\)"):
        registry.promote("v9")


def test_scores_are_real_and_the_shuffled_model_is_near_chance(models, dev_set):
    good = score_model(models["large"], dev_set)["topic"]
    bad = score_model(models["shuffled"], dev_set)["topic"]
    assert good.n == len(dev_set) > 440 and sum(good.support.values()) == good.n
    assert good.macro_f1 > 0.75, good
    assert bad.macro_f1 < 0.3, bad


def test_a_version_report_and_its_promotion_decision_give_one_macro_f1_where_a_class_is_only_predicted(
        models, shared_data, tmp_path):
    """dev_raw without its 环境保护 tickets: the model still predicts 环境保护 for some, and the report averaged a 0 for
    it into macro-F1 (0.73 against the gate's 0.85 for one model on one file)."""
    import pandas as pd

    from models.predictor import load_predictor
    from training.evaluation import evaluate_predictor
    from training.tickets import load_tickets

    frame = pd.read_csv(shared_data / "teddy2020c" / "dev_raw.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "dev_without_environment.csv"
    frame[frame["一级标签"] != "环境保护"].to_csv(path, index=False)
    predictor = load_predictor(models["large"])
    report = evaluate_predictor(predictor, load_tickets(path, stopwords=predictor.stopwords)[0])["topic"]
    assert report.per_class["环境保护"].support == 0 and report.per_class["环境保护"].f1 == 0
    assert report.macro_f1 == pytest.approx(score_model(models["large"], load_evaluation_set([path]))["topic"].macro_f1)


def test_gate_refuses_a_worse_challenger_and_keeps_the_champion(tmp_path, models, dev_set):
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["large"], version="good"))
    registry.add(models["shuffled"], version="bad")

    decision = registry.promote("bad", evaluation_data=dev_set)

    assert decision.action == "refuse" and not decision.promoted
    assert registry.champion()[0] == "good"
    assert any(r.startswith("topic: macro-F1") and "< champion" in r for r in decision.reasons)
    assert any(r.startswith("topic/") for r in decision.reasons), "per-class drops are named"
    logged = [json.loads(line) for line in (registry.root / DECISIONS_FILE).read_text().splitlines()]
    assert [d["action"] for d in logged] == ["promote", "refuse"]
    last = logged[-1]
    assert last["evaluation"]["n"] == len(dev_set) and last["evaluation"]["fingerprint"] == dev_set.fingerprint
    assert last["champion_scores"]["topic"]["macro_f1"] > last["challenger_scores"]["topic"]["macro_f1"] + 0.4


def test_a_verdict_asked_without_promoting_is_kept_and_named_at_the_next_promotion(appeal_home, models, dev_set):
    """A supervisor's round: a challenger `retrain --no-promote` had just scored through the gate was listed as "never
    compared with a champion", and promoting it later said nothing of the refusal it had been given."""
    from appeal.cli import _register, app

    _register()
    registry = Registry(appeal_home / "registry")
    registry.promote(registry.add(models["large"], version="good"))
    registry.add(models["shuffled"], version="bad")

    judged = registry.promote("bad", evaluation_data=dev_set, judge_only=True)

    assert judged.would == "refuse" and registry.champion()[0] == "good"  # the verdict, nothing changed
    kept = registry.decisions()[-1]
    assert (kept.action, kept.would, kept.version, kept.promoted) == ("judge", "refuse", "bad", False)
    assert kept == judged  # what the caller is told is what was recorded
    assert registry.log_problems() == []
    runner = CliRunner()
    listed = " ".join(runner.invoke(app, ["models", "list"]).output.split())
    assert "bad: never compared" not in listed
    assert (f"bad: was scored by the gate {centre_minute(kept.at)} and not promoted (--no-promote): it would be "
            f"refused, topic macro-F1 on {kept.evaluation['name']} {kept.challenger_scores['topic']['macro_f1']:.4f} "
            f"against good {kept.champion_scores['topic']['macro_f1']:.4f}") in listed, listed
    promoted = runner.invoke(app, ["models", "promote", "bad"])
    assert promoted.exit_code == 1 and registry.champion()[0] == "good"
    assert f"note: the gate would refuse (retrain --no-promote) bad {centre_minute(kept.at)}" in promoted.output
    # a verdict on a wider gate says so (a re-tester's round: "it would pass" at --tolerance 0.5, then refused)
    loose = registry.promote("bad", evaluation_data=dev_set, judge_only=True, tolerance=1.0, class_margin=1.0)
    assert (loose.action, loose.would) == ("judge", "promote") and registry.champion()[0] == "good"
    listed = " ".join(runner.invoke(app, ["models", "list"]).output.split())
    assert "and not promoted (--no-promote): it would pass (at --tolerance 1 --class-margin 1)" in listed, listed
    again = runner.invoke(app, ["models", "promote", "bad"])
    assert "note: the gate would pass (retrain --no-promote) bad " in again.output
    assert "(at --tolerance 1 --class-margin 1)" in again.output and again.exit_code == 1


def test_better_challenger_promoted_then_forced_and_rolled_back(tmp_path, models, dev_set):
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    registry.add(models["large"], version="v2")
    registry.add(models["shuffled"], version="v3")

    # --force given where the gate passes is still on record (an auditor's round: it was a plain "promote")
    up = registry.promote("v2", evaluation_data=dev_set, force=True)
    assert up.action == "promote", up.reasons
    assert up.reasons[-1] == "--force given, not needed: the gate passed"
    assert up.challenger_scores["topic"]["macro_f1"] >= up.champion_scores["topic"]["macro_f1"]
    assert registry.champion()[0] == "v2"
    # the decision's time is when it took effect, as the pointer's is (it was taken before the scoring)
    assert up.at == json.loads((registry.root / "champion.json").read_text(encoding="utf-8"))["since"]

    forced = registry.promote("v3", evaluation_data=dev_set, force=True)
    assert forced.action == "force" and registry.champion()[0] == "v3"

    back = registry.rollback(by="bob", reason="agents report wrong units since 9:00")
    assert (back.version, back.previous) == ("v2", "v3") and registry.champion()[0] == "v2"
    assert back.reasons == ["rollback", "agents report wrong units since 9:00"]
    from training.report import serving_summary

    assert serving_summary(registry).endswith("by bob: agents report wrong units since 9:00.")
    assert registry.rollback().version == "v1"
    with pytest.raises(InputError, match="no previous champion to roll back to; name one with `appeal models promote"):
        registry.rollback()
    assert [d.action for d in registry.decisions()] == ["promote", "promote", "force", "rollback", "rollback"]


def test_a_challenger_built_on_a_champion_replaced_meanwhile_is_refused_unscored(tmp_path, models, dev_set):
    """A trainer's round: a promotion while a retrain trained, and the retrain's challenger, which learnt the old
    champion's data, was gated against the new champion (its corrections would have dropped out of the line)."""
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    registry.add(models["large"], version="v2")
    registry.add(models["shuffled"], version="v3")
    registry.promote("v2", evaluation_data=dev_set)  # another trainer, while v3 was trained on v1's data
    late = registry.promote("v3", evaluation_data=dev_set, built_on="v1")
    assert (late.action, late.previous, late.challenger_scores) == ("refuse", "v2", None)
    assert late.reasons == ["the champion changed from v1 to v2 while the challenger learnt v1's data: retrain "
                            "again on the new champion"]
    assert registry.champion()[0] == "v2"
    assert registry.promote("v3", evaluation_data=dev_set, built_on="v1", force=True).action == "force"


def test_without_evaluation_data_only_force_replaces_a_champion(tmp_path, models):
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    registry.add(models["large"], version="v2")
    assert registry.promote("v2").action == "refuse"
    assert registry.champion()[0] == "v1"
    assert registry.promote("v2", force=True).action == "force"


def test_a_challenger_without_the_champions_unit_head_is_refused_on_a_topic_only_set(tmp_path, models, dev_set):
    """dev_raw.csv has topic labels only: a topic-only challenger passed on topic, and the service then routed no
    ticket to a unit."""
    from appeal.config import DEMO_DIR
    from training.train_baseline import train_baseline

    train_baseline(DEMO_DIR / "tickets.jsonl", routing := tmp_path / "demo-model")  # topic and unit heads
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(routing, version="routing"))
    registry.add(models["large"], version="topic-only")
    decision = registry.promote("topic-only", evaluation_data=dev_set)
    assert decision.action == "refuse" and registry.champion()[0] == "routing"
    assert "unit: challenger has no unit head, which the champion has" in decision.reasons
    assert any(r.startswith("topic: macro-F1") and "<" not in r for r in decision.reasons)  # topic alone passed


def test_a_head_the_evaluation_set_does_not_label_is_said_not_judged(tmp_path, dev_set):
    """A report round: dev_raw.csv labels no unit, and the gate's record passed over the unit head without a word
    while a challenger with a worse one was promoted."""
    from appeal.config import DEMO_DIR
    from training.train_baseline import train_baseline

    train_baseline(DEMO_DIR / "tickets.jsonl", routing := tmp_path / "demo-model")  # topic and unit heads
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(routing, version="v1"))
    registry.add(routing, version="v2")
    decision = registry.promote("v2", evaluation_data=dev_set)
    assert decision.action == "promote"
    assert f"unit: no unit labels in {dev_set.name}: not judged (check it on the centre's own tickets: appeal " \
           "evaluate)" in decision.reasons
    # …and what it was judged on comes first (a trainer's round: the retrain's terminal never named it)
    topics = decision.champion_scores["topic"]["n"]
    assert decision.reasons[0] == f"scored on {dev_set.name}: {len(dev_set)} tickets ({topics} with a topic)"


def test_gate_margins(models, dev_set):
    champion = score_model(models["large"], dev_set)
    same = gate(champion, champion)
    assert same.passed
    worse = {"topic": champion["topic"].__class__(**{**champion["topic"].__dict__,
                                                     "macro_f1": champion["topic"].macro_f1 - 0.01})}
    assert not gate(champion, worse).passed
    assert gate(champion, worse, tolerance=0.02).passed
    one_class = dict(champion["topic"].f1)
    label = next(iter(one_class))
    one_class[label] -= 0.05
    dropped = {"topic": champion["topic"].__class__(**{**champion["topic"].__dict__, "f1": one_class})}
    verdict = gate(champion, dropped)
    assert not verdict.passed and any(r.startswith(f"topic/{label}") for r in verdict.reasons)
    # the same drop in a class of 4 evaluation tickets is one ticket's luck: left to the macro-F1 rule
    few = champion["topic"].__class__(**{**champion["topic"].__dict__,
                                         "support": {**champion["topic"].support, label: 4}})
    verdict = gate({"topic": few}, dropped)
    assert verdict.passed
    assert f"topic: fewer than 5 evaluation tickets, not judged one by one: {label} (4)" in verdict.reasons
    assert not gate(champion, {}).passed, "a challenger without the champion's head fails"
    # a head scored on a handful of tickets (the unit head on held-out feedback, early on) is reported, not gated
    handful = {"unit": champion["topic"].__class__(n=6, accuracy=1.0, macro_f1=1.0, f1={"公安": 1.0}, support={"公安": 6})}
    halved = {"unit": champion["topic"].__class__(n=6, accuracy=0.5, macro_f1=0.5, f1={"公安": 0.5}, support={"公安": 6})}
    verdict = gate({**champion, **handful}, {**champion, **halved})
    assert verdict.passed
    assert ("unit: 6 evaluation tickets, fewer than 30: not judged (macro-F1 0.5000 vs champion 1.0000)"
            in verdict.reasons)
    assert not gate(handful, {}).passed
    # with no head large enough to judge, a small evaluation file does not wave a challenger through
    verdict = gate(handful, halved)
    assert not verdict.passed
    assert verdict.reasons[-1] == ("no head has 30 evaluation tickets: nothing judged (a larger evaluation set, or "
                                   "--force)")


def test_interrupted_add_never_becomes_a_version(tmp_path, models):
    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    # What a process killed mid-copy leaves behind: a partial directory in the staging area.
    half = registry.root / ".incoming" / "dead"
    half.mkdir(parents=True)
    (half / "baseline.joblib").write_bytes(b"\x80partial")
    # An export killed before its last step (training writes model.json last) is not a model at all.
    partial_export = tmp_path / "export"
    partial_export.mkdir()
    (partial_export / "baseline.joblib").write_bytes(b"\x80partial")

    with pytest.raises(InputError, match="not a model directory"):
        registry.add(partial_export)
    assert [v.version for v in registry.list()] == ["v1"]
    assert registry.champion()[0] == "v1"
    registry.add(models["large"], version="v2")
    assert not half.exists(), "the next add clears what a dead add left"
    assert [v.version for v in registry.list()] == ["v1", "v2"]


def test_cli_list_promote_rollback(appeal_home, models, shared_data):
    from appeal.cli import _register, app

    _register()
    registry = Registry(appeal_home / "registry")
    registry.promote(registry.add(models["large"], version="good"))
    runner = CliRunner()
    added = runner.invoke(app, ["models", "add", str(models["shuffled"]), "--version", "bad"])
    assert added.exit_code == 0, added.output
    assert "added bad" in added.output and registry.champion()[0] == "good"
    again = runner.invoke(app, ["models", "add", str(models["shuffled"]), "--version", "bad"])
    assert isinstance(again.exception, InputError) and "already exists; add it under another name (--version)" in str(
        again.exception)

    named = runner.invoke(app, ["models", "add", str(models["large"])])  # the card's version: kind and time
    assert named.exit_code == 0, named.output
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    # Whole version names at 80 columns: they are what `promote` takes.
    assert "good *" in listed.output and " bad " in listed.output
    # each F1 with the held-out tickets it rests on, and a version no gate compared said so (a report round: three
    # versions' own F1, on 33, 60 and 45 tickets, ranked them upside down)
    held_out = ModelCard.load(registry.path("good")).metrics["holdout"]["topic"]["n"]
    assert re.search(rf"good \*.*\s{held_out}\s*\n", listed.output), listed.output
    assert "bad: never compared with a champion (`appeal models promote bad` does)" in listed.output
    assert ModelCard.load(models["large"]).version in listed.output
    assert centre_minute(ModelCard.load(models["large"]).created_at) in listed.output  # not UTC: trainers are in Wugang
    # and the version's name says the same time (baseline-20261201-031743 beside "trained 2026-12-01 03:17")
    card = ModelCard.load(models["large"])
    assert card.version == "baseline-" + centre_time(card.created_at).strftime("%Y%m%d-%H%M%S")

    refused = runner.invoke(app, ["models", "promote", "bad"])  # default: the fixed set, dev_raw.csv
    assert refused.exit_code == 1, refused.output
    assert "refused" in refused.output and registry.champion()[0] == "good"
    # and what the trainer can do now (a trainer's round: the output ended at the refusal)
    assert "next: collect more agents' answers" in refused.output
    assert "appeal models promote bad --force" in refused.output
    # the list says so, with the F1 the gate measured: the version's own held-out F1 is no comparison (a trainer's
    # round: a refused challenger's 0.72 against the champion's 0.57 invited a --force)
    listed = runner.invoke(app, ["models", "list"]).output
    refusal = registry.decisions()[-1]
    assert f"good: the first champion, {centre_minute(registry.decisions()[0].at)}" in listed  # never gated
    assert (f"bad: was refused by the gate {centre_minute(refusal.at)} by cli:{getpass.getuser()}, topic macro-F1 on "
            f"{refusal.evaluation['name']} "
            f"{refusal.challenger_scores['topic']['macro_f1']:.4f} against good "
            f"{refusal.champion_scores['topic']['macro_f1']:.4f}") in listed, listed

    forced = runner.invoke(app, ["models", "promote", "bad", "--force", "--by", "质检 王芳", "--reason", "本地工单上单位更准"])
    assert forced.exit_code == 0 and "FORCED" in forced.output
    # the earlier refusal is said before (a trainer's round: a retrain's refusal on another set went unmentioned)
    assert f"note: the gate refused bad {centre_minute(refusal.at)} by cli:{getpass.getuser()} on " in forced.output
    assert registry.champion()[0] == "bad"
    # with who forced it (a trainer's round: the line named no one, where the rollback's did), and why (its
    # re-tester's: who, not why)
    assert f"bad: forced past the gate {centre_minute(registry.decisions()[-1].at)} by 质检 王芳 (本地工单上单位更准)" in \
        runner.invoke(app, ["models", "list"]).output
    assert registry.decisions()[-1].reason == "本地工单上单位更准"

    # in its own process, where no test harness holds the log: it printed "rolled back" twice, the second time as a
    # bare library warning (a trainer's round)
    back = appeal("models", "rollback", "--reason", "坐席反映派错单位")
    assert back.returncode == 0 and registry.champion()[0] == "good", back.stderr
    assert (back.stdout + back.stderr).count("rolled back") == 1, back.stdout + back.stderr
    rolled = f"bad was rolled back {centre_minute(registry.decisions()[-1].at)} by cli:{getpass.getuser()}: 坐席反映派错单位"
    assert rolled in runner.invoke(app, ["models", "list"]).output  # it read "forced past the gate" alone
    again = runner.invoke(app, ["models", "promote", "bad"])
    assert f"note: {rolled}" in again.output and again.exit_code == 1
    # and who had forced it past the gate, and why: the same refusal met again, its --force restores it
    assert f"note: bad was forced past the gate {centre_minute(registry.decisions()[-3].at)} by 质检 王芳 (本地工单上单位更准)" \
        in again.output
    # who forced it past the gate, and who rolled it back, are on record
    assert [(d.action, d.by) for d in registry.decisions()[-4:]] == [
        ("refuse", f"cli:{getpass.getuser()}"), ("force", "质检 王芳"), ("rollback", f"cli:{getpass.getuser()}"),
        ("refuse", f"cli:{getpass.getuser()}")]
    # a mistyped --registry is named and left uncreated
    typo = appeal_home / "registy"
    mistyped = runner.invoke(app, ["models", "rollback", "--registry", str(typo)])
    assert isinstance(mistyped.exception, InputError) and "no such registry directory" in str(mistyped.exception)
    assert not typo.exists()


def test_a_damaged_champion_pointer_is_named_with_its_repair(appeal_home, models):
    """A hand edit cut short: every command (and `appeal serve`) gave a JSON traceback, `promote` included."""
    from appeal.cli import _register, app

    _register()
    registry = Registry(appeal_home / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    runner = CliRunner()
    for damage in ('{"version": "v1', '{"version": "v1"}', b"\xff\xfe"):
        write = registry.champion_file.write_bytes if isinstance(damage, bytes) else registry.champion_file.write_text
        write(damage)
        listed = runner.invoke(app, ["models", "list"])
        assert isinstance(listed.exception, InputError)
        assert "champion.json: not a champion pointer" in str(listed.exception)
        assert "appeal models promote VERSION" in str(listed.exception)
    registry.champion_file.unlink()
    assert runner.invoke(app, ["models", "promote", "v1"]).exit_code == 0  # the repair the message names
    assert registry.champion()[0] == "v1"
    # the champion's directory deleted by hand: no champion was marked, and promote failed even forced
    import shutil

    registry.add(models["large"], version="v2")
    shutil.rmtree(registry.root / "v1")
    for command in (["models", "list"], ["models", "promote", "v2", "--force"]):
        result = runner.invoke(app, command)
        assert isinstance(result.exception, InputError)
        assert "champion.json: names 'v1', which is no longer in the registry: restore" in str(result.exception)
        assert ("or delete champion.json and name another champion with `appeal models promote VERSION` (v2)"
                in str(result.exception))
    registry.champion_file.unlink()
    assert runner.invoke(app, ["models", "promote", "v2"]).exit_code == 0


def test_a_damaged_or_incomplete_model_directory_is_refused_at_add(tmp_path, models):
    """`models add` took a directory without its model file; promote, predict and the report then died in a
    traceback, and the report failed for every version until the damaged one was removed by hand."""
    import shutil

    registry = Registry(tmp_path / "registry")
    damaged = tmp_path / "damaged"
    shutil.copytree(models["small"], damaged)
    (damaged / "baseline.joblib").write_bytes(b"not a model")
    with pytest.raises(InputError, match=r"damaged: the baseline model cannot be loaded \(KeyError"):
        registry.add(damaged, version="v1")
    (damaged / "baseline.joblib").unlink()
    with pytest.raises(InputError, match=r"damaged: incomplete baseline model: no baseline\.joblib"):
        registry.add(damaged, version="v1")
    for card in ("{bad", "{}", "\ufeff"):
        (damaged / CARD_FILE).write_text(card, encoding="utf-8")
        with pytest.raises(InputError, match=r"model\.json: not a readable model card"):
            registry.add(damaged, version="v1")
    assert registry.list() == [] and not (registry.root / "v1").exists()


def test_a_version_damaged_in_the_registry_is_marked_and_never_named_champion(appeal_home, models):
    """Files removed by hand after `models add`: `models list` showed the version as any other (or died on an
    unreadable card, hiding every version), and a forced promote or a rollback made it the champion, which the
    service then could not load."""
    import shutil

    from appeal.cli import _register, app

    _register()
    registry = Registry(appeal_home / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    registry.add(models["large"], version="v2")
    registry.promote("v2", force=True)
    registry.add(models["shuffled"], version="v3")
    registry.add(models["small"], version="v4")
    (registry.root / "v1" / "baseline.joblib").unlink()
    (registry.root / "v3" / CARD_FILE).write_text("{cut sho", encoding="utf-8")
    (registry.root / "v4" / "baseline.joblib").write_bytes(b"")  # a copy cut short: was listed as servable

    listed = {v.version: v for v in registry.list()}
    assert listed["v1"].problem == "incomplete baseline model: no baseline.joblib"
    assert listed["v4"].problem == "incomplete baseline model: empty baseline.joblib"
    assert "v3" in listed and "not a readable model card" in listed["v3"].problem and listed["v3"].kind == "unknown"
    assert listed["v2"].problem is None and listed["v2"].champion
    shown = CliRunner().invoke(app, ["models", "list"])
    assert shown.exit_code == 0, shown.output
    assert "v1 !" in shown.output and "v2 *" in shown.output and "v3 !" in shown.output
    assert "! v1: incomplete baseline model: no baseline.joblib. It cannot be promoted or served" in shown.output

    for attempt in (lambda: registry.rollback(), lambda: registry.promote("v3", force=True),
                    lambda: registry.promote("v4", force=True)):
        with pytest.raises(InputError, match="cannot serve"):
            attempt()
    assert registry.champion()[0] == "v2"
    assert [d.action for d in registry.decisions()] == ["promote", "force"]  # the refused attempts changed nothing
    shutil.rmtree(registry.root / "v1")
    with pytest.raises(InputError, match="v1 is no longer in the registry"):
        registry.rollback()
    # a damaged challenger is named with the command that removes it
    assert "or `appeal models remove v4`" in shown.output
    assert "removed v4" in CliRunner().invoke(app, ["models", "remove", "v4"]).output and not registry.has("v4")


def test_a_version_whose_files_were_changed_after_it_was_added_is_named_and_never_served(tmp_path, models):
    """An auditor's round: the champion's thresholds set to 0 in model.json (every ticket then dispatched without
    review) served after a restart under the same version, and a rollback brought back weights copied over by hand."""
    import subprocess

    from serve.model_holder import ModelHolder, ModelLoadError

    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    registry.promote(registry.add(models["large"], version="v2"), force=True)
    # the record is sha256sum's own format
    checked = subprocess.run(["sha256sum", "-c", MANIFEST_FILE], cwd=registry.root / "v2", capture_output=True,
                             text=True)
    assert checked.returncode == 0 and "model.json: OK" in checked.stdout
    assert ModelHolder(registry, threads=1).sync()[0] is None  # whole: it serves

    card = json.loads((registry.root / "v2" / CARD_FILE).read_text(encoding="utf-8"))
    card["heads"]["topic"]["threshold"] = 0.0
    (registry.root / "v2" / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    (registry.root / "v1" / "baseline.joblib").write_bytes((models["shuffled"] / "baseline.joblib").read_bytes())
    (registry.root / "v1" / "notes.txt").write_text("x", encoding="utf-8")

    (registry.root / "v2" / ".model.json.swp").write_bytes(b"an editor's swap file: no part of the model")
    listed = {v.version: v.problem for v in registry.list()}
    assert listed["v2"] == ("files differ from those added to the registry (changed: model.json; see "
                            f"{MANIFEST_FILE})")
    from appeal.cli import _register, app

    _register()
    shown = CliRunner().invoke(app, ["models", "list", "--registry", str(registry.root)])
    # the champion's directory is not one to remove
    assert "v2: files differ" in shown.output and "name another champion" in shown.output
    assert listed["v1"] == ("files differ from those added to the registry (changed: baseline.joblib; added: "
                            f"notes.txt; see {MANIFEST_FILE})")
    with pytest.raises(ModelLoadError, match="changed: model.json.*Restore them, or name another champion"):
        ModelHolder(registry, threads=1).sync()  # a restart
    with pytest.raises(InputError, match="v1 cannot serve .files differ"):
        registry.rollback()
    # a version added before the registry kept the record is not judged by it
    (registry.root / "v1" / MANIFEST_FILE).unlink()
    assert {v.version: v.problem for v in registry.list()}["v1"] is None


def test_a_promotion_log_edited_by_hand_is_said_to_be(tmp_path, models):
    """An auditor deleted the line of a forced promotion from decisions.jsonl: `appeal report` and `models list` went
    on as if it had never happened."""
    from training.report import serving_summary

    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"), by="alice")
    registry.promote(registry.add(models["shuffled"], version="bad"), force=True, by="alice")
    registry.rollback(by="bob", reason="wrong units\u2028since 9:00")  # a line separator JSON leaves as it is
    assert registry.log_problems() == [] and "does not hold together" not in serving_summary(registry)
    assert registry.decisions()[-1].reasons == ["rollback", "wrong units\u2028since 9:00"]

    log = registry.root / DECISIONS_FILE
    lines = [f"{line}\n" for line in log.read_text(encoding="utf-8").split("\n") if line]
    assert json.loads(lines[1])["action"] == "force"
    log.write_text(lines[0] + lines[2], encoding="utf-8")
    problems = registry.log_problems()
    assert problems == [f"{DECISIONS_FILE} line 2: the line before it is not the one there when it was written (a "
                        "decision edited, removed or inserted by hand)"]
    assert "**The promotion log does not hold together:** decisions.jsonl line 2" in serving_summary(registry)
    from appeal.cli import _register, app

    _register()
    shown = CliRunner().invoke(app, ["models", "list", "--registry", str(registry.root)])
    assert shown.exit_code == 0 and f"! {problems[0]}" in shown.output
    # the pointer moved by hand to a version no decision made champion
    log.write_text("".join(lines), encoding="utf-8")
    pointer = json.loads((registry.root / "champion.json").read_text(encoding="utf-8"))
    (registry.root / "champion.json").write_text(json.dumps({**pointer, "version": "bad"}), encoding="utf-8")
    assert registry.log_problems() == ["champion.json names bad, but the last decision recorded made v1 the champion"]
    # a line cut short (a crash mid-write) is named, not a traceback of models list
    log.write_text("".join(lines) + '{"action": "prom', encoding="utf-8")
    assert registry.log_problems()[-1] == "decisions.jsonl line 4: not a decision"


def test_readers_never_see_a_half_written_pointer(tmp_path, models):
    import threading

    registry = Registry(tmp_path / "registry")
    registry.promote(registry.add(models["small"], version="v1"))
    registry.add(models["large"], version="v2")
    seen: set = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        reader = Registry(registry.root)  # another process's view: nothing cached
        try:
            while not stop.is_set():
                seen.add(reader.champion()[0])
        except BaseException as error:  # noqa: BLE001 — a torn pointer ends the thread; pytest would only warn
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(100):
            registry.promote("v2", force=True)
            registry.rollback()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == [] and seen == {"v1", "v2"}
    assert [d.action for d in registry.decisions()].count("force") == 100


def test_the_gate_compares_two_versions_on_the_tickets_neither_learnt(appeal_home, models, dev_set, tmp_path,
                                                                       monkeypatch):
    """A trainer's round: with the centre's own answers as the evaluation file, the champion was scored on 36 of 45
    tickets it had been trained on, and every challenger kept from them was refused."""
    import pandas as pd

    from appeal.cli import _register, app
    from training.tickets import learnt_evaluation_rows

    learnt_rows = pd.read_csv(models["large"].parent / f"{models['large'].name}_segmented.csv").head(120)
    mixed = tmp_path / "mixed.csv"
    frame = pd.concat([pd.DataFrame({"text": learnt_rows["text"], "topic": learnt_rows["label"]}), pd.DataFrame(
        {"title": dev_set.titles, "text": dev_set.bodies, "topic": dev_set.labels["topic"]})])
    frame.to_csv(mixed, index=False)
    registry = Registry(appeal_home / "registry")
    registry.promote(registry.add(models["large"], version="good"))
    registry.add(models["small"], version="fewer")
    _register()
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["models", "promote", "fewer", "--data", "mixed.csv"])
    assert "120 evaluation tickets learnt by fewer or good left out" in done.output, done.output
    decision = registry.decisions()[-1]
    assert decision.evaluation["n"] == len(dev_set)
    assert decision.evaluation["name"].startswith(str(mixed))  # a path any directory reads, not mixed.csv
    on_dev = score_model(models["large"], dev_set)["topic"].macro_f1
    assert decision.champion_scores["topic"]["macro_f1"] == pytest.approx(on_dev)
    # the centre's own file kept as the setting every gate reads, not passed to each command by hand (the same round)
    from appeal.config import get_settings

    monkeypatch.setenv("APPEAL_EVALUATION_FILE", str(mixed))
    get_settings.cache_clear()
    again = CliRunner().invoke(app, ["models", "promote", "fewer"])
    assert "120 evaluation tickets learnt by fewer or good left out" in again.output, again.output
    assert registry.decisions()[-1].evaluation["name"].startswith(str(mixed))
    # a file the champion learnt whole compares nothing
    learnt_only = tmp_path / "learnt.csv"
    pd.DataFrame({"text": learnt_rows["text"], "topic": learnt_rows["label"]}).to_csv(learnt_only, index=False)
    nothing = registry.promote("fewer", evaluation_data=load_evaluation_set([learnt_only]),
                               learnt=learnt_evaluation_rows)
    assert nothing.action == "refuse" and nothing.reasons[-1].startswith("every evaluation ticket was learnt")
    monkeypatch.setenv("APPEAL_EVALUATION_FILE", str(tmp_path / "gone.csv"))
    get_settings.cache_clear()
    gone = CliRunner().invoke(app, ["models", "promote", "fewer"])
    assert isinstance(gone.exception, InputError) and "APPEAL_EVALUATION_FILE" in str(gone.exception)


def test_a_version_no_one_will_serve_can_be_removed_and_a_champion_cannot(appeal_home, models):
    """A trainer's round: refused challengers piled up at 126 MB each (1.3 GB after a week), with no command to remove
    one; a folder deleted by hand is what the errors then complain of."""
    from appeal.cli import _register, app

    _register()
    registry = Registry(appeal_home / "registry")
    registry.promote(registry.add(models["large"], version="first"))
    registry.promote(registry.add(models["large"], version="second"), force=True)
    registry.add(models["shuffled"], version="refused")
    runner = CliRunner()
    done = runner.invoke(app, ["models", "remove", "refused", "--by", "邓志刚"])
    assert done.exit_code == 0 and "removed refused" in done.output, done.output
    assert not (registry.root / "refused").exists() and {v.version for v in registry.list()} == {"first", "second"}
    last = registry.decisions()[-1]
    assert (last.action, last.version, last.by) == ("remove", "refused", "邓志刚")
    # the champion, and a champion a rollback would bring back, stay
    for version, says in (("second", "is the champion"), ("first", "`appeal models rollback` would bring it back")):
        refused = runner.invoke(app, ["models", "remove", version])
        assert isinstance(refused.exception, InputError) and says in str(refused.exception), refused.output
        assert registry.has(version)
    assert not registry.log_problems()
