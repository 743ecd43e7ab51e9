"""`appeal train`, `predict`, `evaluate`, `calibrate`: ticket files in, models, predictions and reports out."""
from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from appeal.cli.progress import Progress
from pipeline.errors import InputError

_MATRIX_LABEL_WIDTH, _MATRIX_CELL_WIDTH = 24, 6  # a confusion-matrix row title and a count column, with borders
_CONFUSIONS_SHOWN = 15
# Below this many held-out tickets above the threshold, its precision is too uncertain to state without its margin.
_FEW_DISPATCHED = 100
_FEW_STEPS = 100  # a fine-tuning run shorter than this has barely moved the heads
# Above this share of calibration tickets with labels a model lacks, its threshold is set by tickets it cannot get
# right: 20 of 180 work orders sent to a unit type the model lacked took the unit head's dispatch from 81 % to 1 %.
_UNKNOWN_SHARE = 0.05
ModelOption = typer.Option(None, "--model", help="model directory (model.json inside), or a version of the "
                           "registry (`appeal models list`); default: the registry's champion")


class Profile(str, Enum):
    fast = "fast"
    quality = "quality"


def labels_lacking(labels: Iterable[str | None], known: Collection[str]) -> list[tuple[str, int]]:
    """The labels given that a model's head does not have, each with how often, in label order (a typo, or a class
    new since training)."""
    given = Counter(label for label in labels if label)
    return [(label, n) for label, n in sorted(given.items()) if label not in known]


def counted(labels: Iterable[tuple[str, int]], tickets: Mapping[str, list[str]] | None = None) -> str:
    """Labels with how often they were given; with `tickets`, the first tickets given each (what `appeal feedback
    correct TICKET` takes: a trainer searched the exported file for the ticket of a typo)."""
    def which(label: str) -> str:
        ids = (tickets or {}).get(label, [])
        return f": {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''}" if ids else ""

    return ", ".join(f"{label!r} ({n}×{which(label)})" for label, n in labels)


def train(
    data: Path = typer.Option(..., "--data", help="labelled tickets: CSV, JSONL, XLSX, XLS or Parquet"),
    out: Path = typer.Option(..., "--out", help="model directory to write"),
    dev: Optional[Path] = typer.Option(
        None, "--dev", help="labelled tickets to report metrics on; fine-tuning also stops early, calibrates and "
        "picks thresholds on them instead of on a held-out part of --data",
    ),
    baseline: bool = typer.Option(False, "--baseline", help="TF-IDF + linear SVM instead of fine-tuning"),
    base: Optional[Path] = typer.Option(None, "--base", help="base encoder directory (fine-tuning)"),
    config: Optional[Path] = typer.Option(
        None, "--config", help="fine-tuning settings over the profile's, a .toml or .json file of any of: epochs, "
        "patience, lr, head_lr, batch_size, max_length, layers, seed, holdout_fraction, target_precision, "
        "ensemble_weight (all of them: README), e.g. a file train.toml holding the two lines epochs = 10 and "
        "patience = 3",
    ),
    profile: Profile = typer.Option(Profile.fast, "--profile", help="fine-tuning profile"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted fine-tuning run in --out"),
) -> None:
    """Train a classifier (topic, and unit where the data has unit labels) into a model directory.

    A unit the catalogue knows (办理单位 湾头桥镇人民政府, 人社局) is trained as its functional type, the unit head's kind
    of label that dispatch turns into a lead unit; any other unit is a label of its own."""
    from knowledge_base.units import load_catalogue

    if out.exists() and not out.is_dir():  # said before the training, not after it (a re-tester's round)
        raise InputError(f"{out}: a file; --out names the model's directory")
    unit_label = load_catalogue().functional_type_of
    if baseline:
        if base or config or resume:
            raise InputError("--base, --config and --resume apply to fine-tuning, not to --baseline")
        from training.train_baseline import train_baseline

        card = train_baseline(data, out, dev=dev, unit_label=unit_label, say=typer.echo)
        _print_card(card, out)
        return
    from models.card import ModelCard
    from training.finetune import train_from_cli

    directory = train_from_cli(data=data, dev=dev, base=base, config=config, profile=profile.value, out=out,
                               resume=resume, unit_label=unit_label)
    card = ModelCard.load(directory)
    _print_card(card, directory)
    if card.training["steps"] < _FEW_STEPS:
        typer.secho(f"warning: only {card.training['steps']} optimisation steps: the {profile.value} profile is sized "
                    "for thousands of tickets (teddy2020c's 7,642 make 430 steps an epoch). On a file this small give "
                    "more epochs, as the demo model has: --config train.toml, a text file of the two lines "
                    "epochs = 10 and patience = 3 (see appeal train --help).",
                    fg=typer.colors.YELLOW, err=True)


def predict(
    model: Optional[Path] = ModelOption,
    # --data / --out as in train, evaluate and retrain
    input: Path = typer.Option(..., "--input", "--data", help="tickets with id and text (title optional)"),
    output: Path = typer.Option(..., "--output", "--out", help="predictions: .csv (UTF-8 with BOM, opens in Excel), "
                                                               ".jsonl or .xlsx"),
    top_k: int = typer.Option(3, "--top-k", min=1,
                              help="labels reported per head, best first (at most as many as the head has)"),
) -> None:
    """Classify every ticket of a file; one output row per input row, in the same order."""
    from appeal.config import get_settings
    from knowledge_base.dispatch import default_routing
    from models.predictor import load_predictor
    from training.evaluation import predict_in_batches
    from training.tickets import columns_read, load_tickets

    if output.resolve() == input.resolve():
        raise InputError(f"{output}: the output would overwrite the input file")
    output_file(output, (".csv", ".jsonl", ".xlsx"))  # before the tickets are classified, not after
    predictor = load_predictor(model_dir(model))
    tickets, load_report = load_tickets(input, stopwords=predictor.stopwords, deduplicate=False)
    progress = Progress(len(tickets), "classifying", "ticket")
    predictions = predict_in_batches(predictor, list(tickets["canonical"]), top_k=top_k, progress=progress)
    progress.close()
    rows = [prediction_row(ticket, heads) for ticket, heads in zip(tickets, predictions)]
    write_rows(rows, output)
    review = {h: sum(p[h].review for p in predictions) for h in predictor.card.heads}
    to_human = sum(row["decision"] == "review" for row in rows)
    typer.echo(f"{len(rows)} tickets → {output} (model {predictor.version}; below threshold: "
               + ", ".join(f"{h} {n}" for h, n in review.items())
               + f"; dispatch: {len(rows) - to_human} auto, {to_human} to review; routing rules version "
               + f"{default_routing()[1].version} of {get_settings().demo_dir})")
    typer.echo(f"  {columns_read(load_report.column_sources())}")


def model_dir(model: Path | None) -> Path:
    """The model a trainer means: a directory as given, else a registry version by name, else the champion."""
    from models.registry import Registry

    registry = Registry()
    if model is None:
        champion = registry.champion()
        if champion is None:
            raise InputError(f"no --model given and no champion in {registry.root} (is APPEAL_HOME the service's "
                             "home? `appeal train` writes a model directory, `appeal serve` builds the demo champion)")
        return champion[1]
    if model.exists():
        return model
    try:
        return registry.path(str(model))
    except InputError:
        known = ", ".join(v.version for v in registry.list()) or "none"
        raise InputError(f"{model}: no such model directory, nor a version of the registry {registry.root} "
                         f"(versions: {known})") from None


def prediction_row(ticket: dict, heads: dict) -> dict:
    from pipeline import routing_text

    # The ticket beside its prediction, so that a trainer reads both in one sheet; masked, as the service shows it,
    # so that the file's personal data does not spread to one more file.
    text = routing_text(ticket.get("title"), ticket.get("text"), people=[ticket.get("author")])
    row: dict = {"id": ticket["id"], "masked_text": text}
    for head, p in heads.items():
        row[head] = p.label
        row[f"{head}_confidence"] = round(p.confidence, 4)
        row[f"{head}_review"] = p.review
        # as many as the head has labels: a --top-k beyond them would only add empty columns
        for rank, alt in enumerate(p.alternatives, 1):
            row[f"{head}_alt{rank}"] = alt.label
            row[f"{head}_alt{rank}_conf"] = round(alt.confidence, 4)
    row.update(dispatch_columns(text, ticket.get("location"), heads, ticket.get("channel")))
    return row


def dispatch_columns(text: str, location: str | None, heads: dict, channel: str | None = None) -> dict:
    """The routing decision the service would return for this ticket (demo-pack catalogue and rules)."""
    from knowledge_base.dispatch import decide

    routing = decide(heads, text, location, channel=channel)
    return {
        "decision": routing.decision,
        "status": routing.status,
        "lead_unit": routing.lead.name if routing.lead else None,
        "assisting_units": "、".join(u.name for u in routing.assisting) or None,
        "jurisdiction": routing.jurisdiction.township if routing.jurisdiction else None,
        "urgent": routing.urgent,
        # what a keeper compares between two packs (a re-tester's round: the CSV named neither)
        "hand_over": "、".join(routing.hand_over) or None,
        "rule": routing.rule,
        "not_accepted_refer_to": routing.not_accepted.refer_to if routing.not_accepted else None,
        "reasons": "；".join(routing.reasons),
    }


def output_file(path: Path, suffixes: tuple[str, ...]) -> None:
    """Refuse, before any work is done, an output that is a folder or of a type the command does not write (an .xls
    given JSON lines, a .pdf given HTML)."""
    if path.suffix.lower() not in suffixes:
        others = f" (or {', '.join(suffixes[1:])})" if len(suffixes) > 1 else ""
        raise InputError(f"{path}: unknown output type {path.suffix!r}: give a {suffixes[0]} file name{others}")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name")


def write_rows(rows: list[dict], output: Path, columns: Sequence[str] | None = None) -> None:
    """Write through a temporary file and rename, so a failure never leaves half a file behind. Texts from citizens
    never run as formulas in the spreadsheet program a trainer opens the file with (`pipeline.records.csv_cell_out`;
    in .xlsx every text is a text cell). `columns`: the columns, in order, even with no rows."""
    import pandas as pd

    from models.atomic_dir import replacing_file
    from pipeline.records import csv_cell_out

    output_file(output, (".csv", ".jsonl", ".xlsx"))
    suffix = output.suffix.lower()
    output.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=list(columns) if columns else None)
    with replacing_file(output) as partial:
        if suffix == ".csv":
            frame.map(csv_cell_out).to_csv(partial, index=False, encoding="utf-8-sig")
        elif suffix == ".jsonl":
            frame.to_json(partial, orient="records", lines=True, force_ascii=False)
        else:
            _write_xlsx(frame, partial)


def _write_xlsx(frame, path: Path) -> None:
    # pandas' to_excel hands openpyxl a text starting with "=" as a formula; a cell typed as text never runs
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    from pipeline.records import csv_cell_out

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")

    def cell(value):
        if value is None or (isinstance(value, float) and value != value):  # NaN: an empty cell, as pandas writes
            return None
        if isinstance(value, str):
            # a control character (a citizen's text, an entry stored before they were dropped) no sheet can hold:
            # openpyxl refuses the whole file for one
            value = ILLEGAL_CHARACTERS_RE.sub(lambda found: "\n" if found.group() in "\v\f" else "", value)
            # a workbook's reader takes off the apostrophe a CSV export put before =, +, - or @ (the CSV opened
            # and saved as a workbook keeps it): a text that starts so itself keeps its own behind one more
            value = csv_cell_out(value) if value.startswith("'") else value
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"
        return written

    # read as a sheet (a trainer's round: narrow columns, the header scrolled away): the header row stays in view,
    # each column as wide as its longer cells, a Chinese character counted twice
    sheet.freeze_panes = "A2"
    for number, name in enumerate(frame.columns, start=1):
        texts = [str(name), *(str(value) for value in frame[name].head(200) if isinstance(value, str))]
        wide = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text.split("\n")[0]) for text in texts)
        sheet.column_dimensions[get_column_letter(number)].width = min(max(wide + 2, 8), _WIDEST_COLUMN)
    sheet.append([cell(str(name)) for name in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([cell(value) for value in row])
    book.save(path)


_WIDEST_COLUMN = 60  # characters of an answer's column; a longer cell wraps as the sheet shows it


def evaluate(
    model: Optional[Path] = ModelOption,
    data: Path = typer.Option(..., "--data", help="labelled tickets"),
    report: Optional[Path] = typer.Option(None, "--report", help="write the full report as JSON"),
) -> None:
    """Accuracy, macro-F1, per-class scores, confusion matrix and dispatch coverage on labelled tickets.

    Exact duplicates and texts whose copies carry tied labels are left out, as in training. A label the model
    does not have (a new topic) is scored as an error on every such ticket, as the promotion gate scores it. The
    tickets of the model's training file (a retrain's challenger's corrections) are counted and scored apart: the
    tables score the others, then one line all of them."""
    from rich.console import Console

    from knowledge_base.units import unit_label_reader
    from models.predictor import load_predictor
    from training.evaluation import predict_in_batches, score_predictions
    from pipeline.records import COLUMN_ALIASES
    from training.tickets import load_tickets

    if report is not None:
        output_file(report, (".json",))  # an .xlsx given JSON would not open, and said so only then
    model = model_dir(model)
    predictor = load_predictor(model)
    # Not checked against the model's labels: a taxonomy that gained a topic since training is what a trainer
    # evaluates an old model on, and the gate and the report score such tickets too (a typo shows the same way).
    tickets, load_report = load_tickets(data, stopwords=predictor.stopwords,
                                        unit_label=unit_label_reader(predictor.card.heads))
    # a head without a column is named with the headers it is read from (a trainer's round: 部门 for the unit was
    # "not read", and the unit head quietly not evaluated)
    missing = {head: f"{head}: no column (headers read as it: {', '.join(COLUMN_ALIASES[head])})"
               for head in predictor.card.heads if head not in load_report.columns.values()}
    if not any(label is not None for head in predictor.card.heads if head in tickets.column_names
               for label in tickets[head]):
        raise InputError(f"{data}: no ticket is labelled for the model's heads ({', '.join(predictor.card.heads)})"
                         + "".join(f"; {why}" for why in missing.values()))
    # said before the minutes of classifying a large file: a typo in row 60,000 is then read at once
    console = Console()
    _print_loaded(console, load_report)
    for why in missing.values():
        console.print(f"  {why}: not evaluated", markup=False)
    for head, head_card in predictor.card.heads.items():
        given = tickets[head] if head in tickets.column_names else []
        if unknown := labels_lacking(given, head_card.labels):
            console.print(f"  {head}: labels the model does not have, scored as errors: {counted(unknown)}",
                          markup=False, style="yellow")
    # Scored on the tickets the model was trained on, a retrain's challenger beat its champion on the very
    # corrections it had learnt; on the others, two models are compared on what neither has seen.
    trained = _trained_on(predictor, tickets)
    n, learnt = len(tickets), set(trained or ())
    console.print(f"  {_trained_on_said(predictor, n, trained)}", markup=False, soft_wrap=True,
                  style="yellow" if learnt else None)
    progress = Progress(n, "classifying", "ticket")
    predictions = predict_in_batches(predictor, list(tickets["canonical"]), top_k=1, progress=progress)
    progress.close()
    scored = [i for i in range(n) if i not in learnt] or list(range(n))
    reports = score_predictions(predictor.card, [predictions[i] for i in scored], tickets.select(scored))
    for head, head_report in reports.items():
        _print_report(console, head, head_report)
    every = score_predictions(predictor.card, predictions, tickets) if len(scored) < n else {}
    if every:
        console.print(f"on all {n} tickets, the {len(learnt)} trained on among them: " + "; ".join(
            f"{head} accuracy {r.accuracy:.4f}, macro-F1 {r.macro_f1:.4f}" for head, r in every.items()),
            markup=False, soft_wrap=True, style="yellow")
    if report is not None:
        document = {"model": str(model), "version": predictor.version, "data": str(data),
                    "rows": load_report.rows, "scored_rows": len(scored),
                    "trained_on": None if trained is None else len(trained),
                    "trained_on_ids": [tickets[i]["id"] for i in trained or ()],
                    "heads": {h: r.to_dict() for h, r in reports.items()},
                    "heads_all_rows": {h: r.to_dict() for h, r in every.items()}}
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"report written to {report}")


def calibrate(
    data: Path = typer.Option(..., "--data", help="the centre's own recent labelled tickets, none of them trained on "
                              "(at least 100 per head; 200 or more give a steadier threshold)"),
    out: Path = typer.Option(..., "--out", help="model directory to write (a new version, same weights)"),
    model: Optional[Path] = ModelOption,
    target_precision: Optional[float] = typer.Option(
        None, "--target-precision", min=0.5, max=0.999,
        help="precision the dispatched tickets must reach (default: the model's own, 0.97 as trained)"),
) -> None:
    """Refit the model's confidences and dispatch thresholds on recent tickets of the centre, as a new version.

    Training calibrates on tickets held out from its own file, and new tickets are unlike it: the teddy2020c
    router promises 0.97 precision on what it dispatches and is right 0.92 of the time on new tickets. Refitted on
    220 of the centre's own, it was right 0.964 of the time on the next ones on average (0.93 at worst in 40 draws)
    and dispatched 40 % of them, not 87 % (bench/RESULTS.md): a few hundred tickets set the threshold roughly, more
    set it closer. Which label wins does not change. Then `appeal models add OUT` and `appeal models promote
    VERSION`; `appeal retrain` refits its challengers on the same file, while the file is there."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from knowledge_base.units import unit_label_reader
    from models.card import ModelCard
    from models.registry import Registry
    from training.recalibration import recalibrate

    source = model_dir(model)
    registry = Registry().root.resolve()
    if out.resolve() == registry or registry in out.resolve().parents:
        # a directory written there is a version that skipped `models add`'s checks and its crash-safe move
        raise InputError(f"{out}: --out is inside the registry {registry}; write it elsewhere and `appeal models "
                         "add` it")
    card = ModelCard.load(source)
    result = recalibrate(source, data, out, target_precision=target_precision,
                         unit_label=unit_label_reader(card.heads))
    console = Console()
    _print_loaded(console, result.loaded)
    table = Table(box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False,
                  title=f"{result.card.version} → {out}, from {result.card.calibration['from_version']}",
                  caption="before / now: a head's tickets dispatched @ their precision; now: on the very tickets "
                          "the threshold was fitted on")
    for column in ("head", "tickets", "temperature", "threshold", "before", "now", "ECE"):
        table.add_column(column, no_wrap=True)  # at 80 columns a number cut in two reads as another
    for head, change in result.heads.items():
        table.add_row(head, str(change.tickets), _pair(change.temperature, 2), _pair(change.threshold),
                      _dispatched(change.coverage[0], change.precision[0]),
                      _dispatched(change.coverage[1], change.precision[1]), _pair(change.ece, 2))
    console.print(table)
    notes = []
    for head, change in result.heads.items():
        if change.unknown_labels:
            unknown = sum(change.unknown_labels.values())
            notes.append(f"  {head}: {unknown} tickets carry labels the model lacks, counted wrong wherever "
                         f"dispatched: {counted(change.unknown_labels.items())}")
            if unknown > _UNKNOWN_SHARE * change.tickets:
                notes.append(f"  warning: {unknown / change.tickets:.0%} of the {head} tickets: the threshold rises to "
                             "keep them out. Correct the typos, retrain on the new labels (appeal retrain) and "
                             "calibrate the retrained model instead")
    for head, change in result.heads.items():
        before, now = change.coverage
        if before and now < before / 2:
            # promoting it turns automatic dispatch (nearly) off: a trainer's round followed the next: line to that.
            # Only an unsure unit holds a ticket; an unsure topic is checked while the work order goes (a trainer's
            # round read "91 % wait" of the topic head as dispatch stopped)
            said = (f"would dispatch {now:.0%} of its tickets without review, {before:.0%} before: promoted, "
                    f"{1 - now:.0%} of the tickets wait for an agent instead of {1 - before:.0%}" if head == "unit"
                    else f"would pass {now:.0%} of its tickets unchecked, {before:.0%} before: promoted, agents check "
                    f"the {head} of {1 - now:.0%} of the tickets instead of {1 - before:.0%} (the work order does not "
                    "wait for it)")
            notes.append(f"  warning: {head} {said}. Calibrate on more of the centre's answered tickets, or promote "
                         "it only if that is meant")
    for head, change in result.heads.items():
        trained_for = card.heads[head].target_precision
        if trained_for is not None and result.card.heads[head].target_precision < trained_for:
            notes.append(f"  warning: {head} dispatches at {result.card.heads[head].target_precision} precision, below "
                         f"the {trained_for} it was trained for: more tickets go out unchecked")
    notes += [f"  {head}: kept as trained, {why}" for head, why in result.kept.items()]
    if Path(data).resolve() in _gate_files():
        notes.append("  note: these are the promotion gate's evaluation tickets: the share its decision says this "
                     "version dispatches is measured on the tickets its threshold was fitted on")
    if result.in_training_data:
        notes.append(f"  {result.in_training_data} tickets left out: they are in the model's training file")
    elif not result.training_data_checked:
        notes.append(f"  the model's training file ({result.card.training.get('data') or 'not recorded'}) is not "
                     "there: whether these tickets were trained on is not checked")
    for line in notes + threshold_cautions(result.card):
        console.print(line, markup=False, soft_wrap=True)  # whole lines: they name files and labels
    # whole, to copy into a shell: a path with a space (中文 目录/校准 模型) quoted
    typer.echo(f"next: appeal models add {shlex.quote(str(out))} && appeal models promote {result.card.version}")


def _trained_on(predictor, tickets) -> list[int] | None:
    """The tickets (their indices) that are in the model's training file, as `appeal calibrate` finds them; None
    where the file is not there to check."""
    from training.tickets import learnt_rows

    return learnt_rows(predictor.card.training, predictor.stopwords, tickets)


def _trained_on_said(predictor, n: int, trained: list[int] | None) -> str:
    from training.tickets import training_file

    where = f"{predictor.version}'s training file ({training_file(predictor.card.training) or 'not recorded'})"
    if trained is None:
        return f"{where} is not there: whether it was trained on these tickets is not checked"
    if not trained:
        return f"none of these {n} tickets is in {where}"
    if len(trained) == n:
        return (f"all {n} tickets are in {where}: the scores say what it learnt, not how it does on tickets it has "
                "not seen")
    return (f"{len(trained)} of these {n} tickets are in {where}: scored on the {n - len(trained)} others, which "
            "measure it")


def _gate_files() -> set[Path]:
    from training.retrain import default_evaluation_files

    try:
        return {path.resolve() for path in default_evaluation_files()}
    except InputError:  # no shared data here: no default evaluation set to collide with
        return set()


def _print_loaded(console, load_report) -> None:
    """What a file was read as: its rows, columns and the unit names read as the model's labels."""
    console.print(load_report.summary())
    for (given, label), count in load_report.units_read_as.most_common():
        console.print(f"  unit {given!r} read as {label!r} ({count}×)", markup=False)


def _pair(values: tuple, digits: int = 3) -> str:
    return "→".join("–" if value is None else f"{value:.{digits}f}" for value in values)


def _dispatched(coverage: float, precision: float | None) -> str:
    return "none" if precision is None else f"{coverage:.0%} @ {precision:.3f}"


def _print_report(console, head: str, report) -> None:
    from rich.table import Table

    # a report round: "precision 1.000" on 6 tickets read as proof enough to let the head dispatch alone
    low = f" (95 % Wilson lower bound {low:.2f})" if (low := report.precision_low()) is not None else ""
    dispatch = ("always review" if report.threshold is None else
                # this head's confidence alone: the service also needs the other heads, a township … (`predict`)
                f"threshold {report.threshold:.3f}: {report.coverage:.1%} at or above it "
                f"({report.dispatched} tickets), precision "
                + (f"{report.dispatched_precision:.3f}{low}" if report.dispatched_precision is not None else "–"))
    table = Table("label", "precision", "recall", "F1", "support",
                  # n: the tickets with a label for this head (a file's unlabelled rows are read, not scored)
                  title=f"{head}: n={report.n} labelled  accuracy {report.accuracy:.4f}  "
                        f"macro-F1 {report.macro_f1:.4f}",
                  caption=dispatch)
    for label, score in report.per_class.items():
        table.add_row(label, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.support))
    console.print(table)
    # Columns are numbered: Chinese label names side by side would not fit a terminal. Past about a dozen labels
    # (a unit head) even numbers do not, and the matrix is mostly zeros: the largest confusions say more.
    if _MATRIX_LABEL_WIDTH + _MATRIX_CELL_WIDTH * len(report.labels) > console.width:
        pairs = sorted(((n, true, predicted) for true, row in zip(report.labels, report.confusion)
                        for predicted, n in zip(report.labels, row) if n and true != predicted), reverse=True)
        confusion = Table("true", "predicted as", "tickets", title=f"{head}: the largest confusions (full matrix: "
                          f"--report)")
        for n, true, predicted in pairs[:_CONFUSIONS_SHOWN]:
            confusion.add_row(true, predicted, str(n))
        console.print(confusion if pairs else f"{head}: no confusion")
        return
    numbered = [f"{i}" for i in range(1, len(report.labels) + 1)]
    confusion = Table("true \\ predicted", *numbered, title=f"{head}: confusion matrix")
    for number, label, counts in zip(numbered, report.labels, report.confusion):
        confusion.add_row(f"{number} {label}", *map(str, counts))
    console.print(confusion)


def threshold_cautions(card) -> list[str]:
    """One line per head whose dispatch threshold was measured on fewer than `_FEW_DISPATCHED` held-out tickets (or
    calibration tickets, for a head `appeal calibrate` refitted)."""
    cautions = []
    for head, head_card in card.heads.items():
        low = head_card.precision_low()
        if low is not None and head_card.dispatched < _FEW_DISPATCHED:
            kind = "calibration" if head in card.calibration.get("heads", {}) else "held-out"
            cautions.append(f"{head}: the threshold's precision {head_card.dispatched_precision:.3f} rests on "
                            f"{head_card.dispatched} {kind} ticket{'s' if head_card.dispatched != 1 else ''}; it may "
                            f"be as low as {low:.2f} (95 % Wilson interval). Check it on more of the centre's own "
                            f"tickets (appeal evaluate) before trusting decision \"auto\".")
    return cautions


def _print_card(card, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from training.tickets import blank_labels_said, columns_read

    table = Table("head", "labels", "threshold", "held-out coverage", title=f"{card.version} → {out}")
    for head, head_card in card.heads.items():
        threshold = "always review" if head_card.threshold is None else f"{head_card.threshold:.3f}"
        coverage = "" if head_card.coverage is None else f"{head_card.coverage:.1%}"
        if head_card.threshold is not None and head_card.dispatched:
            coverage += f" ({head_card.dispatched} tickets)"
        table.add_row(head, str(len(head_card.labels)), threshold, coverage)
    console = Console()
    console.print(table)
    for caution in threshold_cautions(card):
        console.print(caution)
    data = card.training
    if "steps" in data:  # fine-tuned
        console.print(f"{data['train_rows']} tickets from {data['data']} trained on, {data['holdout_rows']} held out; "
                      f"{data['steps']} steps in {data['epochs_run']} epoch(s), {_duration(data['seconds'])}")
    else:
        console.print(f"{data['rows']} tickets from {data['data']} ({data['duplicates_removed']} exact duplicates "
                      f"removed, {data['label_conflicts']} label conflicts: majority label kept, ties dropped)")
    if "columns" in data:  # cards written before 2026-11-30 do not say
        console.print(f"  {columns_read(data['columns'])}", markup=False)
    for given, label in data.get("units_read_as", {}).items():
        console.print(f"  unit {given!r} trained as {label!r}", markup=False)
    if data.get("blank_labels"):
        console.print(f"  {blank_labels_said(data['blank_labels'])}", markup=False)
    for head, labels in data.get("rare_labels_left_out", {}).items():
        if labels:
            console.print(f"  {head}: too few tickets to learn yet, left out: {', '.join(labels)}", markup=False)
    if "macro_f1" in card.metrics:
        console.print(f"{card.metrics['head']} on {card.metrics['evaluated_on']}: accuracy "
                      f"{card.metrics['accuracy']:.4f}, macro-F1 {card.metrics['macro_f1']:.4f}")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.command()(predict)
    app.command()(evaluate)
    app.command()(calibrate)
