"""Block Kit for DM answers and the receipt's notes: valid whatever the size, user text escaped."""

from __future__ import annotations

from datetime import date

from bot.blocks import programs, questions, raid, status
from bot.programs import Listing
from bot.raid import RaidPage
from storage.models import Milestone
from tests.bot.test_blocks import (
    LONG,
    NOW,
    TODAY,
    assert_valid,
    block_texts,
    make_item,
    make_program,
    make_update,
)


def test_the_overdue_answer_stays_valid_with_full_lists_of_programs_and_items() -> None:
    many = [
        make_program(n, name=f"<!here> {LONG[:300]}", flags={"OVERDUE_UPDATE": "x"})
        for n in range(2, 60)
    ]
    items = [
        (make_item(n, title=LONG[:300], due_date=date(2026, 11, 1)), many[0]) for n in range(40)
    ]
    payload = questions.together(
        programs.list_message(Listing(many, total=len(many)), which="overdue", now=NOW),
        raid.list_message(
            RaidPage(items[: raid.LIST_LIMIT], total=40), title="overdue", today=TODAY
        ),
    )
    assert_valid(payload)
    assert "<!here>" not in str(payload) and "&lt;!here&gt;" in block_texts(payload["blocks"])


def test_the_due_answer_stays_valid_and_escapes_names() -> None:
    apollo = make_program(name="Apollo <@U999>")
    milestones = [
        (
            Milestone(id=n, team_id="T1", program_id=1, name=f"M{n} {LONG[:200]}", due_date=TODAY),
            apollo,
        )
        for n in range(30)
    ]
    items = [(make_item(n, title=LONG[:200], due_date=TODAY), apollo) for n in range(15)]
    payload = questions.due_message(
        first=TODAY,
        last=date(2026, 11, 29),
        updates=[(apollo, "due Fri 27 Nov 2026")] * 20,
        milestones=milestones,
        risks=RaidPage(items, total=99),
    )
    assert_valid(payload)
    shown = block_texts(payload["blocks"])
    assert "<@U999>" not in shown and "Apollo &lt;@U999&gt;" in shown
    assert "…and 84 more RAID items." in shown


def test_nothing_due_says_so() -> None:
    payload = questions.due_message(
        first=TODAY, last=date(2026, 11, 29), updates=[], milestones=[], risks=RaidPage([], 0)
    )
    assert "Nothing is due this week" in payload["text"]


def test_the_short_help_quotes_what_it_did_not_understand_cut_and_escaped() -> None:
    payload = questions.dm_help(guest=False, unclear="<!channel> " + LONG)
    assert_valid(payload)
    shown = block_texts(payload["blocks"])
    assert "> &lt;!channel&gt; xxx" in shown and "…" in shown and "`apollo?`" in shown
    guest = block_texts(questions.dm_help(guest=True)["blocks"])
    assert "/pmo intake" in guest and "apollo" not in guest


def test_a_late_receipt_with_a_kept_plan_says_both_and_stays_valid() -> None:
    update = make_update(summary=LONG, path_to_green=LONG, recovery_date=date(2026, 12, 18))
    payload = status.receipt(
        make_program(), update, needs_plan=False, late_for=date(2026, 12, 4), kept_plan=True
    )
    assert_valid(payload)
    shown = block_texts(payload["blocks"])
    assert (
        "*Kept your path to green:*" in shown
        and "*Still back to green by:* Fri 18 Dec 2026" in shown
    )
    assert "Late: this update was due Fri 4 Dec 2026" in shown
    assert "Late: this update was due" in payload["text"], "the note survives the fallback's cut"
