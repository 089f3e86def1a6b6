"""What every listener and scheduled item needs, handed to them through Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.runtime.settings import Settings
from storage.db import read_only


@dataclass(frozen=True)
class Budgets:
    """How long a request may wait on Slack and on the database before it gives up.

    Slack wants an ack within 3 s, so an inline answer's look-ups may take `lookup_s` in all
    (each call at most `slack_timeout_s`) and its transaction may wait `db_wait_s` for a lock;
    past them the user is told Slack or the database is slow and nothing is changed. An
    answer after the ack (to the response_url, valid for 30 min) has the deferred budgets.
    """

    lookup_s: float = 1.0
    deferred_lookup_s: float = 20.0
    db_wait_s: float = 1.0
    deferred_db_wait_s: float = 10.0
    slack_timeout_s: float = 1.5


@dataclass(frozen=True)
class Deps:
    """Shared, thread-safe things: a session factory (never a session), settings, a clock.

    Attributes:
        sessions: Opens one transaction per request or item (`with sessions.begin():`).
        settings: The deployment's settings.
        clock: Returns the current aware UTC instant; frozen in tests.
        client: The request path's Web API client (never sleeps on 429).
        budgets: How long a request waits on Slack and the database (Slack's 3-s ack).
    """

    sessions: sessionmaker[Session]
    settings: Settings
    clock: Clock
    client: WebClient
    budgets: Budgets = field(default_factory=Budgets)

    @cached_property
    def reads(self) -> sessionmaker[Session]:
        """Opens transactions that only read (`with reads.begin():`): deferred answers.

        On SQLite they take no writer lock, so they never wait behind a write (one waiting on
        Slack, say) nor hold one up; a write in them fails.
        """
        return read_only(self.sessions)

    def __deepcopy__(self, memo: dict[int, object]) -> Deps:
        # Bolt deep-copies the context for lazy listeners; these are shared by design.
        return self
