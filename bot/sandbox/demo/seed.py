"""Writing the demo: the portfolio's history replayed through the domain functions, then today.

The history is written with past `now` values, week by week in time order, so audit trails,
trend strips, flag transitions, `rag_since` and earlier digests are all real data. Then flags
and schedules are brought to today, and live work (intake waiting for a decision, a stand-up)
is set up; its messages go out when the shell starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TextIO

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import (
    digest,
    digest_post,
    intake,
    milestones,
    people,
    programs,
    raid,
    scheduling,
    standups,
    status,
    workspace,
)
from bot.cadence import next_due, parse_cadence
from bot.meetings import manage as manage_meetings
from bot.meetings.plans import make_plan as make_meeting_plan
from bot.sandbox.demo.portfolio import (
    DIGEST_CADENCE,
    GOALS,
    MILESTONES,
    PROGRAMS,
    RAID,
    WEEKS,
    MilestoneSpec,
    ProgramSpec,
    RaidSpec,
    local_date,
    monday_morning,
    status_input,
    update_times,
)
from bot.sandbox.demo.workspace import (
    ADA,
    APOLLO,
    DEFAULT_DATABASE_URL,
    INTAKE,
    KIM,
    LEADERSHIP,
    LEE,
    OTTO,
    PMO,
    SAM,
    TEAM_ID,
    TIMEZONE,
    USERS,
    channel_of,
    user_of,
)
from bot.status import program_flags
from schedules.slots import slot_period
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage, Person, Program, ScheduledJob, Workspace


@dataclass
class Summary:
    """What `demo-data` created."""

    programs: dict[str, int] = field(default_factory=dict)
    updates: int = 0
    raid_items: int = 0
    milestones: int = 0
    digests: int = 0
    intake_requests: int = 0
    standups: int = 0
    meetings: int = 0
    flagged: int = 0

    def lines(self, database_url: str) -> list[str]:
        """The summary as printed."""
        colours = ", ".join(f"{n} {rag}" for rag, n in self.programs.items())
        return [
            f"Demo portfolio written to {database_url} (workspace {TEAM_ID}):",
            f"  {sum(self.programs.values())} programs ({colours}), {self.flagged} flagged",
            f"  {self.updates} status updates over {WEEKS} weeks, {self.raid_items} RAID items, "
            f"{self.milestones} milestones",
            f"  {self.digests} earlier digests in #leadership ({DIGEST_CADENCE}), "
            f"{self.intake_requests} intake requests waiting, {self.standups} stand-up, "
            f"{self.meetings} fortnightly steering meeting in #pmo",
            "  people: " + ", ".join(f"@{u.name} ({u.role})" for u in USERS),
            "Try it: pmo-bot shell" + _database_flag(database_url),
        ]


def _database_flag(database_url: str) -> str:
    return "" if database_url == DEFAULT_DATABASE_URL else f" --database {database_url}"


class AlreadySeeded(Exception):
    """The workspace has programs already; demo data goes only into an empty one."""


def run(database_url: str, *, now: datetime, out: TextIO) -> int:
    """`pmo-bot demo-data`: migrate, write the demo portfolio, print what was made.

    Returns:
        The exit code: 0, also when the workspace already has programs (nothing is changed).
    """
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        summary = seed(make_sessionmaker(engine), now=now)
    except AlreadySeeded as exc:
        print(f"{exc} Nothing was changed; use another --database for a fresh demo.", file=out)
        return 0
    finally:
        engine.dispose()
    print("\n".join(summary.lines(database_url)), file=out)
    return 0


def seed(sessions: sessionmaker[Session], *, now: datetime) -> Summary:
    """Write the demo workspace as of `now`, in one transaction.

    Raises:
        AlreadySeeded: The demo workspace already has programs.
    """
    with sessions.begin() as session:
        existing = session.scalar(
            select(func.count()).select_from(Program).where(Program.team_id == TEAM_ID)
        )
        if existing:
            raise AlreadySeeded(f"The demo workspace {TEAM_ID} already has {existing} programs.")
        return _Seeder(session, now).run()


Step = Callable[[], None]


class _Seeder:
    """Replays the demo's history in time order, then sets up what is live today."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.start = now - timedelta(weeks=WEEKS + 2)
        self.summary = Summary()
        self.programs: dict[str, Program] = {}
        self.steps: list[tuple[datetime, int, Step]] = []
        self.space: Workspace

    def run(self) -> Summary:
        """Replay the history, arrive at today, set up live work; what was made."""
        self._set_up_workspace()
        for spec in PROGRAMS:
            self._plan_program(spec)
        self._plan_raid_and_milestones()
        self._plan_digests()
        for _, _, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            step()
        self._arrive_at_today()
        self._set_up_live_work()
        return self._summarise()

    def at(self, when: datetime, step: Step) -> None:
        """Do `step` at `when` in the replay (ties keep the order they were planned in)."""
        self.steps.append((when, len(self.steps), step))

    def _set_up_workspace(self) -> None:
        s, start = self.session, self.start
        self.space = workspace.get_workspace(
            s, team_id=TEAM_ID, default_timezone=TIMEZONE, now=start
        )
        for user in USERS:
            people.upsert_person(s, team_id=TEAM_ID, user=user.slack_json(), now=start)
        workspace.add_admin(s, team_id=TEAM_ID, actor_id=ADA, user_id=ADA, now=start)
        for name, value in (("pmo_channel_id", PMO), ("intake_channel_id", INTAKE)):
            workspace.update_setting(
                s, workspace=self.space, actor_id=ADA, name=name, value=value, now=start
            )
        for goal in GOALS:
            intake.add_goal(s, team_id=TEAM_ID, actor_id=ADA, name=goal, now=start)

    # programs and their weekly updates

    def _plan_program(self, spec: ProgramSpec) -> None:
        key = spec.name.lower()
        registered = monday_morning(self.now - timedelta(weeks=spec.registered_weeks_ago), spec)
        self.at(registered, partial(self._register, spec, registered))
        for delegate in spec.delegates:
            self.at(registered, partial(self._delegate, key, delegate, registered))
        answered = update_times(self.now, spec.owner, len(spec.arc))
        for week, (rag, when) in enumerate(zip(spec.arc, answered, strict=True)):
            if rag != ".":
                recent = week >= len(spec.arc) - 3
                self.at(when, partial(self._update, spec, rag, when, week, recent))
        if spec.paused_weeks_ago is not None:
            paused = self.now - timedelta(weeks=spec.paused_weeks_ago)
            self.at(paused, partial(self._pause, key, paused))

    def _register(self, spec: ProgramSpec, when: datetime) -> None:
        target = None
        if spec.target_weeks is not None:
            target = (self.now + timedelta(weeks=spec.target_weeks)).date()
        new = programs.NewProgram(
            name=spec.name,
            owner_id=spec.owner,
            channel_id=spec.channel,
            target_date=target,
            portfolio=spec.portfolio,
            sponsor_id=spec.sponsor,
        )
        self.programs[spec.name.lower()] = programs.add_program(
            self.session,
            team_id=TEAM_ID,
            actor_id=ADA,
            new=new,
            timezone=user_of(spec.owner).tz,
            today=local_date(when, spec.owner),
            now=when,
        )

    def _delegate(self, key: str, user_id: str, when: datetime) -> None:
        programs.change_delegate(
            self.session,
            program=self.programs[key],
            actor_id=ADA,
            user_id=user_id,
            add=True,
            now=when,
        )

    def _update(self, spec: ProgramSpec, rag: str, when: datetime, week: int, recent: bool) -> None:
        program = self.programs[spec.name.lower()]
        data = status_input(spec, rag, week, recent=recent, today=local_date(when, spec.owner))
        status.validate(data, require_recovery=False, today=local_date(when, spec.owner))
        author = spec.delegates[0] if spec.delegates and week % 5 == 4 else spec.owner
        status.submit(
            self.session,
            program=program,
            author_id=author,
            data=data,
            now=when,
            workspace=self.space,
        )
        self.summary.updates += 1

    def _pause(self, key: str, when: datetime) -> None:
        programs.change_state(
            self.session, program=self.programs[key], actor_id=KIM, command="pause", now=when
        )

    # risks, milestones and digests

    def _plan_raid_and_milestones(self) -> None:
        for item in RAID:
            logged = self.now - timedelta(weeks=item.weeks_ago, hours=3)
            self.at(logged, partial(self._raid, item, logged))
        for milestone in MILESTONES:
            added = self.now - timedelta(weeks=milestone.weeks_ago, hours=5)
            self.at(added, partial(self._milestone, milestone, added))
            if milestone.done_days_ago is not None:
                done = self.now - timedelta(days=milestone.done_days_ago)
                self.at(done, partial(self._milestone_done, milestone, done))

    def _raid(self, item: RaidSpec, when: datetime) -> None:
        due = None if item.due_days is None else (self.now + timedelta(days=item.due_days)).date()
        data = raid.RaidInput(
            title=item.title,
            owner_id=item.owner,
            kind=item.kind,
            likelihood=item.likelihood,
            impact=item.impact,
            due_date=due,
            mitigation=item.mitigation,
            blocking=item.blocking,
        )
        raid.add(
            self.session,
            program=self.programs[item.program],
            actor_id=item.owner,
            data=data,
            now=when,
            workspace=self.space,
        )
        self.summary.raid_items += 1

    def _milestone(self, spec: MilestoneSpec, when: datetime) -> None:
        program = self.programs[spec.program]
        milestones.add_milestone(
            self.session,
            program=program,
            actor_id=program.owner_id,
            name=spec.name,
            due=(self.now + timedelta(days=spec.due_days)).date(),
            now=when,
        )
        self.summary.milestones += 1

    def _milestone_done(self, spec: MilestoneSpec, when: datetime) -> None:
        program = self.programs[spec.program]
        milestones.complete_milestone(
            self.session, program=program, actor_id=program.owner_id, name=spec.name, now=when
        )

    def _plan_digests(self) -> None:
        subscribed = self.now - timedelta(weeks=4)
        self.at(subscribed, partial(self._subscribe, subscribed))
        cadence = parse_cadence(DIGEST_CADENCE)
        slot = next_due(cadence, after=subscribed, tz=TIMEZONE)
        while slot <= self.now:
            self.at(slot, partial(self._post_digest, slot))
            slot = next_due(cadence, after=slot, tz=TIMEZONE)

    def _subscribe(self, when: datetime) -> None:
        digest.subscribe(
            self.session,
            team_id=TEAM_ID,
            channel_id=LEADERSHIP,
            cadence=DIGEST_CADENCE,
            tz=TIMEZONE,
            portfolio=None,
            actor_id=ADA,
            now=when,
        )

    def _post_digest(self, slot: datetime) -> None:
        """Post a digest the way the scheduler does, its flags first rechecked as it would."""
        self._recheck_flags(slot)
        (sub,) = digest.subscriptions(self.session, team_id=TEAM_ID)
        digest_post.compose(
            self.session,
            team_id=TEAM_ID,
            channel_id=LEADERSHIP,
            portfolio=None,
            tz=TIMEZONE,
            now=slot,
            scheduled=True,
            period=slot_period(slot, TIMEZONE),
            subscription_id=sub.id,
        )
        self.summary.digests += 1

    def _recheck_flags(self, when: datetime) -> None:
        for program in self.programs.values():
            program_flags.refresh(self.session, program=program, now=when, workspace=self.space)

    # today

    def _arrive_at_today(self) -> None:
        """Flags and schedules as of now; the history's messages are not sent again.

        Everything the history queued (channel posts, alerts, digests) belongs to weeks that
        are over, so it is marked withdrawn rather than replayed into the shell's Slack.
        """
        self._recheck_flags(self.now)
        for program in self.programs.values():
            scheduling.reschedule(program, now=self.now, default_tz=TIMEZONE)
        for sub in digest.subscriptions(self.session, team_id=TEAM_ID):
            sub.next_due_at = next_due(parse_cadence(sub.cadence), after=self.now, tz=TIMEZONE)
        self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.team_id == TEAM_ID, OutboxMessage.state == "pending")
            .values(state="withdrawn", error="demo history: not replayed")
        )
        # Reminders the history armed (RAID items due in past weeks) were for those weeks.
        self.session.execute(
            update(ScheduledJob)
            .where(
                ScheduledJob.team_id == TEAM_ID,
                ScheduledJob.state == "pending",
                ScheduledJob.due_at <= self.now,
            )
            .values(state="skipped", note="demo history: not replayed")
        )

    def _set_up_live_work(self) -> None:
        """Intake waiting for a decision and a stand-up: their messages go out in the shell."""
        self._file_intake()
        lee, otto = self._person(LEE), self._person(OTTO)
        plan = standups.make_plan(when="mon-fri 09:30", close=None, tz=TIMEZONE, questions=None)
        standups.schedule(
            self.session,
            channel_id=APOLLO,
            facilitator=lee,
            plan=plan,
            participants=[lee, otto],
            members=channel_of(APOLLO).members,
            now=self.now,
        )
        self.summary.standups = 1
        meeting_plan = make_meeting_plan(when="mon 10:00", every="2w", length="60m", tz=TIMEZONE)
        manage_meetings.schedule(
            self.session,
            channel_id=PMO,
            chair=self._person(ADA),
            plan=meeting_plan,
            portfolio=None,
            attendees=[lee, otto, self._person(KIM)],
            members=channel_of(PMO).members,
            now=self.now,
        )
        self.summary.meetings = 1

    def _file_intake(self) -> None:
        requests = (
            (OTTO, 3, "Self-service refunds", "Agents spend 2 days a week on manual refunds.",
             (8, 6, 3, 5), "Reduce operating cost"),
            (KIM, 1, "Data retention clean-up", "We keep customer data past the legal limit.",
             (5, 8, 9, 3), "Stay compliant"),
            (LEE, 0, "Partner API portal", "Partners wait weeks for API keys and docs.",
             (7, 4, 2, 8), "Grow revenue"),
        )  # fmt: skip
        for requester, days_ago, title, problem, (value, crit, risk, size), goal in requests:
            when = self.now - timedelta(days=days_ago, hours=2)
            data = intake.IntakeInput(
                title=title,
                problem=problem,
                business_value=value,
                time_criticality=crit,
                risk_reduction=risk,
                job_size=size,
                sponsor_id=SAM,
                goal=goal,
                desired_start=(self.now + timedelta(weeks=6)).date(),
            )
            intake.file_request(
                self.session,
                workspace=self.space,
                requester=self._person(requester),
                data=data,
                now=when,
                today=local_date(when, requester),
            )
            self.summary.intake_requests += 1

    def _person(self, user_id: str) -> Person:
        person = self.session.get(Person, (TEAM_ID, user_id))
        assert person is not None, user_id
        return person

    def _summarise(self) -> Summary:
        counts: dict[str, int] = {"green": 0, "amber": 0, "red": 0, "no update": 0}
        for program in self.programs.values():
            counts[program.rag or "no update"] += 1
            self.summary.flagged += bool(program.flags)
        self.summary.programs = {rag: n for rag, n in counts.items() if n}
        return self.summary
