"""Read-only transactions: no writer lock on SQLite, and a write in one fails."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine, make_sessionmaker, read_only


def test_read_only_transaction_reads_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ro.db'}")
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    writing, release = threading.Event(), threading.Event()

    def write() -> None:
        with sessions.begin() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            writing.set()
            release.wait(5)

    writer = threading.Thread(target=write)
    writer.start()
    writing.wait(5)
    try:
        with read_only(sessions).begin() as session:  # would wait 10 s for the writer lock
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 1
    finally:
        release.set()
        writer.join()
    engine.dispose()


def test_write_in_a_read_only_transaction_fails_and_later_writes_work(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ro.db'}", pool_size=1)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(DBAPIError), read_only(sessions).begin() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
    with sessions.begin() as session:  # the same pooled connection, writable again
        session.execute(text("INSERT INTO t VALUES (2)"))
    with sessions() as session:
        assert session.execute(text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()
