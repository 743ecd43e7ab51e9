"""The case library: past tickets with the official reply they got, imported as suggestable answers.

A case becomes an entry with source="case": the ticket title is the question, its body one more phrasing,
the official reply the answer. Everything is normalised (scraped whitespace, full-width forms, Traditional
characters) and PII-masked before it is stored: a suggestion must never show an earlier caller's phone or
ID number, nor the name the reply greets them by (the file's author column: 留言用户, 来电人 …).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from knowledge_base.files import validation_message
from knowledge_base.store import EntryIn
from pipeline.errors import InputError, refuse_problems
from pipeline.records import (COLUMN_ALIASES, WORKBOOK_SUFFIXES, AmbiguousDate, Table, cell_text, check_file, day_text,
                              find_columns, misnamed_columns, read_csv_frame, read_workbook, shortened_id_error)
from pipeline.ticket_text import masked_parts, masked_text

# A case needs its id, its text and the official reply; the title and the replying unit are used when the file
# has them. Headers as the ticket files spell them (teddy2020c's 留言编号/留言详情/答复意见, 12345 exports' 工单编号/
# 诉求内容/办理结果 …).
REQUIRED = ("id", "text", "reply")
CASE_FIELDS = (*REQUIRED, "title", "unit", "author")
# A trainer marks the replies a policy change made wrong in a validity column, as on a FAQ sheet. Only headers that
# can mean nothing else: a work-order export's 截止日期 or 到期日期 is the handling deadline, which would retire
# every case the day after it was answered.
VALIDITY_HEADERS = {"valid_from": ("valid_from", "生效日期", "施行日期", "有效期起", "有效期自"),
                    "valid_to": ("valid_to", "失效日期", "废止日期", "有效期至", "有效期止")}


def _read_table(path: Path) -> Table:
    check_file(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        table = read_workbook(path)
        frame = table.frame.map(cell_text)
        frame.columns = [str(c) for c in frame.columns]
        return Table(frame, header_row=table.header_row, sheet=table.sheet)
    if suffix in (".csv", ".tsv", ".txt"):
        return read_csv_frame(path)
    raise InputError(f"{path}: unknown file type {path.suffix!r} (use .csv, .tsv, .txt, .xlsx or .xls)")


# The clauses of an official reply that say nothing about the matter: the greeting, 留言已收悉, 已转…调查处理, thanks,
# the date. One reply in twelve of replies_raw.csv is nothing else (网友:您好!留言已收悉 answers 26 messages; 已转
# L6县调查核处), and a case library suggested them to agents as answers.
_CLAUSE_END = r"[^。!！?？;；,，:：]"
_SAYS_NOTHING = re.compile("|".join(f"(?:{part})" for part in (
    r"(?:尊敬的|亲爱的)?(?:网友|网民|楼主)(?:朋友)?", r"[“\"]?\[姓名\][”\"]?", r"[“\"][”\"]", r"(?:您|你)好",
    r"(?:关于)?(?:您|你)?(?:的|所)?(?:通过平台)?(?:《[^》]{0,12}》)?(?:提出的|反映的|所提的|所反映的|反馈的|咨询的)?(?:上述)?"
    r"(?:留言|来信|来邮|帖文|来帖|意见|建议|问题|情况|事项|内容)?(?:我局|我办|我院|我部)?(?:已|均已)?(?:收悉|收到|知悉|获悉|已阅)",
    r"(?:关于|就)?(?:您|你)(?:所)?(?:反映|提出|咨询|反馈)的(?:上述)?(?:问题|情况|事项|内容)",
    r"(?:现将|现)?(?:有关情况)?(?:回复|答复)如下",
    # forwarded: only after 已/并/将, so that 办理驾驶证转入手续 stays
    r"(?:我们|我办|我局|现|并|均)?(?:已经?|并|现已|立即)(?:将[^。!！;；,，]{0,12}?)?"
    rf"(?:转|转交|移交|交办|转至|转到|转办至|发函交办给|交){_CLAUSE_END}{{0,40}}",
    rf"(?:感谢|谢谢|多谢|祝您|祝你|欢迎|敬请){_CLAUSE_END}*", r"\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?",
    rf"(?:此事|目前)?(?:正在|已)(?:调查|核实|处理|协调|交办){_CLAUSE_END}{{0,8}}中",
    rf"(?:处理|调查|办理)(?:情况|结果){_CLAUSE_END}{{0,16}}(?:反馈|回复|答复|告知){_CLAUSE_END}{{0,10}}",
    # …and a promise of what comes next (a re-tester's round: 我们将尽快核实处理, 该局将按程序处理后答复您 were imported)
    r"(?:我们|我局|我办|该局|该单位|相关部门|有关部门)?(?:会|将)(?:按程序|尽快|及时|认真|迅速)*(?:安排(?:工作)?人员)?"
    rf"(?:核实|调查|处理|办理|研究|跟进){_CLAUSE_END}{{0,10}}",
    rf"如有(?:相关)?(?:情况|进展|结果)将?(?:及时|第一时间)?(?:回复|反馈|答复|告知){_CLAUSE_END}{{0,6}}",
)))


def says_nothing(reply: str) -> bool:
    """Whether a (masked) official reply only acknowledges or forwards the ticket: fewer than six Chinese characters
    are left once its courtesies, 已收悉 and 已转… clauses are taken out. An agent cannot answer a caller with it."""
    return len(re.findall(r"[\u4e00-\u9fff]", _SAYS_NOTHING.sub("", reply))) < 6


@dataclass
class CaseFile:
    entries: list[EntryIn]
    unanswered: list[str] = field(default_factory=list)  # the rows left out for having no reply, as numbered
    receipts: list[str] = field(default_factory=list)  # the rows left out for a reply that `says_nothing`


def read_cases(path: Path) -> list[EntryIn]:
    """Every (ticket, official reply) row of a CSV/Excel file: id, text and reply columns, optional title, unit
    and author (the headers of `pipeline.records.COLUMN_ALIASES`, e.g. 留言编号, 留言主题, 留言详情, 答复意见), and the
    validity columns of `VALIDITY_HEADERS`."""
    return read_case_file(path).entries


def read_case_file(path: Path, *, skip_unanswered: bool = False, skip_receipts: bool = False) -> CaseFile:
    """`read_cases`, where a 12345 export may also hold tickets still being handled: with `skip_unanswered` a row
    whose reply is empty is left out and named in `unanswered`; without it, it is refused like any empty cell. With
    `skip_receipts` a row whose reply `says_nothing` is left out and named in `receipts`."""
    path = Path(path)
    table = _read_table(path)
    columns = find_columns(list(table.frame.columns))
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise InputError(f"{path}: missing column(s) for {', '.join(missing)} ("
                         + "; ".join(f"{field}: one of {', '.join(COLUMN_ALIASES[field])}" for field in missing)
                         + f"; header: {', '.join(map(str, table.frame.columns))})")
    refuse_problems(path, misnamed_columns(table.frame, columns, CASE_FIELDS), outcome="nothing imported")
    columns.update(find_columns(list(table.frame.columns), aliases_of=VALIDITY_HEADERS))
    cases = CaseFile([])
    first_row: dict[str, str] = {}
    problems: list[str] = []
    for index, row in enumerate(table.frame.to_dict("records")):
        try:
            entry = _case_entry(row, columns, table.row(index), first_row, skip_unanswered)
        except InputError as exc:
            problems.append(str(exc))
            continue
        if entry is None:
            cases.unanswered.append(table.row(index))
        elif skip_receipts and says_nothing(entry.answer):
            cases.receipts.append(table.row(index))
        else:
            cases.entries.append(entry)
    refuse_problems(path, problems)
    if not cases.entries:
        raise InputError(f"{path}: no cases" + "".join(
            f" ({len(rows)} {what})" for rows, what in ((cases.unanswered, "tickets without a reply"),
                                                        (cases.receipts, "replies that say nothing")) if rows))
    return cases


def _validity(row: dict[str, str], columns: dict[str, str], where: str) -> dict[str, str | None]:
    """The validity fields of the file's validity columns; an empty cell clears the field, as on a FAQ sheet (a
    case no longer retired), a file without the column leaves the stored value alone (`kb update --valid-to`)."""
    days = {}
    for name in VALIDITY_HEADERS:
        if name in columns:
            try:
                days[name] = day_text(row[columns[name]]) if row[columns[name]].strip() else None
            except AmbiguousDate as exc:
                raise InputError(f"{where}: column {columns[name]!r}: {exc}") from None
    return days


def _case_entry(row: dict[str, str], columns: dict[str, str], where: str, first_row: dict[str, str],
                skip_unanswered: bool) -> EntryIn | None:
    """One row as a case entry; None for a ticket without a reply that `skip_unanswered` leaves out."""
    id_column, text_column, reply_column = (columns[field] for field in REQUIRED)
    case_id = row[id_column].strip()
    if not case_id:
        raise InputError(f"{where}: column {id_column!r} is empty")
    if error := shortened_id_error(case_id, where, id_column):
        raise InputError(error)
    if case_id in first_row:
        raise InputError(f"{where}: column {id_column!r}: {case_id!r} already used at {first_row[case_id]}")
    first_row[case_id] = where
    author = [row[columns["author"]]] if "author" in columns else []
    title, body, reply = masked_parts(row[columns["title"]] if "title" in columns else "", row[text_column],
                                      row[reply_column], people=author)
    if not (title or body):
        raise InputError(f"{where}: column {columns.get('title', text_column)!r} is empty")
    if not reply:
        if skip_unanswered:
            return None
        raise InputError(f"{where}: column {reply_column!r} is empty (a ticket not answered yet? "
                         "--skip-unanswered leaves such rows out)")
    try:
        return EntryIn(id=f"case-{case_id}", question=title or body, alternatives=[body] if title and body else [],
                       answer=reply, unit=masked_text(row[columns["unit"]]) if "unit" in columns else "",
                       source="case", **_validity(row, columns, where))
    except ValidationError as exc:
        raise InputError(f"{where}: {validation_message(exc, lambda field: f'column {columns.get(field, field)!r}')}"
                         ) from None
