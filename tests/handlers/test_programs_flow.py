"""`/pmo program …` driven through the real app over signed HTTP, against the fake Slack."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.help import USAGE
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Milestone, Program, ProgramDelegate
from tests.flow import audit_actions, count, program, text_of

APOLLO = (
    '"Apollo Migration" owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo> cadence:"weekly mon 09:00"'
)


def add_apollo(slack: SlackDriver) -> str:
    return text_of(slack.command("UADMIN", f"program add {APOLLO} target:2027-03-31").body)


def test_admin_registers_a_program_with_a_key_from_its_name(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = add_apollo(slack)
    assert "apollo-migration" in said
    assert "Wed 31 Mar 2027" in said
    stored = program(sessions, "apollo-migration")
    assert stored is not None
    assert (stored.owner_id, stored.channel_id, stored.cadence) == (
        "ULEAD",
        "CAPOLLO",
        "weekly mon 09:00",
    )
    assert stored.timezone == "Europe/Berlin"  # the owner's Slack time zone
    assert audit_actions(sessions) == ["program add"]


def test_reply_is_ephemeral(slack: SlackDriver) -> None:
    reply = slack.command("UADMIN", f"program add {APOLLO}")
    assert reply.status == 200
    assert reply.body["response_type"] == "ephemeral"


def test_non_admin_cannot_register_and_is_told_who_can(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("ULEAD", f"program add {APOLLO}").body)
    assert "Only Slack workspace admins and owners" in said
    assert "Usage: `/pmo program add" in said
    assert count(sessions, Program) == 0


def test_explicit_admin_list_replaces_slack_admins(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "config admins add <@ULEAD2|kim>")
    said = text_of(slack.command("UADMIN", f"program add {APOLLO}").body)
    assert "Only PMO admins (<@ULEAD2>)" in said
    assert count(sessions, Program) == 0
    assert "apollo-migration" in text_of(slack.command("ULEAD2", f"program add {APOLLO}").body)


def test_duplicate_name_names_the_existing_key(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    said = text_of(slack.command("UADMIN", 'program add "apollo migration" owner:@lee').body)
    assert "already exists" in said and "`apollo-migration`" in said
    assert count(sessions, Program) == 1


def test_unknown_owner_is_refused_with_the_text_echoed(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "program add Apollo owner:@nobody").body)
    assert "No Slack user is called @nobody" in said
    assert "You typed: `/pmo program add Apollo owner:@nobody`" in said
    assert count(sessions, Program) == 0


def test_ambiguous_plain_name_is_refused_not_guessed(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    fake.add_user("USAM1", "sam", real_name="Sam One")
    fake.add_user("USAM2", "sam.two", real_name="Sam Two")
    fake.add_user("USAM3", "sam", real_name="Sam Three")
    said = text_of(slack.command("UADMIN", "program add Apollo owner:@sam").body)
    assert "@sam could be" in said
    assert count(sessions, Program) == 0


def test_plain_owner_name_resolves_when_unique(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "program add Apollo owner:@lee")
    stored = program(sessions, "apollo")
    assert stored is not None and stored.owner_id == "ULEAD"


def test_channel_the_bot_is_not_in_answers_with_invite_hint(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(
        slack.command("UADMIN", "program add Apollo owner:@lee channel:<#CNOBOT|secret-room>").body
    )
    assert "/invite @pmo" in said
    assert count(sessions, Program) == 0


def test_key_equal_to_a_filter_word_is_refused(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "program add Flagged owner:@lee").body)
    assert "list filter word" in said
    assert count(sessions, Program) == 0


def test_bad_cadence_and_bad_date_are_refused(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", 'program add Apollo owner:@lee cadence:"hourly"').body)
    assert "hourly" in said
    said = text_of(slack.command("UADMIN", "program add Apollo owner:@lee target:03/12/2026").body)
    assert "“03/12/2026” could be 3 Dec or 12 Mar — which?" in said
    assert count(sessions, Program) == 0


def test_list_shows_programs_and_mine_filters(slack: SlackDriver) -> None:
    add_apollo(slack)
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD2|kim>")
    everything = text_of(slack.command("UOTHER", "program list").body)
    assert "Apollo Migration" in everything and "Gemini" in everything
    mine = text_of(slack.command("ULEAD2", "program list mine").body)
    assert "Gemini" in mine and "Apollo" not in mine


def test_list_with_unknown_filter_is_refused(slack: SlackDriver) -> None:
    said = text_of(slack.command("UOTHER", "program list purple").body)
    assert (
        "List `mine`, `red`, `flagged`, `overdue` or `all`" in said
        and "You typed: `/pmo program list purple`" in said
    )


def test_guest_sees_no_portfolio_data(slack: SlackDriver) -> None:
    add_apollo(slack)
    for text in ("program list", "program show apollo-migration"):
        said = text_of(slack.command("UGUEST", text).body)
        assert "Guest accounts" in said
        assert "Apollo" not in said.replace(text, "")


def test_show_finds_by_quoted_name_case_insensitively(slack: SlackDriver) -> None:
    add_apollo(slack)
    said = text_of(slack.command("UOTHER", 'program show "APOLLO migration"').body)
    assert "Apollo Migration (apollo-migration)" in said
    assert "every Monday at 09:00" in said


def test_show_near_miss_suggests_the_key(slack: SlackDriver) -> None:
    add_apollo(slack)
    said = text_of(slack.command("UOTHER", "program show apolo-migration").body)
    assert "Did you mean `apollo-migration`?" in said
    assert "Usage: `/pmo program show &lt;program&gt;`" in said


def test_owner_pauses_and_resumes_and_a_repeat_changes_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    assert "now paused" in text_of(slack.command("ULEAD", "program pause apollo-migration").body)
    again = text_of(slack.command("ULEAD", "program pause apollo-migration").body)
    assert "is paused; it can't be paused" in again
    assert "now active" in text_of(slack.command("ULEAD", "program resume apollo-migration").body)
    assert audit_actions(sessions).count("program pause") == 1


def test_stranger_cannot_change_state(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    add_apollo(slack)
    said = text_of(slack.command("UOTHER", "program done apollo-migration").body)
    assert "Only its owner <@ULEAD>" in said
    stored = program(sessions, "apollo-migration")
    assert stored is not None and stored.state == "active"


def test_delegate_may_update_but_not_manage_people(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    said = text_of(
        slack.command("ULEAD", "program delegates apollo-migration add <@UOTHER|otto>").body
    )
    assert "is now a delegate" in said
    assert "now paused" in text_of(slack.command("UOTHER", "program pause apollo-migration").body)
    refused = text_of(
        slack.command("UOTHER", "program delegates apollo-migration add <@ULEAD2|kim>").body
    )
    assert "Only the owner <@ULEAD> or a PMO admin" in refused
    slack.command("ULEAD", "program delegates apollo-migration remove <@UOTHER|otto>")
    assert count(sessions, ProgramDelegate) == 1  # removal keeps the row, marked removed
    refused = text_of(slack.command("UOTHER", "program resume apollo-migration").body)
    assert "Only its owner" in refused


def test_sponsor_and_portfolio_are_set_and_shown(slack: SlackDriver) -> None:
    add_apollo(slack)
    slack.command("ULEAD", "program sponsor apollo-migration <@UOTHER|otto>")
    slack.command("UADMIN", "program portfolio apollo-migration Core Platform")
    said = text_of(slack.command("UOTHER", "program show apollo-migration").body)
    assert "*Sponsor* <@UOTHER>" in said
    assert "*Portfolio* Core Platform" in said


def test_milestones_are_added_with_date_echo_and_completed(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    said = text_of(
        slack.command("ULEAD", 'milestone add apollo-migration "Cutover" due:"next friday"').body
    )
    assert "due Fri 27 Nov 2026" in said
    assert "is done" in text_of(
        slack.command("ULEAD", 'milestone done apollo-migration "cutover"').body
    )
    again = text_of(slack.command("ULEAD", 'milestone done apollo-migration "Cutover"').body)
    assert "already marked done" in again
    assert count(sessions, Milestone) == 1


def test_milestone_by_stranger_is_refused_and_not_stored(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    said = text_of(slack.command("UOTHER", 'milestone add apollo-migration "X" due:tomorrow').body)
    assert "Only its owner" in said
    assert count(sessions, Milestone) == 0


def test_an_unknown_command_echoes_only_what_was_not_understood(slack: SlackDriver) -> None:
    said = text_of(slack.command("UOTHER", "frobnicate now").body)
    assert "I don't know the command “frobnicate”. `/pmo help` lists every command." in said
    assert "You typed: `/pmo frobnicate now`" in said
    assert "/pmo program add" not in said, "no wall of help"


def test_a_typo_in_a_subcommand_suggests_the_command_and_keeps_the_text(
    slack: SlackDriver,
) -> None:
    said = text_of(slack.command("ULEAD", 'stauts apollo amber "vendor late, escalating"').body)
    assert "Did you mean `/pmo status`?" in said
    assert 'You typed: `/pmo stauts apollo amber "vendor late, escalating"`' in said
    said = text_of(slack.command("ULEAD", "program lst red").body)
    assert "`/pmo program` has no “lst”. Did you mean `/pmo program list`?" in said
    assert said.rstrip().endswith("Usage: `" + USAGE["program"] + "`"), "one usage line, last"
    assert "/pmo intake" not in said


@pytest.mark.parametrize("typed", ["programs", "Meetings", "standups"])
def test_an_areas_plural_suggests_its_list(slack: SlackDriver, typed: str) -> None:
    said = text_of(slack.command("ULEAD", typed).body)
    assert f"Did you mean `/pmo {typed.lower()[:-1]} list`?" in said
    assert f"You typed: `/pmo {typed}`" in said


def test_help_topic(slack: SlackDriver) -> None:
    said = text_of(slack.command("UGUEST", "help program").body)
    assert "/pmo program delegates" in said


def test_guests_cannot_become_delegates_or_sponsors(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    said = text_of(
        slack.command("ULEAD", "program delegates apollo-migration add <@UGUEST|gus>").body
    )
    assert "can't be a delegate" in said
    said = text_of(slack.command("ULEAD", "program sponsor apollo-migration <@UGUEST|gus>").body)
    assert "can't sponsor a program" in said
    assert count(sessions, ProgramDelegate) == 0


def test_a_late_milestone_flags_the_program_at_once(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    add_apollo(slack)
    slack.command("ULEAD", 'milestone add apollo-migration "Design" due:2026-11-20')
    stored = program(sessions, "apollo-migration")
    assert stored is not None and "MILESTONE_LATE" in stored.flags
    slack.command("ULEAD", 'milestone done apollo-migration "Design"')
    stored = program(sessions, "apollo-migration")
    assert stored is not None and "MILESTONE_LATE" not in stored.flags
    assert "Apollo" not in text_of(slack.command("UOTHER", "program list flagged").body)


@pytest.mark.parametrize("cron", ["* * * * *", "*/10 9 * * 1-5", "0 9,15 * * *", "0 9-17 * * *"])
def test_a_cadence_firing_more_than_once_a_day_is_refused(
    slack: SlackDriver, sessions: sessionmaker[Session], cron: str
) -> None:
    said = text_of(
        slack.command("UADMIN", f'program add Mercury owner:<@ULEAD|lee> cadence:"{cron}"').body
    )
    assert "fires more than once a day" in said and cron in said
    assert program(sessions, "mercury") is None


def test_a_daily_crontab_is_accepted(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    slack.command("UADMIN", 'program add Mercury owner:<@ULEAD|lee> cadence:"30 9 * * 1-5"')
    assert program(sessions, "mercury") is not None


def test_a_crontab_is_echoed_in_words_with_the_zone(slack: SlackDriver) -> None:
    added = slack.command("UADMIN", 'program add Mercury owner:<@ULEAD|lee> cadence:"30 9 * * 1-5"')
    shown = slack.command("UOTHER", "program show mercury")
    for said in (text_of(added.body), text_of(shown.body)):
        assert "at 09:30, Monday through Friday, Europe/Berlin" in said


def test_an_edited_cadence_is_echoed_in_words_with_the_zone(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    add_apollo(slack)
    slack.command("UADMIN", "program edit apollo-migration")
    saved = slack.submit_view("UADMIN", fake.last_view("UADMIN"), {"cadence": "0 8 * * 2"})
    said = text_of(saved.body)
    assert "saved: cadence; status due at 08:00, only on Tuesday, Europe/Berlin" in said
