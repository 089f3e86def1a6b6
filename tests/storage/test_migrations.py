"""Migrations and models agree, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_upgrade_backfills_each_programs_status_and_trend(tmp_path: Path) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = migrate.alembic_config(str(engine.url))
    command.upgrade(config, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO workspace (team_id, timezone, grace_hours, intake_seq, created_at) "
            "VALUES ('T1', 'UTC', 24, 0, '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO program (id, team_id, key, name, owner_id, cadence, start_date, state,"
            " created_by, created_at, updated_at, flags, flag_count) VALUES (1, 'T1', 'a', 'A',"
            " 'U1', 'weekly', '2026-01-01', 'active', 'U1', '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00', '{}', 0)"
        )
        for day, rag in enumerate(["green", "amber", "red", "red", "amber", "green", "green"]):
            conn.exec_driver_sql(
                "INSERT INTO status_update (team_id, program_id, author_id, created_at, rag,"
                f" summary, source) VALUES ('T1', 1, 'U1', '2026-02-0{day + 1} 00:00:00',"
                f" '{rag}', 'week {day}', 'command')"
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        summary, trend = conn.exec_driver_sql(
            "SELECT last_summary, trend FROM program WHERE id = 1"
        ).one()
    assert summary == "week 6"
    assert trend == '["green", "green", "amber", "red", "red", "amber"]'
    engine.dispose()


def test_upgrade_drops_the_scores_of_decisions_and_assumptions(tmp_path: Path) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'scored.db'}")
    config = migrate.alembic_config(str(engine.url))
    command.upgrade(config, "0006")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO workspace (team_id, timezone, grace_hours, intake_seq, created_at) "
            "VALUES ('T1', 'UTC', 24, 0, '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO program (id, team_id, key, name, owner_id, cadence, start_date, state,"
            " created_by, created_at, updated_at, flags, flag_count) VALUES (1, 'T1', 'a', 'A',"
            " 'U1', 'weekly', '2026-01-01', 'active', 'U1', '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00', '{}', 0)"
        )
        for n, kind in enumerate(["risk", "decision", "assumption", "issue"]):
            conn.exec_driver_sql(
                "INSERT INTO raid_item (team_id, program_id, kind, title, likelihood, impact,"
                " score, owner_id, blocking, state, created_by, created_at, updated_at) VALUES"
                f" ('T1', 1, '{kind}', 'item {n}', 4, 5, 20, 'U1', 0, 'open', 'U1',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT kind, likelihood, impact, score FROM raid_item ORDER BY id"
        ).all()
    assert [tuple(r) for r in rows] == [
        ("risk", 4, 5, 20),
        ("decision", None, None, None),
        ("assumption", None, None, None),
        ("issue", 4, 5, 20),
    ]
    command.downgrade(config, "0006")
    with engine.connect() as conn:
        scores = conn.exec_driver_sql("SELECT score FROM raid_item ORDER BY id").scalars().all()
    assert scores == [20, 9, 9, 20]
    engine.dispose()


def test_downgrade_keeps_the_rows_of_tables_others_refer_to(tmp_path: Path) -> None:
    """Dropping the columns issue 14 added must not rebuild a table other rows point at (a
    batch rebuild drops it, and SQLite's foreign keys refuse)."""
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        _insert(conn, "workspace", team_id="T1", timezone="UTC")
        _insert(conn, "person", team_id="T1", user_id="U1")
        _insert(conn, "standup", id=1, team_id="T1")
        _insert(conn, "standup_run", id=1, standup_id=1, team_id="T1")
    command.downgrade(migrate.alembic_config(str(engine.url)), "0009")
    with engine.connect() as conn:
        counts = [
            conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("workspace", "person", "standup", "standup_run")
        ]
    assert counts == [1, 1, 1, 1]
    engine.dispose()


def _insert(conn: Any, table: str, **values: object) -> None:
    """One row, with a placeholder for every other NOT NULL column without a default."""
    row = dict(values)
    for _, name, kind, not_null, default, key in conn.exec_driver_sql(
        f"PRAGMA table_info({table})"
    ):
        if name in row or not not_null or default is not None or key:
            continue
        kind = kind.upper()
        if "INT" in kind or "BOOL" in kind:
            row[name] = 0
        elif "DATE" in kind or "TIME" in kind:
            row[name] = "2026-01-01 00:00:00"
        else:
            row[name] = "[]" if "JSON" in kind else "x"
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
