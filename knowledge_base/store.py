"""The knowledge-base entries in a SQL database (SQLite by default, PostgreSQL in production).

An entry is one suggestable answer: a FAQ written by the city, or a past case (ticket + official reply).
Every change bumps one version counter in the same transaction, so that a process holding an index
(the HTTP service) notices changes made by another one (the CLI) with a single cheap query.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import Annotated, Callable, ClassVar, Iterable, Iterator, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, ValidationInfo, field_validator,
                      ValidationError, model_validator)
from sqlalchemy import (JSON, Date, DateTime, Integer, LargeBinary, String, Text, delete, event, func, select,
                        update)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from appeal.config import centre_time, centre_today
from appeal.database import (KB_WRITE_LOCK, add_missing_columns, create_tables, hold_write_lock, make_engine,
                             stored_utc)
from knowledge_base.answer_checks import citizens_names, citizens_phones, curated_pii, first_lines
from knowledge_base.units import same_unit
from pipeline.errors import InputError, refuse_problems
from pipeline.normalize import normalize, strip_invisible, to_simplified
from pipeline.pii import PII_TOKENS
from pipeline.records import AmbiguousDate, day_text
from pipeline.ticket_text import masked_parts

log = logging.getLogger(__name__)

Source = Literal["faq", "case"]
# On a given day: suggestable, past its valid_to, or before its valid_from.
Status = Literal["active", "expired", "scheduled"]


# Line and page breaks as Word writes them are line breaks; other C0 control characters (tab, line feed and carriage
# return aside) are dropped.
_CONTROL_CHARACTERS = {**dict.fromkeys(set(range(32)) - {9, 10, 13}), 0x0B: "\n", 0x0C: "\n"}


# What Word and web pages paste between words: zero-width characters, and spaces other than the one a keyboard types
# (no-break, ideographic, tab …) or several of it in a row. Agents saw them, and a trainer searching the words they
# sat between found nothing.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_SPACE = "[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_PASTED_SPACE = re.compile(f"(?! (?!{_SPACE})){_SPACE}+")  # any run of them but a lone typed space
# Han characters and the punctuation written with them, between which Chinese puts no space
_CHINESE = re.compile("[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6"
                      "\u2014\u2018\u2019\u201c\u201d\u2026]")
_LINE_BREAKS = "\n\r\u0085\u2028\u2029"


def _even_spaces(text: str) -> str:
    """`text` with its pasted spaces (`_PASTED_SPACE`) made one space, none between two Chinese characters or at
    either end of a line (Word's 　　 indenting a paragraph); line breaks, which an answer's steps are written on,
    are kept."""
    text = _ZERO_WIDTH.sub("", text)

    def evened(run: re.Match) -> str:
        before, after = text[run.start() - 1 : run.start()], text[run.end() : run.end() + 1]
        if before in ("", *_LINE_BREAKS) or after in ("", *_LINE_BREAKS):
            return ""
        return "" if _CHINESE.match(before) and _CHINESE.match(after) else " "

    return _PASTED_SPACE.sub(evened, text)


class _UserText(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("question", "alternatives", "answer", mode="before", check_fields=False)
    @classmethod
    def _even_pasted_spaces(cls, value: object) -> object:
        # here, where every entry comes in (API, CLI, import) and is read back: an entry stored before is found too
        if isinstance(value, str):
            return _even_spaces(value)
        if isinstance(value, list):
            return [_even_spaces(v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _drop_control_characters(cls, value: object) -> object:
        # A JSON "\u0000" has no meaning in an answer, and PostgreSQL cannot store it (the save would fail as if the
        # database were down); the line break Word pastes (\v) and other control characters cannot be written to an
        # Excel sheet, so `kb export` to .xlsx failed on them.
        if isinstance(value, str):
            return value.translate(_CONTROL_CHARACTERS)
        if isinstance(value, list):
            return [v.translate(_CONTROL_CHARACTERS) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("valid_from", "valid_to", mode="before", check_fields=False)
    @classmethod
    def _day(cls, value: object) -> object:
        # pydantic reads a number as seconds since 1970 (1764547200 → 2025-12-01, 20261201 → a time of day): a date
        # is written as one
        if isinstance(value, str):
            if not value.strip():
                return None  # as an emptied cell of a sheet clears the day
            # as an import file's cell is read: the API refused 2026/12/1 and 2027年12月31日 (input is too short),
            # and read 20271231 or an Excel day number as seconds
            try:
                value = day_text(value)
            except AmbiguousDate as exc:
                raise ValueError(str(exc)) from None
        if (isinstance(value, (int, float)) and not isinstance(value, bool)
                or isinstance(value, str) and value.strip().isdigit()):  # "86400" was 1970-01-02: expired at once
            raise ValueError("日期请写成 YYYY-MM-DD（如 2027-06-30），不要写成数字 / a date is written YYYY-MM-DD (2027-06-30), "
                             "not as a number")
        return value

    @field_validator("question", "answer", mode="after", check_fields=False)
    @classmethod
    def _says_something(cls, value: str | None, info: ValidationInfo) -> str | None:
        # "\u200b" or "。。。" passed min_length, and a blank answer was suggested to agents
        if value is not None and not _has_text(value) and not _stored(cls, info, info.field_name):
            raise ValueError("没有文字，只有空格、标点或不可见字符 / holds no text: only spaces, punctuation or invisible "
                             "characters")
        return value


def _has_text(value: str) -> bool:
    return any(ch.isalnum() for ch in strip_invisible(value))


# Beyond any real text (the board's longest message has 7,028 characters, its longest reply 7,881): a file pasted
# into a cell, which every suggestion would then carry to the agent.
MAX_TEXT_CHARS = 20_000  # a question, an answer, another phrasing (a past case's message is one)
MAX_TAG_CHARS = 100
MAX_ITEMS = {"alternatives": 50, "tags": 30}  # the demo FAQ's most are 4 and 5
# A FAQ's question as callers ask it: the Taipei FAQ's are at most 108 characters, the demo's 26. Longer, or over
# lines, it is a text pasted in the wrong field: a trainer's round pasted a 1,396-character notice as a question, and
# it was saved with a warning and suggested at once.
LONG_QUESTION = 200


def _stored(model: type[BaseModel], info: ValidationInfo, field: str) -> bool:
    """Whether the rules for new text pass `field` by. What is read back from the database (`Entry`) was within the
    rules of the release that stored it, and reading it never fails on rules set since (a listing, an entry's history
    and the API's answers are read back too); an edit (`update`) answers for the fields it gives, so that an entry
    stored before a rule it breaks can still be retired with valid_to."""
    return getattr(model, "read_back", False) or field in (info.context or {}).get("unchanged", ())


# How a spreadsheet cell lists the items of a list field. A phrasing may hold a comma, so alternatives split at |, the
# full-width ｜ an IME types, or a line break (Alt+Enter in Excel: a cell lists them a line each); a keyword list is
# written with whatever separator the office uses.
LIST_SEPARATORS = {"alternatives": re.compile(r"[|｜\r\n]"), "tags": re.compile(r"[|｜,，、;；\r\n]")}


class EntryIn(_UserText):
    """An entry as a user supplies it (import file row, CLI, HTTP); validated once, here."""

    id: str | None = Field(default=None, max_length=64)
    question: str = Field(min_length=1)
    alternatives: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1)
    # A past case's replying unit is often unknown; a FAQ always names one (checked below).
    unit: str = Field(default="", max_length=200,
                      description="责任单位：FAQ 条目必填，往期案例可空 / the responsible unit: a FAQ entry needs one")
    topic: str = Field(default="", max_length=100)
    tags: list[str] = Field(default_factory=list)
    source: Source = "faq"
    valid_from: date | None = None
    valid_to: date | None = None

    @field_validator("alternatives", "tags")
    @classmethod
    def _drop_blank_and_repeated(cls, values: list[str], info: ValidationInfo) -> list[str]:
        # a tag pasted twice is one tag; a phrasing given twice would count its words twice in BM25
        items = list(dict.fromkeys(v.strip() for v in values if v and _has_text(v)))
        limit = MAX_TAG_CHARS if info.field_name == "tags" else MAX_TEXT_CHARS
        if any(len(item) > limit for item in items) and not _stored(cls, info, info.field_name):
            raise ValueError(f"每一项最多 {limit} 个字符 / an item may hold at most {limit} characters")
        # 2,000 phrasings took 100 s to store and made every listing megabytes long
        if len(items) > MAX_ITEMS[info.field_name] and not _stored(cls, info, info.field_name):
            raise ValueError(f"最多 {MAX_ITEMS[info.field_name]} 项，收到 {len(items)} 项 / at most "
                             f"{MAX_ITEMS[info.field_name]} {info.field_name}, got {len(items)}")
        return items

    @field_validator("question", "answer")
    @classmethod
    def _not_too_long(cls, value: str, info: ValidationInfo) -> str:
        if len(value) > MAX_TEXT_CHARS and not _stored(cls, info, info.field_name):
            raise ValueError(f"过长，最多 {MAX_TEXT_CHARS} 个字符 / String should have at most {MAX_TEXT_CHARS} characters")
        return value

    @field_validator("id")
    @classmethod
    def _addressable(cls, value: str | None) -> str | None:
        # /v1/kb/entries/{id} must reach the entry, or it could not be read, changed or deleted over HTTP while it
        # was still suggested: {id}/history is an entry's history, a line break ends the path, and clients
        # resolve . and .. as directories.
        if value and value.endswith("/history"):
            raise ValueError("编号不能以 /history 结尾（那是条目历史的地址） / an id may not end in /history (the address of "
                             "an entry's history)")
        if value and (value.strip(".") == "" or any(not c.isprintable() for c in value)):
            raise ValueError("编号不能是 . 或 ..，也不能含换行、制表符等控制字符 / an id may not be . or .., nor hold a line "
                             "break, tab or other control character")
        return value

    @property
    def search_text(self) -> str:
        """What retrieval matches a query against: the question, its other phrasings and the answer."""
        return "\n".join([self.question, *self.alternatives, self.answer])

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> "EntryIn":
        if self.source == "faq" and not self.unit:
            raise ValueError("FAQ 条目须填责任单位 / a FAQ entry needs its responsible unit")
        if self.source == "faq":
            _no_personal_data(self, lambda field: _stored(type(self), info, field))
            _no_separators(self, lambda field: _stored(type(self), info, field))
            _as_callers_ask(self, lambda field: _stored(type(self), info, field))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("失效日期早于生效日期 / valid_to is before valid_from")
        return self


def _no_separators(entry: EntryIn, passed: Callable[[str], bool]) -> None:
    """A FAQ's phrasing or tag that holds a mark a spreadsheet's cell splits its items at: the export's cell listed it
    as two, and importing the sheet unedited changed the entry. (A past case's phrasing is the citizen's message, lines
    and all: kept as written.)"""
    for field, separator in LIST_SEPARATORS.items():
        if not passed(field):
            for item in getattr(entry, field):
                if found := separator.search(item):
                    raise ValueError(f"{field}: {item!r} 含 {found.group()!r}，表格的单元格在此处把它拆成两项，请分成单独的"
                                     f"几项 / {item!r} holds {found.group()!r}, where a spreadsheet's cell splits its "
                                     "items: give each as an item of its own")


def _as_callers_ask(entry: EntryIn, passed: Callable[[str], bool]) -> None:
    """A FAQ's question and phrasings within `LONG_QUESTION` characters, the question on one line."""
    for field, phrasings in (("question", [entry.question]), ("alternatives", entry.alternatives)):
        for asked in [] if passed(field) else phrasings:
            over_lines = "\n" in asked.strip()
            if len(asked) > LONG_QUESTION or over_lines:
                shown = " ".join(asked.split())[:12] + ("…" if len(asked) > 12 else "")
                raise ValueError(f"{field}: “{shown}”有 {len(asked)} 字{'、分多行' if over_lines else ''}，不像来电人的问法，是否粘贴"
                                 f"错了位置（问法最多 {LONG_QUESTION} 字、一行）/ {shown!r} has {len(asked)} characters"
                                 f"{' over several lines' if over_lines else ''}, no question a caller asks: pasted in "
                                 f"the wrong field? (at most {LONG_QUESTION}, on one line)")


def _no_personal_data(entry: EntryIn, passed: Callable[[str], bool]) -> None:
    # A curated question is suggested to every agent whose ticket resembles it: a caller's number or name pasted into
    # one from a ticket would reach them all, unmasked. (A past case is masked as stored; an answer may give a unit's
    # published number, which `answer_checks` asks the trainer to check, but not one it names a citizen's.)
    for said, what, field in (("问题", "the question", "question"), ("其他问法", "another phrasing", "alternatives"),
                              ("标签", "a tag", "tags"), ("答复", "the answer", "answer")):
        value = getattr(entry, field)
        for text in [] if passed(field) else [value] if isinstance(value, str) else value:
            # read as masking reads a ticket: names are found by Simplified surnames (我叫張建國)
            read = to_simplified(strip_invisible(text))
            spans = curated_pii(read)
            if field == "answer":  # a unit's number or an official's name may stand in one (`answer_checks`)
                spans = [span for span in spans if span.kind in _NEVER_IN_AN_ANSWER] + citizens_phones(read, spans) \
                    + citizens_names(read, spans)
            if found := sorted({PII_TOKENS[span.kind] for span in spans}):
                raise ValueError(f"{said}含个人信息（{'、'.join(found)}）：FAQ 只作一般性的问答，请删去个人的信息 / "
                                 f"{what} holds personal data ({'、'.join(found)}): a FAQ "
                                 f"{'answers' if field == 'answer' else 'asks'} in general terms; leave a person's "
                                 "details out")


# A person's documents, which no published answer gives (a privacy reviewer's round: an ID number pasted into an answer
# was saved with a warning and then suggested on every route about 低保)
_NEVER_IN_AN_ANSWER = frozenset({"id_card", "bank_card", "travel_document"})


def _shown_without_null(schema: dict) -> None:
    """`T | None` shown as T in the API's schema: the None is a field left out, never a value to send."""
    schema.update(next(kind for kind in schema.pop("anyOf") if kind != {"type": "null"}))


class EntryUpdate(_UserText):
    """A partial change: only the fields given are replaced. null clears a period's day; the other fields are left out
    to keep them (a platform integrator's round: the schema offered null for a question, refused later as a stored
    entry's error)."""

    question: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS,
                                 json_schema_extra=_shown_without_null)
    alternatives: list[str] | None = Field(default=None, json_schema_extra=_shown_without_null)
    answer: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS,
                               json_schema_extra=_shown_without_null)
    unit: str | None = Field(default=None, min_length=1, max_length=200, json_schema_extra=_shown_without_null)
    topic: str | None = Field(default=None, max_length=100, json_schema_extra=_shown_without_null)
    tags: list[str] | None = Field(default=None, json_schema_extra=_shown_without_null)
    valid_from: date | None = None
    valid_to: date | None = None

    @field_validator("question", "alternatives", "answer", "unit", "topic", "tags", mode="before")
    @classmethod
    def _given_not_null(cls, value: object) -> object:
        if value is None:  # a field left out is never validated
            raise ValueError("不能为 null，不改的字段请省略 / may not be null: leave a field out to keep it")
        return value


def rule_warnings(entries: Iterable[Entry], most: int = 10) -> list[str]:
    """One line per entry stored before a rule it breaks (an earlier release took a FAQ question naming a caller, or
    an answer of punctuation alone): read and edited as it is, and its trainer is to hear what to fix. The first
    `most` of them, and one line counting the rest."""
    from knowledge_base.files import validation_message

    lines = []
    for entry in entries:
        try:
            EntryIn.model_validate(entry.model_dump(include=set(EntryIn.model_fields)))
        except ValidationError as exc:
            lines.append(f"{entry.id}: 存于现行规则之前，违反了它，请修改或删除 / stored before a rule it breaks "
                         f"({validation_message(exc, lambda f: f'its {f}')}): fix it, or delete the entry")
    return first_lines(lines, most, "", "entries stored before a rule they break")


def expired_warnings(entries: Iterable[Entry], today: date | None = None) -> list[str]:
    """One line per entry whose period ended before `today` (the centre's): stored as given (a trainer may record an
    answer that no longer holds), but never suggested, which a year typed wrong (2025-03-31 for 2026) left unseen."""
    day = today or centre_today()
    return [f"{entry.id}: valid_to {entry.valid_to} 已过期，不会被推荐 / already expired: stored, never suggested"
            for entry in entries if entry.status_on(day) == "expired"]


def _naive_utc(at: datetime) -> datetime:
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


# A store's stamp: naive UTC in Python, as every store writes it and SQLite gives it back (so stamps compare across
# backends), and said to be UTC in JSON (API, export, history), where 08:31 without an offset reads as the centre's
# time, eight hours off.
UtcStamp = Annotated[datetime, AfterValidator(_naive_utc),
                     PlainSerializer(lambda at: stored_utc(at).isoformat(), when_used="json")]


class Entry(EntryIn):
    """An entry as stored; it is only ever read back (the API validates its answers again, without context)."""

    # every field is sent, defaulted or not: an API schema marks them all required
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    read_back: ClassVar[bool] = True
    id: str
    updated_at: UtcStamp
    updated_by: str

    @field_validator("id")
    @classmethod
    def _addressable(cls, value: str) -> str:
        return value  # what is stored is read as it is, whenever it was written

    def status_on(self, day: date) -> Status:
        if self.valid_to is not None and self.valid_to < day:
            return "expired"
        if self.valid_from is not None and day < self.valid_from:
            return "scheduled"
        return "active"


class EntryFilter(BaseModel):
    """What a trainer narrows a listing by; every field given must match, None matches all. `contains` is a
    substring of the id, question, another phrasing or the answer, in either script and either case (finding the
    entry to edit; ranking is what search does)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Source | None = None
    unit: str | None = None
    status: Status | None = None
    contains: str | None = None

    def matches(self, entry: Entry, day: date) -> bool:
        if self.source is not None and entry.source != self.source:
            return False
        if self.unit is not None and not (entry.unit and same_unit(entry.unit, self.unit)):
            return False
        if self.status is not None and entry.status_on(day) != self.status:
            return False
        if self.contains:
            needle = _folded(self.contains)
            texts = (entry.id, entry.question, *entry.alternatives, entry.answer)
            return any(needle in _folded(text) for text in texts)
        return True


def _folded(text: str) -> str:
    # Simplified and lower case: a trainer typing 垃圾车 finds the entries of an imported Traditional FAQ (垃圾車)
    return to_simplified(text).lower()


class Base(DeclarativeBase):
    pass


# Characters of who made a change (a key's name after "api:", a CLI user's --by): what PostgreSQL checks,
# and SQLite does not.
BY_MAX = 100


class EntryRow(Base):
    __tablename__ = "kb_entry"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    topic: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(8), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(BY_MAX))
    # `question_key` of (source, question); nullable only because databases made before it get it on opening
    question_key: Mapped[str | None] = mapped_column(String(80), index=True, nullable=True)

    def to_entry(self) -> Entry:
        return Entry.model_validate({name: getattr(self, name) for name in Entry.model_fields})


@event.listens_for(EntryRow, "before_insert")
@event.listens_for(EntryRow, "before_update")
def _set_question_key(_mapper, _connection, row: EntryRow) -> None:
    row.question_key = question_key(row.source, row.question)


class HistoryRow(Base):
    """Each version of an entry that an edit replaced or a delete removed, written in that edit's transaction; with
    the current row these are all its versions, so what an answer said on a given day, and who wrote it, can still
    be told after it was changed or deleted. A first import writes nothing here: an added entry is its own row."""

    __tablename__ = "kb_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[dict] = mapped_column(JSON)  # the version replaced, with its own updated_at / updated_by
    action: Mapped[str] = mapped_column(String(8))  # what ended it: update or delete
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(BY_MAX))


class ErasedRow(Base):
    """The id of an entry erased with every version (`EntryStore.erase`): its words are gone, and the next export of
    the same cases must not bring them back (a re-tester's round), as a deleted entry's history keeps it out."""

    __tablename__ = "kb_erased"

    entry_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime)


class Change(BaseModel):
    """One event of an entry's history: a version made (add, update) with the entry as it then read, or a delete
    with the version it removed."""

    action: Literal["add", "update", "delete"]
    at: UtcStamp
    by: str
    entry: Entry


def _changes(replaced: list[HistoryRow], current: Entry | None) -> list[Change]:
    changes: list[Change] = []
    versions = [(Entry.model_validate(row.content), row) for row in replaced]
    versions += [(current, None)] if current else []
    for version, ended_by in versions:
        action = "add" if not changes or changes[-1].action == "delete" else "update"
        changes.append(Change(action=action, at=version.updated_at, by=version.updated_by, entry=version))
        if ended_by is not None and ended_by.action == "delete":
            changes.append(Change(action="delete", at=ended_by.changed_at, by=ended_by.changed_by, entry=version))
    return changes


class StateRow(Base):
    """One row: the version counter of the entry table."""

    __tablename__ = "kb_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class EmbeddingRow(Base):
    """Content-addressed embedding cache: key = hash of (encoder, prefixed text), so an unchanged entry is
    never encoded twice, whichever process or restart asks."""

    __tablename__ = "kb_embedding"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


def utc_now() -> datetime:
    # Naive UTC: SQLite gives back naive datetimes, so comparing stamps across backends needs one form.
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _asked(question: str) -> str:
    """A question as `question_key` reads it: spelled by `normalize` (Simplified, half-width, ASCII lower case),
    without spaces, and without its closing question mark or full stop and a particle before it (吗, 呢, 啊, 呀),
    which asks nothing more: 医保卡丢了怎么补办吗 is 医保卡丢了怎么补办？."""
    return "".join(normalize(question).lower().split()).rstrip("?!.。").rstrip("吗呢啊呀").rstrip("?!.。")


# Ends every key `question_key` makes: a key an earlier release stored (before `_asked` read past a closing particle)
# lacks it, and is made again when the store is opened, or 医保卡丢了怎么补办吗？ stored then would not block the
# question without its 吗 today, nor be found by a sheet's row asking it.
_KEY_FORM = ".2"


def known_to(stored: Iterable[Entry], deleted: set[str]) -> Callable[[EntryIn], bool]:
    """Whether an entry is one of `stored`, under its id or its question, or one of the `deleted` ids (gone on
    purpose): what an import that only adds (`kb import --new-only`) leaves out, and no drift of a pack's FAQ."""
    known = {key for entry in stored for key in (entry.id, question_key(entry.source, entry.question))} | deleted
    return lambda entry: (entry.id or derived_id(entry)) in known or question_key(entry.source, entry.question) in known


def question_key(source: str, question: str) -> str:
    """What makes two questions one: the same source and the same text as `_asked` reads it. A trainer typing
    社保卡丢了怎么补办? on one keyboard and 社保卡丢了怎么补办？ on another, or pasting 社保卡丟了怎麼補辦, means the same entry.
    A digest, so that a long question still fits an indexed column."""
    return f"{source}-{hashlib.sha256(_asked(question).encode('utf-8')).hexdigest()}{_KEY_FORM}"


# Words a trainer writes one for another in a question, read as one by `similar_question_warnings`
_QUESTION_WORDS = re.compile(r"怎么样|怎样|如何|咋样|咋")
# The share of character pairs (Dice) two questions have in common from which they are nearly one: the demo FAQ's 91
# questions share 0.625 at most (社保卡丢了怎么补办 and 身份证丢了怎么补办, two things lost), a question with one word
# written another way shares 0.7 or more (医保/医疗保险 0.70, 丢了/掉了 0.75, 缴费/交费 0.78).
_NEARLY_ONE = 0.7


def _character_pairs(question: str) -> set[str]:
    text = "".join(ch for ch in _QUESTION_WORDS.sub("怎么", _asked(question)) if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similar_question_warnings(saved: Iterable[Entry], stored: Iterable[Entry], most: int = 10) -> list[str]:
    """One line per curated answer among `saved` whose question is nearly that of another one among `stored` in an
    overlapping period (城乡居民医保怎样缴费 beside 城乡居民医保怎么缴费), naming the nearest: stored as written (the
    same question is refused, see `question_key`), but agents were suggested both, the new one often first. The
    first `most` of them, and one line counting the rest."""
    curated = [(entry, _character_pairs(entry.question)) for entry in stored if entry.source == "faq"]
    lines, named = [], set()
    for entry in saved:
        if entry.source != "faq":
            continue
        pairs = _character_pairs(entry.question)
        nearest = max(((2 * len(pairs & theirs) / (len(pairs) + len(theirs)), other) for other, theirs in curated
                       if other.id != entry.id
                       and _overlapping((other.valid_from, other.valid_to), (entry.valid_from, entry.valid_to))),
                      default=(0.0, None), key=lambda found: found[0])
        share, other = nearest
        if share >= _NEARLY_ONE and frozenset((entry.id, other.id)) not in named:
            named.add(frozenset((entry.id, other.id)))
            lines.append(f"{entry.id}: 问题与条目 {other.id!r}（{other.question}）几乎相同：若问的是一件事，请只留一条，另一条的"
                         f"问法作为其他问法 / the question is nearly that of entry {other.id!r} ({other.question}): if "
                         "the two ask one thing, keep one, with the other's wording as another phrasing")
    return first_lines(lines, most, "", "entries whose question is nearly another's")


def derived_id(entry: EntryIn) -> str:
    """The id of an entry given none: from its source and question, so that one question is one entry (importing
    the same sheet again replaces its entries instead of adding every one a second time; adding a question that is
    already there is refused), and its valid_from where it has one: the answer that takes over from a date is an entry
    beside the one it follows, under an id of its own."""
    day = f"-{entry.valid_from:%Y%m%d}" if entry.valid_from else ""
    return question_key(entry.source, entry.question)[: len(entry.source) + 13] + day


def _as_stored(entry: EntryIn) -> EntryIn:
    """A past case normalised and PII-masked however it arrives: `kb import-cases` masks its file as it reads it, but
    a case added by hand, in an entry file or over HTTP holds an earlier caller's words as they were typed. Masking
    is idempotent, so a case imported from its file is stored as it was."""
    if entry.source != "case":
        return entry
    fields = [name for name in ("question", "answer", "alternatives", "tags") if name in entry.model_fields_set]
    question, answer, *rest = masked_parts(entry.question, entry.answer, *entry.alternatives, *entry.tags)
    alternatives, tags = rest[: len(entry.alternatives)], rest[len(entry.alternatives) :]
    masked = {"question": question, "answer": answer, "alternatives": alternatives, "tags": tags}
    return entry.model_copy(update={name: masked[name] for name in fields})


def _asked_when(entry: EntryIn) -> tuple:
    """What makes two answers meet: the question they ask, in any of its phrasings, and the period they answer it in."""
    return frozenset(_phrasings(entry.source, entry.question, entry.alternatives)), entry.valid_from, entry.valid_to


def _phrasings(source: str, question: str, alternatives: Iterable[str]) -> dict[str, str]:
    """`question_key` → the first phrasing it keys: the question, else one of its other phrasings."""
    keyed: dict[str, str] = {}
    for text in (question, *alternatives):
        keyed.setdefault(question_key(source, text), text)
    return keyed


# valid_from, valid_to; None: open
Period = tuple[date | None, date | None]


def _overlapping(first: Period, second: Period) -> bool:
    """Whether two periods share a day."""
    (first_from, first_to), (second_from, second_to) = first, second
    return ((first_from is None or second_to is None or first_from <= second_to)
            and (first_to is None or second_from is None or second_from <= first_to))


def _answering_then(period: Period, asking: list[tuple[str, Period]], today: date) -> str | None:
    """Which of the stored entries asking a question (`EntryStore._periods_asking`) an entry without an id of its own
    that asks it in `period` is: one whose period overlaps, the one suggested today first (a sheet without dates edits
    today's answer, not the one that takes over next year); None where none does: it is a new entry, that takes over
    from one or gives way to one."""
    overlapping = {entry_id: theirs for entry_id, theirs in asking if _overlapping(theirs, period)}
    suggested = [entry_id for entry_id, theirs in overlapping.items() if _overlapping(theirs, (today, today))]
    return next(iter(suggested or overlapping), None)


def _period_after(period: Period, row: EntryIn | None) -> Period:
    """A stored entry's period once the import's `row` for it (None: none) is written: the days the row gives."""
    if row is None:
        return period
    valid_from, valid_to = period
    return (row.valid_from if "valid_from" in row.model_fields_set else valid_from,
            row.valid_to if "valid_to" in row.model_fields_set else valid_to)


def _withdrawal(before: Entry, valid_from: date | None, today: date) -> str | None:
    """Why `before` may not be given `valid_from` (`WithdrawsAnswer`); None where it may."""
    if before.status_on(today) != "active" or valid_from is None or valid_from <= today:
        return None
    return (f"entry {before.id!r} is suggested today, and valid_from {valid_from} would withdraw its answer until "
            f"then: add the new answer as an entry of its own (its own id) from {valid_from}, and give {before.id!r} "
            f"valid_to {valid_from - timedelta(days=1)}")


class _CuratedPhrasings:
    """The phrasings (question and other phrasings) of the stored curated answers by `question_key`, each with the
    entries that ask it and their periods: what another curated answer may not ask in the same period. The other
    phrasings are stored as JSON, whose keys SQL cannot compute (`normalize`), so the keys are made here, from the FAQ
    rows alone (a city's FAQ holds hundreds or a few thousand entries, its case library 100,000), at the first FAQ
    entry asked about, and once for all the rows of an import."""

    def __init__(self, session: Session):
        self._session = session

    @cached_property
    def _asking(self) -> dict[str, list[tuple[str, tuple[date | None, date | None]]]]:
        asking = defaultdict(list)
        rows = self._session.execute(select(EntryRow.id, EntryRow.question, EntryRow.alternatives, EntryRow.valid_from,
                                            EntryRow.valid_to).where(EntryRow.source == "faq").order_by(EntryRow.id))
        for entry_id, question, alternatives, valid_from, valid_to in rows:
            for key in _phrasings("faq", question, alternatives):
                asking[key].append((entry_id, (valid_from, valid_to)))
        return asking

    def answering(self, entry: EntryIn, entry_id: str) -> tuple[str, str] | None:
        """Another curated entry that asks a phrasing of `entry` in a period that overlaps its own, and the phrasing
        (as `entry` words it); None for a past case (past cases repeat a question freely: two citizens write the same
        message and get their own replies)."""
        if entry.source != "faq":
            return None
        for key, phrasing in _phrasings(entry.source, entry.question, entry.alternatives).items():
            for other, period in self._asking.get(key, ()):
                if other != entry_id and _overlapping(period, (entry.valid_from, entry.valid_to)):
                    return other, phrasing
        return None


def _id_from_question(entry: EntryIn) -> bool:
    """Whether the entry's id says nothing but its question: none given, or the one `read_entries` derived."""
    return entry.id is None or entry.id == derived_id(entry)


class EntryConflict(InputError):
    """Another entry holds the id, or answers the same question (in any of the two's phrasings) in the same period:
    the request is right, the store holds what it would clash with."""


class WithdrawsAnswer(InputError):
    """An edit that moves the valid_from of an entry suggested today to a later day: agents lost today's answer until
    then, unseen (a department re-sending its question with the day its new answer starts). An entry not suggested
    today (scheduled, expired) may start on another day, and any entry earlier."""


class EntryChanged(InputError):
    """The entry was changed or deleted since the client read it: its edit would silently undo another's."""

    def __init__(self, entry_id: str, current: Entry | None):
        self.current = current
        # stored as UTC without an offset; the message says so, as the entry's JSON does
        changed_at = current.updated_at.replace(tzinfo=timezone.utc).isoformat() if current else ""
        now = f"last changed {changed_at} by {current.updated_by}" if current else "deleted"
        super().__init__(f"entry {entry_id!r} changed since it was read ({now}); read it again")


def _check_unchanged(entry_id: str, row: EntryRow | None, read_at: datetime | None) -> None:
    if read_at is not None and (row is None or row.to_entry().updated_at != read_at):
        raise EntryChanged(entry_id, row.to_entry() if row else None)


@dataclass(frozen=True)
class ExportStamp:
    """The `updated_at` a row of an exported file carries: which version of its entry the file was made from.
    `resolution`: how finely the cell still tells it (a spreadsheet program that took it for a time may keep only the
    minute, a date cell only the day)."""

    at: datetime  # naive UTC, as stored: the start of the window the version's own stamp lies in
    resolution: timedelta = timedelta(microseconds=1)

    def holds(self, stamp: datetime) -> bool:
        return self.at <= stamp < self.at + self.resolution

    def before(self, stamp: datetime) -> bool:
        """Whether `stamp` is certainly later than the version the row was exported from."""
        return stamp >= self.at + self.resolution


def _kept_versions(session: Session, entry_id: str) -> list[HistoryRow]:
    """The versions of the entry that edits replaced and a delete removed, oldest first."""
    return list(session.scalars(select(HistoryRow).where(HistoryRow.entry_id == entry_id).order_by(HistoryRow.id)))


@dataclass(frozen=True)
class _ChangedSince:
    """The changes an entry had after the version a row of an exported file holds."""

    change: str  # the last one (what, when, by whom), by others where there are any
    by_others: bool  # False: all were `by`'s own (a trainer who goes on editing the sheet they imported)
    versions: list[Entry]  # every version the entry had since the row's, that one first


def _changed_since(session: Session, entry_id: str, stamp: ExportStamp, by: str) -> _ChangedSince | None:
    """None if no one changed the entry after the version `stamp` names."""
    history = _kept_versions(session, entry_id)
    versions = [Entry.model_validate(kept.content) for kept in history]
    # the oldest kept version in the stamp's window: where a coarse stamp (a minute) holds two, counting from the
    # older one never lets a row undo a change made within that minute (a row equal to the current version never
    # gets here)
    exported = next((i for i, version in enumerate(versions) if stamp.holds(version.updated_at)), None)
    # each kept version names the change that ended it
    after = history[exported:] if exported is not None else [kept for kept in history if stamp.before(kept.changed_at)]
    if not after:
        return None
    others = [kept for kept in after if kept.changed_by != by]
    return _ChangedSince(_change_said((others or after)[-1]), bool(others),
                         versions[exported:] if exported is not None else [])


def _change_said(kept: HistoryRow) -> str:
    """The change that ended a kept version: what, when, by whom."""
    return (f"{'deleted' if kept.action == 'delete' else 'changed'} {centre_time(kept.changed_at):%Y-%m-%d %H:%M} "
            f"by {kept.changed_by}")


def _repeats_a_replaced_version(session: Session, entry_id: str, current: Entry | None, entry: EntryIn,
                                by: str) -> bool:
    """Whether a row that does not say which version it was made from (no updated_at: a row added to the sheet, a
    cell cleared, an office's sheet sent again) repeats a version of its entry that someone other than `by` replaced
    or deleted since: a sheet kept for days put back an answer another trainer had fixed, unsaid."""
    if current is not None and current.updated_by == by:
        return False  # before reading the history: an import of the importer's own entries is the common case
    history = _kept_versions(session, entry_id)
    if not history or (current is None and (history[-1].action != "delete" or history[-1].changed_by == by)):
        return False
    return _repeats_a_kept_version(history, entry)


def _own_change_undone(session: Session, entry_id: str, current: Entry | None, entry: EntryIn, by: str) -> str | None:
    """The last change of `by`'s own that a row without updated_at undoes, repeating a version it replaced (what,
    when, by whom, as `_changed_since` names it): a knowledge-base editor's round imported the pack's faq.jsonl again
    and put back an answer she had changed and an entry she had deleted, unsaid. None: the row undoes none."""
    if current is not None and current.updated_by != by:
        return None  # before reading the history: the last change is another's (`over_others` names it)
    history = _kept_versions(session, entry_id)
    if not history or history[-1].changed_by != by or not _repeats_a_kept_version(history, entry):
        return None
    return _change_said(history[-1])


def _repeats_a_kept_version(history: list[HistoryRow], entry: EntryIn) -> bool:
    given = entry.model_fields_set - {"id"}
    row = entry.model_dump(include=given)
    return any(Entry.model_validate(kept.content).model_dump(include=given) == row for kept in history)


def _lost_to_gbk(stored: Entry, entry: EntryIn, given: set[str]) -> list[str]:
    """The fields of `entry` that are `stored`'s with what GBK cannot hold turned into '?': an exported CSV saved again
    as Excel's "CSV (逗号分隔)" on a Chinese Windows, imported, replaced another trainer's answers with ones
    reading 「? 拨打12333 ?」 as that trainer's edits."""
    lost = []
    for name in sorted(given & {"question", "alternatives", "answer", "unit", "topic", "tags"}):
        before, after = getattr(stored, name), getattr(entry, name)
        before, after = (before, after) if isinstance(before, str) else ("\n".join(before), "\n".join(after))
        if before != after and before.encode("gbk", errors="replace").decode("gbk") == after:
            gone = dict.fromkeys(char for char in before
                                 if char != "?" and char.encode("gbk", errors="replace") == b"?")
            lost.append(f"column {name!r} has '?' in place of {' '.join(gone)}")
    return lost


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    # stored entries of a source the import holds that it does not hold: deleted with `prune`, else kept
    deleted: tuple[str, ...] = ()
    not_in_file: tuple[str, ...] = ()
    # entries left as they are because others changed them after the file was exported: it holds an earlier version
    # of each, or none
    newer: tuple[str, ...] = ()
    new: tuple[str, ...] = ()  # the ids of the entries added
    # entries the import put back to a version the importer had replaced or deleted since the file was exported, or
    # pruned though the importer changed them since, each with that change: a trainer's round imported the morning's
    # export in the afternoon and undid their own edits, deletion and additions of the day without a word
    put_back: tuple[str, ...] = ()
    # entries replaced by a row without its updated_at whose stored version someone else wrote, each with who and when:
    # the file cannot tell which version it was edited from (a trainer's round replaced a colleague's fix of a minute
    # before, unsaid)
    over_others: tuple[str, ...] = ()


class LargePrune(InputError):
    """A pruning import that would delete more of the stored entries than it was allowed to."""

    def __init__(self, deleted: tuple[str, ...], held: int):
        super().__init__(f"the import would delete {len(deleted)} of the {held} stored entries of its kind, all that "
                         "the file does not hold; nothing imported")
        self.deleted, self.held = deleted, held


class EntryStore:
    """CRUD on entries; every public method is one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        create_tables(self.engine, Base.metadata)
        add_missing_columns(self.engine, EntryRow.__table__)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._fill_question_keys()

    def _fill_question_keys(self) -> None:
        """Keys for the entries of a database made before `question_key` was stored, or stored in an earlier form
        (once; cheap when none lack it). Concurrent openers compute the same keys, so it does not matter which one
        writes them."""
        with self._session.begin() as session:
            missing = session.execute(select(EntryRow.id, EntryRow.source, EntryRow.question)
                                      .where(EntryRow.question_key.is_(None)
                                             | EntryRow.question_key.not_like(f"%{_KEY_FORM}"))).all()
            if missing:
                session.execute(update(EntryRow), [{"id": entry_id, "question_key": question_key(source, question)}
                                                   for entry_id, source, question in missing])

    def close(self) -> None:
        self.engine.dispose()

    # -- reading ---------------------------------------------------------------------------------
    def version(self) -> int:
        with self._session() as session:
            return self._version_in(session)

    @staticmethod
    def _version_in(session: Session) -> int:
        state = session.get(StateRow, 1)
        return state.version if state else 0

    def get(self, entry_id: str) -> Entry | None:
        with self._session() as session:
            row = session.get(EntryRow, entry_id)
            return row.to_entry() if row else None

    def all(self, source: Source | None = None) -> list[Entry]:
        """Every entry, or those of `source` (the curated answers, without a case library of 100,000)."""
        query = select(EntryRow).order_by(EntryRow.id)
        with self._session() as session:
            return [row.to_entry() for row in session.scalars(query if source is None
                                                              else query.where(EntryRow.source == source))]

    def count(self) -> int:
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(EntryRow)) or 0

    # -- writing ---------------------------------------------------------------------------------
    def stamps(self) -> dict[str, datetime]:
        """id → updated_at of every entry: enough to tell which entries changed, without loading them."""
        with self._session() as session:
            return dict(session.execute(select(EntryRow.id, EntryRow.updated_at)).all())

    def get_many(self, ids: list[str]) -> list[Entry]:
        out: list[Entry] = []
        with self._session() as session:
            for start in range(0, len(ids), 500):
                rows = session.scalars(select(EntryRow).where(EntryRow.id.in_(ids[start : start + 500])))
                out.extend(row.to_entry() for row in rows)
        return out

    def deleted(self) -> set[str]:
        """The ids of the entries someone deleted (kept in their history) or erased, and nobody stored again since."""
        with self._session() as session:
            gone = set(session.scalars(select(HistoryRow.entry_id).where(HistoryRow.action == "delete").distinct()))
            gone |= set(session.scalars(select(ErasedRow.entry_id)))
            return gone - set(session.scalars(select(EntryRow.id).where(EntryRow.id.in_(gone)))) if gone else set()

    def history(self, entry_id: str) -> list[Change]:
        """The entry's changes, oldest first; kept after the entry is deleted."""
        with self._session() as session:
            current = session.get(EntryRow, entry_id)
            return _changes(_kept_versions(session, entry_id), current.to_entry() if current else None)

    # -- writing: each returns the version counter its transaction set ---------------------------
    @staticmethod
    def _keep(session: Session, row: EntryRow, action: str, by: str, at: datetime) -> None:
        """File the version `row` holds now, before an update or a delete replaces it."""
        session.add(HistoryRow(entry_id=row.id, content=row.to_entry().model_dump(mode="json"), action=action,
                               changed_at=at, changed_by=by))

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A transaction that edits entries, holding the store's write lock from its first read. Two processes (two
        service instances, the CLI beside the service) that each read an entry and then each wrote it lost one
        edit, an If-Match check included: pysqlite begins a transaction only at the first write, and PostgreSQL's
        READ COMMITTED lets both read. Plain reads (search, list) never wait for it."""
        with self._session.begin() as session:
            hold_write_lock(session.connection(), KB_WRITE_LOCK)
            yield session

    def _bump(self, session: Session) -> int:
        state = session.get(StateRow, 1, with_for_update=True)
        if state is None:
            state = StateRow(id=1, version=0)
            session.add(state)
        state.version += 1
        return state.version

    def add(self, entry: EntryIn, updated_by: str) -> tuple[Entry, int]:
        """Insert a new entry; an id already taken is an error (use `update` or `upsert_many`)."""
        entry = _as_stored(entry)
        row = EntryRow(**entry.model_dump(), updated_at=utc_now(), updated_by=updated_by)
        row.id = entry.id or derived_id(entry)
        taken = (f"条目 {row.id!r} 已存在{'' if entry.id else '（同一问题）'}，请修改它 / entry {row.id!r} already exists"
                 + ("" if entry.id else " with this question") + " (use update)")
        try:
            with self._writing() as session:
                key = question_key(entry.source, entry.question)
                if _id_from_question(entry) and (same := _answering_then(
                        (entry.valid_from, entry.valid_to), self._periods_asking(session, [key])[key], centre_today())):
                    raise EntryConflict(f"条目 {same!r} 在同一时段已有此问题：请修改它（坐席立即看到）；若是某日起的新答复，先把 "
                                        f"{same!r} 的 valid_to 设为前一天，再以该日为 valid_from 新增一条 / entry "
                                        f"{same!r} already exists with this question in the same period: update it "
                                        "(agents get the change at once), or, for an answer from a later day on, "
                                        f"first give {same!r} valid_to the day before, then add this one with that "
                                        "valid_from (an entry of its own)")
                if session.get(EntryRow, row.id) is not None:
                    raise EntryConflict(taken)
                self._check_one_answer_at_a_time(session, entry, row.id)
                session.add(row)
                version = self._bump(session)
        except IntegrityError as exc:
            raise EntryConflict(taken) from exc
        return row.to_entry(), version

    def update(self, entry_id: str, change: EntryUpdate, updated_by: str,
               read_at: datetime | None = None) -> tuple[Entry, int]:
        """`read_at`: the `updated_at` of the entry as the client read it; `EntryChanged` if it is no longer that."""
        with self._writing() as session:
            row = session.get(EntryRow, entry_id)
            _check_unchanged(entry_id, row, read_at)
            if row is None:
                raise InputError(f"no entry {entry_id!r}")
            before = row.to_entry()
            stored = before.model_dump(include=set(EntryIn.model_fields))
            given = change.model_dump(exclude_unset=True)
            # a field sent back as it is stored is no change (a form sends the whole entry with its period changed)
            unchanged = {name for name in stored if name not in given or given[name] == stored[name]}
            merged = _as_stored(EntryIn.model_validate({**stored, **given}, context={"unchanged": unchanged}))
            if withdrawn := _withdrawal(before, merged.valid_from, centre_today()):
                raise WithdrawsAnswer(withdrawn)
            values = merged.model_dump(exclude={"id"})
            # only an edit of a curated answer's question, its other phrasings or the period can make two answers meet
            # (two that met before this rule stay editable; a past case's phrasings are messages, keyed for nothing)
            if merged.source == "faq" and _asked_when(merged) != _asked_when(before):
                self._check_one_answer_at_a_time(session, merged, entry_id)
            if before.model_dump(include=set(values)) == values:
                # As in an import: a change that changes nothing keeps the entry's stamp and adds no version.
                return before, self._version_in(session)
            now = utc_now()
            self._keep(session, row, "update", updated_by, now)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at, row.updated_by = now, updated_by
            return row.to_entry(), self._bump(session)

    def delete(self, entry_id: str, deleted_by: str, read_at: datetime | None = None) -> int:
        with self._writing() as session:
            row = session.get(EntryRow, entry_id)
            _check_unchanged(entry_id, row, read_at)
            if row is None:
                raise InputError(f"no entry {entry_id!r}")
            self._keep(session, row, "delete", deleted_by, utc_now())
            session.delete(row)
            return self._bump(session)

    def erase(self, entry_id: str) -> tuple[int, list[str], int]:
        """Deletes the entry, if it is still there, and every version of it that was kept: what a request to erase
        personal data needs, where `delete` keeps the versions. Returns (entries removed, the search texts of
        every version removed, the store's version): the cache holds those texts' tokens (`keep_cached_only`)."""
        with self._writing() as session:
            row = session.get(EntryRow, entry_id)
            kept = _kept_versions(session, entry_id)
            if row is None and not kept:
                raise InputError(f"no entry {entry_id!r}, ever")
            texts = [Entry.model_validate(version.content).search_text for version in kept]
            session.execute(delete(HistoryRow).where(HistoryRow.entry_id == entry_id))
            session.merge(ErasedRow(entry_id=entry_id, erased_at=utc_now()))
            if row is not None:
                texts.append(row.to_entry().search_text)
                session.delete(row)
            return int(row is not None), texts, self._bump(session)

    @staticmethod
    def _check_one_answer_at_a_time(session: Session, entry: EntryIn, entry_id: str) -> None:
        """A curated answer may not ask, in any of its phrasings, what another answers in the same period under any
        of its own: both were suggested, the second under the first's question (社保卡掉了怎么办 is one phrasing of
        社保卡丢了怎么补办？, and agents got two answers to it). One that takes over when the other expires may."""
        same = _CuratedPhrasings(session).answering(entry, entry_id)
        if same is not None:
            other, phrasing = same
            same_question = phrasing == entry.question
            asked = "this question" if same_question else f"{phrasing!r} (another phrasing of this entry)"
            raise EntryConflict(f"条目 {other!r} 在同一时段已回答{'此问题' if same_question else f'{phrasing!r}（本条的其他问法）'}"
                                f"（请修改那一条，或让两条的时段不重叠）/ entry {other!r} already answers {asked} in the "
                                "same period (edit that one, or give the two periods that do not overlap)")

    @staticmethod
    def _periods_asking(session: Session, keys: list[str]) -> dict[str, list[tuple[str, Period]]]:
        """`question_key` → the stored entries asking it, by id, each with its period: one answer after another, or a
        question stored twice (under explicit ids, or in a database made before questions were compared
        normalised)."""
        found: dict[str, list[tuple[str, Period]]] = {key: [] for key in keys}
        for start in range(0, len(keys), 500):
            for key, entry_id, valid_from, valid_to in session.execute(
                    select(EntryRow.question_key, EntryRow.id, EntryRow.valid_from, EntryRow.valid_to)
                    .where(EntryRow.question_key.in_(keys[start : start + 500])).order_by(EntryRow.id)):
                found[key].append((entry_id, (valid_from, valid_to)))
        return found

    def upsert_many(self, entries: Iterable[EntryIn], updated_by: str, prune: bool = False,
                    prune_share: float = 1.0, *, trial: bool = False, names: list[str] | None = None,
                    exported: list[ExportStamp | None] | None = None) -> tuple[ImportResult, list[Entry], int]:
        """Import: all entries in one transaction (nothing half-imported); an entry whose id exists updates it (the
        fields it was given: those an import file has no column for, or a JSONL line leaves out, keep their stored
        values), and so does an entry without an id of its own (see `_id_from_question`) whose question is stored under
        another id in a period that overlaps its own (one question, one entry, whatever id it was given when it was
        added; the answer that takes over when that one ends is an entry of its own). An update that would withdraw an
        answer suggested today (`WithdrawsAnswer`) is refused, naming the entry as `names` does (a file's rows:
        `read_entry_rows`; "entry 3 of the import" without). The stored entries of a source the import holds (faq, case)
        that it does not hold are named in the result, and with `prune` deleted in the same transaction: a trainer who
        deletes a row of the exported sheet means the entry to go; `LargePrune` where that is more than `prune_share` of
        them (a filtered sheet is no whole one). A `trial` import refuses as the import would, and writes nothing
        (version 0); it gives the entries as the import would store them: the CLI asks it before it spends minutes
        encoding a file that is then refused, and for `kb import --dry-run`.

        `exported`: each entry's `ExportStamp` where its row came from an export (`kb export`). A sheet exported on
        Monday and imported on Friday had put back the answer another trainer fixed on Wednesday, unsaid. An entry
        changed (or deleted) after its row's version is left as it is where the row is as exported, and named in
        `ImportResult.newer`; where the row changes it too, the import is refused, naming both changes. Stored entries
        the file does not hold that others changed after its newest row (added since it was exported) are never
        pruned. A row without a stamp is left out likewise where it repeats a version of its entry that others
        replaced since. `updated_by`'s own changes are what the file was imported to make: a row may put one back, and
        a pruning import delete an entry they added (`ImportResult.put_back` names each, since an older file does the
        same)."""
        added = updated = unchanged = 0
        newer: list[str] = []
        put_back: list[str] = []
        over_others: list[str] = []
        new: list[str] = []
        both_changed: list[str] = []
        garbled: list[str] = []
        stored: list[Entry] = []
        asking: list[Entry] = []  # FAQ entries added, or asking another question or in another period than before
        now = utc_now()
        entries = [_as_stored(entry) for entry in entries]
        ids = [entry.id or derived_id(entry) for entry in entries]
        seen: set[str] = set()
        withdrawn: list[str] = []
        today = centre_today()
        with self._writing() as session:
            existing: dict[str, EntryRow] = {}
            for start in range(0, len(ids), 500):  # one query per 500 ids, not one per entry
                chunk = ids[start : start + 500]
                existing.update((row.id, row) for row in session.scalars(select(EntryRow).where(EntryRow.id.in_(chunk))))
            unmatched = [i for i, entry in enumerate(entries) if _id_from_question(entry) and ids[i] not in existing]
            if unmatched:
                keys = [question_key(entries[i].source, entries[i].question) for i in unmatched]
                by_question = self._periods_asking(session, keys)
                # as the import leaves them: one sheet may end today's answer in a row and start the next in another
                given = dict(zip(ids, entries))
                for i, key in zip(unmatched, keys):
                    periods = [(other, _period_after(period, given.get(other))) for other, period in by_question[key]]
                    if same := _answering_then((entries[i].valid_from, entries[i].valid_to), periods, today):
                        ids[i] = same
                        existing[same] = session.get(EntryRow, same)
            entries = list(zip(ids, entries))
            where_of: dict[str, str] = {}
            for position, (entry_id, entry) in enumerate(entries, start=1):
                where = names[position - 1] if names else f"entry {position} of the import"
                where_of.setdefault(entry_id, where)
                if entry_id in seen:
                    first = ids.index(entry_id) + 1
                    both = f"{names[first - 1]} and {where}" if names else f"entries {first} and {position} of the import"
                    raise InputError(f"{both} are both entry {entry_id!r} (a "
                                     "row without an id is the stored entry that asks its question)")
                seen.add(entry_id)
                row = existing.get(entry_id)
                # A stored entry keeps what the import does not give (a sheet of new answers only must not clear
                # the alternatives, or the valid_to that retired the entry).
                values = entry.model_dump(exclude={"id"}, include=None if row is None else entry.model_fields_set)
                before = None if row is None else row.to_entry()
                if before is not None and before.model_dump(include=set(values)) == values:
                    # Re-importing the whole file is routine: an unchanged entry keeps its stamp and its history.
                    unchanged += 1
                    continue
                stamp = exported[position - 1] if exported else None
                given = entry.model_fields_set - {"id"}
                if stamp is not None and (since := _changed_since(session, entry_id, stamp, updated_by)) is not None:
                    row_values = entry.model_dump(include=given)
                    as_before = any(version.model_dump(include=given) == row_values for version in since.versions)
                    if not since.by_others:
                        # the importer's own change: put back on purpose, or an older file than the one they edit
                        if as_before:
                            put_back.append(f"{entry_id} ({since.change})")
                    elif as_before:
                        newer.append(entry_id)  # the row as exported: putting it back would undo the later change
                        continue
                    else:
                        now_at = ("" if before is None else f"; to put the row over it, write its updated_at now, "
                                  f"{centre_time(before.updated_at).isoformat()}, in the row's updated_at cell")
                        both_changed.append(f"{where}: {entry_id!r} was {since.change} after the row's version, "
                                            f"which the row would undo{now_at}")
                        continue
                if stamp is None and _repeats_a_replaced_version(session, entry_id, before, entry, updated_by):
                    newer.append(entry_id)
                    continue
                if stamp is None and (undone := _own_change_undone(session, entry_id, before, entry, updated_by)):
                    put_back.append(f"{entry_id} ({undone})")
                if stamp is None and before is not None and before.updated_by != updated_by:
                    when = centre_time(before.updated_at)
                    over_others.append(f"{entry_id} ({before.updated_by}, {when:%m-%d %H:%M})")
                if before is not None and (lost := _lost_to_gbk(before, entry, given)):
                    garbled.append(f"{where}: {entry_id!r}: {', '.join(lost)}")
                    continue
                if row is None:
                    row = EntryRow(id=entry_id)
                    session.add(row)
                    added += 1
                    new.append(entry_id)
                else:
                    self._keep(session, row, "update", updated_by, now)
                    updated += 1
                for name, value in values.items():
                    setattr(row, name, value)
                if before is not None and (withdrawal := _withdrawal(before, row.valid_from, today)):
                    withdrawn.append(f"{where}: {withdrawal}")
                row.updated_at, row.updated_by = now, updated_by
                stored.append(row)
                # only curated answers can meet (`_CuratedPhrasings`): a case is not read back for it
                if row.source == "faq":
                    after = row.to_entry()
                    if before is None or _asked_when(before) != _asked_when(after):
                        asking.append(after)
            refuse_problems("", withdrawn)
            refuse_problems("", both_changed, " (导出后已被他人修改: export the knowledge base again and redo these rows' "
                            "edits in the new file)")
            refuse_problems("", garbled, " (字符变成了问号: a CSV saved in GBK cannot hold them; save the sheet as "
                            "'CSV UTF-8' or .xlsx and import that)")
            sources = {entry.source for _, entry in entries}
            held = session.scalars(select(EntryRow.id).where(EntryRow.source.in_(sources)).order_by(EntryRow.id)).all()
            missing = tuple(entry_id for entry_id in held if entry_id not in seen)
            if stamps := [stamp for stamp in exported or () if stamp is not None]:
                # the newest row tells when the file was exported, at the earliest: an entry that changed later was
                # added or edited since, and its row is not missing from the file, it was never in it
                newest = max(stamps, key=lambda stamp: stamp.at + stamp.resolution)
                changed = session.execute(select(EntryRow.id, EntryRow.updated_by, EntryRow.updated_at).where(
                    EntryRow.source.in_(sources), EntryRow.updated_at >= newest.at + newest.resolution)).all()
                later = {entry_id for entry_id, by, _ in changed if by != updated_by}
                newer += [entry_id for entry_id in missing if entry_id in later]
                missing = tuple(entry_id for entry_id in missing if entry_id not in later)
                if prune:  # the importer's own: deleting a row of the sheet they edit means it, as does an older file
                    own = {entry_id: at for entry_id, by, at in changed if by == updated_by}
                    put_back += [f"{entry_id} (changed {centre_time(own[entry_id]):%Y-%m-%d %H:%M} by {updated_by}, "
                                 "not in the file: deleted)" for entry_id in missing if entry_id in own]
            # the share of what was stored before the import: counting the rows it adds, a sheet of new answers as
            # long as the store deleted every stored entry unasked
            stored_before = sum(1 for entry_id in held if entry_id not in seen or entry_id in existing)
            if prune and len(missing) > prune_share * stored_before:
                raise LargePrune(missing, stored_before)
            if prune:
                for entry_id in missing:
                    row = session.get(EntryRow, entry_id)
                    self._keep(session, row, "delete", updated_by, now)
                    session.delete(row)
            session.flush()
            # as `add` and `update` refuse it: an id Excel changed (0012 read back as 12), or a retyped one, made a
            # second entry for the question, and agents were suggested both answers, the new and the old
            clashes: dict[frozenset[str], str] = {}
            curated = _CuratedPhrasings(session)
            for entry in asking:
                if (same := curated.answering(entry, entry.id)) is not None:
                    other, phrasing = same
                    # each by its row of the file, or as stored already (a trainer looked in the sheet for an id made
                    # from a row's question), and the other phrasing that met (a row without an id is found by its text)
                    named = [f"{i!r} ({where_of.get(i, 'stored')})" for i in (entry.id, other)]
                    clashes.setdefault(frozenset((entry.id, other)),
                                       f"entries {named[0]} and {named[1]} answer one question"
                                       f"{'' if phrasing == entry.question else f' ({phrasing!r})'} in the same period")
            refuse_problems("", list(clashes.values()),
                            " (keep one of each two, or give them periods that do not overlap)")
            result = ImportResult(added, updated, unchanged, deleted=missing if prune else (),
                                  not_in_file=() if prune else missing, newer=tuple(newer), new=tuple(new),
                                  put_back=tuple(put_back), over_others=tuple(over_others))
            entries_out = [row.to_entry() for row in stored]
            if trial:
                session.rollback()
                return result, entries_out, 0
            version = self._bump(session)
            session.flush()
        return result, entries_out, version

    # -- embedding cache -------------------------------------------------------------------------
    def cached_vectors(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        with self._session() as session:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                found.update(session.execute(select(EmbeddingRow.key, EmbeddingRow.vector)
                                             .where(EmbeddingRow.key.in_(chunk))).all())
        return found

    def keep_cached_only(self, keys: Iterable[str]) -> int:
        """Deletes every cache row but those of `keys`, whichever build of the tokenizer or encoder wrote it: an edit
        leaves the old text's rows behind, and an upgrade of the pipeline every row under the old tokenizer's
        fingerprint. Returns how many rows went."""
        keep = set(keys)
        with self._session.begin() as session:
            stale = [key for key in session.scalars(select(EmbeddingRow.key)) if key not in keep]
            for start in range(0, len(stale), 500):
                session.execute(delete(EmbeddingRow).where(EmbeddingRow.key.in_(stale[start : start + 500])))
        return len(stale)

    def cache_vectors(self, vectors: dict[str, bytes]) -> None:
        known = self.cached_vectors(list(vectors))
        fresh = {k: v for k, v in vectors.items() if k not in known}
        try:
            with self._session.begin() as session:
                session.add_all(EmbeddingRow(key=k, vector=v) for k, v in fresh.items())
        except IntegrityError:
            pass  # another process cached the same text meanwhile: the cache is complete either way
        except OperationalError as exc:
            # It only saves work: a database read but not written (read-only at start) kept the service's index, and
            # so every route, from loading.
            log.warning("knowledge-base cache not written, its texts are segmented and encoded again next time: %s",
                        type(exc).__name__)

