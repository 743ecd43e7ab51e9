"""Retraining from agents' corrections, promoted only through the registry's gate.

One run: the new labelled tickets (feedback exported from the service, and/or files) are merged into the
champion's own training data — a new label replaces the old one for the same ticket, repeated tickets are kept
once — a challenger is trained with the champion's recipe, and `Registry.promote` decides on the fixed
evaluation set plus the newest new tickets, which are held out of training for that purpose. The service
notices the new champion by itself (it polls the registry's champion pointer).

Every run leaves a directory `<home>/retrain/<stamp>/` with the merged training file (the next run's base
data, named in the challenger's card) and `report.json`, what changed and what the gate decided.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

import datasets
import pandas as pd

from models.card import STOPWORDS_FILE, ModelCard
from models.predictor import model_stopwords
from models.registry import DEFAULT_CLASS_MARGIN, DEFAULT_TOLERANCE, Decision, EvaluationSet, Registry
from pipeline import InputError, model_text
from pipeline.records import AmbiguousDate, parse_date
from training.feedback_store import latest_by
from training.recalibration import recalibrate
from training.tickets import (HEADS, RUNS_DIR, columns_read, learnt_evaluation_rows, load_tickets,
                              read_units_as_labels, training_file, units_read_as)

log = logging.getLogger(__name__)

DEFAULT_HOLDOUT = 0.2
MERGED_FILE = "train_segmented.jsonl"  # "segmented" in the name: load_tickets takes the text as canonical
REPORT_FILE = "report.json"


# ---- the fixed evaluation set ------------------------------------------------------------------------------


def default_evaluation_files() -> list[Path]:
    """The fixed evaluation set every challenger is measured on: `APPEAL_EVALUATION_FILE`, else teddy2020c's
    dev_raw.csv (448 raw tickets, none of them in the training file)."""
    from appeal.config import get_settings

    if (chosen := get_settings().evaluation_file) is not None:
        if not chosen.is_file():
            raise InputError(f"APPEAL_EVALUATION_FILE={chosen}: no such file (the fixed evaluation set)")
        return [chosen]
    path = get_settings().teddy_dir / "dev_raw.csv"
    if not path.is_file():
        raise InputError(f"{path}: the fixed evaluation set is missing; name evaluation files (--data, or --eval "
                         "for appeal retrain) or point APPEAL_SHARED_DATA at the datasets")
    return [path]


def load_evaluation_set(paths: Sequence[Path] | None = None,
                        unit_label: Callable[[str], str | None] | None = None) -> EvaluationSet:
    """The gate's labelled tickets; `unit_label` reads unit names as the unit head's labels (see `load_tickets`)."""
    parts = []
    for path in paths or default_evaluation_files():
        dataset, report = load_tickets(path, unit_label=unit_label)
        # named in the promotion log as a path any directory reads (a trainer's round: exports/fb3.csv)
        parts.append(EvaluationSet.from_dataset(dataset, str(Path(path).absolute()), presegmented=report.presegmented))
    return parts[0] if len(parts) == 1 else EvaluationSet.combine(parts)


# ---- merging new labels into the training data -------------------------------------------------------------


@dataclass
class Relabel:
    id: str
    head: str
    old: str | None
    new: str


@dataclass
class MergeReport:
    base: str
    base_rows: int
    new_files: list[str]
    since: str | None
    new_rows: int  # labelled tickets read, after --since
    repeats_collapsed: int  # the same new ticket labelled more than once: the latest label kept
    held_out: int  # newest new tickets kept out of training, added to the evaluation set
    relabelled: list[Relabel] = field(default_factory=list)
    unchanged: int = 0  # new tickets identical to a base ticket, same labels
    added: int = 0  # new tickets not in the base data
    withdrawn_for_evaluation: int = 0  # base tickets whose held-out new label disputes them
    trained_rows: int = 0
    units_read_as: dict[str, str] = field(default_factory=dict)  # a unit's name or alias → the champion's label
    in_evaluation_set: int = 0  # new tickets that are tickets of the gate's evaluation set: not learnt
    held_ids: list[str] = field(default_factory=list)  # the held-out tickets, by id (or their text's opening)
    columns: dict[str, dict] = field(default_factory=dict)  # new file → `LoadReport.column_sources`


def _key(row: dict) -> str:
    return row["canonical"]


def _when(value: str | None, zone: str) -> float:
    """Seconds since the epoch; a time without zone is taken as in `zone`, the centre's: 12345 systems export local
    times without an offset, and `appeal feedback export` writes its offset."""
    if not value:
        return float("-inf")
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize(zone) if stamp.tz is None else stamp).timestamp()


def _load_new(paths: Sequence[Path], stopwords, since: str | None, unit_label: Callable[[str], str | None] | None = None
              ) -> tuple[list[dict], int, dict[str, str], dict[str, dict]]:
    """New labelled tickets, oldest first, one per ticket (its latest label). Returns (rows, repeats, the unit
    answers `unit_label` read as another label, each file's `LoadReport.column_sources`)."""
    rows: list[dict] = []
    columns = {}
    for path in paths:
        # Every row: a ticket labelled twice is resolved below by date (the latest label), not by majority.
        dataset, load_report = load_tickets(path, stopwords=stopwords, deduplicate=False, dates=True)
        columns[str(path)] = load_report.column_sources()
        rows += [{**r, "presegmented": load_report.presegmented} for r in dataset.to_list()
                 if any(r[h] is not None for h in HEADS)]
    from appeal.config import get_settings

    zone = get_settings().timezone
    if since is not None:
        # The trainer's date is a day of the centre's calendar: --since 2026-11-01 starts at its midnight.
        start = _when(since, zone)
        older = rows
        rows = [r for r in rows if _when(r["created_at"], zone) >= start]
        if older and not rows:
            # the columns were read; listing those that were not sent the trainer after a label that was there
            last = max((str(r["created_at"])[:10] for r in older if r["created_at"]), default=None)
            latest = f", the latest of {last}" if last else ", none of them dated"
            raise InputError(f"no new labelled tickets since {since[:10]} in {', '.join(map(str, paths))}: its "
                             f"{len(older)} labelled tickets are older{latest}")
    read_as = read_units_as_labels(rows, unit_label) if unit_label is not None else Counter()
    rows.sort(key=lambda r: _when(r["created_at"], zone))  # stable: undated rows keep file order, first
    latest = latest_by(rows, _key)
    return latest, len(rows) - len(latest), units_read_as(read_as), columns


def merge(
    base: datasets.Dataset, new: list[dict], holdout: float, report: MergeReport
) -> tuple[list[dict], list[dict]]:
    """(training rows, held-out rows). Base rows are matched to new ones by canonical text."""
    held_count = int(len(new) * holdout)
    train_new, held = new[: len(new) - held_count], new[len(new) - held_count:]
    rows = {_key(r): {"id": r["id"], "canonical": r["canonical"], **{h: r[h] for h in HEADS}} for r in base.to_list()}
    for row in train_new:
        old = rows.get(_key(row))
        if old is None:
            rows[_key(row)] = {"id": row["id"], "canonical": row["canonical"], **{h: row[h] for h in HEADS}}
            report.added += 1
            continue
        changes = [Relabel(old["id"], h, old[h], row[h]) for h in HEADS if row[h] is not None and row[h] != old[h]]
        for change in changes:
            old[change.head] = change.new
        report.relabelled += changes
        report.unchanged += not changes
    for row in held:
        # The held-out label says the base label may be wrong; training on it would bias the check.
        report.withdrawn_for_evaluation += rows.pop(_key(row), None) is not None
    report.held_out = len(held)
    report.held_ids = [row["id"] or row["canonical"][:12] for row in held]
    report.trained_rows = len(rows)
    return list(rows.values()), held


def forget_in_runs(runs: Path, ticket_ids: Iterable[str]) -> Counter[str]:
    """Drops these tickets from the merged training files of the retrain runs under `runs`, each the base data of the
    next run (a request to erase a caller's data); returns how many rows of each ticket. Each file is read once and
    replaced whole, by rename."""
    ids, removed = set(ticket_ids), Counter()
    for merged in sorted(runs.glob(f"*/{MERGED_FILE}")):
        kept, dropped = [], Counter()
        for line in merged.read_text(encoding="utf-8").splitlines(keepends=True):
            ticket = json.loads(line).get("id") if line.strip() else None
            if ticket in ids:
                dropped[ticket] += 1
            else:
                kept.append(line)
        if dropped:
            scratch = merged.with_name(f".{merged.name}.erasing")
            scratch.write_text("".join(kept), encoding="utf-8")
            os.replace(scratch, merged)
            removed += dropped
    return removed


# ---- the run -----------------------------------------------------------------------------------------------


def merge_summary(m: MergeReport, run_dir: str | Path) -> list[str]:
    """What the merge read and did: printed before training starts, so that a wrong file does not cost a whole run
    before it shows (a trainer's round saw its unit names read only after the epochs)."""
    from appeal.config import get_settings

    lines = [
        f"base data: {m.base} ({m.base_rows} tickets)",
        # --since is a day of the centre's calendar: its midnight there
        f"new labelled tickets: {m.new_rows}" + (f" since {m.since} {get_settings().timezone}" if m.since else "")
        + f" ({m.repeats_collapsed} repeated labels collapsed to the latest)",
        *(f"  {path}: {columns_read(sources)}" for path, sources in m.columns.items()),
        f"  {len(m.relabelled)} labels changed, {m.added} tickets added, {m.unchanged} already known, "
        f"{m.held_out} newest held out for evaluation ({m.withdrawn_for_evaluation} withdrawn from the base)",
    ]
    if m.held_ids:
        # which: the newest are often the agents' answers of the last days, corrections among them (a trainer's round
        # saw none of 13 corrections learnt, and nothing said so)
        more = len(m.held_ids) - 10
        shown = ", ".join(m.held_ids[:10]) + (f" … {more} more in {Path(run_dir) / REPORT_FILE}" if more > 0 else "")
        lines.append(f"  held out, not learnt (`--holdout 0` learns them too): {shown}")
    if m.in_evaluation_set:
        lines.append(f"  {m.in_evaluation_set} of them are tickets of the gate's evaluation set: left out, as the "
                     "gate scores them")
    lines += [f"  unit {given!r} read as {label!r}" for given, label in sorted(m.units_read_as.items())]
    lines += [f"    {r.id} {r.head}: {r.old} -> {r.new}" for r in m.relabelled[:20]]
    if len(m.relabelled) > 20:
        lines.append(f"    … {len(m.relabelled) - 20} more in {Path(run_dir) / REPORT_FILE}")
    return lines


@dataclass
class RetrainReport:
    run_dir: str
    champion: str
    challenger: str
    kind: str
    merge: MergeReport
    new_heads: list[str]
    new_labels: dict[str, list[str]]  # head -> labels the champion did not know
    left_out_labels: dict[str, list[str]]  # too rare to learn this time
    decision: dict
    unscored_held_labels: dict[str, list[str]] = field(default_factory=dict)  # head -> held-out labels not learnt
    # The champion's `appeal calibrate` file and how refitting the challenger on it went; None: it had none.
    calibration: dict | None = None
    judged_only: bool = False  # `promote=False`: `decision` is what the gate would decide, and nothing was changed
    seed: int | None = None  # the training seed the challenger was trained with (None: its recipe has none)

    @property
    def promoted(self) -> bool:
        return not self.judged_only and self.decision["action"] in ("promote", "force")

    def outcome(self) -> list[str]:
        """What was trained and what the gate decided (what the merge read: `merge_summary`)."""
        lines = [f"challenger {self.challenger} ({self.kind}) trained on {self.merge.trained_rows} tickets"
                 + (f", seed {self.seed}" if self.seed is not None else "")]
        for head in self.new_heads:
            lines.append(f"  new head {head!r}: the champion had none")
        for head, labels in self.new_labels.items():
            if labels:
                lines.append(f"  {head}: head grows by {len(labels)} new labels: {', '.join(labels)}")
        for head, labels in self.left_out_labels.items():
            if labels:
                lines.append(f"  {head}: too few examples to learn yet: {', '.join(labels)}")
        for head, labels in self.unscored_held_labels.items():
            lines.append(f"  {head}: held-out answers labelled {', '.join(labels)}, which no model has learnt, are not "
                         f"scored by the gate (a typo? `appeal feedback correct TICKET --{head} LABEL` mends an "
                         "agent's answer)")
        lines += self._calibration_lines()
        lines += [f"  gate: {reason}" for reason in self.decision["reasons"]]
        return lines

    def _calibration_lines(self) -> list[str]:
        done = self.calibration
        if done is None:
            return []
        if "problem" in done:
            return [f"  the champion was calibrated on {done['data']}; the challenger could not be "
                    f"({done['problem']}): its thresholds are its holdout's, which promise more than new tickets "
                    "keep; `appeal calibrate` it before trusting decision \"auto\""]
        left = f", {done['in_training_data']} of its tickets left out as trained on" if done["in_training_data"] else ""
        return ([f"  recalibrated as the champion was, on {done['data']}: {', '.join(done['heads'])}{left}"]
                + [f"  {head}: kept as trained, {why}" for head, why in done["kept"].items()])


class GateInterrupted(KeyboardInterrupt):
    """Ctrl-C while the gate scored a challenger already added to the registry: it stays there, not gated."""

    def __init__(self, version: str):
        super().__init__(version)
        self.version = version


def _train_like(champion_dir: Path, card: ModelCard, data: Path, out: Path, base_encoder: Path | None,
                seed: int | None = None) -> ModelCard:
    """Train on `data` with the champion's recipe: its kind and training configuration, its stopwords and
    dispatch target for a baseline; the same fine-tuning settings (and so the same base encoder build) for a
    transformer or ensemble. `seed` replaces the configuration's (None: the champion's)."""
    seeded = {} if seed is None else {"seed": seed}
    if card.kind == "baseline":
        from models.baseline import BaselineConfig
        from training.train_baseline import train_baseline

        config = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in {**card.training.get("config", {}), **seeded}.items()}
        targets = [h.target_precision for h in card.heads.values() if h.target_precision is not None]
        options = {"target_precision": targets[0]} if targets else {}
        return train_baseline(data, out, config=BaselineConfig(**config),
                              stopwords_path=champion_dir / STOPWORDS_FILE, **options)
    from training.finetune import train_file
    from training.finetune_config import FinetuneConfig

    config = FinetuneConfig(**{**card.training["config"], **seeded})
    return ModelCard.load(train_file(data, cfg=config, out=out, base=base_encoder,
                                     profile=card.training.get("profile", "custom")))


def _calibrate_like(champion: ModelCard, model: Path,
                    unit_label: Callable[[str], str | None] | None) -> tuple[Path, dict | None]:
    """The challenger refitted on the tickets `appeal calibrate` refitted the champion on: calibrated on its own
    holdout, it would promise again what the champion was corrected for not keeping."""
    data = champion.calibration.get("data")
    if not data:
        return model, None
    if not Path(data).is_file():
        return model, {"data": data, "problem": "the file is not there"}
    target = next((champion.heads[h].target_precision for h in champion.calibration.get("heads", {})), None)
    try:
        done = recalibrate(model, Path(data), model.with_name("calibrated"), target_precision=target,
                           unit_label=unit_label)
    except InputError as error:
        return model, {"data": data, "problem": str(error)}
    shutil.rmtree(model)
    return model.with_name("calibrated"), {"data": data, "heads": list(done.heads), "kept": done.kept,
                                           "in_training_data": done.in_training_data}


def retrain(
    new_data: Sequence[Path],
    *,
    registry: Registry | None = None,
    since: str | None = None,
    base_data: Path | None = None,
    evaluation: Sequence[Path] | None = None,
    holdout: float = DEFAULT_HOLDOUT,
    work_dir: Path | None = None,
    force: bool = False,
    promote: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
    class_margin: float = DEFAULT_CLASS_MARGIN,
    base_encoder: Path | None = None,
    unit_label: Callable[[str], str | None] | None = None,
    by: str | None = None,
    on_merged: Callable[[list[str]], None] | None = None,
    seed: int | None = None,
) -> RetrainReport:
    """`base_encoder` is for transformer champions only: the encoder directory to fine-tune from (default:
    the one their configuration builds, `models.base_model.ensure_base_model`). `unit_label` reads an answer's
    unit as one of the champion's labels where it can (the CLI passes the unit catalogue's reading: a unit's
    name or an alias as its functional type); None keeps units as given. `by`: who runs it, for the registry's
    record of the decision. `on_merged` is given `merge_summary`'s lines before training starts. `promote=False`
    scores the challenger through the gate and leaves it a challenger, whatever the gate would decide. `seed`: the
    training seed in place of the champion's, for another challenger from the same tickets."""
    registry = registry or Registry()
    current = registry.champion()
    if current is None:
        raise InputError(f"{registry.root}: no champion to retrain; train and promote a first model")
    champion, champion_dir = current
    card = ModelCard.load(champion_dir)
    base_path = Path(base_data or training_file(card.training) or "")
    if not base_path.is_file():
        raise InputError(f"{champion}: its training data {str(base_path) or '(not recorded)'} is not there; "
                         "pass the base training file with --base")
    try:
        since_iso = parse_date(since) if since else None
    except AmbiguousDate as exc:
        raise InputError(f"--since {exc}") from None
    except (ValueError, OverflowError):
        raise InputError(f"--since {since!r}: not a date (use e.g. 2026-11-01)") from None
    stopwords = model_stopwords(champion_dir)

    new, repeats, units_read_as, columns = _load_new(new_data, stopwords, since_iso, unit_label)
    if not new:
        # a label column under a name the loader does not know is among these; the message named none (trainer's round)
        unread = "".join(f"; not read in {path}: {', '.join(sources['not_read'])}"
                         for path, sources in columns.items() if sources["not_read"])
        raise InputError(f"no new labelled tickets{f' since {since}' if since else ''} in "
                         f"{', '.join(map(str, new_data)) or 'the feedback store'}: nothing to retrain on{unread}")
    fixed = load_evaluation_set(evaluation, unit_label)
    # A new ticket that is one of the gate's own (agents answered tickets of dev_raw.csv) would be learnt and then
    # scored: the challenger's macro-F1 would be inflated by what it was shown.
    in_gate = {model_text(t, b, presegmented=p, stopwords=stopwords)
               for t, b, p in zip(fixed.titles, fixed.bodies, fixed.presegmented)}
    kept = [row for row in new if row["canonical"] not in in_gate]
    if not kept:
        raise InputError(f"the {len(new)} new labelled tickets are all tickets of the gate's evaluation set, which a "
                         "challenger may not learn: nothing to retrain on")
    base, _ = load_tickets(base_path, stopwords=stopwords)
    report = MergeReport(str(base_path), len(base), [str(p) for p in new_data], since_iso, len(new) + repeats,
                         repeats, 0, units_read_as=units_read_as, in_evaluation_set=len(new) - len(kept),
                         columns=columns)
    new = kept
    rows, held = merge(base, new, holdout, report)
    if base_data is None and not (report.added or report.relabelled or report.withdrawn_for_evaluation):
        # The challenger would learn the champion's own data again: one identical version more per run.
        # the newest are held out for the gate on every run: they are not in the data, and never learnt (a trainer's
        # round: "the 54 tickets read are in the training data" where 10 were the held-out ones)
        held_note = (f"; the {report.held_out} newest are kept out of training to score a challenger (`--holdout 0` "
                     "learns them too)" if report.held_out else "")
        raise InputError(f"nothing new to learn: {report.unchanged} of the {len(new)} labelled tickets read are in "
                         f"{champion}'s training data already, with the same labels ({base_path}){held_note}")

    from appeal.config import get_settings

    home = get_settings().home.resolve()
    if work_dir is None:
        work_dir = home / RUNS_DIR
    run_dir = Path(work_dir).resolve() / datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    run_dir.mkdir(parents=True, mode=0o700)  # its merged file holds every ticket's text, masked but a caller's words
    merged = run_dir / MERGED_FILE
    with open(merged, "w", encoding="utf-8") as handle:
        for row in rows:
            if row["canonical"].strip():  # a ticket made only of stopwords has no model input
                record = {"id": row["id"], "text": row["canonical"], **{h: row[h] for h in HEADS}}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    if on_merged is not None:
        on_merged(merge_summary(report, run_dir))
    try:
        trained = _train_like(champion_dir, card, merged, run_dir / "model", base_encoder, seed)
        if merged.is_relative_to(home):  # see `training_file`
            trained.training["data"] = str(merged.relative_to(home))
            trained.save(run_dir / "model")
        challenger_dir, calibration = _calibrate_like(card, run_dir / "model", unit_label)
    except BaseException:
        # A retrain has no --resume: its checkpoint (tens of MB) would only pile up under APPEAL_HOME. Ctrl-C, the
        # SIGTERM of `systemctl stop` (a SystemExit) and a failure alike.
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
    version = registry.add(challenger_dir, move=True)
    parts = [fixed]
    # A held-out answer whose label the challenger never learnt (城建, a typo for 城乡建设; a label too rare yet) is a
    # class both models score 0 on: it lowered both macro-F1s by the same share and judged nothing.
    learnt = {h: set(c.labels) for h, c in trained.heads.items()}
    unlearnt = {h: sorted({r[h] for r in held if r[h] is not None and h in learnt and r[h] not in learnt[h]})
                for h in HEADS}
    if held:
        parts.append(EvaluationSet(
            name=f"{len(held)} newest new tickets", titles=[r["title"] or "" for r in held],
            bodies=[r["text"] or "" for r in held], presegmented=[r["presegmented"] for r in held],
            labels={h: [None if r[h] in unlearnt[h] else r[h] for r in held] for h in HEADS},
        ))
    try:
        decision: Decision = registry.promote(version, evaluation_data=EvaluationSet.combine(parts), force=force,
                                              tolerance=tolerance, class_margin=class_margin, by=by,
                                              built_on=champion, judge_only=not promote,
                                              learnt=learnt_evaluation_rows)
    except BaseException as stop:
        # The challenger is in the registry and its run stays: the card names the run's merged file as its data.
        log.warning("retrain %s: stopped while the gate scored %s; it is in the registry, not gated "
                    "(`appeal models promote %s` gates it)", run_dir, version, version)
        if isinstance(stop, KeyboardInterrupt):
            raise GateInterrupted(version) from None
        raise

    result = RetrainReport(
        run_dir=str(run_dir),
        champion=champion,
        challenger=version,
        kind=trained.kind,
        seed=trained.training.get("config", {}).get("seed"),
        merge=report,
        new_heads=sorted(set(trained.heads) - set(card.heads)),
        new_labels={h: sorted(set(c.labels) - set(card.heads[h].labels))
                    for h, c in trained.heads.items() if h in card.heads},
        left_out_labels=trained.training.get("rare_labels_left_out", {}),
        decision=asdict(decision),
        unscored_held_labels={h: labels for h, labels in unlearnt.items() if labels},
        calibration=calibration,
        judged_only=not promote,
    )
    (run_dir / REPORT_FILE).write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("retrain %s: challenger %s %s", run_dir, version, decision.action)
    return result
