"""Stand-ups: a facilitator's recurring, or live, check-in with the people of a channel.

A `Standup` says on which days it opens and when it closes (in one zone), what it asks and
whom. Each opening is a run (`StandupRun`): participants are asked by DM at that moment (a
stand-up is a meeting, so the business-hours window of status prompts does not apply), answer
by modal or by a reply with one line per question (`StandupAnswer`, editable until close), get
one reminder 30 minutes before close, and at close the channel gets one summary: blockers
first, each person's answers, then who did not answer. A blocker naming a program key becomes
a blocking issue on that program. A scheduled run is three jobs (open, remind, close) claimed
like every other job, and the summary's outbox key is the run, so each happens once.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit, outbox, raid, scheduling
from bot.blocks import standups as render
from bot.commands import parse_hhmm, parse_timezone, parse_weekday
from bot.errors import PermissionDenied, UserError
from bot.prompts import CATCH_UP, is_out_of_office
from bot.workspace import is_pmo_admin
from schedules.cadence import Cadence, next_due, parse_cadence, slot_local
from storage.models import (
    Person,
    Program,
    ScheduledJob,
    Standup,
    StandupAnswer,
    StandupRun,
    Workspace,
)

DEFAULT_QUESTIONS = (
    "What did you do since last time?",
    "What will you do next?",
    "Any blockers?",
)
DEFAULT_WINDOW = timedelta(hours=2)
REMIND_BEFORE = timedelta(minutes=30)
MAX_QUESTIONS = 6
QUESTION_MAX = 150
MAX_PARTICIPANTS = 50
OPEN, REMIND, CLOSE = "standup_open", "standup_remind", "standup_close"
JOB_KINDS = (OPEN, REMIND, CLOSE)
MAX_SLOTS_PER_STANDUP = 60  # a stand-up due for months catches up slot by slot, bounded

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {"weekdays": (0, 1, 2, 3, 4), "daily": (0, 1, 2, 3, 4), "everyday": tuple(range(7))}
_DAYS_HELP = "Write the days like mon-fri or mon,wed,fri"
# Answers to the blockers question that mean "no blocker".
_NO_BLOCKER = frozenset(
    {"none", "no", "nope", "nothing", "n/a", "na", "nil", "-", "no blockers", "no blocker"}
)
_KEY_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


# --- when it runs and what it asks -------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """When a stand-up runs and what it asks.

    Attributes:
        days: Weekdays it opens on, 0 = Monday.
        opens: Local opening time.
        closes: Local closing time, the same day, after `opens`.
        timezone: The IANA zone of both times.
        questions: What each participant is asked, in order.
    """

    days: tuple[int, ...]
    opens: time
    closes: time
    timezone: str
    questions: tuple[str, ...]

    @property
    def window(self) -> timedelta:
        """How long a run stays open."""
        return _minutes(self.closes) - _minutes(self.opens)

    @property
    def cadence(self) -> Cadence:
        """The openings as a crontab cadence (crontab counts Sunday = 0)."""
        days = ",".join(str((day + 1) % 7) for day in self.days)
        return parse_cadence(f"{self.opens.minute} {self.opens.hour} * * {days}")


def _minutes(at: time) -> timedelta:
    return timedelta(hours=at.hour, minutes=at.minute)


def parse_days(text: str) -> tuple[int, ...]:
    """Read `mon-fri`, `mon,wed,fri`, `fri-mon` or `weekdays` as weekday numbers (0 = Monday).

    Raises:
        UserError: Not days, with the forms that work.
    """
    cleaned = re.sub(r"\s*[-–—]\s*", "-", text.lower().strip())
    cleaned = re.sub(r"[\s,]+", ",", cleaned).strip(",")
    if cleaned in _DAY_WORDS:
        return _DAY_WORDS[cleaned]
    days: set[int] = set()
    for item in cleaned.split(","):
        first, dash, last = item.partition("-")
        start = _day(first, original=text)
        end = _day(last, original=text) if dash else start
        days |= {(start + step) % 7 for step in range((end - start) % 7 + 1)}
    return tuple(sorted(days))


def _day(word: str, *, original: str) -> int:
    day = parse_weekday(word)
    if day is None:
        raise UserError(f"“{word}” is not a day. {_DAYS_HELP}.", echo=original)
    return day


def format_days(days: Sequence[int]) -> str:
    """Days as stored and shown: `mon-fri`, `mon,wed,fri`, `mon,tue`."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
        if len(run) > 2
        else ",".join(DAY_NAMES[d] for d in run)
        for run in runs
    ]
    return ",".join(parts)


def parse_when(text: str) -> tuple[tuple[int, ...], time]:
    """Read `"<days> <HH:MM>"` (either order), e.g. `mon-fri 09:30`.

    Raises:
        UserError: No time, several times, no days or bad days.
    """
    words = text.split()
    times = [i for i, word in enumerate(words) if ":" in word]
    if len(times) != 1:
        raise UserError(
            f'Give the days and one opening time in quotes, e.g. "mon-fri 09:30". {_DAYS_HELP}.',
            echo=text,
        )
    opens = parse_hhmm(words[times[0]])
    days = " ".join(w for i, w in enumerate(words) if i != times[0])
    if not days:
        raise UserError(f'Which days? e.g. "mon-fri {words[times[0]]}".', echo=text)
    return parse_days(days), opens


def parse_questions(text: str) -> tuple[str, ...]:
    """Read `Q1|Q2|Q3`: 1 to 6 questions of at most 150 characters.

    Raises:
        UserError: Empty, too many or too long questions.
    """
    questions = tuple(" ".join(part.split()) for part in text.split("|"))
    if not 1 <= len(questions) <= MAX_QUESTIONS or not all(questions):
        raise UserError(
            f"Give 1 to {MAX_QUESTIONS} questions separated by |, e.g. "
            'questions:"What did you do?|What next?|Any blockers?".',
            echo=text,
        )
    if any(len(question) > QUESTION_MAX for question in questions):
        raise UserError(f"Keep each question under {QUESTION_MAX} characters.", echo=text)
    return questions


def make_plan(*, when: str, close: str | None, tz: str, questions: str | None) -> Plan:
    """The plan of a new stand-up; it closes 2 h after it opens unless `close` says otherwise.

    Raises:
        UserError: Any part is malformed, or it would close before it opens.
    """
    days, opens = parse_when(when)
    return _checked(
        Plan(
            days=days,
            opens=opens,
            closes=parse_hhmm(close) if close else _later(opens, DEFAULT_WINDOW),
            timezone=parse_timezone(tz),
            questions=parse_questions(questions) if questions else DEFAULT_QUESTIONS,
        )
    )


def change_plan(
    standup: Standup,
    *,
    when: str | None,
    close: str | None,
    tz: str | None,
    questions: str | None,
) -> Plan:
    """A stand-up's plan with what an edit names changed; a new opening keeps the window."""
    current = plan_of(standup)
    days, opens = parse_when(when) if when else (current.days, current.opens)
    closes = current.closes
    if close:
        closes = parse_hhmm(close)
    elif when:
        closes = _later(opens, current.window)
    return _checked(
        Plan(
            days=days,
            opens=opens,
            closes=closes,
            timezone=parse_timezone(tz) if tz else current.timezone,
            questions=parse_questions(questions) if questions else current.questions,
        )
    )


def _later(at: time, by: timedelta) -> time:
    minutes = min(int((_minutes(at) + by).total_seconds()) // 60, 23 * 60 + 59)
    return time(minutes // 60, minutes % 60)


def _checked(plan: Plan) -> Plan:
    if plan.closes <= plan.opens:
        raise UserError(
            f"It would close at {plan.closes:%H:%M}, before it opens at {plan.opens:%H:%M}. "
            f"Give a close time later the same day, e.g. "
            f"close:{_later(plan.opens, DEFAULT_WINDOW):%H:%M}."
        )
    return plan


def plan_of(standup: Standup) -> Plan:
    """The stored plan of a stand-up."""
    return Plan(
        days=parse_days(standup.days),
        opens=parse_hhmm(standup.open_at),
        closes=parse_hhmm(standup.close_at),
        timezone=standup.timezone,
        questions=tuple(standup.questions),
    )


def _apply(standup: Standup, plan: Plan) -> None:
    standup.days = format_days(plan.days)
    standup.open_at = f"{plan.opens:%H:%M}"
    standup.close_at = f"{plan.closes:%H:%M}"
    standup.timezone = plan.timezone
    standup.questions = list(plan.questions)


def blocker_index(questions: Sequence[str]) -> int | None:
    """Which question collects blockers: the first that mentions them, if any."""
    return next((i for i, q in enumerate(questions) if "block" in q.lower()), None)


# --- scheduling, editing, cancelling -------------------------------------------------------


def channel_members(client: WebClient, channel_id: str) -> frozenset[str]:
    """Everyone in a channel, from conversations.members (all pages)."""
    members: set[str] = set()
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
        members.update(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return frozenset(members)


def schedule(
    session: Session,
    *,
    channel_id: str,
    facilitator: Person,
    plan: Plan,
    participants: Sequence[Person],
    members: Collection[str],
    now: datetime,
) -> Standup:
    """Set up a recurring stand-up in a channel, run by `facilitator`.

    Raises:
        UserError: The channel has one already, or the participants do not fit.
        PermissionDenied: The facilitator is neither in the channel nor a PMO admin.
    """
    _refuse_second(session, team_id=facilitator.team_id, channel_id=channel_id)
    ids = _checked_participants(participants, members=members, channel_id=channel_id)
    if facilitator.user_id not in members and not is_pmo_admin(session, person=facilitator):
        raise PermissionDenied(
            f"You're not a member of <#{channel_id}>. Only its members (or a PMO admin) "
            "can run a stand-up there."
        )
    standup = Standup(
        team_id=facilitator.team_id,
        channel_id=channel_id,
        facilitator_id=facilitator.user_id,
        participants=ids,
        created_at=now,
    )
    _apply(standup, plan)
    standup.next_due_at = next_due(plan.cadence, after=now, tz=plan.timezone)
    session.add(standup)
    session.flush()
    _audit(session, standup, actor_id=facilitator.user_id, action="schedule", now=now)
    return standup


def _refuse_second(session: Session, *, team_id: str, channel_id: str) -> None:
    existing = find(session, team_id=team_id, channel_id=channel_id)
    if existing is not None:
        raise UserError(
            f"<#{channel_id}> already has a stand-up, run by <@{existing.facilitator_id}>. "
            f"Change it with `/pmo standup edit <#{channel_id}> …`, or cancel it first."
        )


def _checked_participants(
    participants: Sequence[Person], *, members: Collection[str], channel_id: str
) -> list[str]:
    """The participants' ids, once each, after checking each may take part."""
    unique = list({p.user_id: p for p in participants}.values())
    if not unique:
        raise UserError("Name the participants with @, e.g. `@ana @ben`.")
    if len(unique) > MAX_PARTICIPANTS:
        raise UserError(f"A stand-up has at most {MAX_PARTICIPANTS} participants.")
    unfit = [p.user_id for p in unique if p.is_bot or p.deleted or p.is_restricted]
    if unfit:
        raise UserError(
            f"{_mentions(unfit)} can't take part: bots, guests and deactivated accounts can't."
        )
    outside = [p.user_id for p in unique if p.user_id not in members]
    if outside:
        raise UserError(
            f"{_mentions(outside)} {'is' if len(outside) == 1 else 'are'} not in "
            f"<#{channel_id}>. Participants must be members of the channel: invite them "
            "there first, or leave them out."
        )
    return [p.user_id for p in unique]


def _mentions(user_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{user_id}>" for user_id in user_ids)


def edit(
    session: Session,
    *,
    standup: Standup,
    actor: Person,
    plan: Plan,
    participants: Sequence[Person] | None,
    members: Collection[str],
    now: datetime,
) -> None:
    """Change a stand-up (its facilitator or a PMO admin); a run already open keeps going."""
    require_manage(session, standup=standup, person=actor)
    before = _snapshot(standup)
    if participants is not None:
        standup.participants = _checked_participants(
            participants, members=members, channel_id=standup.channel_id
        )
    _apply(standup, plan)
    standup.next_due_at = next_due(plan.cadence, after=now, tz=plan.timezone)
    _audit(session, standup, actor_id=actor.user_id, action="edit", now=now, before=before)


def cancel(session: Session, *, standup: Standup, actor: Person, now: datetime) -> None:
    """Stop a stand-up (kept, marked removed); a run already open still closes with a summary."""
    require_manage(session, standup=standup, person=actor)
    standup.removed_at = now
    standup.next_due_at = None
    _audit(session, standup, actor_id=actor.user_id, action="cancel", now=now)


def _snapshot(standup: Standup) -> dict[str, object]:
    names = ("channel_id", "facilitator_id", "days", "open_at", "close_at", "timezone")
    values: dict[str, object] = {name: getattr(standup, name) for name in names}
    return values | {"questions": list(standup.questions), "people": list(standup.participants)}


def _audit(
    session: Session,
    standup: Standup,
    *,
    actor_id: str,
    action: str,
    now: datetime,
    before: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        team_id=standup.team_id,
        actor_id=actor_id,
        entity="standup",
        entity_id=standup.id,
        action=action,
        now=now,
        before=before,
        after=_snapshot(standup),
    )


def find(session: Session, *, team_id: str, channel_id: str) -> Standup | None:
    """The channel's stand-up, if it has one."""
    return session.scalar(
        select(Standup).where(
            Standup.team_id == team_id,
            Standup.channel_id == channel_id,
            Standup.removed_at.is_(None),
        )
    )


def for_channel(session: Session, *, team_id: str, channel_id: str) -> Standup:
    """The channel's stand-up.

    Raises:
        UserError: The channel has none.
    """
    standup = find(session, team_id=team_id, channel_id=channel_id)
    if standup is None:
        raise UserError(
            f"<#{channel_id}> has no stand-up. Schedule one with "
            '`/pmo standup schedule #channel "mon-fri 09:30" @a @b`, or name its channel.'
        )
    return standup


def active(session: Session, *, team_id: str) -> list[Standup]:
    """The workspace's stand-ups, oldest first."""
    query = (
        select(Standup)
        .where(Standup.team_id == team_id, Standup.removed_at.is_(None))
        .order_by(Standup.created_at, Standup.id)
    )
    return list(session.scalars(query))


def require_manage(session: Session, *, standup: Standup, person: Person) -> None:
    """The facilitator and PMO admins may edit or cancel a stand-up."""
    if person.user_id == standup.facilitator_id or is_pmo_admin(session, person=person):
        return
    raise PermissionDenied(
        f"Only the facilitator <@{standup.facilitator_id}> or a PMO admin can change the "
        f"stand-up in <#{standup.channel_id}>."
    )


def require_member(session: Session, *, standup: Standup, person: Person) -> None:
    """The facilitator, participants and PMO admins may start, close and order a stand-up."""
    if person.user_id in standup.participants:
        return
    require_manage(session, standup=standup, person=person)


# --- the dispatcher's side: slots become jobs, jobs run ------------------------------------


def due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Stand-ups whose next opening has come, oldest first."""
    query = (
        select(Standup.id)
        .where(Standup.removed_at.is_(None), Standup.next_due_at <= now)
        .order_by(Standup.next_due_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def materialize(session: Session, standup_id: int, now: datetime) -> None:
    """Turn each opening due by `now` into its open, remind and close jobs; move on."""
    standup = session.get(Standup, standup_id)
    if standup is None:
        return
    plan = plan_of(standup)
    for _ in range(MAX_SLOTS_PER_STANDUP):
        slot = standup.next_due_at
        if slot is None or slot > now or standup.removed_at is not None:
            return
        period = slot_local(slot, plan.timezone).isoformat(timespec="minutes")
        _add_jobs(session, standup, period=period, opens=slot, closes=slot + plan.window)
        standup.next_due_at = next_due(plan.cadence, after=slot, tz=plan.timezone)


def _add_jobs(
    session: Session,
    standup: Standup,
    *,
    period: str,
    opens: datetime,
    closes: datetime,
    with_open: bool = True,
) -> None:
    """The jobs of one run, each unique by (kind, stand-up, period)."""
    due = [(OPEN, opens)] if with_open else []
    if closes - REMIND_BEFORE > opens:
        due.append((REMIND, closes - REMIND_BEFORE))
    due.append((CLOSE, closes))
    for kind, at in due:
        job = ScheduledJob(
            team_id=standup.team_id,
            kind=kind,
            target_id=standup.id,
            period=period,
            slot_at=opens,
            due_at=at,
            state="pending",
        )
        scheduling.add_job(session, job)


def describe(session: Session, standup_id: int) -> str:
    """One line for a dry run."""
    standup = session.get(Standup, standup_id)
    assert standup is not None and standup.next_due_at is not None
    return f"the stand-up in {standup.channel_id} due {standup.next_due_at:%Y-%m-%d %H:%M} UTC"


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Open, remind or close one run inside the caller's transaction; says what happened."""
    standup = session.get(Standup, job.target_id)
    if standup is None:
        return "skipped: no such stand-up"
    if job.kind == OPEN:
        return _open_scheduled(session, standup=standup, job=job, now=now, workspace=workspace)
    run = session.scalar(
        select(StandupRun).where(
            StandupRun.standup_id == standup.id, StandupRun.period == job.period
        )
    )
    if run is None:
        return "skipped: the run never opened"
    if job.kind == REMIND:
        return _remind(session, standup=standup, run=run, now=now)
    summary = close_run(session, standup=standup, run=run, now=now, workspace=workspace)
    return "skipped: closed already" if summary is None else "summary posted"


def _open_scheduled(
    session: Session, *, standup: Standup, job: ScheduledJob, now: datetime, workspace: Workspace
) -> str:
    closes = job.slot_at + plan_of(standup).window
    if now - job.due_at > CATCH_UP or now >= closes:
        return "skipped: missed while the bot was down"
    if standup.removed_at is not None:
        return "skipped: stand-up cancelled"
    if open_run(session, standup=standup) is not None:
        return "skipped: another run is still open"
    run = _open(
        session,
        standup=standup,
        period=job.period,
        closes=closes,
        live=False,
        now=now,
        workspace=workspace,
    )
    return f"asked {len(standup.participants) - len(run.skipped)}, {len(run.skipped)} away"


def _open(
    session: Session,
    *,
    standup: Standup,
    period: str,
    closes: datetime,
    live: bool,
    now: datetime,
    workspace: Workspace,
) -> StandupRun:
    """Create a run and DM its questions to each participant who is not out of office."""
    away = [u for u in standup.participants if _is_away(session, standup, u, now, workspace)]
    run = StandupRun(
        team_id=standup.team_id,
        standup_id=standup.id,
        period=period,
        opened_at=now,
        closes_at=closes,
        state="open",
        live=live,
        skipped=away,
    )
    session.add(run)
    session.flush()
    payload = render.ask_message(standup, run_id=run.id, closes_at=closes)
    for user_id in standup.participants:
        if user_id not in away:
            _dm(
                session,
                standup,
                user_id,
                key=f"standup-ask:{run.id}:{user_id}",
                now=now,
                payload=payload,
            )
    return run


def _is_away(
    session: Session, standup: Standup, user_id: str, now: datetime, workspace: Workspace
) -> bool:
    person = session.get(Person, (standup.team_id, user_id))
    return person is not None and is_out_of_office(person, now=now, workspace=workspace)


def _dm(
    session: Session,
    standup: Standup,
    user_id: str,
    *,
    key: str,
    now: datetime,
    payload: dict[str, object],
) -> None:
    """A DM sent at once: no messaging window, a stand-up is a meeting."""
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=key,
        channel=user_id,
        payload=payload,
        now=now,
        purpose=f"standup:{standup.id}",
    )


def _remind(session: Session, *, standup: Standup, run: StandupRun, now: datetime) -> str:
    if run.state != "open" or now >= run.closes_at:
        return "skipped: closed already"
    waiting = missing(session, standup=standup, run=run)
    payload = render.reminder_message(standup, run_id=run.id, closes_at=run.closes_at)
    for user_id in waiting:
        _dm(
            session,
            standup,
            user_id,
            key=f"standup-remind:{run.id}:{user_id}",
            now=now,
            payload=payload,
        )
    return f"reminded {len(waiting)}"


def missing(session: Session, *, standup: Standup, run: StandupRun) -> list[str]:
    """Participants asked in this run who have not answered yet."""
    answered = set(_answers(session, run))
    return [u for u in standup.participants if u not in answered and u not in run.skipped]


def open_run(session: Session, *, standup: Standup) -> StandupRun | None:
    """The stand-up's run that is open now, if any."""
    return session.scalar(
        select(StandupRun)
        .where(StandupRun.standup_id == standup.id, StandupRun.state == "open")
        .order_by(StandupRun.opened_at.desc())
        .limit(1)
    )


# --- live: start now, close now, speaking order --------------------------------------------


@dataclass(frozen=True)
class Started:
    """A live run just opened, and the agenda its start message carries."""

    run: StandupRun
    agenda: Agenda


def start_live(
    session: Session, *, standup: Standup, actor: Person, now: datetime, workspace: Workspace
) -> Started:
    """Run a stand-up now: ask everyone, post the agenda, close after the usual window.

    Raises:
        UserError: One is open already.
    """
    require_member(session, standup=standup, person=actor)
    running = open_run(session, standup=standup)
    if running is not None:
        raise UserError(
            f"A stand-up is already open in <#{standup.channel_id}>; end it with "
            f"`/pmo standup close <#{standup.channel_id}>`."
        )
    plan_agenda = agenda(session, standup=standup)
    closes = now + plan_of(standup).window
    period = "live:" + slot_local(now, standup.timezone).isoformat(timespec="seconds")
    run = _open(
        session,
        standup=standup,
        period=period,
        closes=closes,
        live=True,
        now=now,
        workspace=workspace,
    )
    _add_jobs(session, standup, period=period, opens=now, closes=closes, with_open=False)
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=f"standup-live:{run.id}",
        channel=standup.channel_id,
        now=now,
        payload=render.live_message(plan_agenda, actor_id=actor.user_id, closes_at=closes),
    )
    return Started(run=run, agenda=plan_agenda)


def close_now(
    session: Session, *, standup: Standup, actor: Person, now: datetime, workspace: Workspace
) -> Summary:
    """Close the open run before its time and post its summary.

    Raises:
        UserError: No run is open.
    """
    require_member(session, standup=standup, person=actor)
    run = open_run(session, standup=standup)
    summary = None
    if run is not None:
        summary = close_run(session, standup=standup, run=run, now=now, workspace=workspace)
    if summary is None:
        raise UserError(
            f"No stand-up is open in <#{standup.channel_id}>. Start one with "
            f"`/pmo standup start <#{standup.channel_id}>`."
        )
    return summary


def speaking_order(
    session: Session, *, standup: Standup, now: datetime, workspace: Workspace
) -> tuple[list[str], list[str]]:
    """A random order of the participants present, and those out of office.

    The shuffle is seeded by the latest run, so asking again in one meeting gives the same order.
    """
    latest = _latest_runs(session, standup, 1)
    away = [u for u in standup.participants if _is_away(session, standup, u, now, workspace)]
    present = [u for u in standup.participants if u not in away]
    seed = f"standup-order:{standup.id}:{latest[0].id if latest else 0}"
    random.Random(seed).shuffle(present)
    return present, away


def post_order(
    session: Session, *, standup: Standup, actor: Person, now: datetime, workspace: Workspace
) -> list[str]:
    """Post the speaking order in the stand-up's channel; returns it."""
    require_member(session, standup=standup, person=actor)
    order, away = speaking_order(session, standup=standup, now=now, workspace=workspace)
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=f"standup-order:{standup.id}:{actor.user_id}:{now.isoformat()}",
        channel=standup.channel_id,
        now=now,
        payload=render.order_message(standup.channel_id, order=order, away=away),
    )
    return order


# --- answers ---------------------------------------------------------------------------------


def awaiting(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> list[tuple[StandupRun, Standup]]:
    """Open runs this person takes part in, oldest first."""
    rows = session.execute(
        select(StandupRun, Standup)
        .join(Standup, Standup.id == StandupRun.standup_id)
        .where(
            Standup.team_id == team_id,
            StandupRun.state == "open",
            StandupRun.closes_at > now,
        )
        .order_by(StandupRun.opened_at, StandupRun.id)
    ).tuples()
    return [(run, standup) for run, standup in rows if user_id in standup.participants]


def get_run(
    session: Session, *, team_id: str, run_id: int, user_id: str
) -> tuple[StandupRun, Standup]:
    """A run and its stand-up, for one of its participants.

    Raises:
        UserError: No such run in this workspace, or the person does not take part.
    """
    run = session.get(StandupRun, run_id)
    if run is None or run.team_id != team_id:
        raise UserError("That stand-up no longer exists.")
    standup = session.get(Standup, run.standup_id)
    assert standup is not None
    if user_id not in standup.participants:
        raise PermissionDenied(
            f"You're not a participant of the stand-up in <#{standup.channel_id}>."
        )
    return run, standup


def previous_answer(session: Session, *, run: StandupRun, user_id: str) -> list[str] | None:
    """What the person answered in this run so far, to prefill an edit."""
    answer = _answers(session, run).get(user_id)
    return None if answer is None else [str(pair["a"]) for pair in answer.answers]


def split_reply(text: str, count: int) -> list[str] | None:
    """A DM reply as one answer per line (bullets and numbering dropped), if it has `count`."""
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    answers = [line for line in lines if line]
    return answers if len(answers) == count else None


def save_answer(
    session: Session,
    *,
    run: StandupRun,
    standup: Standup,
    user_id: str,
    texts: Sequence[str | None],
    now: datetime,
) -> StandupAnswer:
    """Store (or replace) a participant's answers, until the run closes.

    Raises:
        UserError: The run has closed, an answer is missing (on its field `q<n>`).
    """
    if run.state != "open" or now >= run.closes_at:
        raise UserError(
            f"The stand-up in <#{standup.channel_id}> has closed, so I couldn't take this "
            "answer. Tell the channel directly.",
            field="q0",
        )
    pairs, blockers = _checked_answers(standup.questions, texts)
    answer = _answer_row(session, run=run, user_id=user_id, now=now)
    before = _audited(answer)
    answer.answers, answer.blockers, answer.updated_at = pairs, blockers, now
    audit.record(
        session,
        team_id=run.team_id,
        actor_id=user_id,
        entity="standup_answer",
        entity_id=answer.id,
        action="answer",
        now=now,
        before=before,
        after=_audited(answer),
    )
    return answer


def _audited(answer: StandupAnswer) -> dict[str, object]:
    # A mapping, not the list of pairs: the audit log sorts lists, and answers have an order.
    return {"answers": {str(p["q"]): p["a"] for p in answer.answers}, "blockers": answer.blockers}


def _checked_answers(
    questions: Sequence[str], texts: Sequence[str | None]
) -> tuple[list[dict[str, str]], str | None]:
    """(question, answer) pairs and the blocker; every question but the blockers one needs one."""
    blockers_at = blocker_index(questions)
    cleaned = [" ".join((text or "").split()) for text in texts]
    cleaned += [""] * (len(questions) - len(cleaned))
    for index, text in enumerate(cleaned[: len(questions)]):
        if not text and index != blockers_at:
            raise UserError("Answer this question.", field=f"q{index}")
    pairs = [{"q": q, "a": a} for q, a in zip(questions, cleaned, strict=False)]
    return pairs, _blocker(cleaned[blockers_at]) if blockers_at is not None else None


def _answer_row(session: Session, *, run: StandupRun, user_id: str, now: datetime) -> StandupAnswer:
    """The person's answer row in this run, created once even under a double submission."""
    query = select(StandupAnswer).where(
        StandupAnswer.run_id == run.id, StandupAnswer.user_id == user_id
    )
    existing = session.scalar(query)
    if existing is not None:
        return existing
    row = StandupAnswer(
        team_id=run.team_id,
        run_id=run.id,
        user_id=user_id,
        answers=[],
        submitted_at=now,
        updated_at=now,
    )
    savepoint = session.begin_nested()
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return session.scalars(query).one()
    savepoint.commit()
    return row


def _blocker(text: str | None) -> str | None:
    if not text or text.lower().strip(" .!") in _NO_BLOCKER:
        return None
    return text


def _answers(session: Session, run: StandupRun) -> dict[str, StandupAnswer]:
    query = select(StandupAnswer).where(StandupAnswer.run_id == run.id)
    return {answer.user_id: answer for answer in session.scalars(query.order_by(StandupAnswer.id))}


# --- the summary at close ----------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """One person's blocker, and the issues it was logged as.

    Attributes:
        issues: (program name, program key, RAID item id) of each issue logged.
    """

    user_id: str
    text: str
    issues: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True)
class Summary:
    """What the channel is told when a run closes."""

    channel_id: str
    day: date
    live: bool
    blockers: list[Blocker]
    answers: list[tuple[str, list[tuple[str, str]]]]
    missing: list[str]
    away: list[str]


def close_run(
    session: Session, *, standup: Standup, run: StandupRun, now: datetime, workspace: Workspace
) -> Summary | None:
    """Close an open run once: log its blockers as issues and post one summary.

    Returns:
        The summary, or None when the run was closed already (by a command or another process).
    """
    closed = session.execute(
        update(StandupRun)
        .where(StandupRun.id == run.id, StandupRun.state == "open")
        .values(state="closed", closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(run)
    if not closed:
        return None
    summary = _summarize(session, standup=standup, run=run, now=now, workspace=workspace)
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=f"standup-summary:{run.id}",
        channel=standup.channel_id,
        now=now,
        payload=render.summary_message(summary),
    )
    return summary


def _summarize(
    session: Session, *, standup: Standup, run: StandupRun, now: datetime, workspace: Workspace
) -> Summary:
    """The summary of a closed run, its blockers logged as issues on the programs they name."""
    answers = _answers(session, run)
    ordered = [answers[u] for u in standup.participants if u in answers]
    ordered += [a for u, a in answers.items() if u not in standup.participants]
    day = run_day(run, standup)
    return Summary(
        channel_id=standup.channel_id,
        day=day,
        live=run.live,
        blockers=[
            _log_blocker(session, standup, a, day=day, now=now, workspace=workspace)
            for a in ordered
            if a.blockers
        ],
        answers=[(a.user_id, [(str(p["q"]), str(p["a"])) for p in a.answers]) for a in ordered],
        missing=missing(session, standup=standup, run=run),
        away=list(run.skipped),
    )


def run_day(run: StandupRun, standup: Standup) -> date:
    """The local date a run opened on."""
    return slot_local(run.opened_at, standup.timezone).date()


def _log_blocker(
    session: Session,
    standup: Standup,
    answer: StandupAnswer,
    *,
    day: date,
    now: datetime,
    workspace: Workspace,
) -> Blocker:
    """A blocking issue on each program the blocker names by key (which flags it BLOCKED)."""
    text = answer.blockers or ""
    issues = []
    for program in named_programs(session, team_id=standup.team_id, text=text):
        item = raid.add(
            session,
            program=program,
            actor_id=answer.user_id,
            data=raid.RaidInput(
                title=text[:200],
                owner_id=answer.user_id,
                kind="issue",
                blocking=True,
                description=f"Raised in the stand-up in <#{standup.channel_id}> on {day}.",
            ),
            now=now,
            workspace=workspace,
        )
        issues.append((program.name, program.key, item.id))
    return Blocker(user_id=answer.user_id, text=text, issues=tuple(issues))


def named_programs(session: Session, *, team_id: str, text: str) -> list[Program]:
    """Active or paused programs whose key appears as a word in `text`."""
    words = set(_KEY_WORD.findall(text.lower()))
    words |= {part for word in words for part in word.split("-")}
    if not words:
        return []
    query = (
        select(Program)
        .where(
            Program.team_id == team_id,
            Program.key.in_(sorted(words)),
            Program.state.in_(("active", "paused")),
        )
        .order_by(Program.key)
        .limit(5)
    )
    return list(session.scalars(query))


# --- the agenda of a live call -----------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    """A blocker to discuss; `since` is the earlier run's date when it was there already."""

    user_id: str
    text: str
    since: date | None = None


@dataclass(frozen=True)
class Agenda:
    """Only what needs the meeting: blockers, red programs, what is carried from last time."""

    channel_id: str
    day: date | None
    blockers: list[AgendaItem]
    red: list[Program]
    carried: list[AgendaItem]


def agenda(session: Session, *, standup: Standup) -> Agenda:
    """The agenda from the latest run's answers and the one before it."""
    runs = _latest_runs(session, standup, 2)
    latest = _answers(session, runs[0]) if runs else {}
    earlier = _answers(session, runs[1]) if len(runs) > 1 else {}
    since = run_day(runs[1], standup) if len(runs) > 1 else None
    blockers = [
        AgendaItem(u, a.blockers, since if earlier.get(u) and earlier[u].blockers else None)
        for u, a in latest.items()
        if a.blockers
    ]
    # A blocker from last time stays on the agenda until its owner answers without one.
    carried = [
        AgendaItem(u, a.blockers, since)
        for u, a in earlier.items()
        if a.blockers and u not in latest
    ]
    return Agenda(
        channel_id=standup.channel_id,
        day=run_day(runs[0], standup) if runs else None,
        blockers=blockers,
        red=_red_programs(session, standup),
        carried=carried,
    )


def _latest_runs(session: Session, standup: Standup, count: int) -> list[StandupRun]:
    query = (
        select(StandupRun)
        .where(StandupRun.standup_id == standup.id)
        .order_by(StandupRun.opened_at.desc(), StandupRun.id.desc())
        .limit(count)
    )
    return list(session.scalars(query))


def _red_programs(session: Session, standup: Standup) -> list[Program]:
    query = (
        select(Program)
        .where(
            Program.team_id == standup.team_id,
            Program.owner_id.in_(list(standup.participants)),
            Program.state == "active",
            Program.rag == "red",
        )
        .order_by(Program.name)
        .limit(20)
    )
    return list(session.scalars(query))
