"""The one way the service's stores (knowledge base, feedback, ticket log) connect to their database.

They share one database (`Settings.db_url`), so they must agree on how SQLite is opened: in WAL mode, so that
readers (an export, a report) never wait for the service's writes nor block them, and with a busy timeout long
enough for a retraining export to run beside a busy service.
"""
from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """A SQLAlchemy engine for `url`; a SQLite file's folder is created. `durable=False` is for a table that may
    lose its last commits on a power cut, never its integrity (SQLite `synchronous=NORMAL` under WAL): a commit
    then does not wait for the disk."""
    parsed = make_url(url)
    # Chinese kept as it is in JSON columns (history snapshots, phrasings): \u escapes would double their size.
    options = {"pool_pre_ping": True, "json_serializer": partial(json.dumps, ensure_ascii=False)}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, **options)
    if parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **options)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        if not durable:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine
