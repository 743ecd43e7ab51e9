"""The three stores that share the service's database open a real SQLite file the same way."""
from __future__ import annotations

from sqlalchemy import text

from knowledge_base.store import EntryStore
from knowledge_base.ticket_log import TicketLog
from training.feedback_store import FeedbackStore

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
        # A busy service must not make a retraining export fail at once.
        assert {name: _pragma(s.engine, "busy_timeout") for name, s in stores.items()} == dict.fromkeys(stores, 30000)
        # Only the ticket log trades the last commits on a power cut for speed; agents' answers and KB edits wait
        # for the disk.
        assert {name: _pragma(s.engine, "synchronous") for name, s in stores.items()} == {
            "kb": FULL, "feedback": FULL, "tickets": NORMAL}
    finally:
        for store in stores.values():
            store.close()


def test_a_postgresql_server_that_never_answers_is_given_up_on():
    """A server host that accepts the connection and then stays silent (as one cut off mid-way looks) used to hold
    every request that touched the database until the operating system gave up, minutes later."""
    import socket
    import threading

    from sqlalchemy.exc import OperationalError

    from appeal.database import make_engine

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    outcome: list[BaseException | None] = []

    def connect(url: str) -> None:
        try:
            with make_engine(url).connect():
                outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 — reported to the test thread
            outcome.append(exc)

    try:
        for url in (f"postgresql+psycopg://appeal@127.0.0.1:{port}/appeal",
                    f"postgresql+psycopg://appeal@127.0.0.1:{port}/appeal?connect_timeout=1"):  # the URL's own limit
            attempt = threading.Thread(target=connect, args=(url,), daemon=True)
            attempt.start()
            attempt.join(timeout=60)
            assert not attempt.is_alive(), "still waiting for a server that never answers"
            assert isinstance(outcome.pop(), OperationalError)
    finally:
        silent.close()
