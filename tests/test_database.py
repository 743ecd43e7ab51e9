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
