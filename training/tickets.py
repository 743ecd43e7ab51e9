"""Ticket files (CSV, JSONL, XLSX, XLS, Parquet) in, one validated `datasets.Dataset` out.

Schema — every dataset has the `Ticket` fields as string columns (None where the file has no value), any
other column of the file under its own name (`答复意见` becomes `reply`), and `canonical`, the model input
(`pipeline.model_text`: the canonical recipe over the PII-masked text). Columns are found through
`pipeline.records.COLUMN_ALIASES`, so the teddy2020c files load with no options; `columns={"file column": "field"}`
overrides them. `unit` and `unit_type` both feed the unit head (`unit` wins when a file has both).

Decisions, each measured or forced by the real files:
- Encoding: UTF-8 (with or without BOM), then GB18030 (a superset of GBK/GB2312). A file whose UTF-8 breaks
  only after a valid Chinese character (three bytes in UTF-8) is a damaged UTF-8 file, not GBK, and is refused
  with its line number: decoding it as GB18030 would silently turn Chinese into mojibake.
- Pre-segmented text (the canonical form already, like `train_segmented.csv`) is recognised when the file
  name contains "segmented" as a word (not "unsegmented"), or when the file has no title column and at least 95 %
  of its texts end in exactly one space and have at least one space per five other characters (jieba words average
  under two characters; raw Chinese prose has almost no spaces). `presegmented=` forces either answer. It is
  PII-masked all the same (`pipeline.model_text`).
- Raw text is NOT put through `pipeline.normalize` before `canonical`: on dev_raw.csv it changes the
  baseline's macro-F1 by +0.000 (words) and -0.002 (words + characters), see `bench/RESULTS.md` ## Baseline;
  the training data was made without it, so the model input stays the published recipe.
- Exact duplicates (same title, text and labels) are removed and counted. The same text with different
  labels keeps the label most of its copies carry (train_segmented.csv: one text, 3× 交通运输 against 1×
  商贸旅游); on a tie every copy is dropped, as no label can be trusted (dev_raw.csv: one pair, 城乡建设 /
  劳动和社会保障). Both are listed in `LoadReport.conflicts`; `on_conflict="error"` refuses the file
  instead, naming the rows.
- Row numbers in messages are what a spreadsheet shows: the header is row 1, so the first ticket is row 2
  (CSV, XLSX, XLS; title rows above the header are counted, and a sheet other than the first is named); JSONL names
  its line; Parquet counts tickets from 1.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import datasets
import numpy as np
import pandas as pd
from pydantic import BaseModel

from pipeline import InputError, model_text
from pipeline.errors import refuse_problems
from pipeline.records import (COLUMN_ALIASES, MAX_TITLE_ROWS, TICKET_FORMATS, AmbiguousDate, Table, check_file,
                              column_key, decode_text, find_columns, jsonl_objects, misnamed_columns, parse_date,
                              read_csv_frame, read_workbook, shortened_id_error)

HEADS = ("topic", "unit")
RUNS_DIR = "retrain"  # under APPEAL_HOME: one folder per retrain run, with the merged file the next run starts from


class Ticket(BaseModel):
    """One citizen appeal (工单) as the rest of the system sees it."""

    id: str
    title: str | None = None
    text: str
    topic: str | None = None  # first-level class (一级分类); the `topic` head's label
    unit: str | None = None  # responsible unit (责任单位); the `unit` head's label
    created_at: str | None = None  # ISO 8601, whatever the file held (strings, Excel serials, dates)
    location: str | None = None
    channel: str | None = None


SCHEMA = tuple(Ticket.model_fields)

DATE_FIELDS = ("created_at",)


def no_labels(path: Path) -> InputError:
    """The error for a training file without a usable label column; it names the headers a label column is
    recognised by, so that the trainer knows which header to rename."""
    headers = "; ".join(f"{head}: {', '.join(COLUMN_ALIASES[head])}" for head in HEADS)
    return InputError(f"{path}: no labelled tickets: no topic or unit column has two or more labels "
                      f"(headers recognised, {headers})")


@dataclass
class Conflict:
    """One text that carried different labels; `kept` is the label the dataset keeps."""

    rows: list[str]
    labels: dict[str, int]
    kept: str | None  # None: a tie, every copy dropped


@dataclass
class LoadReport:
    path: str
    format: str
    encoding: str | None
    rows_read: int
    rows: int
    presegmented: bool
    columns: dict[str, str]  # file column → dataset column
    duplicates_removed: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    fingerprint: str = ""
    units_read_as: Counter[tuple[str, str]] = field(default_factory=Counter)  # (as given, label) → rows
    dates_read: bool = True  # see `load_tickets(dates=…)`
    blank_labels: Counter[str] = field(default_factory=Counter)  # a placeholder (无, -) read as no label → cells

    def summary(self) -> str:
        heads = ", ".join(f"{h}: {len(c)} labels" for h, c in self.label_counts.items() if c) or "no labels"
        ties = sum(conflict.kept is None for conflict in self.conflicts)
        return (f"{self.path}: {self.rows} tickets ({self.format}, {self.encoding or 'binary'}, "
                f"{'pre-segmented' if self.presegmented else 'raw'}; {heads}; "
                f"{self.duplicates_removed} duplicates removed, {len(self.conflicts)} label conflicts: "
                f"{len(self.conflicts) - ties} kept the majority label, {ties} ties dropped)\n"
                f"  {columns_read(self.column_sources())}"
                + (f"\n  {blank_labels_said(self.blank_labels)}" if self.blank_labels else ""))

    def column_sources(self) -> dict:
        """{"read": each ticket field → the file column it was read from, "not_read": the other columns}."""
        used = fields_read(self.dates_read)
        return {"read": {target: str(source) for source, target in self.columns.items() if target in used},
                "not_read": [str(source) for source, target in self.columns.items() if target not in used]}


def fields_read(dates: bool) -> set[str]:
    """The fields `load_tickets` reads from a file's columns (`dates`: as `load_tickets(dates=…)`)."""
    # the author's name is read to be masked in the text
    return {*SCHEMA, "author"} - (set() if dates else set(DATE_FIELDS))


def blank_labels_said(counts: Mapping[str, int]) -> str:
    """`LoadReport.blank_labels` (or a card's copy of it) in a line, commonest first."""
    return "read as no label: " + ", ".join(f"{value!r} × {n}" for value, n in Counter(counts).most_common())


def columns_read(sources: dict) -> str:
    """`LoadReport.column_sources` in a line: a 12345 export may hold two texts (诉求内容 and 来电内容) of which only
    the first in `COLUMN_ALIASES`' order is read, and a trainer should see which before training on it."""
    read = ", ".join(f"{name} ← {source}" for name, source in sources["read"].items())
    return f"columns read: {read}" + (f"; not read: {', '.join(sources['not_read'])}" if sources["not_read"] else "")


def load_tickets(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    presegmented: bool | None = None,
    labels: dict[str, list[str]] | None = None,
    stopwords: frozenset[str] | None = None,
    deduplicate: bool = True,
    on_conflict: Literal["resolve", "error"] = "resolve",
    unit_label: Callable[[str], str | None] | None = None,
    dates: bool = False,
) -> tuple[datasets.Dataset, LoadReport]:
    """Read, map, validate and canonicalise a ticket file.

    `labels` lists the allowed labels per head (a model's labels when evaluating); `unit_label` reads each unit
    as one of them first (a work-order export names the unit, 湾头桥镇人民政府, where the head knows its type; see
    `read_units_as_labels`); `stopwords` is the model's own list for raw text (default:
    `pipeline.default_stopwords()`). `deduplicate=False` keeps every row in order (prediction must answer for
    each input row) and skips the duplicate/conflict handling; `on_conflict="error"` refuses a file in which the
    same text carries different labels. `dates` reads `created_at` (retraining orders labels by it); unread, it
    is None: a date cell that only retraining would read (a 时间 column of times alone, an export's 无) refuses
    no file to train, evaluate or predict on.
    """
    path = Path(path)
    check_file(path)
    fmt = TICKET_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown file type {path.suffix!r} (use .csv, .jsonl, .xlsx, .xls or .parquet)")
    frame, row_names, encoding = _READERS[fmt](path)
    if frame.empty:
        raise InputError(f"{path}: no tickets in the file")
    mapping = _map_columns(path, list(frame.columns), columns or {})
    records = {target: [_cell(v, keep_dates=target in DATE_FIELDS, strip=target not in ("title", "text"))
                        for v in frame[source]] for source, target in mapping.items()}
    n = len(frame)
    for name in SCHEMA:
        records.setdefault(name, [None] * n)

    _refuse_misplaced_cells(path, frame, records, row_names, mapping)
    _validate_text(path, records, row_names, mapping)
    read = fields_read(dates)
    refuse_problems(path, misnamed_columns(frame, {target: source for source, target in mapping.items()
                                                   if target in read}, read), outcome="nothing read")
    for name in DATE_FIELDS:
        records[name] = (_parse_date_column(path, records[name], row_names, _source(mapping, name)) if dates
                         else [None] * n)
    # Without an id the row number is the one stable handle a user can look up.
    records["id"] = [value or name.split()[-1] for value, name in zip(records["id"], row_names)]
    _validate_ids(path, records["id"], row_names, _source(mapping, "id"))
    blank_labels = _blank_placeholders(records)
    units_read_as: Counter[tuple[str, str]] = Counter()
    if unit_label is not None:
        rows = [{"unit": unit} for unit in records["unit"]]
        units_read_as = read_units_as_labels(rows, unit_label)
        records["unit"] = [row["unit"] for row in rows]
    _validate_labels(path, records, row_names, mapping, labels)

    segmented = _looks_presegmented(path, records) if presegmented is None else presegmented
    report = LoadReport(str(path), fmt, encoding, rows_read=n, rows=n, presegmented=segmented, columns=mapping,
                        units_read_as=units_read_as, dates_read=dates, blank_labels=blank_labels)
    if deduplicate:
        keep = _deduplicate(path, records, row_names, report, on_conflict)
        records = {name: [values[i] for i in keep] for name, values in records.items()}
    # the caller's name a 来电人 / 留言用户 column gives is masked wherever the text has it, as the service masks the
    # `author` a route is sent with: a caller who rang twice would otherwise leave his name in the vocabulary
    authors = records.get("author", [None] * len(records["id"]))
    records["canonical"] = [
        model_text(title, text, presegmented=segmented, stopwords=stopwords, people=[author])
        for title, text, author in zip(records["title"], records["text"], authors)
    ]
    report.rows = len(records["id"])
    report.label_counts = {h: dict(Counter(v for v in records[h] if v is not None).most_common()) for h in HEADS}
    report.fingerprint = data_fingerprint(records["canonical"], *(records[h] for h in HEADS))
    order = [*SCHEMA, *(name for name in records if name not in SCHEMA)]
    features = datasets.Features({name: datasets.Value("string") for name in order})
    return datasets.Dataset.from_dict({name: records[name] for name in order}, features=features), report


def read_units_as_labels(rows: list[dict], unit_label: Callable[[str], str | None]) -> Counter[tuple[str, str]]:
    """Replace each row's `unit` by the label `unit_label` reads it as (agents name the unit they know, a model
    may know only its functional type); an answer it cannot place stays as given. Returns how often each
    (given, label) reading happened, for the trainer's report."""
    read_as: Counter[tuple[str, str]] = Counter()
    for row in rows:
        label = unit_label(row["unit"]) if row.get("unit") else None
        if label is not None and label != row["unit"]:
            read_as[row["unit"], label] += 1
            row["unit"] = label
    return read_as


def units_read_as(read_as: Counter[tuple[str, str]]) -> dict[str, str]:
    """The readings `read_units_as_labels` counted, as unit name → label (for a model card or a merge report: a
    trainer who finds 湾头桥镇人民政府 trained as 乡镇人民政府/街道办事处 can see why)."""
    return {given: label for (given, label) in sorted(read_as)}


def data_fingerprint(*columns: list[str | None]) -> str:
    digest = hashlib.sha256()
    for row in zip(*columns):
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:16]


def stratified_split(
    dataset: datasets.Dataset, test_size: float, seed: int, column: str = "topic"
) -> tuple[datasets.Dataset, datasets.Dataset]:
    """(train, test) with every label in the same proportion on both sides. Labels seen once cannot be split
    and stay in train; rows without a label are split like a class of their own."""
    from sklearn.model_selection import train_test_split

    values = ["" if v is None else v for v in dataset[column]]
    counts = Counter(values)
    splittable = [i for i, v in enumerate(values) if counts[v] > 1]
    singles = [i for i, v in enumerate(values) if counts[v] == 1]
    try:
        train, test = train_test_split(
            splittable, test_size=test_size, random_state=seed, stratify=[values[i] for i in splittable]
        )
    except ValueError as exc:
        labels = len({values[i] for i in splittable})
        raise InputError(
            f"too few tickets to hold out {test_size:.0%} of each {column} label: {len(dataset)} tickets, "
            f"{len(splittable)} of them under the {labels} label(s) given at least twice. Label more tickets, or give "
            f"the held-out tickets in a file of their own (appeal train --dev FILE) (scikit-learn: {exc})") from None
    return dataset.select(sorted(train + singles)), dataset.select(sorted(test))


# ---- reading ---------------------------------------------------------------------------------------------


def _frame_rows_encoding(table: Table) -> tuple[pd.DataFrame, list[str], str | None]:
    # a web page saved as .xls has an encoding, as a CSV file does
    return table.frame, [table.row(i) for i in range(len(table.frame))], table.encoding


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[str], str | None]:
    return _frame_rows_encoding(read_csv_frame(path))


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, list[str], str]:
    text, encoding = decode_text(path.read_bytes(), path)
    rows, names = [], []
    for number, row in jsonl_objects(text, path):
        rows.append(row)
        names.append(f"line {number}")
    return pd.DataFrame(rows, dtype=object), names, encoding


def _read_workbook(path: Path) -> tuple[pd.DataFrame, list[str], str | None]:
    return _frame_rows_encoding(read_workbook(path))


def _read_parquet(path: Path) -> tuple[pd.DataFrame, list[str], None]:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for damaged files
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    return frame, [f"row {i + 1}" for i in range(len(frame))], None


_READERS = {"csv": _read_csv, "jsonl": _read_jsonl, "xlsx": _read_workbook, "xls": _read_workbook,
            "parquet": _read_parquet}


def _cell(value: Any, keep_dates: bool, strip: bool) -> Any:
    """A cell as text or None; date objects stay objects where date parsing still needs them. Title and text
    are not stripped: the canonical recipe drops whitespace itself, and pre-segmented text ends in a space."""
    if value is None or (np.isscalar(value) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value if keep_dates else parse_date(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # Excel stores ids such as 24 as 24.0
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return (text.strip() if strip else text) if text.strip() else None


# ---- mapping and validation ------------------------------------------------------------------------------


def _map_columns(path: Path, headers: list[str], explicit: dict[str, str]) -> dict[str, str]:
    for source in explicit:
        if source not in headers:
            raise InputError(f"{path}: column {source!r} given in the column mapping is not in the file "
                             f"(columns: {', '.join(map(str, headers))})")
    mapping = dict(explicit)
    found = find_columns([h for h in headers if h not in mapping], skip=set(mapping.values()))
    mapping.update({source: target for target, source in found.items()})
    for source, target in mapping.items():
        # pandas names a repeated column name 一级标签.1, and "留言详情 " is 留言详情 with a space: the second would be
        # read past without a word
        repeats = {f"{source}.1"} | {h for h in headers if h != source and column_key(h) == column_key(source)}
        if target in SCHEMA and repeats & set(headers):
            raise InputError(f"{path}: more than one column named {source!r}: rename or delete the one that is not "
                             f"the ticket's {target}")
    taken = set(mapping.values())
    for header in headers:
        if header not in mapping:
            name = str(header).strip().lstrip("\ufeff")
            mapping[header] = name if name not in taken and name != "canonical" else f"extra_{name}"
    return mapping


def _source(mapping: dict[str, str], target: str) -> str:
    return next((str(s) for s, t in mapping.items() if t == target), target)


def _validate_ids(path: Path, ids: list, row_names: list[str], column: str) -> None:
    """Predictions are joined back to the old system by id: a file whose ids Excel cut short is refused."""
    for value, row in zip(ids, row_names):
        if isinstance(value, str) and (error := shortened_id_error(value, f"{path}: {row}", column)):
            raise InputError(error)


def _twins(mapping: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Unread column → (the field, the column it is read from) that the unread one looks like another name for:
    another alias of the same field (content beside text) or, for hand-typed ASCII keys, a near spelling (topc,
    titel). Chinese headers come from export systems, where one character apart is another column (受理人姓名 beside
    来电人姓名)."""
    read = {target: str(source) for source, target in mapping.items() if target in COLUMN_ALIASES}
    twins = {}
    for source, target in mapping.items():
        if target in COLUMN_ALIASES:
            continue
        key = column_key(source)
        for name, read_from in read.items():
            alias = key in COLUMN_ALIASES[name]
            typo = key.isascii() and difflib.SequenceMatcher(None, key, column_key(read_from)).ratio() >= 0.8
            if alias or typo:
                twins[str(source)] = (name, read_from)
    return twins


def _refuse_misplaced_cells(path: Path, frame: pd.DataFrame, records: dict, row_names: list[str],
                            mapping: dict[str, str]) -> None:
    """A JSONL line names its own keys: one that gives its text as "content" where the other lines say "text", or
    its label as "topc", would be trained on its title alone, or unlabelled, without a word. A row whose field is
    empty while a column that looks like another name for it holds a value is refused, naming row and column."""
    problems = []
    for twin, (name, read_from) in _twins(mapping).items():
        for i, value in enumerate(frame[twin]):
            if records[name][i] is None and _cell(value, keep_dates=False, strip=True) is not None:
                problems.append(f"{row_names[i]}: {twin!r} holds a value where this row has no {read_from!r}, the "
                                f"column its {name} is read from in this file")
    refuse_problems(path, problems, "; give every row's value under the same name", outcome="nothing read")


def _validate_text(path: Path, records: dict, row_names: list[str], mapping: dict[str, str]) -> None:
    if "text" not in mapping.values():
        raise InputError(f"{path}: no text column (columns: {', '.join(map(str, mapping))}); rename the ticket "
                         f"text's header to one of {', '.join(COLUMN_ALIASES['text'])} (the column names are looked "
                         f"for in the first {MAX_TITLE_ROWS + 1} rows)")
    for name in ("title", "text"):
        records[name] = [None if v is None else str(v) for v in records[name]]
    empty = [row_names[i] for i, (t, b) in enumerate(zip(records["title"], records["text"])) if not (t or b)]
    if empty:
        more = f" and {len(empty) - 5} more" if len(empty) > 5 else ""
        raise InputError(f"{path}: {', '.join(empty[:5])}{more}: column {_source(mapping, 'text')!r} is empty")


def _parse_date_column(path: Path, values: list[Any], rows: list[str], column: str) -> list[str | None]:
    """Every bad date of the column named at once, as a few dozen of a long export are fixed in one go."""
    parsed, problems = [], []
    for value, row in zip(values, rows):
        try:
            parsed.append(parse_date(value))
        except AmbiguousDate as exc:
            problems.append(f"{row}, column {column!r}: {exc}")
        except (ValueError, OverflowError):
            problems.append(f"{row}, column {column!r}: {value!r} is not a date")
    refuse_problems(path, problems, outcome="nothing read")
    return parsed


# What a work-order export or a trainer writes in a label cell for "not labelled": read as a blank cell (masked
# loss, not scored), where it became a class of its own in training and an unknown label in evaluation.
_NO_LABEL = frozenset({"无", "空", "暂无", "未知", "不详", "不明", "待定", "-", "--", "—", "——", "/", "null", "none",
                       "nan", "n/a", "#n/a"})


def _blank_placeholders(records: dict) -> Counter[str]:
    found: Counter[str] = Counter()
    for head in HEADS:
        for i, value in enumerate(records[head]):
            # as typed with a Chinese input method too (－, ／: full-width forms)
            if value is not None and unicodedata.normalize("NFKC", str(value)).strip().lower() in _NO_LABEL:
                found[str(value).strip()] += 1
                records[head][i] = None
    return found


def _validate_labels(path, records, row_names, mapping, labels: dict[str, list[str]] | None) -> None:
    for head in HEADS:
        records[head] = [None if v is None else str(v) for v in records[head]]
    for head, allowed in (labels or {}).items():
        known = set(allowed)
        for i, value in enumerate(records.get(head, [])):
            if value is not None and value not in known:
                raise InputError(f"{path}: {row_names[i]}, column {_source(mapping, head)!r}: unknown label "
                                 f"{value!r} (known: {', '.join(allowed)})")


def _looks_presegmented(path: Path, records: dict) -> bool:
    if re.search(r"(?:^|[^a-z]|pre)segmented", path.name.lower()):  # dev_unsegmented.csv is raw
        return True
    if any(records["title"]):
        return False
    texts = [t for t in records["text"] if t]

    def segmented(text: str) -> bool:
        spaces = text.count(" ")
        return text.endswith(" ") and not text.endswith("  ") and spaces * 5 >= len(text) - spaces

    return sum(map(segmented, texts)) >= 0.95 * len(texts)


def _deduplicate(path: Path, records: dict, row_names: list[str], report: LoadReport, on_conflict: str) -> list[int]:
    """Indices to keep: the first copy of each exact duplicate; conflicting labels resolved by majority."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, key in enumerate(zip(records["title"], records["text"])):
        groups[key].append(i)
    keep: list[int] = []
    conflict_losers = 0
    for rows in groups.values():
        for head in HEADS:
            votes = Counter(records[head][i] for i in rows if records[head][i] is not None)
            if len(votes) < 2:
                continue
            names = [row_names[i] for i in rows]
            if on_conflict == "error":
                raise InputError(f"{path}: {', '.join(names)}: the same text has the labels {', '.join(votes)} "
                                 f"in column {_source(report.columns, head)!r}; keep one label")
            (best, top), (_, second) = votes.most_common(2)
            kept_label = best if top > second else None
            report.conflicts.append(Conflict(names, dict(votes), kept_label))
            kept = [i for i in rows if kept_label is not None and records[head][i] in (kept_label, None)]
            conflict_losers += len(rows) - len(kept)
            rows = kept
        seen: set[tuple] = set()
        for i in rows:
            labels = tuple(records[h][i] for h in HEADS)
            if labels not in seen:
                seen.add(labels)
                keep.append(i)
    keep.sort()
    report.duplicates_removed = len(records["id"]) - len(keep) - conflict_losers
    return keep


def training_file(training: dict, home: Path | None = None) -> Path | None:
    """The file a model card's `training` section says the model learnt from, None where it names none. A retrain's
    merged file is recorded relative to APPEAL_HOME, so that a home restored or moved elsewhere retrains from its own
    copy; a card written before names it by its absolute path in some home, and this home's copy of that run wins
    (the old home may still be there, holding what `appeal forget` has since erased from this one)."""
    recorded = training.get("data")
    if not recorded:
        return None
    if home is None:
        from appeal.config import get_settings

        home = get_settings().home
    path = Path(recorded)
    if not path.is_absolute():
        return home / path
    own = home / RUNS_DIR / path.parent.name / path.name
    return own if path.parent.parent.name == RUNS_DIR and own.is_file() else path


def ticket_keys(tickets: datasets.Dataset) -> list[set[str]]:
    """Two keys a ticket is known by: its text as typed without spaces, which is the same whether a file is read as
    raw or as word-segmented (a row of train_segmented.csv in a file of another name is read raw), and its model
    text, which a retrain's merged file holds in place of the text as typed."""
    typed = [re.sub(r"\s+", "", f"{title or ''}{text or ''}") for title, text in zip(tickets["title"], tickets["text"])]
    return [{f"typed:{a}", f"model:{b}"} for a, b in zip(typed, tickets["canonical"])]


def trained_keys(training: dict, stopwords: frozenset[str] | None) -> set[str] | None:
    """The keys (`ticket_keys`) of the tickets of the file a model card's `training` section names, or None where it
    names none or the file is no longer there."""
    path = training_file(training)
    if path is None or not path.is_file():
        return None
    rows, _ = load_tickets(path, stopwords=stopwords, deduplicate=False)
    return set().union(*ticket_keys(rows))


def learnt_evaluation_rows(model_dir: Path, data) -> set[int]:
    """The rows of an evaluation set (`models.registry.EvaluationSet`) that the model at `model_dir` was trained on
    (`learnt_rows`; none where its training file is gone): what the promotion gate leaves out."""
    from models.card import ModelCard
    from models.predictor import model_stopwords

    stopwords = model_stopwords(model_dir)
    tickets = datasets.Dataset.from_dict({"title": data.titles, "text": data.bodies, "canonical": [
        model_text(title, body, presegmented=segmented, stopwords=stopwords)
        for title, body, segmented in zip(data.titles, data.bodies, data.presegmented)]})
    return set(learnt_rows(ModelCard.load(model_dir).training, stopwords, tickets) or ())


def learnt_rows(training: dict, stopwords: frozenset[str] | None, tickets: datasets.Dataset) -> list[int] | None:
    """The rows of `tickets` that are in the file a model card's `training` section names (`trained_keys`), or None
    where that file is not there to check: what `appeal evaluate`, `calibrate` and the report leave out."""
    seen = trained_keys(training, stopwords)
    return None if seen is None else [i for i, keys in enumerate(ticket_keys(tickets)) if keys & seen]
