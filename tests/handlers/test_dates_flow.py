"""Dates in commands, through the real app over signed HTTP: what is stored is what was
echoed, and an ambiguous date is answered with both readings as buttons that run it again."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Milestone, Person, Program, RaidItem
from tests.conftest import Bot, ManualClock
from tests.flow import count, echo_of, text_of


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


def milestone_dues(sessions: sessionmaker[Session]) -> list[date]:
    with sessions() as session:
        return list(session.scalars(select(Milestone.due_date)))


def buttons(payload: dict[str, object]) -> list[dict[str, object]]:
    blocks = payload.get("blocks") or []
    assert isinstance(blocks, list)
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_end_of_q1_in_november_stores_next_years_31_march_and_says_so(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", 'milestone add apollo "Cutover" due:"end of Q1"').body)
    assert "due Wed 31 Mar 2027" in said
    assert milestone_dues(sessions) == [date(2027, 3, 31)]


def test_an_ambiguous_date_is_answered_with_both_readings_and_stores_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    typed = 'milestone add apollo "Cutover" due:03/04/2027'
    reply = slack.command("ULEAD", typed).body
    assert "“03/04/2027” could be 3 Apr or 4 Mar — which?" in text_of(reply)
    assert [b["text"]["text"] for b in buttons(reply)] == ["Sat 3 Apr 2027", "Thu 4 Mar 2027"]
    assert echo_of(reply) == f"/pmo {typed}"
    assert count(sessions, Milestone) == 0


def test_clicking_a_reading_runs_the_command_with_it_in_place_of_the_question(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    reply = slack.command("ULEAD", 'milestone add apollo "Cutover" due:"03/04/2027"').body
    slack.click_button("ULEAD", reply, "date_reading_2")
    answer = fake.responses[-1]["body"]
    assert "Milestone “Cutover” added to *Apollo*, due Thu 4 Mar 2027." in text_of(answer)
    assert answer["replace_original"] is True
    assert milestone_dues(sessions) == [date(2027, 3, 4)]


def test_only_the_person_who_typed_the_command_can_pick_its_date(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    reply = slack.command("ULEAD", 'milestone add apollo "Cutover" due:03/04/2027').body
    slack.click_button("ULEAD2", reply, "date_reading_1")
    refusal = text_of(fake.responses[-1]["body"])
    assert "That is <@ULEAD>'s command, so only they can pick for it." in refusal
    assert count(sessions, Milestone) == 0


def test_a_reading_is_run_with_the_clickers_rights_not_bypassing_them(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    reply = slack.command("UOTHER", 'milestone add apollo "Cutover" due:03/04/2027').body
    slack.click_button("UOTHER", reply, "date_reading_1")
    said = text_of(fake.responses[-1]["body"])
    assert "owner" in said and "Usage: `/pmo milestone add" in said
    assert 'You typed: `/pmo milestone add apollo "Cutover" due:2027-04-03`' in said
    assert count(sessions, Milestone) == 0


def test_a_crafted_reading_button_is_refused(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.click("ULEAD", "date_reading_1", value="milestone add apollo x due:today")
    assert "out of date" in text_of(fake.responses[-1]["body"])
    assert count(sessions, Milestone) == 0


def test_a_reading_of_a_deferred_command_answers_on_the_clicks_response_url(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    reply = slack.command("ULEAD", "digest show 03/04/2026").body
    assert "could be 3 Apr or 4 Mar" in text_of(reply)
    slack.click_button("ULEAD", reply, "date_reading_1")
    bot.settle()
    answer = fake.responses[-1]["body"]
    assert "No digest was posted on Fri 3 Apr 2026." in text_of(answer)
    assert answer["replace_original"] is True


def test_a_command_too_long_for_a_button_says_how_to_type_each_reading(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    name = "n" * 1990
    reply = slack.command("ULEAD", f'milestone add apollo "{name}" due:03/04/2027').body
    said = text_of(reply)
    assert "too long to run again from a button: type it with `2027-04-03`" in said
    assert buttons(reply) == []
    assert name in echo_of(reply)


def test_a_bad_date_echoes_what_was_typed_and_stores_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    typed = 'milestone add apollo "Cutover" due:"when pigs fly"'
    reply = slack.command("ULEAD", typed).body
    assert "I can't read “when pigs fly” as a date." in text_of(reply)
    assert echo_of(reply) == f"/pmo {typed}"
    assert buttons(reply) == []
    assert count(sessions, Milestone) == 0


def test_a_program_target_is_echoed_with_its_weekday(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "program add Zeus owner:<@ULEAD|lee> target:H1").body)
    assert "Target Wed 30 Jun 2027." in said
    with sessions() as session:
        assert session.scalar(select(Program.target_date)) == date(2027, 6, 30)


def test_out_of_office_is_echoed_with_its_weekday(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("ULEAD", 'ooo until:"friday next week"').body)
    assert "out of office through Fri 4 Dec 2026" in said
    with sessions() as session:
        assert session.scalar(select(Person.ooo_until).where(Person.user_id == "ULEAD")) == date(
            2026, 12, 4
        )


def test_a_risk_due_date_is_echoed_with_its_weekday(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("UOTHER", 'risk apollo "Vendor slips" due:EOW').body)
    assert "due Fri 27 Nov 2026" in said
    with sessions() as session:
        assert session.scalar(select(RaidItem.due_date)) == date(2026, 11, 27)


def test_dates_are_read_in_the_callers_own_zone(
    slack: SlackDriver, clock: ManualClock, apollo: str
) -> None:
    """At 23:30 UTC on Wednesday it is Thursday morning in Tokyo, still Wednesday in New York."""
    slack.command("UADMIN", "program delegates apollo add <@ULEAD2|kim>")
    slack.command("UADMIN", "program delegates apollo add <@UOTHER|otto>")
    clock.advance(hours=9, minutes=30)
    said = text_of(slack.command("ULEAD2", 'milestone add apollo "Kickoff" due:EOD').body)
    assert "due Thu 26 Nov 2026" in said
    said = text_of(slack.command("UOTHER", 'milestone add apollo "Prep" due:EOD').body)
    assert "due Wed 25 Nov 2026" in said
