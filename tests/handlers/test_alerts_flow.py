"""Fewer, better alerts: one #pmo message per scheduler pass, one line per person's change,
`/pmo config alerts` to narrow them, `/pmo notify` to mute DMs.

Dates: Wednesday 25 Nov 2026 is set-up day; the programs are due Fridays 10:00 Berlin. Apollo
and Hermes answer the first Friday's prompt late but in time; Zeus reports on Thursday, before
it is asked, so its first slot is satisfied and the second missed one makes it overdue and
stale at once. At Saturday 5 Dec 10:00 Berlin one pass flags all three.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.status import flag_alerts
from storage.models import FlagTransition, Person, Workspace
from tests.conftest import TEAM, Bot, ManualClock, Pass
from tests.flow import text_of

THURSDAY = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
FRIDAY_10 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FRIDAY_NOON = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
STEPS = (
    datetime(2026, 11, 28, 9, 0, tzinfo=UTC),  # Saturday: nobody is overdue yet
    datetime(2026, 12, 4, 9, 0, tzinfo=UTC),  # the second Friday's prompts
    datetime(2026, 12, 5, 9, 0, tzinfo=UTC),  # Saturday: the weekend doesn't count
    datetime(2026, 12, 7, 7, 0, tzinfo=UTC),  # Monday 08:00 Berlin: the reminders
)
# Monday 10:00 Berlin, 24 working hours after Friday's prompts: all three overdue, Zeus stale.
MONDAY_10 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOSTILE = "&lt;!channel&gt; Zeus"  # as Slack sends `<!channel> Zeus` typed in a command


def posts(fake: FakeSlack, channel: str = "CPMO") -> list[dict[str, Any]]:
    """Messages in the channel, not counting thread replies."""
    return [m for m in fake.messages(channel) if not m.get("thread_ts")]


def replies(fake: FakeSlack, parent: dict[str, Any], channel: str = "CPMO") -> list[str]:
    """The readable text of the replies in `parent`'s thread."""
    return [text_of(m) for m in fake.messages(channel) if m.get("thread_ts") == parent["ts"]]


@pytest.fixture
def portfolio(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, clock: ManualClock, run_pass: Pass
) -> None:
    """Apollo, Hermes and Zeus (named `<!channel> Zeus`), owned by Lee, up to the eve of the
    pass that flags them."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    for name in ("Apollo", "Hermes", f'"{HOSTILE}" key:zeus'):
        slack.command("UADMIN", f"program add {name} owner:<@ULEAD|lee>")
    clock.now = THURSDAY
    slack.command("ULEAD", "status zeus green ahead of the prompt")
    run_pass(FRIDAY_10)
    clock.now = FRIDAY_NOON
    for key in ("apollo", "hermes"):
        slack.command("ULEAD", f"status {key} green all fine")
    for when in STEPS:
        run_pass(when)
    bot.settle()
    assert posts(fake) == []


def test_one_pass_flagging_three_programs_posts_one_summary_with_details_in_its_thread(
    fake: FakeSlack, run_pass: Pass, portfolio: None
) -> None:
    run_pass(MONDAY_10)
    [summary] = posts(fake)
    said = text_of(summary)
    assert "2 programs newly overdue: *Apollo*, *Hermes*" in said
    assert "1 program newly overdue and stale: *&lt;!channel&gt; Zeus*" in said
    details = replies(fake, summary)
    assert len(details) == 3
    [zeus] = [d for d in details if "Zeus" in d]
    assert "newly overdue and stale" in zeus and "no update for two cadence periods" in zeus
    assert "no status update since it was due Fri 4 Dec 2026" in zeus
    assert "<!channel" not in json.dumps(fake.messages("CPMO"))


def test_a_pass_with_no_changes_and_a_restart_post_nothing_more(
    fake: FakeSlack, run_pass: Pass, portfolio: None
) -> None:
    run_pass(MONDAY_10)
    run_pass(MONDAY_10)  # a second process or a restart at the same moment
    run_pass(datetime(2026, 12, 7, 9, 1, tzinfo=UTC))
    assert len(posts(fake)) == 1 and len(fake.messages("CPMO")) == 4


def test_a_pass_interrupted_before_its_summary_announces_once_on_the_next(
    fake: FakeSlack,
    run_pass: Pass,
    sessions: sessionmaker[Session],
    portfolio: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = flag_alerts.announce_pass

    def crash(session: Session, **kwargs: Any) -> int:
        real(session, **kwargs)  # queued and marked, then the transaction dies
        raise RuntimeError("the process died")

    monkeypatch.setattr(flag_alerts, "announce_pass", crash)
    run_pass(MONDAY_10)
    assert posts(fake) == []
    with sessions() as session:
        waiting = session.scalars(
            select(FlagTransition).where(FlagTransition.announced_at.is_(None))
        )
        assert len(list(waiting)) == 4  # three overdue, one stale: nothing lost
    monkeypatch.undo()
    run_pass(datetime(2026, 12, 7, 9, 1, tzinfo=UTC))
    run_pass(datetime(2026, 12, 7, 9, 2, tzinfo=UTC))
    [summary] = posts(fake)
    assert len(replies(fake, summary)) == 3


def test_an_update_that_raises_one_flag_and_clears_two_is_one_line(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    clock: ManualClock,
    run_pass: Pass,
    portfolio: None,
) -> None:
    run_pass(MONDAY_10)
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    slack.command("ULEAD", "status zeus red the vendor has gone")
    bot.settle()
    [_summary, line] = posts(fake)
    said = text_of(line)
    assert "*&lt;!channel&gt; Zeus*: newly red; no longer overdue and stale" in said
    assert "after <@ULEAD>'s change" in said and "the vendor has gone" in said
    assert replies(fake, line) == []


def test_config_alerts_without_stale_leaves_stale_out(
    slack: SlackDriver, fake: FakeSlack, run_pass: Pass, portfolio: None
) -> None:
    said = text_of(slack.command("UADMIN", "config alerts red overdue high-risk").body)
    assert "red, overdue and high-risk" in said
    run_pass(MONDAY_10)
    [summary] = posts(fake)
    assert "3 programs newly overdue" in text_of(summary)
    assert not any("stale" in text_of(m) for m in fake.messages("CPMO"))


def test_config_alerts_digest_only_posts_nothing_but_flags_still_change(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass: Pass,
    sessions: sessionmaker[Session],
    portfolio: None,
) -> None:
    slack.command("UADMIN", "config alerts digest-only")
    run_pass(MONDAY_10)
    run_pass(datetime(2026, 12, 7, 9, 1, tzinfo=UTC))
    assert fake.messages("CPMO") == []
    with sessions() as session:
        rows = list(session.scalars(select(FlagTransition)))
        assert len(rows) == 4 and all(r.announced_at is not None for r in rows)
    shown = text_of(slack.command("UADMIN", "program list flagged").body)
    assert "Apollo" in shown and "OVERDUE" in shown.upper()


def setting(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        space = session.get(Workspace, TEAM)
        assert space is not None
        return space.pmo_alerts


def test_config_alerts_is_shown_and_refuses_an_unknown_kind_with_a_suggestion(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    shown = text_of(slack.command("UADMIN", "config").body)
    assert "Flag alerts in the PMO channel: all" in shown
    said = text_of(slack.command("UADMIN", "config alerts red stael").body)
    assert "“stael” is not a kind of alert" in said and "Did you mean `stale`?" in said
    assert "`high-risk`" in said and "`digest-only`" in said
    assert "config alerts red stael" in said  # what they typed is repeated
    assert setting(sessions) == "all"
    slack.command("UADMIN", "config alerts stale, red")
    assert "Flag alerts in the PMO channel: red and stale" in text_of(
        slack.command("UADMIN", "config").body
    )
    slack.command("UADMIN", "config alerts all")
    assert setting(sessions) == "all"


@pytest.mark.parametrize("who", ["ULEAD", "UGUEST"])
def test_config_alerts_is_refused_to_others_than_admins(
    slack: SlackDriver, sessions: sessionmaker[Session], who: str
) -> None:
    said = text_of(slack.command(who, "config alerts digest-only").body)
    assert "digest-only" in said and ("Only" in said or "guest" in said.lower())
    assert setting(sessions) == "all"


def muted(sessions: sessionmaker[Session], user_id: str) -> str:
    with sessions() as session:
        person = session.get(Person, (TEAM, user_id))
        return person.muted if person is not None else ""


def test_notify_shows_mutes_and_unmutes(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    shown = text_of(slack.command("ULEAD", "notify").body)
    assert ":bell: on · `flags`" in shown and "always come" in shown
    said = text_of(slack.command("ULEAD", "notify mute flags intake").body)
    assert "Muted: `flags`, `intake`" in said
    assert muted(sessions, "ULEAD") == "flags,intake"
    assert ":no_bell: muted · `flags`" in text_of(slack.command("ULEAD", "notify").body)
    slack.command("ULEAD", "notify unmute intake")
    assert muted(sessions, "ULEAD") == "flags"
    said = text_of(slack.command("ULEAD", "notify unmute all").body)
    assert "every kind of DM again" in said and muted(sessions, "ULEAD") == ""


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("notify mute prompts", "can't be muted"),
        ("notify mute reminders", "can't be muted"),
        ("notify mute flgs", "Did you mean `flags`?"),
        ("notify mute", "Name what to mute"),
        ("notify off", "Say `mute` or `unmute`"),
    ],
)
def test_notify_refuses_bad_input_and_prompts_saying_why(
    slack: SlackDriver, sessions: sessionmaker[Session], typed: str, expected: str
) -> None:
    said = text_of(slack.command("ULEAD", typed).body)
    assert expected in said and typed in said
    assert muted(sessions, "ULEAD") == ""


def test_a_guest_is_told_notify_does_not_apply(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    for typed in ("notify", "notify mute flags"):
        said = text_of(slack.command("UGUEST", typed).body)
        assert "Guests get no portfolio DMs" in said
    assert muted(sessions, "UGUEST") == ""


def test_an_owner_who_muted_flags_gets_prompts_but_no_flag_dm(
    slack: SlackDriver, fake: FakeSlack, run_pass: Pass, portfolio: None
) -> None:
    slack.command("ULEAD", "notify mute flags")
    run_pass(MONDAY_10)
    run_pass(datetime(2026, 12, 7, 7, 5, tzinfo=UTC))  # Monday 08:05 Berlin: DMs go out
    texts = [text_of(m) for m in fake.dms("ULEAD")]
    assert any("Status update due" in t for t in texts)  # the prompts came
    assert not any("overdue status update" in t or "newly overdue" in t for t in texts)
    assert len(posts(fake)) == 1  # #pmo heard of it all the same


def test_an_owner_who_did_not_mute_gets_one_dm_per_program(
    fake: FakeSlack, run_pass: Pass, portfolio: None
) -> None:
    run_pass(MONDAY_10)
    run_pass(datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    texts = [text_of(m) for m in fake.dms("ULEAD")]
    flagged = [t for t in texts if "newly overdue" in t]
    assert len([t for t in flagged if "Zeus" in t]) == 1
    assert "newly overdue and stale" in next(t for t in flagged if "Zeus" in t)


def test_app_home_says_which_dms_are_muted(slack: SlackDriver, fake: FakeSlack, bot: Bot) -> None:
    slack.command("ULEAD", "notify mute flags raid")
    assert slack.app_home_opened("ULEAD").status == 200
    bot.settle()
    assert "Muted DMs: flags, raid · `/pmo notify` to change" in text_of(fake.home("ULEAD"))
    slack.command("ULEAD", "notify unmute all")
    slack.app_home_opened("ULEAD")
    bot.settle()
    assert "Muted DMs" not in text_of(fake.home("ULEAD"))
