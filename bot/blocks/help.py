"""Help text and the usage line every error message ends with."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import (
    SECTION_TEXT_MAX,
    Block,
    actions,
    button,
    context,
    escape,
    escape_message,
    escape_pieces,
    message,
    section,
)
from bot.dates import AmbiguousDate, format_date
from bot.errors import AmbiguousProgram, UserError
from bot.reruns import Rerun

# One action id per reading: Slack wants the buttons of one block told apart.
READING_ACTIONS = ("date_reading_1", "date_reading_2")
# One per candidate of a short program name that matches several (bot.program_names).
PROGRAM_CHOICE_ACTIONS = tuple(f"program_choice_{n}" for n in range(1, 6))

USAGE: dict[str, str] = {
    "help": "/pmo help [topic]",
    "program": "/pmo program add|list|show|edit|rename|pause|resume|done|archive|delegates|"
    "sponsor|portfolio …",
    "milestone": '/pmo milestone add|done <program> "<name>" …',
    "program add": "/pmo program add <name> owner:@lead [channel:#ch] "
    "[cadence:weekly mon 09:00] [target:<date>] [key:<short-key>]",
    "program list": "/pmo program list [mine|red|flagged|overdue|all]",
    "program show": "/pmo program show <program>",
    "program edit": "/pmo program edit <program>",
    "program rename": '/pmo program rename <program> "<new name>" [key:<new-key>]',
    "program pause": "/pmo program pause <program>",
    "program resume": "/pmo program resume <program>",
    "program done": "/pmo program done <program>",
    "program archive": "/pmo program archive <program>",
    "program delegates": "/pmo program delegates <program> add|remove @person",
    "program sponsor": "/pmo program sponsor <program> @person",
    "program portfolio": "/pmo program portfolio <program> <portfolio name>",
    "milestone add": '/pmo milestone add <program> "<name>" due:<date>',
    "milestone done": '/pmo milestone done <program> "<name>"',
    "status": "/pmo status [<program>] | /pmo status <program> <green|amber|red> <summary…>",
    "risk": '/pmo risk [<program>] | /pmo risk <program> "<title>" '
    "[likelihood:1-5|rare…almost certain] [impact:1-5|negligible…severe] [due:<date>] "
    "[owner:@x]",
    "risk reopen": "/pmo risk reopen #<n>",
    "risk edit": "/pmo risk edit #<n> [owner:@x] [due:<date>|none]",
    "risks": "/pmo risks [<program>|mine|overdue]",
    "ooo": "/pmo ooo until:<date> | /pmo ooo off",
    "hours": "/pmo hours [<days>] [<HH:MM-HH:MM>] | /pmo hours default",
    "holidays": "/pmo holidays <country[-region]>|none|default",
    "notify": "/pmo notify [mute|unmute flags|raid|intake|actions|all …]",
    "config grace": "/pmo config grace <hours>",
    "config workweek": "/pmo config workweek <days>",
    "config hours": "/pmo config hours <HH:MM-HH:MM>",
    "config holidays": "/pmo config holidays <country[-region]>|none",
    "digest": "/pmo digest preview [portfolio:<name>] | subscribe #channel [daily|weekly] "
    "[<day>] [<HH:MM>] [tz:<Area/City>] [portfolio:<name>] | unsubscribe #channel | "
    "now #channel | list | show <date> [#channel]",
    "digest subscribe": "/pmo digest subscribe #channel [daily|weekly] [<day>] [<HH:MM>] "
    "[tz:<Area/City>] [portfolio:<name>]",
    "digest show": "/pmo digest show <date> [#channel]",
    "intake": "/pmo intake",
    "intake list": "/pmo intake list [pending|approved|rejected|deferred|all]",
    "intake show": "/pmo intake show <INT-n>",
    "standup": "/pmo standup schedule|list|start|close|order|agenda|edit|cancel …",
    "standup schedule": '/pmo standup schedule #channel "<days> <HH:MM> [local]" @a @b … '
    '[close:<HH:MM>] [tz:<Area/City>] [questions:"Q1|Q2|Q3"]',
    "standup list": "/pmo standup list",
    "standup start": "/pmo standup start [#channel]",
    "standup close": "/pmo standup close [#channel]",
    "standup order": "/pmo standup order [#channel]",
    "standup agenda": "/pmo standup agenda [#channel]",
    "standup edit": '/pmo standup edit #channel ["<days> <HH:MM> [local]"] [@a @b …] '
    '[close:<HH:MM>] [tz:<Area/City>] [questions:"Q1|Q2|Q3"]',
    "standup cancel": "/pmo standup cancel #channel",
    "meeting": "/pmo meeting schedule|list|agenda|start|close|show|edit|cancel …",
    "meeting schedule": '/pmo meeting schedule #channel "<days> <HH:MM>" [every:2w] '
    "[length:60m] [portfolio:<name>] [tz:<Area/City>] @attendee …",
    "meeting list": "/pmo meeting list",
    "meeting agenda": "/pmo meeting agenda [#channel]",
    "meeting start": "/pmo meeting start [#channel]",
    "meeting close": "/pmo meeting close [#channel]",
    "meeting show": "/pmo meeting show <date> [#channel]",
    "meeting edit": '/pmo meeting edit #channel ["<days> <HH:MM>"] [every:2w] [length:60m] '
    "[portfolio:<name>|all] [tz:<Area/City>] [@attendee …]",
    "meeting cancel": "/pmo meeting cancel #channel",
    "decision": '/pmo decision request <program> "<question>" [by:<date>] [options:"A|B|C"]',
    "decision request": '/pmo decision request <program> "<question>" [by:<date>] '
    '[options:"A|B|C"]',
    "decisions": "/pmo decisions [<program>|open|since:<date>]",
    "actions": "/pmo actions [mine|all|<program>|overdue]",
    "actions add": '/pmo actions add [<program>] "<title>" due:<date> [owner:@x]',
    "actions done": "/pmo actions done A-<n>",
    "actions edit": '/pmo actions edit A-<n> ["<new title>"] [due:<date>] [owner:@x]',
    "config": "/pmo config [admins add|remove @x | pmo-channel #c | intake-channel #c | "
    'timezone <Area/City> | grace <hours> | goals [add|remove "<goal>"] | workweek <days> | '
    "hours <HH:MM-HH:MM> | holidays <country> | alerts <kinds>|all|digest-only]",
    "config alerts": "/pmo config alerts red|overdue|stale|high-risk … | all | digest-only",
    "config admins": "/pmo config admins add|remove @person",
    "config pmo-channel": "/pmo config pmo-channel #channel",
    "config timezone": "/pmo config timezone <Area/City>",
    "config intake-channel": "/pmo config intake-channel #channel",
    "export": "/pmo export [programs|status|risks|intake|decisions|actions] [since:<date>]",
    "config goals": '/pmo config goals [add "<goal>" | remove "<goal>"]',
}

TOPICS: dict[str, tuple[str, list[str]]] = {
    "program": (
        "Programs are tracked initiatives. Name one by its key (`apollo`) or its quoted "
        'name (`"Apollo Migration"`). Owners, delegates and PMO admins may change one.',
        [k for k in USAGE if k.startswith("program ")],
    ),
    "status": (
        "Report status as green, amber or red (also g/a/r, yellow, on track, at risk, off "
        "track). Amber and red need a path to green and a recovery date. Owners, delegates "
        "and PMO admins may update; the receipt has an *Edit* button. Prompts arrive by DM "
        "when an update is due; answer with the buttons or reply like "
        "`amber - vendor late; next: escalate`. Away? `/pmo ooo until:&lt;date&gt;` (a Slack "
        "status with :palm_tree: or “vacation” counts too). Prompts come in your working "
        "time (Mon–Fri 08:00–20:00 unless you or the workspace set other), and grace counts "
        "working days only.",
        ["status", "ooo", "hours", "holidays"],
    ),
    "risk": (
        "The RAID log: risks, issues, assumptions, dependencies and decisions. Score = "
        "likelihood × impact, 1–5 each: likelihood rare, unlikely, possible, likely, almost "
        "certain; impact negligible, minor, moderate, major, severe (very low … critical "
        "work for both). Decisions and assumptions are recorded, not scored, so they have "
        "no *Mitigate* or *Escalate*. *Mitigate* records what is being done and can "
        "re-score the item; *Close* asks why (kept in its history); `reopen` undoes it. "
        "Anyone may log one; its owner, the program's owner, delegates and admins manage it. "
        "The owner is DMed when someone else gives them an item, two working days before "
        "it is due and once it is overdue.",
        ["risk", "risk edit", "risk reopen", "risks"],
    ),
    "digest": (
        "Leadership digests: headline counts, what changed since the last digest, red and "
        "flagged programs with reasons, top risks, milestones due soon, intake waiting and "
        "overdue updates. PMO admins subscribe channels; anyone can preview.",
        ["digest", "digest subscribe", "digest show"],
    ),
    "milestone": (
        "Milestones are dated checkpoints of a program.",
        ["milestone add", "milestone done"],
    ),
    "intake": (
        "Ask for a new project with `/pmo intake` (anyone may). Rate business value, time "
        "criticality and risk reduction / opportunity enablement 1–10 each, and the job size "
        "1–10; the score is WSJF = (value + criticality + risk reduction) / job size. The "
        "request gets an id `INT-n`, goes to the intake channel for PMO admins to approve, "
        "reject or defer, and you are told the outcome by DM.",
        ["intake", "intake list", "intake show"],
    ),
    "standup": (
        "Stand-ups for facilitators. At the scheduled time (your time zone unless `tz:`) each "
        "participant gets the questions by DM and answers with *Answer* or a reply with one "
        "line per question, until close (2 h later unless `close:`). At close the channel "
        "gets the summary: blockers first (a blocker naming a program key becomes a blocking "
        "issue on it), the answers, and who did not answer. Days: `mon-fri`, `mon,wed,fri`. "
        'Add `local` (`"mon-fri 09:30 local"`) to ask each participant at 09:30 their own '
        "time. Nobody is asked outside their working hours: they get it when their day starts "
        "before close, else the summary lists them, like those out of office or on a day off. "
        "Three runs in a row that nobody answers pause the stand-up; the facilitator gets a "
        "DM with *Resume*. "
        "Participants must be members of the channel. `start`, `close`, `order` and `agenda` "
        "act on the channel you type them in unless you name one; the facilitator or a PMO "
        "admin may edit or cancel.",
        [k for k in USAGE if k.startswith("standup ")],
    ),
    "meeting": (
        "Steering meetings for chairs. `schedule` sets up a recurring review in a channel "
        "(weekly unless `every:2w`, 60 minutes unless `length:`, every program unless "
        "`portfolio:`); you chair it, and attendees must be members of the channel. Its "
        "agenda is built from exceptions since the last meeting: open decision requests "
        "first, new reds, ambers two updates running, colours better than the evidence, late "
        "targets and milestones, escalated risks, open actions, intake awaiting a decision. "
        "Each item has an owner and a timebox; what does not fit is listed as not scheduled. "
        "One working day before, each item's owner is asked by DM to update; an hour before, "
        "the agenda is posted. `start` posts one live message (*Record decision*, *Add "
        "action*, *Park*, *Next item*); `close` (or 30 minutes after the end) posts the "
        "minutes in its thread, and `show <date>` shows them again. `agenda`, `start`, "
        "`close` act on the channel you type them in unless you name one; the chair or a PMO "
        "admin may edit or cancel.",
        [k for k in USAGE if k.startswith("meeting ")],
    ),
    "decisions": (
        "The decision log and actions. `decision request` (a program's owner, delegate or a "
        "PMO admin) puts a question to the next meeting of its portfolio before `by:`, or to "
        "the program's sponsor by DM when no meeting comes first; still open after `by:`, "
        "whoever asked is told where it waits. Decisions are numbered "
        "D-1, D-2…; actions A-1, A-2…, each with an owner and a due date. Action owners get "
        "a DM with *Done*, a reminder two working days before the due date and one when it "
        "is overdue; `actions add` records one outside a meeting, `actions edit` changes its "
        "title, owner or due date, `actions done` closes one.",
        ["decision request", "decisions", "actions", "actions add", "actions edit", "actions done"],
    ),
    "config": (
        "Workspace settings, for PMO admins. While no PMO admin is set, Slack workspace "
        "admins and owners act as PMO admins.",
        [
            "config admins",
            "config pmo-channel",
            "config intake-channel",
            "config timezone",
            "config grace",
            "config goals",
            "config alerts",
        ],
    ),
    "notify": (
        "Which DMs you get. `/pmo notify` shows your settings; `mute` or `unmute` one or more "
        "kinds (or `all`): `flags` (a program you own or sponsor goes red, overdue, stale or "
        "high-risk, or recovers), `raid` (RAID items assigned to you, and their "
        "reminders), `intake` (the decision on your intake request), `actions` (actions you "
        "own: assigned, due soon, overdue). Status "
        "prompts, their reminders and stand-up questions ask you for something, so they "
        "can't be muted; `/pmo ooo` pauses prompts while you are away.",
        ["notify", "ooo"],
    ),
    "export": (
        "A CSV file of the workspace's data, sent to your DM (PMO admins). It opens in Excel "
        "as it is: UTF-8, ISO dates, UTC times. `since:` keeps programs changed, status "
        "updates submitted or edited, RAID items logged or changed, intake requests filed "
        "or decided, decisions made, and actions added or done on or after that date (your "
        "time).",
        ["export"],
    ),
    "dates": (
        "Dates are read in your own time zone, as a PMO means them for a due date: `today`, "
        "`EOD`, `COB`, `tomorrow` (`tmrw`, `tmr`), `friday`, `next wed` (the first after "
        "today; `weds`, `thur`, `thurs` too), `coming friday`, `friday next week`, `EOW` or "
        "`end of week` (this Friday), `end of next week`, `EOM`, `start of next month`, "
        "`EOQ`, `end of Q1` and `Q1 2027` (the quarter's last day), `H1`, `H2`, `EOY`, "
        "`in 2w`, `within 2 weeks`, `Dec 3`, `the 15th`, `2026-12-03`.\n"
        "Without a year it is the next such day, today included: `by the 15th` typed on "
        "25 Nov is 15 Dec, `end of Q1` typed in November is next March. A month or period "
        "alone means its last day (`Dec '27` is 31 Dec 2027, `next month` its last day). A "
        "time of day is ignored (`Dec 3 at 10:00` is 3 Dec).\n"
        "All-number dates: year first always (`2026/12/03`, `20261203`); `13/12/2026` and "
        "`12/31/2026` can only be read one way; `03/04/2026` can be 3 Apr or 4 Mar, so I ask "
        "which, with a button for each. The date I understood is always repeated back.",
        [],
    ),
}


def usage_for(path: str) -> str | None:
    """The usage line for a subcommand path such as "program add", falling back upwards."""
    while path:
        if path in USAGE:
            return USAGE[path]
        path = path.rpartition(" ")[0]
    return None


def _code(usage: str) -> str:
    """A usage line as inline code; its `<placeholders>` escaped, or Slack reads them as links."""
    return f"`{escape(usage)}`"


# Other words people try for a topic.
TOPIC_ALIASES = {
    "meetings": "meeting",
    "steering": "meeting",
    "decision": "decisions",
    "actions": "decisions",
    "action": "decisions",
    "standups": "standup",
}


def help_message(topic: str | None = None) -> dict[str, Any]:
    """The help reply: an overview, or one topic's commands."""
    topic_key = TOPIC_ALIASES.get(topic.lower(), topic.lower()) if topic else None
    if topic_key in TOPICS:
        intro, paths = TOPICS[topic_key]
        lines = [intro, ""] + [_code(USAGE[p]) for p in paths]
        return message(f"PMO Bot help: {topic}", [section("\n".join(lines))])
    overview = [
        "*PMO Bot* keeps status, risks, intake, digests, stand-ups and steering meetings for "
        "your programs.",
        "",
        _code(USAGE["program add"]),
        _code(USAGE["program list"]) + " · " + _code(USAGE["program show"]),
        _code(USAGE["status"]),
        _code(USAGE["risk"]),
        _code(USAGE["risks"]),
        _code(USAGE["milestone add"]),
        _code(USAGE["intake"]) + " · " + _code(USAGE["intake list"]),
        _code(USAGE["digest"]),
        _code(USAGE["standup"]),
        _code(USAGE["meeting"]),
        _code(USAGE["decision request"]),
        _code(USAGE["decisions"]) + " · " + _code(USAGE["actions"]),
        _code(USAGE["export"]),
        _code(USAGE["ooo"]) + " · " + _code(USAGE["hours"]) + " · " + _code(USAGE["holidays"]),
        _code(USAGE["notify"]),
        _code(USAGE["config"]),
    ]
    more = ", ".join(f"`/pmo help {area}`" for area in TOPICS)
    blocks = [section("\n".join(overview)), context(f"More: {more}")]
    if topic:
        blocks.insert(0, section(f"I have no help on “{escape(topic)}”; here is the overview."))
    return message("PMO Bot help", blocks)


def error_message(error: UserError, *, command: Rerun | None = None) -> dict[str, Any]:
    """An ephemeral error: what is wrong, what the user typed (whole), and the usage line last.

    Args:
        error: What went wrong.
        command: The command the error answers, when the answer may offer to run it again: an
            ambiguous date's readings are buttons that do.
    """
    blocks = [section(f":warning: {escape_message(error.message)}")]
    if isinstance(error, AmbiguousDate):
        blocks += readings(error, command)
    if isinstance(error, AmbiguousProgram):
        blocks += program_choices(error, command)
    if error.echo:
        pieces = escape_pieces(error.echo.replace("`", "'"), SECTION_TEXT_MAX - 20)
        blocks.append(section(f"You typed: `{pieces[0]}`"))
        blocks += [section(f"`{piece}`") for piece in pieces[1:]]
    if error.usage:
        blocks.append(section(f"Usage: {_code(error.usage)}"))
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    return message(text, blocks)


def readings(error: AmbiguousDate, command: Rerun | None) -> list[Block]:
    """An ambiguous date's two readings: buttons that run the command again with one, or,
    when it can't be run from a button, how to type it."""
    either = " or ".join(f"`{day.isoformat()}` ({format_date(day)})" for day in error.readings)
    reruns = [
        command.replacing(error.text, d.isoformat()) if command else None for d in error.readings
    ]
    if None in reruns:  # not a command, or the date is not in its text as typed
        return [section(f"Type it again with {either}.")]
    values = [rerun.value() for rerun in reruns if rerun is not None]
    if None in values:
        return [section(f"That is too long to run again from a button: type it with {either}.")]
    buttons = [
        button(format_date(day), action_id=action, value=value or "")
        for action, day, value in zip(READING_ACTIONS, error.readings, values, strict=True)
    ]
    return [actions(*buttons, block_id="date-readings")]


def program_choices(error: AmbiguousProgram, command: Rerun | None) -> list[Block]:
    """The programs a short name could be, as buttons that run the command again with each
    key (none when it can't be run from a button: the message names the keys)."""
    reruns = [command.replacing(error.ref, key) if command else None for key in error.keys]
    values = [rerun.value() if rerun is not None else None for rerun in reruns]
    if None in values:
        return []
    buttons = [
        button(key, action_id=action, value=value or "")
        for action, key, value in zip(PROGRAM_CHOICE_ACTIONS, error.keys, values, strict=False)
    ]
    return [actions(*buttons, block_id="program-choices")]


def welcome_message(*, guest: bool) -> dict[str, Any]:
    """The one DM someone gets the first time they open the bot's Messages tab."""
    if guest:
        text = (
            ":wave: I'm the PMO bot. To ask the PMO for a new project, type `/pmo intake`; "
            "I'll tell you here when it is decided."
        )
    else:
        text = (
            ":wave: I'm the PMO bot: I ask for status updates on your programs and keep the "
            "PMO's risks, intake and stand-ups.\n"
            "• `/pmo status` to report on a program, `/pmo program list` to see them all\n"
            "• when I ask for an update, just reply here: `amber - vendor late; next: escalate`\n"
            "• ask me here too: `apollo?`, `what's red`, `my risks`, `what's due this week`\n"
            "• `/pmo help` for everything else"
        )
    return message(text, [section(text)])
