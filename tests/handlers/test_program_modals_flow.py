"""The add and edit modals: inline errors keep the values; success stores and audits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Program
from tests.flow import audit_actions, count, program, text_of

GOOD = {
    "name": "Apollo Migration",
    "owner": "ULEAD",
    "cadence": "weekly tue 11:00",
    "target": "2027-01-29",
}


def open_add_modal(slack: SlackDriver, fake: FakeSlack) -> dict:
    reply = slack.command("UADMIN", "program add")
    assert reply.status == 200 and reply.body is None  # nothing posted; the modal opens
    return fake.last_view("UADMIN")


def test_add_modal_registers_the_program(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    reply = slack.submit_view("UADMIN", open_add_modal(slack, fake), GOOD)
    assert reply.body["response_action"] == "update"
    assert "apollo-migration" in text_of(reply.body["view"])
    stored = program(sessions, "apollo-migration")
    assert stored is not None
    assert (stored.cadence, stored.target_date) == ("weekly tue 11:00", date(2027, 1, 29))


def test_bad_cadence_is_shown_on_its_field_and_nothing_is_stored(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    reply = slack.submit_view(
        "UADMIN", open_add_modal(slack, fake), {**GOOD, "cadence": "every blue moon"}
    )
    assert reply.body["response_action"] == "errors"
    assert list(reply.body["errors"]) == ["cadence"]
    assert count(sessions, Program) == 0


def test_channel_without_the_bot_is_shown_on_the_channel_field(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    reply = slack.submit_view("UADMIN", open_add_modal(slack, fake), {**GOOD, "channel": "CNOBOT"})
    assert "/invite @pmo" in reply.body["errors"]["channel"]
    assert count(sessions, Program) == 0


def test_duplicate_name_is_shown_on_the_name_field(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    slack.submit_view("UADMIN", open_add_modal(slack, fake), GOOD)
    reply = slack.submit_view("UADMIN", open_add_modal(slack, fake), GOOD)
    assert "already exists" in reply.body["errors"]["name"]
    assert count(sessions, Program) == 1


def test_guest_owner_is_refused_on_the_owner_field(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    reply = slack.submit_view("UADMIN", open_add_modal(slack, fake), {**GOOD, "owner": "UGUEST"})
    assert "can't own a program" in reply.body["errors"]["owner"]
    assert count(sessions, Program) == 0


def test_non_admin_does_not_get_the_modal(slack: SlackDriver, fake: FakeSlack) -> None:
    said = text_of(slack.command("ULEAD", "program add").body)
    assert "Only Slack workspace admins" in said
    assert fake.calls_to("views.open") == []


def test_edit_modal_is_prefilled_and_saves_changes_with_audit(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    slack.submit_view("UADMIN", open_add_modal(slack, fake), GOOD)
    slack.command("ULEAD", "program edit apollo-migration")
    view = fake.last_view("ULEAD")
    assert "Apollo Migration" in str(view["blocks"])  # prefilled
    reply = slack.submit_view(
        "ULEAD", view, {"name": "Apollo Migration II", "cadence": "daily 09:30"}
    )
    assert reply.body["response_action"] == "update"
    stored = program(sessions, "apollo-migration")
    assert stored is not None
    assert (stored.name, stored.cadence, stored.owner_id) == (
        "Apollo Migration II",
        "daily 09:30",
        "ULEAD",
    )
    assert audit_actions(sessions) == ["program add", "program edit"]


def test_stranger_cannot_open_the_edit_modal(slack: SlackDriver, fake: FakeSlack) -> None:
    slack.submit_view("UADMIN", open_add_modal(slack, fake), GOOD)
    said = text_of(slack.command("UOTHER", "program edit apollo-migration").body)
    assert "Only its owner" in said
    assert fake.views("UOTHER") == []
