"""Events: user_change keeps people current; retried deliveries change nothing twice."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, Person, ProcessedEvent
from tests.conftest import TEAM, ManualClock
from tests.flow import count, text_of


def person(sessions: sessionmaker[Session], user_id: str) -> Person | None:
    with sessions() as session:
        return session.get(Person, (TEAM, user_id))


def user_change(user_id: str, tz: str) -> dict:
    return {
        "type": "user_change",
        "user": {"id": user_id, "name": "lee", "tz": tz, "profile": {"display_name": "Lee"}},
    }


def test_user_change_updates_the_time_zone(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    reply = slack.event(user_change("ULEAD", "America/Chicago"))
    assert reply.status == 200
    stored = person(sessions, "ULEAD")
    assert stored is not None and stored.tz == "America/Chicago"


def test_retried_event_is_applied_once(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    slack.event(user_change("ULEAD", "America/Chicago"), event_id="Ev1")
    slack.event(
        user_change("ULEAD", "Asia/Tokyo"), event_id="Ev1", retry_num=1, retry_reason="http_timeout"
    )
    stored = person(sessions, "ULEAD")
    assert stored is not None and stored.tz == "America/Chicago"
    assert count(sessions, ProcessedEvent) == 1


def test_people_are_fetched_once_a_day(
    slack: SlackDriver, fake: FakeSlack, clock: ManualClock
) -> None:
    slack.command("UOTHER", "program list")
    slack.command("UOTHER", "program list")
    assert [c["user"] for c in fake.calls_to("users.info")] == ["UOTHER"]
    clock.advance(days=1, minutes=1)
    slack.command("UOTHER", "program list")
    assert [c["user"] for c in fake.calls_to("users.info")] == ["UOTHER", "UOTHER"]


def test_slack_outage_on_refresh_keeps_serving_from_cache(
    slack: SlackDriver, fake: FakeSlack, clock: ManualClock
) -> None:
    slack.command("UOTHER", "program list")
    clock.advance(days=2)
    fake.fail_next("users.info", "internal_error")
    reply = slack.command("UOTHER", "program list")
    assert "No active programs" in str(reply.body)


def test_health_answers_200_with_database_ok(slack: SlackDriver, bot: object) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:  # type: ignore[attr-defined]
        assert response.status == 200
        assert json.load(response)["database"] == "ok"


def test_nothing_is_audited_for_reads(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    slack.command("UOTHER", "program list")
    assert count(sessions, AuditEvent) == 0


def test_a_zone_slack_knows_and_we_do_not_falls_back_and_keeps_the_rest(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    demoted = user_change("ULEAD", "America/Unknown_City")
    demoted["user"]["is_restricted"] = True  # the demotion to guest must not be lost
    assert slack.event(demoted).status == 200
    stored = person(sessions, "ULEAD")
    assert stored is not None and stored.tz is None and stored.is_restricted
    said = text_of(slack.command("ULEAD", "program list").body)
    assert "Guest accounts can't" in said  # later commands work (and refuse the guest)
