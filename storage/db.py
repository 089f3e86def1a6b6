"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import functools
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, Table, TextClause, bindparam, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "pmo_read_only"  # an execution option: this connection's transactions only read
WAIT = "pmo_wait_seconds"  # an execution option: how long a transaction waits for a lock
_open = threading.local()


class DatabaseBusy(TimeoutError):
    """A transaction waited its limit for a lock another one holds."""


def transaction_open() -> bool:
    """Whether the calling thread has a database transaction open on any engine we made.

    The rule "no Slack call while a transaction is open" is checked against this.
    """
    return getattr(_open, "count", 0) > 0


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; on SQLite, set the pragmas every connection needs.

    Args:
        url: Any SQLAlchemy URL; PostgreSQL as `postgresql+psycopg://…`.
        **kwargs: Passed to `create_engine`.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _track_transactions(engine)
    return engine


def _track_transactions(engine: Engine) -> None:
    """Count, per thread, the transactions open on this engine's connections."""

    def began(_connection: Any) -> None:
        _open.count = getattr(_open, "count", 0) + 1

    def ended(_connection: Any) -> None:
        _open.count = max(getattr(_open, "count", 0) - 1, 0)

    event.listen(engine, "begin", began)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgresql_begin)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)


def _postgresql_begin(connection: Any) -> None:
    options = connection.get_execution_options()
    if options.get(READ_ONLY):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    if WAIT in options:  # a lock wait past it fails with LockNotAvailable (55P03)
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(options[WAIT] * 1000)}ms'")


def _configure_sqlite(engine: Engine) -> None:
    """WAL so readers never block the writer; every transaction takes the write lock up front.

    A deferred transaction that reads, then writes, fails at once ("database is locked")
    when another connection wrote in between: SQLite cannot upgrade a stale snapshot. Taking
    the lock at BEGIN IMMEDIATE makes concurrent transactions queue instead. A transaction
    that only reads (`read_only`) needs no lock: it begins deferred on a WAL snapshot, with
    `PRAGMA query_only` so that a write fails at once instead of upgrading the snapshot.

    Within one process they queue on a Python lock, which hands over the moment the holder
    commits; SQLite's own busy handler (which another process, such as `pmo-bot tick`,
    waits on) sleeps in growing steps and would add tens of milliseconds to the tail.
    """
    writer = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's own lower() folds ASCII only; PostgreSQL's, and Python's, fold "É" too.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        wait = float(options.get(WAIT, SQLITE_BUSY_TIMEOUT_MS / 1000))
        _busy_timeout(connection, wait)
        if options.get(READ_ONLY):
            _query_only(connection, True)
            connection.exec_driver_sql("BEGIN")
            return
        _query_only(connection, False)
        if not writer.acquire(timeout=wait):
            raise DatabaseBusy(f"waited {wait:g} s for the SQLite write lock")
        connection.info["holds_writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop("holds_writer", False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def _busy_timeout(connection: Any, seconds: float) -> None:
    """How long SQLite waits for another process's lock (kept per connection)."""
    wanted = int(seconds * 1000)
    if connection.info.get("busy_timeout", SQLITE_BUSY_TIMEOUT_MS) != wanted:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wanted}")
        connection.info["busy_timeout"] = wanted


def _query_only(connection: Any, on: bool) -> None:
    """Switch a SQLite connection's `query_only` (kept per connection, so only on a change)."""
    if connection.info.get("query_only", False) != on:
        connection.exec_driver_sql(f"PRAGMA query_only={'ON' if on else 'OFF'}")
        connection.info["query_only"] = on


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory; each listener or scheduled item opens its own `with S.begin():`."""
    return sessionmaker(engine, expire_on_commit=False)


def read_only(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory like `sessions` whose transactions only read.

    On SQLite they take no writer lock (deferred BEGIN on a WAL snapshot), so a read neither
    waits for a writer, such as a transaction waiting on Slack, nor holds writers up; on
    PostgreSQL they are `READ ONLY`. A write in one fails (`OperationalError` on SQLite,
    `InternalError` on PostgreSQL) and changes nothing.
    """
    bind = sessions.kw["bind"]
    return sessionmaker(bind.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def waiting_at_most(sessions: sessionmaker[Session], seconds: float) -> sessionmaker[Session]:
    """A session factory like `sessions` whose transactions wait at most `seconds` for a
    lock (SQLite's write lock, a PostgreSQL row lock), then fail (`is_busy` says which)."""
    bind = sessions.kw["bind"]
    return sessionmaker(bind.execution_options(**{WAIT: seconds}), expire_on_commit=False)


def is_busy(error: BaseException) -> bool:
    """Whether an error means the database was locked by someone else, not broken."""
    if isinstance(error, DatabaseBusy):
        return True
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "lock timeout" in text or "lock_timeout" in text


def probe(engine: Engine, seconds: float) -> None:
    """Check the database can take a write within `seconds` (for `/healthz`).

    SQLite: a connection of its own, outside the pool and the in-process queue, takes and
    drops the write lock. PostgreSQL: `SELECT 1` on a pooled connection.

    Raises:
        Exception: The driver's error when it can't (locked, unreachable, …).
    """
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return
    database = engine.url.database or ":memory:"
    raw = sqlite3.connect(database, timeout=seconds, isolation_level=None)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
    finally:
        raw.close()


def is_postgresql(session: Session) -> bool:
    """Whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def insert_once(session: Session, row: object) -> bool:
    """Insert `row` unless a unique constraint says it exists already.

    The insert runs in a SAVEPOINT, so a duplicate rolls back only itself and the
    caller's transaction goes on.

    Args:
        session: The caller's session, inside its transaction.
        row: A new ORM object.

    Returns:
        True when the row was inserted, False when it violated a unique constraint.
    """
    savepoint = session.begin_nested()
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def insert_new(
    session: Session, model: type[Any], rows: list[dict[str, Any]], *, returning: Any = None
) -> list[Any]:
    """Insert `rows` (column values, all with the same keys), skipping any a unique constraint
    says exist already (`ON CONFLICT DO NOTHING`, which PostgreSQL and SQLite both speak).

    For bulk work where the ORM's one-row-at-a-time flush (and a savepoint per row, as in
    `insert_once`) costs a statement or three per row. The rows are not ORM objects of the
    session; read them back by query if needed.

    Args:
        returning: A column whose value for the inserted row comes back (say, the id); with
            it, one row at a time.

    Returns:
        The `returning` value of the row if it was inserted; without it, one None per row
        inserted.
    """
    if not rows:
        return []
    connection = session.connection()
    statement = _insert_ignoring(
        connection.dialect.name,
        model.__table__,
        tuple(rows[0]),
        None if returning is None else returning.key,
    )
    if returning is not None:
        if len(rows) != 1:
            raise ValueError("returning= takes one row at a time")
        return list(connection.execute(statement, rows[0]).scalars())
    return [None] * max(connection.execute(statement, rows).rowcount, 0)


@functools.cache
def _insert_ignoring(
    dialect: str, table: Table, columns: tuple[str, ...], returning: str | None
) -> TextClause:
    """`INSERT … ON CONFLICT DO NOTHING [RETURNING …]` for `table`, built once per shape.

    Written as text with typed parameters because SQLAlchemy's dialect `on_conflict_do_nothing`
    constructs have no cache key, so they would be compiled again on every execution.
    """
    quote = (
        postgresql.dialect() if dialect == "postgresql" else sqlite.dialect()
    ).identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(f':{c}' for c in columns)}) ON CONFLICT DO NOTHING"
    )
    if returning is not None:
        sql += f" RETURNING {quote(returning)}"
    statement = text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
    if returning is not None:
        return statement.columns(table.c[returning])  # type: ignore[return-value]
    return statement


def _unicode_lower(value: Any) -> Any:
    """`lower()` for SQLite as PostgreSQL reads it: Unicode case folding, NULL stays NULL."""
    return value.lower() if isinstance(value, str) else value
