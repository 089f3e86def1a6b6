"""Slack guests see no portfolio data, through crafted payloads as through commands.

The pipeline refuses guests for every action and view unless the registration allows them
(intake only), so a guest who copies a button's value or a modal's private_metadata gets a
refusal and nothing is stored or shown.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.raid import close_modal, raid_modal
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Person, Program, RaidItem, Workspace
from tests.flow import count, program, text_of

REFUSAL = (
    "Guest accounts can't see or change PMO data here. To ask the PMO for a new project: "
    "`/pmo intake`."
)


@pytest.fixture
def apollo(slack: SlackDriver, sessions: sessionmaker[Session]) -> int:
    """Apollo, owned by Lee; its database id."""
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UGUEST", "help")  # the guest is known to the bot
    found = program(sessions, "apollo")
    assert found is not None
    return found.id


def test_a_guest_submitting_a_crafted_raid_modal_stores_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: int
) -> None:
    view = {**raid_modal(program=None, program_picker=None), "private_metadata": str(apollo)}
    view["id"] = "VCRAFTED"
    reply = slack.submit_view("UGUEST", view, {"title": "Vendor may slip"})
    assert reply.body is not None and reply.body.get("response_action") == "errors"
    assert REFUSAL in reply.body["errors"].values()
    assert count(sessions, RaidItem) == 0


@pytest.mark.parametrize(
    "action_id",
    ["status_pick_program", "home_status", "raid_close", "raid_kind", "raid_reopen"],
)
def test_a_guest_clicking_a_crafted_button_learns_nothing(
    slack: SlackDriver, fake: FakeSlack, apollo: int, action_id: str
) -> None:
    fake.clear()
    slack.click("UGUEST", action_id, value=str(apollo))
    told = [text_of(r["body"]) for r in fake.responses] + [text_of(c.params) for c in fake.calls]
    assert any(REFUSAL in said for said in told)
    assert not [said for said in told if "Apollo" in said or "ULEAD" in said]
    assert not fake.calls_to("views.update") and not fake.calls_to("views.open")


def test_a_guest_can_neither_close_nor_reopen_an_item_by_crafted_payload_or_command(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: int
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor may slip"')
    with sessions() as session:
        item = session.scalars(select(RaidItem)).one()
        view = {**close_modal(item, session.get_one(Program, apollo)), "id": "VCRAFTED"}
    reply = slack.submit_view("UGUEST", view, {"reason": "not my problem"})
    assert reply.body is not None and REFUSAL in reply.body["errors"].values()
    said = text_of(slack.command("UGUEST", f"risk reopen #{item.id}").body)
    assert REFUSAL in said and "Vendor" not in said
    with sessions() as session:
        assert session.scalars(select(RaidItem.state)).one() == "open"


@pytest.fixture
def stranger(fake: FakeSlack) -> str:
    """A Slack Connect user: an admin in their own organisation, in a channel shared with us."""
    fake.add_user("UPARTNER", "pat", is_admin=True, is_owner=True, team_id="TPARTNER")
    return "UPARTNER"


def test_a_user_of_another_organisation_is_a_guest_here(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: int, stranger: str
) -> None:
    reply = slack.command(stranger, "program show apollo")
    assert REFUSAL in text_of(reply.body)
    assert "Lee" not in text_of(reply.body) and "ULEAD" not in text_of(reply.body)
    refused = slack.command(stranger, "config admins add <@UPARTNER|pat>")
    assert REFUSAL in text_of(refused.body)
    with sessions() as session:
        assert session.get(Workspace, "TPARTNER") is None, "no workspace for their team"
        assert session.get(Person, (fake.team_id, stranger)).is_restricted  # type: ignore[union-attr]


def test_a_user_of_another_organisation_crafting_a_payload_stores_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: int, stranger: str
) -> None:
    view = {**raid_modal(program=None, program_picker=None), "private_metadata": str(apollo)}
    view["id"] = "VCRAFTED"
    reply = slack.submit_view(stranger, view, {"title": "Vendor may slip"})
    assert reply.body is not None and REFUSAL in reply.body["errors"].values()
    assert count(sessions, RaidItem) == 0
    with sessions() as session:
        assert session.get(Workspace, "TPARTNER") is None


def test_a_user_of_another_organisation_may_still_ask_the_pmo_for_a_project(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], stranger: str
) -> None:
    slack.command(stranger, "intake")
    assert fake.calls_to("views.open"), "the intake form opens for a guest"
    with sessions() as session:
        assert session.get(Workspace, "TPARTNER") is None
