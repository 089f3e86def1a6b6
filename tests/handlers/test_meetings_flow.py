"""Steering meetings' settings in Slack: schedule, list, edit, cancel, and who may.

Wednesday 25 Nov 2026 14:00 UTC is set-up day (the app's clock). Lee (Berlin) chairs a
fortnightly review in #steering, Mondays 10:00 Berlin (09:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, Meeting, MeetingOccurrence, ScheduledJob
from tests.conftest import ManualClock, Pass, Tick
from tests.flow import count, text_of

SCHEDULE = (
    'meeting schedule <#CSTEER|steering> "mon 10:00" every:2w length:90m '
    "<@ULEAD2|kim> <@UADMIN|ada>"
)


@pytest.fixture
def steering(fake: FakeSlack) -> None:
    """#steering with Lee, Kim and Ada; Otto and Gus (a guest) are not in it."""
    fake.add_channel("CSTEER", "steering", members=["ULEAD", "ULEAD2", "UADMIN", "UGUEST"])


def meeting_of(sessions: sessionmaker[Session]) -> Meeting:
    with sessions() as session:
        meeting = session.scalar(select(Meeting))
        assert meeting is not None
        return meeting


def test_schedule_says_when_it_is_prepared_and_stores_a_fortnightly_plan(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    reply = slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")

    said = text_of(reply.body)
    assert "Scheduled the steering meeting in <#CSTEER>" in said
    assert "mon 10:00, every 2 weeks, 90 min (Europe/Berlin)" in said
    assert "Next: *Mon 30 Nov 2026 10:00*" in said
    assert "asked to update on Fri 27 Nov 2026 10:00" in said
    assert "agenda is posted at Mon 30 Nov 2026 09:00" in said
    meeting = meeting_of(sessions)
    assert (meeting.chair_id, meeting.attendees) == ("ULEAD", ["ULEAD2", "UADMIN"])
    assert (meeting.every_weeks, meeting.length_minutes, meeting.anchor) == (
        2,
        90,
        date(2026, 11, 30),
    )
    assert meeting.next_due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_meeting_scheduled_just_after_its_preread_time_still_asks_the_owners_now(
    slack: SlackDriver, fake: FakeSlack, clock: ManualClock, tick: Tick, steering: None
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("ULEAD", "status apollo red vendor gone")
    clock.now = datetime(2026, 11, 25, 14, 20, tzinfo=UTC)  # Wed 15:20 in Berlin
    said = text_of(
        slack.command("ULEAD", 'meeting schedule <#CSTEER|steering> "thu 15:00" <@UADMIN|ada>').body
    )
    assert "asked to update now (in their hours); the agenda is posted at Thu 26 Nov" in said
    tick(datetime(2026, 11, 25, 14, 21, tzinfo=UTC))
    [preread] = [m for m in fake.dms("ULEAD") if "steering agenda" in m.get("text", "")]
    assert "*Apollo* is on Thursday's steering agenda" in text_of(preread)


def test_the_occurrences_jobs_are_made_ahead_of_it(
    slack: SlackDriver, sessions: sessionmaker[Session], run_pass: Pass, steering: None
) -> None:
    slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")

    run_pass(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))

    with sessions() as session:
        jobs = {job.kind: (job.period, job.due_at) for job in session.scalars(select(ScheduledJob))}
    assert jobs == {
        "meeting_preread": ("2026-11-30T10:00", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
        "meeting_agenda": ("2026-11-30T10:00", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        "meeting_close": ("2026-11-30T10:00", datetime(2026, 11, 30, 11, 0, tzinfo=UTC)),
    }
    with sessions() as session:
        assert session.scalar(select(Meeting.next_due_at)) == datetime(
            2026, 12, 14, 9, 0, tzinfo=UTC
        )


def test_naming_attendees_in_an_edit_says_who_joined_and_who_left(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")
    said = text_of(slack.command("ULEAD", "meeting edit <#CSTEER|steering> <@UADMIN|ada>").body)
    assert "No longer attending: <@ULEAD2> (the people named replace the list of attendees)." in (
        said
    )
    said = text_of(
        slack.command("ULEAD", "meeting edit <#CSTEER|steering> <@UADMIN|ada> <@ULEAD2|kim>").body
    )
    assert "Added <@ULEAD2> (the people named replace" in said
    said = text_of(slack.command("ULEAD", "meeting edit <#CSTEER|steering> length:60m").body)
    assert "replace the list" not in said
    assert "ULEAD2" in meeting_of(sessions).attendees


def test_list_shows_every_meeting_and_edit_changes_what_was_named(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program portfolio apollo Payments")

    reply = slack.command("ULEAD", 'meeting edit <#CSTEER|steering> "thu 14:00" portfolio:payments')

    said = text_of(reply.body)
    assert "Changed the steering meeting" in said
    assert "thu 14:00, every 2 weeks, 90 min (Europe/Berlin), for the *Payments* portfolio" in said
    listing = text_of(slack.command("UOTHER", "meeting list").body)
    assert "<#CSTEER> · thu 14:00" in listing and "chaired by <@ULEAD>" in listing
    with sessions() as session:
        actions = list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "meeting"))
        )
    assert actions == ["schedule", "edit"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('meeting schedule <#CSTEER|steering> "mon" <@ULEAD2|kim>', "one start time"),
        ('meeting schedule <#CSTEER|steering> "mon 25:00" <@ULEAD2|kim>', "25:00"),
        (
            'meeting schedule <#CSTEER|steering> "funday 10:00" <@ULEAD2|kim>',
            "“funday” is not a day",
        ),
        (
            'meeting schedule <#CSTEER|steering> "mon 10:00" every:9w <@ULEAD2|kim>',
            "“9w” is not a number of weeks",
        ),
        (
            'meeting schedule <#CSTEER|steering> "mon 10:00" length:5m <@ULEAD2|kim>',
            "“5m” is not a meeting length",
        ),
        (
            'meeting schedule <#CSTEER|steering> "mon 10:00" portfolio:Nope <@ULEAD2|kim>',
            "No program is in a portfolio called “Nope”",
        ),
        ('meeting schedule <#CSTEER|steering> "mon 10:00"', "Name the attendees"),
        (
            'meeting schedule <#CSTEER|steering> "mon 10:00" <@UOTHER|otto>',
            "<@UOTHER> is not in <#CSTEER>",
        ),
        (
            'meeting schedule <#CSTEER|steering> "mon 10:00" <@UGUEST|gus>',
            "can't attend: bots, guests",
        ),
        ('meeting schedule "mon 10:00" <@ULEAD2|kim>', "Start with the channel"),
        (
            'meeting schedule <#CSTEER|steering> "mon 10:00" evry:2w <@ULEAD2|kim>',
            "every",
        ),
    ],
)
def test_bad_schedules_say_why_echo_the_text_and_store_nothing(
    slack: SlackDriver,
    sessions: sessionmaker[Session],
    steering: None,
    command: str,
    expected: str,
) -> None:
    reply = slack.command("ULEAD", command, channel_id="CSTEER")

    said = text_of(reply.body)
    assert expected in said
    assert "You typed: `/pmo meeting schedule" in said
    assert count(sessions, Meeting) == 0


def test_a_channel_the_bot_is_not_in_gets_the_invite_hint(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    reply = slack.command(
        "UADMIN", 'meeting schedule <#CNOBOT|secret-room> "mon 10:00" <@UADMIN|ada>'
    )

    assert "/invite" in text_of(reply.body)
    assert count(sessions, Meeting) == 0


def test_a_second_meeting_in_the_channel_is_refused(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")

    reply = slack.command("ULEAD2", SCHEDULE)

    assert "already has a steering meeting, chaired by <@ULEAD>" in text_of(reply.body)
    assert count(sessions, Meeting) == 1


def test_only_the_chair_or_an_admin_edits_or_cancels_and_guests_get_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")

    for user in ("ULEAD2", "UOTHER"):
        refused = text_of(slack.command(user, "meeting edit <#CSTEER|steering> length:30m").body)
        assert "Only the chair <@ULEAD> or a PMO admin can change" in refused
        refused = text_of(slack.command(user, "meeting cancel <#CSTEER|steering>").body)
        assert "Only the chair <@ULEAD> or a PMO admin can cancel" in refused
    for text in ("meeting list", SCHEDULE, "meeting cancel <#CSTEER|steering>"):
        assert "Guest accounts" in text_of(slack.command("UGUEST", text).body)
    assert meeting_of(sessions).length_minutes == 90

    reply = slack.command("UADMIN", "meeting cancel <#CSTEER|steering>")

    assert "Cancelled the steering meeting in <#CSTEER>" in text_of(reply.body)
    meeting = meeting_of(sessions)
    assert meeting.removed_at is not None and meeting.next_due_at is None
    assert "No steering meetings yet" in text_of(slack.command("ULEAD", "meeting list").body)


def test_a_non_member_who_is_not_an_admin_cannot_chair_there(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    reply = slack.command("UOTHER", 'meeting schedule <#CSTEER|steering> "mon 10:00" <@ULEAD|lee>')

    assert "You're not a member of <#CSTEER>" in text_of(reply.body)
    assert count(sessions, Meeting) == 0


def test_agenda_previews_the_next_meeting_as_things_stand_to_members_not_guests(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    slack.command("ULEAD", SCHEDULE, channel_id="CSTEER")
    quiet = text_of(slack.command("ULEAD2", "meeting agenda <#CSTEER|steering>").body)
    assert "Steering agenda · Mon 30 Nov 2026, 18:00" in quiet  # Kim's own time, Tokyo
    assert "Nothing on the agenda" in quiet

    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("ULEAD", "status apollo red <!channel> vendor gone")

    shown = text_of(slack.command("UOTHER", "meeting agenda", channel_id="CSTEER").body)
    assert "*1. Apollo*" in shown and "&lt;!channel&gt; vendor gone" in shown
    assert "<!channel>" not in shown
    assert "Guest accounts" in text_of(slack.command("UGUEST", "meeting agenda").body)
    no_meeting = text_of(slack.command("ULEAD", "meeting agenda <#CAPOLLO|apollo>").body)
    assert "<#CAPOLLO> has no steering meeting" in no_meeting
    assert count(sessions, MeetingOccurrence) == 0  # a preview stores nothing


def test_help_names_the_meeting_commands_and_answers_the_words_people_try(
    slack: SlackDriver,
) -> None:
    overview = text_of(slack.command("ULEAD", "help").body)
    assert "/pmo meeting schedule|list|agenda|start|close|show|edit|cancel" in overview
    for topic, words in (("actions", "decision log"), ("meetings", "Steering meetings for chairs")):
        assert words in text_of(slack.command("ULEAD", f"help {topic}").body)
