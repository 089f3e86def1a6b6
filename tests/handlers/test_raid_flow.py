"""The RAID log through Slack: quick risks, the modal, the list and its buttons."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, RaidItem
from tests.conftest import Bot, ManualClock
from tests.flow import count, program, text_of


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo>")
    return "apollo"


def items(sessions: sessionmaker[Session]) -> list[RaidItem]:
    with sessions() as session:
        return list(session.scalars(select(RaidItem).order_by(RaidItem.id)))


def test_anyone_logs_a_quick_risk_with_defaults(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("UOTHER", 'risk apollo "Vendor may slip"').body)
    assert "Logged on *Apollo*" in said
    assert "Likelihood 3 (possible) × impact 3 (moderate) = 9" in said
    (item,) = items(sessions)
    assert (item.score, item.owner_id, item.kind, item.state) == (9, "UOTHER", "risk", "open")


def test_level_words_map_to_numbers_and_due_dates_are_echoed(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(
        slack.command(
            "ULEAD",
            'risk apollo "Legal review" impact:"very low" likelihood:medium due:tomorrow '
            "owner:<@ULEAD2|kim>",
        ).body
    )
    assert "due Thu 26 Nov 2026" in said
    (item,) = items(sessions)
    assert (item.impact, item.likelihood, item.score, item.owner_id) == (1, 3, 3, "ULEAD2")


def test_likelihood_and_impact_take_the_5x5_words_even_two_of_them(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(
        slack.command(
            "UOTHER", 'risk apollo "Vendor insolvent" likelihood:almost certain impact:major'
        ).body
    )
    assert "Likelihood 5 (almost certain) × impact 4 (major) = 20" in said
    slack.command("UOTHER", 'risk apollo "Key person leaves" impact:"severe" likelihood:Rare')
    first, second = items(sessions)
    assert (first.likelihood, first.impact, first.score) == (5, 4, 20)
    assert (second.likelihood, second.impact, second.score) == (1, 5, 5)
    bot.settle()
    assert any("has a high risk" in m["text"] for m in fake.messages("CPMO"))


@pytest.mark.parametrize(
    ("typed", "told"),
    [
        ("likelihood:sometimes", "Likelihood must be 1–5 or rare, unlikely, possible, likely"),
        ("likelihood:major", "“major” is a word for impact."),
        ("impact:almost certain", "Impact must be 1–5 or negligible, minor, moderate, major"),
    ],
)
def test_a_word_off_the_scale_is_refused_echoing_the_command(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str, typed: str, told: str
) -> None:
    said = text_of(slack.command("UOTHER", f'risk apollo "Vendor <!here>" {typed}').body)
    assert told in said
    assert f'You typed: `/pmo risk apollo "Vendor &lt;!here&gt;" {typed}`' in said
    assert count(sessions, RaidItem) == 0


def test_tomorrow_is_the_callers_own_tomorrow(
    slack: SlackDriver, clock: ManualClock, sessions: sessionmaker[Session], apollo: str
) -> None:
    clock.now = clock.now.replace(hour=23, minute=30)  # 23:30 UTC = 08:30 Thursday in Tokyo
    said = text_of(slack.command("ULEAD2", 'risk apollo "Tokyo risk" due:tomorrow').body)
    assert "due Fri 27 Nov 2026" in said


def test_out_of_range_level_is_refused_and_nothing_stored(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("UOTHER", 'risk apollo "X" impact:9').body)
    assert "impact" in said.lower() and "critical" in said
    assert 'You typed: `/pmo risk apollo "X" impact:9`' in said
    assert count(sessions, RaidItem) == 0


def test_unparseable_and_ambiguous_dates_are_refused(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("UOTHER", 'risk apollo "X" due:"when pigs fly"').body)
    assert "when pigs fly" in said
    said = text_of(slack.command("UOTHER", 'risk apollo "X" due:03/12/2026').body)
    assert "“03/12/2026” could be 3 Dec or 12 Mar — which?" in said
    assert count(sessions, RaidItem) == 0


def test_a_title_needs_no_quotes_unless_quoted_and_loose_words_are_mixed(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("UOTHER", "risk apollo vendor may slip likelihood:4").body)
    assert "Logged on *Apollo*" in said
    assert [(i.title, i.likelihood) for i in items(sessions)] == [("vendor may slip", 4)]
    said = text_of(slack.command("UOTHER", 'risk apollo "vendor" may slip').body)
    assert "Put the title in quotes" in said
    assert count(sessions, RaidItem) == 1


def test_modal_logs_an_issue_that_blocks_the_program(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", "risk apollo")
    reply = slack.submit_view(
        "UOTHER",
        fake.last_view("UOTHER"),
        {
            "kind": "issue",
            "title": "Test env down",
            "likelihood": "5",
            "impact": "4",
            "blocking": ["yes"],
        },
    )
    assert reply.body["response_action"] == "update"
    (item,) = items(sessions)
    assert (item.kind, item.score, item.blocking) == ("issue", 20, True)
    shown = text_of(slack.command("UOTHER", "program show apollo").body)
    assert "BLOCKED" in shown and "Test env down" in shown


def test_modal_without_program_offers_a_picker(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", "risk")
    view = fake.last_view("UOTHER")
    option = view["blocks"][0]["element"]["options"][0]["value"]
    slack.submit_view("UOTHER", view, {"program": option, "title": "Picked risk"})
    assert [i.title for i in items(sessions)] == ["Picked risk"]


def test_modal_past_due_date_is_an_inline_error(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", "risk apollo")
    reply = slack.submit_view(
        "UOTHER", fake.last_view("UOTHER"), {"title": "Late", "due_date": "2026-01-01"}
    )
    assert list(reply.body["errors"]) == ["due_date"]
    assert count(sessions, RaidItem) == 0


def test_list_is_highest_score_first_with_filters(slack: SlackDriver, apollo: str) -> None:
    slack.command("UOTHER", 'risk apollo "Low one" impact:1 likelihood:1')
    slack.command("ULEAD", 'risk apollo "Big one" impact:5 likelihood:4 due:2026-11-20')
    listed = text_of(slack.command("UOTHER", "risks").body)
    assert listed.index("Big one") < listed.index("Low one")
    overdue = text_of(slack.command("UOTHER", "risks overdue").body)
    assert "Big one" in overdue and "Low one" not in overdue
    mine = text_of(slack.command("UOTHER", "risks mine").body)
    assert "Low one" in mine and "Big one" not in mine
    assert "Big one" in text_of(slack.command("UOTHER", "risks apollo").body)


def close_events(sessions: sessionmaker[Session], action: str = "close") -> list[AuditEvent]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_close_asks_why_keeps_the_reason_and_changes_nothing_twice(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", 'risk apollo "Vendor"')
    listing = slack.command("UOTHER", "risks apollo").body
    slack.click_button("UOTHER", listing, "raid_close")
    first = fake.last_view("UOTHER")
    assert first["callback_id"] == "raid_close" and "Vendor" in text_of(first)
    slack.click_button("UOTHER", listing, "raid_close")  # a double click: two modals
    second = fake.last_view("UOTHER")
    reason = {"reason": "mitigated: second supplier <!channel>"}
    done = slack.submit_view("UOTHER", first, reason)
    assert done.body["response_action"] == "update"
    said = text_of(done.body["view"])
    assert (
        "Closed risk #1 “Vendor” on *Apollo*: mitigated: second supplier &lt;!channel&gt;" in said
    )
    assert "`/pmo risk reopen #1`" in said
    again = slack.submit_view("UOTHER", second, {"reason": "gone"})
    assert "already closed" in next(iter(again.body["errors"].values()))
    (item,) = items(sessions)
    assert (item.state, item.close_reason) == ("closed", "mitigated: second supplier <!channel>")
    (event,) = close_events(sessions)
    assert event.after == {"state": "closed", "reason": "mitigated: second supplier <!channel>"}
    fake.clear()
    slack.click_button("UOTHER", listing, "raid_close")
    assert "already closed" in text_of(fake.responses[-1]["body"])
    assert not fake.calls_to("views.open")


def test_a_blank_close_reason_is_an_inline_error_and_closes_nothing(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", 'risk apollo "Vendor"')
    slack.click_button("UOTHER", slack.command("UOTHER", "risks").body, "raid_close")
    reply = slack.submit_view("UOTHER", fake.last_view("UOTHER"), {"reason": "   "})
    assert list(reply.body["errors"]) == ["reason"]
    assert "why it is closed" in reply.body["errors"]["reason"]
    assert items(sessions)[0].state == "open" and close_events(sessions) == []


def test_reopen_on_the_confirmation_undoes_the_close_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Budget cut" likelihood:likely impact:severe')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_close")
    done = slack.submit_view("ULEAD", fake.last_view("ULEAD"), {"reason": "budget restored"})
    bot.settle()
    flagged = program(sessions, "apollo")
    assert flagged is not None and "HIGH_RISK" not in flagged.flags
    confirmation = {**done.body["view"], "id": fake.last_view("ULEAD")["id"]}
    slack.click_button("ULEAD", confirmation, "raid_reopen")
    reopened = fake.last_view("ULEAD")
    assert "Reopened risk #1 “Budget cut” on *Apollo*; it had been closed as “budget restored”" in (
        text_of(reopened)
    )
    (item,) = items(sessions)
    assert (item.state, item.closed_at, item.close_reason) == ("open", None, None)
    (event,) = close_events(sessions, "reopen")
    assert event.before == {"state": "closed", "reason": "budget restored"}
    assert event.actor_id == "ULEAD"
    again = program(sessions, "apollo")
    assert again is not None and "HIGH_RISK" in again.flags, "reopened, it is high again"
    slack.click_button("ULEAD", confirmation, "raid_reopen")  # a second click
    assert "already open" in text_of(fake.last_view("ULEAD"))
    assert len(close_events(sessions, "reopen")) == 1


def test_risk_reopen_command_reopens_a_closed_item(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor"')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_close")
    slack.submit_view("ULEAD", fake.last_view("ULEAD"), {"reason": "no longer applies"})
    said = text_of(slack.command("ULEAD", "risk reopen #1").body)
    assert (
        "Reopened risk #1 “Vendor” on *Apollo*; it had been closed as “no longer applies”" in said
    )
    assert items(sessions)[0].state == "open"
    assert "already open" in text_of(slack.command("ULEAD", "risk reopen 1").body)
    assert "Vendor" in text_of(slack.command("ULEAD", "risks").body)


@pytest.mark.parametrize(
    ("typed", "told"),
    [
        ("risk reopen", "Name one item by its number"),
        ("risk reopen twelve", "“twelve” is not an item number"),
        ("risk reopen #1 #2", "Name one item by its number"),
        ("risk reopen #999", "That RAID item no longer exists."),
    ],
)
def test_risk_reopen_refuses_what_is_not_one_item_number(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str, typed: str, told: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor"')
    said = text_of(slack.command("ULEAD", typed).body)
    assert told in said and f"You typed: `/pmo {typed}`" in said
    assert "/pmo risk reopen #&lt;n&gt;" in said  # the usage line
    assert close_events(sessions, "reopen") == []


def test_only_those_who_manage_an_item_may_close_or_reopen_it(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Lead risk"')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_close")
    modal = fake.last_view("ULEAD")
    crafted = slack.submit_view("UOTHER", {**modal, "id": "VCRAFTED"}, {"reason": "mine now"})
    assert "Only the item's owner <@ULEAD>" in next(iter(crafted.body["errors"].values()))
    assert items(sessions)[0].state == "open"
    slack.submit_view("ULEAD", modal, {"reason": "done"})
    said = text_of(slack.command("UOTHER", "risk reopen #1").body)
    assert "Only the item's owner <@ULEAD>" in said
    assert items(sessions)[0].state == "closed"


def test_stranger_cannot_close_someone_elses_item(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Lead risk"')
    listing = slack.command("UOTHER", "risks").body
    slack.click_button("UOTHER", listing, "raid_close")
    assert "Only the item's owner <@ULEAD>" in text_of(fake.responses[-1]["body"])
    assert items(sessions)[0].state == "open"


def test_escalate_alerts_the_pmo_channel_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Budget cut"')
    listing = slack.command("ULEAD", "risks").body
    slack.click_button("ULEAD", listing, "raid_escalate")
    slack.click_button("ULEAD", listing, "raid_escalate")
    bot.settle()
    escalations = [m for m in fake.messages("CPMO") if "escalated" in m.get("text", "")]
    assert len(escalations) == 1 and "Budget cut" in escalations[0]["text"]
    assert "already escalated" in text_of(fake.responses[-1]["body"])


def test_mitigate_records_the_note(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor"')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_mitigate")
    reply = slack.submit_view(
        "ULEAD", fake.last_view("ULEAD"), {"mitigation": "second supplier on standby"}
    )
    assert reply.body["response_action"] == "update"
    assert items(sessions)[0].mitigation == "second supplier on standby"


def selected(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return str(block["element"]["initial_option"]["value"])


def test_mitigation_modal_rescores_from_the_current_levels_and_clears_high_risk(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Budget cut" likelihood:likely impact:severe')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_mitigate")
    view = fake.last_view("ULEAD")
    assert (selected(view, "likelihood"), selected(view, "impact")) == ("4", "5")
    assert "Likelihood 4 (likely) × impact 5 (severe) = 20" in text_of(view)
    done = slack.submit_view(
        "ULEAD", view, {"mitigation": "CFO signed the budget", "likelihood": "2"}
    )
    assert "Re-scored: Likelihood 2 (unlikely) × impact 5 (severe) = 10 (was 20)" in text_of(
        done.body["view"]
    )
    (item,) = items(sessions)
    assert (item.likelihood, item.impact, item.score) == (2, 5, 10)
    assert item.mitigation == "CFO signed the budget"
    (event,) = close_events(sessions, "rescore")
    assert event.before == {"likelihood": 4, "impact": 5, "score": 20}
    assert event.after == {"likelihood": 2, "impact": 5, "score": 10}
    bot.settle()
    flagged = program(sessions, "apollo")
    assert flagged is not None and "HIGH_RISK" not in flagged.flags
    assert any("no longer has a high risk" in m["text"] for m in fake.messages("CPMO"))


def test_mitigation_with_the_same_levels_saves_the_note_without_a_rescore(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor" likelihood:possible impact:major')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_mitigate")
    done = slack.submit_view("ULEAD", fake.last_view("ULEAD"), {"mitigation": "weekly calls"})
    assert "Re-scored" not in text_of(done.body["view"])
    assert items(sessions)[0].score == 12
    assert close_events(sessions, "rescore") == [] and len(close_events(sessions, "mitigate")) == 1


def test_a_level_off_the_scale_or_a_blank_note_is_an_inline_error_and_stores_nothing(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor"')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_mitigate")
    view = fake.last_view("ULEAD")
    crafted = next(b for b in view["blocks"] if b.get("block_id") == "likelihood")
    crafted["element"]["options"].append(
        {"text": {"type": "plain_text", "text": "9"}, "value": "9"}
    )
    reply = slack.submit_view("ULEAD", view, {"mitigation": "calls", "likelihood": "9"})
    assert "Likelihood must be 1–5 or rare" in reply.body["errors"]["likelihood"]
    blank = slack.submit_view("ULEAD", view, {"mitigation": "   "})
    assert blank.body["errors"] == {"mitigation": "Write what is being done about it."}
    (item,) = items(sessions)
    assert (item.mitigation, item.score) == (None, 9)
    assert close_events(sessions, "rescore") == close_events(sessions, "mitigate") == []


@pytest.mark.parametrize("user", ["UOTHER", "UGUEST"])
def test_a_crafted_mitigation_by_someone_else_or_a_guest_is_refused(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str, user: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor" likelihood:likely impact:severe')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_mitigate")
    view = {**fake.last_view("ULEAD"), "id": "VCRAFTED"}
    reply = slack.submit_view(user, view, {"mitigation": "ignore it", "likelihood": "1"})
    refusal = next(iter(reply.body["errors"].values()))
    assert "Only the item's owner" in refusal or "Guest accounts" in refusal
    (item,) = items(sessions)
    assert (item.mitigation, item.score) == (None, 20)


def test_program_picker_searches_when_there_are_more_than_100(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    from bot.programs import NewProgram, add_program
    from tests.conftest import START, TEAM

    with sessions.begin() as session:
        for n in range(120):
            add_program(
                session,
                team_id=TEAM,
                actor_id="UADMIN",
                today=START.date(),
                now=START,
                new=NewProgram(name=f"Initiative {n:03}", owner_id="ULEAD"),
                timezone="UTC",
            )
    slack.command("UOTHER", "risk")
    view = fake.last_view("UOTHER")
    picker = view["blocks"][0]["element"]
    assert picker["type"] == "external_select"
    reply = slack.suggest(
        "UOTHER", view, action_id=picker["action_id"], block_id="program", value="initiative 11"
    )
    labels = [o["text"]["text"] for o in reply.body["options"]]
    assert labels[0].startswith("Initiative 110") and len(labels) == 10
    chosen = reply.body["options"][0]["value"]
    slack.submit_view("UOTHER", view, {"program": chosen, "title": "Found by search"})
    assert [i.title for i in items(sessions)] == ["Found by search"]


def test_escalation_without_a_pmo_channel_is_refused_and_changes_nothing(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("ULEAD", 'risk apollo "Budget cut"')
    slack.click_button("ULEAD", slack.command("ULEAD", "risks").body, "raid_escalate")
    assert "No PMO channel is set" in text_of(fake.responses[-1]["body"])
    assert items(sessions)[0].escalated_at is None


def inputs(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


@pytest.mark.parametrize("kind", ["decision", "assumption"])
def test_picking_a_decision_or_assumption_drops_the_score_fields(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str, kind: str
) -> None:
    slack.command("UOTHER", "risk")  # with the program picker
    view = fake.last_view("UOTHER")
    assert {"likelihood", "impact", "mitigation"} <= set(inputs(view))
    slack.click("UOTHER", "raid_kind", view=view, block_id="kind", value=kind)
    redrawn = fake.last_view("UOTHER")
    assert inputs(redrawn) == ["program", "kind", "title", "description", "owner", "due_date",
                               "blocking"]  # fmt: skip
    assert redrawn["blocks"][1]["element"]["initial_option"]["value"] == kind
    program_id = redrawn["blocks"][0]["element"]["options"][0]["value"]
    slack.submit_view(
        "UOTHER", redrawn, {"program": program_id, "kind": kind, "title": "Keep old checkout"}
    )
    (item,) = items(sessions)
    assert (item.kind, item.likelihood, item.impact, item.score) == (kind, None, None, None)
    slack.click("UOTHER", "raid_kind", view=redrawn, block_id="kind", value="risk")
    assert {"likelihood", "impact", "mitigation"} <= set(inputs(fake.last_view("UOTHER")))


def test_a_decision_is_listed_without_a_score_and_with_only_close(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "risk apollo")
    slack.submit_view(  # a modal drawn for a risk, sent as a decision: its scores are dropped
        "ULEAD",
        fake.last_view("ULEAD"),
        {"kind": "decision", "title": "Keep old checkout", "likelihood": "5", "impact": "5"},
    )
    slack.command("ULEAD", 'risk apollo "Vendor" likelihood:likely impact:minor')
    listing = slack.command("ULEAD", "risks apollo").body
    said = text_of(listing)
    assert "decision · *Keep old checkout*" in said and "*8* risk · *Vendor*" in said
    assert said.index("Vendor") < said.index("Keep old checkout"), "unscored items come last"
    assert [i.score for i in items(sessions)] == [None, 8]
    assert buttons(listing) == ["raid_mitigate", "raid_close", "raid_escalate", "raid_close"]
    shown = text_of(slack.command("ULEAD", "program show apollo").body)
    assert "decision · Keep old checkout" in shown and "None" not in shown


@pytest.mark.parametrize("action_id", ["raid_mitigate", "raid_escalate"])
def test_a_crafted_mitigate_or_escalate_of_a_decision_is_refused(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    apollo: str,
    action_id: str,
) -> None:
    slack.command("ULEAD", "risk apollo")
    slack.submit_view(
        "ULEAD", fake.last_view("ULEAD"), {"kind": "decision", "title": "Keep old checkout"}
    )
    (decision,) = items(sessions)
    fake.clear()
    slack.click("ULEAD", action_id, value=str(decision.id))
    said = text_of(fake.responses[-1]["body"])
    assert "“Keep old checkout” is a decision: decisions are not scored" in said
    assert not fake.calls_to("views.open") and not fake.messages("CPMO")
    (after,) = items(sessions)
    assert (after.escalated_at, after.mitigation) == (None, None)


def test_help_risk_lists_both_scales_reopen_and_what_is_not_scored(slack: SlackDriver) -> None:
    said = text_of(slack.command("UOTHER", "help risk").body)
    assert "rare, unlikely, possible, likely, almost certain" in said
    assert "negligible, minor, moderate, major, severe" in said
    assert "Decisions and assumptions are recorded, not scored" in said
    assert "/pmo risk reopen #&lt;n&gt;" in said
