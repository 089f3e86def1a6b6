"""`/pmo config …`: workspace settings, for PMO admins."""

from __future__ import annotations

from collections.abc import Callable

from bot import intake, working_time, workspace
from bot.blocks import config as render
from bot.blocks import intake as render_intake
from bot.blocks.common import escape, notice
from bot.commands import parse_int_in_range, parse_timezone
from bot.errors import UserError
from bot.status import flag_alerts
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import CommandRequest

GOALS = "see and change the strategic goals"


def register(on: Listeners) -> None:
    """Route `/pmo config …`."""
    add = on.commands.add
    add("config", show, admins="see and change the configuration")
    add("config admins", admins)  # workspace.change_admin checks who may
    add("config pmo-channel", pmo_channel, admins="set the PMO channel")
    add("config intake-channel", intake_channel, admins="set the intake channel")
    add("config goals", goals, admins=GOALS)
    add("config goals add", add_goal, admins=GOALS)
    add("config goals remove", remove_goal, admins=GOALS)
    add("config timezone", timezone, admins="set the workspace time zone")
    add("config grace", grace, admins="set the grace period")
    add("config workweek", workweek, admins="set the working days")
    add("config hours", hours, admins="set the message hours")
    add("config holidays", holidays, admins="set the public holidays")
    add("config alerts", alerts, admins="choose which flags are posted to the PMO channel")


def show(request: CommandRequest) -> Result:
    """`config` alone: the current settings."""
    if request.words:
        raise UserError(f"There is no setting “{request.words[0].text}”.")
    admins = workspace.admin_ids(request.session, team_id=request.team_id)
    return Reply(render.settings_message(request.workspace, admins=admins))


def admins(request: CommandRequest) -> Result:
    """`config admins add|remove @x`."""
    words = request.words
    if len(words) != 2 or words[0].text.lower() not in ("add", "remove"):
        raise UserError("Say `add` or `remove`, then the person.")
    adding = words[0].text.lower() == "add"
    person = request.user(words[1].text)
    changed = workspace.change_admin(
        request.session, actor=request.caller, person=person, add=adding, now=request.now
    )
    return Reply(render.admin_changed(person.user_id, added=adding, changed=changed))


def pmo_channel(request: CommandRequest) -> Result:
    """`config pmo-channel #c`: where alerts and intake go."""
    channel_id = _set_channel(request, "pmo_channel_id", doing="set the PMO channel")
    return Reply(notice(f"PMO alerts will go to <#{channel_id}>."))


def intake_channel(request: CommandRequest) -> Result:
    """`config intake-channel #c`: where intake requests are posted for a decision."""
    channel_id = _set_channel(request, "intake_channel_id", doing="set the intake channel")
    return Reply(notice(f"Intake requests will be posted in <#{channel_id}> for a decision."))


def _set_channel(request: CommandRequest, setting: str, *, doing: str) -> str:
    if len(request.words) != 1:
        raise UserError("Name one channel.")
    channel_id = request.channel(request.words[0].text)
    _configure(request, setting, channel_id, doing=doing)
    return channel_id


def _configure(request: CommandRequest, name: str, value: object, *, doing: str) -> None:
    workspace.configure(
        request.session,
        actor=request.caller,
        workspace=request.workspace,
        name=name,
        value=value,
        now=request.now,
        doing=doing,
    )


def goals(request: CommandRequest) -> Result:
    """`config goals`: the strategic goals intake is aligned to."""
    if request.words:
        raise UserError('Say `add` or `remove`, then the goal in quotes: `add "Grow revenue"`.')
    found = intake.active_goals(request.session, team_id=request.team_id)
    return Reply(render_intake.goals_message(found))


def add_goal(request: CommandRequest) -> Result:
    """`config goals add "<goal>"`."""
    name = _goal_name(request)
    added = intake.add_goal(
        request.session,
        team_id=request.team_id,
        actor_id=request.user_id,
        name=name,
        now=request.now,
    )
    return Reply(
        notice(f"“{escape(' '.join(name.split()))}” {'is now' if added else 'already is'} a goal.")
    )


def remove_goal(request: CommandRequest) -> Result:
    """`config goals remove "<goal>"`: requests naming it keep it."""
    removed = intake.remove_goal(
        request.session,
        team_id=request.team_id,
        actor_id=request.user_id,
        name=_goal_name(request),
        now=request.now,
    )
    return Reply(
        notice(f"“{escape(removed)}” is no longer a strategic goal; requests naming it keep it.")
    )


def _goal_name(request: CommandRequest) -> str:
    name = " ".join(w.text for w in request.words)
    if not name:
        raise UserError('Give the goal in quotes: `add "Grow revenue"`.')
    return name


def timezone(request: CommandRequest) -> Result:
    """`config timezone <Area/City>`: the zone for people Slack gives none."""
    if len(request.words) != 1:
        raise UserError("Give one time zone name such as `Europe/Berlin`.")
    name = parse_timezone(request.words[0].text)
    _configure(request, "timezone", name, doing="set the workspace time zone")
    return Reply(notice(f"The workspace time zone is now {name}."))


def grace(request: CommandRequest) -> Result:
    """`config grace <hours>`: how long after the due time an update counts as overdue."""
    if len(request.words) != 1:
        raise UserError("Give the grace period in hours, 1 to 168, e.g. `24`.")
    hours = parse_int_in_range(request.words[0].text, 1, 168, what="grace period in hours")
    _configure(request, "grace_hours", hours, doing="set the grace period")
    return Reply(render.grace_changed(hours))


def workweek(request: CommandRequest) -> Result:
    """`config workweek mon-fri`: the workspace's working days."""
    return _set_calendar(
        request,
        "workdays",
        working_time.parse_workdays,
        missing="Give the working days, e.g. `mon-fri` or `sun-thu`.",
        doing="set the working days",
    )


def hours(request: CommandRequest) -> Result:
    """`config hours 09:00-18:00`: when people may be messaged on a working day."""
    return _set_calendar(
        request,
        "hours",
        working_time.parse_hours,
        missing="Give the message hours as HH:MM-HH:MM, e.g. `08:00-20:00`.",
        doing="set the message hours",
    )


def _set_calendar(
    request: CommandRequest,
    setting: str,
    parse: Callable[[str], str],
    *,
    missing: str,
    doing: str,
) -> Result:
    text = " ".join(w.text for w in request.words)
    if not text:
        raise UserError(missing)
    _configure(request, setting, parse(text), doing=doing)
    return Reply(render.calendar_changed(request.workspace))


def holidays(request: CommandRequest) -> Result:
    """`config holidays DE` (or `US-CA`, or `none`): whose public holidays are days off."""
    if len(request.words) != 1:
        raise UserError("Give one country code such as `DE` or `US-CA`, or `none`.")
    code = working_time.parse_holidays(request.words[0].text)
    _configure(request, "holidays", code, doing="set the public holidays")
    return Reply(render.calendar_changed(request.workspace))


def alerts(request: CommandRequest) -> Result:
    """`config alerts <kinds>|all|digest-only`: which flag changes the PMO channel hears of."""
    setting = flag_alerts.parse_setting([w.text for w in request.words])
    _configure(request, "pmo_alerts", setting, doing="choose which flags reach the PMO channel")
    return Reply(render.alerts_changed(setting))
