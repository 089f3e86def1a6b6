"""Stand-ups in people's working time, on the scheduler: `local` stand-ups, participants
outside their hours, on a day off or a holiday, and pausing after three unanswered runs.

Dates: Lee (Berlin) facilitates #team. Thursday 26 Nov 2026 (US Thanksgiving): 09:30 is 00:30
UTC in Tokyo, 08:30 UTC in Berlin, 14:30 UTC in New York and 17:30 UTC in Los Angeles;
08:00 in New York is 13:00 UTC. Default message hours are 08:00–20:00, Monday to Friday.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import standups
from storage.models import OutboxMessage, Person, Standup, StandupRun
from tests.conftest import START
from tests.schedules.conftest import BERLIN, NEW_YORK, TEAM, TOKYO, World, utc

LOS_ANGELES = "America/Los_Angeles"
ZONES = {"UBER": BERLIN, "UNY": NEW_YORK, "UTOK": TOKYO, "ULA": LOS_ANGELES}


@pytest.fixture
def team(world: World) -> World:
    """A workspace and #team: Lee (Berlin) facilitates; Bea, Nia, Toko and Lou take part."""
    world.workspace(now=START)
    world.fake.add_channel("CTEAM", "team", members=["ULEAD", *ZONES])
    world.person("ULEAD", BERLIN, now=START)
    for user_id, tz in ZONES.items():
        world.fake.add_user(user_id, user_id.lower(), tz=tz)
        world.person(user_id, tz, now=START)
    return world


def schedule(
    world: World,
    people: list[str],
    *,
    when: str = "mon-fri 09:30",
    close: str | None = None,
    now: datetime = START,
) -> int:
    """Lee schedules the #team stand-up (Berlin) for `people`; returns its id."""
    with world.sessions.begin() as session:
        lead = session.get(Person, (TEAM, "ULEAD"))
        found = [session.get(Person, (TEAM, user)) for user in people]
        assert lead is not None
        standup = standups.schedule(
            session,
            channel_id="CTEAM",
            facilitator=lead,
            plan=standups.make_plan(when=when, close=close, tz=BERLIN, questions=None),
            participants=[p for p in found if p is not None],
            members={"ULEAD", *ZONES},
            now=now,
        )
        return standup.id


def set_person(world: World, user_id: str, **values: Any) -> None:
    """Change a person's calendar columns (workdays, holidays…) as `/pmo hours` would."""
    with world.sessions.begin() as session:
        person = session.get(Person, (TEAM, user_id))
        assert person is not None
        for key, value in values.items():
            setattr(person, key, value)


def asks(world: World, user: str) -> list[dict[str, Any]]:
    """Stand-up questions `user` received."""
    return [m for m in world.fake.dms(user) if m["text"].startswith(":wave: Stand-up in")]


def summary(world: World) -> str:
    """The one summary posted in #team."""
    [posted] = [m for m in world.fake.messages("CTEAM") if m["text"].startswith("Stand-up summary")]
    return str(posted["text"])


def held_until(world: World, user: str) -> list[datetime | None]:
    """When each stand-up question queued for `user` may go out."""
    with world.sessions() as session:
        rows = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.channel == user, OutboxMessage.dedupe_key.like("standup-ask:%")
            )
        )
        return [row.not_before for row in rows]


def test_local_standup_asks_each_participant_at_their_own_0930_and_lists_who_is_after_close(
    team: World,
) -> None:
    schedule(team, ["UBER", "UNY", "UTOK", "ULA"], when="mon-fri 09:30 local", close="16:00")

    team.tick(utc("2026-11-26 00:29"))
    assert asks(team, "UTOK") == []
    team.tick(utc("2026-11-26 00:30"))  # 09:30 in Tokyo: the run opens
    assert len(asks(team, "UTOK")) == 1
    assert asks(team, "UBER") == asks(team, "UNY") == []
    assert held_until(team, "UBER") == [utc("2026-11-26 08:30")]
    assert held_until(team, "UNY") == [utc("2026-11-26 14:30")]

    team.tick(utc("2026-11-26 08:29"))
    assert asks(team, "UBER") == []
    team.tick(utc("2026-11-26 08:30"))  # 09:30 in Berlin
    assert len(asks(team, "UBER")) == 1 and asks(team, "UNY") == []
    team.tick(utc("2026-11-26 14:30"))  # 09:30 in New York, and the reminder (15:30 Berlin)
    assert len(asks(team, "UNY")) == 1
    reminded = [m for m in team.fake.dms("UNY") if "Reminder" in m["text"]]
    assert reminded == []  # asked this minute: no reminder on top of the question
    assert [m for m in team.fake.dms("UTOK") if "Reminder" in m["text"]]
    team.tick(utc("2026-11-26 15:00"))  # 16:00 Berlin: close
    team.tick(utc("2026-11-26 17:30"))

    assert asks(team, "ULA") == held_until(team, "ULA") == []
    text = summary(team)
    assert "Thu 26 Nov 2026" in text
    assert "*Not asked, their opening time is after the close:* <@ULA>" in text
    assert "*Did not answer:* <@UBER>, <@UNY>, <@UTOK>" in text


def test_local_standup_repeated_passes_ask_each_once(team: World) -> None:
    schedule(team, ["UBER", "UTOK"], when="mon-fri 09:30 local")
    for at in ("00:30", "00:30", "08:30", "08:30", "10:30", "10:31"):
        team.tick(utc(f"2026-11-26 {at}"))

    assert len(asks(team, "UTOK")) == len(asks(team, "UBER")) == 1
    with team.sessions() as session:
        [run] = session.scalars(select(StandupRun)).all()
        assert run.period == "2026-11-26T09:30"


def test_local_standup_a_day_wide_opens_each_day_after_the_last_run_closed(team: World) -> None:
    # A Los Angeles stand-up closing at 17:00 (01:00 UTC) with a Tokyo participant, whose 09:30
    # (00:30 UTC) comes before that close: each day's run opens just after the last closed.
    with team.sessions.begin() as session:
        lead = session.get(Person, (TEAM, "ULEAD"))
        people = [session.get(Person, (TEAM, user)) for user in ("UTOK", "ULA")]
        assert lead is not None
        standups.schedule(
            session,
            channel_id="CTEAM",
            facilitator=lead,
            plan=standups.make_plan(
                when="mon-fri 09:30 local", close="17:00", tz=LOS_ANGELES, questions=None
            ),
            participants=[p for p in people if p is not None],
            members={"ULEAD", *ZONES},
            now=utc("2026-11-29 12:00"),
        )
    at = utc("2026-11-30 00:00")  # Monday 09:00 in Tokyo
    while at < utc("2026-12-03 02:00"):
        team.tick(at)
        at += timedelta(minutes=15)

    assert len(asks(team, "UTOK")) == len(asks(team, "ULA")) == 3  # Mon, Tue and Wed
    summaries = [m for m in team.fake.messages("CTEAM") if m["text"].startswith("Stand-up summary")]
    assert len(summaries) == 3
    with team.sessions() as session:
        runs = session.scalars(select(StandupRun).order_by(StandupRun.id)).all()
        assert [run.period for run in runs] == [
            "2026-11-30T09:30",
            "2026-12-01T09:30",
            "2026-12-02T09:30",
        ]
        # Tuesday's opened at 01:01 UTC, after Monday's closed at 01:00: Kim was asked in the
        # first pass after it (10:15 in Tokyo).
        assert runs[1].asked_at is not None and runs[1].asked_at["UTOK"].startswith(
            "2026-12-01T01:15"
        )


def test_local_standup_follows_each_participants_daylight_saving(team: World) -> None:
    # New York moved its clocks on 14 March 2027, Berlin moves them on Sunday 28 March.
    people = ["UBER", "UNY"]
    schedule(team, people, when="mon-fri 09:30 local", close="16:00", now=utc("2027-03-25 12:00"))
    for at in ("2027-03-26 08:30", "2027-03-26 13:30", "2027-03-26 15:00"):  # Friday
        team.tick(utc(at))
    for at in ("2027-03-29 07:30", "2027-03-29 13:30", "2027-03-29 14:00"):  # Monday
        team.tick(utc(at))

    with team.sessions() as session:
        runs = session.scalars(select(StandupRun).order_by(StandupRun.id)).all()
        assert [run.asked_at for run in runs] == [
            {"UBER": "2027-03-26T08:30:00+00:00", "UNY": "2027-03-26T13:30:00+00:00"},
            {"UBER": "2027-03-29T07:30:00+00:00", "UNY": "2027-03-29T13:30:00+00:00"},
        ]
    assert len(asks(team, "UBER")) == len(asks(team, "UNY")) == 2


def test_new_york_participant_of_a_berlin_0930_standup_is_asked_at_0800_new_york(
    team: World,
) -> None:
    schedule(team, ["UBER", "UNY"], close="15:00")  # closes 14:00 UTC, 09:00 in New York

    team.tick(utc("2026-11-26 08:30"))  # 09:30 Berlin, 03:30 New York
    assert len(asks(team, "UBER")) == 1
    assert asks(team, "UNY") == []
    assert held_until(team, "UNY") == [utc("2026-11-26 13:00")]
    team.tick(utc("2026-11-26 12:59"))
    assert asks(team, "UNY") == []

    team.tick(utc("2026-11-26 13:00"))  # 08:00 in New York

    assert len(asks(team, "UNY")) == 1


def test_new_york_participant_is_listed_outside_working_hours_when_their_day_starts_after_close(
    team: World,
) -> None:
    standup_id = schedule(team, ["UBER", "UNY"])  # 09:30–11:30 Berlin: 03:30–05:30 New York
    for at in ("08:30", "10:00", "10:30", "13:00", "14:30"):
        team.tick(utc(f"2026-11-26 {at}"))

    assert team.fake.dms("UNY") == []  # never at 03:31, nor later
    text = summary(team)
    assert "*Not asked, outside working hours:* <@UNY>" in text
    assert "*Did not answer:* <@UBER>" in text and "Did not answer:* <@UBER>, <@UNY>" not in text
    with team.sessions() as session:
        standup = session.get(Standup, standup_id)
        assert standup is not None and standup.unanswered_runs == 1


def test_participant_on_a_public_holiday_is_not_asked_and_is_listed(team: World) -> None:
    set_person(team, "UNY", holidays="US")  # Thursday 26 Nov 2026 is Thanksgiving
    schedule(team, ["UBER", "UNY"], close="15:00")
    for at in ("08:30", "13:00", "14:00"):
        team.tick(utc(f"2026-11-26 {at}"))

    assert team.fake.dms("UNY") == []
    assert "*Not asked, not a working day:* <@UNY>" in summary(team)


def test_participant_whose_week_ends_on_thursday_is_not_asked_on_friday(team: World) -> None:
    set_person(team, "UTOK", workdays="01236")  # Sunday to Thursday
    schedule(team, ["UBER", "UTOK"])
    for at in ("08:30", "10:30"):
        team.tick(utc(f"2026-11-27 {at}"))  # Friday

    assert asks(team, "UTOK") == []
    assert len(asks(team, "UBER")) == 1
    assert "*Not asked, not a working day:* <@UTOK>" in summary(team)


def test_three_unanswered_runs_pause_the_standup_and_dm_the_facilitator_once(
    team: World,
) -> None:
    standup_id = schedule(team, ["UBER"])
    for day in ("2026-11-26", "2026-11-27", "2026-11-30"):  # Thu, Fri, Mon
        for at in ("08:30", "10:30", "10:30"):
            team.tick(utc(f"{day} {at}"))
    team.tick(utc("2026-11-30 10:31"))
    team.tick(utc("2026-12-01 08:30"))  # Tuesday: no run while paused
    team.tick(utc("2026-12-01 10:30"))

    paused = [m for m in team.fake.dms("ULEAD") if "I paused the stand-up" in m["text"]]
    assert len(paused) == 1
    assert "nobody answered the last 3 runs" in paused[0]["text"]
    assert len(asks(team, "UBER")) == 3
    with team.sessions() as session:
        standup = session.get(Standup, standup_id)
        assert standup is not None
        assert standup.paused_at == utc("2026-11-30 10:30") and standup.unanswered_runs == 3


def test_an_answered_run_starts_the_count_afresh(team: World) -> None:
    standup_id = schedule(team, ["UBER"])
    days = ("2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01", "2026-12-02")
    for n, day in enumerate(days):
        team.tick(utc(f"{day} 08:30"))
        if n == 2:
            with team.sessions.begin() as session:
                [(run, standup)] = standups.awaiting(
                    session, team_id=TEAM, user_id="UBER", now=utc(f"{day} 09:00")
                )
                standups.save_answer(
                    session,
                    run=run,
                    standup=standup,
                    user_id="UBER",
                    texts=["a", "b", ""],
                    now=utc(f"{day} 09:00"),
                )
        team.tick(utc(f"{day} 10:30"))

    with team.sessions() as session:
        standup = session.get(Standup, standup_id)
        assert standup is not None
        assert standup.paused_at is None and standup.unanswered_runs == 2
    assert not [m for m in team.fake.dms("ULEAD") if "I paused" in m["text"]]
