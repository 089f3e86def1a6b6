"""`/pmo digest …`: leadership digests — subscribe, post now, preview, list, show."""

from __future__ import annotations

from typing import Any

from bot import digest, digest_post, program_view, programs
from bot.blocks import digest as render
from bot.blocks import programs as program_blocks
from bot.blocks.common import context, escape, message, notice, plural
from bot.cadence import describe, parse_cadence
from bot.commands import (
    is_time_word,
    parse_channel,
    parse_hhmm,
    parse_timezone,
    parse_weekday,
    split_options,
)
from bot.dates import format_date
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import ActionRequest, CommandRequest, as_id

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def register(on: Listeners) -> None:
    """Route `/pmo digest …` and the *Details* button in digests."""
    on.commands.add("digest subscribe", subscribe, admins="subscribe channels to digests")
    on.commands.add("digest unsubscribe", unsubscribe, admins="unsubscribe channels from digests")
    on.commands.add("digest now", post_now, admins="post digests")
    on.commands.add("digest list", list_subscriptions, admins="see digest subscriptions")
    on.commands.add("digest preview", preview, mode="deferred")
    on.commands.add("digest show", show, mode="deferred")
    on.action("digest_program", details_button)


def subscribe(request: CommandRequest) -> Result:
    """`digest subscribe #channel [daily|weekly] [<day>] [<HH:MM>] [tz:…] [portfolio:…]`."""
    words, options = split_options(request.words, ("tz", "portfolio"))
    if not words:
        raise UserError("Name the channel: `/pmo digest subscribe #leadership`.")
    channel_id = request.channel(words[0].text)
    cadence = _cadence([w.text.lower() for w in words[1:]])
    subscribed = digest.subscribe(
        request.session,
        team_id=request.team_id,
        channel_id=channel_id,
        cadence=cadence,
        tz=parse_timezone(options["tz"]) if "tz" in options else request.workspace.timezone,
        portfolio=options.get("portfolio"),
        actor_id=request.user_id,
        now=request.now,
    )
    return Reply(render.subscribed_message(subscribed))


def _cadence(words: list[str]) -> str:
    """`[daily|weekly] [<day>] [<HH:MM>]` as a cadence spec; weekly Monday 09:00 by default."""
    frequency = words.pop(0) if words and words[0] in ("daily", "weekly") else "weekly"
    at = "09:00"
    if words and is_time_word(words[-1]):
        at = parse_hhmm(words.pop()).strftime("%H:%M")
    day = "mon"
    if words:
        if frequency == "daily" or len(words) > 1 or parse_weekday(words[0]) is None:
            raise UserError(
                f"I don't understand “{' '.join(words)}”: give `daily` or `weekly`, "
                "a weekday for weekly, and a time like 09:00."
            )
        day = DAYS[parse_weekday(words[0]) or 0]
    return f"daily {at}" if frequency == "daily" else f"weekly {day} {at}"


def unsubscribe(request: CommandRequest) -> Result:
    """`digest unsubscribe #channel`."""
    if len(request.words) != 1:
        raise UserError("Name one channel.")
    channel_id = _channel_id(request, request.words[0].text)
    digest.unsubscribe(
        request.session,
        team_id=request.team_id,
        channel_id=channel_id,
        actor_id=request.user_id,
        now=request.now,
    )
    return Reply(notice(f"<#{channel_id}> gets no more digests."))


def _channel_id(request: CommandRequest, text: str) -> str:
    """A channel named by id needs no membership check (to unsubscribe, say)."""
    ref = parse_channel(text)
    if ref is None or ref.id is None:
        return request.channel(text)
    return ref.id


def post_now(request: CommandRequest) -> Result:
    """`digest now #channel`: post now, outside the schedule (not the period's digest)."""
    if len(request.words) != 1:
        raise UserError("Name the channel to post in.")
    channel_id = request.channel(request.words[0].text)
    post = digest_post.compose(
        request.session,
        team_id=request.team_id,
        channel_id=channel_id,
        portfolio=None,
        tz=request.workspace.timezone,
        now=request.now,
        scheduled=False,
        period=f"now:{request.now.isoformat()}",
    )
    return Reply(
        notice(
            f"Posting the digest in <#{channel_id}> now ({plural(len(post.messages), 'message')})."
        )
    )


def list_subscriptions(request: CommandRequest) -> Result:
    """`digest list`."""
    subs = digest.subscriptions(request.session, team_id=request.team_id)
    if not subs:
        return Reply(notice("No channel gets digests yet: `/pmo digest subscribe #leadership`."))
    lines = [
        f"• <#{s.channel_id}>{f' ({escape(s.portfolio)})' if s.portfolio else ''}: "
        f"{describe(parse_cadence(s.cadence), tz=s.timezone)}"
        for s in subs
    ]
    return Reply(notice("*Digest subscriptions*\n" + "\n".join(lines)))


def preview(request: CommandRequest) -> Result:
    """`digest preview [portfolio:…]`: the digest as it would be posted, just for you."""
    words, options = split_options(request.words, ("portfolio",))
    if words:
        raise UserError("Preview takes only `portfolio:<name>`.")
    _, messages = digest_post.build(
        request.session,
        team_id=request.team_id,
        channel_id=None,
        portfolio=digest.check_portfolio(
            request.session, team_id=request.team_id, portfolio=options.get("portfolio")
        ),
        tz=request.timezone,
        now=request.now,
        period=f"preview {format_date(request.today)}",
    )
    note = (
        f"Preview, only you can see it. Posted, it continues in {len(messages) - 1} thread replies."
    )
    return _with_note(messages[0], note)


def show(request: CommandRequest) -> Result:
    """`digest show <date> [#channel]`: the digest exactly as it was posted that day."""
    if not request.words or len(request.words) > 2:
        raise UserError("Give the day, e.g. `/pmo digest show 2026-11-23` or `monday`.")
    day = request.date(request.words[0].text)
    posts = digest.posted_on(request.session, team_id=request.team_id, day=day)
    if len(request.words) == 2:
        channel = _channel_id(request, request.words[1].text)
        posts = [p for p in posts if p.channel_id == channel]
    if not posts:
        raise UserError(f"No digest was posted on {format_date(day)}.")
    here = [p for p in posts if p.channel_id == request.channel_id] or posts
    post, others = here[0], [p for p in posts if p is not here[0]]
    note = (
        f"As posted in <#{post.channel_id}> on {format_date(day)}, with "
        f"{len(post.messages) - 1} replies in its thread."
    )
    if others:
        note += " Also that day: " + ", ".join(f"<#{p.channel_id}>" for p in others) + "."
    return _with_note(post.messages[0], note)


def _with_note(payload: dict[str, Any], note: str) -> Reply:
    blocks = list(payload.get("blocks", []))
    return Reply(message(payload["text"], [*blocks[:49], context(note)]))


def details_button(request: ActionRequest) -> Result:
    """*Details* on a program in a digest: its `program show`, just for the clicker."""
    program = programs.get(
        request.session, team_id=request.team_id, program_id=as_id(request.value)
    )
    detail = program_view.gather(
        request.session, program=program, workspace=request.workspace, now=request.now
    )
    return Reply(program_blocks.detail_message(detail, now=request.now))
