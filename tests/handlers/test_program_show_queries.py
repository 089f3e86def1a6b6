"""`program show` runs a fixed number of SQL queries, whatever the program's history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from storage.models import RaidItem, StatusUpdate
from tests.conftest import START, Bot
from tests.flow import program, text_of


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


def add_history(sessions: sessionmaker[Session], key: str, weeks: int, risks: int) -> None:
    found = program(sessions, key)
    assert found is not None
    with sessions.begin() as session:
        for week in range(weeks):
            session.add(
                StatusUpdate(
                    team_id=found.team_id,
                    program_id=found.id,
                    author_id="ULEAD",
                    created_at=START - timedelta(weeks=weeks - week),
                    rag="green",
                    summary=f"week {week}",
                    source="command",
                )
            )
        for n in range(risks):
            session.add(
                RaidItem(
                    team_id=found.team_id,
                    program_id=found.id,
                    kind="risk",
                    title=f"risk {n}",
                    likelihood=1 + n % 5,
                    impact=1 + n % 3,
                    score=(1 + n % 5) * (1 + n % 3),
                    owner_id="ULEAD",
                    state="open",
                    created_by="ULEAD",
                    created_at=START,
                    updated_at=START,
                )
            )


def show_queries(slack: SlackDriver, bot: Bot, engine: Engine, key: str) -> int:
    slack.command("UOTHER", f"program show {key}")  # warm the person cache
    bot.settle()
    with counted(engine) as statements:
        said = text_of(slack.command("UOTHER", f"program show {key}").body)
        bot.settle()  # the after-ack work counts too
    assert key in said
    return len(statements)


def test_show_query_count_does_not_grow_with_history(
    slack: SlackDriver, bot: Bot, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "program add Small owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program add Large owner:<@ULEAD|lee>")
    add_history(sessions, "small", weeks=1, risks=1)
    add_history(sessions, "large", weeks=5 * 52, risks=200)
    small, large = (
        show_queries(slack, bot, engine, "small"),
        show_queries(slack, bot, engine, "large"),
    )
    assert small == large, (small, large)
    # The caller check before the transaction, the outbox round, and switching the connection
    # to and from a read-only transaction (two PRAGMAs on SQLite, one SET on PostgreSQL).
    assert large <= 21, large
