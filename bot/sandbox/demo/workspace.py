"""The demo workspace's people and channels, defined once for `demo-data` and the shell.

`pmo-bot shell` builds its fake Slack from them (`populate`), so the ids the demo data stores
are the ids the shell's users act with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.fake_slack import FakeSlack

TEAM_ID = "TDEMO"
TEAM_DOMAIN = "pmo-demo"
BOT_USER_ID = "UPMOBOT"
TIMEZONE = "Europe/Berlin"
DEFAULT_DATABASE_URL = "sqlite:///pmo-sandbox.db"


@dataclass(frozen=True)
class DemoUser:
    """A member of the demo workspace."""

    id: str
    name: str
    real_name: str
    tz: str
    role: str
    is_admin: bool = False
    is_restricted: bool = False

    def slack_json(self) -> dict[str, Any]:
        """The user as `users.info` returns it (what `people.upsert_person` stores)."""
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "real_name": self.real_name,
            "tz": self.tz,
            "is_admin": self.is_admin,
            "is_restricted": self.is_restricted,
            "profile": {"display_name": self.name, "real_name": self.real_name},
        }


@dataclass(frozen=True)
class DemoChannel:
    """A channel of the demo workspace; the bot is a member of each."""

    id: str
    name: str
    members: tuple[str, ...]


ADA, LEE, KIM, OTTO, SAM, GUS = "UADA", "ULEE", "UKIM", "UOTTO", "USAM", "UGUS"
USERS = (
    DemoUser(ADA, "ada", "Ada Admin", "Europe/London", "PMO admin", is_admin=True),
    DemoUser(LEE, "lee", "Lee Lead", "Europe/Berlin", "team lead"),
    DemoUser(KIM, "kim", "Kim Lead", "Asia/Tokyo", "team lead"),
    DemoUser(OTTO, "otto", "Otto Owner", "America/New_York", "team lead"),
    DemoUser(SAM, "sam", "Sam Sponsor", "Europe/London", "sponsor, leadership"),
    DemoUser(GUS, "gus", "Gus Guest", "Europe/Berlin", "Slack guest", is_restricted=True),
)
EVERYONE = tuple(u.id for u in USERS)
GENERAL, PMO, LEADERSHIP, INTAKE = "CGENERAL", "CPMO", "CLEADERSHIP", "CINTAKE"
APOLLO, ATLAS, TITAN = "CAPOLLO", "CATLAS", "CTITAN"
CHANNELS = (
    DemoChannel(GENERAL, "general", EVERYONE),
    DemoChannel(PMO, "pmo", (ADA, LEE, KIM, OTTO)),
    DemoChannel(LEADERSHIP, "leadership", (ADA, SAM)),
    DemoChannel(INTAKE, "intake", (ADA, LEE)),
    DemoChannel(APOLLO, "apollo", (LEE, OTTO)),
    DemoChannel(ATLAS, "atlas", (LEE, ADA)),
    DemoChannel(TITAN, "titan", (OTTO, ADA)),
)


def user_by_name(name: str) -> DemoUser | None:
    """A demo user by `@name`, `name` or id (case-insensitive)."""
    wanted = name.strip().removeprefix("@").lower()
    return next((u for u in USERS if wanted in (u.name, u.id.lower())), None)


def populate(fake: FakeSlack) -> None:
    """Give a fake Slack the demo workspace's people and channels."""
    for user in USERS:
        fake.add_user(
            user.id,
            user.name,
            real_name=user.real_name,
            tz=user.tz,
            is_admin=user.is_admin,
            is_restricted=user.is_restricted,
        )
    for channel in CHANNELS:
        fake.add_channel(channel.id, channel.name, members=channel.members)


def user_of(user_id: str) -> DemoUser:
    """A demo user by id."""
    return next(u for u in USERS if u.id == user_id)


def channel_of(channel_id: str) -> DemoChannel:
    """A demo channel by id."""
    return next(c for c in CHANNELS if c.id == channel_id)
