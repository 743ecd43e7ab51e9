"""Entry files: JSONL or CSV in, JSONL out. Every problem is reported with file, row and column, and
a file is read completely before anything is written, so a bad row never leaves half an import behind."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from knowledge_base.store import Entry, EntryIn
from pipeline.errors import InputError
from pipeline.records import jsonl_objects

# Written by `export`, ignored on import: the store sets them itself.
_EXPORT_ONLY = ("updated_at", "updated_by")
_LIST_FIELDS = ("alternatives", "tags")
_CSV_REQUIRED = ("question", "answer")


def validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"column {where!r}: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)


def _entry(record: dict, where: str) -> EntryIn:
    for name in _EXPORT_ONLY:
        record.pop(name, None)
    try:
        return EntryIn.model_validate(record)
    except ValidationError as exc:
        raise InputError(f"{where}: {validation_message(exc)}") from None


def _jsonl_records(path: Path, text: str) -> Iterable[tuple[str, dict]]:
    for number, record in jsonl_objects(text, path):
        yield f"{path}: line {number}", record


def _csv_records(path: Path, text: str) -> Iterable[tuple[str, dict]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [name for name in _CSV_REQUIRED if name not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (header: {', '.join(header)})")
    for number, row in enumerate(reader, start=1):
        where = f"{path}: row {number}"
        if None in row:
            raise InputError(f"{where}: more cells than columns")
        record = {k: v for k, v in row.items() if v not in (None, "")}
        for name in _LIST_FIELDS:
            if name in record:
                record[name] = record[name].split("|")
        yield where, record


def read_entries(path: Path) -> list[EntryIn]:
    """All entries of a `.jsonl` or `.csv` file, validated; ids must be unique within the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start})") from None
    if path.suffix.lower() == ".csv":
        records = _csv_records(path, text)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        records = _jsonl_records(path, text)
    else:
        raise InputError(f"{path}: expected a .jsonl or .csv file")
    entries: list[EntryIn] = []
    first_seen: dict[str, str] = {}
    for where, record in records:
        entry = _entry(record, where)
        if entry.id is not None:
            if entry.id in first_seen:
                raise InputError(f"{where}: column 'id': {entry.id!r} already used at {first_seen[entry.id]}")
            first_seen[entry.id] = where
        entries.append(entry)
    if not entries:
        raise InputError(f"{path}: no entries")
    return entries


def write_entries(entries: Iterable[Entry], path: Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
            count += 1
    return count
