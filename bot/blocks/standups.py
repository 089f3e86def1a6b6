"""Block Kit for stand-ups: the DM questions, the answer modal, summary, agenda and order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import cadence, limits
from bot.blocks.common import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    input_block,
    message,
    modal,
    plural,
    section,
    text_input,
    truncate,
)
from bot.dates import format_date
from bot.standups.facts import Agenda, AgendaItem, Blocker, SkipReason, Summary
from bot.standups.plans import EARLIEST_ZONE, plan_of
from storage.models import Standup

ANSWER_ACTION = "standup_answer"
RESUME_ACTION = "standup_resume"
ANSWER_MAX = 600  # characters of one answer shown in a summary
BLOCKER_MAX = 300


def at_time(when: datetime) -> str:
    """A time Slack shows in each reader's own zone, with a UTC fallback."""
    return f"<!date^{int(when.timestamp())}^{{time}}|{when:%H:%M} UTC>"


def _answer_button(run_id: int, label: str = "Answer") -> Block:
    return actions(
        button(label, action_id=ANSWER_ACTION, value=str(run_id), style="primary"),
        block_id=f"standup-{run_id}",
    )


def ask_message(standup: Standup, *, run_id: int, closes_at: datetime) -> dict[str, Any]:
    """The DM at opening: the questions, an *Answer* button, and how to reply instead."""
    intro = f":wave: Stand-up in <#{standup.channel_id}>: please answer by {at_time(closes_at)}."
    questions = "\n".join(f"{n}. {escape(q)}" for n, q in enumerate(standup.questions, start=1))
    lines = len(standup.questions)
    return message(
        f"{intro}\n{questions}",
        [
            section(f"{intro}\n{questions}"),
            _answer_button(run_id),
            context(
                f"Or reply here with {plural(lines, 'line')}, one per question. "
                "You can change your answer until the stand-up closes."
            ),
        ],
    )


def reminder_message(standup: Standup, *, run_id: int, closes_at: datetime) -> dict[str, Any]:
    """The one reminder, 30 minutes before close, to those who have not answered."""
    text = (
        f":hourglass_flowing_sand: Reminder: the stand-up in <#{standup.channel_id}> closes at "
        f"{at_time(closes_at)} and your answer is still missing."
    )
    return message(text, [section(text), _answer_button(run_id)])


def answer_modal(
    standup: Standup,
    *,
    run_id: int,
    previous: Sequence[str] | None,
    blocker: int | None,
) -> Block:
    """One input per question, prefilled with the answer given so far; blockers optional."""
    blocks: list[Block] = [section(f"Stand-up in <#{standup.channel_id}>")]
    for index, question in enumerate(standup.questions):
        given = previous[index] if previous and index < len(previous) else None
        element = text_input(
            f"q{index}",
            max_length=limits.STANDUP_ANSWER.form_limit,
            initial=given,
            multiline=True,
        )
        hint = "Leave empty if nothing blocks you." if index == blocker else None
        blocks.append(
            input_block(f"q{index}", question, element, optional=index == blocker, hint=hint)
        )
    return modal(
        callback_id=ANSWER_ACTION,
        title="Stand-up",
        submit="Send",
        blocks=blocks,
        private_metadata=str(run_id),
    )


def receipt(standup: Standup, *, run_id: int, closes_at: datetime) -> dict[str, Any]:
    """The confirmation of an answer, with *Edit*."""
    text = (
        f":white_check_mark: Thanks, your answer for the stand-up in <#{standup.channel_id}> "
        f"is in. You can change it until {at_time(closes_at)}."
    )
    return message(text, [section(text), _answer_button(run_id, "Edit")])


def reply_hint(standup: Standup, *, run_id: int) -> dict[str, Any]:
    """A DM that does not have one line per question."""
    count = len(standup.questions)
    text = (
        f"Your stand-up in <#{standup.channel_id}> asks {plural(count, 'question')}: reply "
        "with one line per question, or use *Answer*."
    )
    return message(text, [section(text), _answer_button(run_id)])


def which_standup(runs: Sequence[tuple[int, Standup]]) -> dict[str, Any]:
    """A DM reply that fits several open stand-ups: answer each with its own button."""
    text = "You're in several open stand-ups; answer each with its button so nothing goes astray."
    blocks = [section(text)] + [
        section(
            f"Stand-up in <#{standup.channel_id}>",
            accessory=button("Answer", action_id=ANSWER_ACTION, value=str(run_id)),
            block_id=f"standup-{run_id}",
        )
        for run_id, standup in runs[:10]
    ]
    return message(text, blocks)


def said(text: str) -> dict[str, Any]:
    """A one-line confirmation."""
    return message(text, [section(text)])


# --- what the channel sees -----------------------------------------------------------------


def summary_message(summary: Summary) -> dict[str, Any]:
    """Blockers on top, then each person's answers, then who did not answer (mentioned)."""
    title = f"Stand-up summary — {format_date(summary.day)}" + (" (live)" if summary.live else "")
    asked = len(summary.answers) + len(summary.missing)
    blocks: list[Block] = [
        header(title),
        section(f"<#{summary.channel_id}> · {len(summary.answers)} of {asked} answered"),
    ]
    blocker_lines = [_blocker_line(b) for b in summary.blockers] or ["None reported."]
    blocks += [section(chunk) for chunk in chunk_lines(["*Blockers*", *blocker_lines])]
    blocks.append(divider())
    tail = _absent_lines(summary)
    people = [section(_person_text(user, pairs)) for user, pairs in summary.answers]
    room = MESSAGE_BLOCKS_MAX - len(blocks) - (1 if tail else 0)
    if len(people) > room:
        hidden = len(people) - room + 1
        people = [*people[: room - 1], context(f"{hidden} more answers are not shown here.")]
    blocks += people
    if tail:
        blocks.append(section("\n".join(tail)))
    fallback = [title, f"Blockers: {len(summary.blockers)}", *tail]
    return message("\n".join(fallback), blocks)


def _blocker_line(blocker: Blocker) -> str:
    issues = "".join(
        f" → issue #{item_id} logged on *{escape(name)}* (`{key}`)"
        for name, key, item_id in blocker.issues
    )
    return f"• <@{blocker.user_id}>: {escape(truncate(blocker.text, BLOCKER_MAX))}{issues}"


def _person_text(user_id: str, pairs: Sequence[tuple[str, str]]) -> str:
    parts = [f"*<@{user_id}>*"]
    for question, answer in pairs:
        parts.append(
            f"_{escape(truncate(question, 150))}_\n{escape(truncate(answer, ANSWER_MAX)) or '—'}"
        )
    return "\n".join(parts)


def _absent_lines(summary: Summary) -> list[str]:
    lines = []
    if summary.missing:
        lines.append("*Did not answer:* " + ", ".join(f"<@{u}>" for u in summary.missing))
    for reason in SkipReason:
        users = [u for u, why in summary.skipped if why == reason]
        if users:
            label = _SKIP_LABELS[reason]
            lines.append(f"*{label}:* " + ", ".join(f"<@{u}>" for u in users))
    return lines


_SKIP_LABELS = {
    SkipReason.OUT_OF_OFFICE: "Out of office",
    SkipReason.NOT_WORKING_DAY: "Not asked, not a working day",
    SkipReason.OUTSIDE_HOURS: "Not asked, outside working hours",
    SkipReason.AFTER_CLOSE: "Not asked, their opening time is after the close",
}


def agenda_blocks(agenda: Agenda) -> list[Block]:
    """Only what needs the meeting: blockers, red programs, items carried from last time."""
    parts: list[list[str]] = []
    if agenda.blockers:
        parts.append(["*Blockers*", *(_agenda_line(item) for item in agenda.blockers)])
    if agenda.red:
        parts.append(
            ["*Red programs*"]
            + [
                f"• :red_circle: *{escape(p.name)}* (`{p.key}`) — <@{p.owner_id}>"
                for p in agenda.red
            ]
        )
    if agenda.carried:
        since = agenda.carried[0].since
        heading = f"*Carried from {format_date(since)}*" if since else "*Carried from last time*"
        parts.append([heading, *(_agenda_line(item, carried=True) for item in agenda.carried)])
    if not parts:
        return [
            section("Nothing needs the meeting: no blockers, no red programs, nothing carried.")
        ]
    return [section(chunk) for part in parts for chunk in chunk_lines(part)]


def _agenda_line(item: AgendaItem, *, carried: bool = False) -> str:
    again = f" _(also on {format_date(item.since)})_" if item.since and not carried else ""
    return f"• <@{item.user_id}>: {escape(truncate(item.text, BLOCKER_MAX))}{again}"


def agenda_message(agenda: Agenda) -> dict[str, Any]:
    """The agenda, as `/pmo standup agenda` shows it."""
    when = f" — answers of {format_date(agenda.day)}" if agenda.day else ""
    title = f"Stand-up agenda for <#{agenda.channel_id}>{when}"
    blocks = [section(f"*{title}*"), *agenda_blocks(agenda)]
    return message(title + "\n" + _plain(blocks[1:]), blocks)


def live_message(agenda: Agenda, *, actor_id: str, closes_at: datetime) -> dict[str, Any]:
    """Posted in the channel when a live stand-up starts, with its agenda."""
    intro = (
        f":loudspeaker: Live stand-up started by <@{actor_id}>. Participants: answer the DM I "
        f"just sent. It closes at {at_time(closes_at)} or with `/pmo standup close`."
    )
    blocks = [section(intro), section("*Agenda*"), *agenda_blocks(agenda)]
    return message(intro + "\n" + _plain(blocks[2:]), blocks)


def _plain(blocks: Sequence[Block]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if "text" in b)


def order_message(channel_id: str, *, order: Sequence[str], away: Sequence[str]) -> dict[str, Any]:
    """A random speaking order for a live call."""
    lines = [f"{n}. <@{user_id}>" for n, user_id in enumerate(order, start=1)]
    text = f":speaking_head_in_silhouette: Speaking order for <#{channel_id}>:"
    if not lines:
        lines = ["Everyone is out of office today."]
    if away:
        lines.append("Out of office: " + ", ".join(f"<@{u}>" for u in away))
    body = [text, *lines]
    return message("\n".join(body), [section(chunk) for chunk in chunk_lines(body)])


# --- what the facilitator sees --------------------------------------------------------------


def describe(standup: Standup) -> str:
    """When a stand-up runs, in words and in its zone: "opens at 09:30, Monday through
    Friday, closes at 11:30, Europe/Berlin"; with `local`, "opens at 09:30 in each
    participant's own time, Monday through Friday, closes at 11:30, Europe/Berlin"."""
    opens = cadence.describe(plan_of(standup).cadence)
    if standup.local_time:
        opens = opens.replace(f"at {standup.open_at}", f"at {standup.open_at} local", 1)
    return f"opens {opens}, closes at {standup.close_at}, {standup.timezone}"


def _local_note(standup: Standup) -> str:
    if not standup.local_time:
        return ""
    return (
        f" Each participant is asked at {standup.open_at} their own time; it closes at "
        f"{standup.close_at} {standup.timezone}, and whoever's {standup.open_at} is later is "
        "listed as not asked."
    )


def _next(standup: Standup) -> str:
    if standup.paused_at is not None:
        return "paused (nobody answered the last runs)"
    if standup.next_due_at is None:
        return "not scheduled"
    if standup.local_time:  # its slot is in the earliest zone; show the day and the opening
        day = standup.next_due_at.astimezone(ZoneInfo(EARLIEST_ZONE)).date()
        return f"{format_date(day)} {standup.open_at} local"
    local = standup.next_due_at.astimezone(ZoneInfo(standup.timezone))
    return f"{format_date(local.date())} {local:%H:%M}"


def scheduled_message(standup: Standup, *, verb: str) -> dict[str, Any]:
    """The receipt of `schedule` or `edit`."""
    people = ", ".join(f"<@{u}>" for u in standup.participants)
    questions = "\n".join(f"{n}. {escape(q)}" for n, q in enumerate(standup.questions, start=1))
    text = (
        f":white_check_mark: {verb} the stand-up in <#{standup.channel_id}>: "
        f"{describe(standup)}, run by <@{standup.facilitator_id}>, with {people}. "
        f"Next: {_next(standup)}.{_local_note(standup)}"
    )
    return message(text, [section(text), section(f"*Questions*\n{questions}")])


def list_message(standups: Sequence[Standup]) -> dict[str, Any]:
    """Every stand-up of the workspace."""
    if not standups:
        return said(
            "No stand-ups yet. Schedule one: "
            '`/pmo standup schedule #channel "mon-fri 09:30" @a @b`.'
        )
    lines = [
        f"• <#{s.channel_id}> · {describe(s)}{' · *paused*' if s.paused_at else ''} · "
        f"run by <@{s.facilitator_id}> · "
        f"{plural(len(s.participants), 'participant')} · "
        f"next {_next(s)}"
        for s in standups
    ]
    body = [f"*{plural(len(standups), 'stand-up')}*", *lines]
    return message("\n".join(body), [section(chunk) for chunk in chunk_lines(body)])


def started_message(
    standup: Standup, *, skipped: Sequence[tuple[str, SkipReason]]
) -> dict[str, Any]:
    """The answer to `standup start`: how many were asked, and who not and why."""
    asked = len(standup.participants) - len(skipped)
    text = f"Started the stand-up in <#{standup.channel_id}>: asked {asked} by DM, agenda posted."
    if skipped:
        text += " Not asked: " + ", ".join(f"<@{u}> ({why})" for u, why in skipped) + "."
    return said(text)


def paused_message(standup: Standup, *, runs: int) -> dict[str, Any]:
    """The facilitator's DM when a stand-up pauses, with *Resume*."""
    text = (
        f":double_vertical_bar: I paused the stand-up in <#{standup.channel_id}>: nobody "
        f"answered the last {runs} runs, so nobody will be asked until you resume it."
    )
    button_ = button("Resume", action_id=RESUME_ACTION, value=str(standup.id), style="primary")
    return message(text, [section(text), actions(button_, block_id=f"standup-resume-{standup.id}")])


def resumed_message(standup: Standup, *, resumed: bool) -> dict[str, Any]:
    """The answer to *Resume*: when it runs next, or that it was running already."""
    if not resumed:
        return said(f"The stand-up in <#{standup.channel_id}> is running already.")
    return said(
        f":arrow_forward: Resumed the stand-up in <#{standup.channel_id}>: {describe(standup)}. "
        f"Next: {_next(standup)}."
    )
