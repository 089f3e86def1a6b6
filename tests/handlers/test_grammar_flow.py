"""The command grammar as a lead types it: options without quotes, unknown options refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Milestone, Program, StatusUpdate
from tests.flow import count, program, text_of


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


def test_an_unknown_option_is_refused_with_a_suggestion_and_nothing_is_stored(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(
        slack.command("UADMIN", "program add Mercury owner:<@ULEAD|lee> targt:2027-05-01").body
    )
    assert "Unknown option `targt:` — did you mean `target:`?" in said
    assert "You typed: `/pmo program add Mercury owner:&lt;@ULEAD|lee&gt; targt:2027-05-01`" in said
    assert count(sessions, Program) == 0


def test_a_due_date_with_spaces_needs_no_quotes(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", 'milestone add apollo "Cutover" due:Dec 3').body)
    assert "Cutover" in said and "Dec" in said
    assert count(sessions, Milestone) == 1


def test_a_cadence_with_spaces_needs_no_quotes(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "program add Mercury owner:<@ULEAD|lee> cadence:weekly mon 09:00")
    found = program(sessions, "mercury")
    assert found is not None and found.cadence == "weekly mon 09:00"


def test_a_key_can_be_chosen_when_registering(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(
        slack.command("UADMIN", 'program add "Apollo Migration" owner:<@ULEAD|lee> key:apm').body
    )
    assert "`apm`" in said
    found = program(sessions, "apm")
    assert found is not None and found.name == "Apollo Migration"
    refused = text_of(slack.command("UADMIN", "program add Zeus owner:<@ULEAD|lee> key:apm").body)
    assert "The key `apm` is taken by *Apollo Migration*" in refused
    bad = text_of(slack.command("UADMIN", "program add Hera owner:<@ULEAD|lee> key:Not_OK!").body)
    assert "can't be a key" in bad
    assert count(sessions, Program) == 1


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("日本語プロジェクト", "ribenyupurojiekuto"),
        ("Проект Альфа", "proekt-al-fa"),
        ("🚀", "rocket"),
    ],
)
def test_a_name_in_any_script_registers_with_a_transliterated_key(
    slack: SlackDriver, sessions: sessionmaker[Session], name: str, key: str
) -> None:
    slack.command("UADMIN", f'program add "{name}" owner:<@ULEAD|lee>')
    found = program(sessions, key)
    assert found is not None and found.name == name


def test_a_name_with_nothing_to_spell_a_key_with_is_numbered(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", 'program add "\u0378\u0379" owner:<@ULEAD|lee>')  # unassigned
    found = program(sessions, "p-1")
    assert found is not None


@pytest.fixture
def two_apollos(slack: SlackDriver) -> None:
    slack.command("UADMIN", 'program add "Apollo Migration" owner:<@ULEAD|lee>')
    slack.command("UADMIN", 'program add "Apollo Billing" owner:<@ULEAD|lee>')
    slack.command("UADMIN", 'program add "Zephyr Platform" owner:<@ULEAD|lee>')


def test_a_unique_prefix_of_a_key_or_name_names_the_program(
    slack: SlackDriver, two_apollos: None
) -> None:
    said = text_of(slack.command("ULEAD", "status zeph green all good").body)
    assert "Stored the status of *Zephyr Platform*" in said
    said = text_of(slack.command("ULEAD", "status apollo-b green fine").body)
    assert "Stored the status of *Apollo Billing*" in said


def test_a_prefix_matching_two_programs_asks_which(
    slack: SlackDriver, sessions: sessionmaker[Session], two_apollos: None
) -> None:
    said = text_of(slack.command("ULEAD", "status apollo green fine").body)
    assert "Did you mean `apollo-billing` or `apollo-migration`?" in said
    assert "You typed: `/pmo status apollo green fine`" in said


def test_a_renamed_program_keeps_its_old_key_as_an_alias(
    slack: SlackDriver, sessions: sessionmaker[Session], two_apollos: None
) -> None:
    said = text_of(
        slack.command("ULEAD", 'program rename zephyr-platform "Zephyr Cloud" key:zc').body
    )
    assert "Renamed to *Zephyr Cloud* (`zc`). `zephyr-platform` still finds it." in said
    said = text_of(slack.command("ULEAD", "status zephyr-platform green moved").body)
    assert "Stored the status of *Zephyr Cloud*" in said
    taken = text_of(
        slack.command("UADMIN", "program add Other owner:<@ULEAD|lee> key:zephyr-platform").body
    )
    assert "taken by *Zephyr Cloud*" in taken


def test_only_an_owner_delegate_or_admin_renames_and_guests_never(
    slack: SlackDriver, sessions: sessionmaker[Session], two_apollos: None
) -> None:
    refused = text_of(slack.command("UOTHER", 'program rename zephyr-platform "Mine now"').body)
    assert "can rename *Zephyr Platform*" in refused
    guest = text_of(slack.command("UGUEST", 'program rename zephyr-platform "Mine now"').body)
    assert "Guest accounts can't" in guest
    assert program(sessions, "zephyr-platform") is not None
    clash = text_of(slack.command("ULEAD", 'program rename zephyr-platform "Apollo Billing"').body)
    assert "already has that name or key" in clash


def test_the_programs_a_short_name_could_be_are_buttons_that_run_it_again(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], two_apollos: None
) -> None:
    reply = slack.command("ULEAD", "status apollo green fine")
    assert reply.body is not None
    buttons = [
        element
        for block in reply.body["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [b["text"]["text"] for b in buttons] == ["apollo-billing", "apollo-migration"]
    refused = slack.click("UOTHER", buttons[1]["action_id"], value=buttons[1]["value"])
    assert "only they can pick" in json.dumps([r["body"] for r in fake.responses])
    assert refused.status == 200
    slack.click("ULEAD", buttons[1]["action_id"], value=buttons[1]["value"])
    found = program(sessions, "apollo-migration")
    assert found is not None and found.last_summary == "fine"
    assert count(sessions, StatusUpdate) == 1


def test_help_lists_every_area(slack: SlackDriver) -> None:
    said = text_of(slack.command("ULEAD", "help").body)
    for command in (
        "/pmo digest",
        "/pmo standup",
        "/pmo export",
        "/pmo ooo",
        "/pmo risk ",
        "/pmo risks",
    ):
        assert command in said, command
    for topic in (
        "program",
        "status",
        "risk",
        "digest",
        "milestone",
        "intake",
        "standup",
        "config",
        "export",
        "dates",
    ):
        assert f"/pmo help {topic}" in said, topic
