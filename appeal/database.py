"""The one way the service's stores (knowledge base, feedback, ticket log) connect to their database.

They share one database (`Settings.db_url`), so they must agree on how SQLite is opened: in WAL mode, so that
readers (an export, a report) never wait for the service's writes nor block them, and with a busy timeout long
enough for a retraining export to run beside a busy service.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from sqlalchemy import MetaData, Table, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError, SQLAlchemyError


def stored_utc(at: datetime) -> datetime:
    """A stamp read back from a store, as an aware UTC time: every store writes UTC, and SQLite gives it back
    without its zone."""
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


# Seconds a SQLite connection waits for another's write lock before "database is locked".
_SQLITE_BUSY_TIMEOUT = 30
# libpq: seconds to establish a connection; milliseconds that sent data may stay unacknowledged on a connection.
_PG_LIMITS = {"connect_timeout": 5, "tcp_user_timeout": 5000}


def make_engine(url: str, *, durable: bool = True, timeout: float | None = None,
                lock_wait: float = _SQLITE_BUSY_TIMEOUT) -> Engine:
    """A SQLAlchemy engine for `url`; a SQLite file's folder is created. `durable=False` is for a table that may
    lose its last commits on a power cut, never its integrity (SQLite `synchronous=NORMAL` under WAL): a commit
    then does not wait for the disk. `timeout`: the seconds a PostgreSQL server gets to answer (`server_guard`;
    default `Settings.database_timeout`). `lock_wait`: the seconds a SQLite connection waits for another's write
    lock before "database is locked"."""
    parsed = make_url(url)
    # Chinese kept as it is in JSON columns (history snapshots, phrasings): \u escapes would double their size.
    # hide_parameters: a failed statement's error (logged with the 503 it causes) named every value it wrote, a
    # ticket's text among them.
    options = {"pool_pre_ping": True, "json_serializer": partial(json.dumps, ensure_ascii=False),
               "hide_parameters": True}
    if parsed.get_backend_name() == "postgresql":
        # Without a limit, a server host that stops answering (powered off, cut off) holds a new connection until
        # the operating system gives up, minutes later, and every request that needs the database waits as long;
        # routing, which goes on without the database, would stall instead. A URL may set its own limits.
        limits = {name: value for name, value in _PG_LIMITS.items() if name not in parsed.query}
        engine = create_engine(url, connect_args=limits, **options)
        if parsed.get_driver_name() != "psycopg":  # the driver the README names; the guard reads its sockets
            return engine
        from appeal.config import get_settings
        from appeal.server_guard import guard

        return guard(engine, timeout or get_settings().database_timeout)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, **options)
    path = Path(parsed.database) if parsed.database not in (None, "", ":memory:") else None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Citizens' tickets are in it: readable by the service's user only, as the key file is (SQLite gives its -wal
        # and -shm files the database's mode). An empty file is an empty database. An existing file is never opened
        # here: closing any descriptor of it drops the POSIX locks this process's connections hold on it, and another
        # process closing its last connection then deletes the WAL file under them.
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another store or process made it meanwhile
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    engine = create_engine(url, connect_args={"timeout": lock_wait}, **options)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        _use_wal(dbapi_connection)
        # what is deleted (an expired ticket, an erased answer) is overwritten, not left readable in free pages;
        # some SQLite builds default to it, others do not
        dbapi_connection.execute("PRAGMA secure_delete=ON")
        if not durable:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "handle_error")
    def _reopen_when_read_only(context) -> None:
        # SQLite opens a file it may not write (read-only, immutable, another user's after a restore made as root)
        # read-only without a word, and a pooled connection stays so after the cause is gone: an operator's round
        # found the service "unwritable" for good, its routed tickets lost at the restart that was the only cure.
        # Taken as a lost connection, the pool opens new ones, which write once the file may be written again.
        if isinstance(context.original_exception, sqlite3.OperationalError) \
                and "readonly database" in str(context.original_exception):
            context.is_disconnect = True

    if path is not None:
        _refuse_a_file_gone(engine, path)
    return engine


def check_whole(url: str) -> None:
    """SQLite's quick check of the database file at `url` where there is one (no-op for a server or a new file):
    raises DatabaseError, as a damaged header does at its first read, for a file damaged within (a page
    overwritten, a copy cut short at a page boundary). Such a file reads as whole until a request reaches the page:
    the service said ready and acknowledged agents' answers written into it. Every page is read once (no index is
    checked against its table, as integrity_check does): 2 ms for a home of 100 pages, 0.2 s for 170 MB."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") \
            or not Path(parsed.database).is_file():
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql("PRAGMA quick_check").scalars().all()
    finally:
        engine.dispose()
    if found != ["ok"]:  # a problem a row, some of several lines under a "*** in database main ***" heading
        problems = [line for row in found for line in row.splitlines() if not line.startswith("***")]
        raise DatabaseError("PRAGMA quick_check", None, sqlite3.DatabaseError(
            f"database disk image is malformed (PRAGMA quick_check: {problems[0]}"
            + (f"; {len(problems) - 1} more problems)" if len(problems) > 1 else ")")))


def _use_wal(dbapi_connection: sqlite3.Connection) -> None:
    """Puts the database in WAL mode (kept in the file; a no-op once there). Connections switching a new file
    together are answered "database is locked" at once, SQLite's busy timeout left unused: two processes or stores
    starting on a new database, one of which died. They try again until the busy timeout is spent."""
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT
    while True:
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def flush_erasures(engine: Engine) -> None:
    """After an erasure: SQLite's write-ahead log still holds the pages as they were before, until a checkpoint
    copies them back and the log is cut. No-op elsewhere (PostgreSQL reclaims dead rows by VACUUM)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _refuse_a_file_gone(engine: Engine, path: Path) -> None:
    """Open connections keep writing to a database file deleted or replaced (a backup restored) under them: the
    agents' answers were acknowledged as stored into a file no one could open again. Every transaction first checks
    that the file is the one the engine opened, and is refused like a database that cannot be reached if not."""
    opened = os.stat(path).st_ino

    @event.listens_for(engine, "begin")
    def _same_file(_connection) -> None:
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current != opened:
            what = "deleted" if current is None else "replaced"
            raise OperationalError(None, None, sqlite3.OperationalError(
                f"{path} was {what} while in use: restart the service (and restore a backup only while it is stopped)"))


class LastWrite:
    """How the last write watched through it ended (stores sharing one database share one). A database that is read
    but refuses writes (its file made read-only, a full disk) passes every check that only reads: this says so
    without writing to find out."""

    def __init__(self) -> None:
        self.error: SQLAlchemyError | None = None

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            self.error = exc
            raise
        self.error = None


# Keys of PostgreSQL's transaction-level advisory locks (any 64-bit numbers, one per thing held in turn).
SCHEMA_LOCK = 0x12345_0001
KB_WRITE_LOCK = 0x12345_0002


def hold_write_lock(connection: Connection, key: int) -> None:
    """Takes, at the start of `connection`'s transaction, a lock that writers of the same kind take in turn, until
    it ends; plain reads never wait for it. SQLite has one such lock, the database's own (pysqlite itself begins a
    transaction only at the first write, after the reads that decided it); PostgreSQL one per `key`."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """`metadata.create_all`, with the checks and creates of processes starting together on a new database taken in
    turn: two that both found no table both created it, and one died ("table kb_entry already exists" on SQLite, a
    duplicate type on PostgreSQL)."""
    if set(metadata.tables) <= set(inspect(engine).get_table_names()):
        return  # the usual case, and no lock: a reader opening a store must not wait for a long import's writes
    with engine.connect() as connection:
        hold_write_lock(connection, SCHEMA_LOCK)  # before create_all's checks
        metadata.create_all(connection)
        connection.commit()


def add_missing_columns(engine: Engine, table: Table) -> None:
    """Adds the table's columns that a database made by an earlier version lacks, and their indexes. Every column
    added since the first release is nullable, so ADD COLUMN is the whole migration (on SQLite and PostgreSQL
    alike), and rows stored before read as "not given" (or are filled in by their store); a change that needs more
    than that calls for Alembic."""
    def present() -> set[str]:
        return {column["name"] for column in inspect(engine).get_columns(table.name)}

    added = [column for column in table.columns if column.name not in present()]
    for column in added:
        kind = column.type.compile(dialect=engine.dialect)
        try:
            with engine.begin() as connection:
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
        except DBAPIError:
            if column.name not in present():  # not another process starting at the same moment
                raise
    # `create_all` makes the indexes of new tables only
    names = {column.name for column in added}
    for index in [index for index in table.indexes if names & {column.name for column in index.columns}]:
        try:
            index.create(engine, checkfirst=True)
        except DBAPIError:
            if index.name not in {i["name"] for i in inspect(engine).get_indexes(table.name)}:
                raise
