"""The evaluation report: every registry version measured on the same labelled tickets, as tables and figures.

`notebooks/evaluation.ipynb` only sets parameters and calls these functions, so everything a reader sees is
computed here (and tested). Metrics come from `training.evaluation`, the same ones training records on the
model card; here they are recomputed on one evaluation set for all versions, so versions compare fairly.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from appeal.config import centre_minute, centre_time
from models.atomic_dir import replacing_file
from models.card import ModelCard
from models.predictor import load_predictor, model_stopwords
from models.registry import HEAD_MIN_N, Registry
from pipeline import InputError
from training.evaluation import HeadOutcomes, HeadReport, dispatch_scores, score_head
from training.feedback_store import FeedbackRow
from training.tickets import learnt_rows, load_tickets, ticket_keys

if TYPE_CHECKING:  # the ticket log is read by the notebook, which hands its tickets over
    from knowledge_base.dispatch import RoutingRules
    from knowledge_base.ticket_log import SeenTicket
    from knowledge_base.units import Catalogue

CJK_FONT = "Noto Sans CJK SC"
# Other families that draw Chinese, as servers without Debian's package have them (CentOS's wqy fonts, a SimHei
# copied from a desktop): a supervisor on an intranet without apt got no report at all.
CJK_FAMILIES = (CJK_FONT, "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC",
                "Sarasa Gothic SC")


@dataclass
class HeadEvaluation:
    head: str
    report: HeadReport
    outcomes: HeadOutcomes
    target_precision: float | None


@dataclass
class VersionEvaluation:
    version: str
    kind: str
    created_at: str
    champion: bool
    heads: dict[str, HeadEvaluation]
    # Share of the tickets the service would dispatch without a person: the unit head over its threshold, a township
    # where the type needs one, no rule or reason for review (`knowledge_base.dispatch.decide`, the pack's rules). A
    # head's coverage counts its own confidence only, and read as this it showed a model without a unit head, which
    # sends every ticket to review, as dispatching 84 % of them.
    auto_dispatched: float | None = None
    error: str | None = None  # why the version could not be evaluated (a model file deleted): shown, not fatal
    unlabelled: list[str] = field(default_factory=list)  # its heads the evaluation set holds no labels for
    topics: list[str] = field(default_factory=list)  # the topic labels it knows
    # Tickets of the evaluation set in its own training file (None: that file is gone, not checked), and those left
    # out of its scores because some version learnt them: versions are compared on tickets none learnt.
    learnt: int | None = 0
    left_out: int = 0
    tickets: int = 0  # in the evaluation set, before any was left out
    status: str = ""  # what the registry did with it last (`version_status`)


NO_CJK_FONT = (f"no font that draws Chinese was found (one of {', '.join(CJK_FAMILIES)}): install one (apt-get "
               "install fonts-noto-cjk; yum install wqy-microhei-fonts), or copy its .ttf / .otf / .ttc file into "
               "~/.fonts")


def cjk_font() -> str | None:
    """The first family of `CJK_FAMILIES` installed (Noto Sans CJK SC, Debian's fonts-noto-cjk, first), or None."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if CJK_FONT not in {f.name for f in manager.ttflist}:
        # matplotlib's font list is cached on disk by the first process that imports it; a font installed since
        # is on disk but not in the list, so look again before calling it missing.
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # an unreadable font file is not ours to report
    installed = {f.name for f in manager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Point matplotlib at `cjk_font()`; without a CJK font every label would be a row of empty boxes, so its absence
    is an error, not a warning (the report then leaves its charts out: `render_report`)."""
    from matplotlib import pyplot as plt

    found = cjk_font()
    if found is None:
        raise InputError(NO_CJK_FONT)
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [found, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False  # a CJK font may have no U+2212 minus
    return found


def learnt_tickets(model_dir: Path, data: Sequence[Path]) -> set[str] | None:
    """The tickets of `data` (as typed, `ticket_keys`) that the model learnt, being in its training file; None where
    that file is not there to check. A retrain's challenger, scored on the agents' answers it was trained on, beat
    its champion in the report by 0.2 macro-F1, which the gate had refused."""
    card, stopwords = ModelCard.load(model_dir), model_stopwords(model_dir)
    tickets = _load(data, stopwords, card.heads)
    learnt = learnt_rows(card.training, stopwords, tickets)
    if learnt is None:
        return None
    keys = ticket_keys(tickets)
    return {key for i in learnt for key in keys[i] if key.startswith("typed:")}


def evaluate_version(model_dir: Path, data: Sequence[Path], *, champion: bool = False,
                     left_out: Collection[str] = ()) -> VersionEvaluation:
    """Predict every ticket of `data` with one model (canonicalised with the model's own stopwords) and score
    each head on the tickets labelled for it, but those `left_out` (as typed, `ticket_keys`)."""
    from knowledge_base.dispatch import decide
    from pipeline import routing_text

    predictor = load_predictor(model_dir)
    tickets = _load(data, predictor.stopwords, predictor.card.heads)
    every = len(tickets)
    left_out = set(left_out)
    kept = [i for i, keys in enumerate(ticket_keys(tickets)) if not keys & left_out]
    if kept:  # where every ticket was learnt by some version, all are scored, and `learnt_said` says so
        tickets = tickets.select(kept)
    predictions = predictor.predict(tickets["canonical"], top_k=1)
    heads: dict[str, HeadEvaluation] = {}
    for head, card in predictor.card.heads.items():
        if head in tickets.column_names and (found := score_head(predictions, tickets[head], head, card)):
            heads[head] = HeadEvaluation(head, *found, card.target_precision)
    if not heads:
        raise InputError(f"{', '.join(map(str, data))}: no labels for the heads of {predictor.version} "
                         f"({', '.join(predictor.card.heads)})")
    auto = sum(decide(prediction, routing_text(t["title"], t["text"]), t["location"]).decision == "auto"
               for prediction, t in zip(predictions, tickets))
    return VersionEvaluation(predictor.version, predictor.card.kind, predictor.card.created_at, champion, heads,
                             auto / len(predictions), unlabelled=sorted(set(predictor.card.heads) - set(heads)),
                             topics=list(getattr(predictor.card.heads.get("topic"), "labels", [])),
                             left_out=every - len(tickets), tickets=every)


def heads_said(evaluations: Sequence[VersionEvaluation]) -> str:
    """The heads the report scores, and those the evaluation set leaves unscored (dev_raw.csv labels no unit: the
    report said "heads: topic", and a version with a worse unit head looked as good)."""
    scored = sorted({head for ev in evaluations for head in ev.heads})
    unscored = sorted({head for ev in evaluations for head in ev.unlabelled} - set(scored))
    return (f"heads: {', '.join(scored)}" + (f"; **not evaluated**, no labels in the evaluation set: "
                                             f"{', '.join(unscored)} (give a file of the centre's own labelled "
                                             "tickets: `appeal report --data FILE`)" if unscored else ""))


def _load(data: Sequence[Path], stopwords, heads):
    """The tickets of `data` for a model with these `heads`: a unit's name or alias read as the unit head's label,
    as `appeal evaluate` and the gate read it (an export that names units scored the unit head 0)."""
    import datasets

    from knowledge_base.units import unit_label_reader

    unit_label = unit_label_reader(heads)
    parts = [load_tickets(path, stopwords=stopwords, unit_label=unit_label)[0] for path in data]
    return parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)


def evaluate_registry(
    registry: Path | Registry | None, data: Sequence[Path], versions: Sequence[str] | None = None
) -> list[VersionEvaluation]:
    """Every version of the registry (or the named ones), oldest first."""
    registry = registry if isinstance(registry, Registry) else Registry(registry)
    known = registry.list()
    if versions:
        by_name = {v.version: v for v in known}
        for name in versions:
            registry.path(name)  # an unknown name fails here with the list of known versions
        known = [by_name[name] for name in versions]
    if not known:
        raise InputError(f"{registry.root.resolve()}: no model versions to report on (is APPEAL_HOME the service's "
                         "home?)")
    learnt = {v.version: _learnt(v, data) for v in known}
    left_out = set().union(*(keys for keys in learnt.values() if keys))
    evaluations = [_evaluated(v, data, left_out) for v in known]
    status = version_status(registry)
    for ev in evaluations:
        ev.learnt = None if learnt[ev.version] is None else len(learnt[ev.version])
        ev.status = status.get(ev.version, "未比较 never compared")
    if all(ev.error for ev in evaluations):  # the data, not a version (or every version broken): nothing to show
        raise InputError(f"no version could be evaluated: {evaluations[0].version}: {evaluations[0].error}")
    return evaluations


def version_status(registry: Registry) -> dict[str, str]:
    """What the registry did last with each version it decided on: serving, rolled back, promoted and since replaced,
    refused, or only judged (a trainer's round: the report listed refused, rolled-back and serving versions alike)."""
    said = {"promote": "曾在用 was serving", "force": "曾强制启用 was forced in", "refuse": "未通过门槛 refused"}
    status: dict[str, str] = {}
    for d in registry.decisions():
        if d.action == "rollback" and d.previous:
            status[d.previous] = "已回滚 rolled back"
        elif d.action == "judge":
            status[d.version] = f"未启用 not promoted (gate: would {d.would})"
        elif d.action in said:
            status[d.version] = said[d.action]
    if current := registry.champion():
        status[current[0]] = "在用 serving"
    return status


def _learnt(version, data: Sequence[Path]) -> set[str] | None:
    try:
        return learnt_tickets(version.path, data)
    except Exception:  # noqa: BLE001 — a version that cannot be read fails its evaluation, said there
        return set()


def learnt_said(evaluations: Sequence[VersionEvaluation]) -> str:
    """Which versions learnt tickets of the evaluation set, and what the scores rest on ("" where none did); in
    Chinese first, as the page's sections (a re-tester's round: English alone, and "v1 24" read as a stray number)."""
    learnt = [(ev.version, ev.learnt) for ev in evaluations if ev.learnt]
    unchecked = [ev.version for ev in evaluations if ev.learnt is None]
    said = []
    if learnt:
        n, left_out = max(ev.tickets for ev in evaluations), max(ev.left_out for ev in evaluations)
        zh = "、".join(f"{version}（{count} 件）" for version, count in learnt)
        en = ", ".join(f"{version} ({count})" for version, count in learnt)
        said.append(f"**{n} 件中 {left_out} 件不计分**：它们在 {zh} 的训练文件中，各版本只在其余 {n - left_out} 件上比较 / "
                    f"**{left_out} of the {n} tickets left out** of every version's scores: they are in the training "
                    f"file of {en}; the versions are compared on the {n - left_out} none learnt"
                    if left_out else
                    f"**每件工单都在某个版本的训练文件中**（{zh}）：分数反映的是学过的内容，不是新工单上的表现 / **every "
                    f"ticket is in the training file of some version** ({en}): the scores say what the versions "
                    "learnt, not how they do on new tickets")
    if unchecked:
        said.append(f"训练文件已不在，未核对 / not checked against their training file, no longer there: "
                    f"{', '.join(unchecked)}")
    return "; ".join(said)


def _evaluated(version, data: Sequence[Path], left_out: Collection[str]) -> VersionEvaluation:
    try:
        return evaluate_version(version.path, data, champion=version.champion, left_out=left_out)
    except Exception as exc:  # noqa: BLE001 — whatever breaks one version, the others' numbers are still wanted
        return VersionEvaluation(version.version, version.kind, version.created_at, version.champion, {},
                                 error=f"{type(exc).__name__}: {exc}")


# ---- tables ----------------------------------------------------------------------------------------------


# The tables' columns as the page heads them: in Chinese, with the name the code and the README use (a trainer's
# round: a county's supervisor does not read topic_kept or review_share).
_HEADERS = {
    "version": "版本", "model_version": "模型版本", "champion": "在用", "status": "状态", "kind": "类型",
    "trained": "训练时间",
    "head": "分类", "n": "工单数", "tickets": "工单数", "accuracy": "准确率", "macro_f1": "宏平均F1", "threshold": "阈值",
    "coverage": "可自动派单比例", "dispatched_precision": "自动派单精确率", "precision_low": "精确率下限",
    "auto_dispatched": "免人工派单比例", "error": "错误", "at": "时间", "action": "决定", "previous": "原在用版本",
    "by": "操作人", "evaluated on": "评估集", "today's set": "是否今日评估集", "reasons": "理由",
    "with_prediction": "有路由结果", "topic_kept": "类别未改比例", "unknown_topic": "未知类别数",
    "suggestion_used": "采用推荐答复比例", "first": "最早", "last": "最晚", "week": "周", "listed": "列出重复件",
    "confirmed": "坐席确认", "precision": "精确率", "linked": "坐席关联", "recall": "召回率", "unit_kept": "单位未改比例",
    "topic_compared": "类别可比工单数", "unit_compared": "单位可比工单数",
    "model_versions": "模型版本", "review_share": "转人工比例", "urgent_share": "紧急比例", "urgent": "紧急",
    # the route's count, not the calls put through (a quality inspector's round read 9 as nine calls transferred)
    "handed_over": "提示转接120/110/119", "closed_at_centre": "本级办结", "replied": "单位已答复", "returned": "单位退回过",
    "routed_to": "路由单位", "agents_chose": "坐席改派至", "change": "改派性质", "routed_topic": "路由类别",
    # over the tickets routed there that agents answered with a unit: unanswered ones say nothing of it
    "share_of_routed": "占路由至该单位且已答复工单比例", "share_of_topic": "占路由为该类别且已答复工单比例",
    "verdict": "结论", "answers": "答复数", "rule": "规则",
    "meaning": "含义", "line": "线路", "put_through": "坐席转接", "missed": "漏报", "false_alarm": "误报",
    "flagged": "命中", "refused": "不予受理", "label": "类别",
    "f1": "F1", "support": "样本数", "query": "查询", "method": "方法",
    "ticket": "工单", "answered_at": "答复时间", "decision": "路由决定", "routed": "路由工单数", "answered": "已答复",
    "unit_changed": "单位被改派",
}


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """`table` as the page shows it: each column headed in Chinese beside its name, and an empty cell (a week
    without answers) empty rather than NaN."""
    headed = table.rename(columns=lambda c: f"{_HEADERS[c]} {c}" if c in _HEADERS else c)
    return headed.astype(object).where(headed.notna(), "")


def versions_table(evaluations: Sequence[VersionEvaluation]) -> pd.DataFrame:
    """One row per version and head: the numbers to compare versions by."""
    rows = []
    for ev in evaluations:
        for head, he in ev.heads.items():
            r = he.report
            rows.append({
                "version": ev.version, "champion": "*" if ev.champion else "", "status": ev.status, "kind": ev.kind,
                "trained": centre_minute(ev.created_at), "head": head, "n": r.n, "accuracy": r.accuracy,
                "macro_f1": r.macro_f1,
                "threshold": r.threshold, "coverage": r.coverage, "dispatched_precision": r.dispatched_precision,
                # how low that precision may be on the few tickets it rests on (1.000 on 10 tickets: 0.72)
                "precision_low": r.precision_low(), "auto_dispatched": ev.auto_dispatched,
            })
    return pd.DataFrame(rows)


def failures_table(evaluations: Sequence[VersionEvaluation]) -> pd.DataFrame:
    """The versions that could not be evaluated, and why."""
    return pd.DataFrame([{"version": ev.version, "champion": "*" if ev.champion else "", "error": ev.error}
                         for ev in evaluations if ev.error])


def decisions_table(registry: Path | Registry | None, fingerprint: str | None = None) -> pd.DataFrame:
    """The registry's promotion log: every promotion, refusal, forced promotion, rollback and verdict asked for
    without promoting (`judge (would …)`, retrain --no-promote) with its numbers, and the evaluation set each was
    judged on; with `fingerprint` (today's set's), whether it was that set: numbers
    measured on another set are not comparable with today's."""
    registry = registry if isinstance(registry, Registry) else Registry(registry)
    rows = []
    for d in registry.decisions():
        on = d.evaluation or {}
        action = f"{d.action} (would {d.would})" if d.would else d.action
        row = {"at": centre_minute(d.at), "action": action, "version": d.version, "previous": d.previous or "",
               "by": d.by or "",
               "evaluated on": f"{on['n']} tickets of {on.get('name')} ({str(on.get('fingerprint'))[:8]})" if on
               else ""}
        if fingerprint is not None:
            row["today's set"] = "" if not on else "yes" if on.get("fingerprint") == fingerprint else "no"
        for side, scores in (("champion", d.champion_scores), ("challenger", d.challenger_scores)):
            for head, score in (scores or {}).items():
                row[f"{side} {head} macro-F1"] = round(score["macro_f1"], 4)
        row["reasons"] = "; ".join(d.reasons)
        rows.append(row)
    # a first champion or a rollback has no scores on one side: an empty cell, not NaN
    return pd.DataFrame(rows).astype(object).fillna("")


_ACTIONS = {"promote": "promoted through the gate", "force": "forced past the gate (--force)"}


def serving_summary(registry: Path | Registry | None) -> str:
    """One sentence a supervisor reads first: which version serves, since when and why (the gate's last word on it),
    or that none does."""
    registry = registry if isinstance(registry, Registry) else Registry(registry)
    champion = registry.champion()
    if champion is None:
        # a champion whose directory is gone is restored from a backup: promoting another was advised with none left
        lost = registry.lost_champion()
        return f"No version serves: {lost}." if lost else \
            "No version serves: the registry has no champion (`appeal models promote VERSION`)."
    version = champion[0]
    last = next((d for d in reversed(registry.decisions()) if d.promoted and d.version == version), None)
    if last is None:
        return f"Serving **{version}** (no promotion of it is recorded)."
    if last.action == "rollback":
        how = f"restored by a rollback from {last.previous}"
    else:
        how = "the first champion" if last.previous is None and last.action == "promote" else _ACTIONS[last.action]
    given = last.reasons[1:] if last.action == "rollback" else last.reasons  # after "rollback", the person's why
    reasons = f": {'; '.join(given)}" if given else ""
    said = f"Serving **{version}**, {how} at {centre_minute(last.at)}{f' by {last.by}' if last.by else ''}{reasons}."
    problems = registry.log_problems()
    return said + (f" **The promotion log does not hold together:** {'; '.join(problems)}." if problems else "")


def live_table(answers: Sequence[FeedbackRow], versions: Sequence[str] = (),
               known_topics: Mapping[str, Collection[str]] | None = None) -> pd.DataFrame:
    """How often agents kept the model's topic, per model version, from their final answers (one per ticket,
    `FeedbackStore.latest`): the live counterpart of the fixed evaluation set. Agents answer the tickets they
    handle, mostly those sent to review, so the share measures the hard tickets, not all traffic. `versions` that
    no answer names get a row of 0 tickets: a champion nobody has answered for yet is no version left out.
    `known_topics` (version → its topic labels): an answer naming a topic its version does not know (a typo, 城建;
    a new class) is counted apart, not as the model's error: it lowered the share it kept."""
    columns = ["model_version", "tickets", "with_prediction", "topic_kept", "unknown_topic", "suggestion_used", "first",
               "last"]
    known_topics = known_topics or {}

    def unknown(answer: FeedbackRow) -> bool:
        known = known_topics.get(answer.model_version)
        return known is not None and answer.topic not in known

    answered_versions = {a.model_version for a in answers}
    unanswered = pd.DataFrame([{"model_version": v, "tickets": 0, "with_prediction": 0} for v in versions
                               if v not in answered_versions], columns=columns)
    if not answers:
        return unanswered
    frame = pd.DataFrame({
        "model_version": [a.model_version or "(not given)" for a in answers],
        "predicted": [a.predicted_topic for a in answers],
        "kept": [float(a.predicted_topic == a.topic) if a.predicted_topic and not unknown(a) else np.nan
                 for a in answers],
        "unknown": [unknown(a) for a in answers],
        "suggestion": [a.suggestion_id is not None for a in answers],
        "at": [centre_time(a.created_at) for a in answers],
    })
    table = frame.groupby("model_version", sort=False).agg(
        tickets=("at", "size"), with_prediction=("predicted", "count"),
        topic_kept=("kept", "mean"), unknown_topic=("unknown", "sum"),
        suggestion_used=("suggestion", "mean"), first=("at", "min"), last=("at", "max"),
    )
    table[["topic_kept", "suggestion_used"]] = table[["topic_kept", "suggestion_used"]].round(4)
    table[["first", "last"]] = table[["first", "last"]].apply(lambda stamps: stamps.dt.floor("s"))
    answered = table.reset_index().sort_values("first", kind="stable")[columns]
    joined = pd.concat([answered, unanswered] if len(unanswered) else [answered], ignore_index=True)
    # counts stay counts: joined with the unanswered versions' empty cells they became floats, and a trainer's round
    # read unknown_topic 1.0, between shares, as "100 % unknown"
    counts = ["tickets", "with_prediction", "unknown_topic"]
    joined[counts] = joined[counts].astype("Int64")
    return joined


def repeats_live_table(answers: Sequence[FeedbackRow]) -> pd.DataFrame:
    """How the repeat check (重复诉求) fares with agents, per week of their answers, over the answers that say what
    the route listed: precision = listed tickets the agent linked / tickets with a listing, recall = those / the
    tickets the agent linked to an earlier one. bench/repeats.py measures the check on pairs of real messages judged
    by hand; this is its counterpart on the centre's own tickets."""
    columns = ["week", "tickets", "listed", "confirmed", "precision", "linked", "recall"]
    linked = {a.ticket_key: a.repeat_of for a in answers if a.repeat_of}  # a matter's chain (`repeat_verdict`)
    verdicts = [(a, a.repeat_verdict(linked)) for a in answers]
    judged = [(a, verdict) for a, verdict in verdicts if verdict is not None]
    if not judged:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({
        "week": [_week(a.created_at) for a, _ in judged],
        "listed": [verdict in ("confirmed", "rejected") for _, verdict in judged],
        "confirmed": [verdict == "confirmed" for _, verdict in judged],
        "linked": [a.repeat_of is not None and verdict != "unseen" for a, verdict in judged],
    })
    table = frame.groupby("week").agg(tickets=("week", "size"), listed=("listed", "sum"),
                                      confirmed=("confirmed", "sum"), linked=("linked", "sum"))
    table = table.reindex(_weeks([a.created_at for a, _ in judged]), fill_value=0).rename_axis("week")
    table["precision"] = (table["confirmed"] / table["listed"].where(table["listed"] > 0)).round(4)
    table["recall"] = (table["confirmed"] / table["linked"].where(table["linked"] > 0)).round(4)
    return table.reset_index()[columns]


def _week(at: datetime) -> str:
    """The centre's ISO week of a stored (UTC) stamp, with its Monday and Sunday (2026-W49 11/30–12/06): a week
    starts on Monday at midnight where the centre is. The dates, since a supervisor does not count ISO weeks."""
    return _week_of(pd.Timestamp(centre_time(at).replace(tzinfo=None)))


def _week_of(day: pd.Timestamp) -> str:
    monday = (day - pd.Timedelta(days=day.weekday())).normalize()
    return f"{monday:%G-W%V} {monday:%m/%d}–{monday + pd.Timedelta(days=6):%m/%d}"


def _weeks(stamps: Sequence[datetime]) -> pd.Index:
    """Every week from the first stamp's to the last's: a week without answers is a row of zeros, since left out a
    supervisor read W47 and W49 as two weeks in a row."""
    first, last = (pd.Timestamp(centre_time(at).replace(tzinfo=None)) for at in (min(stamps), max(stamps)))
    return pd.Index([_week_of(day) for day in pd.date_range(
        (first - pd.Timedelta(days=first.weekday())).normalize(), last, freq="7D")])


def _per_week(frame: pd.DataFrame, stamps: Sequence[datetime], shares: list[str],
              counts: Sequence[str] = ()) -> pd.DataFrame:
    """`frame` (a row per ticket: its `week`, the 0/1 columns `shares` and `counts`, NaN where not known, and its
    `version`) as one row per week from the first of `stamps` to the last: tickets, each share's mean, each count's
    sum, the versions."""
    table = frame.groupby("week").agg(tickets=("week", "size"), **{share: (share, "mean") for share in shares},
                                      **{count: (count, "sum") for count in counts},
                                      model_versions=("version", lambda v: ", ".join(dict.fromkeys(v.dropna()))))
    table = table.reindex(_weeks(stamps)).rename_axis("week")
    for count in ("tickets", *counts):
        table[count] = table[count].fillna(0).astype(int)
    table["model_versions"] = table["model_versions"].fillna("")
    table[shares] = table[shares].round(4)
    return table.reset_index()[["week", "tickets", *shares, *counts, "model_versions"]]


def _catalogue(catalogue: Catalogue | None) -> Catalogue:
    if catalogue is None:
        from knowledge_base.units import load_catalogue

        catalogue = load_catalogue()
    return catalogue


def _unit_pairs(answers: Sequence[FeedbackRow],
                catalogue: Catalogue | None) -> list[tuple[str | None, str | None, bool | None]]:
    """(the route's unit, the agent's unit, whether the agent kept it), each unit as the catalogue's functional type
    where it reads as one (agents name the unit they know, 住建局 or 武冈市住房和城乡建设局, the route its type), but as
    the unit itself where other units share its type: a ticket sent from 湾头桥镇's government to 邓元泰镇's, the
    mistake a township meets most, or from 人社局 to its expert seat, counted as kept when types were compared. Where
    one side names only such a type (a route that found no township, an agent who wrote 通信), the other side's unit
    of that type is kept; kept is None where a side is missing."""
    catalogue = _catalogue(catalogue)

    def said_as(name: str | None) -> str | None:
        if not name:
            return None
        unit = catalogue.unit_named(name)
        if unit is not None and catalogue.shares_type(unit):
            return unit.name
        return catalogue.functional_type_of(name) or name

    pairs = []
    for answer in answers:
        said, given = said_as(answer.predicted_unit), said_as(answer.unit)
        kind = catalogue.functional_type_of(said)
        kept = None if not (said and given) else said == given or (
            kind is not None and kind == catalogue.functional_type_of(given) and kind in (said, given))
        pairs.append((said, given, kept))
    return pairs


def _kept(answers: Sequence[FeedbackRow], catalogue: Catalogue | None) -> pd.DataFrame:
    """Per answer, whether the agent kept the route's topic and its unit (`_unit_pairs`): 1.0, 0.0, or NaN where a
    side is missing."""
    return pd.DataFrame({
        "topic_kept": [float(a.predicted_topic == a.topic) if a.predicted_topic and a.topic else np.nan
                       for a in answers],
        "unit_kept": [np.nan if kept is None else float(kept) for _, _, kept in _unit_pairs(answers, catalogue)],
    })


def kept_counts(answers: Sequence[FeedbackRow], catalogue: Catalogue | None = None) -> dict[str, tuple[int, int]]:
    """Per head (topic, unit): how many answers kept the route's label, of how many give both to compare."""
    kept = _kept(answers, catalogue)
    return {head: (int(kept[f"{head}_kept"].sum()), int(kept[f"{head}_kept"].notna().sum()))
            for head in ("topic", "unit")}


def weekly_live_table(answers: Sequence[FeedbackRow], catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Per week of the agents' final answers (the centre's weeks, Monday first): tickets answered, how often the
    agents kept the route's topic and unit, over the answers that give both (how many: `topic_compared`,
    `unit_compared`; a supervisor multiplied the share by all the week's tickets), and the model versions that routed
    them. Whether the model is getting worse this week than last, which `live_table`, per version, pools."""
    columns = ["week", "tickets", "topic_kept", "unit_kept", "topic_compared", "unit_compared", "model_versions"]
    if not answers:
        return pd.DataFrame(columns=columns)
    frame = _kept(answers, catalogue).assign(week=[_week(a.created_at) for a in answers],
                                             version=[a.model_version or "(not given)" for a in answers])
    frame["topic_compared"], frame["unit_compared"] = frame["topic_kept"].notna(), frame["unit_kept"].notna()
    return _per_week(frame, [a.created_at for a in answers], ["topic_kept", "unit_kept"],
                     ["topic_compared", "unit_compared"])


def routed_weekly_table(tickets: Sequence[SeenTicket]) -> pd.DataFrame:
    """Per week of the tickets the service routed with an id (the ticket log keeps the repeat window, 30 days by
    default): how many, the share the route sent to review and the share it flagged urgent (each over the tickets
    whose decision or flag was logged, since 2026-12-02), how many it flagged urgent and how many it said to put
    through by phone (120 / 110 / 119, logged since 2026-12-02: a supervisor counts them, and the share alone hid
    what it was taken over), what became of them so far (closed by the centre itself, 本级办结; replied by a unit;
    ever sent back by one), and the versions that routed them. Whether the share a person must look at is rising,
    which the service's own gauge counts only since its last start; and how much the centre answers on the call,
    the count a 12345 centre reports as its own (直接办结), which no table counted."""
    columns = ["week", "tickets", "review_share", "urgent_share", "urgent", "handed_over", "closed_at_centre",
               "replied", "returned", "model_versions"]
    if not tickets:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({
        "week": [_week(t.received_at) for t in tickets],
        "review_share": [float(t.decision == "review") if t.decision else np.nan for t in tickets],
        "urgent_share": [np.nan if t.urgent is None else float(t.urgent) for t in tickets],
        "urgent": [bool(t.urgent) for t in tickets],
        "handed_over": [bool(t.hand_over) for t in tickets],
        "closed_at_centre": [t.closed_at_centre for t in tickets],
        "replied": [t.replied_at is not None for t in tickets],
        "returned": [t.returned_at is not None for t in tickets],
        "version": [t.model_version for t in tickets],
    })
    return _per_week(frame, [t.received_at for t in tickets], ["review_share", "urgent_share"],
                     ["urgent", "handed_over", "closed_at_centre", "replied", "returned"])


def decision_live_table(answers: Sequence[FeedbackRow], tickets: Sequence[SeenTicket],
                        catalogue: Catalogue | None = None) -> pd.DataFrame:
    """How often agents changed the route's unit, by what the route decided of the ticket (its last route in the
    ticket log): dispatched without a person (auto) or sent to review. Per decision: the tickets routed so, how many
    an agent's answer names, how many of those give both units, how many the agent sent to another unit, and the
    share kept (`_unit_pairs`). A supervisor's round: "how often is an automatic dispatch wrong" had no answer, the
    weekly table pooling the tickets an agent reviewed anyway with those that went out alone. Only the tickets the
    log still holds (the repeat window) are counted; an automatic dispatch an agent never answered is in `routed`
    alone, so `unit_kept` of `auto` measures the dispatches somebody looked at again."""
    columns = ["decision", "routed", "answered", "unit_compared", "unit_changed", "unit_kept"]
    decided = {t.ticket_id: t.decision for t in tickets if t.decision}
    answered = [a for a in answers if a.ticket_id in decided]
    kept = [(decided[a.ticket_id], pair[2]) for a, pair in zip(answered, _unit_pairs(answered, catalogue))]
    rows = []
    for decision in ("auto", "review"):
        compared = [k for d, k in kept if d == decision and k is not None]
        rows.append({"decision": decision, "routed": sum(d == decision for d in decided.values()),
                     "answered": sum(d == decision for d, _ in kept), "unit_compared": len(compared),
                     "unit_changed": compared.count(False),
                     "unit_kept": round(sum(compared) / len(compared), 4) if compared else np.nan})
    return pd.DataFrame(rows, columns=columns)


# What an agent's change of the route's unit corrects (`unit_change`): the type the unit head or a rule read; whether a
# matter of the type was a question for its expert seat or a case for its bureau (the consultation rules' call, not
# the model's: a trainer's round read seven 社保专家座席 → 人社局 among the two tickets sent to a wrong bureau); or which
# unit of the type, a township for another (where the matter is) or one phone company for another.
CHANGE_TYPE, CHANGE_SEAT, CHANGE_UNIT = "type 类型", "seat 座席↔部门", "unit 同类另一单位"
CHANGES = (CHANGE_TYPE, CHANGE_UNIT, CHANGE_SEAT)


def unit_change(said: str, given: str, catalogue: Catalogue) -> str:
    """What the change from the route's unit `said` to the agent's `given` (as `_unit_pairs` reads them) corrects."""
    from knowledge_base.units import SEAT_LEVEL

    if catalogue.functional_type_of(said) != catalogue.functional_type_of(given):
        return CHANGE_TYPE
    units = (catalogue.unit_named(said), catalogue.unit_named(given))
    return CHANGE_SEAT if any(unit is not None and unit.level == SEAT_LEVEL for unit in units) else CHANGE_UNIT


def unit_overrides_table(answers: Sequence[FeedbackRow], catalogue: Catalogue | None = None,
                         top: int = 10) -> pd.DataFrame:
    """The units agents change most: the route's unit → the agent's, as functional types (a township's government
    by its name: `_unit_pairs`), with what the change corrects (`unit_change`: another type first, the model's or a
    rule's mistake), how many tickets and what share of the tickets routed to that unit (and answered with a unit)
    they are; the first `top`, and in `attrs` how many changes (`changes`) and tickets (`tickets`) there are in all,
    and the tickets of each kind of change (`by_change`)."""
    columns = ["routed_to", "agents_chose", "change", "tickets", "share_of_routed"]
    catalogue = _catalogue(catalogue)
    pairs = [pair for pair in _unit_pairs(answers, catalogue) if pair[2] is not None]
    changed = pd.DataFrame([(said, given) for said, given, kept in pairs if not kept],
                           columns=["routed_to", "agents_chose"])
    if changed.empty:
        return pd.DataFrame(columns=columns)
    routed = Counter(said for said, _, _ in pairs)
    of_type = Counter(catalogue.functional_type_of(said) for said, _, _ in pairs)

    def routed_to(said: str) -> int:
        # A route that named only a type (no township found; 市场监督管理, its bureau and 12315 seat named apart) is
        # one of every ticket routed to that type: over itself alone, a trainer's round read a share of 1.0 where two
        # of three tickets routed to market supervision were kept.
        return of_type[said] if catalogue.functional_type_of(said) == said else routed[said]

    table = changed.value_counts().rename("tickets").reset_index()
    table["change"] = [unit_change(said, given, catalogue) for said, given in zip(table["routed_to"],
                                                                                 table["agents_chose"])]
    table["share_of_routed"] = (table["tickets"] / table["routed_to"].map(routed_to)).round(4)
    table = table.sort_values(["change", "tickets", "routed_to"], ascending=[True, False, True], kind="stable",
                              key=lambda c: c.map(CHANGES.index) if c.name == "change" else c)
    shown = table.head(top)[columns].reset_index(drop=True)  # numbered as shown, not as counted (0, 4, 3, 5 … read
    # as a ranking); and how many it leaves out (a supervisor's round: 10 rows of 13 changes, with nothing said)
    by_change = table.groupby("change")["tickets"].sum()
    shown.attrs.update(changes=len(table), tickets=int(table["tickets"].sum()),
                       by_change={change: int(by_change.get(change, 0)) for change in CHANGES})
    return shown


def wrong_units_table(answers: Sequence[FeedbackRow], tickets: Sequence[SeenTicket],
                      catalogue: Catalogue | None = None, top: int = 20) -> pd.DataFrame:
    """The tickets whose unit an agent changed to another type or another unit of the type (`unit_change`; a seat ↔
    its bureau left out): the route's mistakes, each with what the route decided (its last route in the ticket log:
    auto, dispatched before anyone looked, first; blank where the log no longer holds it), the route's unit, the
    agent's and when the agent answered, newest first; the first `top`, and in `attrs` how many there are (`tickets`).
    A trainer's round: the two tickets sent to a wrong bureau were nowhere named, only counted among the changes."""
    columns = ["ticket", "decision", "routed_to", "agents_chose", "change", "answered_at"]
    catalogue = _catalogue(catalogue)
    decided = {t.ticket_id: t.decision for t in tickets if t.decision}
    wrong = [(a, said, given, change) for a, (said, given, kept) in zip(answers, _unit_pairs(answers, catalogue))
             if kept is False and (change := unit_change(said, given, catalogue)) != CHANGE_SEAT]
    wrong.sort(key=lambda w: (decided.get(w[0].ticket_id) != "auto", -centre_time(w[0].created_at).timestamp()))
    rows = [{"ticket": a.ticket_key, "decision": decided.get(a.ticket_id, ""), "routed_to": said, "agents_chose": given,
             "change": change, "answered_at": centre_minute(a.created_at)} for a, said, given, change in wrong]
    table = pd.DataFrame(rows[:top], columns=columns)
    table.attrs.update(tickets=len(rows))
    return table


def topic_overrides_table(answers: Sequence[FeedbackRow], top: int = 10) -> pd.DataFrame:
    """The topics agents change most: the route's topic → the agent's, with how many tickets and what share of the
    answered tickets routed with that topic they are (a trainer's round: 14 of 50 topics corrected, 城乡建设 →
    环境保护 four times, and the report said only "topic kept 0.72"); the first `top`, and in `attrs` how many
    changes (`changes`) and tickets (`tickets`) there are in all."""
    columns = ["routed_topic", "agents_chose", "tickets", "share_of_topic"]
    compared = [(a.predicted_topic, a.topic) for a in answers if a.predicted_topic and a.topic]
    changed = pd.DataFrame([pair for pair in compared if pair[0] != pair[1]], columns=columns[:2])
    if changed.empty:
        return pd.DataFrame(columns=columns)
    table = changed.value_counts().rename("tickets").reset_index()
    table["share_of_topic"] = (table["tickets"] / table["routed_topic"].map(Counter(s for s, _ in compared))).round(4)
    table = table.sort_values(["tickets", "routed_topic"], ascending=[False, True], kind="stable")
    shown = table.head(top)[columns].reset_index(drop=True)
    shown.attrs.update(changes=len(table), tickets=int(table["tickets"].sum()))
    return shown


def refusals_live_table(answers: Sequence[FeedbackRow], rules: RoutingRules | None = None) -> pd.DataFrame:
    """How the refusal rules (不予受理) fare with agents, per rule, over the answers that say whether the ticket was
    refused: how many tickets each rule flagged, how many of those the centre did refuse (precision), and a last row,
    "(no rule)", for the tickets refused though no rule flagged them. bench/refusal_rules.py measures the rules on
    the real message board; this is their counterpart on the centre's own tickets. Each rule with what it refuses,
    in the words of `rules` (the pack's), since its id (litigation) is English."""
    if rules is None:
        from knowledge_base.dispatch import default_routing

        rules = default_routing()[1]
    columns = ["rule", "meaning", "flagged", "refused", "precision"]
    meanings = {rule.id: rule.reason.split(" / ")[0] for rule in rules.not_accepted}
    judged = [a for a in answers if a.refusal_verdict is not None]
    outcomes: dict[str, list[bool]] = {}
    for answer in judged:
        if answer.refusal_rule:
            outcomes.setdefault(answer.refusal_rule, []).append(bool(answer.refused))
    rows = [{"rule": rule, "meaning": meanings.get(rule, ""), "flagged": len(refused), "refused": sum(refused)}
            for rule, refused in sorted(outcomes.items())]
    missed = sum(a.refusal_verdict == "missed" for a in judged)
    if missed:
        rows.append({"rule": "(no rule)", "meaning": "无规则命中而不予受理 / refused, no rule flagged it", "flagged": 0,
                     "refused": missed})
    table = pd.DataFrame(rows, columns=columns[:4])
    table["precision"] = (table["refused"] / table["flagged"].where(table["flagged"] > 0)).round(4)
    return table[columns]


def hand_over_live_table(answers: Sequence[FeedbackRow]) -> pd.DataFrame:
    """How the emergency words fare with agents, line by line and week by week of the answers that say where the
    caller was put through (`put_through`), against the route's `hand_over`: the calls agents put through to each
    line, those the route had named (confirmed), those it had not (missed: the rules file's words did not catch
    them) and the lines it named that none needed (false_alarm). A quality inspector's round counted per answer: a
    call put through to 120, 119 and 110 where the route named 120 read as one confirmation, its two missed lines
    nowhere, and no figure said how many calls went to each line."""
    columns = ["week", "line", "put_through", "confirmed", "missed", "false_alarm"]
    rows = [{"week": _week(a.created_at), "line": line, "put_through": line in put, "confirmed": line in put & named,
             "missed": line in put - named, "false_alarm": line in named - put}
            for a in answers if a.hand_over is not None and a.put_through is not None
            for named, put in [(set(a.hand_over), set(a.put_through))] for line in sorted(named | put)]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(rows).groupby(["week", "line"], as_index=False).sum()[columns]


def per_class_table(he: HeadEvaluation) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(label, s.precision, s.recall, s.f1, s.support) for label, s in he.report.per_class.items()],
        columns=["label", "precision", "recall", "f1", "support"],
    ).set_index("label")
    return frame.sort_values("support", ascending=False)


def reliability(he: HeadEvaluation, bins: int = 10) -> pd.DataFrame:
    """Confidence bins: mean confidence, accuracy and count per bin; their gap is what calibration fixes."""
    conf = np.asarray(he.outcomes.confidence, dtype=float)
    correct = np.asarray(he.outcomes.correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    rows = [
        {"low": edges[b], "high": edges[b + 1], "n": int((which == b).sum()),
         "confidence": float(conf[which == b].mean()), "accuracy": float(correct[which == b].mean())}
        for b in range(bins) if (which == b).any()
    ]
    return pd.DataFrame(rows)


def head_said(he: HeadEvaluation) -> str:
    """A head's figures as its section of the page opens: in bold where they rest on enough tickets to compare versions
    by (`HEAD_MIN_N`, as the gate judges), said to be too few where not (a trainer's round: a champion scored on 9
    tickets read "accuracy **1.0000**")."""
    r = he.report
    ece = f"ECE {expected_calibration_error(he):.4f}"
    if r.n < HEAD_MIN_N:
        return (f"n = {r.n}（工单太少，不足以判断 / too few to judge: the gate needs {HEAD_MIN_N}）, accuracy "
                f"{r.accuracy:.4f}, macro-F1 {r.macro_f1:.4f}, {ece}")
    return f"n = {r.n}, accuracy **{r.accuracy:.4f}**, macro-F1 **{r.macro_f1:.4f}**, {ece}"


def expected_calibration_error(he: HeadEvaluation, bins: int = 10) -> float:
    table = reliability(he, bins)
    return float((table["n"] * (table["confidence"] - table["accuracy"]).abs()).sum() / table["n"].sum())


def coverage_precision(he: HeadEvaluation) -> pd.DataFrame:
    """For every possible threshold (each distinct confidence): share of tickets dispatched and their precision."""
    thresholds = np.unique(he.outcomes.confidence)[::-1]
    points = [dispatch_scores(he.outcomes.confidence, he.outcomes.correct, t) for t in thresholds]
    return pd.DataFrame({"threshold": thresholds, "coverage": [c for c, _ in points],
                         "precision": [p for _, p in points]})


def kb_table(pairs: Path, *, limit: int | None = None) -> pd.DataFrame:
    """Knowledge-base retrieval on (message, reply) pairs: R@1, R@5 and MRR, full text and title only (BM25;
    dense and hybrid need the encoder and are measured in bench/)."""
    from knowledge_base.evaluate import evaluate_pairs

    result = evaluate_pairs(Path(pairs), encoder=None, limit=limit)
    rows = [{"query": "full text", "method": m, **result[m]} for m in ("bm25", "dense", "hybrid") if m in result]
    rows += [{"query": "title only", "method": m, **s} for m, s in result.get("title_only", {}).items()]
    frame = pd.DataFrame(rows)
    frame.attrs.update(pairs=result["pairs"], replies=result["replies"])
    return frame


# ---- figures ---------------------------------------------------------------------------------------------


def _figure(width: float, height: float):
    use_cjk_font()
    from matplotlib import pyplot as plt

    return plt.subplots(figsize=(width, height), layout="constrained")


def plot_confusion(ev: VersionEvaluation, head: str):
    """Row-normalised confusion matrix (recall on the diagonal), counts written in each cell."""
    he = ev.heads[head]
    labels, counts = he.report.labels, np.asarray(he.report.confusion, dtype=float)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = max(4.5, 0.55 * len(labels) + 2.5)
    fig, ax = _figure(size + 1, size)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("预测 predicted")
    ax.set_ylabel("真实 true")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if counts[i, j]:
                ax.text(j, i, int(counts[i, j]), ha="center", va="center",
                        color="white" if share[i, j] > 0.5 else "black", fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.8, label="占真实类别比例 share of true class")
    ax.set_title(f"{ev.version} · {head} · 混淆矩阵 confusion")
    return fig


def plot_reliability(ev: VersionEvaluation, head: str, bins: int = 10):
    he = ev.heads[head]
    table = reliability(he, bins)
    fig, ax = _figure(5, 4.5)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="完美校准 perfect calibration")
    ax.plot(table["confidence"], table["accuracy"], marker="o", label="模型 model")
    for _, row in table.iterrows():
        ax.annotate(str(int(row["n"])), (row["confidence"], row["accuracy"]), textcoords="offset points",
                    xytext=(4, -10), fontsize=7, color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("置信度 confidence")
    ax.set_ylabel("准确率 accuracy")
    ax.set_title(f"{ev.version} · {head} · ECE {expected_calibration_error(he, bins):.3f}")
    ax.legend(loc="upper left")
    return fig


def plot_coverage_precision(ev: VersionEvaluation, head: str):
    """How many tickets could be dispatched without a human at each precision; the card's threshold marked."""
    he = ev.heads[head]
    curve = coverage_precision(he)
    fig, ax = _figure(5.5, 4.5)
    ax.plot(curve["coverage"], curve["precision"], label="各阈值 all thresholds")
    if he.target_precision is not None:
        ax.axhline(he.target_precision, color="grey", linestyle=":", label=f"目标 target {he.target_precision:.2f}")
    r = he.report
    if r.threshold is not None and r.dispatched_precision is not None:
        ax.scatter([r.coverage], [r.dispatched_precision], color="red", zorder=3,
                   label=f"阈值 threshold {r.threshold:.3f}: 覆盖率 coverage {r.coverage:.1%}")
    else:
        ax.text(0.02, 0.05, "no dispatch threshold: every ticket is reviewed", transform=ax.transAxes, color="red")
    ax.set_xlim(0, 1.01)
    ax.set_xlabel("覆盖率 coverage (share at or above the threshold, this head alone)")
    ax.set_ylabel("精确率 precision of dispatched")
    ax.set_title(f"{ev.version} · {head} · 覆盖率-精确率")
    ax.legend(loc="lower left")
    return fig


def plot_versions(evaluations: Sequence[VersionEvaluation], head: str = "topic"):
    """Macro-F1, the head's coverage and the share dispatched without a person of every version in training order
    (version and training date on the axis)."""
    table = versions_table(evaluations)
    table = table[table["head"] == head]
    if table.empty:
        raise InputError(f"no version has a {head!r} head on this evaluation set")
    fig, ax = _figure(max(5.0, 1.1 * len(table) + 2), 4.5)
    x = np.arange(len(table))
    ax.plot(x, table["macro_f1"], marker="o", label="宏平均F1 macro-F1")
    ax.plot(x, table["coverage"].fillna(0.0), marker="s", label="阈值处覆盖率 coverage at threshold (this head alone)")
    ax.plot(x, table["auto_dispatched"], marker="^", label="免人工派单 dispatched without a person (service)")
    for i, star in enumerate(table["champion"]):
        if star:
            ax.annotate("在用 champion", (x[i], table["macro_f1"].iloc[i]), textcoords="offset points",
                        xytext=(0, 8), ha="center", fontsize=8)
    ticks = [f"{v}\n{str(t)[:10]}" for v, t in zip(table["version"], table["trained"])]
    ax.set_xticks(x, ticks, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{head}: 版本对比 versions")
    ax.legend(loc="lower right")
    return fig


# ---- the notebook, executed headless ---------------------------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "evaluation.ipynb"


# nbconvert's page loads require.js, MathJax and mermaid from cdnjs in its <head>, synchronously: on a centre's
# intranet that drops outside traffic the report hung while opening. It needs none of them (no widgets, formulas or
# diagrams), so the page is the lab template without those three blocks.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def render_report(
    out: Path,
    *,
    registry: Path | None = None,
    data: Sequence[Path] | None = None,
    versions: Sequence[str] | None = None,
    kb_pairs: Path | None = None,
    kb_limit: int = 300,
    notebook: Path = NOTEBOOK,
    timeout: int = 1800,
) -> tuple[Path, dict[str, str], bool]:
    """Execute the evaluation notebook with these parameters and write it as one self-contained HTML file
    (figures embedded). A failing cell raises with the cell's error; no partial report is written. Returns the
    file, the versions that could not be evaluated, with why (also named in the page), and whether its charts were
    drawn: without a font that draws Chinese the page has its tables and says why it has no charts (a trainer's
    round: a county server without one got no report at all, though its tables need no font)."""
    import tempfile

    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    values = {
        "registry": str(registry) if registry else None,
        "data": [str(p) for p in data] if data else None,
        "versions": list(versions) if versions else None,
        "kb_pairs": str(kb_pairs) if kb_pairs else None,
        "kb_limit": kb_limit,
        "charts": (charts := cjk_font() is not None),
    }
    # The papermill convention: a cell after the one tagged "parameters" overrides its defaults.
    at = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), None)
    if at is None:
        raise InputError(f"{notebook}: no cell tagged 'parameters'")
    injected = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, injected)
    # Read back after the run, and not shown: the versions the notebook could not evaluate, whatever the cause.
    failed_cell = nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps({ev.version: ev.error for ev in evaluations if ev.error}))")
    nb.cells.append(failed_cell)

    # The kernel talks over Unix sockets in a private directory: over TCP on localhost, ipykernel warns that any
    # local user could listen in, which is true, and a supervisor running `appeal report` should not see that.
    with tempfile.TemporaryDirectory(prefix="appeal-report-") as sockets:
        kernel = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        client = NotebookClient(nb, km=kernel, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(Path.cwd())}})
        try:
            client.execute(cleanup_kc=True)  # a kernel manager passed in is left running by default
        except CellExecutionError as exc:
            # The error's own message names what is wrong (an unknown version, a missing file…); one of ours is
            # said as the command says it, without the notebook's name and the exception's
            said = exc.evalue if exc.ename == "InputError" else f"{notebook.name}: {exc.ename}: {exc.evalue}"
            raise InputError(said) from None
    nb.cells.remove(failed_cell)
    failed = json.loads("".join(output.get("text", "") for output in failed_cell.outputs) or "{}")
    html, _ = HTMLExporter(exclude_input=True, extra_loaders=[DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})],
                           template_file="offline.html.j2").from_notebook_node(nb)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing_file(out) as partial:  # readable by its user alone, as the other exports (a privacy round)
        partial.write_text(html, encoding="utf-8")
    return out, failed, charts
