"""`/pmo config …`: workspace settings, for PMO admins."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import intake, workspace
from bot.blocks import intake as render_intake
from bot.blocks.common import notice
from bot.commands import parse_int_in_range
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import CommandRequest


def register(on: Listeners) -> None:
    """Route `/pmo config …`."""
    on.commands.add("config", show)
    on.commands.add("config admins", admins)
    on.commands.add("config pmo-channel", pmo_channel)
    on.commands.add("config intake-channel", intake_channel)
    on.commands.add("config goals", goals)
    on.commands.add("config timezone", timezone)
    on.commands.add("config grace", grace)


def show(request: CommandRequest) -> Result:
    """`config` alone: the current settings."""
    request.require_admin("see and change the configuration")
    if request.words:
        raise UserError(f"There is no setting “{request.words[0].text}”.")
    space = request.workspace
    admins = workspace.admin_ids(request.session, team_id=request.team_id)
    lines = [
        "*PMO configuration*",
        "Admins: "
        + (
            ", ".join(f"<@{a}>" for a in admins)
            or "none yet (Slack workspace admins and owners act as PMO admins)"
        ),
        f"PMO channel: {f'<#{space.pmo_channel_id}>' if space.pmo_channel_id else 'not set'}",
        "Intake channel: "
        + (f"<#{space.intake_channel_id}>" if space.intake_channel_id else "not set (PMO channel)"),
        f"Time zone: {space.timezone}",
        f"Grace period: {space.grace_hours} h (reminder after {space.grace_hours / 2:g} h)",
    ]
    return Reply(notice("\n".join(lines)))


def admins(request: CommandRequest) -> Result:
    """`config admins add|remove @x`."""
    request.require_admin("change the PMO admins")
    words = request.words
    if len(words) != 2 or words[0].text.lower() not in ("add", "remove"):
        raise UserError("Say `add` or `remove`, then the person.")
    person = request.user(words[1].text)
    if words[0].text.lower() == "remove":
        workspace.remove_admin(
            request.session,
            team_id=request.team_id,
            actor_id=request.user_id,
            user_id=person.user_id,
            now=request.now,
        )
        return Reply(notice(f"<@{person.user_id}> is no longer a PMO admin."))
    if person.is_restricted or person.is_bot or person.deleted:
        raise UserError(
            f"<@{person.user_id}> can't be a PMO admin (guests, bots and "
            "deactivated accounts can't)."
        )
    added = workspace.add_admin(
        request.session,
        team_id=request.team_id,
        actor_id=request.user_id,
        user_id=person.user_id,
        now=request.now,
    )
    return Reply(notice(f"<@{person.user_id}> {'is now' if added else 'already is'} a PMO admin."))


def pmo_channel(request: CommandRequest) -> Result:
    """`config pmo-channel #c`: where alerts and intake go."""
    channel_id = _set_channel(request, "pmo_channel_id", doing="set the PMO channel")
    return Reply(notice(f"PMO alerts will go to <#{channel_id}>."))


def intake_channel(request: CommandRequest) -> Result:
    """`config intake-channel #c`: where intake requests are posted for a decision."""
    channel_id = _set_channel(request, "intake_channel_id", doing="set the intake channel")
    return Reply(notice(f"Intake requests will be posted in <#{channel_id}> for a decision."))


def _set_channel(request: CommandRequest, setting: str, *, doing: str) -> str:
    request.require_admin(doing)
    if len(request.words) != 1:
        raise UserError("Name one channel.")
    channel_id = request.channel(request.words[0].text)
    workspace.update_setting(
        request.session,
        workspace=request.workspace,
        actor_id=request.user_id,
        name=setting,
        value=channel_id,
        now=request.now,
    )
    return channel_id


def goals(request: CommandRequest) -> Result:
    """`config goals [add|remove "<goal>"]`: the strategic goals intake is aligned to."""
    request.require_admin("see and change the strategic goals")
    words = request.words
    if not words:
        return Reply(
            render_intake.goals_message(
                intake.active_goals(request.session, team_id=request.team_id)
            )
        )
    verb = words[0].text.lower()
    name = " ".join(w.text for w in words[1:])
    if verb not in ("add", "remove") or not name:
        raise UserError('Say `add` or `remove`, then the goal in quotes: `add "Grow revenue"`.')
    if verb == "remove":
        removed = intake.remove_goal(
            request.session,
            team_id=request.team_id,
            actor_id=request.user_id,
            name=name,
            now=request.now,
        )
        return Reply(
            notice(f"“{removed}” is no longer a strategic goal; requests naming it keep it.")
        )
    added = intake.add_goal(
        request.session,
        team_id=request.team_id,
        actor_id=request.user_id,
        name=name,
        now=request.now,
    )
    return Reply(
        notice(f"“{' '.join(name.split())}” {'is now' if added else 'already is'} a goal.")
    )


def timezone(request: CommandRequest) -> Result:
    """`config timezone <Area/City>`: the zone for people Slack gives none."""
    request.require_admin("set the workspace time zone")
    if len(request.words) != 1:
        raise UserError("Give one time zone name such as `Europe/Berlin`.")
    name = request.words[0].text
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(
            f"“{name}” is not a time zone; use an Area/City name such as "
            "`Europe/Berlin` or `America/New_York`."
        ) from exc
    workspace.update_setting(
        request.session,
        workspace=request.workspace,
        actor_id=request.user_id,
        name="timezone",
        value=name,
        now=request.now,
    )
    return Reply(notice(f"The workspace time zone is now {name}."))


def grace(request: CommandRequest) -> Result:
    """`config grace <hours>`: how long after the due time an update counts as overdue."""
    request.require_admin("set the grace period")
    if len(request.words) != 1:
        raise UserError("Give the grace period in hours, 1 to 168, e.g. `24`.")
    hours = parse_int_in_range(request.words[0].text, 1, 168, what="grace period in hours")
    workspace.update_setting(
        request.session,
        workspace=request.workspace,
        actor_id=request.user_id,
        name="grace_hours",
        value=hours,
        now=request.now,
    )
    return Reply(
        notice(
            f"Updates are now overdue {hours} h after they are due; one reminder goes "
            f"out after {hours / 2:g} h. This applies from the next status slot."
        )
    )
