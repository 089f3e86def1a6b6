"""Working calendars through signed HTTP: `/pmo config workweek|hours|holidays` (admins) and
`/pmo hours` / `/pmo holidays` (a person's own), with bad input and refusals."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from storage.models import Person, Workspace
from tests.conftest import TEAM
from tests.flow import audit_actions, echo_of, text_of


def workspace(sessions: sessionmaker[Session]) -> Workspace:
    with sessions() as session:
        return session.get(Workspace, TEAM) or Workspace(
            team_id=TEAM, timezone="UTC", workdays="01234", hours="08:00-20:00"
        )


def person(sessions: sessionmaker[Session], user_id: str) -> Person:
    with sessions() as session:
        found = session.get(Person, (TEAM, user_id))
        assert found is not None
        return found


def test_admin_sets_the_workweek_hours_and_holidays(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "config workweek sun-thu").body)
    assert "Sun–Thu" in said
    said = text_of(slack.command("UADMIN", "config hours 09:00-18:00").body)
    assert "messages 09:00–18:00" in said
    said = text_of(slack.command("UADMIN", "config holidays de-by").body)
    assert "public holidays: DE-BY" in said
    space = workspace(sessions)
    assert (space.workdays, space.hours, space.holidays) == ("01236", "09:00-18:00", "DE-BY")
    shown = text_of(slack.command("UADMIN", "config").body)
    assert "Working time: Sun–Thu, messages 09:00–18:00" in shown
    assert "set workdays" in " ".join(audit_actions(sessions))
    slack.command("UADMIN", "config holidays none")
    assert workspace(sessions).holidays is None


def test_bad_workweek_hours_and_holidays_are_echoed_and_nothing_is_stored(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    body = slack.command("UADMIN", "config workweek mon-fry").body
    assert "“fry” is not a day of the week" in text_of(body)
    assert "mon-fry" in echo_of(body)
    body = slack.command("UADMIN", "config hours 18:00-09:00").body
    assert "must start before they end" in text_of(body)
    body = slack.command("UADMIN", "config holidays Narnia").body
    assert "not a country I know public holidays for" in text_of(body)
    assert "Narnia" in echo_of(body)
    body = slack.command("UADMIN", "config holidays US-ZZ").body
    assert "US has no region “ZZ”" in text_of(body)
    space = workspace(sessions)
    assert (space.workdays, space.hours, space.holidays) == ("01234", "08:00-20:00", None)


def test_non_admins_and_guests_cannot_change_the_workspace_calendar(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UOTHER", "config workweek sun-thu").body)
    assert "Only Slack workspace admins and owners" in said
    said = text_of(slack.command("UGUEST", "config holidays DE").body)
    assert "guest" in said.lower()
    space = workspace(sessions)
    assert (space.workdays, space.holidays) == ("01234", None)


def test_a_person_sets_their_own_days_and_hours_and_goes_back_to_the_default(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("ULEAD", "hours sun-thu 08:00-16:00").body)
    assert "Your working time is now: Sun–Thu 08:00–16:00" in said
    lee = person(sessions, "ULEAD")
    assert (lee.workdays, lee.hours) == ("01236", "08:00-16:00")
    slack.command("ULEAD", "hours 07:30-15:30")  # hours alone keep the days
    lee = person(sessions, "ULEAD")
    assert (lee.workdays, lee.hours) == ("01236", "07:30-15:30")
    shown = text_of(slack.command("ULEAD", "hours").body)
    assert "Sun–Thu 07:30–15:30" in shown and "your own days, hours" in shown
    said = text_of(slack.command("ULEAD", "hours default").body)
    assert "follow the workspace's working time again" in said
    lee = person(sessions, "ULEAD")
    assert (lee.workdays, lee.hours) == (None, None)
    with sessions() as session:
        other = session.get(Person, (TEAM, "UOTHER"))
        assert other is None or other.workdays is None


def test_a_person_picks_their_public_holidays(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("ULEAD", "holidays us-ca").body)
    assert "public holidays: US-CA" in said
    assert person(sessions, "ULEAD").holidays == "US-CA"
    slack.command("UADMIN", "config holidays DE")
    slack.command("ULEAD", "holidays none")  # none of the workspace's either
    assert "public holidays" not in text_of(slack.command("ULEAD", "holidays").body)
    slack.command("ULEAD", "holidays default")
    assert "public holidays: DE" in text_of(slack.command("ULEAD", "holidays").body)


def test_bad_personal_calendar_input_is_echoed_and_nothing_is_stored(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    body = slack.command("ULEAD", "hours mon-fri 9-5").body
    assert "not a span of hours" in text_of(body) and "9-5" in echo_of(body)
    body = slack.command("ULEAD", "hours someday 09:00-17:00").body
    assert "“someday” is not a day of the week" in text_of(body)
    body = slack.command("ULEAD", "hours 09:00-12:00 13:00-17:00").body
    assert "one span of hours" in text_of(body)
    body = slack.command("ULEAD", "holidays <!channel>").body
    assert "<!channel>" not in str(body) and "&lt;!channel&gt;" in echo_of(body)
    lee = person(sessions, "ULEAD")
    assert (lee.workdays, lee.hours, lee.holidays) == (None, None, None)


def test_guests_cannot_set_a_calendar(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    for command in ("hours sun-thu 08:00-16:00", "holidays DE"):
        said = text_of(slack.command("UGUEST", command).body)
        assert "guest" in said.lower(), command
    with sessions() as session:
        gus = session.get(Person, (TEAM, "UGUEST"))
        assert gus is None or (gus.workdays, gus.holidays) == (None, None)
