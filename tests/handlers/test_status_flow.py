"""Status updates through Slack: quick commands, the modal, receipts, alerts once per change."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, FlagTransition, StatusUpdate
from tests.conftest import Bot
from tests.flow import count, program, text_of


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    """Apollo, owned by Lee (Berlin), posting in #apollo; alerts go to #pmo."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo>")
    return "apollo"


def alerts_in(fake: FakeSlack, channel: str) -> list[str]:
    return [text_of(m) for m in fake.messages(channel) if "Apollo*" in m.get("text", "")]


def test_quick_red_update_is_stored_posted_and_alerted_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    reply = slack.command("ULEAD", "status apollo red vendor slipped two weeks")
    said = text_of(reply.body)
    assert "Stored the status of *Apollo*" in said and "vendor slipped two weeks" in said
    assert "Add path to green" in said
    slack.command("ULEAD", "status apollo r still waiting on the vendor")
    bot.settle()
    stored = program(sessions, "apollo")
    assert stored is not None and stored.rag == "red"
    assert set(stored.flags) == {"RED", "NO_RECOVERY_PLAN"}
    assert len([t for t in alerts_in(fake, "CPMO") if "is red" in t]) == 1
    assert [t for t in alerts_in(fake, "ULEAD") if t.startswith(":rotating_light:")] == []
    posts = fake.messages("CAPOLLO")
    assert len(posts) == 2 and "🔴🔴" in text_of(posts[-1])


def test_the_owner_hears_of_their_program_going_red_only_when_someone_else_did_it(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo red vendor slipped")
    slack.command("ULEAD", "status apollo green back on track")
    bot.settle()
    assert [t for t in alerts_in(fake, "ULEAD") if t.startswith(":rotating_light:")] == []
    slack.command("UADMIN", "status apollo red the vendor has gone")
    bot.settle()
    assert len([t for t in alerts_in(fake, "ULEAD") if "now red (was green)" in t]) == 1
    assert [t for t in alerts_in(fake, "UADMIN") if "now red" in t] == []
    assert len([t for t in alerts_in(fake, "CPMO") if t.startswith(":rotating_light:")]) == 2


def test_recovery_is_announced_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo red vendor slipped")
    slack.command("ULEAD", "status apollo green vendor back on track")
    slack.command("ULEAD", "status apollo on track still fine")
    bot.settle()
    recovered = [t for t in alerts_in(fake, "CPMO") if "is now green (was red)" in t]
    assert len(recovered) == 1 and "vendor back on track" in recovered[0]


def test_a_change_of_colour_says_what_it_was_in_the_alert_and_the_channel(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo amber vendor late")
    slack.command("ULEAD", "status apollo red vendor gone")
    bot.settle()
    [alert] = [t for t in alerts_in(fake, "CPMO") if "is now red" in t]
    assert "*Apollo* is now red (was amber)" in alert and "vendor gone" in alert
    posts = [text_of(m) for m in fake.messages("CAPOLLO")]
    assert posts[0].startswith("*Apollo* is amber — status from <@ULEAD>")
    assert posts[1].startswith("*Apollo* is now red (was amber) — status from <@ULEAD>")


def test_rag_words_are_accepted(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    for words, rag in (
        ("yellow", "amber"),
        ("at risk", "amber"),
        ("off track", "red"),
        ("G", "green"),
        ("on track", "green"),
    ):
        slack.command("ULEAD", f"status apollo {words} summary here")
        stored = program(sessions, "apollo")
        assert stored is not None and stored.rag == rag, words


def test_unknown_rag_lists_valid_values_and_stores_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", "status apollo purple all good").body)
    assert "“purple” is not a status" in said and "green, amber or red" in said
    assert "You typed: `/pmo status apollo purple all good`" in said
    assert count(sessions, StatusUpdate) == 0


def test_empty_summary_is_refused(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", "status apollo green").body)
    assert "summary" in said
    assert count(sessions, StatusUpdate) == 0


def test_stranger_update_is_refused_and_names_who_can(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("UOTHER", "status apollo green all good").body)
    assert "Only its owner <@ULEAD>" in said
    assert count(sessions, StatusUpdate) == 0


def test_unknown_program_suggests_a_key(slack: SlackDriver, apollo: str) -> None:
    said = text_of(slack.command("ULEAD", "status apolo green fine").body)
    assert "Did you mean `apollo`?" in said


def test_amber_in_the_modal_needs_a_path_to_green(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "status apollo")
    view = fake.last_view("ULEAD")
    reply = slack.submit_view("ULEAD", view, {"rag": "amber", "summary": "vendor late"})
    assert reply.body["response_action"] == "errors"
    assert "path_to_green" in reply.body["errors"]
    assert count(sessions, StatusUpdate) == 0
    reply = slack.submit_view(
        "ULEAD", view, {"rag": "amber", "summary": "vendor late", "path_to_green": "second vendor"}
    )
    assert "recovery_date" in reply.body["errors"]
    reply = slack.submit_view(
        "ULEAD",
        view,
        {
            "rag": "amber",
            "summary": "vendor late",
            "path_to_green": "second vendor",
            "recovery_date": "2026-12-18",
        },
    )
    assert reply.body["response_action"] == "update"
    stored = program(sessions, "apollo")
    assert stored is not None and stored.rag == "amber" and "NO_RECOVERY_PLAN" not in stored.flags


def test_modal_is_prefilled_from_the_last_update(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo amber vendor is late")
    slack.command("ULEAD", "status apollo")
    view = fake.last_view("ULEAD")
    assert "vendor is late" in str(view["blocks"])
    assert "Amber" in str(view["blocks"])


def test_status_without_program_uses_the_only_owned_program(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    slack.command("ULEAD", "status")
    assert "Apollo" not in str(fake.last_view("ULEAD")["blocks"][0])  # no picker needed
    assert fake.last_view("ULEAD")["callback_id"] == "status_submit"


def test_status_with_several_programs_offers_a_picker_that_prefills(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD|lee>")
    slack.command("ULEAD", "status gemini red gemini is late")
    slack.command("ULEAD", "status")
    view = fake.last_view("ULEAD")
    assert view["blocks"][0]["block_id"] == "program"
    options = {o["text"]["text"]: o["value"] for o in view["blocks"][0]["element"]["options"]}
    reply = slack.click(
        "ULEAD",
        "status_pick_program",
        view=view,
        block_id="program",
        value=options["Gemini (gemini)"],
    )
    assert reply.status == 200
    assert "gemini is late" in str(fake.last_view("ULEAD")["blocks"])


def test_quick_amber_gets_a_button_to_add_the_path_to_green(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    receipt = slack.command("ULEAD", "status apollo amber vendor late").body
    slack.click_button("ULEAD", receipt, "status_add_plan")
    view = fake.last_view("ULEAD")
    reply = slack.submit_view(
        "ULEAD",
        view,
        {
            "rag": "amber",
            "summary": "vendor late",
            "path_to_green": "escalate to vendor CEO",
            "recovery_date": "2026-12-11",
        },
    )
    assert reply.body["response_action"] == "update"
    stored = program(sessions, "apollo")
    assert stored is not None and "NO_RECOVERY_PLAN" not in stored.flags
    assert count(sessions, StatusUpdate) == 1  # the same update, edited


def test_a_quick_status_is_read_as_a_reply_is_and_keeps_the_plan_it_had(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    receipt = slack.command("ULEAD", "status apollo amber vendor late").body
    slack.click_button("ULEAD", receipt, "status_add_plan")
    slack.submit_view(
        "ULEAD",
        fake.last_view("ULEAD"),
        {
            "rag": "amber",
            "summary": "vendor late",
            "path_to_green": "second vendor",
            "recovery_date": "2026-12-11",
        },
    )
    said = text_of(slack.command("ULEAD", "status apollo red worse; next: call the CEO").body)
    assert "*Kept your path to green:* second vendor" in said
    stored = program(sessions, "apollo")
    assert stored is not None and "NO_RECOVERY_PLAN" not in stored.flags
    with sessions() as session:
        latest = session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
        assert latest is not None
        assert (latest.summary, latest.next_steps, latest.source) == (
            "worse",
            "call the CEO",
            "command",
        )
    slack.command("ULEAD", "status apollo on track - all fine")
    assert program(sessions, "apollo").last_summary == "all fine"  # type: ignore[union-attr]


def test_edit_keeps_both_versions_in_the_audit_history(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    receipt = slack.command("ULEAD", "status apollo green all fine").body
    slack.click_button("ULEAD", receipt, "status_edit")
    slack.submit_view(
        "ULEAD", fake.last_view("ULEAD"), {"rag": "green", "summary": "all fine, really"}
    )
    with sessions() as session:
        edits = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).all()
        assert len(edits) == 1
        assert edits[0].before["summary"] == "all fine"
        assert edits[0].after["summary"] == "all fine, really"
        assert session.scalars(select(StatusUpdate)).one().edited_by == "ULEAD"


def test_only_the_author_or_an_admin_may_edit(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    slack.command("ULEAD", "program delegates apollo add <@UOTHER|otto>")
    receipt = slack.command("ULEAD", "status apollo green all fine").body
    slack.click_button("UOTHER", receipt, "status_edit")
    said = text_of(fake.responses[-1]["body"])
    assert "Only its author <@ULEAD> or a PMO admin" in said
    assert fake.views("UOTHER") == []


def test_long_text_is_stored_whole_and_shown_cut(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    summary = "word " * 1500
    reply = slack.command("ULEAD", f"status apollo green {summary}")
    assert reply.status == 200 and "…" in text_of(reply.body)
    with sessions() as session:
        assert session.scalars(select(StatusUpdate)).one().summary == summary.strip()
    bot.settle()
    assert fake.messages("CAPOLLO")  # the channel post passed Slack's Block Kit checks


def test_high_risk_alerts_once_and_shows_in_program_show(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "status apollo green all good")
    said = text_of(
        slack.command(
            "UOTHER",
            'risk apollo "Vendor may slip" impact:high likelihood:critical due:"next friday"',
        ).body
    )
    assert "due Fri 27 Nov 2026" in said and "*20*" in said
    slack.command("UOTHER", 'risk apollo "Second big one" impact:5 likelihood:5')
    bot.settle()
    assert len([t for t in alerts_in(fake, "CPMO") if "has a high risk" in t]) == 1
    shown = text_of(slack.command("UADMIN", "program show apollo").body)
    assert "HIGH_RISK" in shown and "Vendor may slip" in shown
    assert "RAG_MISMATCH" in shown and "Reported green, but:" in shown
    with sessions() as session:
        assert len(session.scalars(select(FlagTransition)).all()) == 1


def test_editing_an_update_corrects_its_channel_post_in_place(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    receipt = slack.command("ULEAD", "status apollo green all fine").body
    bot.settle()
    slack.click_button("ULEAD", receipt, "status_edit")
    slack.submit_view(
        "ULEAD", fake.last_view("ULEAD"), {"rag": "green", "summary": "all fine, really"}
    )
    bot.settle()
    posts = fake.messages("CAPOLLO")
    assert len(posts) == 1
    assert "all fine, really" in text_of(posts[0])
