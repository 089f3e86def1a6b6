"""Answers to questions asked in a DM: the cards and lists the commands show, no command typed.

`apollo?` is `/pmo program show apollo`; `what's red` is `/pmo program list red`; `my risks` is
`/pmo risks mine`; `overdue` puts overdue updates and overdue RAID items together; `what's due
this week` lists the caller's updates, milestones and RAID items due by Sunday. Guests get
the help and nothing of the portfolio.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import milestones, program_names, program_view, programs, raid
from bot.blocks import programs as program_blocks
from bot.blocks import questions as render
from bot.blocks import raid as raid_blocks
from bot.dm.questions import Ask, Question
from bot.errors import PermissionDenied, UserError
from bot.status import replies
from storage.models import Person, Program, Workspace

Message = dict[str, Any]
GUEST_REFUSAL = (
    "Guest accounts can't see PMO data here. To ask the PMO for a new project: `/pmo intake`."
)


def answer(
    session: Session, *, person: Person, workspace: Workspace, question: Question, now: datetime
) -> Message:
    """The answer to a question, read as of `now` in the asker's time zone.

    Raises:
        PermissionDenied: A guest asked about the portfolio.
        UserError: The program asked about does not exist ("Did you mean …?").
    """
    if question.ask is Ask.THANKS:
        return render.thanks()
    if question.ask is Ask.HELP:
        return render.dm_help(guest=person.is_restricted)
    if person.is_restricted:
        raise PermissionDenied(GUEST_REFUSAL)
    asking = Asking(session, person, workspace, now)
    if question.ask is Ask.PROGRAM:
        ref = question.ref or ""
        return asking.card(program_names.find_program(session, team_id=person.team_id, ref=ref))
    return _ANSWERS[question.ask](asking)


def named_program(session: Session, *, person: Person, question: Question) -> Program | None:
    """The program a bare word names (`apollo`), or None when it names none: then the word
    was no question at all."""
    try:
        return program_names.find_program(session, team_id=person.team_id, ref=question.ref or "")
    except UserError:
        return None


class Asking:
    """One question's context: who asks, where, and when (their local today)."""

    def __init__(self, session: Session, person: Person, workspace: Workspace, now: datetime):
        self.session, self.person, self.workspace, self.now = session, person, workspace, now
        self.zone = ZoneInfo(person.tz or workspace.timezone)
        self.today: date = now.astimezone(self.zone).date()

    def card(self, program: Program) -> Message:
        """What `/pmo program show` shows."""
        detail = program_view.gather(
            self.session, program=program, workspace=self.workspace, now=self.now
        )
        return program_blocks.detail_message(detail, now=self.now)

    def programs(self, which: programs.ListFilter) -> Message:
        """What `/pmo program list <which>` shows."""
        listing = programs.list_programs(
            self.session,
            team_id=self.person.team_id,
            user_id=self.person.user_id,
            which=which,
            limit=program_blocks.LIST_LIMIT,
        )
        return program_blocks.list_message(listing, which=which, now=self.now)

    def risks(self, title: str, **filters: Any) -> Message:
        """What `/pmo risks …` shows."""
        page = raid.open_items(
            self.session, team_id=self.person.team_id, limit=raid_blocks.LIST_LIMIT, **filters
        )
        return raid_blocks.list_message(page, title=title, today=self.today)

    def overdue(self) -> Message:
        """Programs whose update is overdue, then open RAID items past their due date."""
        listing = programs.list_programs(
            self.session, team_id=self.person.team_id, user_id="", which="overdue", limit=1
        )
        items = raid.open_items(
            self.session, team_id=self.person.team_id, due_before=self.today, limit=1
        )
        if not (listing.total or items.total):
            return render.nothing_overdue()
        return render.together(
            self.programs("overdue"), self.risks("overdue", due_before=self.today)
        )

    def due_this_week(self) -> Message:
        """The caller's updates, milestones and RAID items due from today to Sunday."""
        last = self.today + timedelta(days=6 - self.today.weekday())
        end = datetime.combine(last + timedelta(days=1), time(), self.zone)
        return render.due_message(
            first=self.today,
            last=last,
            updates=self._updates_due(before=end),
            milestones=milestones.due_between(
                self.session, team_id=self.person.team_id, first=self.today, last=last
            ),
            risks=raid.open_items(
                self.session,
                team_id=self.person.team_id,
                due_from=self.today,
                due_before=last + timedelta(days=1),
                limit=raid_blocks.LIST_LIMIT,
            ),
        )

    def _updates_due(self, *, before: datetime) -> list[tuple[Program, str]]:
        """The caller's programs waiting for an answer now, then those due before `before`."""
        person = self.person
        prompts = replies.pending_for(self.session, team_id=person.team_id, user_id=person.user_id)
        waiting = [w.program for w in prompts]
        due = programs.updates_due(self.session, person=person, before=before)
        listed = waiting + [p for p in due if p not in waiting]
        now_here = self.now.astimezone(self.zone)
        return [(p, render.due_words(p, waiting=p in waiting, tz_now=now_here)) for p in listed]


_ANSWERS: dict[Ask, Callable[[Asking], Message]] = {
    Ask.PROGRAMS: lambda a: a.programs("default"),
    Ask.MINE: lambda a: a.programs("mine"),
    Ask.RED: lambda a: a.programs("red"),
    Ask.FLAGGED: lambda a: a.programs("flagged"),
    Ask.OVERDUE: Asking.overdue,
    Ask.RISKS: lambda a: a.risks("all programs"),
    Ask.MY_RISKS: lambda a: a.risks("mine", owner_id=a.person.user_id),
    Ask.DUE: Asking.due_this_week,
}
