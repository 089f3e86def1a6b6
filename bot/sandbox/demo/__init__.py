"""The demo workspace, and `pmo-bot demo-data`: a portfolio with months of real history.

The package: `workspace` (the people and channels, shared with `pmo-bot shell`'s fake Slack),
`portfolio` (the programs' story: weekly colours, RAID items, milestones) and `seed` (writing
it through the domain functions with past `now` values). Callers use the names re-exported here.
"""

from bot.sandbox.demo.portfolio import WEEKS
from bot.sandbox.demo.seed import AlreadySeeded, Summary, run, seed
from bot.sandbox.demo.workspace import (
    ADA,
    APOLLO,
    BOT_USER_ID,
    CHANNELS,
    DEFAULT_DATABASE_URL,
    GENERAL,
    GUS,
    INTAKE,
    KIM,
    LEADERSHIP,
    LEE,
    OTTO,
    PMO,
    SAM,
    TEAM_DOMAIN,
    TEAM_ID,
    TIMEZONE,
    USERS,
    DemoChannel,
    DemoUser,
    populate,
    user_by_name,
)

__all__ = [
    "ADA",
    "APOLLO",
    "BOT_USER_ID",
    "CHANNELS",
    "DEFAULT_DATABASE_URL",
    "GENERAL",
    "GUS",
    "INTAKE",
    "KIM",
    "LEADERSHIP",
    "LEE",
    "OTTO",
    "PMO",
    "SAM",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "TIMEZONE",
    "USERS",
    "WEEKS",
    "AlreadySeeded",
    "DemoChannel",
    "DemoUser",
    "Summary",
    "populate",
    "run",
    "seed",
    "user_by_name",
]
