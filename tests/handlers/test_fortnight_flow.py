"""Two weeks of a PMO's life, through signed HTTP and a scheduler pass every half hour.

Friday 30 Oct to Friday 13 Nov 2026. New York falls back on Sunday 1 Nov; Wednesday 11 Nov
is Veterans Day, a public holiday for Otto (`/pmo holidays US`); the workspace keeps German
holidays. Lee (Berlin) owns Apollo (weekly, Fridays 10:00) and answers his first prompt red;
Otto (New York) owns Hudson (weekly, Wednesdays 09:00) and never answers; Kim (Tokyo, her own
hours 09:00–18:00) owns Kyoto (daily 09:30) and answers at 10:00 Monday to Thursday, not on
Fridays, and is given a risk due Monday 9 Nov. Two of the passes run as `pmo-bot tick --now …`,
a process of its own, as cron would run them.

What must hold over the fortnight (issue 14's "done when"): every owner is prompted once per
slot, on a working day of theirs, in their hours; nothing goes overdue on a weekend or a
holiday of its owner; #pmo gets at most one message per pass, and one per person's change;
nobody is DMed about a flag change they made; a RAID owner hears about their item.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import working_time
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import FlagTransition, OutboxMessage, Person, Program, Prompt, Workspace
from tests.conftest import TEAM, Bot, ManualClock, Pass
from tests.flow import text_of, tick_process

SET_UP = datetime(2026, 10, 29, 20, 0, tzinfo=UTC)  # Thursday evening in Europe
START = datetime(2026, 10, 30, 0, 0, tzinfo=UTC)  # Friday
END = datetime(2026, 11, 14, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=30)
LEE_ANSWERS = datetime(2026, 10, 30, 10, 0, tzinfo=UTC)  # an hour after Friday's prompt
TICKED = (  # these passes run as `pmo-bot tick --now …`
    datetime(2026, 11, 2, 14, 0, tzinfo=UTC),  # 09:00 in New York, the first Monday in EST
    datetime(2026, 11, 11, 14, 0, tzinfo=UTC),  # Veterans Day, 09:00 in New York
)
PROMPT = "Status update due"
PEOPLE = ("ULEAD", "ULEAD2", "UOTHER")


def calendar(sessions: sessionmaker[Session], user_id: str) -> working_time.WorkingTime:
    """A person's working calendar as the bot reads it."""
    with sessions() as session:
        space = session.get(Workspace, TEAM)
        assert space is not None
        return working_time.for_person(session.get(Person, (TEAM, user_id)), space)


def waiting_prompts(sessions: sessionmaker[Session], user_id: str) -> int:
    with sessions() as session:
        rows = session.scalars(
            select(Prompt).where(Prompt.user_id == user_id, Prompt.state == "pending")
        )
        return len(list(rows))


class Watch:
    """What reached Slack, and when: DMs per person and #pmo posts, by the time they came."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.dms: dict[str, list[tuple[datetime, dict[str, Any]]]] = {u: [] for u in PEOPLE}
        self.pmo_posts: list[tuple[datetime, str]] = []  # (when, "pass" or "request")
        self._seen = {u: len(fake.dms(u)) for u in PEOPLE} | {"CPMO": len(fake.messages("CPMO"))}

    def collect(self, now: datetime, source: str) -> int:
        """Record what arrived since the last look; returns the new #pmo posts."""
        for user in PEOPLE:
            for message in self.fake.dms(user)[self._seen[user] :]:
                self.dms[user].append((now, message))
            self._seen[user] = len(self.fake.dms(user))
        fresh = self.fake.messages("CPMO")[self._seen["CPMO"] :]
        self._seen["CPMO"] += len(fresh)
        posts = [m for m in fresh if not m.get("thread_ts")]
        self.pmo_posts += [(now, source)] * len(posts)
        return len(posts)

    def prompts(self, user: str) -> list[tuple[datetime, dict[str, Any]]]:
        return [(at, m) for at, m in self.dms[user] if PROMPT in m.get("text", "")]


def test_a_fortnight_with_a_holiday_and_a_dst_change(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    clock: ManualClock,
    run_pass: Pass,
    sessions: sessionmaker[Session],
    engine: Engine,
) -> None:
    clock.now = SET_UP
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "config holidays DE")
    slack.command("UOTHER", "holidays US")
    slack.command("ULEAD2", "hours mon-fri 09:00-18:00")
    slack.command("UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    slack.command("UADMIN", 'program add Hudson owner:<@UOTHER|otto> cadence:"weekly wed 09:00"')
    slack.command("UADMIN", 'program add Kyoto owner:<@ULEAD2|kim> cadence:"daily 09:30"')
    slack.command(
        "UADMIN",
        'risk kyoto "Licences lapse" likelihood:4 impact:4 due:2026-11-09 owner:<@ULEAD2|kim>',
    )
    bot.settle()
    watch = Watch(fake)
    kim = calendar(sessions, "ULEAD2")
    per_pass = []

    now = START
    while now < END:
        if now in TICKED:
            clock.now = now
            tick_process(now, fake=fake, engine=engine)
        else:
            run_pass(now)
        bot.settle()
        per_pass.append(watch.collect(now, "pass"))
        local = kim.local(now)
        kim_answers = local.weekday() < 4 and (local.hour, local.minute) == (10, 0)
        if kim_answers and waiting_prompts(sessions, "ULEAD2") == 1:
            slack.dm("ULEAD2", "green - on track")
        if now == LEE_ANSWERS:
            slack.dm("ULEAD", "red - vendor gone; next: second vendor")
        bot.settle()
        watch.collect(now, "request")
        now += STEP

    with sessions() as session:
        prompts = list(session.scalars(select(Prompt)))
        programs = {p.id: p for p in session.scalars(select(Program))}
        overdue = list(
            session.scalars(
                select(FlagTransition).where(
                    FlagTransition.flag == "OVERDUE_UPDATE", FlagTransition.raised.is_(True)
                )
            )
        )
        lee_flag_dms = list(
            session.scalars(
                select(OutboxMessage.created_at).where(
                    OutboxMessage.channel == "ULEAD", OutboxMessage.dedupe_key.startswith("flag:")
                )
            )
        )
        red = session.scalar(select(FlagTransition).where(FlagTransition.flag == "RED"))

    # Every owner prompted once per slot, on a working day of theirs, in their hours.
    assert max(Counter((p.program_id, p.period, p.user_id) for p in prompts).values()) == 1
    for user in PEOPLE:
        cal = calendar(sessions, user)
        asked = watch.prompts(user)
        assert asked, user
        for at, _ in asked:
            assert cal.in_hours(at), (user, cal.local(at))
        ids = [
            element["value"]
            for _, message in asked
            for block in message.get("blocks", [])
            if block["type"] == "actions"
            for element in block["elements"]
            if element.get("action_id") == "prompt_submit"
        ]
        assert len(ids) == len(set(ids)), user  # no prompt DMed twice
    kyoto = [p for p in prompts if programs[p.program_id].key == "kyoto"]
    assert len(kyoto) == 11  # weekdays from Fri 30 Oct to Fri 13 Nov
    otto = calendar(sessions, "UOTHER")
    hudson = [otto.local(at) for at, _ in watch.prompts("UOTHER")]
    # 09:00 on 4 Nov, after New York fell back; Veterans Day's slot at 08:00 the day after.
    assert [(t.date().isoformat(), t.hour) for t in hudson] == [
        ("2026-11-04", 9),
        ("2026-11-12", 8),
    ]

    # Nothing went overdue on a weekend or a holiday of its owner.
    assert {programs[row.program_id].key for row in overdue} == {"apollo", "hudson", "kyoto"}
    for row in overdue:
        cal = calendar(sessions, programs[row.program_id].owner_id)
        assert cal.is_working_day(cal.local(row.at).date()), (row.program_id, row.at)

    # #pmo: at most one post per pass; Lee's red update, one post of its own.
    assert max(per_pass) == 1 and sum(per_pass) >= 3
    assert [at for at, source in watch.pmo_posts if source == "request"][:1] == [LEE_ANSWERS]

    # Lee made Apollo red himself: the receipt told him; no flag DM came of it.
    assert red is not None and red.at == LEE_ANSWERS
    assert LEE_ANSWERS not in lee_flag_dms

    # Kim heard of her risk when given it, two working days before it was due (Thursday, as
    # her hours open), and once the day after it was due.
    heard = [
        (kim.local(at).date().isoformat(), kim.local(at).hour, word)
        for at, m in watch.dms["ULEAD2"]
        for word in ("made you the owner", "Due on", "Overdue since")
        if "Licences lapse" in text_of(m) and word in text_of(m)
    ]
    assert heard == [
        ("2026-10-30", 9, "made you the owner"),
        ("2026-11-05", 9, "Due on"),
        ("2026-11-10", 9, "Overdue since"),
    ]
