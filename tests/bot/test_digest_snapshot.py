"""The digest snapshot reads the portfolio in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot import digest, programs, raid, status, workspace
from tests.conftest import START, TEAM


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def build(sessions: sessionmaker[Session], size: int, offset: int) -> None:
    with sessions.begin() as session:
        space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        for n in range(offset, offset + size):
            program = programs.add_program(
                session,
                team_id=TEAM,
                actor_id="UADMIN",
                timezone="UTC",
                today=START.date(),
                now=START,
                new=programs.NewProgram(name=f"P{n}", owner_id="ULEAD"),
            )
            status.submit(
                session,
                program=program,
                author_id="ULEAD",
                now=START,
                workspace=space,
                data=status.StatusInput(rag=("red", "green")[n % 2], summary="s"),
            )
            raid.add(
                session,
                program=program,
                actor_id="ULEAD",
                now=START,
                workspace=space,
                data=raid.RaidInput(
                    title=f"r{n}", owner_id="ULEAD", impact=5, likelihood=n % 5 + 1
                ),
            )


def snapshot_queries(engine: Engine, sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session, counted(engine) as statements:
        snap = digest.take_snapshot(session, team_id=TEAM, portfolio=None, now=START, tz="UTC")
    return len(statements), len(snap.programs)


def test_snapshot_query_count_does_not_grow_with_the_portfolio(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    build(sessions, 3, 0)
    small, n_small = snapshot_queries(engine, sessions)
    build(sessions, 40, 3)
    large, n_large = snapshot_queries(engine, sessions)
    assert (n_small, n_large) == (3, 43)
    assert small == large <= 8


def test_snapshot_lists_red_first_with_top_risks(sessions: sessionmaker[Session]) -> None:
    build(sessions, 6, 0)
    with sessions() as session:
        snap = digest.take_snapshot(session, team_id=TEAM, portfolio=None, now=START, tz="UTC")
    assert [p.rag for p in snap.programs][:3] == ["red", "red", "red"]
    assert [r.score for r in snap.risks] == [25, 20, 15, 10, 5]
    assert snap.counts()["red"] == 3
