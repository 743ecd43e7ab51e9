"""Databases as earlier releases left them, for the tests of the stores' migrations."""
from __future__ import annotations

from typing import Collection

from sqlalchemy import Column, MetaData, Table, create_engine


def create_older_table(url: str, table: Table, without: Collection[str], **row) -> None:
    """`table` as a release made it before the columns `without` were added, holding one `row`: what a store finds
    when it opens a database of that release."""
    engine = create_engine(url)
    older = Table(table.name, MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
                                             for c in table.columns if c.name not in without))
    older.create(engine)
    with engine.begin() as connection:
        connection.execute(older.insert().values(**row))
    engine.dispose()
