"""What every listener and scheduled item needs, handed to them through Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.runtime.settings import Settings
from storage.db import read_only


@dataclass(frozen=True)
class Deps:
    """Shared, thread-safe things: a session factory (never a session), settings, a clock.

    Attributes:
        sessions: Opens one transaction per request or item (`with sessions.begin():`).
        settings: The deployment's settings.
        clock: Returns the current aware UTC instant; frozen in tests.
        client: The request path's Web API client (never sleeps on 429).
    """

    sessions: sessionmaker[Session]
    settings: Settings
    clock: Clock
    client: WebClient

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
