"""`/pmo config …`: admins, PMO channel, time zone — and who may change them."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from storage.models import Workspace
from tests.conftest import TEAM
from tests.flow import audit_actions, text_of


def workspace(sessions: sessionmaker[Session]) -> Workspace:
    """The workspace row; a refused first request stores none, which reads as defaults."""
    with sessions() as session:
        return session.get(Workspace, TEAM) or Workspace(team_id=TEAM, timezone="UTC")


def test_slack_admin_adds_first_pmo_admin_who_then_replaces_slack_admins(
    slack: SlackDriver,
) -> None:
    said = text_of(slack.command("UADMIN", "config admins add <@ULEAD|lee>").body)
    assert "<@ULEAD> is now a PMO admin" in said
    refused = text_of(slack.command("UADMIN", "config timezone Europe/Paris").body)
    assert "Only PMO admins (<@ULEAD>)" in refused
    assert "Usage: `/pmo config timezone &lt;Area/City&gt;`" in refused


def test_non_admin_cannot_configure(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    said = text_of(slack.command("UOTHER", "config pmo-channel <#CPMO|pmo>").body)
    assert "Only Slack workspace admins and owners" in said
    assert workspace(sessions).pmo_channel_id is None


def test_last_admin_cannot_be_removed(slack: SlackDriver) -> None:
    slack.command("UADMIN", "config admins add <@UADMIN|ada>")
    said = text_of(slack.command("UADMIN", "config admins remove <@UADMIN|ada>").body)
    assert "last PMO admin" in said


def test_removed_admin_loses_rights_and_history_is_kept(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "config admins add <@UADMIN|ada>")
    slack.command("UADMIN", "config admins add <@ULEAD|lee>")
    assert "no longer" in text_of(slack.command("ULEAD", "config admins remove <@UADMIN|ada>").body)
    assert "Only PMO admins" in text_of(slack.command("UADMIN", "config").body)
    assert audit_actions(sessions) == ["admin add", "admin add", "admin remove"]


def test_guest_cannot_become_admin(slack: SlackDriver) -> None:
    said = text_of(slack.command("UADMIN", "config admins add <@UGUEST|gus>").body)
    assert "can't be a PMO admin" in said


def test_pmo_channel_is_set_when_the_bot_is_a_member(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "config pmo-channel #pmo").body)
    assert "<#CPMO>" in said
    assert workspace(sessions).pmo_channel_id == "CPMO"


def test_pmo_channel_without_the_bot_says_how_to_invite(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "config pmo-channel <#CNOBOT|secret-room>").body)
    assert "/invite @pmo" in said
    assert "You typed: `/pmo config pmo-channel &lt;#CNOBOT|secret-room&gt;`" in said
    assert workspace(sessions).pmo_channel_id is None


def test_unknown_channel_name_is_refused(slack: SlackDriver) -> None:
    said = text_of(slack.command("UADMIN", "config pmo-channel #nowhere").body)
    assert "can't find a channel called #nowhere" in said


def test_time_zone_is_validated_and_audited(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    assert "Mars/Base" in text_of(slack.command("UADMIN", "config timezone Mars/Base").body)
    assert workspace(sessions).timezone == "UTC"
    slack.command("UADMIN", "config timezone Asia/Tokyo")
    assert workspace(sessions).timezone == "Asia/Tokyo"
    assert audit_actions(sessions) == ["workspace set timezone"]


def test_config_alone_shows_the_settings(slack: SlackDriver) -> None:
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    said = text_of(slack.command("UADMIN", "config").body)
    assert "PMO channel: <#CPMO>" in said and "Time zone: UTC" in said
