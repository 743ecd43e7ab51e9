"""Reading of record files shared by every file reader (tickets, knowledge-base entries, past cases), so that
a file a trainer exports from a Chinese spreadsheet reads the same way, and fails with the same message,
whichever command it is given to."""
from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


# Ticket field → header spellings, most specific first; headers are compared stripped and lower-cased.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ticket_id", "留言编号", "工单编号", "编号"),
    "title": ("title", "留言主题", "标题", "主题", "诉求标题", "工单标题"),
    # Besides teddy2020c's headers, those of common 12345 work-order exports (来电内容, 诉求类别, 办理单位…):
    # the CLI takes no column mapping, so a trainer's export should load as it comes or after renaming one header.
    "text": ("text", "body", "content", "message", "留言详情", "诉求内容", "工单内容", "来电内容", "反映内容", "问题描述",
             "内容", "详情"),
    # Not 诉求类型 / 工单类型: in 12345 systems those hold 咨询/求助/投诉/建议 (`_REQUEST_KINDS`), another axis than the topic.
    "topic": ("topic", "label", "一级标签", "一级分类", "诉求类别", "诉求分类", "问题分类", "问题类别", "事项分类", "事项类别",
              "类别", "分类"),
    "unit": ("unit", "unit_type", "责任单位", "承办单位", "责任部门", "承办部门", "办理单位", "处置单位", "答复单位"),
    "created_at": ("created_at", "date", "time", "留言时间", "受理时间", "来电时间", "登记时间", "时间", "日期"),
    "location": ("location", "address", "地址", "地点", "位置", "事发地址", "事发地点", "发生地点", "所属乡镇", "所属街道",
                 "所属区域", "乡镇街道", "所在乡镇"),
    "channel": ("channel", "来源", "渠道"),
    "reply": ("reply", "答复意见", "答复内容", "回复内容", "办理结果", "处理结果"),
    # Who the ticket is from: a past case's reply addresses them by this name (网友“A00045581”您好), so it is masked.
    "author": ("author", "留言用户", "用户名", "网名", "昵称", "来电人", "来电人姓名", "诉求人", "反映人", "联系人", "市民姓名"),
}


# An id Excel showed as a number too long for its column and saved so (2.02403E+11): every digit past the first few
# is gone, and many tickets share what is left.
_SHORTENED_NUMBER = re.compile(r"[0-9](?:\.[0-9]+)?[Ee]\+[0-9]+")


def check_file(path: Path) -> None:
    """A file to read is there and is a file (a directory given was "no such file", where it was there)."""
    if not path.is_file():
        raise InputError(f"{path}: {'a directory, not a file' if path.is_dir() else 'no such file'}")


def check_new_directory(out: Path, option: str) -> None:
    """`out` may be written as a new directory: it is not there yet or is an empty directory."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        kind = "a directory that is not empty" if out.is_dir() else "a file"
        raise InputError(f"{out}: {kind}; {option} must be a new or empty directory")


def shortened_id_error(value: str, where: str, column: str) -> str | None:
    """The error for an id Excel cut to scientific notation (2.02403E+11); None for any other id."""
    if not _SHORTENED_NUMBER.fullmatch(value.strip()):
        return None
    return (f"{where}: column {column!r}: {value.strip()!r} is a number Excel cut short (scientific notation), and the "
            "ids' digits are lost; export the file again, or in Excel set the column's format to text before saving")


def column_key(header: object) -> str:
    """What a column name is matched by: without the spaces around it, a BOM, or case."""
    return str(header).strip().lstrip("\ufeff").lower()


def find_columns(headers: list, *, skip: Collection[str] = (),
                 aliases_of: dict[str, tuple[str, ...]] = COLUMN_ALIASES) -> dict[str, object]:
    """Field → the header that holds it, through `aliases_of` (default: a ticket's, `COLUMN_ALIASES`; fields in
    `skip` are not looked for); a field whose header is absent is left out."""
    by_key: dict[str, object] = {}
    for h in headers:
        by_key.setdefault(column_key(h), h)  # the first of two that differ in case or spaces, as for an exact repeat
    found: dict[str, object] = {}
    for field, aliases in aliases_of.items():
        if field in skip:
            continue
        header = next((by_key[a] for a in aliases if a in by_key and by_key[a] not in found.values()), None)
        if header is not None:
            found[field] = header
    return found


# What 12345 systems' 诉求类型 / 工单类型 hold: the kind of request, not its topic.
_REQUEST_KINDS = frozenset({"咨询", "求助", "投诉", "举报", "建议", "表扬", "感谢", "求决", "意见", "其他", "其它"})
_NUMERALS = frozenset("0123456789零〇一二三四五六七八九十两")
_SEPARATORS = re.compile(r"[\s_\-]+")
_HANDLING_TIMES = frozenset({"办理时间", "处理时间"})


def misnamed_columns(frame: pd.DataFrame, found: Mapping[str, object], fields: Collection[str],
                     aliases_of: dict[str, tuple[str, ...]] = COLUMN_ALIASES) -> list[str]:
    """A problem for each column of `frame` that is not read, holds a value, and whose name looks like a misspelt
    name of a field of `fields` that `found` (field → the column it is read from) lacks: the field was left empty
    without a word (a trainer's feedback export with its topic renamed topc retrained on the unit labels alone).
    A column near the topic's names that holds only kinds of request (咨询, 投诉) is that other axis."""
    read = set(found.values())
    missing = [field for field in fields if field not in found]
    problems = []
    for position, header in enumerate(frame.columns):
        # 协办单位, the assisting units, is one character from 承办单位 and as often beside the unit as without it;
        # 办理时间 and 处理时间, when the unit handled the ticket, are one from 受理时间, when the call came in
        if header in read or str(header).startswith("协办") or header in _HANDLING_TIMES:
            continue
        key = _spelling(header)
        field, alias = next(((field, alias) for field in missing for alias in aliases_of[field]
                             if _misspelt(key, _spelling(alias))), (None, None))
        if field is None:
            continue
        values = {cell_text(value).strip() for value in frame.iloc[:, position]} - {""}
        if values and not (field == "topic" and values <= _REQUEST_KINDS):
            meant = repr(alias) if alias == field else f"{alias!r} ({field})"
            problems.append(f"column {str(header)!r} is not read: did you mean {meant}? rename it {alias!r}, or, if it "
                            "holds something else, give it a name further from that one")
    return problems


def _spelling(name: object) -> str:
    """A column name as a trainer may have meant to type it: `column_key`, full-width letters as ASCII, without the
    spaces, underscores and hyphens between words (Unit Type for unit_type)."""
    return _SEPARATORS.sub("", column_key(unicodedata.normalize("NFKC", str(name))))


def _misspelt(key: str, name: str) -> bool:
    """`key` one edit from `name` (a character missed, added, changed, or two swapped: topc, titel, 诉求类型 for
    诉求类别), or `name` itself as another spelling or with 名称 after it (办理单位名称). Names of fewer than 4
    characters are one edit from too many others (编号 and 序号, id and ids), and a number changed is another column
    (二级分类 beside 一级分类, text2 beside text)."""
    if key in (name, f"{name}名称"):
        return True
    changed = _one_edit(key, name) if len(name) >= 4 else None
    return changed is not None and not set(changed) & _NUMERALS


def _one_edit(a: str, b: str) -> str | None:
    """The characters changed where `a` and `b` (not equal) are one edit apart; None where they are not."""
    if len(a) < len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), len(b))
    if len(a) == len(b) + 1:
        return a[i] if a[i + 1:] == b[i:] else None
    if len(a) != len(b):
        return None
    if a[i + 1:] == b[i + 1:]:
        return a[i] + b[i]
    return a[i:i + 2] if a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1] else None


def decode_text(data: bytes, source: str | Path) -> tuple[str, str]:
    """(text, encoding) of a text file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK, which is
    what spreadsheet programs on Chinese Windows save by default. A file that is UTF-8 up to some bad byte is
    refused rather than re-read as GB18030, which would silently garble what came before.

    "UTF-8 up to there" needs a character of three or more bytes before the bad byte (every Chinese character and
    full-width mark is one): a GBK pair is often a valid two-byte UTF-8 sequence by chance (路 = C2 B7 reads as
    "·", 投 = CD B6 as "Ͷ"), so a GBK file with an ASCII header must not be refused for its first few
    characters."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source}: binary content, not a text file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        start = exc.start
    line = data.count(b"\n", 0, start) + 1
    if any(ord(c) >= 0x800 for c in data[:start].decode("utf-8-sig")):
        raise InputError(f"{source}: undecodable bytes at line {line} (byte {start}): the file is UTF-8 up to there")
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{source}: undecodable bytes at line {line} (byte {exc.start}); save the file as UTF-8 or GB18030"
        ) from None


# An office export may put a title (武冈市12345热线工单明细（2026年11月）), an export date, who exported it, a filter's
# description and blank rows above the column names; more than this many rows above them is no such export.
MAX_TITLE_ROWS = 10
_HEADER_NAMES = frozenset(a for aliases in COLUMN_ALIASES.values() for a in aliases)


@dataclass(frozen=True)
class Table:
    """The cells of a CSV file or a workbook's sheet under its column names, and the spreadsheet row those names are
    in (1 unless title rows stand above them), so that a data row is named as a spreadsheet program numbers it."""

    frame: pd.DataFrame
    header_row: int = 1
    encoding: str | None = None  # of a CSV file
    sheet: str | None = None  # of a workbook whose table is not on its first sheet
    # the spreadsheet row of each data row, where blank rows read past (a sheet's, or a CSV file's blank lines, which
    # pandas skips) move them below header_row + 1 + index
    row_numbers: tuple[int, ...] | None = None
    # a workbook's other sheets that hold anything, which were not read, and the name of its first
    other_sheets: tuple[str, ...] = ()
    first_sheet: str | None = None

    def row(self, index: int) -> str:
        row = f"row {self.row_numbers[index]}" if self.row_numbers else spreadsheet_row(index, self.header_row)
        return row if self.sheet is None else f"sheet {self.sheet!r} {row}"


def title_rows(rows: Sequence[Sequence[object]], header_names: Collection[str] = _HEADER_NAMES) -> int:
    """How many of the first `rows` stand above the column names. The first row that holds a column name of
    `header_names` is the header: titles, an export date, blank rows and the group row of a two-level header (工单信息
    over 工单编号 and 来电时间) stand above it. In a file whose names are none of those, the rows with at most one
    filled cell (a title, often in merged cells) before the first row with two or more; where no such row follows
    within `MAX_TITLE_ROWS` (a one-column file): 0."""
    top = list(islice(rows, MAX_TITLE_ROWS + 1))
    for count, cells in enumerate(top):
        if _names_a_column(cells, header_names):
            return count
    for count, cells in enumerate(top):
        if sum(1 for cell in cells if cell_text(cell).strip()) >= 2:
            return count
    return 0


def _names_a_column(cells: Sequence[object], header_names: Collection[str]) -> bool:
    return any(column_key(cell_text(cell)) in header_names for cell in cells)


def with_sub_header(table: Table, header_names: Collection[str] = _HEADER_NAMES) -> Table:
    """`table` with the second row of a two-level header taken as column names: Excel's 复合表头 merges 工单编号 down
    over two rows and puts 承办单位 and 来电人 under a group cell (办理信息); the first data row then holds column names
    alone, and was read as a ticket without text. Where it does (one of its filled cells a name of `header_names`, and
    none of them under a column name of those: a ticket fills its id or text), its names replace those above them."""
    frame = table.frame
    if frame.empty:
        return table
    first = [cell_text(cell).strip() for cell in frame.iloc[0]]
    filled = [(above, cell) for above, cell in zip(frame.columns, first) if cell]
    if not any(column_key(cell) in header_names for _, cell in filled) \
            or any(column_key(above) in header_names for above, _ in filled):
        return table
    columns = [below or above for above, below in zip(frame.columns, first)]
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = columns
    numbers = table.row_numbers[1:] if table.row_numbers else None
    return replace(table, frame=frame, header_row=table.header_row + 1, row_numbers=numbers)


def csv_separator(path: Path, text: str) -> str:
    """Tabs for a .tsv; otherwise a comma, unless the first line that holds a separator holds tabs or semicolons and
    no comma (Excel's "Unicode text" is a tab-separated .txt, a European Excel saves CSV with ;). Only that line:
    the board's quoted messages hold tabs of their own."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    first = next((line for line in text.splitlines()[:MAX_TITLE_ROWS + 1] if re.search("[,\t;]", line)), "")
    return "," if "," in first else "\t" if "\t" in first else ";" if ";" in first else ","


def read_csv_frame(path: Path) -> Table:
    """Every cell of a CSV/TSV file as text (`csv_cell_in`), empty cells "", never NaN; title rows above the column
    names are read past (`title_rows`); columns separated as `csv_separator` finds."""
    import pandas as pd

    text, encoding = decode_text(path.read_bytes(), path)
    sep = csv_separator(path, text)
    # skiprows counts lines, and a quoted cell may hold a line break: the reader says where each row ends
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    top: list[list[str]] = []
    ends = [0]
    try:
        for cells in islice(reader, MAX_TITLE_ROWS + 1):
            top.append(cells)
            ends.append(reader.line_num)
    except csv.Error:  # a quote left open: pandas says what is wrong, and where
        top = []
    skip = title_rows(top)
    lines = ends[skip]
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skiprows=lines)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a valid CSV file: {exc}") from None
    numbers = _data_row_numbers(path, text, sep, skip)
    numbers = numbers if numbers is not None and len(numbers) == len(frame) else None
    # A spreadsheet's blank row saved as CSV is ",,," rather than an empty line: read past alike, as in a workbook.
    frame, numbers = _without_blank_rows(frame.map(csv_cell_in), skip + 2, numbers)
    return with_sub_header(Table(frame, header_row=skip + 1, encoding=encoding, row_numbers=numbers))


def _without_blank_rows(frame, first_row: int, numbers: tuple[int, ...] | None = None) -> tuple:
    """`frame` without the rows whose every cell is empty or blank, and the row numbers of those kept (`numbers`, or
    counted from `first_row`); the numbers as given when no row is blank."""
    if not len(frame.columns):
        return frame, numbers
    blank = ~(frame.notna() & frame.map(lambda value: not (isinstance(value, str) and not value.strip()))).any(axis=1)
    if not blank.any():
        return frame, numbers
    every = numbers or range(first_row, first_row + len(frame))
    return frame[~blank].reset_index(drop=True), tuple(number for number, empty in zip(every, blank) if not empty)


def named_width(header: Sequence[str]) -> int:
    """How many cells a row under `header` must have: up to its last column name, since a header saved with empty
    cells after the names (id,text,topic,,) asks nothing of the rows there."""
    return max((i + 1 for i, name in enumerate(header) if str(name).strip()), default=0)


# a trainer's round: a row typed short (3 cells of 7) was explained by a line break it did not have
SPLIT_ROW = ("cells are missing, or a line break inside a cell that is not in quotes splits a row in two; fill the "
             "row's cells (empty ones too: a,,c), or quote the cell or remove the line break")


def _data_row_numbers(path: Path, text: str, sep: str, title_records: int) -> tuple[int, ...] | None:
    """The spreadsheet row of each data row of a CSV file that is not a blank line, as a spreadsheet program numbers
    them (a blank line is a row there); None where the csv module cannot read the file (pandas says why).

    Refuses rows with fewer cells than the column names: a line break typed into a cell that is not in quotes splits
    its row in two, pandas fills the missing cells with "", and the row's label was lost and its second half read as
    a ticket of its own."""
    records = csv.reader(io.StringIO(text, newline=None), delimiter=sep)
    try:
        width = named_width(next(islice(records, title_records, None), []))
        rows = [(title_records + 2 + index, len(cells)) for index, cells in enumerate(records) if cells]
    except csv.Error:  # a stray carriage return the csv module refuses and pandas reads: leave it to pandas
        return None
    short = [(f"row {number}", count) for number, count in rows if count < width]
    if short:
        named = ", ".join(f"{row} ({count} cells)" for row, count in short[:3]) + (" …" if len(short) > 3 else "")
        raise InputError(f"{path}: {named} where the column names have {width}: {SPLIT_ROW}")
    return tuple(number for number, _ in rows)


# What a workbook file starts with: Excel 97–2003 (.xls, still WPS's and many 12345 systems' export format) is an OLE2
# compound file, .xlsx a zip archive.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# A ticket file's kind by its name's ending (`training.tickets.load_tickets`); here, where a pack's files are found
# without loading the ticket readers.
TICKET_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv", ".txt": "csv",
                  ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".parquet": "parquet", ".pq": "parquet"}


def read_workbook(path: Path, header_names: Collection[str] = _HEADER_NAMES) -> Table:
    """The first sheet of an .xlsx or .xls workbook whose column names include one of `header_names` (a sheet of
    notes, 说明, may come first), else the first with anything in it; told apart by content, not by name; cells as
    the reader gives them (numbers, dates, text; empty cells NaN); title rows above the column names are read past
    (`title_rows`). A web page saved under a workbook's name is read by `read_html_table`."""
    import pandas as pd

    with open(path, "rb") as handle:
        start = handle.read(len(_OLE2_SIGNATURE))
    if not start:
        raise InputError(f"{path}: the file is empty")
    if start.startswith(_ZIP_SIGNATURE):
        engine = "openpyxl"
    elif start == _OLE2_SIGNATURE:
        engine = "calamine"
    else:
        # Many systems' "export to Excel" write a web page (an HTML table) and name it .xls; Excel opens it anyway.
        return read_html_table(path)
    try:
        with pd.ExcelFile(path, engine=engine) as book:
            # A workbook made from a template may keep an empty Sheet1, an export a sheet of notes before the table.
            fallback = None  # (sheet, title rows)
            tables: list[tuple[str, int]] = []  # the sheets under columns the reader knows, with their title rows
            for sheet in book.sheet_names:
                top = pd.read_excel(book, sheet_name=sheet, header=None, nrows=MAX_TITLE_ROWS + 1, dtype=object)
                if not top.notna().any(axis=None):
                    continue
                rows = top.values.tolist()
                skip = title_rows(rows, header_names)
                fallback = fallback or (sheet, skip)
                if _names_a_column(rows[skip], header_names):
                    tables.append((sheet, skip))
            sheet, skip = (tables[0] if tables else fallback) or (book.sheet_names[0], 0)
            # another such sheet is a table left unread (a sheet of notes, 说明, is none)
            others = tuple(name for name, _ in tables[1:])
            frame = pd.read_excel(book, sheet_name=sheet, header=skip, dtype=object)
            first = sheet == book.sheet_names[0]
    except Exception as exc:  # noqa: BLE001 — openpyxl and calamine raise many kinds of error for a damaged file
        raise InputError(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    # A blank row between the rows holds nothing, as a CSV file's blank line does: read past like it, the rows below
    # keeping the numbers the sheet shows.
    frame, numbers = _without_blank_rows(frame, skip + 2)
    # a CSV export re-saved as a workbook keeps the apostrophe before =, +, - or @ that protected it as text, and
    # the answer read out to a caller began with it
    frame = frame.map(lambda cell: csv_cell_in(cell) if isinstance(cell, str) else cell)
    return with_sub_header(Table(frame, header_row=skip + 1, sheet=None if first else sheet, row_numbers=numbers,
                                 other_sheets=others, first_sheet=book.sheet_names[0]), header_names)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
_LINE_BREAK = "\u2028"  # stands for a <br> while the cell's white space is collapsed


def _html_cell_text(cell: Any) -> str:
    """A table cell's text as a browser or Excel shows it: runs of white space one space, <br> a line break."""
    for br in cell.iter("br"):
        br.tail = _LINE_BREAK + (br.tail or "")
    text = _HTML_SPACE.sub(" ", cell.text_content()).replace(_LINE_BREAK, "\n")
    return re.sub(r" ?\n ?", "\n", text).strip()


def _html_rows(table: Any) -> list[list[str]]:
    rows = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells: list[str] = []
        for cell in tr.xpath("./td|./th"):
            cells.append(_html_cell_text(cell))
            span = str(cell.get("colspan", "1")).strip()
            # a cell spanning columns keeps the next cells under their column names
            cells.extend([""] * (int(span) - 1 if span.isdigit() and 1 < int(span) <= 1000 else 0))
        rows.append(cells)
    return rows


def read_html_table(path: Path) -> Table:
    """The first table with a row of two or more filled cells of a web page saved as a workbook, every cell as text
    (ids keep their leading zeros), empty cells ""; title rows above the column names are read past (`title_rows`)."""
    import lxml.html
    import pandas as pd
    from lxml.etree import ParserError

    text, encoding = decode_text(path.read_bytes(), path)
    try:
        # lxml refuses a str that still declares its bytes' encoding (Excel's XML spreadsheets open with one)
        page = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except ParserError:
        page = None
    tables = [] if page is None else (_html_rows(table) for table in page.iter("table"))
    rows = next((rows for rows in tables if any(sum(1 for c in cells if c) >= 2 for cells in rows)), None)
    if rows is None:
        raise InputError(f"{path}: not an Excel workbook, and no table in it to read; open it in Excel or WPS and "
                         "save it as .xlsx (or as CSV)")
    skip = title_rows(rows)
    width = max(len(cells) for cells in rows[skip:])
    header = rows[skip] + [f"Unnamed: {i}" for i in range(len(rows[skip]), width)]
    data = [cells + [""] * (width - len(cells)) for cells in rows[skip + 1 :]]
    return with_sub_header(Table(pd.DataFrame(data, columns=header, dtype=object), header_row=skip + 1,
                                 encoding=encoding))


_DATE_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
# The time as Chinese exports and agents write it: 09时15分(30秒), 9点半, 下午3:15 (a part of the day before it).
_TIME_CJK = re.compile(r"(?P<part>上午|早上|凌晨|中午|下午|傍晚|晚上|夜里|深夜|半夜)?\s*(?P<hour>\d{1,2})\s*"
                       r"(?:[时点]\s*(?:(?P<minute>\d{1,2})\s*分|(?P<half>半))?\s*(?:(?P<second>\d{1,2})\s*秒)?"
                       r"|:(?P<colon_minute>\d{2})(?::(?P<colon_second>\d{2}))?)\s*$")
_AFTERNOON = {"下午": 12, "傍晚": 12, "中午": 11}  # hours before this are read 12 hours on
# At night 6 to 11 are the evening's hours and 12 is midnight ending the day (24:00, the next day's 00:00); 晚上1点
# is the small hours, but of which day? the writer of 11月30日晚上1点 may mean 12月1日: refused, as a date is.
_NIGHT = frozenset({"晚上", "夜里", "深夜", "半夜"})
_SMALL_HOURS = range(1, 6)
_TWELVE = {"凌晨": 0, **dict.fromkeys(_NIGHT, 24)}  # 12点 of these parts: 凌晨12点 starts the day


def _time_as_iso(found: re.Match) -> str:
    part, hour = found["part"], int(found["hour"])
    if part is None and found["colon_minute"] is not None:  # 09:15 as it stands, which pandas reads
        return found[0]
    if part in _AFTERNOON and hour < _AFTERNOON[part]:
        hour += 12
    elif part in _NIGHT and hour in _SMALL_HOURS:
        raise AmbiguousDate(f"{found[0].strip()!r}: the night of which day? write 凌晨{hour}点 with that day's date")
    elif part in _NIGHT and hour < 12:
        hour += 12
    elif part in _TWELVE and hour == 12:
        hour = _TWELVE[part]
    minute = 30 if found["half"] else int(found["minute"] or found["colon_minute"] or 0)
    return f" {hour:02d}:{minute:02d}:{int(found['second'] or found['colon_second'] or 0):02d}"


# GMT+8, UTC+08:00, GMT+0800 (中国标准时间) as Java and JavaScript write a time: dateutil reads GMT+8 by the POSIX rule,
# as 8 hours behind, and the 16 hours' error was silent.
_GMT_OFFSET = re.compile(r"\s*(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?:\s*\([^)]*\))?\s*$")
# What an export writes in a date cell for no date: the cell is empty.
_NO_DATE = frozenset({"null", "none", "nan", "nat", "n/a", "#n/a", "-", "--", "—", "无", "空", "暂无", "0",
                      "0000-00-00", "0000-00-00 00:00:00"})
_DAY_END = re.compile(r"\s24:00(:00)?$")
_MONTH_ONLY = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*月?")


_EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0, chosen by Excel so its 1900 leap-year bug cancels out
# Digits alone do not say which is the day: 12/01/2026 is 1 December to an American program and 12 January to a
# European one, and pandas reads 26/12/01 (2026-12-01 to whoever typed it) as 2001-12-26. Only a full year written
# first, as Chinese systems write dates, is read without asking; a year written last, only where one reading exists.
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?=$|[\sT])")


class AmbiguousDate(InputError):
    """A date whose digits allow more than one day (12/01/2026, 12-31, 22:15 with no date); the message says how to
    write it."""


def _check_digit_order(text: str) -> None:
    found = _NUMERIC_DATE.match(text)
    if found is None or len(found[1]) == 4:
        return
    first, middle, year = found.groups()
    if len(year) != 4:
        raise AmbiguousDate(f"{text!r}: which number is the year? write it as YYYY-MM-DD (2026-12-01)")
    if int(first) <= 12 and int(middle) <= 12 and int(first) != int(middle):
        raise AmbiguousDate(f"{text!r} may be {year}-{int(first):02d}-{int(middle):02d} or "
                            f"{year}-{int(middle):02d}-{int(first):02d}: write it as YYYY-MM-DD")


def parse_date(value: Any) -> str | None:
    """Strings in the usual Chinese and ISO spellings, Excel serial day numbers and date objects → ISO 8601; an
    export's word for no date (NULL, 无, 0000-00-00) → None."""
    stamp, day_end = parse_stamp(value)
    return stamp if stamp is None or not day_end else \
        (datetime.fromisoformat(stamp) + timedelta(days=1)).isoformat(timespec="seconds")


def parse_stamp(value: Any) -> tuple[str | None, bool]:
    """`parse_date`, where a time written as the end of its day (24:00, 晚上12点) is that day's 00:00 and said to be
    one: a stamp reads it as the next day's start, a day field may not read it at all."""
    if value is None:
        return None, False
    import pandas as pd

    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).isoformat(timespec="seconds"), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).isoformat(timespec="seconds"), False
    text = str(value).strip()
    if text.lower() in _NO_DATE:
        return None, False
    if re.fullmatch(r"\d{5}(\.\d+)?", text) and 20000 <= float(text) <= 80000:
        stamp = _EXCEL_EPOCH + timedelta(days=float(text))
        return stamp.replace(microsecond=0).isoformat(timespec="seconds"), False
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").isoformat(timespec="seconds"), False
    _check_digit_order(text)
    # pandas gives a time alone today's date, and 12-31 the year 1; 2026-12 the month's first day
    if re.search(r"\d", text) and (not re.search(r"\d{4}", text) or _MONTH_ONLY.fullmatch(text)):
        raise AmbiguousDate(f"{text!r}: which day? write the full date, as YYYY-MM-DD (2026-12-01), with the time "
                            "after it if there is one")
    text = _GMT_OFFSET.sub(lambda m: f"{m[1]}{int(m[2]):02d}:{m[3] or '00'}",
                           _TIME_CJK.sub(_time_as_iso, _DATE_CJK.sub(r"\1-\2-\3 ", text)).strip())
    day_end = _DAY_END.search(text)
    stamp = pd.Timestamp(pd.to_datetime(text[: day_end.start()] if day_end else text, format="mixed"))
    return stamp.isoformat(timespec="seconds"), day_end is not None


_DAY_SHAPE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")


def day_text(value: str) -> str | None:
    """A date as a spreadsheet writes it (2027/6/30, 2027年6月30日, an Excel serial) as YYYY-MM-DD, an export's word
    for none (无, NULL) as None; anything else is left for validation to name, a day that does not exist (2027年6月31日)
    as YYYY-MM-DD too, so that validation names the day rather than the separator."""
    try:
        stamp, day_end = parse_stamp(value)
    except AmbiguousDate:
        raise
    except (ValueError, OverflowError):
        shaped = _DAY_SHAPE.fullmatch(value.strip())
        return "-".join(part.zfill(2) for part in shaped.groups()) if shaped else value
    # A time of day or a zone (2026-12-01T20:00:00-08:00) was cut off, and the entry went live a day early in
    # Wugang; 2026-12-01 24:00 is the 1st to whoever wrote it and the 2nd to a parser: validation refuses them by
    # name, as the API does.
    # 晚上9点 read as 21:00 lets validation name the time of day, where the words as written were "no date" to it
    return stamp if stamp is None else stamp[:10] if stamp[10:] in ("", "T00:00:00") and not day_end else \
        value if day_end else stamp


def cell_text(value: object) -> str:
    """A workbook cell as text: "" when empty, a date cell as its day, a whole-number cell without ".0"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():  # a workbook may store the id 1 as 1.0
        return str(int(value))
    return str(value)


# A spreadsheet program runs a cell that starts with one of these as a formula: a citizen's message "=HYPERLINK(…)"
# written into an export would be one when a trainer opens the file (CSV injection). A CSV export puts an apostrophe,
# Excel's own mark for text, before such a text (and before any that already starts with apostrophes and then one of
# these), and the CSV readers take one off again, so an export reads back unchanged.
_FORMULA_LIKE = re.compile(r"^'*[=+\-@]")


def csv_cell_out(value: object) -> object:
    """A value as a CSV export writes it: a text that would run as a formula behind an apostrophe."""
    return f"'{value}" if isinstance(value, str) and _FORMULA_LIKE.match(value) else value


def csv_cell_in(text: str) -> str:
    """A CSV cell as read: the apostrophe `csv_cell_out` put before a formula-like text taken off."""
    return text[1:] if text.startswith("'") and _FORMULA_LIKE.match(text[1:]) else text


def spreadsheet_row(index: int, header_row: int = 1) -> str:
    """The row a person sees in a spreadsheet program for the `index`-th data row (0-based) under column names in
    `header_row`."""
    return f"row {index + header_row + 1}"


def jsonl_objects(text: str, source: str | Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is refused, named."""
    # split at line feeds only: str.splitlines also breaks at U+2028, \x85 or \x0c inside a JSON string (an answer
    # pasted from a web page holds one), and the file's own export failed to import
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise InputError(f"{source}: line {number}: expected a JSON object, got {type(record).__name__}")
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            # "\ud800" alone is valid JSON but no character: the tokenizer and the database would fail on it later.
            raise InputError(f"{source}: line {number}: holds an unpaired surrogate escape (such as \\ud800), which "
                             "is no character") from None
        yield number, record
