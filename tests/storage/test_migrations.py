"""Migrations and models agree, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from storage import migrate
from storage.db import make_engine


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    assert migrate.schema_diff(engine) == []
    assert migrate.is_current(engine)


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.schema_diff(engine) == []


def test_empty_database_is_not_current_until_upgraded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()
