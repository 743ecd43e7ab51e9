"""`appeal kb ...`: the knowledge base (FAQ and case library) from the command line.

Writes go straight to the database, one transaction each; a running service picks them up at its next
search. Searching and evaluating use the e5 encoder when `--dense` (the default).
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from appeal.cli import ByOption, who, wrapping_table

kb_app = typer.Typer(help="Knowledge base: FAQ entries and past cases suggested to agents.", no_args_is_help=True)

DenseOption = typer.Option(True, "--dense/--bm25-only", help="also rank by e5 similarity (needs the base model)")


def _db_url(adding: bool = False) -> str:
    """Where the knowledge base is: a command that adds entries may make a new one (and says so), the others only
    read or change what is there."""
    from appeal.cli import existing_database, note_new_store
    from appeal.config import get_settings

    settings = get_settings()
    if not adding:
        return existing_database(settings)
    if settings.sqlite_file is not None:
        note_new_store(settings.sqlite_file, "knowledge base")
    return settings.db_url


def _store(adding: bool = False):
    from knowledge_base.store import EntryStore

    return EntryStore(_db_url(adding))


@contextmanager
def _in_option_words() -> Iterator[None]:
    """Validation errors as one line that names the options."""
    from pydantic import ValidationError

    from knowledge_base.files import validation_message
    from pipeline.errors import InputError

    try:
        yield
    except ValidationError as exc:
        # an option cannot be left empty as a cell can: `none` is its word for no day (`_option_day`)
        raise InputError(validation_message(exc, lambda field: "--" + field.replace("_", "-"), "write none")) from None


def _validated(model, values: dict):
    with _in_option_words():
        return model.model_validate(values)


def _score_and_rank(score: float | None, rank: int | None) -> str:
    return "-" if rank is None else f"{score:.2f} ({rank})"


def _print_entry(entry) -> None:
    typer.echo(json.dumps(entry.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=2))


# A long notice given as `-a "$(cat notice.txt)"` met the shell's limit (Argument list too long: a trainer's round)
AnswerFileOption = typer.Option(None, "--answer-file", help="the answer read from a text file (UTF-8 or GBK), in "
                                                            "place of --answer: a long notice")


def _answer_given(answer: str | None, answer_file: Path | None) -> str | None:
    """--answer, or the text of --answer-file."""
    from pipeline.errors import InputError
    from pipeline.records import check_file, decode_text

    if answer is not None and answer_file is not None:
        raise InputError("--answer and --answer-file: give one")
    if answer_file is None:
        return answer
    check_file(answer_file)
    return decode_text(answer_file.read_bytes(), answer_file)[0].strip()


@kb_app.command()
def add(
    question: str = typer.Option(..., "--question", "-q"),
    answer: Optional[str] = typer.Option(None, "--answer", "-a", help="the answer (or --answer-file)"),
    answer_file: Optional[Path] = AnswerFileOption,
    unit: str = typer.Option("", "--unit", "-u", help="responsible unit (required for a FAQ)"),
    topic: str = typer.Option("", "--topic"),
    alt: Optional[list[str]] = typer.Option(None, "--alt", help="another phrasing of the question (repeatable, or "
                                                                "|-separated as in a sheet)"),
    tag: Optional[list[str]] = typer.Option(None, "--tag", help="keyword (repeatable, or separated by , 、 ; |)"),
    entry_id: Optional[str] = typer.Option(None, "--id",
                                           help="id (default: from the question and --valid-from; a question an entry "
                                                "answers in an overlapping period is refused)"),
    source: str = typer.Option("faq", "--source", help="faq or case"),
    valid_from: Optional[str] = typer.Option(None, "--valid-from", help="YYYY-MM-DD (or 2027/6/30, 2027年6月30日)"),
    valid_to: Optional[str] = typer.Option(None, "--valid-to", help="YYYY-MM-DD (or 2027/6/30, 2027年6月30日)"),
    by: Optional[str] = ByOption,
) -> None:
    """Add one entry."""
    from knowledge_base.files import list_items
    from knowledge_base.store import EntryIn, expired_warnings, similar_question_warnings
    from pipeline.errors import InputError

    if (answer := _answer_given(answer, answer_file)) is None:
        raise InputError("give the answer: --answer TEXT or --answer-file FILE")
    entry = _validated(EntryIn, dict(id=entry_id, question=question, answer=answer, unit=unit, topic=topic,
                                     alternatives=list_items("alternatives", alt or []),
                                     tags=list_items("tags", tag or []), source=source,
                                     valid_from=valid_from and _option_day("--valid-from", valid_from),
                                     valid_to=valid_to and _option_day("--valid-to", valid_to)))
    _warn([entry])
    store = _store(adding=True)
    stored, _ = store.add(entry, who(by))
    _say_warnings([*expired_warnings([stored]), *similar_question_warnings([stored], store.all(source="faq"))])
    _print_entry(stored)


def _option_day(option: str, value: str) -> str | None:
    from knowledge_base.files import validity_day
    from pipeline.errors import InputError
    from pipeline.records import AmbiguousDate

    if value.strip().lower() in ("", "none"):
        return None
    try:
        return validity_day(value)
    except AmbiguousDate as exc:
        raise InputError(f"{option} {exc}") from None


@kb_app.command()
def update(
    entry_id: str = typer.Argument(...),
    question: Optional[str] = typer.Option(None, "--question", "-q"),
    answer: Optional[str] = typer.Option(None, "--answer", "-a"),
    answer_file: Optional[Path] = AnswerFileOption,
    unit: Optional[str] = typer.Option(None, "--unit", "-u"),
    topic: Optional[str] = typer.Option(None, "--topic"),
    alt: Optional[list[str]] = typer.Option(None, "--alt", help="replaces all other phrasings (repeatable)"),
    add_alt: Optional[list[str]] = typer.Option(None, "--add-alt",
                                                help="adds a phrasing, keeping the others (repeatable)"),
    tag: Optional[list[str]] = typer.Option(None, "--tag", help="replaces all tags (repeatable)"),
    valid_from: Optional[str] = typer.Option(None, "--valid-from", help="YYYY-MM-DD, or none to remove it"),
    valid_to: Optional[str] = typer.Option(
        None, "--valid-to",
        help="YYYY-MM-DD (a past date retires the entry), or none (长期) to remove it (brings it back)"),
    by: Optional[str] = ByOption,
) -> None:
    """Change the given fields of one entry."""
    from knowledge_base.files import list_items
    from knowledge_base.store import EntryUpdate, expired_warnings, rule_warnings, similar_question_warnings
    from pipeline.errors import InputError

    if alt and add_alt:
        raise InputError("--alt replaces the other phrasings and --add-alt keeps them: give one")
    answer = _answer_given(answer, answer_file)
    store = _store()
    before = store.get(entry_id)
    if before is None:
        raise InputError(f"no entry {entry_id!r}")
    # the stored phrasings as they are (one sent by the API may hold a |), the new ones split as --alt's; a repeat
    # is dropped by the entry's own check
    phrasings = [*before.alternatives, *list_items("alternatives", add_alt)] if add_alt else (
        alt and list_items("alternatives", alt))
    given = dict(question=question, answer=answer, unit=unit, topic=topic, alternatives=phrasings,
                 tags=tag and list_items("tags", tag), valid_from=valid_from, valid_to=valid_to)
    values = {k: v for k, v in given.items() if v is not None}
    for name in ("valid_from", "valid_to"):
        # an option cannot be given as null: "none" (or "") stands for it, so that a retired entry can come back
        if name in values:
            values[name] = _option_day(f"--{name.replace('_', '-')}", values[name])
    change = _validated(EntryUpdate, values)
    with _in_option_words():  # a change valid alone may not be with the entry's other fields (--valid-from)
        # as read: --add-alt's phrasings were added to these, and a change between would be lost
        stored, _ = store.update(entry_id, change, who(by), read_at=before.updated_at)
    if unit is not None or answer is not None or question is not None or phrasings is not None:
        _warn([stored])
    if dropped := [phrasing for phrasing in before.alternatives if phrasing not in stored.alternatives]:
        # a trainer's round gave --alt to add one phrasing, and lost two without a word
        _say_warnings([f"{entry_id}: --alt replaced its other phrasings, {len(dropped)} dropped: "
                       f"{' | '.join(dropped)} (`--add-alt` adds one and keeps the others; `appeal kb history "
                       f"{entry_id}` shows them)"])
    _say_warnings([*rule_warnings([stored]), *expired_warnings([stored]),
                   *similar_question_warnings([stored], store.all(source="faq"))])
    _print_entry(stored)


@kb_app.command()
def delete(
    entry_id: str = typer.Argument(...),
    by: Optional[str] = ByOption,
    erase: bool = typer.Option(False, "--erase", help="also erase every kept version, e.g. for a request to erase "
                                                      "personal data (works on an entry deleted before, too)"),
) -> None:
    """Delete one entry (its history is kept: `appeal kb history`, unless --erase)."""
    if not erase:
        _store().delete(entry_id, who(by))
        typer.echo(f"deleted {entry_id}")
        return
    from knowledge_base.kb import erase_entry

    entries, versions = erase_entry(_store(), entry_id)
    # the erasure leaves nothing of the entry in the database, so the trainer's terminal is where it is said
    typer.echo(f"erased {entry_id}: {'the entry and ' if entries else ''}{versions} kept versions, by {who(by)}")


@kb_app.command()
def history(
    entry_id: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="print JSON, with the entry as it stood after each change"),
) -> None:
    """Every change of one entry, oldest first: when, who, and what it said then (kept after a delete)."""
    from pipeline.errors import InputError

    changes = _store().history(entry_id)
    if not changes:
        raise InputError(f"no entry {entry_id!r}, ever")
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in changes], ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from appeal.config import centre_minute, get_settings

    table = wrapping_table("at", "action", "by", "changed", "question", "answer",
                           title=f"{entry_id} (times in {get_settings().timezone}; the answer from where it changed; "
                                 "--json: every field in full)")
    before = None
    for change in changes:
        now = change.entry
        changed = "" if before is None or change.action == "delete" else ", ".join(
            name for name, value in now.model_dump(exclude=_STAMPS).items() if getattr(before, name) != value)
        table.add_row(centre_minute(change.at), change.action, change.by, changed, now.question[:30],
                      _from_the_change(before.answer if before else now.answer, now.answer))
        before = now
    Console().print(table)


_STAMPS = {"id", "updated_at", "updated_by"}


def _from_the_change(before: str, after: str, shown: int = 40) -> str:
    """`after` from a little before where it first differs from `before`: a trainer's round saw two versions of an
    answer that differed at its end as the same 40 characters."""
    start = 0 if before == after else max(0, len(os.path.commonprefix([before, after])) - 10)
    return ("…" if start else "") + after[start : start + shown] + ("…" if len(after) > start + shown else "")


def _say_warnings(lines) -> None:
    for line in lines:
        typer.secho(f"warning: {line}", fg=typer.colors.YELLOW, err=True)


def _warn(entries) -> None:
    from appeal.config import get_settings
    from knowledge_base.answer_checks import specifics_warnings
    from knowledge_base.units import load_catalogue, unknown_unit_warnings

    units = get_settings().demo_dir / "units.csv"
    _say_warnings(f"{line} ({units})" for line in unknown_unit_warnings(entries, load_catalogue()))
    _say_warnings(specifics_warnings(entries))


def _import(entries, by: Optional[str], prune: bool | None = None, yes: bool = False,
            names: list[str] | None = None, exported: list | None = None, dry_run: bool = False):
    """Segment and e5-encode the entries into the database's cache, then write them: a running service indexes
    them from the cache at its next search, instead of encoding a case library (minutes on 2 cores) inside an
    agent's search while routing waits. `prune`: see `kb import --prune`; None where the command offers none (a
    case file is a month's export, not the whole library), which says nothing of the entries it does not hold.
    `names`: the file's row of each entry, named where the store refuses one; `exported`: the version each row was
    exported from, where it says (see `EntryStore.upsert_many`); `dry_run`: say what the import would do, encode and
    write nothing. Returns the import's result."""
    from contextlib import closing

    from appeal.cli.progress import Progress
    from knowledge_base.kb import KnowledgeBase, load_encoder
    from knowledge_base.store import Entry, ImportResult, LargePrune, expired_warnings, similar_question_warnings
    from pipeline.errors import InputError

    _warn(entries)
    try:
        encoder = None if dry_run else load_encoder(build=False)
    except InputError:
        encoder = None  # the service then searches with BM25 alone; the tokens are still worth caching
    kb = KnowledgeBase(_db_url(adding=not dry_run), encoder=encoder)
    bar: Progress | None = None

    def progress(done: int, missing: int) -> None:
        nonlocal bar
        if bar is None and missing:
            typer.echo(f"encoding {missing} new texts for search (e5) …", err=True)
            bar = Progress(missing, "encoding", "text")
        if bar is not None:
            bar(done)

    def upsert(trial: bool) -> tuple[ImportResult, list[Entry], int]:
        try:
            return kb.store.upsert_many(entries, who(by), bool(prune), 1.0 if yes else _PRUNE_UNASKED, trial=trial,
                                        names=names, exported=exported)
        except LargePrune as exc:
            raise InputError(f"{exc} ({_some(exc.deleted)}): is the file the whole exported sheet, not a filtered or "
                             "cut one? If they are to go, run it again with --yes") from None

    with closing(kb):
        # a file the import refuses (two entries answering one question) is refused before encoding
        result, written, _ = upsert(trial=True)
        if not dry_run:
            try:
                kb.prepare(entries, progress)
            finally:
                if bar is not None:
                    bar.close()
            result, written, _ = upsert(trial=False)
        # only the entries the import added or changed: a sheet imported again unchanged says it once (and a row whose
        # 失效日期 is already past, a year typed wrong, is said as `kb add` says it: a trainer's round); a trial's
        # entries are not stored, so the others are read beside them
        held = {entry.id: entry for entry in [*kb.store.all(source="faq"), *written]}.values()
        _say_warnings([*expired_warnings(written), *similar_question_warnings(written, held)])
    typer.echo(f"{'would import' if dry_run else 'imported'} {result.added + result.updated + result.unchanged} "
               f"entries ({result.added} new, {result.updated} replaced, {result.unchanged} unchanged"
               + (f", {len(result.deleted)} not in the file "
                  f"{'would be deleted' if dry_run else 'deleted'}: {_some(result.deleted)})" if result.deleted
                  else ")"))
    if result.newer:
        typer.secho("note: changed by others since the version the file holds (or added since it was exported), "
                    f"left as they are: {_some(result.newer, 20)}. To put a row over such a change, write the entry's "
                    "updated_at now (appeal kb list --json) in the row's updated_at cell", fg=typer.colors.YELLOW,
                    err=True)
    if result.put_back:
        typer.secho("note: put back as the file holds them, over later changes of your own: "
                    f"{_some(result.put_back, 20)}. If the file is older than those changes, import the one you edited "
                    "since; appeal kb history ID shows every version", fg=typer.colors.YELLOW, err=True)
    if result.over_others:
        typer.secho("note: replaced what someone else wrote last, by rows without their updated_at (the file cannot "
                    f"tell which version it was edited from): {_some(result.over_others, 20)}. appeal kb history ID "
                    "shows what each said; an export's updated_at column keeps a later edit from being undone",
                    fg=typer.colors.YELLOW, err=True)
    if result.not_in_file and prune is not None:
        typer.secho(f"note: the knowledge base holds {len(result.not_in_file)} entries of the file's kind that the "
                    f"file does not ({_some(result.not_in_file)}): kept; if the file is the whole set, --prune deletes "
                    "them", fg=typer.colors.YELLOW, err=True)
    return result


# A pruning import deletes at most this share of the stored entries unasked: more is a filtered sheet, or one cut
# short, as often as a deliberate clean-up, and agents lose every answer it leaves out.
_PRUNE_UNASKED = 0.5


def _some(ids: tuple[str, ...], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


@kb_app.command("import")
def import_entries(file: Path = typer.Argument(..., help=".jsonl, .csv (.tsv, Excel's Unicode .txt), .xlsx or .xls "
                                                      "(see appeal/demo/README.md)"),
                   by: Optional[str] = ByOption,
                   prune: bool = typer.Option(False, "--prune",
                                              help="also delete the stored entries of the file's sources (faq, case) "
                                                   "that the file does not hold: the rows deleted from an exported "
                                                   "sheet (kept in `kb history`)"),
                   yes: bool = typer.Option(False, "--yes", help="with --prune: delete even where that is more than "
                                                                 "half of the stored entries"),
                   new_only: bool = typer.Option(False, "--new-only",
                                                 help="only add the file's entries the knowledge base lacks (by id "
                                                      "and question) and nobody deleted: a pack's new answers taken "
                                                      "in, the trainers' edits and deletions kept"),
                   dry_run: bool = typer.Option(False, "--dry-run",
                                                help="say what the import would add, replace and delete, and refuse "
                                                     "what it would refuse; write nothing")) -> None:
    """Import FAQ entries in one transaction; an id that exists is replaced. Nothing is written if any row is bad.

    An exported row's updated_at keeps it from undoing a later edit someone else made of its entry; where it undoes
    one of your own (an older file than the one you edited), the import names it: import the newer file again."""
    import warnings

    from knowledge_base.files import ReadWarning, read_entry_rows
    from pipeline.errors import InputError

    if new_only and prune:
        raise InputError("--new-only adds entries and never deletes one: it takes no --prune")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReadWarning)
        try:
            rows = read_entry_rows(file)
        finally:  # also when the file is refused: a skipped column may be why
            for warning in caught:
                if issubclass(warning.category, ReadWarning):
                    typer.secho(f"warning: {warning.message}", fg=typer.colors.YELLOW, err=True)
                else:
                    warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    if new_only:
        rows = _rows_not_held(rows, adding=not dry_run)
    # (--new-only reads what the knowledge base holds: the entries it left out are no news)
    result = _import([row.entry for row in rows], by, None if new_only else prune, yes,
                     names=[row.where for row in rows], exported=[row.exported for row in rows], dry_run=dry_run)
    # a trainer's round: a row added without an id, its question then corrected in the sheet, was a second entry
    added = set(result.new)
    if named := [f"{row.entry.id} ({row.where.rsplit(': ', 1)[-1]})" for row in rows
                 if not row.id_given and row.entry.id in added]:
        typer.secho(f"note: rows without an id {'would be' if dry_run else 'were'} stored as {_some(tuple(named))}: "
                    "write each id in its row's id cell, or a change of the row's question adds another entry",
                    fg=typer.colors.YELLOW, err=True)
    if dry_run:
        typer.echo("nothing written (--dry-run)")


def _rows_not_held(rows: list, adding: bool) -> list:
    """The rows whose entry the knowledge base holds under neither its id nor its question, and that nobody deleted
    (a trainer's round: the start's advice to bring a changed pack's FAQ in with --prune deleted every entry trainers
    had added that season; without it, the import would have brought back those they had deleted)."""
    from contextlib import closing

    from knowledge_base.store import EntryStore, known_to

    with closing(EntryStore(_db_url(adding))) as store:
        stored, deleted = store.all(), store.deleted()
    known = known_to(stored, deleted)
    kept = [row for row in rows if not known(row.entry)]
    skipped = [row.entry.id for row in rows if row.entry.id in deleted]
    if skipped:
        typer.secho(f"note: deleted in this knowledge base, left out (appeal kb history ID): {_some(tuple(skipped))}",
                    fg=typer.colors.YELLOW, err=True)
    return kept


@kb_app.command("import-cases")
def import_cases(
    file: Path = typer.Argument(..., help="CSV/Excel: id, text and reply columns (留言编号, 留言详情, 答复意见, or "
                                          "工单编号, 诉求内容, 办理结果 …), title, unit and author (留言用户, "
                                          "来电人: masked in the reply too) and 生效日期/失效日期 (a reply a "
                                          "policy change made wrong) if present"),
    by: Optional[str] = ByOption,
    skip_unanswered: bool = typer.Option(False, "--skip-unanswered",
                                         help="leave out tickets whose reply is empty (an export that also holds "
                                              "tickets still being handled) instead of refusing the file"),
    keep_receipts: bool = typer.Option(False, "--keep-receipts",
                                       help="also import replies that only acknowledge or forward the ticket "
                                            "(留言已收悉, 已转…调查处理): left out by default, as no answer to read "
                                            "to a caller"),
) -> None:
    """Import past tickets with their official replies as suggestable cases (normalised, PII masked)."""
    from knowledge_base.cases import read_case_file

    cases = read_case_file(file, skip_unanswered=skip_unanswered, skip_receipts=not keep_receipts)
    for rows, what in ((cases.unanswered, "tickets without a reply"),
                       (cases.receipts, "replies that only acknowledge or forward the ticket (--keep-receipts "
                                        "imports them)")):
        if rows:
            typer.echo(f"left out {len(rows)} {what} ({', '.join(rows[:10])}{' …' if len(rows) > 10 else ''})")
    # a case a trainer deleted (a reply that says nothing, another province's policy) is not brought back by the
    # next month's export holding it again (a trainer's round); `kb import` of a file with it still can
    from contextlib import closing

    from knowledge_base.store import EntryStore

    with closing(EntryStore(_db_url(adding=True))) as store:
        deleted = store.deleted()
    if gone := [entry.id for entry in cases.entries if entry.id in deleted]:
        typer.secho(f"note: {len(gone)} cases deleted in this knowledge base left out: {_some(tuple(gone))} (appeal kb "
                    "history ID; to bring one back, appeal kb import a file holding it)", fg=typer.colors.YELLOW,
                    err=True)
    _import([entry for entry in cases.entries if entry.id not in deleted], by)


@kb_app.command("list")
def list_entries(
    source: Optional[str] = typer.Option(None, "--source", help="faq or case"),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help="responsible unit: as stored, another name of it "
                                                                  "(人社局 for 武冈市人力资源和社会保障局), or a type "
                                                                  "(乡镇人民政府/街道办事处: every township's too)"),
    status: Optional[str] = typer.Option(None, "--status", help="active, expired or scheduled (as of today)"),
    contains: Optional[str] = typer.Option(None, "--contains", "-c",
                                           help="text the id, question, another phrasing or the answer contains"),
    as_json: bool = typer.Option(False, "--json", help="print JSON lines (the import format)"),
) -> None:
    """List entries, optionally only some: to find one to edit, or the expired ones to retire."""
    from appeal.config import centre_today, get_settings
    from knowledge_base.dispatch import default_routing
    from knowledge_base.store import EntryFilter, rule_warnings

    where = _validated(EntryFilter, dict(source=source, unit=unit, status=status, contains=contains))
    today = centre_today()
    store = _store()
    stored = store.all()
    if not stored:
        typer.echo(f"the knowledge base is empty ({store.url})")
        return
    entries = [e for e in stored if where.matches(e, today)]
    if unit and not entries and default_routing()[0].functional_type_of(unit.removeprefix("各")) is None:
        _say_warnings([f"--unit {unit!r} names no unit of the catalogue ({get_settings().demo_dir / 'units.csv'})"])
    # what an earlier release stored against a rule of today's, where the trainer looks for entries to fix
    _say_warnings(rule_warnings(entries))
    if as_json:
        for entry in entries:
            typer.echo(json.dumps(entry.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
        return
    from rich.console import Console

    table = wrapping_table("id", "source", "status", "unit", "question", title=f"{len(entries)} entries")
    for entry in entries:
        table.add_row(entry.id, entry.source, entry.status_on(today), entry.unit, entry.question[:40])
    Console().print(table if entries else "no entry matches")


@kb_app.command()
def export(file: Path = typer.Argument(..., help="output .jsonl, or .csv (UTF-8 with BOM, opens in Excel) / .xlsx "
                                                 "with alternatives and tags |-separated")) -> None:
    """Write every entry in a format `appeal kb import` reads back unchanged."""
    from appeal.cli.data_commands import output_file, write_rows
    from knowledge_base.files import entry_rows, write_entries

    output_file(file, (".jsonl", ".csv", ".xlsx"))
    entries = _store().all()
    if file.suffix.lower() in (".csv", ".xlsx"):
        write_rows(entry_rows(entries), file)
        count = len(entries)
    else:
        count = write_entries(entries, file)
    typer.echo(f"exported {count} entries to {file}")


def _encoder(dense: bool):
    if not dense:
        return None
    from knowledge_base.kb import load_encoder

    return load_encoder()


@kb_app.command()
def search(
    query: str = typer.Argument(..., help="ticket text"),
    k: int = typer.Option(5, "-k", min=1, help="how many suggestions"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    on: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD to check validity on (default today)"),
    dense: bool = DenseOption,
    source: Optional[str] = typer.Option(None, "--source", help="faq or case: only FAQ entries or only past cases"),
) -> None:
    """The entries best matching QUERY, valid today."""
    from dataclasses import asdict

    from appeal.config import get_settings
    from knowledge_base.kb import KnowledgeBase
    from knowledge_base.store import EntryFilter
    from pipeline import masked_text
    from pipeline.errors import InputError

    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise InputError(f"--date {on!r}: expected YYYY-MM-DD") from None
    kb = KnowledgeBase(_db_url(), encoder=_encoder(dense))
    kb.warm_up()
    # masked as /v1/suggest masks an agent's text, so that a trainer sees what agents are suggested
    hits = kb.search(masked_text(query), k, today=day, source=_validated(EntryFilter, dict(source=source)).source)
    floor = get_settings().kb_weak_cosine
    if as_json:
        # `id` and `weak_match` as /v1/suggest and `kb list --json` name them: one script reads all three
        typer.echo(json.dumps([{"id": h.entry_id, **{k: v for k, v in asdict(h).items() if k != "entry_id"},
                                "weak_match": h.weak(floor)} for h in hits], ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    # each method's score as /v1/suggest gives it, with the rank the fusion read it as, and its weak_match
    table = wrapping_table("#", "id", "source", "unit", "question", "fused", "bm25", "e5", "weak",
                           unbroken=("id", "fused", "bm25", "e5"))
    for rank, hit in enumerate(hits, start=1):
        weak = {True: "weak", False: "", None: "–"}[hit.weak(floor)]
        table.add_row(str(rank), hit.entry_id, hit.source, hit.unit, hit.question[:40], f"{hit.score:.4f}",
                      _score_and_rank(hit.bm25_score, hit.bm25_rank), _score_and_rank(hit.dense_score, hit.dense_rank),
                      weak)
    Console().print(table if hits else "no entry matches")


@kb_app.command()
def evaluate(
    pairs: Path = typer.Option(..., "--pairs", help="CSV with 留言编号, 留言主题, 留言详情, 答复意见 (e.g. replies_raw.csv)"),
    report: Optional[Path] = typer.Option(None, "--report", help="write the JSON report here"),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="use only the first N pairs"),
    dense: bool = DenseOption,
) -> None:
    """Message → official reply retrieval: R@1, R@5, MRR for BM25, dense and hybrid, full text and title only."""
    from appeal.cli.data_commands import output_file
    from knowledge_base.evaluate import evaluate_pairs, evaluation_cache, format_report

    if report is not None:
        output_file(report, (".json",))
    result = evaluate_pairs(pairs, encoder=_encoder(dense), cache=evaluation_cache(), limit=limit)
    typer.echo(format_report(result))
    if report:
        report.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
