"""The three stores that share the service's database open a real SQLite file the same way."""
from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from knowledge_base.store import EntryStore
from knowledge_base.ticket_log import TicketLog
from training.feedback_store import Feedback, FeedbackStore

FULL, NORMAL = 2, 1


def _pragma(engine, name: str):
    with engine.connect() as connection:
        return connection.execute(text(f"PRAGMA {name}")).scalar()


def test_stores_share_one_sqlite_set_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'not' / 'yet' / 'appeal.db'}"
    stores = {"kb": EntryStore(url), "feedback": FeedbackStore(url), "tickets": TicketLog(url)}
    try:
        assert (tmp_path / "not" / "yet" / "appeal.db").is_file()
        assert {name: _pragma(s.engine, "journal_mode") for name, s in stores.items()} == dict.fromkeys(stores, "wal")
        # A busy service must not make a retraining export fail at once; a route's ticket waits in memory instead of
        # waiting long for the lock (an operator's round: 30 s a route while a sqlite3 shell held the database)
        assert {name: _pragma(s.engine, "busy_timeout") for name, s in stores.items()} == {
            "kb": 30000, "feedback": 30000, "tickets": 500}
        # Only the ticket log trades the last commits on a power cut for speed; agents' answers and KB edits wait
        # for the disk.
        assert {name: _pragma(s.engine, "synchronous") for name, s in stores.items()} == {
            "kb": FULL, "feedback": FULL, "tickets": NORMAL}
        # citizens' tickets: readable by the service's user alone, as the key file is (it was -rw-r--r--)
        stores["feedback"].add(Feedback(text="路灯坏了", topic="城乡建设"))
        files = sorted((tmp_path / "not" / "yet").iterdir())
        assert [f.name for f in files] == ["appeal.db", "appeal.db-shm", "appeal.db-wal"]
        assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    finally:
        for store in stores.values():
            store.close()


def test_opening_one_more_store_keeps_the_locks_of_the_open_ones(tmp_path):
    """The service opens its stores one after another. Creating the file with mode 0600 once opened and closed the
    existing database too, which drops every POSIX lock the process's connections hold on it: another process closing
    its last connection then deleted the WAL file under the service, whose answers went on into the deleted file."""
    path = tmp_path / "appeal.db"
    feedback = FeedbackStore(f"sqlite:///{path}")
    kb = None
    try:
        feedback.add(Feedback(text="路灯坏了", topic="城乡建设"))
        kb = EntryStore(f"sqlite:///{path}")  # one more store of the same process
        subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
                        "c.execute('SELECT count(*) FROM feedback').fetchone(); c.close()"], check=True, timeout=60)
        feedback.add(Feedback(text="水管爆了", topic="城乡建设"))
        reader = sqlite3.connect(path)
        try:
            assert reader.execute("SELECT count(*) FROM feedback").fetchone() == (2,)
        finally:
            reader.close()
    finally:
        feedback.close()
        if kb is not None:
            kb.close()


def test_a_database_file_deleted_or_replaced_under_the_service_is_refused_not_written_to(tmp_path):
    """Deleted while the service ran (or a backup copied over it), the file went on taking agents' answers, each
    acknowledged as stored, into an inode no one could open again."""
    path = tmp_path / "appeal.db"
    store = FeedbackStore(f"sqlite:///{path}")
    try:
        store.add(Feedback(text="路灯坏了", topic="城乡建设"))
        backup = tmp_path / "backup.db"
        with sqlite3.connect(path) as source, sqlite3.connect(backup) as copy:
            source.backup(copy)  # as `sqlite3 appeal.db ".backup backup.db"` makes one of a live database
        for leftover in tmp_path.glob("appeal.db*"):
            leftover.unlink()
        with pytest.raises(OperationalError, match="appeal.db was deleted while in use: restart the service"):
            store.add(Feedback(text="水管爆了", topic="城乡建设"))
        backup.rename(path)
        with pytest.raises(OperationalError, match="appeal.db was replaced while in use"):
            store.add(Feedback(text="水管爆了", topic="城乡建设"))
    finally:
        store.close()
    reopened = FeedbackStore(f"sqlite:///{path}")  # a restart reads the restored file
    try:
        assert [row.text for row in reopened.rows()] == ["路灯坏了"]
    finally:
        reopened.close()


def test_a_sqlite_file_damaged_within_is_found_whole_or_not_before_it_is_served(tmp_path):
    """What SQLite's quick check says of a damaged file is rows of several lines, or an error: one line either way,
    as a damaged header is said (the service said ready on such a file). A new file or a server is not checked."""
    from appeal.database import check_whole

    url = f"sqlite:///{tmp_path / 'appeal.db'}"
    check_whole(url)  # none yet: a new home
    assert not (tmp_path / "appeal.db").exists()
    store = FeedbackStore(url)
    store.add(Feedback(text="迎春亭街道路灯坏了一个月，晚上出行不便。", topic="城乡建设"))
    store.close()
    check_whole(url)
    with open(tmp_path / "appeal.db", "r+b") as handle:  # the header's count of free pages, five where none is
        handle.seek(36)
        handle.write((5).to_bytes(4, "big"))
    with pytest.raises(DatabaseError) as raised:
        check_whole(url)
    assert str(raised.value.orig) == ("database disk image is malformed (PRAGMA quick_check: Main freelist: size is 0 "
                                      "but should be 5)")
    check_whole("postgresql+psycopg://appeal@db.invalid/appeal")


def test_a_postgresql_server_that_never_answers_is_given_up_on():
    """A server host that accepts the connection and then stays silent (as one cut off mid-way looks) used to hold
    every request that touched the database until the operating system gave up, minutes later."""
    import socket

    from sqlalchemy.exc import OperationalError

    from appeal.database import make_engine

    # Two servers: after the first attempt, a second one at the same server would be refused by the breaker
    # (below) without trying the URL's own limit.
    silent = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    ports = [server.getsockname()[1] for server in silent]
    try:
        for url in (f"postgresql+psycopg://appeal@127.0.0.1:{ports[0]}/appeal",
                    f"postgresql+psycopg://appeal@127.0.0.1:{ports[1]}/appeal?connect_timeout=1"):  # the URL's own
            error = _outcome_within(60, lambda: _select_one(make_engine(url)))
            assert isinstance(error, OperationalError) and "connection timeout expired" in str(error)
    finally:
        for server in silent:
            server.close()


def _outcome_within(seconds: float, call):
    """What `call` returned or raised, run in a thread that the test gives up on (and fails) after `seconds`."""
    import threading

    outcome = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 — reported to the test thread
            outcome.append(exc)

    attempt = threading.Thread(target=run, daemon=True)
    attempt.start()
    attempt.join(timeout=seconds)
    assert not attempt.is_alive(), "still waiting for a server that does not answer"
    return outcome[0]


def _select_one(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1")).scalar()


def _answers_again(engine, within: float = 30) -> bool:
    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            return _select_one(engine) == 1
        except OperationalError:
            time.sleep(0.2)
    return False


def test_a_lost_server_is_not_waited_for_by_every_caller():
    """Once a connection to a server has failed, the next callers are refused at once instead of each waiting out
    libpq's limit; after the engine's timeout the server is tried again in the background, and the caller who
    set that off is not kept waiting either."""
    import socket

    from sqlalchemy.exc import OperationalError

    from appeal.database import make_engine

    with socket.create_server(("127.0.0.1", 0)) as silent:
        engine = make_engine(f"postgresql+psycopg://appeal@127.0.0.1:{silent.getsockname()[1]}/appeal"
                             "?connect_timeout=1", timeout=1)
        messages = []
        for pause in (0, 0, 1.2):
            time.sleep(pause)
            with pytest.raises(OperationalError) as refused:
                _select_one(engine)
            messages.append(str(refused.value).splitlines()[0])
    assert "connection timeout expired" in messages[0]
    assert "was lost; it will be tried again" in messages[1]
    assert "was lost; being tried again" in messages[2]  # the timeout has passed: a trial runs meanwhile


def test_a_server_that_refuses_connections_at_once_is_not_held_lost():
    """A server restarting refuses connections at once; trying again costs the next caller nothing and may find it
    back, so the breaker stays closed (it would refuse every call for its timeout after a restart of a second)."""
    import socket

    from sqlalchemy.exc import OperationalError

    from appeal.database import make_engine

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = make_engine(f"postgresql+psycopg://appeal@127.0.0.1:{port}/appeal", timeout=30)
    for _ in range(2):
        with pytest.raises(OperationalError, match="Connection refused"):
            _select_one(engine)


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_hung_postgresql_server_is_cut_off_and_tried_again(database_url):
    """A server whose database hangs while its host still acknowledges every packet used to hold a statement, and
    the thread that sent it, for ever: libpq's limits only see a silent host."""
    from sqlalchemy.exc import OperationalError

    from appeal.database import make_engine
    from tests.freezing_proxy import FreezingProxy

    proxy = FreezingProxy(os.environ["APPEAL_TEST_POSTGRES_URL"])
    engine = make_engine(proxy.url(database_url), timeout=1)
    try:
        assert _select_one(engine) == 1
        proxy.frozen.set()
        assert isinstance(_outcome_within(60, lambda: _select_one(engine)), OperationalError)
        with pytest.raises(OperationalError, match="was lost; it will be tried again"):
            _select_one(engine)
        proxy.frozen.clear()
        assert _answers_again(engine)  # found by a trial in the background, and used again
    finally:
        engine.dispose()
        proxy.close()


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_pooled_connection_the_server_closed_is_replaced_without_refusing_anyone(database_url):
    """After a routine server restart every pooled connection is dead, and SQLAlchemy connects again; taking that
    for a lost server refused every call for the guard's timeout."""
    from appeal.database import make_engine

    engine = make_engine(database_url, timeout=30)
    admin = make_engine(database_url)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as connection:  # what a restart does to each of them
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
        assert _select_one(engine) == 1
    finally:
        engine.dispose()
        admin.dispose()


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_pooled_connection_cut_off_in_mid_statement_is_replaced(database_url):
    """The same restart, met by the ping itself on a loaded machine (CI, 2026-11-30): the session ended while the
    ping's SELECT 1 was in flight, the connection still said ACTIVE, and psycopg raised ProgrammingError ("can't
    change 'autocommit' now") from the ping's clean-up, which SQLAlchemy does not take for a lost connection: the
    checkout failed. A statement left in flight on the pooled connection puts it in that state every time."""
    from appeal.database import make_engine

    engine = make_engine(database_url, timeout=30)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
            pooled = connection.connection.dbapi_connection
        pooled.pgconn.send_query(b"SELECT 1")  # sent, never read: the connection is ACTIVE
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != backend
    finally:
        engine.dispose()


def test_stores_opened_together_on_a_new_database_all_open(database_url):
    """Two replicas (or the service and a CLI job) starting on a new database both found no table and both created
    it: one died on "duplicate key value violates unique constraint pg_type_typname_nsp_index" (PostgreSQL) or
    "table kb_entry already exists" (SQLite); on SQLite, one of those switching the new file to WAL together was
    told "database is locked" at once (a round in four)."""
    import threading

    from sqlalchemy import create_engine

    from knowledge_base.store import Base

    for _ in range(12):
        start, failures, opened = threading.Barrier(4), [], []

        def open_store() -> None:
            start.wait()
            try:
                opened.append(EntryStore(database_url))
            except Exception as exc:  # noqa: BLE001 — any failure to open is what this test looks for
                failures.append(exc)

        threads = [threading.Thread(target=open_store) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [] and len(opened) == 4
        assert opened[0].count() == 0
        for store in opened:
            store.engine.dispose()
        # new again for the next round
        if database_url.startswith("sqlite"):
            for path in Path(make_url(database_url).database).parent.glob("appeal.db*"):
                path.unlink()
        else:
            admin = create_engine(database_url)
            Base.metadata.drop_all(admin)
            admin.dispose()
