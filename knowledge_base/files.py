"""Entry files: JSONL, CSV or XLSX in, JSONL out. Every problem is reported with file, row and column (rows
numbered as a spreadsheet program shows them), and a file is read completely before anything is written, so a
bad row never leaves half an import behind."""
from __future__ import annotations

import csv
import io
import json
import re
import warnings
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

from pydantic import ValidationError

from knowledge_base.store import LIST_SEPARATORS, MAX_TEXT_CHARS, Entry, EntryIn, ExportStamp, derived_id
from models.atomic_dir import replacing_file
from pipeline.errors import InputError, refuse_problems
from pipeline.records import (SPLIT_ROW, WORKBOOK_SUFFIXES, AmbiguousDate, cell_text, check_file, csv_cell_in,
                              csv_separator, day_text, decode_text, jsonl_objects, named_width, read_workbook,
                              shortened_id_error, spreadsheet_row, title_rows)

# Written by `export`, and headed so again by an office (更新时间): on import the store sets them itself, and
# `updated_at` says which version a row was exported from (`ExportStamp`; a sheet that headed it 更新时间 had lost its
# protection against undoing a later edit).
_EXPORT_ALIASES = {"updated_at": ("更新时间", "修改时间", "最后更新时间", "最后修改时间"), "updated_by": ("更新人", "修改人", "最后修改人")}
# `updated_at` as the export writes it (2026-12-01T11:17:43.123456+08:00), or as a spreadsheet program that took it
# for a time may save it again (2026/12/1 11:17): year first, the seconds and the offset optional
_STAMP = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})"
                    r"(?:[:：](\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_LIST_FIELDS = ("alternatives", "tags")
# a source as a sheet may write it
_SOURCE_OF_CELL = {"faq": "faq", "常见问题": "faq", "问答": "faq", "case": "case", "案例": "case"}
_DATE_FIELDS = ("valid_from", "valid_to")
# What an office writes in a validity cell for "no end" (or "no start"): 长期 was refused as "Input should be a valid
# date or datetime, input is too short", and the whole sheet with it.
_NO_LIMIT = frozenset({"长期", "长期有效", "永久", "永久有效", "不限", "无期限", "无限期", "/"})
_CSV_REQUIRED = ("question", "answer")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
ENTRY_SUFFIXES = (*_JSONL_SUFFIXES, *_CSV_SUFFIXES, *WORKBOOK_SUFFIXES)  # what `read_entries` reads
_CLEARED_BY_EMPTY_CELL = {"unit": "", "topic": "", "valid_from": None, "valid_to": None}
# Spreadsheet headers as a Chinese office writes them, read as the entry's fields (the field names themselves
# work too, in any case).
HEADER_ALIASES = {
    "id": ("编号", "条目编号", "data_id"),
    "question": ("问题", "标准问题", "常见问题", "咨询问题"),
    "alternatives": ("相似问法", "其他问法", "相似问题"),
    # 答复口径: what a 12345 centre's knowledge base calls the answer an agent reads out
    "answer": ("答案", "答复", "回答", "解答", "答复内容", "答复意见", "答复口径", "标准答案"),
    "unit": ("责任单位", "承办单位", "责任部门", "承办部门", "主管部门", "办理单位", "所属部门", "dept", "department"),
    "topic": ("类别", "分类", "诉求类别"),
    "tags": ("标签", "关键词", "keywords"),
    "source": ("来源",),
    # a policy's 实施日期 or 执行日期 is the day it takes effect, as its 生效日期 is
    "valid_from": ("生效日期", "起始日期", "开始日期", "施行日期", "实施日期", "执行日期", "启用日期", "有效期起", "有效期自",
                   "上架日期", "start_date"),
    # a trainer's round: a season's entry whose end day stood under 到期日 or 下架日期 was stored for good
    "valid_to": ("失效日期", "截止日期", "到期日期", "废止日期", "有效期至", "有效期止", "到期日", "结束日期", "下架日期",
                 "停用日期", "end_date"),
}
_FIELD_OF_HEADER = {alias: name for name, aliases in (HEADER_ALIASES | _EXPORT_ALIASES).items()
                    for alias in (name, *aliases)}
# A heading that names a day of validity under a name the reader does not know (生效时间, 实施日, 有效期): skipped, a
# start day published a future answer today and an end day kept a repealed one suggested.
_VALIDITY_HEADING = re.compile(r"(?:生效|实施|执行|施行|失效|到期|截止|结束|下架|上架|停用|启用).{0,4}(?:日|期|时间)|有效期"
                               r"|^(?:start|end|expiry|expires|expiration|valid)[ _-]?"
                               r"(?:date|day|time|on|from|to|until)?$", re.IGNORECASE)


class ReadWarning(UserWarning):
    """Something in an import file that was read in a way the importer should hear about (nothing is lost)."""


class IgnoredColumnsWarning(ReadWarning):
    """Spreadsheet columns that are no entry field (序号, 发布时间, 联系电话 … of an office export): skipped, and the
    importer is told which, in case one was meant as a field under a header the reader does not know."""


class RepeatedRowsWarning(ReadWarning):
    """Rows without an id that repeat an earlier row word for word: read once, so the import counts fewer entries
    than the file has rows, and the importer is told why."""


def validation_message(exc: ValidationError, name: Callable[[str], str] = lambda field: f"column {field!r}",
                       no_day: str = "leave it empty") -> str:
    """The errors in the words of where the values came from: `name` says what a field is called there (a column
    of an import file by default; the CLI names its options), `no_day` how a validity day is left out there (a cell
    left empty; an option takes none)."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        # pydantic words a validator's own ValueError "Value error, …": the message alone is what the reader needs
        # …and an empty cell "Field required": the trainer looks for a cell to fill, not a field
        message = ("empty: a value is required" if error["type"] == "missing"
                   else _not_a_day(error, no_day) if error["type"] in ("date_parsing", "date_from_datetime_parsing")
                   else error["msg"].removeprefix("Value error, "))
        parts.append(f"{name(where)}: {message}" if where else message)
    return "; ".join(parts)


def _not_a_day(error: dict, no_day: str) -> str:
    # pydantic's "Input should be a valid date or datetime, input is too short" for 明年春节后 told a trainer nothing;
    # its reason is kept where it names the part that is wrong (day value is outside expected range)
    reason = error["msg"].partition(", ")[2]
    none = f"{no_day} for none" if error["loc"][-1:] == ("valid_from",) else f"{no_day} (or 长期) for none"
    return (f"{error['input']!r} is no date{f' ({reason})' if ' value ' in reason else ''}: write it as YYYY-MM-DD "
            f"(2027-06-30), or {none}")


@dataclass(frozen=True)
class ImportRow:
    """An entry as a row of an import file gives it: `where` names the row ("faq.xlsx: row 2"), `exported` is the
    version it was exported from where it carries an `updated_at`."""

    where: str
    entry: EntryIn
    exported: ExportStamp | None = None
    id_given: bool = True  # False: the id is `derived_id`'s, which the row's cells do not show


def export_stamp(text: str) -> ExportStamp:
    """An exported row's `updated_at`; one without an offset is on the centre's clock, as the export writes it."""
    from appeal.config import get_settings

    found = _STAMP.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is no time as the export writes it (2026-12-01T11:17:43+08:00); clear the cell to "
                         "import the row without checking it against later edits")
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    zone = get_settings().zone if offset is None else timezone.utc if offset == "Z" else datetime.strptime(
        offset.replace(":", ""), "%z").tzinfo
    try:
        at = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                      int((fraction or "0").ljust(6, "0")), tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None
    # 08:26:00 may be 08:26:13 cut to the minute, as a spreadsheet program saves a time cell it shows without seconds
    resolution = (timedelta(days=1) if hour is None else timedelta(minutes=1) if int(second or 0) == 0 and not fraction
                  else timedelta(seconds=1) if fraction is None else timedelta(microseconds=10 ** (6 - len(fraction))))
    return ExportStamp(at.astimezone(timezone.utc).replace(tzinfo=None), resolution)


def _entry(record: dict, where: str, headed: dict[str, str]) -> ImportRow:
    """`headed`: a field's column as the file heads it (答案 for answer), which the error names."""
    record.pop("updated_by", None)
    stamp = record.pop("updated_at", None)
    try:
        exported = export_stamp(stamp) if stamp else None
    except ValueError as exc:
        raise InputError(f"{where}: column {headed.get('updated_at', 'updated_at')!r}: {exc}") from None
    if isinstance(record.get("id"), str) and (error := shortened_id_error(record["id"], where,
                                                                          headed.get("id", "id"))):
        raise InputError(error)
    try:
        return ImportRow(where, EntryIn.model_validate(record), exported)
    except ValidationError as exc:
        raise InputError(f"{where}: {validation_message(exc, lambda f: f'column {headed.get(f, f)!r}')}") from None


def _jsonl_records(path: Path, text: str) -> Iterable[tuple[str, dict, dict[str, str]]]:
    for number, record in jsonl_objects(text, path):
        yield f"{path}: line {number}", record, {}


def _table_records(path: Path, header: list[str], rows: Iterable[list],
                   row_name: Callable[[int], str]) -> Iterable[tuple[str, dict, dict[str, str]]]:
    """CSV/XLSX rows as entry records: empty cells are absent, `alternatives` are `|`-separated, `tags` by `|`,
    a comma, 、 or a semicolon. `row_name`: the n-th row as a spreadsheet program names it."""
    given = header
    header = [_FIELD_OF_HEADER.get(name.strip().lower(), name.strip()) for name in given]
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise InputError(f"{path}: more than one column for {', '.join(twice)} (header: {', '.join(given)})")
    missing = [name for name in _CSV_REQUIRED if name not in header]
    if not any(name.strip() for name in given):
        raise InputError(f"{path}: no column names: the file is empty")
    if missing and len(given) == 1 and re.search(r"[\t;；]", given[0]):
        raise InputError(f"{path}: the columns are separated by tabs or semicolons, not commas: save the sheet as CSV "
                         "(逗号分隔) or .xlsx")
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (header: {', '.join(given)}; "
                         f"{', '.join(f'{name} may be headed {HEADER_ALIASES[name][0]}' for name in missing)})")
    ignored = [name for name in header if name not in HEADER_ALIASES and name not in _EXPORT_ALIASES]
    if dated := [name for name in ignored if _VALIDITY_HEADING.search(name)]:
        raise InputError(f"{path}: column(s) {', '.join(dated)} name a date of validity that no field is headed by: "
                         f"head the first day valid_from ({HEADER_ALIASES['valid_from'][0]}) and the last one valid_to "
                         f"({HEADER_ALIASES['valid_to'][0]}), one day in each cell (header: {', '.join(given)})")
    if ignored:
        warnings.warn(IgnoredColumnsWarning(
            f"{path}: column(s) {', '.join(ignored)} ignored: not entry fields ({', '.join(HEADER_ALIASES)})"),
            stacklevel=2)
    width = named_width(given)
    headed = {name: heading.strip() for name, heading in zip(header, given)}
    for index, cells in enumerate(rows):
        if not any(cell_text(cell).strip() for cell in cells):
            continue  # a blank line, or the commas alone Excel saves for an empty row: read past, as in a workbook
        where = f"{path}: {row_name(index)}"
        if len(cells) > len(header):
            raise InputError(f"{where}: more cells than columns")
        if 0 < len(cells) < width:
            raise InputError(f"{where}: {len(cells)} cells where the column names have {width}: {SPLIT_ROW}")
        record = {}
        for name, cell in zip(header, cells):
            value = cell_text(cell)
            if name in ignored:
                continue
            if name == "updated_at" and value and isinstance(cell, datetime):
                value = cell.isoformat()  # a time cell, which `cell_text` reads as its day
            if name in _LIST_FIELDS:
                record[name] = list_items(name, [value])
            elif name == "source" and value:
                record[name] = _SOURCE_OF_CELL.get(value.strip().lower(), value)
            elif value and name in _DATE_FIELDS:
                try:
                    record[name] = validity_day(value)
                except AmbiguousDate:
                    record[name] = value  # the entry's validation names it, with the row's other problems
            elif value:
                record[name] = value
            elif name in _CLEARED_BY_EMPTY_CELL:
                # an emptied cell clears the field; a column the file lacks leaves the stored value alone
                record[name] = _CLEARED_BY_EMPTY_CELL[name]
        yield where, record, headed


# How a policy sheet writes a validity day in words (a re-tester's round: each was refused): 2027年12月31日止,
# 2026年1月1日起, 二〇二七年六月三十日.
_DAY_WORDS = re.compile(r"\s*(?:为止|止|起|开始)$")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CHINESE_DAY = re.compile("([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _chinese_number(text: str) -> int:
    """一 … 三十一 as a number."""
    tens, _, units = text.rpartition("十")
    if "十" not in text:
        return int(text.translate(_CHINESE_DIGITS))
    return int((tens or "一").translate(_CHINESE_DIGITS)) * 10 + (int(units.translate(_CHINESE_DIGITS)) if units else 0)


def validity_day(value: str) -> str | None:
    """A valid_from / valid_to as a sheet cell or a `kb` option writes it, as YYYY-MM-DD; None for no end (长期, /);
    raises AmbiguousDate where the digits allow more than one day."""
    value = _DAY_WORDS.sub("", value.strip())
    if value in _NO_LIMIT:
        return None
    if found := _CHINESE_DAY.fullmatch(value):
        value = (f"{found[1].translate(_CHINESE_DIGITS)}-{_chinese_number(found[2]):02d}-"
                 f"{_chinese_number(found[3]):02d}")
    return day_text(value)


def list_items(name: str, cells: Iterable[str]) -> list[str]:
    """The items of the list field `name` ("alternatives", "tags") written in `cells`, split as a spreadsheet cell
    is (`kb add --tag 社保卡,补办` and a tags cell "社保卡,补办" are two tags alike)."""
    return [item.strip() for cell in cells for item in LIST_SEPARATORS[name].split(cell) if item.strip()]


def _csv_records(path: Path, text: str) -> Iterable[tuple[str, dict, dict[str, str]]]:
    # as `jsonl_objects`: line ends are the CSV's own
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_separator(path, text))
    try:
        rows = [[csv_cell_in(cell) for cell in row] for row in reader]
    except csv.Error as exc:  # a quote left open runs the cell on to the end of the file
        if "field limit" in str(exc):  # a quote left open, or a cell as long as that
            raise InputError(f"{path}: not a valid CSV file (a cell runs over {csv.field_size_limit():,} characters, "
                             f"reading line {reader.line_num}): is a quote (\") left open above it, or is the cell "
                             f"that long? (a question or an answer holds at most {MAX_TEXT_CHARS:,})") from None
        raise InputError(f"{path}: not a valid CSV file ({exc}, reading line {reader.line_num}): is a quote (\") "
                         "left open above it?") from None
    skip = title_rows(rows, _FIELD_OF_HEADER)
    header = rows[skip] if skip < len(rows) else []
    return _table_records(path, header, rows[skip + 1 :], lambda index: spreadsheet_row(index, skip + 1))


def _xlsx_records(path: Path) -> Iterable[tuple[str, dict, dict[str, str]]]:
    table = read_workbook(path, header_names=_FIELD_OF_HEADER)
    if table.other_sheets:
        # a trainer's round: the season's new rows on a second sheet (冬季新增) were never read, and nothing said so
        warnings.warn(ReadWarning(f"{path}: read the sheet {table.sheet or table.first_sheet!r} only; not read: "
                                  f"{', '.join(repr(name) for name in table.other_sheets)} (one sheet per import: "
                                  "put the rows on one sheet, or import each sheet saved as a file of its own)"),
                      stacklevel=2)
    return _table_records(path, [str(name) for name in table.frame.columns],
                          map(list, table.frame.itertuples(index=False)), table.row)


def read_entries(path: Path) -> list[EntryIn]:
    """All entries of a `.jsonl`, `.csv` or `.xlsx` file, validated; ids must be unique within the file, and a row
    without one gets `derived_id`. Columns that are no entry field, and rows repeated word for word, are read past
    with a `ReadWarning` that says so."""
    return [row.entry for row in read_entry_rows(path)]


def read_entry_rows(path: Path) -> list[ImportRow]:
    """`read_entries`, each with the row it was read from, by which the store names a row it refuses, and the version
    it was exported from (`EntryStore.upsert_many`)."""
    path = Path(path)
    check_file(path)
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        records = _csv_records(path, decode_text(path.read_bytes(), path)[0])
    elif suffix in _JSONL_SUFFIXES:
        records = _jsonl_records(path, decode_text(path.read_bytes(), path)[0])
    elif suffix in WORKBOOK_SUFFIXES:
        records = _xlsx_records(path)
    else:
        raise InputError(f"{path}: expected a .jsonl, .csv (.tsv, .txt), .xlsx or .xls file")
    read: dict[str, ImportRow] = {}
    first_seen: dict[str, str] = {}
    clashed, repeated = False, []
    problems: list[str] = []
    for where, record, headed in records:
        try:
            got = _entry(record, where, headed)
        except InputError as exc:
            problems.append(str(exc).removeprefix(f"{path}: "))
            continue
        row = where.removeprefix(f"{path}: ")
        named = got.entry.id is not None
        if not named:
            got = replace(got, entry=got.entry.model_copy(update={"id": derived_id(got.entry)}), id_given=False)
        entry = got.entry
        if entry.id in first_seen:
            # A row repeated as it stands is one entry; the same question with another answer (an old version left
            # in the sheet, or one answer per unit) needs the trainer to say which is which.
            if entry == read[entry.id].entry:
                repeated.append(row)
            elif named:
                problems.append(f"{row}: column 'id': {entry.id!r} already used at {first_seen[entry.id]}")
            else:
                problems.append(f"{row}: the question of {first_seen[entry.id]} ({entry.question[:20]}) with "
                                "other content")
                clashed = True
            continue
        first_seen[entry.id] = row
        read[entry.id] = got
    advice = (" (a question asked twice needs the rows no longer meant deleted, or an id column that tells them "
              "apart)" if clashed else "")
    refuse_problems(path, problems, advice)
    if not read:
        raise InputError(f"{path}: no entries")
    if repeated:
        warnings.warn(RepeatedRowsWarning(f"{path}: {', '.join(repeated[:10])}{' …' if len(repeated) > 10 else ''} "
                                          f"repeat{'s' if len(repeated) == 1 else ''} an earlier row word for word "
                                          f"({len(repeated)}), read once"),
                      stacklevel=2)
    return list(read.values())


def entry_rows(entries: Iterable[Entry]) -> list[dict]:
    """Entries as spreadsheet rows that `read_entries` reads back: the field names as headers, `alternatives` and
    `tags` `|`-joined, an empty cell for a field not set (a trainer edits the FAQ in Excel and imports it again);
    `updated_at` on the centre's clock, with its offset: a supervisor filtering the sheet by day read an edit made
    before 08:00 under the day before."""
    from appeal.config import centre_time

    return [{name: "|".join(value) if name in _LIST_FIELDS else "" if value is None
             else centre_time(value).isoformat() if name == "updated_at" else value
             for name, value in entry.model_dump(mode="json").items()} for entry in entries]


def write_entries(entries: Iterable[Entry], path: Path) -> int:
    """Entries as JSON lines, replacing `path` whole (a killed export had cut an earlier complete one short)."""
    count = 0
    with replacing_file(path) as partial, open(partial, "w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
            count += 1
    return count
