"""A command repeated because the first answer was slow stores nothing twice.

Identical means the same program, author, colour and text (a status update) or the same
program, author, type and title (a RAID item), within ten minutes; the repeat is answered
"Already recorded at 15:00" in the author's own time.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import RaidItem, StatusUpdate
from tests.conftest import ManualClock
from tests.flow import count, text_of


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


def test_a_repeated_status_update_is_recognised_not_stored_twice(
    slack: SlackDriver, sessions: sessionmaker[Session], clock: ManualClock, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo amber vendor late, replanning")
    clock.advance(minutes=3)
    again = text_of(slack.command("ULEAD", "status apollo amber vendor late, replanning").body)
    assert "Already recorded at 15:00" in again  # Lee is in Berlin; 14:00 UTC
    assert "vendor late, replanning" in again, "what they typed is echoed"
    assert count(sessions, StatusUpdate) == 1


def test_a_different_colour_or_text_or_a_later_repeat_is_a_new_update(
    slack: SlackDriver, sessions: sessionmaker[Session], clock: ManualClock, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo amber vendor late")
    slack.command("ULEAD", "status apollo red vendor late")
    slack.command("ULEAD", "status apollo red vendor very late")
    clock.advance(minutes=11)
    said = text_of(slack.command("ULEAD", "status apollo red vendor very late").body)
    assert "Already recorded" not in said
    assert count(sessions, StatusUpdate) == 4


def test_the_same_update_by_someone_else_is_their_own(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UADMIN", "program delegates apollo add <@ULEAD2|kim>")
    slack.command("ULEAD", "status apollo green all good")
    slack.command("ULEAD2", "status apollo green all good")
    assert count(sessions, StatusUpdate) == 2


def test_a_repeated_quick_risk_is_recognised(
    slack: SlackDriver, sessions: sessionmaker[Session], clock: ManualClock, apollo: str
) -> None:
    slack.command("UOTHER", 'risk apollo "Vendor may slip"')
    clock.advance(minutes=9)
    again = text_of(slack.command("UOTHER", 'risk apollo "Vendor  may slip"').body)
    assert "Already recorded at 09:00" in again  # Otto is in New York
    assert count(sessions, RaidItem) == 1
    slack.command("UOTHER", 'risk apollo "Vendor may slip badly"')
    assert count(sessions, RaidItem) == 2


def test_a_repeated_raid_modal_keeps_the_form_open_saying_so(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    for _ in range(2):
        slack.command("UOTHER", "risk apollo")
        reply = slack.submit_view(
            "UOTHER",
            fake.last_view("UOTHER"),
            {"kind": "risk", "title": "Data centre move", "likelihood": "3", "impact": "4"},
        )
    assert reply.body is not None and reply.body.get("response_action") == "errors"
    assert "Already recorded at" in str(reply.body["errors"])
    assert count(sessions, RaidItem) == 1
